// One room, whichever process (design §6.1): three real `un75-signal` processes over a real
// redis-server, the host, its targets and newcomers each on a different one. Host actions, the lock
// and its waiting room, bars and host succession are decided once for the room; a process that dies
// loses none of it; with Redis gone a host action is refused whole.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { PeerInfo, Role } from '../../src/protocol/signaling.js';
import { compileServer, spawnServer, startRedis, TestClient, waitFor, type Msg, type ServerProcess } from './helpers.js';

const HEARTBEAT_MS = 1000;

describe('one room across three processes', () => {
  let redis: Awaited<ReturnType<typeof startRedis>>;
  let p: ServerProcess[] = [];
  const clients: TestClient[] = [];
  const args = () => ['--redis', redis.url, '--heartbeat-ms', String(HEARTBEAT_MS), '--resume-grace-ms', '5000', '--waiting-room-ms', '60000'];
  const on = async (server: ServerProcess, localAddress?: string) => {
    const c = await TestClient.connect(server.wsUrl, {}, localAddress);
    clients.push(c);
    return c;
  };

  before(async () => {
    [redis] = await Promise.all([startRedis(), compileServer()]);
    p = await Promise.all([0, 1, 2].map(() => spawnServer(args())));
  });
  after(async () => {
    for (const c of clients) c.close();
    await Promise.all(p.map((s) => s.stop('SIGKILL')));
    await redis?.stop();
  });

  test('every host action reaches a member on another process, and everyone on every process sees it', async () => {
    const host = await on(p[0]!);
    const wh = await host.join('acts', 'Host');
    const target = await on(p[1]!);
    const wt = await target.join('acts', 'Tess');
    const watcher = await on(p[2]!);
    const ww = await watcher.join('acts', 'Walt');
    assert.equal(wh.self.role, 'host');

    host.send({ type: 'request-mute', id: wt.id });
    assert.deepEqual(await target.next('mute-requested'), { type: 'mute-requested', by: wh.id });

    target.send({ type: 'update', handRaised: true });
    assert.equal((await watcher.next('peer-updated')).peer.handRaised, true);
    await host.next('peer-updated');
    host.send({ type: 'lower-hand', id: wt.id });
    for (const c of [host, target, watcher]) {
      const lowered = await c.next('peer-updated');
      assert.deepEqual([lowered.peer.id, lowered.peer.handRaised, lowered.peer.handRaisedAt], [wt.id, false, undefined]);
    }

    host.send({ type: 'set-role', id: ww.id, role: 'host' });
    for (const c of [host, target, watcher]) assert.equal((await c.next('peer-updated')).peer.role, 'host');
    // The new host has the tools at once, on its own process: it takes the role away from the first.
    watcher.send({ type: 'set-role', id: wh.id, role: 'participant' });
    for (const c of [host, target, watcher]) {
      const demoted = await c.next('peer-updated');
      assert.deepEqual([demoted.peer.id, demoted.peer.role], [wh.id, 'participant']);
    }
    host.send({ type: 'lock', on: true });
    assert.equal((await host.next('error')).code, 'forbidden', 'the room knows it is no longer host, whatever its process thought');

    watcher.send({ type: 'remove', id: wt.id });
    assert.deepEqual(await target.next('removed'), { type: 'removed', by: ww.id });
    assert.equal(await target.closed(), 4003);
    assert.equal((await host.next('peer-left')).id, wt.id);
    // Barred on every process: the resume secret, and the same name from the same address.
    for (const server of p) {
      const again = await on(server);
      again.send({ type: 'join', room: 'acts', name: 'tess' });
      assert.equal((await again.next('error')).code, 'forbidden', 'same address and name, through any process');
    }
    const resume = await on(p[2]!);
    resume.send({ type: 'join', room: 'acts', name: 'Other', resume: wt.resume });
    assert.equal((await resume.next('error')).code, 'forbidden', 'its resume secret is barred too');
  });

  test('a lock holds for newcomers on another process; the host admits and denies them across processes', async () => {
    const host = await on(p[0]!);
    await host.join('locked', 'Host');
    const member = await on(p[1]!);
    await member.join('locked', 'Mia');
    host.send({ type: 'lock', on: true });
    assert.deepEqual(await member.next('room'), { type: 'room', locked: true }, 'every process tells its members');

    const knock = await on(p[2]!);
    knock.send({ type: 'join', room: 'locked', name: 'Kim' });
    assert.deepEqual(await knock.next('waiting'), { type: 'waiting', room: 'locked' });
    const knock2 = await on(p[1]!, '127.0.0.5');
    knock2.send({ type: 'join', room: 'locked', name: 'Kai' });
    await knock2.next('waiting');
    const list = await listOf(host, 2);
    assert.deepEqual(list.map((w) => w.name), ['Kim', 'Kai']);

    host.send({ type: 'admit', id: list[0]!.id });
    const welcome = await knock.next('welcome');
    assert.equal(welcome.locked, true);
    assert.deepEqual(welcome.peers.map((x) => x.name).sort(), ['Host', 'Mia']);
    assert.equal((await member.next('peer-joined')).peer.name, 'Kim');
    host.send({ type: 'deny', id: list[1]!.id });
    await knock2.next('denied');
    assert.equal(await knock2.closed(), 4004);
    const back = await on(p[0]!, '127.0.0.5');
    back.send({ type: 'join', room: 'locked', name: 'KAI' });
    assert.equal((await back.next('error')).code, 'forbidden', 'denied through one process, barred on another');
  });

  test('host succession with concurrent leaves: exactly one host, the same on every process', async () => {
    const people: Array<{ c: TestClient; w: Msg<'welcome'> }> = [];
    // Six through two processes, the seventh through the third, which learns the room from Redis.
    for (let i = 0; i < 7; i++) {
      const c = await on(p[i < 6 ? i % 2 : 2]!);
      people.push({ c, w: await c.join('succession', `P${i}`) });
    }
    assert.equal(people[0]!.w.self.role, 'host');
    assert.deepEqual(
      people[6]!.w.peers.map((x) => x.id),
      people.slice(0, 6).map((x) => x.w.id),
      'a welcome through a process new to the room lists it in arrival order too (the eldest first)',
    );
    // The host and the two longest present after it leave at the same moment, through three processes.
    for (const leaving of people.slice(0, 3)) leaving.c.send({ type: 'leave' });
    const stay = people.slice(3);
    const ids = stay.map((s) => s.w.id);
    const views = stay.map((s) => rolesSeen(s));
    await waitFor(() => views.every((v) => hosts(v(), ids).length === 1), 10_000, 'every remaining member to see one host');
    // Let any late news land, then check again: still one host, the same one, for everyone.
    await new Promise((r) => setTimeout(r, HEARTBEAT_MS * 2));
    const seen = views.map((v) => hosts(v(), ids));
    assert.deepEqual(new Set(seen.map((h) => h.join())).size, 1, `everyone agrees: ${JSON.stringify(seen)}`);
    assert.deepEqual(seen[0], [ids[0]], 'the longest present of those who stayed');
  });

  test('a process killed mid-wait and mid-meeting: its host resumes with the role, its waiter waits again, the lock and bars stay', async () => {
    const doomed = await spawnServer(args());
    try {
      const host = await on(doomed);
      const wh = await host.join('crash', 'Host');
      const member = await on(p[0]!);
      const wm = await member.join('crash', 'Mo');
      host.send({ type: 'remove', id: wm.id });
      await member.next('removed');
      host.send({ type: 'lock', on: true });
      await host.next('room');
      const waiter = await TestClient.connect(doomed.wsUrl);
      clients.push(waiter);
      waiter.send({ type: 'join', room: 'crash', name: 'Wen' });
      await waiter.next('waiting');
      await listOf(host, 1);

      await doomed.stop('SIGKILL');
      // The host comes back through another process, still host, still seeing the room locked.
      const back = await on(p[1]!);
      const wb = await back.join('crash', 'Host', { resume: wh.resume });
      assert.deepEqual([wb.id, wb.self.role, wb.locked], [wh.id, 'host', true]);
      // The waiter's place went with its process: the waiting list empties once its presence lapses.
      await listOf(back, 0);
      // Its client joins again, through yet another process: the lock still holds, so it waits again.
      const again = await on(p[2]!);
      again.send({ type: 'join', room: 'crash', name: 'Wen' });
      await again.next('waiting');
      const list = await listOf(back, 1);
      back.send({ type: 'admit', id: list[0]!.id });
      assert.equal((await again.next('welcome')).peers[0]!.id, wh.id);
      // And the removed member is still barred.
      const removed = await on(p[1]!);
      removed.send({ type: 'join', room: 'crash', name: 'mo' });
      assert.equal((await removed.next('error')).code, 'forbidden');
    } finally {
      await doomed.stop('SIGKILL');
    }
  });

  test('with Redis gone a host action is refused whole, with a clear error, and the socket stays', async () => {
    const ownRedis = await startRedis();
    const servers = await Promise.all([0, 1].map(() => spawnServer(['--redis', ownRedis.url, '--heartbeat-ms', String(HEARTBEAT_MS)])));
    try {
      const host = await on(servers[0]!);
      await host.join('outage', 'Host');
      const other = await on(servers[1]!);
      const wo = await other.join('outage', 'Olu');
      await ownRedis.stop();
      host.send({ type: 'remove', id: wo.id });
      const error = await host.next('error', 30_000);
      assert.equal(error.code, 'unavailable');
      assert.match(error.message, /not applied/);
      assert.equal(host.closeCode, null);
      assert.equal(other.closeCode, null, 'nobody was half removed');
      assert.equal(other.take('removed').length, 0);
    } finally {
      await Promise.all(servers.map((s) => s.stop('SIGKILL')));
      await ownRedis.stop();
    }
  });
});

/** The newest waiting list the host is sent that holds `count` people. */
async function listOf(host: TestClient, count: number, timeoutMs = 10_000): Promise<Msg<'waiting-list'>['waiting']> {
  for (;;) {
    const list = await host.next('waiting-list', timeoutMs);
    if (list.waiting.length === count) return list.waiting;
  }
}

/** Everyone's role as this member has been told so far (its welcome, then every update). */
function rolesSeen(s: { c: TestClient; w: Msg<'welcome'> }): () => Map<string, Role> {
  return () => {
    const roles = new Map<string, Role>([[s.w.id, s.w.self.role], ...s.w.peers.map((x: PeerInfo) => [x.id, x.role] as [string, Role])]);
    for (const m of s.c.received) {
      if (m.type === 'peer-joined') roles.set(m.peer.id, m.peer.role);
      if (m.type === 'peer-updated') roles.set(m.peer.id, m.peer.role);
      if (m.type === 'peer-left') roles.delete(m.id);
    }
    return roles;
  };
}

function hosts(roles: Map<string, Role>, among: string[]): string[] {
  return among.filter((id) => roles.get(id) === 'host');
}
