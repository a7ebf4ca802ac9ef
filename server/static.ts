import { createReadStream, existsSync } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

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
 * tsx and from `dist/server/server/` once compiled.
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

/** Files every server serves whatever `--static` says: the client bundle a partner page loads. */
const BUNDLE_FILES = ['/un75-meeting.min.js', '/un75-meeting.min.js.map'];

/** Serves GET/HEAD for files under `staticDir` plus the package's own client bundle. */
export function createStaticHandler(
  staticDir: string | undefined,
  distDir = path.join(packageRoot(), 'dist'),
): (req: IncomingMessage, res: ServerResponse) => void {
  // Resolved lazily: the directory may be created after the server starts (a build in watch mode).
  let staticRoot: Promise<string | null> | null = null;
  const root = () => (staticRoot ??= staticDir ? realpath(path.resolve(staticDir)).catch(() => null) : Promise.resolve(null));

  return (req, res) => {
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
    if (pathname.includes('\0')) {
      notFound(res);
      return;
    }
    if (BUNDLE_FILES.includes(pathname)) {
      // Partner pages on any origin load the bundle as a module script, which needs CORS.
      res.setHeader('access-control-allow-origin', '*');
      void sendFile(req, res, path.join(distDir, pathname.slice(1)), distDir);
      return;
    }
    void root().then((dir) => {
      if (!dir) return notFound(res);
      const relative = pathname.endsWith('/') ? `${pathname}index.html` : pathname;
      return sendFile(req, res, path.join(dir, path.normalize(relative)), dir);
    });
  };
}

async function sendFile(req: IncomingMessage, res: ServerResponse, file: string, root: string): Promise<void> {
  try {
    // realpath, not just normalize: a symlink inside the root must not lead outside it.
    let real = await realpath(file);
    let info = await stat(real);
    if (info.isDirectory()) {
      real = await realpath(path.join(real, 'index.html'));
      info = await stat(real);
    }
    if (!info.isFile() || (real !== root && !real.startsWith(root + path.sep))) return notFound(res);
    res.writeHead(200, {
      'content-type': CONTENT_TYPES[path.extname(real).toLowerCase()] ?? 'application/octet-stream',
      'content-length': info.size,
      'cache-control': 'no-cache',
      'x-content-type-options': 'nosniff',
    });
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    const stream = createReadStream(real);
    stream.on('error', () => res.destroy());
    stream.pipe(res);
  } catch {
    notFound(res);
  }
}

function notFound(res: ServerResponse): void {
  if (res.headersSent) return;
  res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('Not found\n');
}
