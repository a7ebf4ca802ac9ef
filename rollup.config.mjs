import typescript from '@rollup/plugin-typescript';
import resolve from '@rollup/plugin-node-resolve';
import terser from '@rollup/plugin-terser';
import minifyHTML from '@lit-labs/rollup-plugin-minify-html-literals';

// Two outputs from one source tree:
// - dist/**/*.js: unbundled ES modules with lit external, plus .d.ts, for npm users' bundlers;
// - dist/un75-meeting.min.js: every dependency inside, minified, for a <script type="module"> on
//   any origin (the CDN entry).
const onwarn = (warning, warn) => {
  if (warning.code === 'CIRCULAR_DEPENDENCY' && warning.ids?.every((id) => id.includes('node_modules'))) return;
  warn(warning);
};

export default [
  {
    // src/core/index.ts: the headless core, `un75-meeting/core`.
    input: ['src/index.ts', 'src/core/index.ts'],
    external: (id) => /^(lit|@lit\/|@lit-labs\/)/.test(id),
    output: { dir: 'dist', format: 'es', preserveModules: true, preserveModulesRoot: 'src', sourcemap: true },
    plugins: [typescript({ tsconfig: 'tsconfig.json', outDir: 'dist', declaration: true, declarationDir: 'dist' })],
    onwarn,
  },
  {
    input: 'src/index.ts',
    // One file for now: the element loads the call engine with import(), ready to become a chunk.
    output: { file: 'dist/un75-meeting.min.js', format: 'es', sourcemap: true, inlineDynamicImports: true },
    plugins: [
      resolve({ browser: true }),
      typescript({ tsconfig: 'tsconfig.json', outDir: 'dist', declaration: false, declarationMap: false }),
      // The indentation inside html`` and css`` templates is bytes every visitor downloads.
      minifyHTML(),
      // Members named with a trailing underscore (`changed_`) are shared between the classes of one
      // module chain but are not API (TypeScript `protected`): their names are shortened here.
      terser({ ecma: 2022, module: true, compress: { passes: 2 }, mangle: { properties: { regex: /^[a-z]\w*_$/ } }, format: { comments: false } }),
    ],
    onwarn,
  },
];
