// demo/custom-layout.html, a partner page built from the sub-elements (`for=` a meeting) and
// restyled through parts and tokens: two real browsers open it from the real un75-signal (which
// serves it with its Content-Security-Policy) and each sees the other's live video in the page's
// own <un75-video-grid>.
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, test } from 'node:test';
import type { BrowserContext, Page } from 'playwright-core';
import { newPage, startServer, waitInPage, type RunningServer } from './harness.js';

/** Records Content-Security-Policy violations, so that a policy that breaks the page fails the test. */
const recordViolations = `window.__csp = [];
document.addEventListener('securitypolicyviolation', (e) => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));`;

/**
 * The remote people in the page's own grid (not the meeting's): name, video width, seconds played.
 * Plain JavaScript in a string: it runs in the page as written, without the test's TypeScript loader.
 */
const remoteInOwnGrid = `(() => {
  const grid = document.querySelector('main > .stage un75-video-grid');
  const tiles = [...(grid?.shadowRoot?.querySelectorAll('un75-participant-tile') ?? [])];
  return tiles
    .filter((t) => t.participant && !t.participant.isSelf && !t.screen)
    .map((t) => {
      const video = t.shadowRoot?.querySelector('video');
      return { name: t.participant.name, width: video?.videoWidth ?? 0, played: video && !video.paused ? video.currentTime : 0 };
    });
})()`;

describe('the custom-layout demo', () => {
  let server: RunningServer;
  const contexts: BrowserContext[] = [];

  before(async () => {
    server = await startServer(['--static', 'demo']);
  });
  afterEach(async () => {
    await Promise.all(contexts.splice(0).map((c) => c.close().catch(() => {})));
  });
  after(() => server?.stop());

  async function open(index: number, query: string): Promise<Page> {
    const { context, page } = await newPage(index);
    contexts.push(context);
    await context.addInitScript({ content: recordViolations });
    await page.goto(`${server.url}/custom-layout.html?${query}`);
    return page;
  }

  test('two people on the page built from sub-elements see each other live in its own grid, under its CSP', async () => {
    const amina = await open(0, 'room=custom-e2e&name=Amina&autojoin');
    const boris = await open(1, 'room=custom-e2e&name=Boris&autojoin');
    for (const [page, other] of [
      [amina, 'Boris'],
      [boris, 'Amina'],
    ] as const) {
      const seen = (min: number) =>
        waitInPage(
          page,
          `${remoteInOwnGrid}.some((t) => t.name === ${JSON.stringify(other)} && t.width > 0 && t.played > ${min})`,
          `${other}'s video playing in the page's own grid`,
          45000,
        );
      await seen(0);
      // Live, not a still frame: the video keeps playing.
      const played = ((await page.evaluate(remoteInOwnGrid)) as Array<{ name: string; played: number }>).find((t) => t.name === other)!.played;
      await seen(played + 1);
      // The page's own controls drive the meeting.
      assert.equal(await page.locator('main > .bar > un75-controls').locator('[part~="leave"]').count(), 1);
      assert.deepEqual(await page.evaluate('window.__csp'), [], 'nothing was blocked by the CSP');
    }
    // The meeting's own call UI is hidden by the page; its pieces are shown by the sub-elements.
    assert.equal(await amina.locator('#talk').evaluate((m) => getComputedStyle(m.shadowRoot!.querySelector('[part="stage"]')!).display), 'none');
    assert.ok(await amina.locator('main > .bar').isVisible());
    await amina.screenshot({ path: process.env.UN75_SCREENSHOT ?? '/tmp/un75-custom-layout.png' });

    // Leaving with the page's own Leave button ends the call for the other.
    await amina.locator('main > .bar > un75-controls').locator('[part~="leave"]').click();
    await waitInPage(boris, `${remoteInOwnGrid}.length === 0`, 'Amina to be gone', 20000);
  });

  test('the standard demo works under the same CSP', async () => {
    const page = await open(0, '');
    await page.goto(`${server.url}/`);
    await waitInPage(page, () => !!document.querySelector('un75-meeting')?.shadowRoot?.querySelector('un75-lobby'), 'the pre-join screen');
    assert.deepEqual(await page.evaluate('window.__csp'), []);
    assert.equal(await page.locator('a[href="/custom-layout.html"]').count(), 1, 'it links the custom layout');
  });
});
