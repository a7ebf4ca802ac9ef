// What `npm run build` hands to partners: checked as files, since bytes are not noisy.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const read = (file: string) => readFileSync(path.join(root, file), 'utf8');
const pkg = JSON.parse(read('package.json'));

test('the CDN bundle is one self-contained ES module: no bare imports, no Node globals', () => {
  const bundle = read('dist/un75-meeting.min.js');
  assert.doesNotMatch(bundle, /\bimport\s*[^(]*?from\s*["'][^./]/, 'a bare import would fail from a <script type="module">');
  assert.doesNotMatch(bundle, /\bimport\s*\(\s*["'][^./]/, 'no bare dynamic import');
  assert.doesNotMatch(bundle, /\brequire\s*\(/, 'no CommonJS require');
  assert.doesNotMatch(bundle, /\bprocess\.(env|nextTick|browser)\b/, 'no Node process global');
  assert.doesNotMatch(bundle, /\bBuffer\.(from|alloc|isBuffer)\b/, 'no Node Buffer global');
  for (const tag of ['un75-meeting', 'un75-lobby', 'un75-video-grid', 'un75-participant-tile', 'un75-controls']) {
    assert.ok(bundle.includes(`"${tag}"`), `${tag} is registered by the bundle`);
  }
});

test('the CDN bundle stays within its 45 KB gzip budget', () => {
  const size = gzipSync(readFileSync(path.join(root, 'dist/un75-meeting.min.js')), { level: 9 }).length;
  assert.ok(size <= 45 * 1024, `un75-meeting.min.js is ${(size / 1024).toFixed(1)} KB gzip, over the 45 KB budget`);
});

test('the npm build keeps lit external and ships types', () => {
  const element = read('dist/components/meeting/meeting.js');
  assert.match(element, /from\s*["']lit["']/, 'lit is imported, not inlined');
  assert.ok(existsSync(path.join(root, 'dist/index.d.ts')));
  assert.match(read('dist/components/meeting/un75-meeting.d.ts'), /'un75-meeting': Un75Meeting/);
  assert.equal(pkg.exports['.'].default, './dist/index.js');
  assert.ok(existsSync(path.join(root, pkg.exports['.'].default)));
  assert.ok(existsSync(path.join(root, pkg.jsdelivr)));
});

test('the custom elements manifest describes every element and package.json points to it', () => {
  assert.equal(pkg.customElements, 'custom-elements.json');
  const manifest = JSON.parse(read(pkg.customElements));
  const elements = manifest.modules.flatMap((m: { declarations?: { tagName?: string }[] }) => m.declarations ?? []).filter((d: { tagName?: string }) => d.tagName);
  const meeting = elements.find((d: { tagName: string }) => d.tagName === 'un75-meeting');
  assert.ok(meeting, 'un75-meeting is in the manifest');
  const attributes = meeting.attributes.map((a: { name: string }) => a.name);
  for (const name of ['room', 'signaling', 'name', 'autojoin', 'mic-off', 'camera-off']) assert.ok(attributes.includes(name), name);
  const events = meeting.events.map((e: { name: string }) => e.name);
  for (const name of ['un75-joined', 'un75-left', 'un75-participant-joined', 'un75-participant-left', 'un75-connection-state', 'un75-error']) {
    assert.ok(events.includes(name), name);
  }
  assert.ok(meeting.cssParts.some((p: { name: string }) => p.name === 'base'));
});

test('the un75-signal bin resolves to the compiled server', () => {
  assert.equal(pkg.bin['un75-signal'], 'bin/un75-signal.js');
  assert.ok(existsSync(path.join(root, 'dist/server/server/cli.js')));
});

test('un75-meeting/core loads in a browser with no import map: only relative imports, no Lit, no UI strings', () => {
  const exported = pkg.exports['./core'];
  assert.deepEqual(exported, { types: './dist/core/index.d.ts', default: './dist/core/index.js' });
  assert.ok(existsSync(path.join(root, exported.types)), 'the core ships its types');
  // Walk the whole module graph reachable from the entry.
  const seen = new Set<string>();
  const queue = [path.join(root, exported.default)];
  while (queue.length) {
    const file = queue.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    const code = readFileSync(file, 'utf8');
    for (const [, specifier] of code.matchAll(/(?:^|[;\n])\s*(?:import|export)\s[^;'"]*?from\s*['"]([^'"]+)['"]|\bimport\s*\(\s*['"]([^'"]+)['"]/g)) {
      if (specifier === undefined) continue;
      assert.match(specifier, /^\.\.?\//, `${path.relative(root, file)} imports "${specifier}": a browser needs an import map for that`);
      queue.push(path.resolve(path.dirname(file), specifier));
    }
  }
  const files = [...seen].map((f) => path.relative(root, f));
  assert.ok(files.includes('dist/core/meeting.js') && files.includes('dist/vendor/simple-peer.js'), `the graph reaches the call engine: ${files.join(', ')}`);
  assert.ok(!files.some((f) => f.startsWith('dist/components/') || f.startsWith('dist/i18n/')), 'no element, no UI strings');
});
