// Every end-to-end file in one process, one after the other, sharing the browser instances of
// harness.ts: `node --import tsx --test test/e2e/run.ts`. `npm run test:e2e` runs the two groups of
// suites.ts at once instead (group-1.ts, group-2.ts).
import { GROUPS, register } from './suites.js';

await register(GROUPS.flat());
