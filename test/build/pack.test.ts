// What `npm pack` ships, and whether a partner's app type-checks against it: the tarball is
// unpacked into a temporary project (its own node_modules, with the framework types linked from
// this repository's devDependencies, so no network) and a React TSX file, a Vue SFC and Svelte
// props are checked with tsc / vue-tsc, right and wrong.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const exec = promisify(execFile);
const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
const npm = (args: string[], cwd: string) => exec('npm', args, { cwd, timeout: 180_000, maxBuffer: 64 * 1024 * 1024 });

interface PackResult {
  filename: string;
  size: number;
  unpackedSize: number;
  entryCount: number;
  files: { path: string; size: number }[];
}
let packed: PackResult;
let app: string;

before(async () => {
  app = mkdtempSync(path.join(tmpdir(), 'un75-app-'));
  const { stdout } = await npm(['pack', '--json', '--pack-destination', app], root);
  packed = (JSON.parse(stdout) as PackResult[])[0]!;
  // The app's node_modules: the unpacked tarball, and everything else linked from this repository.
  const modules = path.join(app, 'node_modules');
  mkdirSync(path.join(modules, 'un75-meeting'), { recursive: true });
  await exec('tar', ['-xzf', path.join(app, packed.filename), '-C', path.join(modules, 'un75-meeting'), '--strip-components=1']);
  for (const entry of readdirSync(path.join(root, 'node_modules'))) {
    if (entry === 'un75-meeting' || entry.startsWith('.')) continue;
    symlinkSync(path.join(root, 'node_modules', entry), path.join(modules, entry));
  }
  for (const file of readdirSync(path.join(root, 'test/build/consumer'))) cpSync(path.join(root, 'test/build/consumer', file), path.join(app, file));
  writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'partner-app', private: true, type: 'module' }));
});
after(() => rmSync(app, { recursive: true, force: true }));

test('the tarball ships the build, types for every export, the manifest and the licence, and nothing else', () => {
  const files = new Set(packed.files.map((f) => f.path));
  for (const file of ['LICENSE', 'README.md', 'package.json', 'custom-elements.json', 'dist/un75-meeting.min.js', 'schema/dialogue-report-1.schema.json']) assert.ok(files.has(file), file);
  assert.match(readFileSync(path.join(root, 'LICENSE'), 'utf8'), /^MIT License\n\nCopyright \(c\) 2026 un75 contributors/);
  for (const file of files) {
    assert.match(file, /^(dist\/|schema\/[a-z0-9-]+\.schema\.json$|LICENSE$|README\.md$|package\.json$|custom-elements\.json$)/, `${file} is not meant to ship`);
    assert.doesNotMatch(file, /(^|\/)(test|bench|src|scripts|server)\//, `${file}: the server is its own package`);
    assert.doesNotMatch(file, /\.(test|e2e)\.[jt]s$/, file);
  }
  // Every export path resolves to a shipped file, and every JavaScript export has types.
  for (const [subpath, target] of Object.entries(pkg.exports as Record<string, string | Record<string, string>>)) {
    const targets = typeof target === 'string' ? { default: target } : target;
    for (const file of Object.values(targets)) assert.ok(files.has(file.replace(/^\.\//, '')), `${subpath} → ${file} is in the tarball`);
    if (/\.json$/.test(subpath) || subpath.endsWith('.min.js')) continue;
    assert.ok(typeof target === 'object' && target.types, `${subpath} has types`);
  }
  // Each element on its own.
  const tags = JSON.parse(readFileSync(path.join(root, 'custom-elements.json'), 'utf8'))
    .modules.flatMap((m: { declarations?: { tagName?: string }[] }) => m.declarations ?? [])
    .map((d: { tagName?: string }) => d.tagName)
    .filter(Boolean) as string[];
  for (const tag of tags) assert.ok(pkg.exports[`./${tag}.js`], `un75-meeting/${tag}.js is exported`);
  assert.equal(pkg['web-types'], './dist/web-types.json');
});

test('nothing runs at install, and the browser package depends on browser code only', () => {
  const server = JSON.parse(readFileSync(path.join(root, 'server/package.json'), 'utf8'));
  for (const script of ['preinstall', 'install', 'postinstall', 'prepare', 'prepublish']) {
    assert.equal(pkg.scripts?.[script], undefined, `no ${script} script`);
    assert.equal(server.scripts?.[script], undefined, `no ${script} script in un75-signal`);
  }
  const shipped = JSON.parse(readFileSync(path.join(app, 'node_modules/un75-meeting/package.json'), 'utf8'));
  for (const name of ['simple-peer', 'readable-stream', 'debug']) assert.equal(shipped.dependencies?.[name], undefined, `${name} is vendored, not a dependency`);
  for (const name of ['ws', 'jose', 'ioredis', 'ajv', 'ajv-formats']) {
    assert.equal(shipped.dependencies?.[name], undefined, `${name} is the server's, not the browser's`);
    assert.ok(server.dependencies[name], `un75-signal depends on ${name}`);
  }
  assert.deepEqual(Object.keys(shipped.dependencies).sort(), ['@lit/context', 'lit']);
  assert.equal(shipped.bin, undefined, 'the un75-signal command comes with the un75-signal package');
  assert.deepEqual(Object.keys(shipped.peerDependenciesMeta ?? {}).sort(), Object.keys(shipped.peerDependencies ?? {}).sort(), 'every peer is optional');
});

test('un75-signal ships its compiled server with types, its bin, the bundle it serves and the licence', async () => {
  const { stdout } = await npm(['pack', '--dry-run', '--json', '--workspace', 'un75-signal'], root);
  const server = (JSON.parse(stdout) as PackResult[])[0]!;
  const files = new Set(server.files.map((f) => f.path));
  const manifest = JSON.parse(readFileSync(path.join(root, 'server/package.json'), 'utf8'));
  for (const file of ['LICENSE', 'package.json', manifest.bin['un75-signal'], 'dist/server/cli.js', 'dist/server/index.js', 'dist/server/index.d.ts', 'dist/src/protocol/signaling.js', 'dist/un75-meeting.min.js', 'dist/schema/dialogue-report-1.schema.json']) {
    assert.ok(files.has(file), `${file} is in un75-signal`);
  }
  assert.equal(manifest.exports['.'].types, './dist/server/index.d.ts');
  assert.match(readFileSync(path.join(root, 'server', manifest.exports['.'].types), 'utf8'), /export declare function createSignalingServer/);
  for (const file of files) assert.match(file, /^(dist\/|bin\/|LICENSE$|README\.md$|package\.json$)/, `${file} is not meant to ship in un75-signal`);
  for (const file of files) assert.ok(!file.endsWith('.ts') || file.endsWith('.d.ts'), `${file}: no TypeScript sources`);
});

test('the packed un75-signal command starts and serves the bundle', async (t) => {
  const { stdout } = await npm(['pack', '--json', '--workspace', 'un75-signal', '--pack-destination', app], root);
  const tarball = path.join(app, (JSON.parse(stdout) as PackResult[])[0]!.filename);
  const dir = path.join(app, 'node_modules/un75-signal');
  rmSync(dir, { recursive: true, force: true }); // the link to the workspace folder
  mkdirSync(dir);
  await exec('tar', ['-xzf', tarball, '-C', dir, '--strip-components=1']);
  // What npm would install beside it where the app's copy differs (ajv 8; the app's ajv is eslint's 6).
  if (existsSync(path.join(root, 'server/node_modules'))) {
    mkdirSync(path.join(dir, 'node_modules'));
    for (const entry of readdirSync(path.join(root, 'server/node_modules'))) {
      if (!entry.startsWith('.')) symlinkSync(path.join(root, 'server/node_modules', entry), path.join(dir, 'node_modules', entry));
    }
  }
  const { spawn } = await import('node:child_process');
  const child = spawn(process.execPath, [path.join(dir, 'bin/un75-signal.js'), '--port', '0', '--host', '127.0.0.1'], { cwd: app, stdio: ['ignore', 'pipe', 'pipe'] });
  t.after(() => child.kill());
  let out = '';
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`un75-signal did not start:\n${out}`)), 15_000);
    const read = (chunk: Buffer) => {
      out += chunk.toString();
      const m = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    };
    child.stdout.on('data', read);
    child.stderr.on('data', read);
    child.once('exit', (code) => reject(new Error(`un75-signal exited with ${code}:\n${out}`)));
  });
  const response = await fetch(`http://127.0.0.1:${port}/un75-meeting.min.js`);
  assert.equal(response.status, 200);
  assert.equal(await response.text(), readFileSync(path.join(root, 'dist/un75-meeting.min.js'), 'utf8'));
});

/** `file(line,col): error …` lines of a tsc / vue-tsc run: [file, line] of each error. */
const checkers = { tsc: 'typescript/bin/tsc', 'vue-tsc': 'vue-tsc/bin/vue-tsc.js' };
async function typeErrors(tool: keyof typeof checkers, project: string): Promise<{ code: number; errors: [string, number][]; output: string }> {
  const bin = path.join(root, 'node_modules', checkers[tool]);
  const { code, output } = await exec(process.execPath, [bin, '-p', project, '--pretty', 'false'], { cwd: app, timeout: 240_000, maxBuffer: 16 * 1024 * 1024 }).then(
    ({ stdout, stderr }) => ({ code: 0, output: stdout + stderr }),
    (error: { code: number; stdout: string; stderr: string }) => ({ code: error.code, output: error.stdout + error.stderr }),
  );
  const errors = [...output.matchAll(/^(\S+?)\((\d+),\d+\): error/gm)].map((m) => [path.basename(m[1]!), Number(m[2])] as [string, number]);
  // A checker that failed without naming a file and line did not check anything.
  if (code !== 0) assert.ok(errors.length > 0, `${tool} failed without type errors:\n${output}`);
  return { code, errors, output };
}

/** Lines right after each `@error` marker of a file: where the wrong file must fail. */
function expectedErrors(file: string): [string, number][] {
  return readFileSync(path.join(app, file), 'utf8')
    .split('\n')
    .flatMap((line, i) => (line.includes('@error') ? [[file, i + 2] as [string, number]] : []));
}

const tsconfig = (name: string, files: string[], extra: Record<string, unknown> = {}) =>
  writeFileSync(
    path.join(app, name),
    JSON.stringify({
      compilerOptions: {
        target: 'ES2022',
        module: 'ESNext',
        moduleResolution: 'Bundler',
        lib: ['ES2023', 'DOM', 'DOM.Iterable'],
        jsx: 'react-jsx',
        strict: true,
        noEmit: true,
        skipLibCheck: true,
        types: [],
      },
      files,
      ...extra,
    }),
  );

test('a React 19 TSX file and Svelte props type-check against the package, and mistakes do not', async () => {
  tsconfig('tsconfig.right.json', ['App.tsx', 'svelte-props.ts']);
  const right = await typeErrors('tsc', 'tsconfig.right.json');
  assert.deepEqual(right.errors, [], right.output);
  assert.equal(right.code, 0, right.output);

  tsconfig('tsconfig.wrong.json', ['AppWrong.tsx', 'svelte-wrong.ts']);
  const wrong = await typeErrors('tsc', 'tsconfig.wrong.json');
  const expected = [...expectedErrors('AppWrong.tsx'), ...expectedErrors('svelte-wrong.ts')];
  assert.deepEqual([...new Set(wrong.errors.map((e) => e.join(':')))].sort(), expected.map((e) => e.join(':')).sort(), wrong.output);

  // Without the binding, the element is unknown to React's JSX: what partners hit before.
  writeFileSync(path.join(app, 'Bare.tsx'), readFileSync(path.join(app, 'App.tsx'), 'utf8').replace("import 'un75-meeting/jsx';", ''));
  tsconfig('tsconfig.bare.json', ['Bare.tsx']);
  const bare = await typeErrors('tsc', 'tsconfig.bare.json');
  assert.match(bare.output, /'un75-meeting' does not exist on type 'JSX.IntrinsicElements'/);
});

test('a Vue SFC type-checks against the package with vue-tsc, and mistakes do not', async () => {
  const vue = { vueCompilerOptions: { strictTemplates: true } };
  tsconfig('tsconfig.vue-right.json', ['App.vue'], vue);
  const right = await typeErrors('vue-tsc', 'tsconfig.vue-right.json');
  assert.deepEqual(right.errors, [], right.output);
  assert.equal(right.code, 0, right.output);

  tsconfig('tsconfig.vue-wrong.json', ['AppWrong.vue'], vue);
  const wrong = await typeErrors('vue-tsc', 'tsconfig.vue-wrong.json');
  assert.deepEqual([...new Set(wrong.errors.map((e) => e.join(':')))].sort(), expectedErrors('AppWrong.vue').map((e) => e.join(':')).sort(), wrong.output);
});

test('the editor data lists every element with its attributes', () => {
  const dir = path.join(app, 'node_modules/un75-meeting');
  const vscode = JSON.parse(readFileSync(path.join(dir, 'dist/vscode.html-custom-data.json'), 'utf8'));
  const webTypes = JSON.parse(readFileSync(path.join(dir, 'dist/web-types.json'), 'utf8'));
  const meeting = vscode.tags.find((t: { name: string }) => t.name === 'un75-meeting');
  assert.ok(meeting.attributes.some((a: { name: string }) => a.name === 'listen-language'));
  const elements = webTypes.contributions.html.elements;
  assert.equal(elements.length, vscode.tags.length);
  assert.ok(elements.find((e: { name: string }) => e.name === 'un75-captions').events.some((e: { name: string }) => e.name === 'un75-transcript'));
  assert.equal(webTypes.version, pkg.version);
});
