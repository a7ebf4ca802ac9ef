import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { MAX_ID_LENGTH, MAX_NAME_LENGTH, parsePeerInfo, ROLES, type PeerInfo, type Role } from '../src/protocol/signaling.js';
import type {
  AdmissionResult,
  BarIdentity,
  ChangedBy,
  Cluster,
  ClusterListener,
  ClusterMember,
  ClusterWaiter,
  Entrant,
  HeldMember,
  RoomAction,
  RoomEvent,
  SelfChange,
  StoredSession,
} from './cluster.js';
import { parseAgendaState } from '../src/protocol/agenda.js';
import { POLL_ID } from '../src/protocol/polls.js';
import { LogThrottle } from './rate-limit.js';

/*
 * Room state in Redis, per room (the {room} hash tag keeps a room's keys in one cluster slot):
 *   un75:{room}:m  hash   id -> JSON {info, fixedName, subject, expiresAt, address, nameKey, v, since}
 *   un75:{room}:n  hash   id -> node id of the process holding its socket
 *   un75:{room}:s  hash   id -> hash of its resume secret
 *   un75:{room}:t  zset   id -> expiry (ms, Redis clock): presence, refreshed by its process
 *   un75:{room}:a  zset   id -> expiry (ms, Redis clock): attached, i.e. a socket holds it; refreshed
 *                         by its process, removed when the socket goes (a resume elsewhere is refused
 *                         while it is attached)
 *   un75:{room}:l  string "1" while a host keeps the room locked; forgotten when nobody is left
 *   un75:{room}:w  hash   waiter id -> JSON {id, name, node, address, token, barKeys, since}
 *   un75:{room}:x  zset   waiter id -> expiry: presence of a waiter, refreshed by its process
 *   un75:{room}:b  zset   bar key -> until (ms): removed and denied people; outlives the room
 * Channels: un75:room:<room> carries RoomEvents; un75:node:<node> carries frames for members of
 * that process ("<to>\n<frame>"). Every decision is one Lua script, so it is taken once for the
 * room whichever process asks: the size cap, the lock and its waiting room, bars, host actions
 * (checked against the host's role as stored), one live member per token subject, no resume of a
 * member a socket still holds, and in open rooms exactly one host. Each change to a member raises
 * its version `v`, so a process keeps the newest record whatever order news reaches it in.
 *
 * ARGV[1] is the room's channel and ARGV[2] "1" for open rooms (the room makes its own host) in
 * every script; the rest is each script's own.
 */

const PRELUDE = `
local M, N, S, T, A, L, W, X, B = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6], KEYS[7], KEYS[8], KEYS[9]
local CHAN, OPEN = ARGV[1], ARGV[2] == '1'
local function now()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local function decode(json)
  if not json then return nil end
  local ok, v = pcall(cjson.decode, json)
  if ok and type(v) == 'table' then return v end
  return nil
end
local function member(id)
  local v = decode(redis.call('HGET', M, id))
  if v and type(v.info) == 'table' then return v end
  return nil
end
local function event(e) redis.call('PUBLISH', CHAN, cjson.encode(e)) end
local function save(v, by)
  v.v = (tonumber(v.v) or 0) + 1
  redis.call('HSET', M, v.info.id, cjson.encode(v))
  event({t = 'updated', info = v.info, v = v.v, by = by})
end
local function forget(id)
  redis.call('ZREM', T, id)
  redis.call('ZREM', A, id)
  redis.call('HDEL', M, id)
  redis.call('HDEL', N, id)
  redis.call('HDEL', S, id)
end
-- Open rooms have exactly one host while anyone is there: when none is left, the longest-present
-- participant becomes it (an interpreter keeps their booth).
local function ensureHost()
  if not OPEN then return end
  local all = redis.call('HGETALL', M)
  local best = nil
  for i = 1, #all, 2 do
    local v = decode(all[i + 1])
    if v and type(v.info) == 'table' then
      if v.info.role == 'host' then return end
      if v.info.role == 'participant' and (best == nil or (tonumber(v.since) or 0) < (tonumber(best.since) or 0)) then best = v end
    end
  end
  if best then
    best.info.role = 'host'
    save(best, 'room')
  end
end
-- Who waits, in arrival order, as JSON (cjson writes an empty table as {}: an empty list is spelled out).
local function waiterList()
  local all = redis.call('HGETALL', W)
  local list = {}
  for i = 1, #all, 2 do
    local v = decode(all[i + 1])
    if v then list[#list + 1] = v end
  end
  table.sort(list, function(p, q) return (tonumber(p.since) or 0) < (tonumber(q.since) or 0) end)
  local out = {}
  for i, v in ipairs(list) do out[i] = {id = v.id, name = v.name, node = v.node} end
  if #out == 0 then return '[]' end
  return cjson.encode(out)
end
local function waitersChanged()
  redis.call('PUBLISH', CHAN, '{"t":"waiters","list":' .. waiterList() .. '}')
end
local function unwait(id)
  redis.call('ZREM', X, id)
  return redis.call('HDEL', W, id) == 1
end
local function reap(at)
  local gone = redis.call('ZRANGEBYSCORE', T, '-inf', at)
  for _, id in ipairs(gone) do
    forget(id)
    event({t = 'left', id = id})
  end
  local lost = redis.call('ZRANGEBYSCORE', X, '-inf', at)
  for _, id in ipairs(lost) do unwait(id) end
  if #lost > 0 then waitersChanged() end
  if #gone > 0 then ensureHost() end
end
local function barred(keys, at)
  redis.call('ZREMRANGEBYSCORE', B, '-inf', at)
  for _, key in ipairs(keys) do
    if key ~= '' and redis.call('ZSCORE', B, key) then return true end
  end
  return false
end
local function bar(keys, untilMs, maxBars)
  for _, key in ipairs(keys) do
    if key ~= '' then redis.call('ZADD', B, 'GT', untilMs, key) end
  end
  -- The bars that end soonest go first when a room collects too many.
  local extra = redis.call('ZCARD', B) - maxBars
  if extra > 0 then redis.call('ZREMRANGEBYRANK', B, 0, extra - 1) end
  local last = redis.call('ZRANGE', B, -1, -1, 'WITHSCORES')
  if #last > 0 then redis.call('PEXPIREAT', B, tonumber(last[2])) end
end
-- One live member per person: the members stored with token subject \`subject\` leave (their process
-- closes their socket with "replaced"); returns their ids.
local function evict(subject)
  local gone = {}
  if subject == '' then return gone end
  local stored = redis.call('HGETALL', M)
  for i = 1, #stored, 2 do
    local v = decode(stored[i + 1])
    if v and v.subject == subject then
      forget(stored[i])
      event({t = 'left', id = stored[i]})
      gone[#gone + 1] = stored[i]
    end
  end
  if #gone > 0 then ensureHost() end
  return gone
end
-- The keys outlive their last member's presence by a minute, so an abandoned room cleans itself up.
-- A room nobody is left in forgets its lock, and lets in whoever waited only because of it (the
-- first of them is its host again in an open room); those a token makes wait go on waiting.
local function touch(at)
  local last = redis.call('ZRANGE', T, -1, -1, 'WITHSCORES')
  if #last == 0 then
    redis.call('DEL', M, N, S, T, A, L)
    local all = redis.call('HGETALL', W)
    local admitted = false
    for i = 1, #all, 2 do
      local v = decode(all[i + 1])
      if v and not v.token then
        unwait(all[i])
        event({t = 'admitted', id = all[i]})
        admitted = true
      end
    end
    if admitted then waitersChanged() end
  else
    local ttl = math.max(1, tonumber(last[2]) - at) + 60000
    for _, key in ipairs({M, N, S, T, A, L}) do redis.call('PEXPIRE', key, ttl) end
  end
  local lastWaiter = redis.call('ZRANGE', X, -1, -1, 'WITHSCORES')
  if #lastWaiter == 0 then
    redis.call('DEL', W, X)
  else
    local ttl = math.max(1, tonumber(lastWaiter[2]) - at) + 60000
    redis.call('PEXPIRE', W, ttl)
    redis.call('PEXPIRE', X, ttl)
  end
end
local function roster()
  return {redis.call('HGETALL', M), redis.call('HGETALL', N)}
end
`;

const SCRIPTS = {
  // ARGV: 3 id, 4 member JSON (without v, since), 5 node, 6 secret hash, 7 ttl ms, 8 max size,
  // 9 subject ('' for none), 10 attach ms, 11 bar keys (JSON list), 12 mode (enter | ask | wait),
  // 13 '1' when the room may make the newcomer host, 14 waiter JSON, 15 most waiters a room,
  // 16 most waiters from one address, 17 waiter ttl ms
  admit: `
local at = now()
reap(at)
if barred(cjson.decode(ARGV[11]), at) then return 'barred' end
local locked = redis.call('EXISTS', L) == 1
-- The same person coming back (a newer join with the same token subject) takes their own place,
-- past the lock: they were let in already.
local gone = evict(ARGV[9])
if #gone == 0 and (ARGV[12] == 'wait' or (ARGV[12] == 'ask' and locked)) then
  local waiter = cjson.decode(ARGV[14])
  local all = redis.call('HGETALL', W)
  local fromThere = 0
  for i = 1, #all, 2 do
    local v = decode(all[i + 1])
    if v and v.address == waiter.address then fromThere = fromThere + 1 end
  end
  if #all / 2 >= tonumber(ARGV[15]) or fromThere >= tonumber(ARGV[16]) then return 'waiters-full' end
  waiter.node = ARGV[5]
  waiter.since = at
  redis.call('HSET', W, waiter.id, cjson.encode(waiter))
  redis.call('ZADD', X, at + tonumber(ARGV[17]), waiter.id)
  waitersChanged()
  touch(at)
  return 'waiting'
end
if redis.call('HLEN', M) >= tonumber(ARGV[8]) then return 'full' end
ensureHost()
local before = roster()
local v = cjson.decode(ARGV[4])
if OPEN and ARGV[13] == '1' then
  local hosted = false
  for i = 2, #before[1], 2 do
    local o = decode(before[1][i])
    if o and type(o.info) == 'table' and o.info.role == 'host' then hosted = true end
  end
  if not hosted then v.info.role = 'host' end
end
v.v = 1
v.since = at
redis.call('HSET', M, ARGV[3], cjson.encode(v))
redis.call('HSET', N, ARGV[3], ARGV[5])
redis.call('HSET', S, ARGV[3], ARGV[6])
redis.call('ZADD', T, at + tonumber(ARGV[7]), ARGV[3])
redis.call('ZADD', A, at + tonumber(ARGV[10]), ARGV[3])
touch(at)
event({t = 'joined', node = ARGV[5], info = v.info})
return {before[1], before[2], gone, v.info.role, locked and 1 or 0, waiterList()}`,
  // ARGV: 3 subject
  evict: `
local at = now()
reap(at)
local gone = evict(ARGV[3])
touch(at)
return gone`,
  // ARGV: 3 id, 4 secret hash, 5 node, 6 ttl ms, 7 next secret hash, 8 attach ms
  claim: `
local at = now()
reap(at)
if redis.call('HGET', S, ARGV[3]) ~= ARGV[4] then return false end
local attached = redis.call('ZSCORE', A, ARGV[3])
if attached and tonumber(attached) > at then return 'attached' end
redis.call('HSET', S, ARGV[3], ARGV[7])
redis.call('HSET', N, ARGV[3], ARGV[5])
redis.call('ZADD', T, at + tonumber(ARGV[6]), ARGV[3])
redis.call('ZADD', A, at + tonumber(ARGV[8]), ARGV[3])
touch(at)
event({t = 'resumed', id = ARGV[3], node = ARGV[5]})
local r = roster()
return {r[1], r[2], redis.call('EXISTS', L), waiterList()}`,
  // ARGV: 3 id, 4 node — only the process holding the member may remove it
  remove: `
if redis.call('HGET', N, ARGV[3]) ~= ARGV[4] then return 0 end
forget(ARGV[3])
event({t = 'left', id = ARGV[3]})
ensureHost()
touch(now())
return 1`,
  // ARGV: 3 id, 4 node, 5 change JSON {info, session}, 6 new secret hash ('' to keep it), 7 attach
  // ms (a new secret comes with a resume on this process: a socket holds the member again).
  // The role is the room's: a member's own change never carries one.
  update: `
if redis.call('HGET', N, ARGV[3]) ~= ARGV[4] then return false end
local v = member(ARGV[3])
if not v then return false end
local change = cjson.decode(ARGV[5])
for key, value in pairs(change.info or {}) do
  if key ~= 'role' and key ~= 'id' then
    if value == cjson.null then v.info[key] = nil else v.info[key] = value end
  end
end
for key, value in pairs(change.session or {}) do v[key] = value end
if ARGV[6] ~= '' then
  redis.call('HSET', S, ARGV[3], ARGV[6])
  redis.call('ZADD', A, now() + tonumber(ARGV[7]), ARGV[3])
end
save(v, 'self')
return {v.v, cjson.encode(v.info)}`,
  // ARGV: 3 actor id, 4 action, 5 target id, 6 role or lock on ('1'), 7 removal bar ms, 8 denial
  // bar ms, 9 most bars a room, 10 the target's node channel prefix
  act: `
local actor = member(ARGV[3])
if not actor or actor.info.role ~= 'host' then return 'forbidden' end
local at = now()
local action, target = ARGV[4], ARGV[5]
if action == 'lock' then
  if ARGV[6] == '1' then redis.call('SET', L, '1') else redis.call('DEL', L) end
  touch(at)
  event({t = 'locked', on = ARGV[6] == '1'})
  return 'ok'
end
local waiter = decode(redis.call('HGET', W, target))
if waiter and (action == 'admit' or action == 'deny' or action == 'remove') then
  unwait(target)
  if action == 'admit' then
    event({t = 'admitted', id = target})
  else
    bar(waiter.barKeys or {}, at + tonumber(action == 'remove' and ARGV[7] or ARGV[8]), tonumber(ARGV[9]))
    event({t = 'dismissed', id = target, why = action == 'remove' and 'removed' or 'denied'})
  end
  waitersChanged()
  return 'ok'
end
if action == 'admit' or action == 'deny' or target == ARGV[3] then return 'unknown' end
local v = member(target)
if not v then return 'unknown' end
if action == 'request-mute' then
  local node = redis.call('HGET', N, target)
  if node then redis.call('PUBLISH', ARGV[10] .. node, target .. '\\n' .. cjson.encode({type = 'mute-requested', by = ARGV[3]})) end
elseif action == 'lower-hand' then
  if v.info.handRaised then
    v.info.handRaised = false
    v.info.handRaisedAt = nil
    save(v, 'host')
  end
elseif action == 'set-role' then
  if v.info.role ~= ARGV[6] then
    v.info.role = ARGV[6]
    save(v, 'host')
  end
elseif action == 'remove' then
  local keys = {'id:' .. target, 'addr:' .. tostring(v.address) .. ':' .. tostring(v.nameKey)}
  if type(v.subject) == 'string' then keys[#keys + 1] = 'sub:' .. v.subject end
  bar(keys, at + tonumber(ARGV[7]), tonumber(ARGV[9]))
  forget(target)
  event({t = 'left', id = target, by = ARGV[3]})
  ensureHost()
  touch(at)
end
return 'ok'`,
  // ARGV: 3 waiter id
  unwait: `
if unwait(ARGV[3]) then waitersChanged() end
touch(now())
return 1`,
  // ARGV: 3 id, 4 node — its socket is gone: from now on a resume may take it elsewhere
  detach: `
if redis.call('HGET', N, ARGV[3]) ~= ARGV[4] then return 0 end
redis.call('ZREM', A, ARGV[3])
event({t = 'detached', id = ARGV[3]})
return 1`,
  // ARGV: 3 node, 4 ttl ms, 5 attach ms, 6 waiters (JSON list of ids), then pairs: id, '1' when a
  // socket holds it (else it is detached)
  refresh: `
local at = now()
for i = 7, #ARGV, 2 do
  if redis.call('HGET', N, ARGV[i]) == ARGV[3] then
    redis.call('ZADD', T, 'XX', at + tonumber(ARGV[4]), ARGV[i])
    if ARGV[i + 1] == '1' then redis.call('ZADD', A, at + tonumber(ARGV[5]), ARGV[i]) else redis.call('ZREM', A, ARGV[i]) end
  end
end
for _, id in ipairs(cjson.decode(ARGV[6])) do redis.call('ZADD', X, 'XX', at + tonumber(ARGV[4]), id) end
touch(at)
return 1`,
  sweep: `
reap(now())
return roster()`,
} as const;

type ScriptName = keyof typeof SCRIPTS;
type RunScript = (keys: string[], args: Array<string | number>) => Promise<unknown>;

interface StoredMember extends StoredSession, Partial<BarIdentity> {
  info: PeerInfo;
  v: number;
  /** When it was admitted (ms, Redis clock). */
  since: number;
}

const keysOf = (room: string) => ['m', 'n', 's', 't', 'a', 'l', 'w', 'x', 'b'].map((k) => `un75:{${room}}:${k}`);
const roomChannel = (room: string) => `un75:room:${room}`;
const NODE_PREFIX = 'un75:node:';
const nodeChannel = (node: string) => `${NODE_PREFIX}${node}`;
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
  /** Open rooms: the room makes its own host (the first member, then the longest-present participant). */
  openRooms: boolean;
  /** The room's rules for bars and waiting rooms, the same on every process. */
  rules: RoomRules;
}

/** What bounds a room's bars and waiting room. */
export interface RoomRules {
  /** How long a removal bars the person, and a denial the waiter (ms). */
  removalBarMs: number;
  denialBarMs: number;
  /** Bars a room keeps at most: the ones ending soonest go first. */
  maxBars: number;
  /** People waiting to enter one room, and from one address. */
  maxWaiters: number;
  maxWaitersPerAddress: number;
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
    const open = options.openRooms ? '1' : '0';
    for (const name of Object.keys(SCRIPTS) as ScriptName[]) {
      this.pub.defineCommand(name, { numberOfKeys: 9, lua: PRELUDE + SCRIPTS[name] });
      const command = (this.pub as unknown as Record<string, (...args: Array<string | number>) => Promise<unknown>>)[name]!;
      run[name] = (keys, args) => command.call(this.pub, ...keys, args[0]!, open, ...args.slice(1));
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

  async admit(room: string, entrant: Entrant, maxSize: number): Promise<AdmissionResult> {
    const { info, session, waiter } = entrant;
    const stored = { info, ...session };
    const result = await this.run.admit(keysOf(room), [
      roomChannel(room),
      info.id,
      JSON.stringify(stored),
      this.nodeId,
      entrant.secretHash,
      this.options.presenceMs,
      maxSize,
      session.subject ?? '',
      this.options.attachMs,
      JSON.stringify(entrant.barKeys),
      entrant.mode,
      entrant.mayHost ? '1' : '0',
      JSON.stringify({ ...waiter, address: session.address, barKeys: entrant.barKeys }),
      this.options.rules.maxWaiters,
      this.options.rules.maxWaitersPerAddress,
      this.options.presenceMs,
    ]);
    if (result === 'full' || result === 'barred' || result === 'waiters-full' || result === 'waiting') return result;
    const [flatMembers, flatNodes, gone, role, locked, waiting] = result as [string[], string[], unknown, string, number, string];
    if (!(ROLES as readonly string[]).includes(role)) throw new Error('an invalid role from Redis');
    return {
      self: { ...info, role: role as Role },
      others: members([flatMembers, flatNodes]),
      replaced: ids(gone),
      locked: locked === 1,
      waiting: parseWaiters(JSON.parse(waiting)),
    };
  }

  async evict(room: string, subject: string): Promise<string[]> {
    return ids(await this.run.evict(keysOf(room), [roomChannel(room), subject]));
  }

  async session(room: string, id: string): Promise<StoredSession | null> {
    const json = await this.pub.hget(keysOf(room)[0]!, id);
    const stored = json === null ? null : parseStored(json);
    if (!stored || stored.info.id !== id) return null;
    return { fixedName: stored.fixedName, subject: stored.subject, expiresAt: stored.expiresAt };
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
    const [flatMembers, flatNodes, locked, waiting] = result as [string[], string[], number, string];
    const all = members([flatMembers, flatNodes]);
    const self = all.find((m) => m.info.id === id);
    if (!self) return null;
    return {
      self: self.info,
      v: self.v,
      fixedName: self.fixedName,
      subject: self.subject,
      expiresAt: self.expiresAt,
      others: all.filter((m) => m !== self),
      locked: locked === 1,
      waiting: parseWaiters(JSON.parse(waiting)),
    };
  }

  async update(room: string, id: string, change: SelfChange): Promise<{ info: PeerInfo; v: number } | null> {
    const result = await this.run.update(keysOf(room), [
      roomChannel(room),
      id,
      this.nodeId,
      JSON.stringify({ info: change.info, session: change.session ?? {} }),
      change.secretHash ?? '',
      this.options.attachMs,
    ]);
    if (!Array.isArray(result)) return null;
    const [v, json] = result as [number, string];
    return { v, info: parsePeerInfo(JSON.parse(json)) };
  }

  async act(room: string, actor: string, action: RoomAction): Promise<'ok' | 'forbidden' | 'unknown'> {
    const { removalBarMs, denialBarMs, maxBars } = this.options.rules;
    const target = 'target' in action ? action.target : '';
    const arg = action.action === 'set-role' ? action.role : action.action === 'lock' ? (action.on ? '1' : '0') : '';
    const result = await this.run.act(keysOf(room), [roomChannel(room), actor, action.action, target, arg, removalBarMs, denialBarMs, maxBars, NODE_PREFIX]);
    if (result === 'ok' || result === 'forbidden' || result === 'unknown') return result;
    throw new Error('an unexpected answer from Redis');
  }

  async role(room: string, id: string): Promise<Role | null> {
    const json = await this.pub.hget(keysOf(room)[0]!, id);
    return (json && parseStored(json)?.info.role) || null;
  }

  async announce(room: string, event: Extract<RoomEvent, { t: 'agenda' | 'poll' | 'ballot' | 'idea' | 'report' }>): Promise<void> {
    await this.pub.publish(roomChannel(room), JSON.stringify(event));
  }

  async remove(room: string, id: string): Promise<void> {
    await this.run.remove(keysOf(room), [roomChannel(room), id, this.nodeId]);
  }

  async unwait(room: string, id: string): Promise<void> {
    await this.run.unwait(keysOf(room), [roomChannel(room), id]);
  }

  async detach(room: string, id: string): Promise<void> {
    await this.run.detach(keysOf(room), [roomChannel(room), id, this.nodeId]);
  }

  relay(node: string, to: string, frame: string): void {
    this.pub.publish(nodeChannel(node), `${to}\n${frame}`).catch((err: Error) => this.logError(err));
  }

  async refresh(room: string, held: HeldMember[], waiters: string[], ttlMs: number): Promise<void> {
    await this.run.refresh(keysOf(room), [
      roomChannel(room),
      this.nodeId,
      ttlMs,
      this.options.attachMs,
      JSON.stringify(waiters),
      ...held.flatMap((h) => [h.id, h.attached ? '1' : '0']),
    ]);
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
  const out: Array<ClusterMember & StoredSession & { since: number }> = [];
  for (let i = 0; i < flatMembers.length; i += 2) {
    const stored = parseStored(flatMembers[i + 1]!);
    if (stored && stored.info.id === flatMembers[i]) {
      const { info, v, fixedName, subject, expiresAt, since } = stored;
      out.push({ info, v, fixedName, subject, expiresAt, since, node: nodes.get(flatMembers[i]!) ?? '' });
    }
  }
  // In arrival order, as on one process: a welcome lists the room's eldest first (browsers take
  // the chat history from the eldest only). Redis keeps a hash of such records in no order.
  return out.sort((a, b) => a.since - b.since);
}

/** Member ids a script returns (those it removed), each checked like an id in an event. */
function ids(result: unknown): string[] {
  return Array.isArray(result) ? result.filter(isId) : [];
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isId = (v: unknown): v is string => typeof v === 'string' && v.length > 0 && v.length <= MAX_ID_LENGTH;
const isVersion = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v > 0;
const CHANGED_BY: readonly ChangedBy[] = ['self', 'host', 'room'];

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
      v: isVersion(v.v) ? v.v : 1,
      since: typeof v.since === 'number' ? v.since : 0,
    };
  } catch {
    return null;
  }
}

function parseWaiter(v: unknown): ClusterWaiter {
  if (isRecord(v) && isId(v.id) && isId(v.node) && typeof v.name === 'string' && v.name.length <= MAX_NAME_LENGTH) {
    return { id: v.id, name: v.name, node: v.node };
  }
  throw new Error('an invalid waiter in Redis');
}

function parseWaiters(v: unknown): ClusterWaiter[] {
  if (!Array.isArray(v) || v.length > 1000) throw new Error('an invalid waiting list in Redis');
  return v.map(parseWaiter);
}

/** A room event as published in Redis, checked field by field: whatever else is in Redis is not trusted. */
export function parseRoomEvent(message: string): RoomEvent {
  const v: unknown = JSON.parse(message);
  if (isRecord(v)) {
    if (v.t === 'joined' && isId(v.node)) return { t: 'joined', node: v.node, info: parsePeerInfo(v.info) };
    if (v.t === 'updated' && isVersion(v.v) && CHANGED_BY.includes(v.by as ChangedBy)) {
      return { t: 'updated', info: parsePeerInfo(v.info), v: v.v, by: v.by as ChangedBy };
    }
    if (v.t === 'left' && isId(v.id)) return isId(v.by) ? { t: 'left', id: v.id, by: v.by } : { t: 'left', id: v.id };
    if (v.t === 'resumed' && isId(v.id) && isId(v.node)) return { t: 'resumed', id: v.id, node: v.node };
    if (v.t === 'detached' && isId(v.id)) return { t: 'detached', id: v.id };
    if (v.t === 'locked' && typeof v.on === 'boolean') return { t: 'locked', on: v.on };
    if (v.t === 'waiters') return { t: 'waiters', list: parseWaiters(v.list) };
    if (v.t === 'admitted' && isId(v.id)) return { t: 'admitted', id: v.id };
    if (v.t === 'agenda' && isRecord(v.agenda) && isVersion(v.agenda.version)) {
      return { t: 'agenda', agenda: { ...parseAgendaState(v.agenda), version: v.agenda.version } };
    }
    if ((v.t === 'poll' || v.t === 'ballot' || v.t === 'idea') && typeof v.id === 'string' && POLL_ID.test(v.id)) return { t: v.t, id: v.id };
    if (v.t === 'report' && typeof v.id === 'string' && /^[0-9a-f-]{36}$/.test(v.id)) return { t: 'report', id: v.id };
    if (v.t === 'dismissed' && isId(v.id) && (v.why === 'denied' || v.why === 'removed')) return { t: 'dismissed', id: v.id, why: v.why };
  }
  throw new Error('an invalid room event in Redis');
}
