import { createHash } from 'node:crypto';
import { createReadStream, existsSync, type Stats } from 'node:fs';
import { readFile, realpath, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';

const gzipAsync = promisify(gzip);
const brotliAsync = promisify(brotliCompress);

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.vtt': 'text/vtt; charset=utf-8',
  '.wasm': 'application/wasm',
  '.woff2': 'font/woff2',
  '.webm': 'video/webm',
  '.mp4': 'video/mp4',
  '.wav': 'audio/wav',
};

/**
 * The package root, found by walking up from this file: the same code runs from `server/` under
 * tsx and from `server/dist/server/` once compiled.
 */
export function packageRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(path.join(dir, 'package.json')) && existsSync(path.join(dir, 'bin', 'un75-signal.js'))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('un75-signal: cannot find its package root');
    dir = parent;
  }
}

/**
 * Files every server serves whatever `--static` says: the client bundle a partner page loads — the
 * CDN entry and the chunks it loads (content-hashed names), with their source maps.
 */
const BUNDLE_FILE = /^\/un75-[a-z0-9.-]+\.js(?:\.map)?$/;

/** Types worth compressing; images, fonts and media already are. */
const COMPRESSIBLE = new Set(['.html', '.js', '.mjs', '.css', '.json', '.map', '.svg', '.txt', '.vtt', '.wasm']);
/** Script files: partner pages on other origins load them (module scripts need CORS). */
const SCRIPTS = new Set(['.js', '.mjs', '.map']);
/**
 * A content-hashed name (`chunk-3f2a9b1c.js`, `app.5d41402abc4b.css`): its content never changes,
 * so it may be cached for a year. Eight or more hex digits, at least one of them a digit.
 */
const VERSIONED = /[.-](?=[0-9a-f]*\d)[0-9a-f]{8,}\.[a-z0-9]+(?:\.map)?$/i;

export const IMMUTABLE = 'public, max-age=31536000, immutable';

/**
 * What the demo pages (and any page under `--static`) may do: scripts from this origin plus the
 * inline scripts of the page itself (their hashes are added per page), connections to signaling
 * and translation servers, camera and microphone streams. No plugins, no framing by other sites.
 * Plain `http:` only to the visitor's own machine: a LibreTranslate tried locally listens on
 * `http://localhost:5000`, and a page served from elsewhere may not reach into other networks.
 * (CSP host sources cannot name an IPv6 literal, so `[::1]` is not among them.)
 */
export const DEFAULT_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "media-src 'self' blob: mediastream:",
  "connect-src 'self' https: wss: ws: http://localhost:* http://127.0.0.1:*",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'self'",
].join('; ');

export interface StaticOptions {
  /** Bytes of file content (all encodings) kept in memory. Default 64 MiB. */
  cacheBytes?: number;
  /**
   * Compressions (gzip or brotli of one file) running at once. Default 2. Brotli, made in the
   * background, leaves one of them to gzip. When none is free, a response goes out uncompressed and
   * the encoding is made on a later request.
   */
  maxCompressions?: number;
  /** Files larger than this are streamed as they are, neither cached nor compressed. Default 8 MiB. */
  maxCachedFileBytes?: number;
  /**
   * Content-Security-Policy of HTML pages, sent as written; false sends none. Default DEFAULT_CSP
   * plus the hashes of each page's inline scripts.
   */
  contentSecurityPolicy?: string | false;
}

export interface StaticStats {
  /** Compressions running now. */
  compressing: number;
  /** The most that ever ran at once. */
  peakCompressing: number;
  /** Compressions not started because all were busy (the response went out without that encoding). */
  deferred: number;
}

interface Entry {
  mtimeMs: number;
  size: number;
  /** The hash of the content, shared by the ETags of its encodings. */
  hash: string;
  identity: Buffer;
  gzip: Buffer | null;
  br: Buffer | null;
  /** Encodings still to try: every compression slot was busy when they were wanted. */
  pending: { gzip: boolean; br: boolean };
  /** Makes what is pending, as far as slots allow (see complete()). */
  complete: () => Promise<void>;
  /** For HTML: the hashes of its inline scripts, for the CSP. */
  scriptHashes: string[];
  bytes: number;
}

/**
 * Compressions in flight, bounded. gzip -9 and brotli -11 run on libuv's thread pool (four
 * threads unless UV_THREADPOOL_SIZE says otherwise), where every request's realpath, stat and
 * read run too. Past the cache each miss of a compressible file costs hundreds of milliseconds of
 * CPU there; unbounded, a stream of misses (distinct files, or more files than the cache holds)
 * would queue every other request, cached ones included, behind them. A miss that finds every slot
 * busy is served uncompressed at once instead. Brotli at quality 11 holds a slot for seconds, so it
 * leaves one to gzip (when there are two or more): a page's later scripts still go out gzipped
 * while the first one's brotli is being made.
 */
class Compressions {
  readonly stats: StaticStats = { compressing: 0, peakCompressing: 0, deferred: 0 };

  constructor(private readonly slots: number) {}

  /** Starts `compress` if a slot is free (for `background` work, one besides); null if not: nothing is queued. */
  run<T>(compress: () => Promise<T>, background = false): Promise<T> | null {
    if (this.stats.compressing >= (background ? Math.max(1, this.slots - 1) : this.slots)) {
      this.stats.deferred++;
      return null;
    }
    this.stats.compressing++;
    this.stats.peakCompressing = Math.max(this.stats.peakCompressing, this.stats.compressing);
    return compress().finally(() => this.stats.compressing--);
  }
}

type Encoding = 'br' | 'gzip' | 'identity';

/**
 * Files read, hashed and compressed once (gzip level 9, brotli quality 11: they are served many
 * times, so the smallest output is worth it), then kept in memory up to a byte cap, least recently used first out. A changed file
 * (mtime or size) is read again.
 */
class FileCache {
  private readonly entries = new Map<string, Promise<Entry>>();
  private readonly sizes = new Map<string, number>();
  private total = 0;

  constructor(
    private readonly capBytes: number,
    readonly compressions: Compressions,
  ) {}

  get(file: string, info: Stats): Promise<Entry> {
    const cached = this.entries.get(file);
    if (cached) {
      this.entries.delete(file);
      this.entries.set(file, cached);
      return cached.then((entry) => (entry.mtimeMs === info.mtimeMs && entry.size === info.size ? entry : this.load(file, info)));
    }
    return this.load(file, info);
  }

  private load(file: string, info: Stats): Promise<Entry> {
    this.forget(file);
    // Until the entry is built, what it grows by is in its `bytes`, counted once it is.
    let built = false;
    const loading = build(file, info, this.compressions, (bytes) => {
      if (!built || this.entries.get(file) !== loading) return;
      this.sizes.set(file, (this.sizes.get(file) ?? 0) + bytes);
      this.total += bytes;
    });
    this.entries.set(file, loading);
    loading.then(
      (entry) => {
        built = true;
        if (this.entries.get(file) !== loading) return;
        this.sizes.set(file, entry.bytes);
        this.total += entry.bytes;
        for (const key of this.entries.keys()) {
          if (this.total <= this.capBytes) break;
          if (key !== file) this.forget(key);
        }
      },
      () => this.forget(file),
    );
    return loading;
  }

  private forget(file: string): void {
    this.entries.delete(file);
    this.total -= this.sizes.get(file) ?? 0;
    this.sizes.delete(file);
  }
}

/** Reads and hashes a file, and compresses it as far as compression slots allow (see complete()). */
async function build(file: string, info: Stats, compressions: Compressions, grew: (bytes: number) => void): Promise<Entry> {
  const identity = await readFile(file);
  const ext = path.extname(file).toLowerCase();
  const compressible = COMPRESSIBLE.has(ext) && identity.length > 256;
  const scriptHashes: string[] = [];
  if (ext === '.html') {
    for (const m of identity.toString('utf8').matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script\s*>/gi)) {
      if (/\ssrc\s*=/i.test(m[1]!)) continue;
      scriptHashes.push(`'sha256-${createHash('sha256').update(m[2]!, 'utf8').digest('base64')}'`);
    }
  }
  const entry: Entry = {
    mtimeMs: info.mtimeMs,
    size: info.size,
    hash: createHash('sha256').update(identity).digest('base64url').slice(0, 27),
    identity,
    gzip: null,
    br: null,
    pending: { gzip: compressible, br: compressible },
    complete: () => complete(entry, compressions, grew),
    scriptHashes,
    bytes: identity.length,
  };
  await entry.complete();
  return entry;
}

/**
 * Makes the encodings an entry still lacks, each only if a compression slot is free now. gzip is
 * awaited, so the visitor who asked gets it; brotli at quality 11 takes seconds for the bundle on a
 * busy machine, so it is made in the background and brotli clients get gzip until it is ready.
 * What finds no free slot stays pending for the next request.
 */
async function complete(entry: Entry, compressions: Compressions, grew: (bytes: number) => void): Promise<void> {
  const { identity, pending } = entry;
  const keep = (encoding: 'gzip' | 'br') => (out: Buffer) => {
    // An encoding that saves nothing is not worth a Vary miss.
    if (out.length >= identity.length) return;
    entry[encoding] = out;
    entry.bytes += out.length;
    grew(out.length);
  };
  if (pending.gzip) {
    const gz = compressions.run(() => gzipAsync(identity, { level: 9 }));
    if (gz) {
      pending.gzip = false;
      await gz.then(keep('gzip'), () => {});
    }
  }
  if (pending.br) {
    const br = compressions.run(
      () => brotliAsync(identity, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: identity.length } }),
      true,
    );
    if (br) {
      pending.br = false;
      br.then(keep('br'), () => {});
    }
  }
}

/** The best encoding the client accepts (RFC 9110 §12.5.3): brotli, then gzip, else none. */
export function chooseEncoding(acceptEncoding: string | undefined, available: { br: boolean; gzip: boolean }): Encoding {
  if (!acceptEncoding) return 'identity';
  const q = new Map<string, number>();
  for (const part of acceptEncoding.split(',')) {
    const [name = '', ...params] = part.trim().toLowerCase().split(';');
    const weight = params.map((p) => /^\s*q=([0-9.]+)\s*$/.exec(p)).find(Boolean);
    q.set(name.trim(), weight ? Number(weight[1]) : 1);
  }
  const accepts = (name: string) => (q.get(name) ?? q.get('*') ?? 0) > 0;
  if (available.br && accepts('br')) return 'br';
  if (available.gzip && (accepts('gzip') || accepts('x-gzip'))) return 'gzip';
  return 'identity';
}

/** Serves GET/HEAD for files under `staticDir` plus the package's own client bundle. */
export function createStaticHandler(
  staticDir: string | undefined,
  distDir = path.join(packageRoot(), 'dist'),
  options: StaticOptions = {},
): ((req: IncomingMessage, res: ServerResponse) => void) & { stats(): StaticStats } {
  // Resolved lazily: the directory may be created after the server starts (a build in watch mode).
  let staticRoot: Promise<string | null> | null = null;
  const root = () => (staticRoot ??= staticDir ? realpath(path.resolve(staticDir)).catch(() => null) : Promise.resolve(null));
  let bundleRoot: Promise<string | null> | null = null;
  const bundle = () => (bundleRoot ??= realpath(distDir).catch(() => null));
  const cache = new FileCache(options.cacheBytes ?? 64 * 1024 * 1024, new Compressions(Math.max(1, options.maxCompressions ?? 2)));
  const server: Server = {
    cache,
    maxCached: options.maxCachedFileBytes ?? 8 * 1024 * 1024,
    csp: options.contentSecurityPolicy === undefined ? DEFAULT_CSP : options.contentSecurityPolicy,
  };

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    res.setHeader('x-content-type-options', 'nosniff');
    res.setHeader('referrer-policy', 'no-referrer');
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' }).end('Method not allowed\n');
      return;
    }
    let pathname: string;
    try {
      pathname = decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').pathname);
    } catch {
      notFound(res);
      return;
    }
    // No NUL, no backslash (a separator elsewhere), and no dotfile or dot-directory (.env, .git/).
    if (pathname.includes('\0') || pathname.includes('\\') || pathname.split('/').some((s) => s.startsWith('.'))) {
      notFound(res);
      return;
    }
    if (BUNDLE_FILE.test(pathname)) {
      void bundle().then((dir) => (dir ? sendFile(server, req, res, path.join(dir, pathname.slice(1)), dir) : notFound(res)));
      return;
    }
    void root().then((dir) => {
      if (!dir) return notFound(res);
      const relative = pathname.endsWith('/') ? `${pathname}index.html` : pathname;
      return sendFile(server, req, res, path.join(dir, path.normalize(relative)), dir);
    });
  };
  return Object.assign(handle, { stats: () => ({ ...cache.compressions.stats }) });
}

interface Server {
  cache: FileCache;
  maxCached: number;
  csp: string | false;
}

async function sendFile(server: Server, req: IncomingMessage, res: ServerResponse, file: string, root: string): Promise<void> {
  try {
    // realpath, not just normalize: a symlink inside the root must not lead outside it.
    let real = await realpath(file);
    let info = await stat(real);
    if (info.isDirectory()) {
      real = await realpath(path.join(real, 'index.html'));
      info = await stat(real);
    }
    if (!info.isFile() || (real !== root && !real.startsWith(root + path.sep))) return notFound(res);
    // Nor may a symlink lead to a dotfile inside the root.
    if (path.relative(root, real).split(path.sep).some((s) => s.startsWith('.'))) return notFound(res);
    const ext = path.extname(real).toLowerCase();
    const headers: Record<string, string | number> = {
      'content-type': CONTENT_TYPES[ext] ?? 'application/octet-stream',
      'cache-control': VERSIONED.test(path.basename(real)) ? IMMUTABLE : 'no-cache',
    };
    if (SCRIPTS.has(ext)) {
      headers['access-control-allow-origin'] = '*';
      headers['cross-origin-resource-policy'] = 'cross-origin';
    }
    if (info.size > server.maxCached) {
      // Too large to keep: streamed as it is, with an ETag from its size and modification time.
      headers.etag = `"${info.size.toString(36)}-${Math.floor(info.mtimeMs).toString(36)}"`;
      if (notModified(req, String(headers.etag))) return void res.writeHead(304, without(headers, 'content-type')).end();
      res.writeHead(200, { ...headers, 'content-length': info.size });
      if (req.method === 'HEAD') return void res.end();
      const stream = createReadStream(real);
      stream.on('error', () => res.destroy());
      stream.pipe(res);
      return;
    }
    const entry = await server.cache.get(real, info);
    if (entry.pending.gzip || entry.pending.br) await entry.complete();
    const encoding = chooseEncoding(req.headers['accept-encoding'], { br: entry.br !== null, gzip: entry.gzip !== null });
    const body = encoding === 'br' ? entry.br! : encoding === 'gzip' ? entry.gzip! : entry.identity;
    // Each encoding is its own representation, so each has its own strong ETag.
    headers.etag = `"${entry.hash}${encoding === 'identity' ? '' : `-${encoding === 'br' ? 'br' : 'gz'}`}"`;
    // Also while an encoding is pending: a later response of this URL will be compressed.
    if (entry.br || entry.gzip || entry.pending.gzip || entry.pending.br) headers.vary = 'Accept-Encoding';
    if (ext === '.html' && server.csp !== false) {
      headers['content-security-policy'] =
        server.csp === DEFAULT_CSP && entry.scriptHashes.length
          ? DEFAULT_CSP.replace("script-src 'self'", `script-src 'self' ${entry.scriptHashes.join(' ')}`)
          : server.csp;
    }
    if (notModified(req, String(headers.etag))) return void res.writeHead(304, without(headers, 'content-type')).end();
    if (encoding !== 'identity') headers['content-encoding'] = encoding;
    res.writeHead(200, { ...headers, 'content-length': body.length });
    res.end(req.method === 'HEAD' ? undefined : body);
  } catch {
    notFound(res);
  }
}

/** If-None-Match names this representation (or `*`). */
function notModified(req: IncomingMessage, etag: string): boolean {
  const header = req.headers['if-none-match'];
  if (!header) return false;
  return header.trim() === '*' || header.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag);
}

function without(headers: Record<string, string | number>, name: string): Record<string, string | number> {
  const { [name]: _dropped, ...rest } = headers;
  return rest;
}

function notFound(res: ServerResponse): void {
  if (res.headersSent) return;
  res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('Not found\n');
}
