// Completes the un75-signal package (the server/ workspace) after `tsc -p server/tsconfig.json`:
// it serves the browser bundle from its own origin, so the bundle built from this same commit is
// copied into server/dist/ (beside the compiled server, where it looks for it).
// The server's protocol validators are compiled from src/protocol into server/dist/src/ by tsc:
// one source, no runtime dependency on the browser package and no version skew between the two.
import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
// The CDN entry and the chunks it loads (un75-*.js and their maps); chunks of an earlier build go.
const bundle = (dir) => (existsSync(dir) ? readdirSync(dir).filter((file) => /^un75-.+\.js(\.map)?$/.test(file)) : []);
if (!existsSync(path.join(root, 'dist/un75-meeting.min.js'))) {
  console.error('server-package: dist/un75-meeting.min.js is missing: run rollup first (npm run build)');
  process.exit(1);
}
for (const file of bundle(path.join(root, 'server/dist'))) rmSync(path.join(root, 'server/dist', file));
for (const file of bundle(path.join(root, 'dist'))) copyFileSync(path.join(root, 'dist', file), path.join(root, 'server/dist', file));
// The dialogue report's JSON Schema, which the aggregator validates reports with (server/aggregator.ts
// reads it from dist/schema/ in the package).
mkdirSync(path.join(root, 'server/dist/schema'), { recursive: true });
copyFileSync(path.join(root, 'schema/dialogue-report-1.schema.json'), path.join(root, 'server/dist/schema/dialogue-report-1.schema.json'));
