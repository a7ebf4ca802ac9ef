// The mesh under the conditions that used to break it: the signaling server restarting (its memory
// lost) and then a newcomer; both sides starting a screen share at once. Real Chromium pages through the real un75-signal.
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

  async function open(browserIndex: number, query: Record<string, string>): Promise<Page> {
    const person = await newPage(browserIndex);
    people.push(person);
    await person.context.addInitScript({ path: path.join(root, 'test/e2e/probes.js') });
    await person.context.addInitScript({ content: TRACK_PEER_CONNECTIONS });
    const params = new URLSearchParams({ server: server.url, ...query });
    await person.page.goto(`${partner.url}/meeting.html?${params}`);
    return person.page;
  }

  test('after the signaling server restarts, the members and a newcomer all see each other with live video', async () => {
    const own = await startServer();
    const query = { room: 'after-restart', server: own.url };
    const a = await open(0, { ...query, name: 'Uma' });
    const b = await open(1, { ...query, name: 'Victor' });
    await seesMovingVideo(a, ['Victor']);
    await seesMovingVideo(b, ['Uma']);
    await own.stop('SIGKILL');
    const again = await startServer(['--port', String(own.port)]);
    try {
      for (const page of [a, b]) {
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
    for (const page of [a, b]) assert.equal(await page.evaluate(fullMesh(2) as unknown as string), true, 'still one connected link');
  });
});
