// Resume after a lost socket, join tokens, allowed origins and TURN credentials.
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { once } from 'node:events';
import { describe, test } from 'node:test';
import { SignJWT } from 'jose';
import WebSocket from 'ws';
import { settle, startTestServer, TestClient, waitFor } from './helpers.js';

describe('resume', () => {
  test('a member that lost its socket comes back with its id; peers never see it leave', async () => {
    const server = await startTestServer({ resumeGraceMs: 5000 });
    try {
      const a = await TestClient.connect(server.wsUrl);
      const b = await TestClient.connect(server.wsUrl);
      const wa = await a.join('resume', 'A');
      const wb = await b.join('resume', 'B', { state: { spokenLanguage: 'fr', micEnabled: true } });
      await a.next('peer-joined');
      b.ws.terminate(); // no close frame: what a network loss looks like to the server
      await waitFor(() => server.stats().waitingForResume === 1, 2000, 'the server to notice');
      // Signals sent while it is away are kept for it.
      a.send({ type: 'signal', to: wb.id, sid: 's1', data: 'while away' });
      await settle(a);

      const b2 = await TestClient.connect(server.wsUrl);
      const again = await b2.join('resume', 'B', { resume: wb.resume, state: { spokenLanguage: 'fr', micEnabled: true } });
      assert.equal(again.id, wb.id);
      assert.deepEqual(again.peers.map((p) => p.id), [wa.id]);
      assert.deepEqual(await b2.next('signal'), { type: 'signal', from: wa.id, sid: 's1', data: 'while away' });
      await settle(b2, a);
      assert.deepEqual(a.take('peer-left'), []);
      assert.deepEqual(a.take('peer-joined'), []);
      assert.deepEqual(a.take('peer-updated'), [], 'same state, nothing to announce');
      // And it is a full member again.
      b2.send({ type: 'signal', to: wa.id, sid: 's2', data: 'back' });
      assert.equal((await a.next('signal')).from, wb.id);
      assert.equal(server.stats().waitingForResume, 0);
    } finally {
      await server.close();
    }
  });

  test('after the grace the member is removed and peer-left sent; its token no longer resumes', async () => {
    const server = await startTestServer({ resumeGraceMs: 300 });
    try {
      const a = await TestClient.connect(server.wsUrl);
      const b = await TestClient.connect(server.wsUrl);
      await a.join('grace', 'A');
      const wb = await b.join('grace', 'B');
      await a.next('peer-joined');
      b.ws.terminate();
      assert.equal((await a.next('peer-left')).id, wb.id);
      const b2 = await TestClient.connect(server.wsUrl);
      const fresh = await b2.join('grace', 'B', { resume: wb.resume });
      assert.notEqual(fresh.id, wb.id, 'a stale token means a fresh join, with a new id');
      assert.equal((await a.next('peer-joined')).peer.id, fresh.id);
    } finally {
      await server.close();
    }
  });

  test('a resume from a second socket while the first is open is refused; the secret changes with every welcome', async () => {
    const server = await startTestServer({ resumeGraceMs: 5000 });
    try {
      const a = await TestClient.connect(server.wsUrl);
      const b = await TestClient.connect(server.wsUrl);
      await a.join('takeover', 'A');
      const wb = await b.join('takeover', 'B');
      await a.next('peer-joined');
      const thief = await TestClient.connect(server.wsUrl);
      const forged = `${wb.id}.${'A'.repeat(24)}`;
      assert.notEqual((await thief.join('takeover', 'T', { resume: forged })).id, wb.id);
      const other = await TestClient.connect(server.wsUrl);
      assert.notEqual((await other.join('elsewhere', 'B', { resume: wb.resume })).id, wb.id, 'a token only resumes in its room');

      // A replayed secret while the member's socket is open gains nothing: a new member, B untouched.
      const replay = await TestClient.connect(server.wsUrl);
      const replayed = await replay.join('takeover', 'B', { resume: wb.resume });
      assert.notEqual(replayed.id, wb.id);
      await settle(b, a);
      assert.equal(b.closeCode, null, 'the original socket stays open');
      b.send({ type: 'signal', to: replayed.id, sid: 's', data: 'still here' });
      assert.equal((await replay.next('signal')).from, wb.id, 'and is still the member');

      // Once the socket is gone the secret resumes, once: the next welcome carries a new one.
      b.ws.terminate();
      await waitFor(() => server.stats().waitingForResume === 1, 3000, 'the server to notice');
      const b2 = await TestClient.connect(server.wsUrl);
      const back = await b2.join('takeover', 'B', { resume: wb.resume });
      assert.equal(back.id, wb.id);
      assert.notEqual(back.resume, wb.resume, 'the resume secret is rotated');
      b2.ws.terminate();
      await waitFor(() => server.stats().waitingForResume === 1, 3000, 'the server to notice again');
      const stale = await TestClient.connect(server.wsUrl);
      assert.notEqual((await stale.join('takeover', 'B', { resume: wb.resume })).id, wb.id, 'the old secret no longer resumes');
      const b3 = await TestClient.connect(server.wsUrl);
      assert.equal((await b3.join('takeover', 'B', { resume: back.resume })).id, wb.id, 'the new one does');
      await settle(b3, a);
      assert.deepEqual(a.take('peer-left').map((m) => m.id), [], 'and nobody saw B leave');
    } finally {
      await server.close();
    }
  });

  test('closing the socket on purpose leaves at once, grace or not', async () => {
    const server = await startTestServer({ resumeGraceMs: 30_000 });
    try {
      const a = await TestClient.connect(server.wsUrl);
      const b = await TestClient.connect(server.wsUrl);
      await a.join('purpose', 'A');
      const wb = await b.join('purpose', 'B');
      b.ws.close(1000);
      assert.equal((await a.next('peer-left')).id, wb.id);
    } finally {
      await server.close();
    }
  });
});

describe('join tokens', () => {
  const secret = 'a-long-shared-secret-for-tests-only';
  const key = new TextEncoder().encode(secret);
  const token = (claims: Record<string, unknown>, exp: string | number = '1h', signingKey = key) =>
    new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setExpirationTime(exp).sign(signingKey);

  test('a join needs a valid HS256 token for that room; role and name come from it', async () => {
    const server = await startTestServer({ jwtSecret: secret, resumeGraceMs: 5000 });
    try {
      const c = await TestClient.connect(server.wsUrl);
      const refuse = async (extra: Record<string, unknown>, why: string) => {
        c.send({ type: 'join', room: 'secure', name: 'Eve', ...extra });
        const e = await c.next('error');
        assert.equal(e.code, 'unauthorized', why);
        assert.ok(e.message.length > 0);
      };
      await refuse({}, 'no token');
      await refuse({ token: await token({ room: 'other' }) }, 'another room');
      await refuse({ token: await token({ room: 'secure' }, Math.floor(Date.now() / 1000) - 10) }, 'expired');
      await refuse({ token: await token({ room: 'secure' }, '1h', new TextEncoder().encode('wrong')) }, 'wrong key');
      const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
      const exp = Math.floor(Date.now() / 1000) + 3600;
      await refuse({ token: `${b64({ alg: 'none' })}.${b64({ room: 'secure', exp })}.` }, 'alg none');
      await refuse({ token: await new SignJWT({ room: 'secure' }).setProtectedHeader({ alg: 'HS256' }).sign(key) }, 'no exp');
      await refuse({ token: await token({ room: 'secure', role: 'emperor' }) }, 'unknown role');
      await refuse({ resume: 'nobody.nothing' }, 'a resume token that resumes nothing is no token');
      assert.equal(server.stats().localMembers, 0);

      const host = await c.join('secure', 'Eve', { role: 'participant', token: await token({ room: 'secure', role: 'host', name: 'Chair' }) });
      assert.deepEqual([host.self.id, host.self.name, host.self.role], [host.id, 'Chair', 'host'], 'the welcome says what the token granted');
      const p = await TestClient.connect(server.wsUrl);
      const wp = await p.join('secure', 'Pat', { role: 'host', token: await token({ room: 'secure' }) });
      assert.deepEqual(
        wp.peers.map((x) => [x.name, x.role]),
        [['Chair', 'host']],
        'the token decides the role and the name',
      );
      assert.deepEqual([wp.self.name, wp.self.role], ['Pat', 'participant'], 'without a name in the token, the name asked; the role never');
      assert.equal((await c.next('peer-joined')).peer.role, 'participant', 'a client cannot make itself host');
      c.send({ type: 'update', name: 'Mallory', handRaised: true });
      const updated = await p.next('peer-updated');
      assert.equal(updated.peer.name, 'Chair', 'a name from the token cannot be changed');
      assert.equal(updated.peer.handRaised, true);

      // A resume needs no fresh token (it may have expired during a long meeting) and keeps the role.
      c.ws.terminate();
      const c2 = await TestClient.connect(server.wsUrl);
      const back = await c2.join('secure', 'Eve', { resume: host.resume, role: 'participant' });
      assert.equal(back.id, host.id);
      assert.deepEqual([back.self.name, back.self.role, back.self.handRaised], ['Chair', 'host', true], 'a resumed welcome describes the member as it is');
      await settle(c2, p);
      assert.deepEqual(p.take('peer-left'), []);
      assert.deepEqual(p.take('peer-updated'), []);
    } finally {
      await server.close();
    }
  });
});

describe('allowed origins', () => {
  test('WebSocket handshakes from other origins are refused', async () => {
    const server = await startTestServer({ allowedOrigins: ['https://partner.example.org', 'http://localhost:3000/'] });
    try {
      const status = async (origin?: string) => {
        const ws = new WebSocket(server.wsUrl, origin ? { headers: { origin } } : {});
        ws.on('error', () => {});
        const result = await Promise.race([
          once(ws, 'open').then(() => 101),
          once(ws, 'unexpected-response').then(([, res]) => (res as { statusCode: number }).statusCode),
        ]);
        ws.terminate();
        return result;
      };
      assert.equal(await status('https://partner.example.org'), 101);
      assert.equal(await status('http://localhost:3000'), 101);
      assert.equal(await status('https://evil.example.org'), 403);
      assert.equal(await status('https://partner.example.org.evil.example'), 403);
      assert.equal(await status(), 403, 'no Origin header, no entry');
    } finally {
      await server.close();
    }
  });

  test('the WebSocket lives only at /signal', async () => {
    const server = await startTestServer();
    try {
      const ws = new WebSocket(server.wsUrl.replace('/signal', '/other'));
      ws.on('error', () => {});
      const [, res] = (await once(ws, 'unexpected-response')) as [unknown, { statusCode: number }];
      assert.equal(res.statusCode, 404);
      ws.terminate();
    } finally {
      await server.close();
    }
  });
});

describe('ICE servers', () => {
  test('each welcome carries TURN REST credentials for its member', async () => {
    const server = await startTestServer({
      stunUrls: ['stun:stun.example.org:3478'],
      turn: { urls: ['turn:turn.example.org:3478?transport=udp'], secret: 'turn-secret', ttlSeconds: 600 },
    });
    try {
      const a = await TestClient.connect(server.wsUrl);
      const now = Math.floor(Date.now() / 1000);
      const w = await a.join('ice', 'A');
      assert.deepEqual(w.iceServers[0], { urls: ['stun:stun.example.org:3478'] });
      const turn = w.iceServers[1]!;
      assert.deepEqual(turn.urls, ['turn:turn.example.org:3478?transport=udp']);
      const [expiry, id] = turn.username!.split(':');
      assert.equal(id, w.id);
      assert.ok(Math.abs(Number(expiry) - (now + 600)) <= 2, 'expires after the TTL');
      assert.equal(turn.credential, createHmac('sha1', 'turn-secret').update(turn.username!).digest('base64'));
    } finally {
      await server.close();
    }
  });
});
