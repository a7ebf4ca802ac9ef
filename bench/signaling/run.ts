// Signaling benchmark: un75-signal against the PeerJS server under the same load, then two
// un75-signal processes over Redis against one. Figures only, no assertions. Every server runs in
// its own child process on loopback (so its memory is its own); the clients all live here.
//
//   node --import tsx bench/signaling/run.ts            (about two minutes on two cores)
//
// Env: BENCH_CLIENTS (1000), BENCH_IDLE (10000), BENCH_SECONDS (5), BENCH_RATE (signals/s per client, 20),
// BENCH_PARTS (relay,idle,redis: the parts to run).
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { freePort } from '../../test/server/helpers.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 1000);
const IDLE = Number(process.env.BENCH_IDLE ?? 10_000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const RATE = Number(process.env.BENCH_RATE ?? 20);
const ROOM = 4;
const PARTS = new Set((process.env.BENCH_PARTS ?? 'relay,idle,redis').split(','));

// ---------- servers ----------

interface Child {
  port: number;
  pid: number;
  stop(): Promise<void>;
}

function startChild(command: string, args: string[], ready: RegExp, port?: number): Promise<Child> {
  const child: ChildProcess = spawn(command, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${command} did not start:\n${out}`)), 20_000);
    const onData = (c: Buffer) => {
      out += c.toString();
      const m = ready.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({
          port: port ?? Number(m[1]),
          pid: child.pid!,
          stop: () =>
            new Promise<void>((done) => {
              if (child.exitCode !== null) return done();
              child.once('exit', () => done());
              child.kill('SIGKILL');
            }),
        });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`${command} exited with ${code}:\n${out}`)));
  });
}

const un75 = (extra: string[] = []) =>
  startChild(
    process.execPath,
    ['bin/un75-signal.js', '--port', '0', '--host', '127.0.0.1', '--max-connections', '30000', '--max-per-address', '0', '--max-room-size', String(ROOM), ...extra],
    /listening on http:\/\/127\.0\.0\.1:(\d+)/,
  );

async function peerjs(): Promise<Child> {
  const port = await freePort();
  const code = `import { PeerServer } from 'peer';
    PeerServer({ port: ${port}, host: '127.0.0.1', path: '/', concurrent_limit: 100000, alive_timeout: 600000 },
      () => console.log('peerjs ready'));`;
  return startChild(process.execPath, ['--input-type=module', '-e', code], /peerjs ready/, port);
}

async function redisServer(): Promise<Child & { url: string }> {
  const port = await freePort();
  const child = await startChild('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], /Ready to accept/, port);
  return { ...child, url: `redis://127.0.0.1:${port}` };
}

const rssKiB = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]);

// ---------- clients: one shape for both protocols ----------

interface BenchClient {
  id: string;
  ws: WebSocket;
  send(to: string, data: unknown): void;
  onSignal: ((data: { t: number }) => void) | null;
}

/** An un75 client, joined to `room`; resolves at its welcome. */
function un75Client(port: number, room: string): Promise<BenchClient> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/signal`, { perMessageDeflate: false });
    const client: BenchClient = {
      id: '',
      ws,
      send: (to, data) => ws.send(JSON.stringify({ type: 'signal', to, sid: 'b', data })),
      onSignal: null,
    };
    ws.on('open', () => ws.send(JSON.stringify({ type: 'join', room, name: 'bench' })));
    ws.on('error', reject);
    ws.on('message', (raw) => {
      const msg = JSON.parse(raw.toString()) as { type: string; id?: string; data?: { t: number }; code?: string };
      if (msg.type === 'signal') client.onSignal?.(msg.data!);
      else if (msg.type === 'welcome') {
        client.id = msg.id!;
        resolve(client);
      } else if (msg.type === 'error') {
        if (client.id) errors.set(msg.code!, (errors.get(msg.code!) ?? 0) + 1);
        else reject(new Error(msg.code));
      }
    });
  });
}
/** Error frames received after joining, by code: a dropped signal is counted, not hidden. */
const errors = new Map<string, number>();

let peerSeq = 0;
/** A PeerJS client; PeerJS has no rooms, the bench groups its clients the same way. */
function peerjsClient(port: number): Promise<BenchClient> {
  return new Promise((resolve, reject) => {
    const id = `p${peerSeq++}x${Math.random().toString(36).slice(2, 10)}`;
    const ws = new WebSocket(`ws://127.0.0.1:${port}/peerjs?key=peerjs&id=${id}&token=t${id}`, { perMessageDeflate: false });
    const client: BenchClient = {
      id,
      ws,
      // CANDIDATE is what PeerJS relays most during a negotiation, like un75's signal.
      send: (to, data) => ws.send(JSON.stringify({ type: 'CANDIDATE', dst: to, payload: data })),
      onSignal: null,
    };
    ws.on('error', reject);
    ws.on('message', (raw) => {
      const msg = JSON.parse(raw.toString()) as { type: string; payload?: { t: number } };
      if (msg.type === 'CANDIDATE') client.onSignal?.(msg.payload!);
      else if (msg.type === 'OPEN') resolve(client);
      else if (msg.type === 'ERROR' || msg.type === 'ID-TAKEN') reject(new Error(msg.type));
    });
  });
}

/** Opens `n` clients, at most `parallel` handshakes at a time; returns them and joins per second. */
async function openClients(n: number, make: (i: number) => Promise<BenchClient>, parallel = 200) {
  const clients: BenchClient[] = new Array(n);
  let next = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      while (next < n) {
        const i = next++;
        clients[i] = await make(i);
      }
    }),
  );
  return { clients, joinsPerSecond: n / ((performance.now() - start) / 1000) };
}

async function closeClients(clients: BenchClient[]): Promise<void> {
  for (const c of clients) c.ws.terminate();
  await new Promise((r) => setTimeout(r, 500));
}

/**
 * Every client signals each of its three room-mates in turn at `rate` per second for `seconds`;
 * latency is measured from send to arrival (same process, same clock).
 */
async function relayLoad(clients: BenchClient[], rate: number, seconds: number) {
  const latencies: number[] = [];
  let delivered = 0;
  for (const c of clients) {
    c.onSignal = (data) => {
      delivered++;
      latencies.push(performance.now() - data.t);
    };
  }
  // Open loop: what is due by now is sent now, however late the timer fired, so a slow server
  // shows as latency rather than as a lower offered load.
  const tickMs = 10;
  const total = clients.length * rate;
  let cursor = 0;
  let sent = 0;
  const start = performance.now();
  const end = start + seconds * 1000;
  for (let now = start; now < end; now = performance.now()) {
    const due = Math.floor(((now - start) / 1000) * total);
    for (; sent < due; sent++) {
      const i = cursor++ % clients.length;
      const group = i - (i % ROOM);
      const mate = group + ((i - group + 1 + (Math.floor(cursor / clients.length) % (ROOM - 1))) % ROOM);
      clients[i]!.send(clients[mate]!.id, { t: performance.now() });
    }
    await new Promise((r) => setTimeout(r, tickMs));
  }
  const elapsed = (performance.now() - start) / 1000;
  // Let what is in flight land (bounded), so the tail is measured rather than cut off.
  const drainUntil = performance.now() + 3000;
  while (delivered < sent && performance.now() < drainUntil) await new Promise((r) => setTimeout(r, 20));
  for (const c of clients) c.onSignal = null;
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? NaN;
  return { offered: sent / elapsed, delivered: delivered / elapsed, lost: sent - delivered, p50: pct(50), p99: pct(99) };
}

// ---------- the runs ----------

type Row = Record<string, string>;
const rows: Row[] = [];
const fmt = (n: number, digits = 0) => (Number.isFinite(n) ? n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }) : '—');

async function relayRun(label: string, make: (i: number) => Promise<BenchClient>, rates: number[]) {
  errors.clear();
  const { clients, joinsPerSecond } = await openClients(CLIENTS, make);
  // Let the join burst settle (peer-joined fan-out) before measuring relay.
  await new Promise((r) => setTimeout(r, 1000));
  for (const rate of rates) {
    errors.clear();
    const r = await relayLoad(clients, rate, SECONDS);
    rows.push({
      server: label,
      load: `${CLIENTS} clients × ${rate}/s`,
      'offered msg/s': fmt(r.offered),
      'relayed msg/s': fmt(r.delivered),
      'not arrived': fmt(r.lost),
      errors: [...errors].map(([code, n]) => `${code}:${n}`).join(' ') || '0',
      'p50 ms': fmt(r.p50, 2),
      'p99 ms': fmt(r.p99, 2),
      'joins/s': fmt(joinsPerSecond),
    });
    console.error(`  ${label} @${rate}/s: ${fmt(r.delivered)} msg/s, p99 ${fmt(r.p99, 2)} ms`);
  }
  await closeClients(clients);
}

async function idleRun(label: string, server: Child, make: (i: number) => Promise<BenchClient>) {
  await new Promise((r) => setTimeout(r, 500));
  const before = rssKiB(server.pid);
  let opened: BenchClient[] = [];
  let joinsPerSecond = NaN;
  let note = '';
  try {
    const result = await openClients(IDLE, make, 500);
    opened = result.clients;
    joinsPerSecond = result.joinsPerSecond;
  } catch (err) {
    note = ` (stopped: ${err instanceof Error ? err.message : String(err)})`;
  }
  // Idle means idle: let the ramp's garbage be collected before reading.
  await new Promise((r) => setTimeout(r, 2000));
  const after = rssKiB(server.pid);
  const n = opened.filter(Boolean).length;
  idle.push({
    server: label,
    connections: `${fmt(n)}${note}`,
    'RSS before MB': fmt(before / 1024, 1),
    'RSS after MB': fmt(after / 1024, 1),
    'KB / idle connection': fmt((after - before) / n, 1),
    'joins/s (ramp)': fmt(joinsPerSecond),
  });
  console.error(`  ${label}: ${fmt(n)} idle connections, ${fmt((after - before) / n, 1)} KB each`);
  await closeClients(opened.filter(Boolean));
}
const idle: Row[] = [];

function table(title: string, data: Row[]): void {
  if (!data.length) return;
  const keys = Object.keys(data[0]!);
  const width = keys.map((k) => Math.max(k.length, ...data.map((r) => (r[k] ?? '').length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(width[i]!)).join(' | ')} |`;
  console.log(`\n${title}\n${line(keys)}\n|${width.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const r of data) console.log(line(keys.map((k) => r[k] ?? '')));
}

async function main(): Promise<void> {
  const started = performance.now();
  console.error('compiling the server…');
  execFileSync(process.execPath, [path.join(root, 'node_modules/typescript/bin/tsc'), '-p', path.join(root, 'server/tsconfig.json')]);
  const rates = [RATE, RATE * 2];

  console.error('un75-signal, one process');
  let server = await un75();
  if (PARTS.has('relay')) await relayRun('un75-signal', (i) => un75Client(server.port, `room-${Math.floor(i / ROOM)}`), rates);
  if (PARTS.has('idle')) await idleRun('un75-signal', server, (i) => un75Client(server.port, `idle-${Math.floor(i / ROOM)}`));
  await server.stop();

  console.error('PeerJS server');
  const peer = await peerjs();
  if (PARTS.has('relay')) await relayRun('peer (PeerJS)', () => peerjsClient(peer.port), rates);
  if (PARTS.has('idle')) await idleRun('peer (PeerJS)', peer, () => peerjsClient(peer.port));
  await peer.stop();

  if (PARTS.has('redis')) {
    console.error('relay: two un75-signal processes over Redis');
    const redis = await redisServer();
    const [a, b] = await Promise.all([un75(['--redis', redis.url]), un75(['--redis', redis.url])]);
    // Two members of each room on each process: half of all signals cross processes.
    await relayRun('un75 ×2 + Redis', (i) => un75Client(i % 2 ? b.port : a.port, `room-${Math.floor(i / ROOM)}`), rates);
    await Promise.all([a.stop(), b.stop()]);
    server = await un75(['--redis', redis.url]);
    await relayRun('un75 ×1 + Redis', (i) => un75Client(server.port, `solo-${Math.floor(i / ROOM)}`), [RATE]);
    await server.stop();
    await redis.stop();
  }

  table(`Signal relay (rooms of ${ROOM}, ${SECONDS} s per load, loopback, clients and servers sharing ${cores()} cores)`, rows);
  table('Idle connections (each joined to a room of 4; RSS of the server process)', idle);
  console.log(`\ntotal bench time ${fmt((performance.now() - started) / 1000, 0)} s`);
}

function cores(): number {
  return availableParallelism();
}

await main();
