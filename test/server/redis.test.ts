// Scale-out: several real `un75-signal` processes sharing rooms through a real redis-server.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { SignJWT } from 'jose';
import { Redis } from 'ioredis';
import { compileServer, settle, spawnServer, startRedis, TestClient, type ServerProcess } from './helpers.js';

const HEARTBEAT_MS = 300;

describe('several processes over Redis', () => {
  let redis: Awaited<ReturnType<typeof startRedis>>;
  let a: ServerProcess;
  let b: ServerProcess;
  const clients: TestClient[] = [];
  const connect = async (server: ServerProcess) => {
    const client = await TestClient.connect(server.wsUrl);
    clients.push(client);
    return client;
  };
  const args = () => ['--redis', redis.url, '--max-room-size', '3', '--heartbeat-ms', String(HEARTBEAT_MS), '--resume-grace-ms', '5000'];

  before(async () => {
    [redis] = await Promise.all([startRedis(), compileServer()]);
    [a, b] = await Promise.all([spawnServer(args()), spawnServer(args())]);
  });
  after(async () => {
    for (const c of clients) c.close();
    await Promise.all([a?.stop(), b?.stop()]);
    await redis?.stop();
  });

  test('members on different processes share a room: welcome, signals, updates, leave', async () => {
    const x = await connect(a);
    const y = await connect(b);
    const wx = await x.join('shared', 'X', { state: { spokenLanguage: 'zh', cameraEnabled: true } });
    const wy = await y.join('shared', 'Y');
    assert.deepEqual(wy.peers.map((p) => [p.id, p.name, p.spokenLanguage, p.cameraEnabled]), [[wx.id, 'X', 'zh', true]]);
    assert.equal((await x.next('peer-joined')).peer.id, wy.id);

    y.send({ type: 'signal', to: wx.id, sid: 'n1', data: { sdp: 'offer' }, from: 'forged' });
    assert.deepEqual(await x.next('signal'), { type: 'signal', from: wy.id, sid: 'n1', data: { sdp: 'offer' } });
    x.send({ type: 'signal', to: wy.id, sid: 'n1', data: { sdp: 'answer' } });
    assert.equal((await y.next('signal')).from, wx.id);

    x.send({ type: 'update', handRaised: true });
    const updated = await y.next('peer-updated');
    assert.equal(updated.peer.id, wx.id);
    assert.equal(updated.peer.handRaised, true);

    y.send({ type: 'leave' });
    assert.equal((await x.next('peer-left')).id, wy.id);
  });

  test('roles agree across processes: one first member is host, a granted role reaches the other process, the host passes on', async () => {
    const x = await connect(a);
    const y = await connect(b);
    const z = await connect(a);
    const wx = await x.join('roles', 'X');
    const wy = await y.join('roles', 'Y', { role: 'host' });
    const wz = await z.join('roles', 'Z', { role: 'interpreter' });
    assert.deepEqual([wx.self.role, wy.self.role, wz.self.role], ['host', 'participant', 'participant'], 'only the first member of the shared room is host');
    assert.deepEqual(wz.peers.map((p) => [p.name, p.role]).sort(), [['X', 'host'], ['Y', 'participant']]);
    x.send({ type: 'set-role', id: wz.id, role: 'interpreter' });
    const granted = await y.next('peer-updated');
    assert.deepEqual([granted.peer.id, granted.peer.role], [wz.id, 'interpreter'], 'the other process learns the role');
    assert.equal((await z.next('peer-updated')).peer.role, 'interpreter', 'and the member itself');
    x.send({ type: 'leave' });
    // Y is present longest after X: its process promotes it, and the other process hears of it.
    const promoted = await z.next('peer-updated', 10_000);
    assert.deepEqual([promoted.peer.id, promoted.peer.role], [wy.id, 'host']);
    assert.equal((await y.next('peer-updated', 10_000)).peer.role, 'host', 'the new host is told too');
    y.send({ type: 'request-mute', id: wz.id });
    assert.deepEqual(await z.next('mute-requested'), { type: 'mute-requested', by: wy.id }, 'host actions reach members on any process');
  });

  test('updates that change nothing are neither broadcast nor published on Redis', async () => {
    const x = await connect(a);
    const y = await connect(b);
    await x.join('noop', 'X', { state: { micEnabled: true } });
    await y.join('noop', 'Y');
    await x.next('peer-joined');
    const spy = new Redis(redis.url);
    const published: string[] = [];
    try {
      await spy.subscribe('un75:room:noop');
      spy.on('message', (_channel: string, message: string) => published.push(message));
      for (let i = 0; i < 50; i++) x.send({ type: 'update', micEnabled: true, name: 'X' });
      x.send({ type: 'update', micEnabled: false });
      assert.equal((await y.next('peer-updated')).peer.micEnabled, false);
      await settle(x, y);
      assert.deepEqual(y.take('peer-updated'), [], 'only the real change reached the other process');
      assert.equal(published.filter((m) => m.includes('"updated"')).length, 1, published.join('\n'));
    } finally {
      spy.disconnect();
    }
  });

  test('events read from Redis are validated: malformed ones are dropped, names are cleaned', async () => {
    const x = await connect(a);
    const y = await connect(b);
    const wx = await x.join('forged', 'X');
    const wy = await y.join('forged', 'Y');
    await x.next('peer-joined');
    const forger = new Redis(redis.url);
    try {
      const peer = { id: 'forged-peer-0001', role: 'host', spokenLanguage: 'en', micEnabled: false, cameraEnabled: false, handRaised: false };
      for (const event of [
        'not json',
        '{"t":"joined","node":"n","info":{"id":5}}',
        '{"t":"updated","info":null}',
        '{"t":"left"}',
        '{"t":"resumed","id":{"x":1},"node":"n"}',
        JSON.stringify({ t: 'joined', node: 'n', info: { ...peer, spokenLanguage: 'not a tag!' , name: 'E' } }),
        JSON.stringify({ t: 'joined', node: 'n', info: { ...peer, name: '\u202EEve\nHost: leave now' } }),
      ]) {
        await forger.publish('un75:room:forged', event);
      }
      for (const member of [x, y]) {
        const joined = await member.next('peer-joined');
        assert.equal(joined.peer.name, 'Eve Host: leave now', 'one line, no bidi override');
      }
      await settle(x, y);
      // The forged member is in no process's presence: the periodic sweep may take it out again
      // meanwhile (a busy machine lets one run inside this window), which is right, not a leak.
      const left = x.take('peer-left').filter((e) => e.id !== peer.id);
      assert.deepEqual([...x.take('peer-joined'), ...x.take('peer-updated'), ...left], [], 'nothing else got through');
      // Both processes are still working.
      x.send({ type: 'signal', to: wy.id, sid: 's', data: 'still fine' });
      assert.equal((await y.next('signal')).from, wx.id);
    } finally {
      forger.disconnect();
    }
  });

  test('a signal never crosses into another room on another process', async () => {
    const x = await connect(a);
    const y = await connect(b);
    const z = await connect(b);
    await x.join('iso-1', 'X');
    const wy = await y.join('iso-2', 'Y');
    await z.join('iso-2', 'Z');
    x.send({ type: 'signal', to: wy.id, sid: 's', data: 'leak?' });
    assert.equal((await x.next('error')).code, 'unknown-peer');
    await settle(x, y, z);
    assert.equal(y.take('signal').length, 0);
  });

  test('the room-size cap holds across processes, even for simultaneous joins', async () => {
    const joiners = await Promise.all(Array.from({ length: 8 }, (_, i) => connect(i % 2 ? a : b)));
    for (const [i, c] of joiners.entries()) c.send({ type: 'join', room: 'capped', name: `J${i}` });
    const outcomes = await Promise.all(
      joiners.map((c) => Promise.race([c.next('welcome').then(() => 'welcome'), c.next('error').then((e) => e.code)])),
    );
    assert.equal(outcomes.filter((o) => o === 'welcome').length, 3, outcomes.join(','));
    assert.equal(outcomes.filter((o) => o === 'room-full').length, 5, outcomes.join(','));
  });

  test('a resume through another process keeps the id; peers never see a leave', async () => {
    const x = await connect(a);
    const y = await connect(a);
    const wx = await x.join('travel', 'X');
    const wy = await y.join('travel', 'Y');
    await x.next('peer-joined');
    y.ws.terminate();
    const y2 = await connect(b);
    const back = await y2.join('travel', 'Y', { resume: wy.resume });
    assert.equal(back.id, wy.id);
    assert.deepEqual(back.peers.map((p) => p.id), [wx.id]);
    x.send({ type: 'signal', to: wy.id, sid: 's', data: 'found you' });
    assert.deepEqual(await y2.next('signal'), { type: 'signal', from: wx.id, sid: 's', data: 'found you' });
    // Several heartbeats later the room still holds both: the old process let go without a leave.
    await new Promise((r) => setTimeout(r, HEARTBEAT_MS * 4));
    await settle(y2, x);
    assert.deepEqual(x.take('peer-left'), []);
    assert.deepEqual(x.take('peer-joined'), []);
  });

  test('the members of a process killed with SIGKILL leave the rooms on the others', async () => {
    const c = await spawnServer(args());
    try {
      const x = await connect(a);
      const doomed1 = await TestClient.connect(c.wsUrl);
      const doomed2 = await TestClient.connect(c.wsUrl);
      await x.join('crash', 'X');
      const w1 = await doomed1.join('crash', 'D1');
      const w2 = await doomed2.join('crash', 'D2');
      await x.next('peer-joined');
      await x.next('peer-joined');
      await c.stop('SIGKILL');
      // Presence expires one heartbeat after the last refresh; a sweep a third of one later finds it.
      const left = [await x.next('peer-left', HEARTBEAT_MS * 10), await x.next('peer-left', HEARTBEAT_MS * 10)];
      assert.deepEqual(left.map((l) => l.id).sort(), [w1.id, w2.id].sort());
      // Their places are free again.
      const y = await connect(b);
      const wy = await y.join('crash', 'Y');
      assert.equal(wy.peers.length, 1);
    } finally {
      await c.stop('SIGKILL');
    }
  });

  test('SIGTERM hands members over: they resume on another process and nobody sees them leave', async () => {
    const c = await spawnServer(args());
    try {
      const x = await connect(a);
      const moving = await TestClient.connect(c.wsUrl);
      await x.join('deploy', 'X');
      const wm = await moving.join('deploy', 'M');
      await x.next('peer-joined');
      const stopped = c.stop('SIGTERM');
      assert.equal((await moving.next('error')).code, 'shutting-down');
      assert.equal(await moving.closed(), 1012);
      await stopped;
      const again = await connect(b);
      assert.equal((await again.join('deploy', 'M', { resume: wm.resume })).id, wm.id);
      await new Promise((r) => setTimeout(r, HEARTBEAT_MS * 4));
      await settle(again, x);
      assert.deepEqual(x.take('peer-left'), []);
      assert.match(c.output(), /SIGTERM, closing/);
    } finally {
      await c.stop('SIGKILL');
    }
  });
  describe('with join tokens: one person is one member, whichever process they reach', () => {
    const TOKEN_HEARTBEAT_MS = 2000;
    const secret = 'a-long-shared-secret-for-tests-only!';
    const key = new TextEncoder().encode(secret);
    const token = (claims: Record<string, unknown>) => new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setExpirationTime('1h').sign(key);
    let ta: ServerProcess;
    let tb: ServerProcess;
    let spy: Redis;
    /** Joins `room` through `server` as the token subject `sub`. */
    const joinAs = async (server: ServerProcess, room: string, sub: string, name = sub) => {
      const c = await connect(server);
      return { c, w: await c.join(room, name, { token: await token({ room, sub }) }) };
    };
    /** Waits (bounded) until Redis no longer marks the member as held by an open socket. */
    const detached = async (room: string, id: string) => {
      const deadline = Date.now() + 10_000;
      while ((await spy.zscore(`un75:{${room}}:a`, id)) !== null) {
        if (Date.now() > deadline) throw new Error(`member ${id} still attached`);
        await new Promise((r) => setTimeout(r, 20));
      }
    };
    /** The ids a member has been told are in the room: joined (and in its welcome) minus left. */
    const present = (welcome: { peers: Array<{ id: string }> }, c: TestClient, known = new Set(welcome.peers.map((p) => p.id))) => {
      for (const m of c.received) {
        if (m.type === 'peer-joined') known.add(m.peer.id);
        if (m.type === 'peer-left') known.delete(m.id);
      }
      return known;
    };

    before(async () => {
      // A slower heartbeat than above: a member stays attached one heartbeat past its process's last
      // refresh, and a busy machine must not let a refused resume through.
      const withTokens = () => [...args().slice(0, 4), '--heartbeat-ms', String(TOKEN_HEARTBEAT_MS), '--resume-grace-ms', '5000', '--jwt-secret', secret];
      [ta, tb] = await Promise.all([spawnServer(withTokens()), spawnServer(withTokens())]);
      spy = new Redis(redis.url);
    });
    after(async () => {
      spy?.disconnect();
      await Promise.all([ta?.stop(), tb?.stop()]);
    });

    test('a second join of the same person through another process replaces the first: everyone sees one Amina', async () => {
      const x = await joinAs(ta, 'once', 'xavier');
      const y = await joinAs(tb, 'once', 'yoko');
      await x.c.next('peer-joined');
      const first = await joinAs(ta, 'once', 'amina', 'Amina');
      for (const watcher of [x, y]) assert.equal((await watcher.c.next('peer-joined')).peer.id, first.w.id);
      // The room is full (3): the newer join still gets in, in the old one's place.
      const second = await joinAs(tb, 'once', 'amina', 'Amina');
      assert.notEqual(second.w.id, first.w.id);
      assert.deepEqual(second.w.peers.map((p) => p.id).sort(), [x.w.id, y.w.id].sort(), 'the newcomer is not shown its old self');
      assert.equal(second.w.self.name, 'Amina', 'nor named after it');
      assert.equal((await first.c.next('error')).code, 'replaced');
      assert.equal(await first.c.closed(), 4002);
      for (const watcher of [x, y]) {
        assert.equal((await watcher.c.next('peer-left')).id, first.w.id);
        const joined = await watcher.c.next('peer-joined');
        assert.deepEqual([joined.peer.id, joined.peer.name], [second.w.id, 'Amina']);
      }
      await settle(x.c, y.c, second.c);
      for (const watcher of [x, y]) {
        assert.deepEqual([...watcher.c.take('peer-left'), ...watcher.c.take('peer-joined')], [], 'once each');
      }
      // The new Amina is the live one for the other process too.
      x.c.send({ type: 'signal', to: second.w.id, sid: 's', data: 'hello Amina' });
      assert.equal((await second.c.next('signal')).from, x.w.id);
      assert.equal(await spy.hlen('un75:{once}:m'), 3);
    });

    test('a resume through another process while the socket is open is refused; once it drops, the resume moves it and rotates the secret', async () => {
      const x = await joinAs(ta, 'held', 'xavier');
      const m = await joinAs(ta, 'held', 'mo', 'Mo');
      const y = await joinAs(tb, 'held', 'yoko');
      await x.c.next('peer-joined');
      await m.c.next('peer-joined');

      // A replayed secret on another process gains nothing while Mo's socket is open.
      const thief = await connect(tb);
      thief.send({ type: 'join', room: 'held', name: 'Mo', resume: m.w.resume });
      assert.equal((await thief.next('error', 10_000)).code, 'unauthorized', 'as on one process');
      await settle(m.c, x.c, y.c);
      assert.equal(m.c.closeCode, null, 'the original socket stays open');
      y.c.send({ type: 'signal', to: m.w.id, sid: 's', data: 'still Mo?' });
      assert.equal((await m.c.next('signal')).from, y.w.id, 'and is still the member');

      // Once the socket is gone, the secret resumes once, through the other process.
      m.c.ws.terminate();
      await detached('held', m.w.id);
      const m2 = await connect(tb);
      const back = await m2.join('held', 'Mo', { resume: m.w.resume });
      assert.equal(back.id, m.w.id);
      assert.notEqual(back.resume, m.w.resume, 'the resume secret is rotated');
      x.c.send({ type: 'signal', to: m.w.id, sid: 's', data: 'found you' });
      assert.equal((await m2.next('signal')).from, x.w.id);

      m2.ws.terminate();
      await detached('held', m.w.id);
      const stale = await connect(ta);
      stale.send({ type: 'join', room: 'held', name: 'Mo', resume: m.w.resume });
      assert.equal((await stale.next('error', 10_000)).code, 'unauthorized', 'the old secret no longer resumes');
      const m3 = await connect(ta);
      assert.equal((await m3.join('held', 'Mo', { resume: back.resume })).id, m.w.id, 'the new one does');
      await settle(m3, x.c, y.c);
      assert.deepEqual([...x.c.take('peer-left'), ...y.c.take('peer-left')], [], 'nobody saw Mo leave');
    });

    test('no resume through another process once the join token expired, unless a fresh token of the same person comes with it', async () => {
      const x = await joinAs(tb, 'expiry', 'xavier');
      const exp = Math.floor(Date.now() / 1000) + 3;
      const m = await connect(ta);
      const wm = await m.join('expiry', 'Mo', { token: await new SignJWT({ room: 'expiry', sub: 'mo' }).setProtectedHeader({ alg: 'HS256' }).setExpirationTime(exp).sign(key) });
      await x.c.next('peer-joined');
      m.ws.terminate();
      await detached('expiry', wm.id);
      while (Date.now() <= exp * 1000 + 50) await new Promise((r) => setTimeout(r, 50));
      const late = await connect(tb);
      late.send({ type: 'join', room: 'expiry', name: 'Mo', resume: wm.resume });
      assert.equal((await late.next('error', 10_000)).code, 'unauthorized', 'as on one process');
      const someoneElse = await connect(tb);
      const other = await someoneElse.join('expiry', 'Eve', { resume: wm.resume, token: await token({ room: 'expiry', sub: 'eve' }) });
      assert.notEqual(other.id, wm.id, "another person's fresh token does not resume Mo");
      const renewed = await connect(tb);
      const back = await renewed.join('expiry', 'Mo', { resume: wm.resume, token: await token({ room: 'expiry', sub: 'mo' }) });
      assert.equal(back.id, wm.id, 'a fresh token of the same person does');
      // and renews the session for every process: a resume without a token works again.
      renewed.ws.terminate();
      await detached('expiry', wm.id);
      const again = await connect(ta);
      assert.equal((await again.join('expiry', 'Mo', { resume: back.resume })).id, wm.id);
      await settle(x.c, again);
      assert.deepEqual(x.c.take('peer-left'), []);
    });

    test('the same person joining through two processes at the same instant ends as exactly one member, ten times over', async () => {
      const w = await joinAs(ta, 'race', 'watcher');
      let survivor: { c: TestClient; id: string } | null = null;
      for (let round = 0; round < 10; round++) {
        const [p, q] = await Promise.all([connect(ta), connect(tb)]);
        const [tp, tq] = await Promise.all([token({ room: 'race', sub: 'amina' }), token({ room: 'race', sub: 'amina' })]);
        p.send({ type: 'join', room: 'race', name: 'Amina', token: tp });
        q.send({ type: 'join', room: 'race', name: 'Amina', token: tq });
        const [wp, wq] = await Promise.all([p.next('welcome', 10_000), q.next('welcome', 10_000)]);
        // One of the two is replaced by the other, whichever was admitted last.
        const loser = await Promise.race([p.closed(10_000).then(() => p), q.closed(10_000).then(() => q)]);
        assert.equal(loser.closeCode, 4002, `round ${round}`);
        assert.equal((await loser.next('error')).code, 'replaced');
        const winner = loser === p ? { c: q, id: wq.id } : { c: p, id: wp.id };
        if (survivor) assert.equal(await survivor.c.closed(10_000), 4002, `round ${round}: the earlier one was replaced`);
        survivor = winner;
      }
      // The survivor is the one member for Amina in Redis and for the watcher, and it is live.
      const stored = Object.values(await spy.hgetall('un75:{race}:m')).map((json) => (JSON.parse(json) as { info: { id: string } }).info.id);
      assert.deepEqual(stored.sort(), [w.w.id, survivor!.id].sort());
      // A presence round later (when a process heals what it missed) nothing has changed.
      await new Promise((r) => setTimeout(r, TOKEN_HEARTBEAT_MS));
      await settle(w.c, survivor!.c);
      assert.equal(survivor!.c.closeCode, null);
      assert.deepEqual([...present(w.w, w.c)], [survivor!.id], 'the watcher was told of each arrival and departure');
      w.c.send({ type: 'signal', to: survivor!.id, sid: 's', data: 'the one Amina' });
      assert.equal((await survivor!.c.next('signal')).from, w.w.id);
    });
  });
});
