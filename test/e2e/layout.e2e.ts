// The speaker view following who really speaks. Two people whose fake microphones play a tone
// (a browser each, launched with a tone file: Chromium's file-backed fake microphone serves one
// capture at a time, a second page waits for it forever) and an observer with layout="speaker" in
// a shared browser, through the real un75-signal: the observer's large tile follows the active
// speaker from the audio levels, and a shared screen takes it.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { toneFile } from './audio.js';
import { launchBrowser, newPage, root, startPartnerPage, startServer, waitInPage, type FixtureServer, type RunningServer } from './harness.js';

const ROOM = 'speaker-view';

/** What the observer's main view shows: `Name`, `screen:Name`, or null (the grid). */
const MAIN = `(() => {
  const grid = document.querySelector('un75-meeting').shadowRoot.querySelector('un75-video-grid');
  const tile = grid.shadowRoot.querySelector('[part~="main-view"] un75-participant-tile');
  return tile?.participant ? (tile.screen ? 'screen:' : '') + tile.participant.name : null;
})()`;

describe('speaker view with tone microphones', () => {
  let server: RunningServer;
  let partner: FixtureServer;
  let dir: string;
  const tones: Browser[] = [];
  const contexts: BrowserContext[] = [];
  let observer: Page;
  let amina: Page;
  let boris: Page;

  async function open(context: BrowserContext, name: string, attrs: string): Promise<Page> {
    contexts.push(context);
    await context.addInitScript({ path: path.join(root, 'test/e2e/probes.js') });
    const page = await context.newPage();
    page.on('pageerror', (err) => console.error(`[${name}] ${err.message}`));
    const query = new URLSearchParams({ server: server.url, room: ROOM, name, attrs: `autojoin camera-off ${attrs}` });
    await page.goto(`${partner.url}/meeting.html?${query}`);
    return page;
  }

  const mic = (page: Page) => page.locator('un75-meeting').locator('[part~="mic"]');
  const screen = (page: Page) => page.locator('un75-meeting').locator('[part~="screen"]');

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'un75-tones-'));
    server = await startServer();
    partner = await startPartnerPage();
    // Both speakers play the same steady tone: who speaks is decided by who has the microphone on.
    const tone = toneFile(dir, 440);
    for (let i = 0; i < 2; i++) tones.push(await launchBrowser({ args: [`--use-file-for-fake-audio-capture=${tone}`] }));
    // The observer never speaks (microphone off); Boris joins before Amina, so with nobody speaking
    // yet the speaker view shows Boris, the first other person.
    observer = await open((await newPage(0)).context, 'Olga', 'mic-off layout="speaker"');
    await waitInPage(observer, `__un75.names().length === 1`, 'the observer in the room');
    await observer.evaluate(`(() => {
      const core = document.querySelector('un75-meeting').core;
      window.__speakers = [];
      core.addEventListener('active-speaker', (e) => window.__speakers.push(e.detail.id));
    })()`);
    boris = await open(await tones[0]!.newContext({ permissions: ['camera', 'microphone'] }), 'Boris', 'mic-off layout="speaker"');
    await waitInPage(observer, `__un75.names().length === 2`, 'Boris in the room');
    await waitInPage(observer, `${MAIN} === 'Boris'`, 'Boris large while nobody speaks');
    amina = await open(await tones[1]!.newContext({ permissions: ['camera', 'microphone'] }), 'Amina', 'layout="speaker"');
    await waitInPage(observer, `__un75.names().length === 3`, 'all three in the room');
  });

  after(async () => {
    await Promise.all(contexts.map((c) => c.close().catch(() => {})));
    await Promise.all(tones.map((b) => b.close().catch(() => {})));
    await partner?.close();
    await server?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const idOf = (name: string) =>
    observer.evaluate(`document.querySelector('un75-meeting').participants.find((p) => p.name === ${JSON.stringify(name)}).id`) as Promise<string>;

  test('the large tile follows who speaks: Amina, then Boris once Amina mutes and he unmutes', async () => {
    // Her link must connect first: on a busy machine that alone can take a while.
    await waitInPage(observer, `${MAIN} === 'Amina'`, 'Amina, speaking, to be large', 120_000);
    const aminaId = await idOf('Amina');
    assert.equal(await observer.evaluate(`document.querySelector('un75-meeting').core.activeSpeaker`), aminaId);
    // Everyone else is in the filmstrip, oneself included.
    const strip = `[...document.querySelector('un75-meeting').shadowRoot.querySelector('un75-video-grid').shadowRoot.querySelectorAll('[part="filmstrip"] un75-participant-tile')].map((t) => t.participant.name).sort()`;
    assert.deepEqual(await observer.evaluate(strip), ['Boris', 'Olga']);

    await mic(amina).click({ timeout: 60_000 });
    await mic(boris).click({ timeout: 60_000 });
    await waitInPage(observer, `${MAIN} === 'Boris'`, 'Boris, now speaking, to be large', 60_000);
    const borisId = await idOf('Boris');
    assert.equal(await observer.evaluate(`document.querySelector('un75-meeting').core.activeSpeaker`), borisId);
    assert.deepEqual(await observer.evaluate(strip), ['Amina', 'Olga']);
    // The floor changed hands twice and only twice: no flicker on the way.
    assert.deepEqual(await observer.evaluate('window.__speakers'), [aminaId, borisId]);
  });

  test('a shared screen takes the large tile, shown whole (contain), with the cameras in the filmstrip', async () => {
    // A real click: browsers only share a screen on a user gesture.
    await screen(amina).click({ timeout: 60_000 });
    await waitInPage(observer, `${MAIN} === 'screen:Amina'`, "Amina's screen to be large", 60_000);
    const video = `document.querySelector('un75-meeting').shadowRoot.querySelector('un75-video-grid').shadowRoot.querySelector('[part~="main-view"] un75-participant-tile').shadowRoot.querySelector('video')`;
    await waitInPage(observer, `${video}.videoWidth > 0`, 'the screen to play in the large tile');
    assert.equal(await observer.evaluate(`getComputedStyle(${video}).objectFit`), 'contain');
    const strip = `[...document.querySelector('un75-meeting').shadowRoot.querySelector('un75-video-grid').shadowRoot.querySelectorAll('[part="filmstrip"] un75-participant-tile')].map((t) => (t.screen ? 'screen:' : '') + t.participant.name).sort()`;
    assert.deepEqual(await observer.evaluate(strip), ['Amina', 'Boris', 'Olga']);
    // Sharing stops: the speaker is large again.
    await screen(amina).click({ timeout: 60_000 });
    await waitInPage(observer, `${MAIN} === 'Boris'`, 'Boris large again once the screen goes');
  });
});
