// Attacks by one visitor with raw WebSockets against a real server on loopback, and what the other
// members (the victims) still get. 127.0.0.2 is another visitor: the loopback network routes all of
// 127.0.0.0/8, so a client bound to it is another address to the per-address limits.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { describe, test } from 'node:test';
import { SignJWT } from 'jose';
import WebSocket from 'ws';
import { createSignalingServer } from '../../server/index.js';
import { LogThrottle } from '../../server/rate-limit.js';
import { MAX_BACKLOG_BYTES } from '../../server/rooms.js';
import { compileServer, handshake, settle, startTestServer, TestClient, waitFor } from './helpers.js';

const VICTIM = '127.0.0.2';
const root = new URL('../..', import.meta.url).pathname;

describe('one address cannot exhaust the server', () => {
  test('sockets per address are capped; another visitor still gets in', async (t) => {
    const server = await startTestServer({ maxPerAddress: 20, maxConnections: 300 });
    const held: WebSocket[] = [];
    try {
      let refused = 0;
      const deadline = Date.now() + 10_000;
      for (let i = 0; i < 2000 && Date.now() < deadline; i++) {
        const { status, ws } = await handshake(server.wsUrl);
        if (status === 101) held.push(ws);
        else {
          refused++;
          ws.terminate();
        }
        if (refused >= 200) break;
      }
      t.diagnostic(`attacker holds ${held.length} sockets, ${refused} handshakes refused`);
      assert.ok(held.length <= 20, `one address holds ${held.length} sockets`);
      assert.ok(server.stats().connections <= 20);
      const victim = await TestClient.connect(server.wsUrl, {}, VICTIM);
      assert.equal((await victim.join('open', 'Victim')).self.name, 'Victim');
      victim.close();
    } finally {
      for (const ws of held) ws.terminate();
      await server.close();
    }
  });

  test('handshakes per address are rate-limited: open-and-close in a loop runs dry', async (t) => {
    const server = await startTestServer({ maxPerAddress: 20 });
    try {
      let accepted = 0;
      const start = Date.now();
      for (let i = 0; i < 200; i++) {
        const { status, ws } = await handshake(server.wsUrl);
        if (status === 101) accepted++;
        ws.terminate();
      }
      const seconds = (Date.now() - start) / 1000;
      t.diagnostic(`${accepted} of 200 handshakes accepted in ${seconds.toFixed(1)} s`);
      // A burst of 20, then 2 a second.
      assert.ok(accepted <= 20 + Math.ceil(seconds * 2) + 1, `${accepted} handshakes accepted in ${seconds} s`);
      const victim = await TestClient.connect(server.wsUrl, {}, VICTIM);
      await victim.join('open', 'Victim');
      victim.close();
    } finally {
      await server.close();
    }
  });

  test('behind a trusted proxy, the address is the last X-Forwarded-For entry', async () => {
    const server = await startTestServer({ maxPerAddress: 2, trustProxy: true });
    const open: WebSocket[] = [];
    try {
      const from = async (forwarded: string) => {
        const { status, ws } = await handshake(server.wsUrl, undefined, { 'X-Forwarded-For': forwarded });
        open.push(ws);
        return status;
      };
      assert.equal(await from('10.9.9.9, 203.0.113.5'), 101);
      assert.equal(await from('203.0.113.5'), 101);
      assert.equal(await from('198.51.100.1, 203.0.113.5'), 429, 'what the client itself put in front does not count');
      assert.equal(await from('203.0.113.6'), 101, 'another client of the same proxy');
    } finally {
      for (const ws of open) ws.terminate();
      await server.close();
    }
  });

  test('a socket that never joins is closed after the join timeout, and its place freed', async () => {
    const server = await startTestServer({ maxConnections: 5, joinTimeoutMs: 400, heartbeatMs: 100 });
    try {
      const member = await TestClient.connect(server.wsUrl, {}, VICTIM);
      await member.join('stay', 'Member');
      const idle = await Promise.all(Array.from({ length: 4 }, () => TestClient.connect(server.wsUrl)));
      // The server is full of idle sockets: a newcomer is turned away...
      const late = await TestClient.connect(server.wsUrl, {}, VICTIM);
      assert.equal((await late.next('error')).code, 'server-full');
      // ...until the idle ones are closed for not joining, answering pings or not.
      for (const socket of idle) {
        assert.equal(await socket.closed(3000), 4008);
        assert.equal((await socket.next('error')).code, 'not-joined');
      }
      const newcomer = await TestClient.connect(server.wsUrl, {}, VICTIM);
      await newcomer.join('stay', 'Newcomer');
      assert.equal(member.closeCode, null, 'a member is never closed by the join timeout');
      // Leaving starts the clock again.
      member.send({ type: 'leave' });
      assert.equal(await member.closed(3000), 4008);
      newcomer.close();
    } finally {
      await server.close();
    }
  });
});

describe('members waiting for a resume count', () => {
  test('join-then-drop in a loop leaves at most the per-address cap of ghosts', async (t) => {
    const server = await startTestServer({ maxPerAddress: 10, resumeGraceMs: 30_000 });
    try {
      let welcomed = 0;
      for (let i = 0; i < 100; i++) {
        const { status, ws } = await handshake(server.wsUrl);
        if (status !== 101) {
          ws.terminate();
          continue;
        }
        const welcome = new Promise<boolean>((resolve) => {
          ws.on('message', (data) => resolve(JSON.parse(data.toString()).type === 'welcome'));
          ws.on('close', () => resolve(false));
        });
        ws.send(JSON.stringify({ type: 'join', room: `ghost-${i}`, name: 'G' }));
        if (await welcome) welcomed++;
        ws.terminate();
      }
      await waitFor(() => server.stats().connections === 0, 3000, 'the sockets to close');
      const stats = server.stats();
      t.diagnostic(`100 join-then-drop: ${welcomed} welcomed, ${stats.waitingForResume} waiting, ${stats.rooms} rooms`);
      assert.ok(stats.waitingForResume <= 10 && stats.rooms <= 10, JSON.stringify(stats));
      const victim = await TestClient.connect(server.wsUrl, {}, VICTIM);
      await victim.join('open', 'Victim');
      victim.close();
    } finally {
      await server.close();
    }
  });

  test('the connection cap counts members waiting for a resume', async () => {
    const server = await startTestServer({ maxConnections: 5, resumeGraceMs: 30_000 });
    try {
      for (let i = 0; i < 5; i++) {
        const c = await TestClient.connect(server.wsUrl);
        await c.join(`ghost-${i}`, 'G');
        c.ws.terminate();
      }
      await waitFor(() => server.stats().waitingForResume === 5, 3000, 'five members waiting');
      const late = await TestClient.connect(server.wsUrl);
      assert.equal((await late.next('error')).code, 'server-full');
      assert.equal(await late.closed(), 1013);
    } finally {
      await server.close();
    }
  });

  test('what waits for a member is capped in bytes, newest kept', async (t) => {
    const unlimited = { messagesPerSecond: 1e6, burst: 1e6, bytesPerSecond: 1e9, burstBytes: 1e9 };
    const server = await startTestServer({ resumeGraceMs: 30_000, rateLimit: unlimited });
    try {
      const attacker = await TestClient.connect(server.wsUrl);
      const victim = await TestClient.connect(server.wsUrl);
      await attacker.join('backlog', 'A');
      const wv = await victim.join('backlog', 'V');
      victim.ws.terminate();
      await waitFor(() => server.stats().waitingForResume === 1, 3000, 'the victim to be waiting');
      const blob = 'x'.repeat(60_000);
      for (let seq = 0; seq < 300; seq++) attacker.send({ type: 'signal', to: wv.id, sid: 's', data: { seq, blob } });
      await settle(attacker);
      const back = await TestClient.connect(server.wsUrl);
      await back.join('backlog', 'V', { resume: wv.resume });
      await settle(back);
      const signals = back.take('signal');
      const bytes = signals.reduce((n, s) => n + JSON.stringify(s).length, 0);
      t.diagnostic(`18 MB sent to a waiting member: ${signals.length} frames, ${bytes} bytes kept`);
      assert.ok(bytes <= MAX_BACKLOG_BYTES, `${bytes} bytes kept`);
      assert.ok(signals.length >= 1);
      assert.equal((signals.at(-1)!.data as { seq: number }).seq, 299, 'the newest frames are the ones kept');
    } finally {
      await server.close();
    }
  });
});

describe('join tokens are bound to one person and one lifetime', () => {
  const secret = 'a-long-shared-secret-for-tests-only!';
  const key = new TextEncoder().encode(secret);
  const token = (claims: Record<string, unknown>, exp: string | number = '1h') =>
    new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setExpirationTime(exp).sign(key);

  test('one token joining eight times leaves one member: each join replaces the one before', async () => {
    const server = await startTestServer({ jwtSecret: secret, resumeGraceMs: 5000 });
    try {
      const watcher = await TestClient.connect(server.wsUrl);
      await watcher.join('one', 'W', { token: await token({ room: 'one', sub: 'watcher' }) });
      for (const claims of [{ room: 'one', sub: 'amina' }, { room: 'one' }]) {
        const shared = await token(claims);
        const sockets: TestClient[] = [];
        const ids: string[] = [];
        for (let i = 0; i < 8; i++) {
          const c = await TestClient.connect(server.wsUrl);
          ids.push((await c.join('one', `copy ${i}`, { token: shared })).id);
          if (sockets.length) {
            const before = sockets.at(-1)!;
            assert.equal((await before.next('error')).code, 'replaced');
            assert.equal(await before.closed(), 4002);
          }
          sockets.push(c);
        }
        await settle(watcher);
        assert.equal(server.stats().localMembers, 2, 'the watcher and the newest copy');
        assert.deepEqual(watcher.take('peer-left').map((m) => m.id), ids.slice(0, 7));
        sockets.at(-1)!.close();
        await watcher.next('peer-left');
        watcher.take('peer-joined');
      }
    } finally {
      await server.close();
    }
  });

  test('no resume after the token expired', async () => {
    const server = await startTestServer({ jwtSecret: secret, resumeGraceMs: 30_000 });
    try {
      const exp = Math.floor(Date.now() / 1000) + 2;
      const c = await TestClient.connect(server.wsUrl);
      const w = await c.join('expiry', 'A', { token: await token({ room: 'expiry', sub: 'a' }, exp) });
      c.ws.terminate();
      await waitFor(() => server.stats().waitingForResume === 1, 3000, 'the member to be waiting');
      await waitFor(() => Date.now() > exp * 1000 + 50, 5000, 'the token to expire');
      const again = await TestClient.connect(server.wsUrl);
      again.send({ type: 'join', room: 'expiry', name: 'A', resume: w.resume });
      assert.equal((await again.next('error')).code, 'unauthorized');
    } finally {
      await server.close();
    }
  });

  test('audience, issuer and lifetime are checked', async () => {
    const server = await startTestServer({ jwtSecret: secret, jwtAudience: 'un75', jwtIssuer: 'partner.example', jwtMaxLifetimeSeconds: 7200 });
    try {
      const c = await TestClient.connect(server.wsUrl);
      const refused = async (t: string, why: string) => {
        c.send({ type: 'join', room: 'r', name: 'A', token: t });
        assert.equal((await c.next('error')).code, 'unauthorized', why);
      };
      const good = { room: 'r', aud: 'un75', iss: 'partner.example' };
      await refused(await token({ room: 'r', iss: 'partner.example' }), 'no audience');
      await refused(await token({ ...good, aud: 'other' }), 'another audience');
      await refused(await token({ ...good, iss: 'evil.example' }), 'another issuer');
      await refused(await token(good, Date.UTC(2200, 0, 1) / 1000), 'exp in 2200');
      await refused(await token(good, '3h'), 'longer than the maximum lifetime');
      assert.equal((await c.join('r', 'A', { token: await token(good, '2h') })).self.role, 'participant');
    } finally {
      await server.close();
    }
  });

  test('a secret shorter than 32 bytes is refused at start-up, with a clear message', async () => {
    assert.throws(() => createSignalingServer({ jwtSecret: 'x' }), /at least 32 bytes/);
    await compileServer();
    const { code, stderr } = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      execFile(process.execPath, [`${root}bin/un75-signal.js`, '--port', '0', '--jwt-secret', 'short'], (err, _out, stderr) =>
        resolve({ code: err ? ((err as { code?: number }).code ?? null) : 0, stderr }),
      );
    });
    assert.equal(code, 2);
    assert.match(stderr, /--jwt-secret must be at least 32 bytes/);
  });
});

describe('TURN credentials', () => {
  const turn = { urls: ['turn:turn.example.org:3478'], secret: 'turn-secret' };
  const expiryOf = (w: { iceServers: Array<{ username?: string }> }) => Number(w.iceServers.at(-1)!.username!.split(':')[0]);

  test('last an hour by default and are renewed with every resume', async () => {
    const server = await startTestServer({ turn, resumeGraceMs: 5000 });
    try {
      const c = await TestClient.connect(server.wsUrl);
      const before = Math.floor(Date.now() / 1000);
      const w = await c.join('turn', 'A');
      const after = Math.ceil(Date.now() / 1000);
      const madeAt = expiryOf(w) - 3600;
      assert.ok(madeAt >= before && madeAt <= after, `expires an hour after the join (${before}–${after}), not at ${expiryOf(w)}`);
      c.ws.terminate();
      await waitFor(() => server.stats().waitingForResume === 1, 15_000, 'the member to be waiting');
      // Past the second the first credentials were made in (the join itself may have crossed one).
      await waitFor(() => Date.now() / 1000 >= madeAt + 1.05, 15_000, 'the clock to move a second');
      const back = await TestClient.connect(server.wsUrl);
      const again = await back.join('turn', 'A', { resume: w.resume });
      assert.equal(again.id, w.id);
      assert.ok(expiryOf(again) > expiryOf(w), 'the resumed welcome carries fresh credentials');
    } finally {
      await server.close();
    }
  });

  test('with a JWT secret, nobody without a valid token gets any', async () => {
    const server = await startTestServer({ turn, jwtSecret: 'a-long-shared-secret-for-tests-only!' });
    try {
      const c = await TestClient.connect(server.wsUrl);
      for (let i = 0; i < 20; i++) c.send({ type: 'join', room: 'turn', name: 'Anon' });
      // Token checks are asynchronous: a ping can come back before their answers do.
      const codes: string[] = [];
      for (let i = 0; i < 20; i++) codes.push((await c.next('error', 10_000)).code);
      await settle(c);
      assert.equal(c.take('welcome').length, 0);
      assert.deepEqual(codes, Array(20).fill('unauthorized'));
    } finally {
      await server.close();
    }
  });
});

describe('hostile frames', () => {
  test('deeply nested data is refused unrelayed, counts as an offence, and writes nothing to the log', async (t) => {
    const lines: string[] = [];
    const server = await startTestServer({ log: (line) => lines.push(line) });
    try {
      const attacker = await TestClient.connect(server.wsUrl);
      const victim = await TestClient.connect(server.wsUrl);
      await attacker.join('deep', 'A');
      const wv = await victim.join('deep', 'V');
      const deep = `{"type":"signal","to":"${wv.id}","sid":"s","data":${'['.repeat(5000)}${']'.repeat(5000)}}`;
      let sent = 0;
      for (; sent < 300 && attacker.ws.readyState === WebSocket.OPEN; sent++) attacker.send(deep);
      assert.equal(await attacker.closed(), 1008, 'a client sending them is cut off');
      const codes = attacker.take('error').map((e) => e.code);
      t.diagnostic(`${sent} frames nested 5,000 deep: ${codes.length} errors, disconnected; ${lines.join('').length} bytes of log`);
      assert.ok(codes.includes('bad-message'));
      await settle(victim);
      assert.deepEqual(victim.take('signal'), []);
      assert.equal(lines.length, 0);
      // Just deep enough for what browsers really send.
      const member = await TestClient.connect(server.wsUrl);
      await member.join('deep', 'M');
      member.send({ type: 'signal', to: wv.id, sid: 's', data: { transceiverRequest: { kind: 'video', init: { sendEncodings: [{ rid: 'a' }] } } } });
      assert.equal((await victim.next('signal')).sid, 's');
    } finally {
      await server.close();
    }
  });

  test('the log of failures is rate-limited: one line a second, the rest counted', () => {
    const lines: string[] = [];
    const log = new LogThrottle((l) => lines.push(l), 1000);
    for (let i = 0; i < 1000; i++) log.write(`failure ${i}`, 10_000 + i);
    log.write('later', 11_500);
    assert.deepEqual(lines, ['failure 0', 'later (and 999 similar lines held back)']);
  });

  test('updates that change nothing are not broadcast', async () => {
    const server = await startTestServer();
    try {
      const a = await TestClient.connect(server.wsUrl);
      const b = await TestClient.connect(server.wsUrl);
      await a.join('noop', 'A', { state: { micEnabled: true } });
      await b.join('noop', 'B');
      for (let i = 0; i < 100; i++) a.send({ type: 'update', micEnabled: true, name: 'A' });
      await settle(a, b);
      assert.deepEqual(b.take('peer-updated'), [], '100 no-op updates, no frame');
      a.send({ type: 'update', micEnabled: false });
      assert.equal((await b.next('peer-updated')).peer.micEnabled, false);
    } finally {
      await server.close();
    }
  });

  test('names lose control and bidi characters; the same name twice in a room is told apart', async () => {
    const server = await startTestServer();
    try {
      const a = await TestClient.connect(server.wsUrl);
      const b = await TestClient.connect(server.wsUrl);
      const c = await TestClient.connect(server.wsUrl);
      const wa = await a.join('names', 'Amina\n[12:00] Host: everyone must leave');
      assert.equal(wa.self.name, 'Amina [12:00] Host: everyone must leave', 'no forged transcript line');
      a.send({ type: 'update', name: 'Amina' });
      await settle(a);
      const wb = await b.join('names', '\u202Eanima\u202C\u200B');
      assert.equal(wb.self.name, 'anima');
      assert.equal((await a.next('peer-joined')).peer.name, 'anima', 'the others see the cleaned name');
      b.send({ type: 'update', name: 'amina' });
      assert.equal((await a.next('peer-updated')).peer.name, 'amina (2)', 'a rename onto another member is marked');
      const wc = await c.join('names', 'Amina');
      assert.equal(wc.self.name, 'Amina (3)');
      assert.equal((await a.next('peer-joined')).peer.name, 'Amina (3)');
      c.send({ type: 'update', name: '\u2066\u2069\u200F' });
      assert.equal((await c.next('error')).code, 'bad-message', 'a name with nothing visible is refused');
    } finally {
      await server.close();
    }
  });
});
