import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { esbuildPlugin } from '@web/dev-server-esbuild';
import { chromeLauncher } from '@web/test-runner-chrome';
import { CALL_FLAGS, chromePath } from './scripts/system-deps.mjs';
import { mockLibreTranslatePlugin, startLibreTranslate } from './test/mocks/libretranslate.mjs';
import { aggregatorConfig, aggregatorSeedPlugin } from './test/mocks/aggregator.mjs';
import { createSignalingServer } from './server/dist/server/index.js';

// The real signaling server (built by `npm run build`), so that component tests can join real rooms
// with real RTCPeerConnections. Tests read its address from window.UN75_SIGNALING.
// Every test page connects from loopback: no per-address cap.
// Component tests join as interpreters in open rooms, as the demo does: the role they ask for is granted.
// Agendas are kept in a PGlite database in a temporary folder, made before the tests start (it takes
// a few seconds): made lazily in memory it would be made during a test, by the same two cores as
// the browser's. The same server is the aggregator <un75-outcomes> reads (test/mocks/aggregator.mjs
// seeds it when a test asks).
// Ideas are machine translated by the server, here through the LibreTranslate mock on a port of its own.
const dataDir = mkdtempSync(path.join(tmpdir(), 'un75-wtr-'));
const translator = await startLibreTranslate(0);
const signaling = createSignalingServer({ port: 0, host: '127.0.0.1', maxPerAddress: 0, trustAskedRoles: true, dataDir, translationEndpoint: translator.url, aggregator: aggregatorConfig, log: () => {} });
await signaling.listen();
process.once('exit', () => rmSync(dataDir, { recursive: true, force: true }));
const signalingUrl = signaling.url.replace('http', 'ws') + '/signal';
// A second server that says it recognises French (`--asr fr=…`; no recogniser behind it, no test
// streams to it): for the pre-join screen's notice that speech would go to the server.
const asrSignaling = createSignalingServer({ port: 0, host: '127.0.0.1', maxPerAddress: 0, log: () => {}, asr: { backends: { fr: 'ws://127.0.0.1:9/none' } } });
await asrSignaling.listen();
const asrSignalingUrl = asrSignaling.url.replace('http', 'ws') + '/signal';

export default {
  files: ['test/components/**/*.test.ts', 'test/core/**/*.test.ts'],
  // Lit's production build: what partners ship, and no dev-mode warning in every test's log.
  nodeResolve: { exportConditions: ['production'] },
  plugins: [esbuildPlugin({ ts: true, target: 'es2022', tsconfig: 'tsconfig.json' }), mockLibreTranslatePlugin(), aggregatorSeedPlugin(() => signaling.url)],
  concurrency: 1,
  // Ceilings, not expectations: on a busy 2-core machine a browser can take half a minute to start
  // and a real call several seconds to connect. Tests wait on state and finish as soon as it is true.
  browserStartTimeout: 120_000,
  testsStartTimeout: 120_000,
  testsFinishTimeout: 600_000,
  testRunnerHtml: (testFramework) => `<!doctype html><html><head>
    <script>window.UN75_SIGNALING = ${JSON.stringify(signalingUrl)}; window.UN75_ASR_SIGNALING = ${JSON.stringify(asrSignalingUrl)};</script></head>
    <body><script type="module" src="${testFramework}"></script></body></html>`,
  testFramework: { config: { timeout: 60_000 } },
  browsers: [
    chromeLauncher({
      launchOptions: {
        executablePath: chromePath(),
        headless: true,
        args: CALL_FLAGS,
      },
    }),
  ],
};
