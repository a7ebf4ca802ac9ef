// What the docs promise partners, kept true by the sources: the CDN snippets name the version in
// package.json, and every design token the styles read is documented in docs/styling.md.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const read = (file: string) => readFileSync(path.join(root, file), 'utf8');
const pkg = JSON.parse(read('package.json')) as { name: string; version: string };

/** Every file under `dir` (relative to the root) whose name ends with `suffix`. */
function files(dir: string, suffix: string): string[] {
  return readdirSync(path.join(root, dir), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith(suffix))
    .map((f) => path.join(dir, f));
}

test('every CDN snippet in the README and docs names the package.json version', () => {
  const pinned = `https://cdn.jsdelivr.net/npm/${pkg.name}@${pkg.version}/dist/un75-meeting.min.js`;
  let found = 0;
  for (const file of ['README.md', ...files('docs', '.md')]) {
    for (const [url] of read(file).matchAll(/https:\/\/(?:cdn\.jsdelivr\.net\/npm|unpkg\.com)\/[^\s"'<>)]+/g)) {
      assert.equal(url, pinned, `${file} links ${url}`);
      found++;
    }
  }
  assert.ok(read('README.md').includes(pinned), 'the README shows the snippet');
  assert.ok(read('docs/embedding.md').includes(pinned), 'docs/embedding.md shows the snippet');
  assert.ok(found >= 2);
});

test('every --un75-* token the styles use is documented in docs/styling.md', () => {
  const styles = files('src/components', '.styles.ts');
  assert.ok(styles.length >= 8, `found only ${styles.length} style files`);
  const used = new Set(styles.flatMap((f) => [...read(f).matchAll(/--un75-[a-z0-9-]+/g)].map((m) => m[0])));
  assert.ok(used.has('--un75-caption-size') && used.has('--un75-focus'), 'the scan sees the tokens');
  const documented = new Set([...read('docs/styling.md').matchAll(/^\| `(--un75-[a-z0-9-]+)` \|/gm)].map((m) => m[1]));
  const missing = [...used].filter((t) => !documented.has(t));
  assert.deepEqual(missing, [], 'add a row to the token table of docs/styling.md');
});
