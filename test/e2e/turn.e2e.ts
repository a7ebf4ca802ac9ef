// TURN: two browsers connect relay-only through a real coturn on loopback, using exactly the ICE
// servers (TURN REST credentials) that the real un75-signal's welcome gave each of them.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { newPage, root, startServer, startTurn, type RunningServer, type RunningTurn } from './harness.js';

const SECRET = 'e2e-turn-secret';

describe('TURN relay', () => {
  let turn: RunningTurn;
  let server: RunningServer;

  before(async () => {
    turn = await startTurn(SECRET);
    server = await startServer([
      '--turn-url',
      `turn:127.0.0.1:${turn.port}?transport=udp`,
      '--turn-secret',
      SECRET,
      '--turn-ttl',
      '600',
      '--static',
      path.join(root, 'test/e2e/fixtures'),
    ]);
  });

  after(async () => {
    await server?.stop();
    await turn?.stop();
  });

  test('two pages open a data channel over a relay-only candidate pair', async () => {
    const [one, two] = await Promise.all([newPage(0), newPage(1)]);
    try {
      await Promise.all([one.page.goto(`${server.url}/turn.html`), two.page.goto(`${server.url}/turn.html`)]);
      type Outcome = { iceServers: Array<{ urls: string | string[]; username?: string }>; local?: string; remote?: string };
      const first = one.page.evaluate((room) => (window as unknown as { runTurnCheck(r: string): Promise<Outcome> }).runTurnCheck(room), 'turn-e2e');
      // The second page joins once the first is in, so that it is the newcomer that offers.
      await one.page.waitForFunction(() => (window as unknown as { welcomed?: boolean }).welcomed === true, undefined, { timeout: 30_000 });
      const second = two.page.evaluate((room) => (window as unknown as { runTurnCheck(r: string): Promise<Outcome> }).runTurnCheck(room), 'turn-e2e');
      const timeout = new Promise<never>((_, reject) =>
        setTimeout(() => reject(new Error(`no relayed data channel within 30 s; coturn said:\n${turn.log().slice(-3000)}`)), 30_000).unref(),
      );
      const results = await Promise.race([Promise.all([first, second]), timeout]);
      for (const result of results) {
        const turnServer = result.iceServers.find((s) => String(s.urls).startsWith('turn:'));
        assert.ok(turnServer?.username, 'the welcome carried TURN credentials');
        assert.match(turnServer.username, /^\d+:[A-Za-z0-9_-]+$/, 'username = expiry:id');
        assert.equal(result.local, 'relay', 'the local side of the selected pair is a relay candidate');
        assert.equal(result.remote, 'relay', 'the remote side of the selected pair is a relay candidate');
      }
      const usernames = results.map((r) => r.iceServers.find((s) => String(s.urls).startsWith('turn:'))?.username);
      assert.notEqual(usernames[0], usernames[1], 'each member has its own credentials');
    } finally {
      await Promise.all([one.context.close(), two.context.close()]);
    }
  });
});
