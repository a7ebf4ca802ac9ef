// The HTTP side: static files, the client bundle, and the CLI printing where it listens.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startTestServer } from './helpers.js';

/** A raw GET, so that `..` segments reach the server as sent (fetch would normalise them). */
function get(port: number, rawPath: string, method = 'GET'): Promise<{ status: number; type: string; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: rawPath, method }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode!, type: String(res.headers['content-type'] ?? ''), body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('static files', () => {
  let dir: string;
  let server: Awaited<ReturnType<typeof startTestServer>>;
  let port: number;

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'un75-static-'));
    const site = path.join(dir, 'site');
    const bundle = path.join(dir, 'dist');
    await mkdir(path.join(site, 'sub'), { recursive: true });
    await mkdir(bundle);
    await writeFile(path.join(site, 'index.html'), '<h1>home</h1>');
    await writeFile(path.join(site, 'style.css'), 'body{}');
    await writeFile(path.join(site, 'sub', 'index.html'), '<h1>sub</h1>');
    await writeFile(path.join(dir, 'secret.txt'), 'top secret');
    await symlink(path.join(dir, 'secret.txt'), path.join(site, 'link.txt'));
    await writeFile(path.join(bundle, 'un75-meeting.min.js'), 'export const un75 = 1;');
    await writeFile(path.join(bundle, 'un75-meeting.min.js.map'), '{"version":3}');
    server = await startTestServer({ staticDir: site, bundleDir: bundle });
    port = server.address!.port;
  });
  after(async () => {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('/ and directories serve their index.html, files get their content type', async () => {
    assert.deepEqual(await get(port, '/'), { status: 200, type: 'text/html; charset=utf-8', body: '<h1>home</h1>' });
    assert.equal((await get(port, '/sub/')).body, '<h1>sub</h1>');
    const css = await get(port, '/style.css?v=2');
    assert.equal(css.status, 200);
    assert.equal(css.type, 'text/css; charset=utf-8');
    const head = await get(port, '/style.css', 'HEAD');
    assert.equal(head.status, 200);
    assert.equal(head.body, '');
  });

  test('the client bundle and its source map are always served', async () => {
    const js = await get(port, '/un75-meeting.min.js');
    assert.equal(js.status, 200);
    assert.equal(js.type, 'text/javascript; charset=utf-8');
    assert.equal(js.body, 'export const un75 = 1;');
    assert.equal((await get(port, '/un75-meeting.min.js.map')).type, 'application/json; charset=utf-8');
  });

  test('nothing outside the directory is reachable', async () => {
    for (const p of ['/../secret.txt', '/%2e%2e/secret.txt', '/sub/..%2f..%2fsecret.txt', '/link.txt', '/%00', '/..%5csecret.txt']) {
      const res = await get(port, p);
      assert.equal(res.status, 404, p);
      assert.ok(!res.body.includes('top secret'), p);
    }
  });

  test('missing files are 404 and other methods 405', async () => {
    assert.equal((await get(port, '/nope.html')).status, 404);
    assert.equal((await get(port, '/', 'POST')).status, 405);
  });
});

test('without --static only the bundle is served', async () => {
  const server = await startTestServer();
  try {
    assert.equal((await get(server.address!.port, '/')).status, 404);
    assert.equal((await get(server.address!.port, '/index.html')).status, 404);
  } finally {
    await server.close();
  }
});

test('the CLI prints the URL it really listens on and exits cleanly on SIGTERM', async () => {
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/cli.ts', '--port', '0', '--host', '127.0.0.1'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no address printed: ${out}`)), 15000);
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /un75-signal listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
  });
  assert.ok(port > 0);
  assert.equal((await get(port, '/nothing')).status, 404, 'the printed port answers');
  child.kill('SIGTERM');
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  assert.equal(code, 0);
});

test('the CLI refuses bad arguments with a clear message', async () => {
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/cli.ts', '--port', 'eighty'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr.on('data', (c: Buffer) => (err += c.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  assert.equal(code, 2);
  assert.match(err, /--port must be an integer/);
});
