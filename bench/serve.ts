// Bytes on the wire for the client bundle as un75-signal serves it (identity, gzip, brotli): the
// entry alone and with every chunk it can load; the cost of the first request (read, hash and
// compress once) and of later ones (from memory), and what a revalidation (304) costs.
import { readdirSync } from 'node:fs';
import { request } from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createSignalingServer } from '../server/index.js';

const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;

function get(port: number, headers: Record<string, string>, file = '/un75-meeting.min.js'): Promise<{ status: number; wire: number; etag: string; ms: number }> {
  const start = performance.now();
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: file, headers }, (res) => {
      let body = 0;
      res.on('data', (c: Buffer) => (body += c.length));
      res.on('end', () => {
        // Status line and headers as sent, plus the body.
        const head = `HTTP/1.1 ${res.statusCode} ${res.statusMessage}\r\n${res.rawHeaders
          .map((v, i) => (i % 2 ? `${v}\r\n` : `${v}: `))
          .join('')}\r\n`;
        resolve({ status: res.statusCode!, wire: head.length + body, etag: String(res.headers.etag), ms: performance.now() - start });
      });
    });
    req.on('error', reject);
    req.end();
  });
}

export async function serveBench(): Promise<void> {
  const server = createSignalingServer({ port: 0, host: '127.0.0.1', stun: false, log: () => {} });
  await server.listen();
  const port = server.address!.port;
  try {
    console.log('## Serving the bundle (GET /un75-meeting.min.js from un75-signal, loopback)');
    const cold = await get(port, { 'accept-encoding': 'gzip, deflate, br' });
    const started = performance.now();
    // Brotli is made in the background; gzip is served until it is ready (bounded wait).
    for (let i = 0; i < 1200 && !(await get(port, { 'accept-encoding': 'br' })).etag.endsWith('-br"'); i++) {
      await new Promise((r) => setTimeout(r, 50));
    }
    const brotliMs = performance.now() - started;
    console.log(
      `first request (read, hash, gzip -9 once): ${cold.ms.toFixed(0)} ms; brotli -11 ready in the background ${brotliMs.toFixed(0)} ms later`,
    );
    for (const [name, accept] of [
      ['identity', ''],
      ['gzip', 'gzip'],
      ['br', 'gzip, deflate, br'],
    ] as const) {
      const first = await get(port, accept ? { 'accept-encoding': accept } : {});
      const times: number[] = [];
      for (let i = 0; i < 50; i++) times.push((await get(port, accept ? { 'accept-encoding': accept } : {})).ms);
      times.sort((a, b) => a - b);
      const revalidated = await get(port, { ...(accept ? { 'accept-encoding': accept } : {}), 'if-none-match': first.etag });
      console.log(
        `${name.padEnd(8)} entry ${kb(first.wire).padStart(9)} on the wire · median ${times[25]!.toFixed(2)} ms from memory · revalidation ${revalidated.status} ${revalidated.wire} bytes`,
      );
    }
    // The entry and every chunk (what a page that uses every element downloads once).
    const dist = path.join(path.dirname(fileURLToPath(import.meta.url)), '../server/dist');
    const files = readdirSync(dist).filter((f) => /^un75-.+\.js$/.test(f));
    for (const file of files) {
      for (let i = 0; i < 1200 && !(await get(port, { 'accept-encoding': 'br' }, `/${file}`)).etag.endsWith('-br"'); i++) {
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    for (const [name, accept] of [
      ['identity', ''],
      ['gzip', 'gzip'],
      ['br', 'gzip, deflate, br'],
    ] as const) {
      let total = 0;
      for (const file of files) total += (await get(port, accept ? { 'accept-encoding': accept } : {}, `/${file}`)).wire;
      console.log(`${name.padEnd(8)} entry and all ${files.length - 1} chunks ${kb(total).padStart(9)} on the wire`);
    }
  } finally {
    await server.close();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await serveBench();
