// Host authority (design §5.5): host actions, the waiting room of a locked room, roles in open rooms,
// host succession and the server's hand-raise stamp. Real server on loopback, raw WebSockets.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { SignJWT } from 'jose';
import { Redis } from 'ioredis';
import { deploy, DEPLOYMENTS, settle, startRedis, startTestServer, TestClient, waitFor, type Deployment, type Msg } from './helpers.js';

// Every scenario runs on one process and on two real processes over a real Redis, with clients
// spread over them in turn: a room behaves the same whichever process each member reached.
for (const kind of DEPLOYMENTS) {

describe(`--trust-asked-roles (demos and kiosks), ${kind}`, () => {
  test('an open room grants interpreter to a page that asks, but never host; its first participant is its host', async () => {
    const d = await deploy(kind, { trustAskedRoles: true });
    try {
      const [first, interpreter, claimant, other] = await Promise.all([0, 1, 2, 3].map(() => d.connect()));
      assert.equal((await first!.join('trusted', 'First', { role: 'interpreter' })).self.role, 'interpreter', 'asked, granted');
      assert.equal((await interpreter!.join('trusted', 'Ines', { role: 'interpreter' })).self.role, 'interpreter');
      // Interpreters keep their booths: the room's host is its first participant, however it asked.
      assert.equal((await claimant!.join('trusted', 'Claire', { role: 'host' })).self.role, 'host', 'a room of interpreters gets a host');
      assert.equal((await other!.join('trusted', 'Omar', { role: 'host' })).self.role, 'participant', 'host is never granted as asked');
    } finally {
      await d.close();
    }
  });
});

describe(`host authority in open rooms, ${kind}`, () => {
  let d: Deployment;
  const connect = (localAddress?: string) => d.connect(localAddress);
  /** A host, then `n` participants in `room`; everyone has read everyone's arrival. */
  async function room(name: string, n: number): Promise<{ host: TestClient; hostId: string; others: Array<{ c: TestClient; w: Msg<'welcome'> }> }> {
    const host = await connect();
    const wh = await host.join(name, 'Host');
    assert.equal(wh.self.role, 'host', 'the first member of an open room is its host');
    const others = [];
    for (let i = 0; i < n; i++) {
      const c = await connect();
      others.push({ c, w: await c.join(name, `P${i}`, { role: i === 0 ? 'interpreter' : 'host' }) });
    }
    await settle(host, ...others.map((o) => o.c));
    for (const c of [host, ...others.map((o) => o.c)]) c.take('peer-joined');
    return { host, hostId: wh.id, others };
  }

  before(async () => {
    d = await deploy(kind, { waitingRoomMs: 60_000 });
  });
  after(() => d.close());

  test('a join asking for a role gets participant; the host grants interpreter with set-role and everyone, the target too, is told', async () => {
    const { host, others } = await room('roles', 2);
    const [a, b] = others;
    assert.deepEqual([a!.w.self.role, b!.w.self.role], ['participant', 'participant'], 'asking for interpreter or host grants nothing');
    host.send({ type: 'set-role', id: a!.w.id, role: 'interpreter' });
    for (const c of [host, a!.c, b!.c]) {
      const updated = await c.next('peer-updated');
      assert.deepEqual([updated.peer.id, updated.peer.role], [a!.w.id, 'interpreter']);
    }
  });

  test('a participant trying any host action gets forbidden and nothing changes', async () => {
    const { host, hostId, others } = await room('forbidden', 2);
    const [a, b] = others;
    b!.c.send({ type: 'update', handRaised: true });
    await host.next('peer-updated');
    await a!.c.next('peer-updated');
    const tries = [
      { type: 'remove', id: b!.w.id },
      { type: 'remove', id: hostId },
      { type: 'request-mute', id: b!.w.id },
      { type: 'lock', on: true },
      { type: 'admit', id: b!.w.id },
      { type: 'deny', id: b!.w.id },
      { type: 'lower-hand', id: b!.w.id },
      { type: 'set-role', id: a!.w.id, role: 'host' },
      { type: 'set-role', id: hostId, role: 'participant' },
    ];
    for (const frame of tries) {
      a!.c.send(frame);
      const error = await a!.c.next('error');
      assert.equal(error.code, 'forbidden', `${frame.type} is refused`);
    }
    await settle(host, a!.c, b!.c);
    for (const c of [host, a!.c, b!.c]) {
      assert.deepEqual(
        c.received.filter((m) => m.type !== 'error'),
        [],
        'nobody was removed, muted, locked out, lowered or promoted',
      );
    }
    assert.equal(a!.c.closeCode, null);
    // And the room still is as it was: a newcomer sees the host, the raised hand and nobody waiting.
    const d = await connect();
    const wd = await d.join('forbidden', 'D');
    const roles = Object.fromEntries(wd.peers.map((p) => [p.name, [p.role, p.handRaised]]));
    assert.deepEqual(roles, { Host: ['host', false], P0: ['participant', false], P1: ['participant', true] });
  });

  test('unknown or out-of-room targets are refused', async () => {
    const { host } = await room('targets', 1);
    const outsider = await connect();
    const wo = await outsider.join('elsewhere', 'O');
    for (const frame of [
      { type: 'remove', id: wo.id },
      { type: 'request-mute', id: 'nobody' },
      { type: 'lower-hand', id: wo.id },
      { type: 'set-role', id: wo.id, role: 'interpreter' },
      { type: 'admit', id: 'nobody' },
      { type: 'deny', id: wo.id },
    ]) {
      host.send(frame);
      assert.equal((await host.next('error')).code, 'unknown-peer', frame.type);
    }
    await settle(outsider);
    assert.equal(outsider.closeCode, null);
    assert.deepEqual(outsider.received, []);
  });

  test('request-mute reaches only the target, as a request; lower-hand clears the hand and its server stamp for all', async () => {
    const { host, hostId, others } = await room('mute-hand', 2);
    const [a, b] = others;
    host.send({ type: 'request-mute', id: a!.w.id });
    assert.deepEqual(await a!.c.next('mute-requested'), { type: 'mute-requested', by: hostId });
    a!.c.send({ type: 'update', handRaised: true, handRaisedAt: 1 });
    const raised = await b!.c.next('peer-updated');
    const stamp = raised.peer.handRaisedAt!;
    assert.ok(Math.abs(stamp - Date.now()) < 60_000, `the server's clock, not the client's claim (${stamp})`);
    await host.next('peer-updated');
    host.send({ type: 'lower-hand', id: a!.w.id });
    for (const c of [host, a!.c, b!.c]) {
      const lowered = await c.next('peer-updated');
      assert.equal(lowered.peer.handRaised, false);
      assert.equal(lowered.peer.handRaisedAt, undefined, 'the stamp goes with the hand');
    }
    await settle(b!.c);
    assert.equal(b!.c.take('mute-requested').length, 0, 'nobody else is asked');
  });

  test('remove: the member is told and closed, cannot resume and cannot come back with the same name from the same address', async () => {
    const { host, hostId, others } = await room('remove', 2);
    const [a, b] = others;
    host.send({ type: 'remove', id: a!.w.id });
    assert.deepEqual(await a!.c.next('removed'), { type: 'removed', by: hostId });
    assert.equal(await a!.c.closed(), 4003);
    assert.equal((await b!.c.next('peer-left')).id, a!.w.id);
    const resume = await connect();
    resume.send({ type: 'join', room: 'remove', name: 'Other', resume: a!.w.resume });
    assert.equal((await resume.next('error')).code, 'forbidden', 'its resume secret is barred');
    const again = await connect();
    again.send({ type: 'join', room: 'remove', name: 'p0' });
    assert.equal((await again.next('error')).code, 'forbidden', 'same address, same name (any case): barred');
    const elsewhere = await connect();
    assert.ok((await elsewhere.join('another-room', 'P0')).id, 'other rooms are not affected');
  });

  test('when the host leaves, the longest-present member becomes host and can act', async () => {
    const { host, others } = await room('succession', 3);
    const [a, b, c] = others;
    host.send({ type: 'leave' });
    for (const o of [a!, b!, c!]) {
      await o.c.next('peer-left');
      const promoted = await o.c.next('peer-updated');
      assert.deepEqual([promoted.peer.id, promoted.peer.role], [a!.w.id, 'host']);
    }
    a!.c.send({ type: 'set-role', id: b!.w.id, role: 'interpreter' });
    assert.equal((await c!.c.next('peer-updated')).peer.role, 'interpreter');
  });

  test('lock: newcomers wait and learn nothing of the room; hosts see the list; admit lets in, deny turns away', async () => {
    const { host, others } = await room('locked', 1);
    const [a] = others;
    host.send({ type: 'lock', on: true });
    assert.deepEqual(await host.next('room'), { type: 'room', locked: true });
    assert.deepEqual(await a!.c.next('room'), { type: 'room', locked: true });

    const w1 = await connect();
    w1.send({ type: 'join', room: 'locked', name: 'Wanda' });
    assert.deepEqual(await w1.next('waiting'), { type: 'waiting', room: 'locked' });
    const list1 = await host.next('waiting-list');
    assert.deepEqual(list1.waiting.map((w) => w.name), ['Wanda']);
    w1.send({ type: 'signal', to: a!.w.id, sid: 's', data: 1 });
    assert.equal((await w1.next('error')).code, 'not-joined', 'a waiting socket may send nothing but leave');
    await settle(a!.c, w1);
    assert.equal(a!.c.take('signal').length + a!.c.take('peer-joined').length + a!.c.take('waiting-list').length, 0, 'participants see nobody waiting');
    assert.equal(w1.received.length, 0, 'the waiting newcomer learns nothing of the room');

    const w2 = await connect();
    w2.send({ type: 'join', room: 'locked', name: 'Walt' });
    await w2.next('waiting');
    const list2 = await host.next('waiting-list');
    assert.deepEqual(list2.waiting.map((w) => w.name), ['Wanda', 'Walt']);

    host.send({ type: 'admit', id: list2.waiting[0]!.id });
    const welcome = await w1.next('welcome');
    assert.equal(welcome.locked, true, 'the welcome says the room is locked');
    assert.equal(welcome.peers.length, 2);
    assert.equal((await a!.c.next('peer-joined')).peer.name, 'Wanda');
    assert.deepEqual((await host.next('waiting-list')).waiting.map((w) => w.name), ['Walt']);

    host.send({ type: 'deny', id: list2.waiting[1]!.id });
    await w2.next('denied');
    assert.equal(await w2.closed(), 4004);
    assert.deepEqual((await host.next('waiting-list')).waiting, []);

    host.send({ type: 'lock', on: false });
    await a!.c.next('room');
    const late = await connect();
    assert.equal((await late.join('locked', 'Late')).locked, undefined, 'an unlocked room lets newcomers straight in');
  });

  test('a waiting newcomer who leaves or closes drops off the list; a room full of waiters still lets the room fill', async () => {
    const small = await deploy(kind, { maxRoomSize: 2 });
    try {
      const host = await small.connect();
      await host.join('small', 'H');
      host.send({ type: 'lock', on: true });
      await host.next('room');
      const w = await small.connect();
      w.send({ type: 'join', room: 'small', name: 'W' });
      await w.next('waiting');
      assert.equal((await host.next('waiting-list')).waiting.length, 1);
      // Waiting people do not take the room's places: squatters cannot turn a real newcomer away.
      const x = await small.connect('127.0.0.2');
      x.send({ type: 'join', room: 'small', name: 'X' });
      await x.next('waiting');
      assert.equal((await host.next('waiting-list')).waiting.length, 2);
      w.send({ type: 'leave' });
      assert.deepEqual((await host.next('waiting-list')).waiting.map((p) => p.name), ['X']);
      w.send({ type: 'join', room: 'small', name: 'W' });
      await w.next('waiting');
      assert.equal((await host.next('waiting-list')).waiting.length, 2);
      w.close();
      const left = (await host.next('waiting-list')).waiting;
      assert.deepEqual(left.map((p) => p.name), ['X']);
      host.send({ type: 'admit', id: left[0]!.id });
      assert.equal((await x.next('welcome')).peers.length, 1, 'the room of two is full now');
    } finally {
      await small.close();
    }
  });

  test('squatting the waiting room: capped per address and per room; deny bars for a while; hosts remove waiters', async () => {
    const { host } = await room('squat', 0);
    host.send({ type: 'lock', on: true });
    await host.next('room');
    const squatters = [];
    for (let i = 0; i < 3; i++) {
      const s = await connect('127.0.0.3');
      s.send({ type: 'join', room: 'squat', name: `S${i}` });
      await s.next('waiting');
      squatters.push(s);
    }
    const fourth = await connect('127.0.0.3');
    fourth.send({ type: 'join', room: 'squat', name: 'S3' });
    const refused = await fourth.next('error');
    assert.deepEqual([refused.code, /waiting/.test(refused.message)], ['room-full', true], 'three places to wait per address');
    const real = await connect('127.0.0.4');
    real.send({ type: 'join', room: 'squat', name: 'Real' });
    await real.next('waiting');
    let list = await waitingNow(host, 4);
    assert.deepEqual(list.map((p) => p.name), ['S0', 'S1', 'S2', 'Real']);

    host.send({ type: 'deny', id: list[0]!.id });
    await squatters[0]!.next('denied');
    assert.equal(await squatters[0]!.closed(), 4004);
    const back = await connect('127.0.0.3');
    back.send({ type: 'join', room: 'squat', name: 's0' });
    assert.equal((await back.next('error')).code, 'forbidden', 'a denied waiter is barred for a while (same address, same name)');

    host.send({ type: 'remove', id: list[1]!.id });
    await squatters[1]!.next('denied');
    assert.equal(await squatters[1]!.closed(), 4004, 'a host removes a waiter too');
    list = await waitingNow(host, 2);
    assert.deepEqual(list.map((p) => p.name), ['S2', 'Real']);
    host.send({ type: 'admit', id: list[1]!.id });
    assert.equal((await real.next('welcome')).peers[0]!.name, 'Host', 'the real newcomer gets in');
  });

  test('a waiter never shows a member\'s name; a locked room nobody is left in forgets its lock and lets its waiters in', async () => {
    const { host, others } = await room('empty-lock', 1);
    host.send({ type: 'lock', on: true });
    await host.next('room');
    const w = await connect();
    w.send({ type: 'join', room: 'empty-lock', name: 'p0' });
    await w.next('waiting');
    assert.deepEqual((await waitingNow(host, 1)).map((p) => p.name), ['p0 (2)'], 'not mistaken for the member P0');
    others[0]!.c.send({ type: 'leave' });
    host.send({ type: 'leave' });
    const welcome = await w.next('welcome', 10_000);
    assert.deepEqual([welcome.self.role, welcome.peers.length, welcome.locked], ['host', 0, undefined], 'let in, host of an open room again');
    const late = await connect();
    assert.equal((await late.join('empty-lock', 'Late')).locked, undefined, 'the lock went with the last member');
  });

  test('a wait that lasts too long ends in denied', async () => {
    const quick = await deploy(kind, { waitingRoomMs: 1000 });
    try {
      const host = await quick.connect();
      const w = await quick.connect();
      await host.join('q', 'H');
      host.send({ type: 'lock', on: true });
      await host.next('room');
      w.send({ type: 'join', room: 'q', name: 'W' });
      await w.next('waiting');
      await w.next('denied', 10_000);
      assert.equal(await w.closed(), 4004);
      assert.deepEqual((await waitingNow(host, 0)).length, 0, 'and off the list');
    } finally {
      await quick.close();
    }
  });
});

describe(`host authority with join tokens, ${kind}`, () => {
  const secret = 'a-test-secret-that-is-long-enough-for-hs256!';
  const key = new TextEncoder().encode(secret);
  const token = (claims: Record<string, unknown>) => new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setExpirationTime('1h').sign(key);
  let d: Deployment;
  const connect = () => d.connect();
  before(async () => {
    d = await deploy(kind, { jwtSecret: secret });
  });
  after(() => d.close());

  test('roles come from the token only; a removed subject cannot come back with a new token', async () => {
    const host = await connect();
    const wh = await host.join('jwt', 'H', { token: await token({ room: 'jwt', role: 'host', sub: 'chair' }) });
    assert.equal(wh.self.role, 'host');
    const p = await connect();
    const wp = await p.join('jwt', 'P', { token: await token({ room: 'jwt', sub: 'pat' }) });
    assert.equal(wp.self.role, 'participant', 'a second member is not made host in a token room');
    const i = await connect();
    assert.equal((await i.join('jwt', 'I', { token: await token({ room: 'jwt', role: 'interpreter', sub: 'ines' }) })).self.role, 'interpreter');
    host.send({ type: 'remove', id: wp.id });
    await p.next('removed');
    const back = await connect();
    back.send({ type: 'join', room: 'jwt', name: 'Pat again', token: await token({ room: 'jwt', sub: 'pat' }) });
    assert.equal((await back.next('error')).code, 'forbidden');
    await settle(host);
    host.take('peer-left');
    host.take('peer-joined');
    // Leaving does not pass the host on when roles come from tokens.
    host.send({ type: 'leave' });
    await settle(i);
    i.take('peer-joined');
    await i.next('peer-left');
    await settle(i);
    assert.equal(i.take('peer-updated').length, 0);
  });

  test('a token with waiting: true puts newcomers in the waiting room; hosts go straight in and admit', async () => {
    const w = await connect();
    w.send({ type: 'join', room: 'lobby', name: 'W', token: await token({ room: 'lobby', waiting: true, sub: 'w' }) });
    await w.next('waiting');
    const host = await connect();
    await host.join('lobby', 'H', { token: await token({ room: 'lobby', role: 'host', waiting: true, sub: 'h' }) });
    const list = await host.next('waiting-list');
    assert.deepEqual(list.waiting.map((x) => x.name), ['W'], 'a host arriving later sees who is waiting');
    host.send({ type: 'admit', id: list.waiting[0]!.id });
    const welcome = await w.next('welcome');
    assert.equal(welcome.peers[0]!.role, 'host');
  });

  test('a removed person whose token fixes the name cannot come back under another asked name', async () => {
    const host = await connect();
    await host.join('fixed', 'H', { token: await token({ room: 'fixed', role: 'host', sub: 'chair2' }) });
    const p = await connect();
    const pat = await token({ room: 'fixed', name: 'Pat' });
    const wp = await p.join('fixed', 'Pat', { token: pat });
    host.send({ type: 'remove', id: wp.id });
    await p.next('removed');
    const back = await connect();
    back.send({ type: 'join', room: 'fixed', name: 'Someone', token: pat, state: { name: 'Someone else' } });
    assert.equal((await back.next('error')).code, 'forbidden', "the token's name is barred, not the one asked");
  });
});
}

/**
 * The waiting list as the host sees it once it holds `count` people: the newest `waiting-list` the
 * host received (the host's process may tell it of changes one at a time).
 */
async function waitingNow(host: TestClient, count: number): Promise<Msg<'waiting-list'>['waiting']> {
  for (;;) {
    const list = await host.next('waiting-list', 10_000);
    if (list.waiting.length === count) return list.waiting;
  }
}

describe('bars end and are forgotten', () => {
  test('a thousand removals in a hundred rooms hold no memory once their bars have ended', async () => {
    const server = await startTestServer({ roomRules: { removalBarMs: 300 }, heartbeatMs: 200 });
    const clients: TestClient[] = [];
    try {
      for (let r = 0; r < 100; r++) {
        const host = await TestClient.connect(server.wsUrl);
        clients.push(host);
        await host.join(`bars-${r}`, 'Host');
        for (let i = 0; i < 10; i++) {
          const p = await TestClient.connect(server.wsUrl);
          const wp = await p.join(`bars-${r}`, `P${i}`);
          host.send({ type: 'remove', id: wp.id });
          await p.next('removed');
        }
        host.close();
      }
      assert.ok(server.stats().barredRooms > 0, 'rooms keep their bars while they last');
      await waitFor(() => server.stats().barredRooms === 0, 10_000, 'the heartbeat to sweep ended bars');
    } finally {
      for (const c of clients) c.close();
      await server.close();
    }
  });

  test("in Redis a room's bars go with the last of them", async () => {
    const redis = await startRedis();
    const servers = await Promise.all([0, 1].map(() => startTestServer({ redis: redis.url, roomRules: { removalBarMs: 300 } })));
    const spy = new Redis(redis.url);
    const host = await TestClient.connect(servers[0]!.wsUrl);
    const p = await TestClient.connect(servers[1]!.wsUrl);
    try {
      await host.join('bars-r', 'Host');
      const wp = await p.join('bars-r', 'Pat');
      host.send({ type: 'remove', id: wp.id });
      await p.next('removed');
      assert.ok((await spy.zcard('un75:{bars-r}:b')) >= 2, 'barred by id and by address and name');
      const deadline = Date.now() + 10_000;
      while ((await spy.exists('un75:{bars-r}:b')) === 1) {
        assert.ok(Date.now() < deadline, 'the bars key expires with its last bar');
        await new Promise((r) => setTimeout(r, 50));
      }
    } finally {
      host.close();
      spy.disconnect();
      await Promise.all(servers.map((s) => s.close()));
      await redis.stop();
    }
  });
});
