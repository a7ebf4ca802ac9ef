// `npm run bench`: every benchmark in turn, each printing its figures. Benchmarks live here and
// never in tests: timings on a shared 2-core machine are noisy, so they are reported, not asserted.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { callBench } from './call.js';
import { iceRecoveryBench } from './ice-recovery.js';
import { interpretationBench } from './interpretation.js';
import { serveBench } from './serve.js';
import { joinBench } from './join.js';
import { sizeBench } from './size.js';
import { uploadBench } from './upload.js';

const here = path.dirname(fileURLToPath(import.meta.url));

await sizeBench();
console.log();
await serveBench();
console.log();
await callBench();
console.log();
await joinBench();
console.log();
await iceRecoveryBench();
console.log();
await interpretationBench();
console.log();
await uploadBench();

// Benchmarks that run in their own process (they start many sockets or their own servers).
for (const script of ['signaling/run.ts', 'signaling/cluster.ts', 'signaling/host-actions.ts', 'captions.ts', 'hostile.ts', 'chat.ts', 'facilitation.ts', 'asr.ts', 'ballots.ts', 'aggregator.ts']) {
  console.log();
  const result = spawnSync(process.execPath, ['--import', 'tsx', path.join(here, script)], { stdio: 'inherit' });
  if (result.status !== 0) process.exitCode = 1;
}
