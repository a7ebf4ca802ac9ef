// Abuse and failure: rate limits, connection cap, dead sockets, shutdown.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { describe, test } from 'node:test';
import WebSocket from 'ws';
import { heldState, settle, startTestServer, TestClient, waitFor } from './helpers.js';

describe('rate limit', () => {
  test('a flooding client is throttled, then cut off; its room carries on unaffected', async () => {
    const server = await startTestServer();
    try {
      const flooder = await TestClient.connect(server.wsUrl);
      const target = await TestClient.connect(server.wsUrl);
      const steady = await TestClient.connect(server.wsUrl);
      const wf = await flooder.join('flood', 'F');
      const wt = await target.join('flood', 'T');
      const ws = await steady.join('flood', 'S');
      await flooder.next('peer-joined');
      await flooder.next('peer-joined');

      // Fire 5,000 frames without waiting; the socket closes under us once the server expels.
      const sent = { n: 0 };
      for (let i = 0; i < 5000 && flooder.ws.readyState === WebSocket.OPEN; i++) {
        flooder.send({ type: 'signal', to: wt.id, sid: 'f', data: i });
        sent.n++;
      }
      // Meanwhile a well-behaved member negotiates at 20 signals a second for two and a half seconds.
      for (let i = 0; i < 50; i++) {
        steady.send({ type: 'signal', to: wt.id, sid: 'ok', data: i });
        await new Promise((r) => setTimeout(r, 50));
      }
      assert.equal(await flooder.closed(), 1008, 'the flooder is disconnected for policy violation');
      const errors = flooder.take('error').map((e) => e.code);
      assert.ok(errors.includes('rate-limited'), `the flooder is told why: ${errors.join(',')}`);
      await settle(steady, target);

      const signals = target.take('signal');
      const fromFlooder = signals.filter((s) => s.from === wf.id);
      // Everything the steady member sent arrived, in order, and it was never told off.
      const fromSteady = signals.filter((s) => s.from === ws.id).map((s) => s.data);
      assert.deepEqual(fromSteady, Array.from({ length: 50 }, (_, i) => i));
      assert.ok(fromFlooder.length >= 1, 'the burst allowance is delivered');
      assert.ok(fromFlooder.length <= 400, `at most the burst plus the sustained rate got through, not ${fromFlooder.length} of ${sent.n}`);
      assert.equal(steady.take('error').length, 0);
      assert.equal((await target.next('peer-left')).id, wf.id, 'an expelled member leaves at once');
    } finally {
      await server.close();
    }
  });

  test('twenty signals a second for several seconds is normal negotiation, not flooding', async () => {
    const server = await startTestServer();
    try {
      const a = await TestClient.connect(server.wsUrl);
      const b = await TestClient.connect(server.wsUrl);
      const wa = await a.join('steady', 'A');
      const wb = await b.join('steady', 'B');
      for (let i = 0; i < 70; i++) {
        a.send({ type: 'signal', to: wb.id, sid: 's', data: i });
        if (i % 20 === 19) await new Promise((r) => setTimeout(r, 1000));
      }
      await settle(a, b);
      const got = b.take('signal');
      assert.deepEqual(got.map((s) => s.data), Array.from({ length: 70 }, (_, i) => i));
      assert.ok(got.every((s) => s.from === wa.id));
      assert.equal(a.take('error').length, 0);
    } finally {
      await server.close();
    }
  });

  test('repeated garbage gets a client disconnected', async () => {
    const server = await startTestServer({ rateLimit: { strikes: 10 } });
    try {
      const a = await TestClient.connect(server.wsUrl);
      for (let i = 0; i < 30 && a.ws.readyState === WebSocket.OPEN; i++) a.send('garbage');
      assert.equal(await a.closed(), 1008);
      assert.ok(a.take('error').filter((e) => e.code === 'bad-json').length >= 10);
    } finally {
      await server.close();
    }
  });
});

test('connections beyond the per-process cap are told server-full and closed', async () => {
  const server = await startTestServer({ maxConnections: 2 });
  try {
    const a = await TestClient.connect(server.wsUrl);
    const b = await TestClient.connect(server.wsUrl);
    const c = await TestClient.connect(server.wsUrl);
    assert.equal((await c.next('error')).code, 'server-full');
    assert.equal(await c.closed(), 1013);
    await a.join('cap', 'A');
    await b.join('cap', 'B');
    await waitFor(() => server.stats().connections === 2, 2000, 'the refused socket to be gone');
  } finally {
    await server.close();
  }
});

test('a socket that stops answering pings is dropped after two missed heartbeats', async () => {
  const server = await startTestServer({ heartbeatMs: 100, resumeGraceMs: 0 });
  try {
    const alive = await TestClient.connect(server.wsUrl);
    const wa = await alive.join('heartbeat', 'Alive');
    // autoPong off: the socket is open but the "machine" behind it no longer answers.
    const deadWs = new WebSocket(server.wsUrl, { autoPong: false });
    await once(deadWs, 'open');
    deadWs.send(JSON.stringify({ type: 'join', room: 'heartbeat', name: 'Dead' }));
    const joined = await alive.next('peer-joined');
    let pings = 0;
    deadWs.on('ping', () => pings++);
    const [code] = (await once(deadWs, 'close')) as [number];
    assert.equal(code, 1006, 'terminated, not closed politely');
    assert.ok(pings >= 2, `it was pinged twice before being dropped (${pings})`);
    assert.equal((await alive.next('peer-left')).id, joined.peer.id);
    // The answering socket survived the same heartbeats.
    assert.equal(alive.ws.readyState, WebSocket.OPEN);
    assert.equal(server.stats().localMembers, 1);
    assert.ok(wa.id);
  } finally {
    await server.close();
  }
});

test('shutting down tells every client and closes cleanly', async () => {
  const server = await startTestServer();
  const a = await TestClient.connect(server.wsUrl);
  const b = await TestClient.connect(server.wsUrl);
  await a.join('bye', 'A');
  await server.close();
  assert.equal((await a.next('error')).code, 'shutting-down');
  assert.equal((await b.next('error')).code, 'shutting-down');
  assert.equal(await a.closed(), 1012);
  assert.equal(await b.closed(), 1012);
  assert.equal(a.take('peer-left').length, 0);
  assert.deepEqual(heldState(server.stats()), { connections: 0, rooms: 0, localMembers: 0, waitingForResume: 0, knownMembers: 0, barredRooms: 0 });
});
