// Bytes a partner page downloads: the single-file CDN bundle, gzip and brotli, and what is in it.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { rollup } from 'rollup';
import resolve from '@rollup/plugin-node-resolve';
import terser from '@rollup/plugin-terser';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
const gzip = (b: Buffer | string) => gzipSync(b, { level: 9 }).length;
const brotli = (b: Buffer | string) => brotliCompressSync(b, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length;

/** Minified gzip size of one module with its dependencies, for the breakdown. */
async function bundledSize(input: string): Promise<number> {
  const bundle = await rollup({ input, plugins: [resolve({ browser: true, exportConditions: ['production'] })], logLevel: 'silent' });
  const { output } = await bundle.generate({ format: 'es', plugins: [terser({ module: true, compress: { passes: 2 } })] });
  await bundle.close();
  return gzip(output[0].code);
}

export async function sizeBench(): Promise<void> {
  const file = path.join(root, 'dist/un75-meeting.min.js');
  const bytes = readFileSync(file);
  console.log('## Bundle size (dist/un75-meeting.min.js)');
  console.log(`minified ${kb(bytes.length)} · gzip ${kb(gzip(bytes))} · brotli ${kb(brotli(bytes))}  (budget 45 KB gzip, goal 40 KB)`);
  const vendor = await bundledSize(path.join(root, 'dist/vendor/simple-peer.js'));
  const lit = await bundledSize(path.join(root, 'node_modules/lit/index.js'));
  console.log(`of which, alone: simple-peer with its browser shims ${kb(vendor)} gzip, lit ${kb(lit)} gzip`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await sizeBench();
