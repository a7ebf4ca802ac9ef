// Completes the un75-signal package (the server/ workspace) after `tsc -p server/tsconfig.json`:
// it serves the browser bundle from its own origin, so the bundle built from this same commit is
// copied into server/dist/ (beside the compiled server, where it looks for it).
// The server's protocol validators are compiled from src/protocol into server/dist/src/ by tsc:
// one source, no runtime dependency on the browser package and no version skew between the two.
import { copyFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
for (const file of ['un75-meeting.min.js', 'un75-meeting.min.js.map']) {
  const from = path.join(root, 'dist', file);
  if (!existsSync(from)) {
    console.error(`server-package: ${path.relative(root, from)} is missing: run rollup first (npm run build)`);
    process.exit(1);
  }
  copyFileSync(from, path.join(root, 'server/dist', file));
}
