import typescript from '@rollup/plugin-typescript';
import resolve from '@rollup/plugin-node-resolve';
import terser from '@rollup/plugin-terser';
import minifyHTML from '@lit-labs/rollup-plugin-minify-html-literals';
import { readdirSync, rmSync } from 'node:fs';

// Two outputs from one source tree:
// - dist/**/*.js: unbundled ES modules with lit external, plus .d.ts, for npm users' bundlers;
// - dist/un75-meeting.min.js: the CDN entry for a <script type="module"> on any origin, with every
//   dependency inside, minified, split into chunks (dist/un75-*-<hash>.js) that it loads from its own
//   folder when a tag first appears (src/cdn.ts).
/**
 * Two chunks behind the entry: `un75-meeting` (the element, the pre-join screen, lit, the UI
 * strings) and `un75-call` (the call engine and the in-call elements that src/components/meeting/
 * call.ts loads, minus what the first already holds). Each group always arrives together, and one
 * gzip stream over a group is several KB smaller than a dozen small chunks (docs/architecture.md,
 * "Loading"). The price: an element used on its own (say <un75-captions>) loads its whole group.
 */
function twoChunks() {
  let call, preJoin;
  return (id, { getModuleInfo, getModuleIds }) => {
    if (!call) {
      const closure = (start, seen = new Set()) => {
        const stack = [start];
        while (stack.length) {
          const next = stack.pop();
          if (seen.has(next)) continue;
          seen.add(next);
          stack.push(...(getModuleInfo(next)?.importedIds ?? []));
        }
        return seen;
      };
      const ids = [...getModuleIds()];
      const find = (suffix) => ids.find((m) => m.replaceAll('\\', '/').endsWith(suffix));
      preJoin = closure(find('src/components/meeting/un75-meeting.ts'));
      call = new Set();
      for (const lazy of getModuleInfo(find('src/components/meeting/call.ts')).dynamicallyImportedIds) {
        for (const m of closure(lazy)) if (!preJoin.has(m)) call.add(m);
      }
    }
    // A module left to rollup would be pulled into whichever of the two imports it first.
    return call.has(id) ? 'un75-call' : preJoin.has(id) ? 'un75-meeting' : undefined;
  };
}

const onwarn = (warning, warn) => {
  if (warning.code === 'CIRCULAR_DEPENDENCY' && warning.ids?.every((id) => id.includes('node_modules'))) return;
  warn(warning);
};

export default [
  {
    // src/core/index.ts: the headless core, `un75-meeting/core`.
    // The AudioWorklet of server recognition is a module of its own that server-recognition.js
    // loads beside itself (`new URL('./un75-asr-worklet.js', import.meta.url)`).
    input: ['src/index.ts', 'src/core/index.ts', 'src/core/un75-asr-worklet.ts'],
    external: (id) => /^(lit|@lit\/|@lit-labs\/)/.test(id),
    output: { dir: 'dist', format: 'es', preserveModules: true, preserveModulesRoot: 'src', sourcemap: true },
    plugins: [typescript({ tsconfig: 'tsconfig.json', outDir: 'dist', declaration: true, declarationDir: 'dist' })],
    onwarn,
  },
  {
    input: { 'un75-meeting.min': 'src/cdn.ts', 'un75-asr-worklet': 'src/core/un75-asr-worklet.ts' },
    output: {
      dir: 'dist',
      format: 'es',
      sourcemap: true,
      entryFileNames: '[name].js',
      // Content-hashed (hex, so servers recognise the name as versioned and cache it for a year).
      chunkFileNames: (chunk) => (chunk.name.startsWith('un75-') ? '[name]-[hash].js' : 'un75-[name]-[hash].js'),
      hashCharacters: 'hex',
      manualChunks: twoChunks(),
    },
    plugins: [
      resolve({ browser: true }),
      typescript({ tsconfig: 'tsconfig.json', outDir: 'dist', declaration: false, declarationMap: false }),
      // The indentation inside html`` and css`` templates is bytes every visitor downloads.
      minifyHTML(),
      terser({ ecma: 2022, module: true, compress: { passes: 2 }, format: { comments: false } }),
      {
        // Chunks of earlier builds have other hashes: remove them, so dist/ holds one consistent set.
        name: 'un75-stale-chunks',
        writeBundle(options, bundle) {
          for (const file of readdirSync(options.dir)) {
            if (/^un75-.+-[0-9a-f]{8,}\.js(\.map)?$/.test(file) && !bundle[file]) rmSync(`${options.dir}/${file}`);
          }
        },
      },
    ],
    onwarn,
  },
];
