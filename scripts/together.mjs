#!/usr/bin/env node
// Runs npm scripts at the same time and fails if any fails: `node scripts/together.mjs a b`.
// The component tests and the server tests each leave about half of two cores idle (a browser
// waiting for a call to connect, a server waiting for a socket), so side by side they take little
// more than the longer of the two. Each script's output is printed whole when it ends, one after the
// other, so that the two logs never interleave.
import { spawn } from 'node:child_process';

const scripts = process.argv.slice(2);
if (scripts.length === 0) {
  console.error('usage: node scripts/together.mjs <npm script> [<npm script> …]');
  process.exit(2);
}

const started = Date.now();
const results = await Promise.all(
  scripts.map(
    (script) =>
      new Promise((resolve) => {
        const chunks = [];
        const child = spawn('npm', ['run', '--silent', script], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, FORCE_COLOR: '0' } });
        child.stdout.on('data', (c) => chunks.push(c));
        child.stderr.on('data', (c) => chunks.push(c));
        child.on('close', (code, signal) => {
          const seconds = ((Date.now() - started) / 1000).toFixed(0);
          process.stdout.write(`\n> npm run ${script} (ended after ${seconds} s, ${signal ?? `exit ${code}`})\n\n`);
          process.stdout.write(Buffer.concat(chunks));
          resolve({ script, ok: code === 0 });
        });
      }),
  ),
);
const failed = results.filter((r) => !r.ok).map((r) => r.script);
if (failed.length) {
  console.error(`\nfailed: ${failed.join(', ')}`);
  process.exit(1);
}
