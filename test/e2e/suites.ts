// The end-to-end files in two groups of about equal length. `npm run test:e2e` runs the groups as
// two processes at once (each with its own shared browsers): much of a call test is waiting (a
// flooder's cool-down, a server's restart, seconds of recorded sound), which the other group fills.
// Within a group, files run one after the other in one process and share its browser instances.
export const GROUPS: readonly (readonly string[])[] = [
  ['./hostile.e2e.js', './asr.e2e.js', './headless.e2e.js', './turn.e2e.js', './stun.e2e.js', './csp.e2e.js', './sfu.e2e.js'],
  ['./call.e2e.js', './mesh.e2e.js', './host.e2e.js', './interpretation.e2e.js', './captions.e2e.js', './firefox.e2e.js', './custom-layout.e2e.js', './layout.e2e.js', './agenda.e2e.js'],
];

/** Registers the tests of `files` (in order) and closes the shared browsers after them. */
export async function register(files: readonly string[]): Promise<void> {
  const { after } = await import('node:test');
  const { closeBrowsers } = await import('./harness.js');
  after(closeBrowsers);
  for (const file of files) await import(file);
}
