// The built-in STUN server as a browser uses it: real Chromium joins through the real un75-signal,
// takes the iceServers of its welcome, and gathers a server-reflexive (srflx) candidate from them.
//
//
// On loopback a STUN answer can only tell the browser an address it already has. A page whose host
// addresses are exposed (camera permission granted, or served from a loopback origin) gathers on
// each interface, the answer repeats a host candidate and Chromium drops it as redundant. A blank
// page, its host addresses hidden behind mDNS names, gathers on the any-address and keeps the
// srflx candidate 127.0.0.1 the server saw: that is the case used here. Across a real NAT the
// reflexive address differs from every host address and is kept in either case.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { browser, startServer, type RunningServer } from './harness.js';

describe('built-in STUN', () => {
  let server: RunningServer;
  before(async () => {
    server = await startServer();
  });
  after(() => server.stop());

  test('Chromium given welcome.iceServers gathers a srflx candidate from un75-signal itself', async () => {
    const context = await (await browser(0)).newContext();
    const page = await context.newPage();
    try {
      const result = await page.evaluate(async (wsUrl) => {
        const ws = new WebSocket(wsUrl);
        const welcome = await new Promise<{ iceServers: RTCIceServer[] }>((resolve, reject) => {
          ws.onopen = () => ws.send(JSON.stringify({ type: 'join', room: 'stun-e2e', name: 'Amina' }));
          ws.onmessage = (e) => {
            const msg = JSON.parse(String(e.data)) as { type: string; iceServers: RTCIceServer[] };
            if (msg.type === 'welcome') resolve(msg);
          };
          ws.onerror = () => reject(new Error('WebSocket failed'));
        });
        ws.close();
        const pc = new RTCPeerConnection({ iceServers: welcome.iceServers });
        pc.createDataChannel('probe');
        const candidates: string[] = [];
        const gathered = new Promise<void>((resolve) => {
          pc.onicecandidate = (e) => (e.candidate ? candidates.push(e.candidate.candidate) : resolve());
        });
        await pc.setLocalDescription(await pc.createOffer());
        // Gathering ends by itself (end-of-candidates); the ceiling only bounds a broken run.
        await Promise.race([gathered, new Promise((r) => setTimeout(r, 20000))]);
        pc.close();
        return { iceServers: welcome.iceServers, candidates };
      }, `ws://127.0.0.1:${server.port}/signal`);
      assert.deepEqual(result.iceServers, [{ urls: [`stun:127.0.0.1:${server.port}`] }]);
      const srflx = result.candidates.find((c) => / typ srflx /.test(c));
      assert.ok(srflx, `no srflx candidate among ${JSON.stringify(result.candidates)}`);
      assert.match(srflx, / 127\.0\.0\.1 \d+ typ srflx /);
    } finally {
      await context.close();
    }
  });
});
