// A custom UI on the headless core and the element, in one room: demo/headless.html loads
// dist/core/index.js as a plain ES module from the server (no import map, no bundle) and meets an
// element page through the real server; a token-granted interpreter gets the booth with no
// attribute asking for it.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import path from 'node:path';
import { SignJWT } from 'jose';
import type { BrowserContext, Page } from 'playwright-core';
import { newPage, root, startPartnerPage, startServer, waitInPage, type FixtureServer, type RunningServer } from './harness.js';

/**
 * Runs before the page's scripts: a recogniser that says what the test tells it (`__say(text)`),
 * given to every <un75-meeting> and, as `window.meetingOptions`, to the headless demo's Meeting.
 */
function scriptedRecognizer() {
  const w = window as unknown as Record<string, unknown>;
  const recognizer = {
    start(options: { emit(r: { text: string; final: boolean }): void }) {
      w.__say = (text: string) => options.emit({ text, final: true });
    },
    stop() {
      w.__say = undefined;
    },
  };
  w.meetingOptions = { recognizer };
  new MutationObserver(() => {
    for (const meeting of document.querySelectorAll('un75-meeting')) {
      const m = meeting as unknown as { recognizer?: unknown };
      if (!m.recognizer) m.recognizer = recognizer;
    }
  }).observe(document, { childList: true, subtree: true });
}

const SECRET = 'a-test-secret-of-at-least-thirty-two-bytes';

describe('headless core and element in one room', () => {
  let server: RunningServer;
  let secured: RunningServer;
  let partner: FixtureServer;
  const contexts: BrowserContext[] = [];

  before(async () => {
    // As after `npm start`: the demo folder, and the bundle beside it (headless.html loads the core from it).
    server = await startServer(['--static', path.join(root, 'demo')]);
    secured = await startServer(['--jwt-secret', SECRET]);
    partner = await startPartnerPage();
  });

  after(async () => {
    await Promise.all(contexts.map((c) => c.close().catch(() => {})));
    await partner?.close();
    await server?.stop();
    await secured?.stop();
  });

  async function page(index: number): Promise<Page> {
    const person = await newPage(index);
    contexts.push(person.context);
    await person.context.addInitScript(scriptedRecognizer);
    return person.page;
  }

  test('a headless page and an element page see each other, receive media and exchange captions', async () => {
    const headless = await page(0);
    await headless.goto(`${server.url}/headless.html?room=mixed&name=Hana&listen=en`);
    const element = await page(1);
    await element.goto(`${partner.url}/meeting.html?${new URLSearchParams({ server: server.url, room: 'mixed', name: 'Elias', attrs: 'autojoin spoken-language=en' })}`);

    // The custom UI draws a tile per person, with the other's camera playing.
    await waitInPage(
      headless,
      `(() => { const tiles = [...document.querySelectorAll('#people li')]; const v = tiles.find((t) => t.textContent.includes('Elias'))?.querySelector('video'); return tiles.length === 2 && v && v.readyState >= 2 && v.videoWidth > 0; })()`,
      "Elias's video on the headless page",
      30000,
    );
    await waitInPage(
      element,
      `(() => { const m = document.querySelector('un75-meeting'); const hana = m?.participants.find((p) => p.name === 'Hana'); return Boolean(hana && m.core.streamsOf(hana.id).camera?.getVideoTracks().length); })()`,
      "Hana's camera at the element",
      30000,
    );

    // Element → headless: the caption appears in the custom UI's caption list.
    await waitInPage(element, `typeof window.__say === 'function'`, 'recognition on the element page');
    // Said again until heard: the data channel may open after recognition starts.
    for (let i = 0; i < 20; i++) {
      await element.evaluate(`__say('Hello from the element')`);
      const seen = await headless
        .waitForFunction(`[...document.querySelectorAll('#captions li')].some((li) => li.textContent === 'Elias: Hello from the element')`, undefined, { timeout: 1500, polling: 100 })
        .then(() => true, () => false);
      if (seen) break;
    }
    await waitInPage(headless, `[...document.querySelectorAll('#captions li')].some((li) => li.textContent === 'Elias: Hello from the element')`, "Elias's caption on the headless page");

    // Headless → element: the Meeting's own recogniser (set through meetingOptions) is captioned.
    await waitInPage(headless, `typeof window.__say === 'function'`, 'recognition on the headless page');
    for (let i = 0; i < 20; i++) {
      await headless.evaluate(`__say('Hello from the custom UI')`);
      const seen = await element
        .waitForFunction(`document.querySelector('un75-meeting').captions.captions.some((c) => c.text === 'Hello from the custom UI' && c.speakerName === 'Hana')`, undefined, { timeout: 1500, polling: 100 })
        .then(() => true, () => false);
      if (seen) break;
    }
    const transcript = (await element.evaluate(`document.querySelector('un75-meeting').transcript('text')`)) as string;
    assert.match(transcript, /Hana/);
    assert.match(transcript, /Hello from the custom UI/);
  });

  test('a token granting interpreter opens the booth, with no join-as on the page', async () => {
    const token = await new SignJWT({ room: 'booth', role: 'interpreter', name: 'Ines' })
      .setProtectedHeader({ alg: 'HS256' })
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode(SECRET));
    const interpreter = await page(0);
    await interpreter.goto(`${partner.url}/meeting.html?${new URLSearchParams({ server: secured.url, room: 'booth', name: 'Whoever', attrs: `autojoin token="${token}" interpreter-languages="en fr"` })}`);
    await waitInPage(
      interpreter,
      `(() => { const m = document.querySelector('un75-meeting'); return m?.participants[0]?.role === 'interpreter' && Boolean(m.shadowRoot.querySelector('un75-booth')?.shadowRoot?.querySelector('[part~="on-air"]')); })()`,
      'the booth for the token-granted interpreter',
    );
    const self = (await interpreter.evaluate(`(() => { const p = document.querySelector('un75-meeting').participants[0]; return { name: p.name, role: p.role, joinAs: document.querySelector('un75-meeting').getAttribute('join-as') }; })()`)) as Record<string, unknown>;
    assert.deepEqual(self, { name: 'Ines', role: 'interpreter', joinAs: null }, 'name and role from the token, nothing asked on the page');
  });
});
