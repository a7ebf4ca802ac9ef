// The browser's SignalingClient against the real server, in Node (ws stands in for the browser's
// WebSocket): what it does when the server hands its membership to another connection.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SignJWT } from 'jose';
import WebSocket from 'ws';
import { SignalingClient } from '../../src/core/signaling-client.js';
import { startTestServer, waitFor } from './helpers.js';

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
