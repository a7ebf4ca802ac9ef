// The browser's SignalingClient against the real server, in Node (ws stands in for the browser's
// WebSocket): what it does when the server hands its membership to another connection.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SignJWT } from 'jose';
import WebSocket from 'ws';
import { SignalingClient } from '../../src/core/signaling-client.js';
import { startRedis, startTestServer, waitFor } from './helpers.js';

(globalThis as { WebSocket?: unknown }).WebSocket ??= WebSocket;

test('a client replaced by a newer join of the same person stops, instead of taking the room back', async () => {
  const secret = 'a-long-shared-secret-for-tests-only!';
  const server = await startTestServer({ jwtSecret: secret, resumeGraceMs: 5000 });
  const first = new SignalingClient(server.wsUrl);
  const second = new SignalingClient(server.wsUrl);
  try {
    const token = await new SignJWT({ room: 'twice', sub: 'amina' })
      .setProtectedHeader({ alg: 'HS256' })
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode(secret));
    const errors: string[] = [];
    first.on('message', (e) => {
      if (e.detail.type === 'error') errors.push(e.detail.code);
    });
    await first.join({ room: 'twice', name: 'Amina', token });
    const welcome = await second.join({ room: 'twice', name: 'Amina', token });
    await waitFor(() => first.state === 'closed', 5000, 'the first tab to stop');
    assert.deepEqual(errors, ['replaced'], 'and it was told why');
    // A reconnecting client would be 'reconnecting', not 'closed': it never comes back.
    await waitFor(() => server.stats().connections === 1, 3000, 'one socket left');
    assert.equal(second.state, 'open');
    assert.equal(second.id, welcome.id);
    assert.equal(server.stats().localMembers, 1);
    assert.equal(server.stats().connections, 1, 'the first tab did not come back');
  } finally {
    first.close();
    second.close();
    await server.close();
  }
});

test('a client waiting to be let in through a server that restarts knocks again and waits through the next one', async () => {
  const redis = await startRedis();
  const options = { redis: redis.url, heartbeatMs: 300 };
  const hostServer = await startTestServer(options);
  let doorServer = await startTestServer(options);
  const port = doorServer.address!.port;
  const host = new SignalingClient(hostServer.wsUrl);
  const waiter = new SignalingClient(doorServer.wsUrl);
  try {
    let waiting: Array<{ id: string; name: string }> = [];
    host.on('message', (e) => {
      if (e.detail.type === 'waiting-list') waiting = e.detail.waiting;
    });
    const names = () => waiting.map((w) => w.name).join();
    await host.join({ room: 'door', name: 'Host' });
    host.lock(true);
    let knocked = 0;
    waiter.on('waiting', () => knocked++);
    const entered = waiter.join({ room: 'door', name: 'Wen' });
    await waitFor(() => names() === 'Wen', 5000, 'the host to see Wen waiting');
    // The process holding Wen's socket restarts (the same address, as behind a load balancer).
    await doorServer.close();
    await waitFor(() => names() === '', 5000, 'Wen off the list while that process is down');
    doorServer = await startTestServer({ ...options, port });
    await waitFor(() => knocked === 2 && names() === 'Wen', 10_000, 'Wen waiting again, through the new process');
    host.admit(waiting[0]!.id);
    const welcome = await entered;
    assert.equal(welcome.peers[0]!.name, 'Host');
    assert.equal(waiter.state, 'open');
  } finally {
    host.close();
    waiter.close();
    await Promise.all([hostServer.close(), doorServer.close()]);
    await redis.stop();
  }
});
