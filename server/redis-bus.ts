import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { MAX_ID_LENGTH, parsePeerInfo, type PeerInfo } from '../src/protocol/signaling.js';
import type { Admission, Cluster, ClusterListener, ClusterMember, HeldMember, RoomEvent, StoredSession } from './cluster.js';
import { LogThrottle } from './rate-limit.js';

/*
 * Room state in Redis, per room (the {room} hash tag keeps a room's keys in one cluster slot):
 *   un75:{room}:m  hash   id -> JSON {info, fixedName}
 *   un75:{room}:n  hash   id -> node id of the process holding its socket
 *   un75:{room}:s  hash   id -> hash of its resume secret
 *   un75:{room}:t  zset   id -> expiry (ms, Redis clock): presence, refreshed by its process
 *   un75:{room}:a  zset   id -> expiry (ms, Redis clock): attached, i.e. a socket holds it; refreshed
 *                         by its process, removed when the socket goes (a resume elsewhere is refused
 *                         while it is attached)
 * Channels: un75:room:<room> carries RoomEvents; un75:node:<node> carries frames for members of
 * that process ("<to>\n<frame>"). Every change is one Lua script, so a room's size cap holds across
 * processes and each expired member is announced exactly once, by whichever process removes it;
 * likewise one live member per token subject, and no resume of a member a socket still holds.
 */

const PRELUDE = `
local function now()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local function forget(m, n, s, t, a, id)
  redis.call('ZREM', t, id)
  redis.call('ZREM', a, id)
  redis.call('HDEL', m, id)
  redis.call('HDEL', n, id)
  redis.call('HDEL', s, id)
end
local function reap(m, n, s, t, a, chan, at)
  local expired = redis.call('ZRANGEBYSCORE', t, '-inf', at)
  for _, id in ipairs(expired) do
    forget(m, n, s, t, a, id)
    redis.call('PUBLISH', chan, '{"t":"left","id":"' .. id .. '"}')
  end
end
-- One live member per person: the members stored with token subject \`subject\` leave (their process
-- closes their socket with "replaced"); returns their ids.
local function evict(m, n, s, t, a, chan, subject)
  local gone = {}
  if subject == '' then return gone end
  local stored = redis.call('HGETALL', m)
  for i = 1, #stored, 2 do
    local ok, v = pcall(cjson.decode, stored[i + 1])
    if ok and type(v) == 'table' and v.subject == subject then
      forget(m, n, s, t, a, stored[i])
      redis.call('PUBLISH', chan, '{"t":"left","id":"' .. stored[i] .. '"}')
      gone[#gone + 1] = stored[i]
    end
  end
  return gone
end
-- The keys outlive their last member's presence by a minute, so an abandoned room cleans itself up.
local function touch(m, n, s, t, a, at)
  local last = redis.call('ZRANGE', t, -1, -1, 'WITHSCORES')
  if #last == 0 then
    redis.call('DEL', m, n, s, t, a)
    return
  end
  local ttl = math.max(1, tonumber(last[2]) - at) + 60000
  for _, key in ipairs({m, n, s, t, a}) do redis.call('PEXPIRE', key, ttl) end
end
`;

const SCRIPTS = {
  // ARGV: channel, id, member JSON, node, secret hash, ttl ms, max size, joined event, subject ('' for
  // none), attach ms. Members of the same subject leave first: the newcomer takes their place.
  admit: `
local m, n, s, t, a = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]
local at = now()
reap(m, n, s, t, a, ARGV[1], at)
local gone = evict(m, n, s, t, a, ARGV[1], ARGV[9])
if redis.call('HLEN', m) >= tonumber(ARGV[7]) then return 'full' end
local members, nodes = redis.call('HGETALL', m), redis.call('HGETALL', n)
redis.call('HSET', m, ARGV[2], ARGV[3])
redis.call('HSET', n, ARGV[2], ARGV[4])
redis.call('HSET', s, ARGV[2], ARGV[5])
redis.call('ZADD', t, at + tonumber(ARGV[6]), ARGV[2])
redis.call('ZADD', a, at + tonumber(ARGV[10]), ARGV[2])
touch(m, n, s, t, a, at)
redis.call('PUBLISH', ARGV[1], ARGV[8])
return {members, nodes, gone}`,
  // ARGV: channel, subject
  evict: `
local m, n, s, t, a = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]
local at = now()
reap(m, n, s, t, a, ARGV[1], at)
local gone = evict(m, n, s, t, a, ARGV[1], ARGV[2])
touch(m, n, s, t, a, at)
return gone`,
  // ARGV: channel, id, secret hash, node, ttl ms, next secret hash, attach ms
  claim: `
local m, n, s, t, a = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]
local at = now()
reap(m, n, s, t, a, ARGV[1], at)
if redis.call('HGET', s, ARGV[2]) ~= ARGV[3] then return false end
local attached = redis.call('ZSCORE', a, ARGV[2])
if attached and tonumber(attached) > at then return 'attached' end
redis.call('HSET', s, ARGV[2], ARGV[6])
redis.call('HSET', n, ARGV[2], ARGV[4])
redis.call('ZADD', t, at + tonumber(ARGV[5]), ARGV[2])
redis.call('ZADD', a, at + tonumber(ARGV[7]), ARGV[2])
touch(m, n, s, t, a, at)
redis.call('PUBLISH', ARGV[1], '{"t":"resumed","id":"' .. ARGV[2] .. '","node":"' .. ARGV[4] .. '"}')
return {redis.call('HGETALL', m), redis.call('HGETALL', n)}`,
  // ARGV: channel, id, node — only the process holding the member may remove it
  remove: `
local m, n, s, t, a = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]
if redis.call('HGET', n, ARGV[2]) ~= ARGV[3] then return 0 end
forget(m, n, s, t, a, ARGV[2])
touch(m, n, s, t, a, now())
redis.call('PUBLISH', ARGV[1], '{"t":"left","id":"' .. ARGV[2] .. '"}')
return 1`,
  // ARGV: channel, id, node, member JSON, updated event, new secret hash ('' to keep it), attach ms
  // (a new secret comes with a resume on this process: a socket holds the member again)
  update: `
local m, n, s, a = KEYS[1], KEYS[2], KEYS[3], KEYS[5]
if redis.call('HGET', n, ARGV[2]) ~= ARGV[3] then return 0 end
redis.call('HSET', m, ARGV[2], ARGV[4])
if ARGV[6] ~= '' then
  redis.call('HSET', s, ARGV[2], ARGV[6])
  redis.call('ZADD', a, now() + tonumber(ARGV[7]), ARGV[2])
end
redis.call('PUBLISH', ARGV[1], ARGV[5])
return 1`,
  // ARGV: channel, id, node — its socket is gone: from now on a resume may take it elsewhere
  detach: `
local n, a = KEYS[2], KEYS[5]
if redis.call('HGET', n, ARGV[2]) ~= ARGV[3] then return 0 end
redis.call('ZREM', a, ARGV[2])
redis.call('PUBLISH', ARGV[1], '{"t":"detached","id":"' .. ARGV[2] .. '"}')
return 1`,
  // ARGV: node, ttl ms, attach ms, then pairs: id, '1' when a socket holds it (else it is detached)
  refresh: `
local m, n, s, t, a = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]
local at = now()
for i = 4, #ARGV, 2 do
  if redis.call('HGET', n, ARGV[i]) == ARGV[1] then
    redis.call('ZADD', t, 'XX', at + tonumber(ARGV[2]), ARGV[i])
    if ARGV[i + 1] == '1' then redis.call('ZADD', a, at + tonumber(ARGV[3]), ARGV[i]) else redis.call('ZREM', a, ARGV[i]) end
  end
end
touch(m, n, s, t, a, at)
return 1`,
  // ARGV: channel
  sweep: `
local m, n, s, t, a = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]
reap(m, n, s, t, a, ARGV[1], now())
return {redis.call('HGETALL', m), redis.call('HGETALL', n)}`,
} as const;

type ScriptName = keyof typeof SCRIPTS;
type RunScript = (keys: string[], args: Array<string | number>) => Promise<unknown>;

interface StoredMember extends StoredSession {
  info: PeerInfo;
}

const keysOf = (room: string) => ['m', 'n', 's', 't', 'a'].map((k) => `un75:{${room}}:${k}`);
const roomChannel = (room: string) => `un75:room:${room}`;
const nodeChannel = (node: string) => `un75:node:${node}`;
const ROOM_PREFIX = roomChannel('');

export interface RedisClusterOptions {
  log(line: string): void;
  /** How long a member stays present without a refresh from its process. */
  presenceMs: number;
  /**
   * How long a member stays attached (a socket holds it, so no resume elsewhere) without a refresh
   * from its process: shorter than presence, so a member of a process that died can still resume.
   */
  attachMs: number;
}

export class RedisCluster implements Cluster {
  readonly nodeId = randomBytes(8).toString('base64url');
  private readonly pub: Redis;
  private readonly sub: Redis;
  private readonly run: Record<ScriptName, RunScript>;
  private readonly watching = new Map<string, Promise<void>>();
  private listener: ClusterListener | null = null;
  /** A Redis outage makes every request fail; one line a second says so without flooding the log. */
  private readonly errorLog: LogThrottle;

  constructor(
    url: string,
    private readonly options: RedisClusterOptions,
  ) {
    this.errorLog = new LogThrottle(options.log);
    // Requests fail after a few retries rather than queue forever: a join then gets an error.
    const redisOptions = { lazyConnect: true, maxRetriesPerRequest: 3 };
    this.pub = new Redis(url, redisOptions);
    this.sub = new Redis(url, redisOptions);
    for (const client of [this.pub, this.sub]) client.on('error', (err: Error) => this.logError(err));
    const run = {} as Record<ScriptName, RunScript>;
    for (const name of Object.keys(SCRIPTS) as ScriptName[]) {
      this.pub.defineCommand(name, { numberOfKeys: 5, lua: PRELUDE + SCRIPTS[name] });
      const command = (this.pub as unknown as Record<string, (...args: Array<string | number>) => Promise<unknown>>)[name]!;
      run[name] = (keys, args) => command.call(this.pub, ...keys, ...args);
    }
    this.run = run;
  }

  async start(listener: ClusterListener): Promise<void> {
    this.listener = listener;
    await Promise.all([this.pub.connect(), this.sub.connect()]);
    this.sub.on('message', (channel: string, message: string) => this.receive(channel, message));
    await this.sub.subscribe(nodeChannel(this.nodeId));
  }

  watch(room: string): Promise<void> {
    let watching = this.watching.get(room);
    if (!watching) {
      watching = this.sub.subscribe(roomChannel(room)).then(() => undefined);
      this.watching.set(room, watching);
    }
    return watching;
  }

  unwatch(room: string): void {
    if (!this.watching.delete(room)) return;
    this.sub.unsubscribe(roomChannel(room)).catch((err: Error) => this.logError(err));
  }

  async admit(room: string, info: PeerInfo, secretHash: string, session: StoredSession, maxSize: number): Promise<Admission | 'full'> {
    const stored: StoredMember = { info, ...session };
    const joined: RoomEvent = { t: 'joined', node: this.nodeId, info };
    const result = await this.run.admit(keysOf(room), [
      roomChannel(room),
      info.id,
      JSON.stringify(stored),
      this.nodeId,
      secretHash,
      this.options.presenceMs,
      maxSize,
      JSON.stringify(joined),
      session.subject ?? '',
      this.options.attachMs,
    ]);
    if (result === 'full') return 'full';
    return { others: members(result), replaced: ids((result as unknown[])[2]) };
  }

  async evict(room: string, subject: string): Promise<string[]> {
    return ids(await this.run.evict(keysOf(room), [roomChannel(room), subject]));
  }

  async session(room: string, id: string): Promise<StoredSession | null> {
    const json = await this.pub.hget(keysOf(room)[0]!, id);
    const stored = json === null ? null : parseStored(json);
    if (!stored || stored.info.id !== id) return null;
    const { info: _info, ...session } = stored;
    return session;
  }

  async claim(room: string, id: string, secretHash: string, nextSecretHash: string) {
    const result = await this.run.claim(keysOf(room), [
      roomChannel(room),
      id,
      secretHash,
      this.nodeId,
      this.options.presenceMs,
      nextSecretHash,
      this.options.attachMs,
    ]);
    if (!result) return null;
    if (result === 'attached') return 'attached';
    const all = members(result);
    const self = all.find((m) => m.info.id === id);
    if (!self) return null;
    const { info, node: _node, ...session } = self;
    return { self: info, ...session, others: all.filter((m) => m !== self) };
  }

  async update(room: string, info: PeerInfo, session: StoredSession, secretHash = ''): Promise<void> {
    const updated: RoomEvent = { t: 'updated', info };
    await this.run.update(keysOf(room), [
      roomChannel(room),
      info.id,
      this.nodeId,
      JSON.stringify({ info, ...session } satisfies StoredMember),
      JSON.stringify(updated),
      secretHash,
      this.options.attachMs,
    ]);
  }

  async remove(room: string, id: string): Promise<void> {
    await this.run.remove(keysOf(room), [roomChannel(room), id, this.nodeId]);
  }

  async detach(room: string, id: string): Promise<void> {
    await this.run.detach(keysOf(room), [roomChannel(room), id, this.nodeId]);
  }

  relay(node: string, to: string, frame: string): void {
    this.pub.publish(nodeChannel(node), `${to}\n${frame}`).catch((err: Error) => this.logError(err));
  }

  async refresh(room: string, held: HeldMember[], ttlMs: number): Promise<void> {
    await this.run.refresh(keysOf(room), [this.nodeId, ttlMs, this.options.attachMs, ...held.flatMap((h) => [h.id, h.attached ? '1' : '0'])]);
  }

  async sweep(room: string): Promise<ClusterMember[]> {
    return members(await this.run.sweep(keysOf(room), [roomChannel(room)]));
  }

  async close(): Promise<void> {
    this.listener = null;
    await Promise.all([this.sub.quit().catch(() => {}), this.pub.quit().catch(() => {})]);
  }

  private receive(channel: string, message: string): void {
    const listener = this.listener;
    if (!listener) return;
    try {
      if (channel.startsWith(ROOM_PREFIX)) {
        listener.roomEvent(channel.slice(ROOM_PREFIX.length), parseRoomEvent(message));
      } else {
        const newline = message.indexOf('\n');
        if (newline < 1 || newline > MAX_ID_LENGTH) throw new Error('a relayed frame without a recipient');
        listener.relay(message.slice(0, newline), message.slice(newline + 1));
      }
    } catch (err) {
      this.logError(err instanceof Error ? err : new Error(String(err)));
    }
  }

  private logError(err: Error): void {
    this.errorLog.write(`un75-signal: redis: ${err.message}`);
  }
}

/** Decodes the `{members, nodes}` pair of flat HGETALL lists the scripts return, validating each member. */
function members(result: unknown): Array<ClusterMember & StoredSession> {
  const [flatMembers, flatNodes] = result as [string[], string[]];
  const nodes = new Map<string, string>();
  for (let i = 0; i < flatNodes.length; i += 2) nodes.set(flatNodes[i]!, flatNodes[i + 1]!);
  const out: Array<ClusterMember & StoredSession> = [];
  for (let i = 0; i < flatMembers.length; i += 2) {
    const stored = parseStored(flatMembers[i + 1]!);
    if (stored && stored.info.id === flatMembers[i]) out.push({ ...stored, node: nodes.get(flatMembers[i]!) ?? '' });
  }
  return out;
}

/** Member ids a script returns (those it removed), each checked like an id in an event. */
function ids(result: unknown): string[] {
  return Array.isArray(result) ? result.filter(isId) : [];
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isId = (v: unknown): v is string => typeof v === 'string' && v.length > 0 && v.length <= MAX_ID_LENGTH;

/** A stored member, checked with the browser's own validators; null when it is not one. */
function parseStored(json: string): StoredMember | null {
  try {
    const v: unknown = JSON.parse(json);
    if (!isRecord(v)) return null;
    return {
      info: parsePeerInfo(v.info),
      fixedName: v.fixedName === true,
      subject: typeof v.subject === 'string' ? v.subject : null,
      expiresAt: typeof v.expiresAt === 'number' ? v.expiresAt : null,
    };
  } catch {
    return null;
  }
}

/** A room event as published in Redis, checked field by field: whatever else is in Redis is not trusted. */
export function parseRoomEvent(message: string): RoomEvent {
  const v: unknown = JSON.parse(message);
  if (isRecord(v)) {
    if (v.t === 'joined' && isId(v.node)) return { t: 'joined', node: v.node, info: parsePeerInfo(v.info) };
    if (v.t === 'updated') return { t: 'updated', info: parsePeerInfo(v.info) };
    if (v.t === 'left' && isId(v.id)) return { t: 'left', id: v.id };
    if (v.t === 'resumed' && isId(v.id) && isId(v.node)) return { t: 'resumed', id: v.id, node: v.node };
    if (v.t === 'detached' && isId(v.id)) return { t: 'detached', id: v.id };
  }
  throw new Error('an invalid room event in Redis');
}
