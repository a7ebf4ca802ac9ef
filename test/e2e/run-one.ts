// One end-to-end file on its own, with the shared browsers closed after it (suites.ts register()):
// UN75_E2E=./sfu.e2e.js node --import tsx --test test/e2e/run-one.ts
import { register } from './suites.js';

const file = process.env.UN75_E2E;
if (!file || !/^\.\/[a-z0-9-]+\.e2e\.js$/.test(file)) throw new Error('set UN75_E2E to a file of this folder, such as ./sfu.e2e.js');
await register([file]);
