// The one entry of the end-to-end suite: every *.e2e.ts registers its tests here so that they all
// run in one process and share the browser instances of harness.ts.
import { after } from 'node:test';
import { closeBrowsers } from './harness.js';

after(closeBrowsers);

await import('./call.e2e.js');
await import('./mesh.e2e.js');
await import('./turn.e2e.js');
await import('./captions.e2e.js');
await import('./interpretation.e2e.js');
await import('./firefox.e2e.js');
await import('./stun.e2e.js');
await import('./custom-layout.e2e.js');
await import('./hostile.e2e.js');
await import('./headless.e2e.js');
await import('./host.e2e.js');
await import('./layout.e2e.js');
await import('./csp.e2e.js');
await import('./agenda.e2e.js');
