// Shared pieces of the end-to-end suite: one set of Chromium instances for the whole run (launching
// is the slow part on a 2-core machine), and the real signaling server started as a child process.
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CALL_FLAGS, chromePath } from '../../scripts/system-deps.mjs';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export const CHROME_ARGS = [...CALL_FLAGS, '--disable-gpu', '--disable-quic', '--mute-audio'];

const browsers: Browser[] = [];

/**
 * The n-th shared browser instance (each its own process, like separate people's machines).
 * Launched on first use and closed by closeBrowsers().
 */
export async function browser(index: number, extraArgs: string[] = []): Promise<Browser> {
  if (extraArgs.length) {
    const b = await chromium.launch({ executablePath: chromePath(), args: [...CHROME_ARGS, ...extraArgs] });
    browsers.push(b);
    return b;
  }
  const shared = sharedBrowsers[index];
  if (shared) return shared;
  const b = await chromium.launch({ executablePath: chromePath(), args: CHROME_ARGS });
  sharedBrowsers[index] = b;
  browsers.push(b);
  return b;
}
const sharedBrowsers: Browser[] = [];

/**
 * The window of a test's call page: a small desktop one (above the layouts' 720 px breakpoint).
 * Headless Chromium composites every video frame in software, and the cost follows the window's
 * pixels: three pages idle in a call took 0.56–0.61 of a core in the GPU process at Playwright's
 * 1280×720 and 0.13–0.16 at 800×450 (the renderers and the audio service unchanged, ~1.1 cores).
 */
export const PAGE_VIEWPORT = { width: 800, height: 450 };

/** A fresh page in its own context (own storage, own permissions) on the n-th browser. */
export async function newPage(index: number): Promise<{ context: BrowserContext; page: Page }> {
  const context = await (await browser(index)).newContext({ permissions: ['camera', 'microphone'], viewport: PAGE_VIEWPORT });
  const page = await context.newPage();
  page.on('pageerror', (err) => console.error(`[page ${index}] ${err.message}`));
  return { context, page };
}

export async function closeBrowsers(): Promise<void> {
  await Promise.all(browsers.splice(0).map((b) => b.close().catch(() => {})));
  sharedBrowsers.length = 0;
}

/**
 * An init script that keeps every object a page makes with the constructor `name` (a global) in
 * `window[list]`, e.g. to count its live peer connections or its sockets. The wrapper inherits the
 * constructor's statics (`WebSocket.OPEN`). A string, not a function: the test's TypeScript loader
 * would add helpers to a function that do not exist in the page.
 */
export function keepEvery(name: string, list: string): string {
  return `(() => {
  const Native = window[${JSON.stringify(name)}];
  const all = (window[${JSON.stringify(list)}] = []);
  const Kept = function (...args) {
    const made = new Native(...args);
    all.push(made);
    return made;
  };
  Kept.prototype = Native.prototype;
  Object.setPrototypeOf(Kept, Native);
  window[${JSON.stringify(name)}] = Kept;
})();`;
}

/** Every RTCPeerConnection a page makes, in `window.__pcs`. */
export const TRACK_PEER_CONNECTIONS = keepEvery('RTCPeerConnection', '__pcs');

export interface RunningServer {
  url: string;
  port: number;
  process: ChildProcess;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/**
 * Starts the real `un75-signal` binary (built by `npm run build`) on a free loopback port and
 * resolves once it prints the address it listens on.
 */
/**
 * In an open room only a host grants the interpreter role: tests that need interpreters from the
 * start run the server with this secret and give each page a token, as an organiser's site would.
 */
export const JWT_SECRET = 'end-to-end-test-secret-of-32-bytes-or-more';

/** A join token for `room` granting `role` to the person `sub`, valid for two hours. */
export async function joinToken(room: string, role: 'participant' | 'interpreter' | 'host', sub: string): Promise<string> {
  const { SignJWT } = await import('jose');
  return new SignJWT({ room, role, sub }).setProtectedHeader({ alg: 'HS256' }).setExpirationTime('2h').sign(new TextEncoder().encode(JWT_SECRET));
}

/**
 * The signaling server (`bin/un75-signal.js`) as a child process on a free loopback port, serving
 * the SDK it was built with. `checkout`: another checkout's server and build (benchmarks that
 * compare two versions side by side).
 */
export async function startServer(args: string[] = [], checkout = root): Promise<RunningServer> {
  // Every page connects from loopback: the per-address cap would count them all as one visitor.
  const child = spawn(process.execPath, [path.join(checkout, 'bin/un75-signal.js'), '--port', '0', '--host', '127.0.0.1', '--max-per-address', '0', ...args], {
    cwd: checkout,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const port = await new Promise<number>((resolve, reject) => {
    // Generous: on a loaded machine Node alone can take many seconds to load the server. A server
    // that did not start in time is not left running.
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`server did not start:\n${output}`));
    }, 60_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /http:\/\/[^\s:]+:(\d+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
    child.once('exit', (code) => reject(new Error(`server exited with ${code}:\n${output}`)));
  });
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    process: child,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill(signal);
      await once(child, 'exit');
    },
  };
}

export interface FixtureServer {
  url: string;
  close(): Promise<void>;
}

/**
 * A partner's web page on another origin than the signaling server: it loads only the single-file
 * bundle from the signaling server and places <un75-meeting> elements, as design §1 shows.
 * GET /meeting.html?server=http://127.0.0.1:P&room=R&name=N[&name=M…][&attrs=…] — one meeting per name;
 * `attrs` is written into each element as given (the tests write it).
 */
export async function startPartnerPage(): Promise<FixtureServer> {
  const { createServer } = await import('node:http');
  const server = createServer((req, res) => {
    const html = partnerPageHtml(new URL(req.url ?? '/', 'http://x'));
    if (html === null) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(html);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The partner page of startPartnerPage() for `url` (null: not /meeting.html); tests that cannot reach a server of the test process (a network namespace) serve it with page.route. */
export function partnerPageHtml(url: URL): string | null {
  if (url.pathname !== '/meeting.html') return null;
  const signal = url.searchParams.get('server')!;
  const room = url.searchParams.get('room') ?? 'room';
  const attrs = url.searchParams.get('attrs') ?? 'autojoin';
  const lang = url.searchParams.get('lang') ?? 'en';
  const meetings = url.searchParams
    .getAll('name')
    .map(
      (name, i) =>
        `<un75-meeting id="m${i}" room="${escapeHtml(room)}" name="${escapeHtml(name)}" signaling="${signal.replace('http', 'ws')}/signal" ${attrs}></un75-meeting>`,
    )
    .join('\n');
  return `<!doctype html><html lang="${escapeHtml(lang)}"><head><meta charset="utf-8"><title>Partner page</title>
<script type="module" src="${signal}/un75-meeting.min.js"></script></head>
<body>${meetings}</body></html>`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * Polls `check` in the page until it returns a truthy value or the (generous: busy machines) time runs out.
 * An expression given as a string is evaluated through the DevTools protocol, which a page's
 * Content-Security-Policy does not govern (waitForFunction would compile it with eval in the page).
 */
export async function waitInPage<T>(page: Page, check: (() => T) | string, what: string, timeout = 45000): Promise<T> {
  if (typeof check === 'string') {
    const deadline = Date.now() + timeout;
    let failure = '';
    for (;;) {
      // What the page does not have yet (an element not upgraded, a call not joined) may throw.
      const value = (await page.evaluate(check).catch((err: Error) => {
        failure = `; last error: ${err.message.split('\n')[0]}`;
        return undefined;
      })) as T;
      if (value) return value;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what} (${timeout} ms)${failure}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  const handle = await page.waitForFunction(check, undefined, { timeout, polling: 200 }).catch((err: Error) => {
    throw new Error(`timed out waiting for ${what}: ${err.message.split('\n')[0]}`);
  });
  return (await handle.jsonValue()) as T;
}

/**
 * Waits until meeting `meeting` of the page (with probes.js) shows every one of `others` with video
 * frames, then until each of them presents more frames than it had: live video, not a frozen frame.
 * Waits on the frame counters, never on a fixed time, so a busy machine only makes it slower.
 */
export async function seesMovingVideo(page: Page, others: string[], meeting = 0, timeout = 30000): Promise<void> {
  const names = JSON.stringify(others);
  await waitInPage(
    page,
    `(() => { const v = __un75.remoteVideo(${meeting}); return ${names}.every((n) => v.some((t) => t.name === n && t.frames > 0 && t.width > 0)); })()`,
    `video from ${others.join(', ')}`,
    timeout,
  );
  const first = (await page.evaluate(`__un75.remoteVideo(${meeting})`)) as { name: string; frames: number }[];
  const before = JSON.stringify(Object.fromEntries(first.map((t) => [t.name, t.frames])));
  await waitInPage(
    page,
    `(() => { const b = ${before}; const v = __un75.remoteVideo(${meeting}); return ${names}.every((n) => v.some((t) => t.name === n && t.frames > b[n] + 2)); })()`,
    `video from ${others.join(', ')} to keep moving`,
    timeout,
  );
}

/** A browser instance of its own (own flags, own environment), closed by closeBrowsers(). */
export async function launchBrowser(options: { args?: string[]; env?: Record<string, string>; muted?: boolean } = {}): Promise<Browser> {
  const base = options.muted === false ? CHROME_ARGS.filter((a) => a !== '--mute-audio') : CHROME_ARGS;
  const b = await chromium.launch({
    executablePath: chromePath(),
    args: [...base, ...(options.args ?? [])],
    ...(options.env ? { env: { ...process.env, ...options.env } as Record<string, string> } : {}),
    // Playwright mutes Chromium by default; a browser whose output is recorded must not be.
    ...(options.muted === false ? { ignoreDefaultArgs: ['--mute-audio'] } : {}),
  });
  browsers.push(b);
  return b;
}

/** coturn also listens on TCP: once that accepts, the UDP listener beside it is up too. */
async function waitForTcp(port: number, timeoutMs: number): Promise<void> {
  const { connect } = await import('node:net');
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1', () => {
        socket.destroy();
        resolve(true);
      });
      socket.on('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`turnserver did not listen on ${port}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export interface RunningTurn {
  port: number;
  /** What coturn printed so far (every start of it). */
  log(): string;
  stop(signal?: NodeJS.Signals): Promise<void>;
  /** Starts coturn again on the same port (after stop): every allocation it held is gone. */
  restart(): Promise<void>;
}

/**
 * A real coturn on loopback (`turnserver`, Debian package coturn) with TURN REST credentials from
 * `secret`, the way un75-signal's `--turn-secret` issues them. Resolves once it listens.
 */
export async function startTurn(secret: string, port?: number): Promise<RunningTurn> {
  const { freePort } = await import('../server/helpers.js');
  const listening = port ?? (await freePort());
  let output = '';
  let child: ChildProcess;
  const start = async () => {
    const minPort = 49152 + Math.floor(Math.random() * 10000);
    child = spawn(
      'turnserver',
      [
        '-n',
        '--listening-ip=127.0.0.1',
        '--relay-ip=127.0.0.1',
        `--listening-port=${listening}`,
        `--min-port=${minPort}`,
        `--max-port=${minPort + 200}`,
        '--allow-loopback-peers',
        '--use-auth-secret',
        `--static-auth-secret=${secret}`,
        '--realm=un75.test',
        '--no-tls',
        '--no-dtls',
        '--no-cli',
        '--log-file=stdout',
        '--simple-log',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    child.stdout!.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
    await waitForTcp(listening, 30_000).catch((err: unknown) => {
      child.kill('SIGKILL'); // not left running when it did not come up in time
      throw err;
    });
  };
  const stop = async (signal: NodeJS.Signals = 'SIGTERM') => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    child.kill(signal);
    await exited;
  };
  await start();
  return { port: listening, log: () => output, stop, restart: start };
}

/** The lines the page's caption overlay shows (translated ones, not the originals beside them): speaker, text, language, direction, label. */
export const overlayLines = `(() => {
  const captions = document.querySelector('un75-meeting')?.shadowRoot?.querySelector('un75-captions');
  return [...(captions?.shadowRoot?.querySelectorAll('[part~="caption-line"]:not([part~="original"])') ?? [])].map((line) => ({
    speaker: line.querySelector('[part="speaker"]')?.textContent ?? '',
    text: line.querySelector('[part="text"]')?.textContent ?? '',
    lang: line.lang,
    dir: line.dir,
    direction: getComputedStyle(line).direction,
    label: line.querySelector('[part="label"]')?.getAttribute('title') ?? null,
  }));
})()`;
