// TURN: two browsers connect relay-only through a real coturn on loopback, using exactly the ICE
// servers (TURN REST credentials) that the real un75-signal's welcome gave each of them.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { connect } from 'node:net';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { newPage, root, startServer, type RunningServer } from './harness.js';
import { freePort } from '../server/helpers.js';

const SECRET = 'e2e-turn-secret';

/** coturn also listens on TCP: once that accepts, the UDP listener beside it is up too. */
async function waitForTcp(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1', () => {
        socket.destroy();
        resolve(true);
      });
      socket.on('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`turnserver did not listen on ${port}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('TURN relay', () => {
  let turn: ChildProcess;
  let server: RunningServer;
  let turnPort: number;
  let turnLog = '';

  before(async () => {
    turnPort = await freePort();
    const minPort = 49152 + Math.floor(Math.random() * 10000);
    turn = spawn(
      'turnserver',
      [
        '-n',
        '--listening-ip=127.0.0.1',
        '--relay-ip=127.0.0.1',
        `--listening-port=${turnPort}`,
        `--min-port=${minPort}`,
        `--max-port=${minPort + 200}`,
        '--allow-loopback-peers',
        '--use-auth-secret',
        `--static-auth-secret=${SECRET}`,
        '--realm=un75.test',
        '--no-tls',
        '--no-dtls',
        '--no-cli',
        '--log-file=stdout',
        '--simple-log',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    turn.stdout!.on('data', (c: Buffer) => (turnLog += c.toString()));
    turn.stderr!.on('data', (c: Buffer) => (turnLog += c.toString()));
    await waitForTcp(turnPort, 10_000);
    server = await startServer([
      '--turn-url',
      `turn:127.0.0.1:${turnPort}?transport=udp`,
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
    if (turn && turn.exitCode === null) {
      const exited = once(turn, 'exit');
      turn.kill('SIGTERM');
      await exited;
    }
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
        setTimeout(() => reject(new Error(`no relayed data channel within 30 s; coturn said:\n${turnLog.slice(-3000)}`)), 30_000).unref(),
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
