// Property tests: random sequences of joins, leaves, signals, updates, closes and garbage from
// several clients. After every step the server's answers must match a model of the rooms; at the
// end, with everyone gone, no state may remain.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { Redis } from 'ioredis';
import { heldState, settle, startRedis, startTestServer, TestClient, waitFor } from './helpers.js';

const CLIENTS = 5;
const ROOMS = ['r0', 'r1', 'r2'];
const MAX_ROOM = 3;

type Command =
  | { kind: 'join'; c: number; room: string; name: (c: number) => string }
  | { kind: 'leave'; c: number }
  | { kind: 'signal'; c: number; to: number }
  | { kind: 'update'; c: number; hand: boolean }
  | { kind: 'close'; c: number }
  | { kind: 'garbage'; c: number; frame: string | Buffer }
  | { kind: 'host'; c: number; to: number; action: 'request-mute' | 'lower-hand' | 'set-role' | 'admit' | 'deny' };

const client = fc.nat(CLIENTS - 1);
/** Newlines, other controls, bidi overrides and isolates, zero-width characters. */
const INVISIBLE = ['\n', '\r', '\t', '\u0000', '\u001b', '\u202e', '\u202a', '\u2066', '\u2069', '\u200b', '\u200f', '\u2028', '\ufeff'];
const UNSAFE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u;
/** A visible name wrapped and cut by invisible characters: what arrives is always clean. */
const hostileName = fc
  .tuple(fc.array(fc.constantFrom(...INVISIBLE), { maxLength: 4 }), fc.array(fc.constantFrom(...INVISIBLE), { maxLength: 4 }))
  .map(([before, after]) => (c: number) => `${before.join('')}c${after.join('')}${c}`);
const garbage = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.constantFrom('{', '[]', 'null', '{"type":1}', '{"type":"signal"}', '{"type":"join","room":"../x","name":"a"}', '{"type":"teleport"}'),
  fc.json({ maxDepth: 3 }),
  fc.constant('x'.repeat(70 * 1024)),
  fc.uint8Array({ minLength: 1, maxLength: 16 }).map((b) => Buffer.from(b)),
  // Data nested far deeper than any signal needs, to someone or no one.
  fc.integer({ min: 9, max: 20_000 }).map((depth) => `{"type":"signal","to":"x","sid":"s","data":${'['.repeat(depth)}${']'.repeat(depth)}}`),
  // Names with nothing visible in them.
  fc.array(fc.constantFrom(...INVISIBLE), { minLength: 1, maxLength: 10 }).map((chars) => JSON.stringify({ type: 'join', room: 'r0', name: chars.join('') })),
);
const command: fc.Arbitrary<Command> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('join' as const), c: client, room: fc.constantFrom(...ROOMS), name: hostileName }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('leave' as const), c: client }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('signal' as const), c: client, to: client }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('update' as const), c: client, hand: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('close' as const), c: client }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('garbage' as const), c: client, frame: garbage }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('host' as const),
      c: client,
      to: client,
      action: fc.constantFrom('request-mute' as const, 'lower-hand' as const, 'set-role' as const, 'admit' as const, 'deny' as const),
    }),
  },
);

for (const processes of [1, 2]) {
  test(`random traffic never crashes, never crosses rooms, and leaves nothing behind (${processes === 1 ? 'one process' : 'two processes over Redis'})`, async () => {
    // Two servers over one real Redis: clients alternate between them, so every rule is checked
    // for a room whose members, host and newcomers reached different processes.
    const redis = processes === 2 ? await startRedis() : null;
    const servers = await Promise.all(
      Array.from({ length: processes }, () => startTestServer({ maxRoomSize: MAX_ROOM, resumeGraceMs: 0, ...(redis ? { redis: redis.url, heartbeatMs: 300 } : {}) })),
    );
    const spy = redis ? new Redis(redis.url) : null;
    const serverOf = (c: number) => servers[c % servers.length]!;
    try {
      await fc.assert(
        fc.asyncProperty(fc.array(command, { minLength: 1, maxLength: 60, size: 'max' }), async (commands) => {
          const sockets: TestClient[] = await Promise.all(Array.from({ length: CLIENTS }, (_, c) => TestClient.connect(serverOf(c).wsUrl)));
          // The model: which room each client is in, with which id and role.
          const room: Array<string | null> = Array(CLIENTS).fill(null);
          const id: Array<string | null> = Array(CLIENTS).fill(null);
          const lastId: Array<string> = Array(CLIENTS).fill('nobody');
          const role: Array<'host' | 'participant' | 'interpreter'> = Array(CLIENTS).fill('participant');
          /** Each client's own role as the server has told it (welcome, then updates about itself). */
          const told: Array<string | null> = Array(CLIENTS).fill(null);
          const members = (r: string) => [...room.keys()].filter((i) => room[i] === r);
          // Open rooms: the first member is host; when the host goes, the participant present longest.
          const order = new Map<string, number[]>();
          const hostOf = (r: string) => order.get(r)?.find((c) => role[c] === 'host');
          const enter = (c: number, r: string) => order.set(r, [...(order.get(r) ?? []), c]);
          const exit = (c: number) => {
            const r = room[c];
            room[c] = id[c] = null;
            told[c] = null;
            const wasHost = role[c] === 'host';
            role[c] = 'participant';
            for (const [rr, list] of order) order.set(rr, list.filter((x) => x !== c));
            if (r && wasHost) {
              const next = order.get(r)?.find((x) => role[x] === 'participant');
              if (next !== undefined) role[next] = 'host';
            }
          };
          const read = (c: number) => {
            for (const m of sockets[c]!.take('peer-updated')) if (m.peer.id === id[c]) told[c] = m.peer.role;
          };
          /** Who each client has been told is in its room (welcome, then joins and leaves). */
          const known: Array<Set<string>> = Array.from({ length: CLIENTS }, () => new Set());
          const knowsItsRoom = (c: number) => {
            for (const m of sockets[c]!.take('peer-joined')) known[c]!.add(m.peer.id);
            for (const m of sockets[c]!.take('peer-left')) known[c]!.delete(m.id);
            const r = room[c];
            if (r === null) return true;
            const others = members(r).filter((i) => i !== c).map((i) => id[i]!);
            return others.length === known[c]!.size && others.every((x) => known[c]!.has(x));
          };
          try {
            for (const cmd of commands) {
              const me = sockets[cmd.c]!;
              switch (cmd.kind) {
                case 'join': {
                  me.send({ type: 'join', room: cmd.room, name: cmd.name(cmd.c) });
                  if (room[cmd.c]) {
                    assert.equal((await me.next('error')).code, 'already-joined');
                  } else if (members(cmd.room).length >= MAX_ROOM) {
                    assert.equal((await me.next('error')).code, 'room-full');
                  } else {
                    const welcome = await me.next('welcome');
                    assert.deepEqual(
                      welcome.peers.map((p) => p.id).sort(),
                      members(cmd.room).map((i) => id[i]).sort(),
                      'the welcome lists exactly the room',
                    );
                    for (const peer of [welcome.self, ...welcome.peers]) assert.doesNotMatch(peer.name, UNSAFE, 'names arrive clean');
                    assert.match(welcome.self.name, new RegExp(`^c ?${cmd.c}$`), 'what is visible stays');
                    const first = hostOf(cmd.room) === undefined;
                    assert.equal(welcome.self.role, first ? 'host' : 'participant', 'a room without a host makes its newcomer host');
                    room[cmd.c] = cmd.room;
                    known[cmd.c] = new Set(welcome.peers.map((p) => p.id));
                    role[cmd.c] = first ? 'host' : 'participant';
                    told[cmd.c] = welcome.self.role;
                    enter(cmd.c, cmd.room);
                    id[cmd.c] = lastId[cmd.c] = welcome.id;
                  }
                  break;
                }
                case 'leave':
                  me.send({ type: 'leave' });
                  if (!room[cmd.c]) assert.equal((await me.next('error')).code, 'not-joined');
                  exit(cmd.c);
                  break;
                case 'signal': {
                  const to = lastId[cmd.to]!;
                  const payload = { n: Math.random() };
                  me.send({ type: 'signal', to, sid: 'p', data: payload });
                  const sameRoom = room[cmd.c] !== null && cmd.to !== cmd.c && room[cmd.to] === room[cmd.c];
                  if (!room[cmd.c]) assert.equal((await me.next('error')).code, 'not-joined');
                  else if (!sameRoom) assert.equal((await me.next('error')).code, 'unknown-peer');
                  else assert.deepEqual(await sockets[cmd.to]!.next('signal'), { type: 'signal', from: id[cmd.c], sid: 'p', data: payload });
                  break;
                }
                case 'update':
                  me.send({ type: 'update', handRaised: cmd.hand });
                  if (!room[cmd.c]) assert.equal((await me.next('error')).code, 'not-joined');
                  break;
                case 'close':
                  me.ws.close(1000);
                  await me.closed();
                  exit(cmd.c);
                  sockets[cmd.c] = await TestClient.connect(serverOf(cmd.c).wsUrl);
                  break;
                case 'host': {
                  const r = room[cmd.c];
                  const target = lastId[cmd.to]!;
                  // Never demote the host itself: the model's host stays until it leaves.
                  const action = cmd.action === 'set-role' && hostOf(r ?? '') === cmd.to ? 'request-mute' : cmd.action;
                  // A member made host through another process knows it once the room has told it.
                  if (r && hostOf(r) === cmd.c) {
                    await waitFor(() => (read(cmd.c), told[cmd.c] === 'host'), 5000, `client ${cmd.c} to be told it is host`);
                  }
                  me.send(action === 'set-role' ? { type: action, id: target, role: 'interpreter' } : { type: action, id: target });
                  const inRoom = r !== null && cmd.to !== cmd.c && room[cmd.to] === r;
                  if (!r) assert.equal((await me.next('error')).code, 'not-joined');
                  else if (hostOf(r) !== cmd.c) assert.equal((await me.next('error')).code, 'forbidden', 'only the host acts');
                  else if (!inRoom || action === 'admit' || action === 'deny') assert.equal((await me.next('error')).code, 'unknown-peer');
                  else if (action === 'request-mute') assert.deepEqual(await sockets[cmd.to]!.next('mute-requested'), { type: 'mute-requested', by: id[cmd.c] });
                  else if (action === 'set-role') {
                    role[cmd.to] = 'interpreter';
                    await waitFor(() => (read(cmd.to), told[cmd.to] === 'interpreter'), 5000, 'the target to be told its role');
                  }
                  break;
                }
                case 'garbage':
                  me.ws.send(cmd.frame);
                  // Anything may be answered with an error, but the socket must stay open and in its room.
                  await settle(me);
                  assert.equal(me.closeCode, null, 'one bad frame does not cost the connection');
                  break;
              }
              await settle(...sockets);
              // Across processes, news of a join or a leave reaches the others through Redis a moment
              // later: the next step waits until every member has been told the room as the model has it.
              await waitFor(() => sockets.every((_, c) => knowsItsRoom(c)), 5000, 'every member to be told its room');
              // Nothing arrives that the model did not expect: no signal for anyone, no welcome.
              for (const [c, s] of sockets.entries()) {
                assert.deepEqual(s.take('signal'), [], 'no stray signal');
                assert.deepEqual(s.take('welcome'), [], 'no stray welcome');
                assert.deepEqual(s.take('mute-requested'), [], 'no stray mute request');
                assert.equal(s.closeCode, null, 'nobody is removed or denied');
                s.take('error');
                read(c);
              }
              for (const [i, server] of servers.entries()) {
                const mine = [...room.keys()].filter((c) => c % servers.length === i && room[c] !== null);
                const stats = server.stats();
                assert.equal(stats.localMembers, mine.length);
                assert.equal(stats.rooms, new Set(mine.map((c) => room[c])).size);
              }
            }
          } finally {
            for (const s of sockets) s.ws.close(1000);
            await waitFor(() => servers.every((s) => s.stats().connections === 0), 5000, 'every socket to close');
          }
          for (const server of servers) {
            assert.deepEqual(heldState(server.stats()), { connections: 0, rooms: 0, localMembers: 0, waitingForResume: 0, knownMembers: 0, barredRooms: 0 });
          }
          // And Redis holds nothing of the rooms once everyone has gone.
          if (spy) assert.deepEqual(await spy.keys('un75:*'), [], 'no room state is left in Redis');
        }),
        { numRuns: processes === 1 ? 25 : 15 },
      );
    } finally {
      spy?.disconnect();
      await Promise.all(servers.map((s) => s.close()));
      await redis?.stop();
    }
  });
}
