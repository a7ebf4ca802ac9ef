// The mesh under the conditions that used to break it: many people joining in the same instant,
// the signaling server restarting (its memory lost) and then a newcomer, both sides starting a
// screen share at once. Real Chromium pages through the real un75-signal.
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, test } from 'node:test';
import type { BrowserContext, Page } from 'playwright-core';
import path from 'node:path';
import {
  newPage,
  root,
  seesMovingVideo,
  startPartnerPage,
  startServer,
  TRACK_PEER_CONNECTIONS,
  waitInPage,
  type FixtureServer,
  type RunningServer,
} from './harness.js';

type Person = { context: BrowserContext; page: Page };

/**
 * With UN75_E2E_TIMELINE=1: every peer connection's steps (ms since the page started) are printed
 * when the mesh does not converge, and the pages' console with them, to tell a slow machine from a
 * stuck link. Installed after TRACK_PEER_CONNECTIONS.
 */
const DEBUG_TIMELINE = `(() => {
  const Tracked = window.RTCPeerConnection;
  const t0 = performance.now();
  window.__timeline = [];
  window.RTCPeerConnection = function (config) {
    const pc = new Tracked(config);
    const n = window.__pcs.length - 1;
    const log = (what) => window.__timeline.push(n + '@' + Math.round(performance.now() - t0) + ':' + what);
    log('new');
    pc.addEventListener('signalingstatechange', () => log('sig=' + pc.signalingState));
    pc.addEventListener('iceconnectionstatechange', () => log('ice=' + pc.iceConnectionState));
    pc.addEventListener('icegatheringstatechange', () => log('gather=' + pc.iceGatheringState));
    pc.addEventListener('connectionstatechange', () => log('conn=' + pc.connectionState));
    pc.addEventListener('icecandidate', (e) => log('cand' + (e.candidate ? '' : '-end')));
    const add = pc.addIceCandidate.bind(pc);
    pc.addIceCandidate = (c) => { log('addcand'); return add(c); };
    return pc;
  };
  window.RTCPeerConnection.prototype = Tracked.prototype;
})();`;

const MESH_STATE = `(() => ({
  people: (__un75.meetings()[0]?.participants ?? []).map((p) => p.name + ':' + p.connectionState).join(' '),
  stats: __un75.meetings()[0]?.core?.session?.stats,
  pcs: __pcs.map((pc) => pc.connectionState + '/' + pc.iceConnectionState + '/' + pc.signalingState).join(' '),
  timeline: window.__timeline?.join(' '),
}))()`;

/** A machine with no camera and no microphone: such a visitor joins to listen and read. */
const NO_DEVICES = `navigator.mediaDevices.getUserMedia = () => Promise.reject(new DOMException('Requested device not found', 'NotFoundError'));`;

/** Every other member connected, and exactly that many live peer connections: one per pair. */
const fullMesh = (size: number) =>
  `(() => { const m = __un75.meetings()[0]; const ps = m?.participants ?? [];
    const live = __pcs.filter((pc) => pc.connectionState === 'connected').length;
    return ps.length === ${size} && ps.every((p) => p.isSelf || p.connectionState === 'connected') && live === ${size - 1}; })()`;

describe('the mesh converges', () => {
  let server: RunningServer;
  let partner: FixtureServer;
  const people: Person[] = [];

  before(async () => {
    server = await startServer();
    partner = await startPartnerPage();
  });

  afterEach(async () => {
    await Promise.all(people.splice(0).map((p) => p.context.close().catch(() => {})));
  });

  after(async () => {
    await partner?.close();
    await server?.stop();
  });

  async function open(browserIndex: number, query: Record<string, string>, initScript?: string): Promise<Page> {
    const person = await newPage(browserIndex);
    people.push(person);
    await person.context.addInitScript({ path: path.join(root, 'test/e2e/probes.js') });
    await person.context.addInitScript({ content: TRACK_PEER_CONNECTIONS });
    if (initScript) await person.context.addInitScript({ content: initScript });
    if (process.env.UN75_E2E_TIMELINE) await person.context.addInitScript({ content: DEBUG_TIMELINE });
    if (process.env.UN75_E2E_TIMELINE) person.page.on('console', (m) => console.log(`[${query.name ?? '?'} ${Date.now() % 100000}] ${m.type()} ${m.text()}`));
    const params = new URLSearchParams({ server: server.url, ...query });
    await person.page.goto(`${partner.url}/meeting.html?${params}`);
    return person.page;
  }

  test('eight people joining in the same instant end with exactly one connected link per pair', async () => {
    const size = 8;
    // Two speakers with a microphone, one in each browser; the six others have no camera and no
    // microphone (eight pages sending audio to each other are more than two cores carry).
    const person = (i: number) => open(i % 2, { room: 'rush', name: `P${i}`, attrs: 'camera-off' }, i < 2 ? undefined : NO_DEVICES);
    // Four people per browser process (one launched at a time), the page loaded but nobody in yet.
    const pages = [await person(0), await person(1)];
    pages.push(...(await Promise.all([2, 3, 4, 5, 6, 7].map(person))));
    await Promise.all(pages.map((page) => page.waitForFunction(() => customElements.get('un75-meeting'))));
    // Everyone presses Join in the same millisecond of the machine's clock (the pages share it).
    const started = Date.now() + 2000;
    await Promise.all(pages.map((page) => page.evaluate(`setTimeout(() => __un75.meetings()[0].join(), ${started} - Date.now())`)));
    try {
      const deadline = Date.now() + 180_000;
      for (const [i, page] of pages.entries()) {
        await waitInPage(page, fullMesh(size), `P${i} to be linked to all ${size - 1} others`, Math.max(1, deadline - Date.now()));
      }
    } catch (err) {
      // What each page sees, to tell a slow machine from a stuck link.
      for (const [i, page] of pages.entries()) {
        const seen = await page.evaluate(MESH_STATE).catch((e: Error) => e.message);
        console.log(`# P${i}: ${JSON.stringify(seen)}`);
      }
      throw err;
    }
    console.log(`# ${size} people joining at once: full mesh after ${Date.now() - started} ms`);
    // Everyone hears both speakers: their audio reaches every page (a remote track unmutes when its
    // first packets arrive).
    const hearsSpeakers = `(() => { const m = __un75.meetings()[0];
      const speakers = m.participants.filter((p) => !p.isSelf && (p.name === 'P0' || p.name === 'P1'));
      return speakers.length >= 1 && speakers.every((p) => (m.session.streamsOf(p.id).camera?.getAudioTracks() ?? []).some((t) => t.readyState === 'live' && !t.muted)); })()`;
    for (const [i, page] of pages.entries()) await waitInPage(page, hearsSpeakers, `P${i} to hear the speakers`, 60000);
    // Never two links for one pair once every rebuild and retry has had its go. A link the loaded
    // machine lets lapse after the mesh converged comes back through an ICE restart or a rebuild
    // (test/core/mesh.test.ts drives the restart); how many are still away here is printed.
    const settled = `(() => { const m = __un75.meetings()[0]; return { members: m.participants.length, live: __pcs.filter((pc) => pc.connectionState === 'connected').length }; })()`;
    let lapsed = 0;
    for (const page of pages) {
      await waitInPage(page, fullMesh(size), 'the mesh whole again', 20000).catch(() => {});
      const { members, live } = (await page.evaluate(settled)) as { members: number; live: number };
      assert.equal(members, size, 'everyone still in the room');
      assert.ok(live <= size - 1, `never two connected links for one pair (${live} for ${size - 1} others)`);
      lapsed += size - 1 - live;
    }
    console.log(`# 8 people, after convergence: ${lapsed} link ends lapsed and not yet back`);
  });

  test('a call survives the signaling server restarting: video keeps flowing, everyone is back in the room, and a newcomer sees them all', async () => {
    const own = await startServer();
    const query = { room: 'after-restart', server: own.url };
    const a = await open(0, { ...query, name: 'Uma' });
    const b = await open(1, { ...query, name: 'Victor' });
    await seesMovingVideo(a, ['Victor']);
    await seesMovingVideo(b, ['Uma']);
    await own.stop('SIGKILL');
    await waitInPage(a, `__events.some((e) => e.type === 'un75-connection-state' && e.detail.state === 'reconnecting')`, 'the page to notice the server is gone');
    // Peer-to-peer media does not go through the server.
    await seesMovingVideo(a, ['Victor']);
    const again = await startServer(['--port', String(own.port)]);
    try {
      for (const page of [a, b]) {
        await waitInPage(page, `__events.filter((e) => e.type === 'un75-connection-state').at(-1)?.detail.state === 'connected'`, 'reconnection', 45_000);
        await waitInPage(page, `__un75.names().length === 2 && __un75.meetings()[0].session?.state !== 'reconnecting'`, 'both back in the room', 45_000);
      }
      const c = await open(2, { ...query, name: 'Wen' });
      const started = Date.now();
      await seesMovingVideo(c, ['Uma', 'Victor'], 0, 45_000);
      await seesMovingVideo(a, ['Victor', 'Wen'], 0, 45_000);
      await seesMovingVideo(b, ['Uma', 'Wen'], 0, 45_000);
      console.log(`# after the restart, every video playing everywhere ${Date.now() - started} ms after the newcomer's page opened`);
      for (const page of [a, b, c]) await waitInPage(page, fullMesh(3), 'one connected link per pair', 30_000);
    } finally {
      await again.stop();
    }
  });

  test("two people starting a screen share at the same moment both get the other's screen, and the link survives", async () => {
    const a = await open(0, { room: 'glare', name: 'Ines' });
    const b = await open(1, { room: 'glare', name: 'Jomo' });
    await seesMovingVideo(a, ['Jomo']);
    await seesMovingVideo(b, ['Ines']);
    // Both click in the same instant: two renegotiations cross.
    await Promise.all([a, b].map((page) => page.locator('un75-meeting').locator('[part~="screen"]').click()));
    for (const page of [a, b]) {
      await waitInPage(
        page,
        `__un75.tiles(0).some((t) => t.screen && !t.participant?.isSelf && t.shadowRoot.querySelector('video')?.videoWidth > 0)`,
        "the other's screen to show",
        45_000,
      );
    }
    await seesMovingVideo(a, ['Jomo']);
    await seesMovingVideo(b, ['Ines']);
    for (const page of [a, b]) assert.equal(await page.evaluate(fullMesh(2)), true, 'still one connected link');
  });
});
