// One person, one member, across processes: how long the cluster takes to let a token holder in,
// to replace them when they join again through the other process, to move them by a resume through
// the other process, and to refuse a resume while their socket is open. Two un75-signal processes
// over one redis-server on loopback, join tokens on; one client at a time (latency, not load).
// Figures only, no assertions.
//
//   node --import tsx bench/signaling/cluster.ts
//
// Env: CLUSTER_ROUNDS (200; refused resumes: a tenth of it).
import { performance } from 'node:perf_hooks';
import { SignJWT } from 'jose';
import { compileServer, spawnServer, startRedis, TestClient, type ServerProcess } from '../../test/server/helpers.js';

const ROUNDS = Number(process.env.CLUSTER_ROUNDS ?? 200);
const SECRET = 'a-bench-secret-of-at-least-32-bytes!!';
const key = new TextEncoder().encode(SECRET);
const token = (room: string, sub: string) => new SignJWT({ room, sub }).setProtectedHeader({ alg: 'HS256' }).setExpirationTime('1h').sign(key);

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
};
const fmt = (n: number) => (Number.isFinite(n) ? n.toFixed(1) : '—');

async function main(): Promise<void> {
  console.error('compiling the server…');
  await compileServer();
  const redis = await startRedis();
  const args = ['--redis', redis.url, '--jwt-secret', SECRET, '--max-room-size', '8'];
  const [a, b] = await Promise.all([spawnServer(args), spawnServer(args)]);
  const open: TestClient[] = [];
  const connect = async (server: ServerProcess) => {
    const c = await TestClient.connect(server.wsUrl);
    open.push(c);
    return c;
  };
  const rows: Array<[string, number[], string]> = [];
  try {
    // A watcher in every room, on the first process, so that each join is announced across processes.
    const joins: number[] = [];
    const replaces: number[] = [];
    const replacedClosed: number[] = [];
    const resumes: number[] = [];
    let kept = 0;
    let replacedCount = 0;
    for (let i = 0; i < ROUNDS; i++) {
      const room = `bench-${i}`;
      const watcher = await connect(a);
      await watcher.join(room, 'W', { token: await token(room, 'watcher') });
      const first = await connect(a);
      const t1 = await token(room, 'amina');
      let start = performance.now();
      const w1 = await first.join(room, 'Amina', { token: t1 });
      joins.push(performance.now() - start);

      // The same person again, through the other process.
      const second = await connect(b);
      const t2 = await token(room, 'amina');
      start = performance.now();
      const w2 = await second.join(room, 'Amina', { token: t2 });
      replaces.push(performance.now() - start);
      // (A server that keeps both leaves it open: counted, not timed.)
      if ((await first.closed(2000).catch(() => null)) === 4002) {
        replacedCount++;
        replacedClosed.push(performance.now() - start);
      }

      // Its socket drops; it comes back at once through the first process.
      second.ws.terminate();
      const back = await connect(a);
      start = performance.now();
      const w3 = await back.join(room, 'Amina', { resume: w2.resume });
      resumes.push(performance.now() - start);
      if (w3.id === w2.id && w2.id !== w1.id) kept++;
      for (const c of [watcher, back]) c.close();
    }
    rows.push(['token join (first process)', joins, `${ROUNDS} joins`]);
    rows.push(['same person joins through the other process: welcome', replaces, '']);
    rows.push(['  … until the older socket is closed (4002)', replacedClosed, `${replacedCount}/${ROUNDS} closed with 4002`]);
    rows.push(['resume through the other process right after the socket dropped', resumes, `${kept}/${ROUNDS} kept their id`]);

    // A replayed resume while the member's socket is open: refused (after waiting for it to close).
    const refusals: number[] = [];
    let refused = 0;
    const tries = Math.max(1, Math.floor(ROUNDS / 10));
    for (let i = 0; i < tries; i++) {
      const room = `held-${i}`;
      const member = await connect(a);
      const w = await member.join(room, 'Mo', { token: await token(room, 'mo') });
      const thief = await connect(b);
      const start = performance.now();
      thief.send({ type: 'join', room, name: 'Mo', resume: w.resume });
      const answer = await Promise.race([thief.next('error', 10_000), thief.next('welcome', 10_000)]);
      if (answer.type === 'error' && answer.code === 'unauthorized' && member.closeCode === null) refused++;
      refusals.push(performance.now() - start);
      member.close();
      thief.close();
    }
    rows.push(['resume through the other process while the socket is open', refusals, `${refused}/${tries} refused, member kept`]);
  } finally {
    for (const c of open) c.ws.terminate();
    await Promise.all([a.stop(), b.stop()]);
    await redis.stop();
  }
  console.log('\nTwo un75-signal processes over Redis, join tokens on (loopback, one client at a time)');
  console.log('| step | p50 ms | p95 ms | max ms | note |\n|---|---|---|---|---|');
  for (const [step, xs, note] of rows) console.log(`| ${step} | ${fmt(pct(xs, 50))} | ${fmt(pct(xs, 95))} | ${fmt(Math.max(...xs))} | ${note} |`);
}

await main();
