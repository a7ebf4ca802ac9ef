// Shared by the server tests: a real server on loopback and real `ws` clients that record what
// they receive, so that tests can wait for a frame or assert that none came.
import { parseSfuServerMessage } from '../../src/protocol/sfu.js';
import { once } from 'node:events';
import { closeSync, existsSync, openSync, readdirSync, rmSync, statSync } from 'node:fs';
import WebSocket from 'ws';
import { parseServerMessage, type PeerInfo, type ServerMessage } from '../../src/protocol/signaling.js';
import { createSignalingServer, type SignalingServer, type SignalingServerOptions } from '../../server/index.js';

export type Msg<T extends ServerMessage['type']> = Extract<ServerMessage, { type: T }>;

export async function startTestServer(options: SignalingServerOptions = {}): Promise<SignalingServer & { wsUrl: string }> {
  // Every test client connects from loopback: the per-address cap is off unless a test sets it.
  const server = createSignalingServer({ port: 0, host: '127.0.0.1', log: () => {}, maxPerAddress: 0, ...options });
  await server.listen();
  return Object.assign(server, { wsUrl: `ws://127.0.0.1:${server.address!.port}/signal` });
}

/**
 * What a server holds of rooms and sockets (its stats without the counters, such as `ideas`, that
 * only ever grow): all zero once everyone has gone.
 */
export function heldState(stats: ReturnType<SignalingServer['stats']>) {
  const { connections, rooms, localMembers, waitingForResume, knownMembers, barredRooms } = stats;
  return { connections, rooms, localMembers, waitingForResume, knownMembers, barredRooms };
}

export class TestClient {
  readonly received: ServerMessage[] = [];
  private waiters: Array<() => void> = [];
  closeCode: number | null = null;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      // Every frame the server sends must pass the browser's own validator.
      const message = parseServerMessage(data.toString());
      // SFU frames are checked by the browser's SFU chunk (src/core/sfu.ts), with this validator.
      this.received.push(message.type.startsWith('sfu-') ? parseSfuServerMessage(message as unknown as Record<string, unknown>) : message);
      for (const wake of this.waiters.splice(0)) wake();
    });
    ws.on('close', (code) => {
      this.closeCode = code;
      for (const wake of this.waiters.splice(0)) wake();
    });
    ws.on('error', () => {});
  }

  /** `localAddress` (e.g. 127.0.0.2) makes the client another visitor to per-address limits. */
  static async connect(url: string, headers: Record<string, string> = {}, localAddress?: string): Promise<TestClient> {
    const ws = new WebSocket(url, { headers, ...(localAddress ? { localAddress } : {}) });
    const client = new TestClient(ws);
    await once(ws, 'open');
    return client;
  }

  send(message: unknown): void {
    this.ws.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  /** Waits for the next unread frame of `type` (and removes it from the unread ones). */
  async next<T extends ServerMessage['type']>(type: T, timeoutMs = 3000): Promise<Msg<T>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const index = this.received.findIndex((m) => m.type === type);
      if (index >= 0) return this.received.splice(index, 1)[0] as Msg<T>;
      if (this.closeCode !== null) throw new Error(`socket closed (${this.closeCode}) while waiting for "${type}"`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no "${type}" within ${timeoutMs} ms; got ${JSON.stringify(this.received)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Unread frames of `type`, removed from the unread ones. */
  take<T extends ServerMessage['type']>(type: T): Array<Msg<T>> {
    const taken = this.received.filter((m) => m.type === type) as Array<Msg<T>>;
    for (const m of taken) this.received.splice(this.received.indexOf(m), 1);
    return taken;
  }

  async join(room: string, name: string, extra: Record<string, unknown> = {}): Promise<Msg<'welcome'>> {
    this.send({ type: 'join', room, name, ...extra });
    return this.next('welcome');
  }

  async closed(timeoutMs = 5000): Promise<number> {
    if (this.closeCode !== null) return this.closeCode;
    let timer: NodeJS.Timeout | undefined;
    try {
      const [code] = (await Promise.race([
        once(this.ws, 'close'),
        new Promise((_, reject) => (timer = setTimeout(() => reject(new Error('socket did not close')), timeoutMs))),
      ])) as [number];
      return code;
    } finally {
      clearTimeout(timer);
    }
  }

  close(): void {
    this.ws.close();
  }
}

/** Lets in-flight frames land: a round trip through the server is enough for everything sent before. */
export async function settle(...clients: TestClient[]): Promise<void> {
  for (const client of clients) {
    if (client.ws.readyState !== WebSocket.OPEN) continue;
    // A ping answered with a pong has gone through the server after everything sent before it.
    client.ws.ping();
    await once(client.ws, 'pong');
  }
}

/**
 * After `count` budgeted requests: waits until each is answered, by a frame of type `ok` or a
 * `rate-limited` error (frames are handled in order, so every one is answered one way or the other).
 */
export async function budgetAnswers(client: TestClient, ok: ServerMessage['type'], count: number, timeoutMs = 60_000): Promise<{ ok: number; refused: number }> {
  const seen = { ok: 0, refused: 0 };
  await waitFor(
    () => {
      seen.ok += client.take(ok).length;
      seen.refused += client.take('error').filter((e) => e.code === 'rate-limited').length;
      return seen.ok + seen.refused >= count;
    },
    timeoutMs,
    `an answer to each of the ${count}`,
  );
  return seen;
}

export function peerIds(peers: PeerInfo[]): string[] {
  return peers.map((p) => p.id).sort();
}

export async function waitFor(condition: () => boolean, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** A free loopback port (for programs that cannot be told to pick one). */
export async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

export interface ServerProcess {
  port: number;
  wsUrl: string;
  child: import('node:child_process').ChildProcess;
  output(): string;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

const root = new URL('../..', import.meta.url).pathname;

/** Each server source (server/, src/protocol/) and where tsc writes it under server/dist. */
function serverSources(): Array<[source: string, output: string]> {
  const pairs: Array<[string, string]> = [];
  for (const dir of ['server', 'src/protocol']) {
    for (const file of readdirSync(`${root}${dir}`, { recursive: true }) as string[]) {
      if (!file.endsWith('.ts') || file.endsWith('.d.ts') || /^(dist|node_modules)\//.test(file)) continue;
      pairs.push([`${root}${dir}/${file}`, `${root}server/dist/${dir}/${file.replace(/\.ts$/, '.js')}`]);
    }
  }
  return pairs;
}

const upToDate = () =>
  serverSources().every(([source, output]) => existsSync(output) && statSync(output).mtimeMs >= statSync(source).mtimeMs);

/**
 * Compiles the server when its build is older than its sources, so that tests can run the real
 * `bin/un75-signal.js`. Test files run in parallel and spawn that binary: one compiles at a time
 * (a lock file), and none rewrites a build that is up to date (`npm test` builds first), since
 * another file's server may be loading it.
 */
let compiled: Promise<void> | null = null;
export function compileServer(): Promise<void> {
  compiled ??= (async () => {
    const lock = `${root}server/.compile-lock`;
    for (const deadline = Date.now() + 180_000; ; ) {
      try {
        closeSync(openSync(lock, 'wx'));
        break;
      } catch {
        // A lock left by a run that was killed mid-compile: tsc takes well under two minutes.
        if (existsSync(lock) && statSync(lock).mtimeMs < Date.now() - 120_000) rmSync(lock, { force: true });
        if (Date.now() > deadline) throw new Error(`${lock} is held for over 3 minutes: remove it if no test runs`);
        await new Promise((r) => setTimeout(r, 200));
      }
    }
    try {
      if (upToDate()) return;
      const { execFile } = await import('node:child_process');
      await new Promise<void>((resolve, reject) =>
        execFile(process.execPath, [`${root}node_modules/typescript/bin/tsc`, '-p', `${root}server/tsconfig.json`], (err, stdout) =>
          err ? reject(new Error(`tsc failed:\n${stdout}`)) : resolve(),
        ),
      );
    } finally {
      rmSync(lock, { force: true });
    }
  })();
  return compiled;
}

/** Starts the real binary on a free port and resolves once it prints where it listens. */
/** `startMs`: how long it may take to listen (an embedded database in a new folder takes a while on a busy machine). */
export async function spawnServer(args: string[], startMs = 60_000): Promise<ServerProcess> {
  const { spawn } = await import('node:child_process');
  const child = spawn(process.execPath, [`${root}bin/un75-signal.js`, '--port', '0', '--host', '127.0.0.1', '--max-per-address', '0', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stderr.on('data', (c: Buffer) => (out += c.toString()));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => {
      // Not left running after the test gave up on it.
      child.kill('SIGKILL');
      reject(new Error(`un75-signal did not start:\n${out}`));
    }, startMs);
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
    child.once('exit', (code) => reject(new Error(`un75-signal exited with ${code}:\n${out}`)));
  });
  return {
    port,
    wsUrl: `ws://127.0.0.1:${port}/signal`,
    child,
    output: () => out,
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      child.kill(signal);
      await exited;
    },
  };
}

/** A throwaway redis-server on a free loopback port, without persistence. */
export async function startRedis(): Promise<{ url: string; stop(): Promise<void> }> {
  const { spawn } = await import('node:child_process');
  const port = await freePort();
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`redis-server did not start:\n${out}`)), 10000);
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      if (out.includes('Ready to accept connections')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => reject(new Error(`redis-server exited with ${code}:\n${out}`)));
  });
  return {
    url: `redis://127.0.0.1:${port}`,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/**
 * Opens a raw WebSocket and reports how the handshake ended: the open socket, or the HTTP status
 * of the refusal. The caller closes what it gets.
 */
export async function handshake(url: string, localAddress?: string, headers: Record<string, string> = {}): Promise<{ status: number; ws: WebSocket }> {
  const ws = new WebSocket(url, { headers, ...(localAddress ? { localAddress } : {}) });
  ws.on('error', () => {});
  const status = await Promise.race([
    once(ws, 'open').then(() => 101),
    once(ws, 'unexpected-response').then(([, res]) => (res as { statusCode: number }).statusCode),
    once(ws, 'close').then(() => 0),
  ]);
  return { status, ws };
}

/** What a host-authority test needs of a deployment, whether one process or several over Redis. */
export interface DeployOptions {
  maxRoomSize?: number;
  waitingRoomMs?: number;
  jwtSecret?: string;
  trustAskedRoles?: boolean;
  /** A PostgreSQL URL keeping outcomes (every process shares it). */
  database?: string;
  /** A LibreTranslate-compatible API the servers translate ideas with. */
  translationEndpoint?: string;
}

export interface Deployment {
  /** A client on the next process in turn (one process: always the same). */
  connect(localAddress?: string): Promise<TestClient>;
  /** The processes, to stop or kill one (several processes only). */
  readonly processes: ServerProcess[];
  close(): Promise<void>;
}

export type DeploymentKind = 'one process' | 'two processes over Redis' | 'three processes over Redis';
export const DEPLOYMENTS: DeploymentKind[] = ['one process', 'two processes over Redis'];

/**
 * One in-process server, or two or three real `un75-signal` processes over a real redis-server,
 * with clients spread over them in turn: the same test then holds for a room whose members, hosts
 * and newcomers reached different processes.
 */
export async function deploy(kind: DeploymentKind, options: DeployOptions = {}): Promise<Deployment> {
  const clients: TestClient[] = [];
  const track = (client: TestClient) => {
    clients.push(client);
    return client;
  };
  if (kind === 'one process') {
    const server = await startTestServer(options);
    return {
      processes: [],
      connect: async (localAddress) => track(await TestClient.connect(server.wsUrl, {}, localAddress)),
      async close() {
        for (const c of clients) c.close();
        await server.close();
      },
    };
  }
  const [redis] = await Promise.all([startRedis(), compileServer()]);
  // Members stay present in Redis for two heartbeats without a refresh: 2 s, which a process on a
  // loaded CI machine does not miss (at 300 ms, one stalled 0.6 s and its member was reaped mid-test:
  // closed as "joined again elsewhere" instead of being told it was removed).
  const args = ['--redis', redis.url, '--heartbeat-ms', '1000'];
  if (options.maxRoomSize !== undefined) args.push('--max-room-size', String(options.maxRoomSize));
  if (options.waitingRoomMs !== undefined) args.push('--waiting-room-ms', String(options.waitingRoomMs));
  if (options.jwtSecret !== undefined) args.push('--jwt-secret', options.jwtSecret);
  if (options.trustAskedRoles) args.push('--trust-asked-roles');
  if (options.database !== undefined) args.push('--database', options.database);
  if (options.translationEndpoint !== undefined) args.push('--translation-endpoint', options.translationEndpoint);
  const count = kind === 'three processes over Redis' ? 3 : 2;
  const processes = await Promise.all(Array.from({ length: count }, () => spawnServer(args)));
  let next = 0;
  return {
    processes,
    connect: async (localAddress) => {
      const live = processes.filter((p) => p.child.exitCode === null && p.child.signalCode === null);
      const server = live[next++ % live.length]!;
      return track(await TestClient.connect(server.wsUrl, {}, localAddress));
    },
    async close() {
      for (const c of clients) c.close();
      await Promise.all(processes.map((p) => p.stop()));
      await redis.stop();
    },
  };
}

/**
 * A throwaway PostgreSQL cluster (Debian's `postgresql` package) on a free loopback port, made by
 * initdb in a temporary folder and gone after `stop()`. PostgreSQL refuses to run as root: as root
 * it runs as the `postgres` user the package creates.
 */
export async function startPostgres(): Promise<{ url: string; stop(): Promise<void> }> {
  const { spawn, execFileSync } = await import('node:child_process');
  const { mkdtempSync, rmSync, chownSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { postgresBin } = await import('../../scripts/system-deps.mjs');
  const bin = postgresBin();
  if (!bin) throw new Error('no PostgreSQL under /usr/lib/postgresql: apt-get install postgresql');
  const dir = mkdtempSync(`${tmpdir()}/un75-pg-`);
  const asUser: { uid?: number; gid?: number } = {};
  if (process.getuid?.() === 0) {
    asUser.uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    asUser.gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    chownSync(dir, asUser.uid, asUser.gid);
  }
  execFileSync(`${bin}/initdb`, ['-D', `${dir}/data`, '-A', 'trust', '-U', 'un75', '-E', 'UTF8', '--locale=C', '--no-sync'], {
    ...asUser,
    cwd: dir,
    stdio: 'pipe',
  });
  const port = await freePort();
  const child = spawn(
    `${bin}/postgres`,
    ['-D', `${dir}/data`, '-p', String(port), '-k', dir, '-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off'],
    { ...asUser, cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`postgres did not start:\n${out}`)), 30_000);
    const onData = (c: Buffer) => {
      out += c.toString();
      if (out.includes('ready to accept connections')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => reject(new Error(`postgres exited with ${code}:\n${out}`)));
  });
  return {
    url: `postgres://un75@127.0.0.1:${port}/postgres`,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = once(child, 'exit');
        // SIGINT: the "fast" shutdown (clients are disconnected, no waiting for them).
        child.kill('SIGINT');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
