// A call as people make it: real Chromium instances, each a separate person, joining one room
// through the real un75-signal server, from a partner page that loads only the single-file bundle.
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, test } from 'node:test';
import type { BrowserContext, Page } from 'playwright-core';
import path from 'node:path';
import { keepEvery, newPage, root, seesMovingVideo, startPartnerPage, startServer, waitInPage, type FixtureServer, type RunningServer } from './harness.js';

type Person = { context: BrowserContext; page: Page };

describe('a call between three browsers', () => {
  let server: RunningServer;
  let partner: FixtureServer;
  const people: Person[] = [];

  before(async () => {
    server = await startServer();
    partner = await startPartnerPage();
  });

  // Each test's people hang up when it ends: calls left running would load the machine for the next.
  afterEach(async () => {
    await Promise.all(people.splice(0).map((p) => p.context.close().catch(() => {})));
  });

  after(async () => {
    await partner?.close();
    await server?.stop();
  });

  async function open(browserIndex: number, query: Record<string, string | string[]>, init?: (() => void) | string): Promise<Page> {
    const person = await newPage(browserIndex);
    people.push(person);
    await person.context.addInitScript({ path: path.join(root, 'test/e2e/probes.js') });
    if (init) await person.context.addInitScript(init);
    const params = new URLSearchParams({ server: (query.server as string | undefined) ?? server.url });
    for (const [key, value] of Object.entries(query)) if (key !== 'server') for (const v of [value].flat()) params.append(key, v);
    await person.page.goto(`${partner.url}/meeting.html?${params}`);
    return person.page;
  }

  test('each of three people sees the two others with live video; a leaver is gone within seconds and releases camera and microphone', async () => {
    const names = ['Amina', 'Boris', 'Chen'];
    const pages: Page[] = [];
    for (const [i, name] of names.entries()) pages.push(await open(i, { room: 'trio', name }));

    for (const [i, page] of pages.entries()) {
      await seesMovingVideo(page, names.filter((_, j) => j !== i));
      assert.deepEqual(await page.evaluate('__un75.names()'), names);
    }

    const events = (await pages[0]!.evaluate('__events')) as { type: string; detail: any }[];
    assert.ok(events.some((e) => e.type === 'un75-joined' && typeof e.detail.selfId === 'string'), 'un75-joined fired');
    assert.ok(events.filter((e) => e.type === 'un75-participant-joined').length >= 2, 'un75-participant-joined fired per peer');

    // Chen leaves with the Leave button.
    const chen = pages[2]!;
    await chen.evaluate(`window.__tracks = __un75.meetings()[0].localStream.getTracks()`);
    assert.deepEqual(await chen.evaluate(`__tracks.map((t) => t.kind).sort()`), ['audio', 'video']);
    const leftAt = Date.now();
    await chen.locator('un75-meeting').locator('[part~="leave"]').click();
    for (const page of pages.slice(0, 2)) {
      await waitInPage(page, `__un75.names().length === 2`, 'Chen to be gone', 10000);
      assert.deepEqual(await page.evaluate('__un75.names()'), ['Amina', 'Boris']);
      const left = (await page.evaluate('__events')) as { type: string; detail: any }[];
      assert.ok(left.some((e) => e.type === 'un75-participant-left' && e.detail.participant.name === 'Chen'));
    }
    console.log(`# others saw the leaver gone after ${Date.now() - leftAt} ms`);
    assert.deepEqual(await chen.evaluate(`__tracks.map((t) => t.readyState)`), ['ended', 'ended']);
    const chenEvents = (await chen.evaluate('__events')) as { type: string; detail: any }[];
    assert.ok(chenEvents.some((e) => e.type === 'un75-left' && e.detail.reason === 'left'));

    // Boris's page removes his element: that leaves too, and stops his devices.
    const boris = pages[1]!;
    await boris.evaluate(`window.__tracks = __un75.meetings()[0].localStream.getTracks(); __un75.meetings()[0].remove()`);
    await waitInPage(pages[0]!, `__un75.names().length === 1`, 'Boris to be gone', 10000);
    await waitInPage(boris, `__tracks.every((t) => t.readyState === 'ended')`, "Boris's devices released");
    // Amina alone is told she is waiting for others.
    await assertTextVisible(pages[0]!, 'Waiting for others to join');
  });

  test('two meetings on one page, each its own participant, see each other', async () => {
    const page = await open(0, { room: 'pair', name: ['Kofi', 'Lena'] });
    await seesMovingVideo(page, ['Lena'], 0);
    await seesMovingVideo(page, ['Kofi'], 1);
    assert.deepEqual(await page.evaluate('__un75.names(0)'), ['Kofi', 'Lena']);
  });

  test('without a camera a person joins with audio only and is told so; without a microphone, listen-only', async () => {
    const denyCamera = () => {
      const original = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
      navigator.mediaDevices.getUserMedia = async (c?: MediaStreamConstraints) => {
        if (c?.video) throw new DOMException('Permission denied', 'NotAllowedError');
        return original(c);
      };
    };
    const denyMicrophone = () => {
      const original = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
      navigator.mediaDevices.getUserMedia = async (c?: MediaStreamConstraints) => {
        if (c?.audio) throw new DOMException('Requested device not found', 'NotFoundError');
        return original(c);
      };
    };
    const noCamera = await open(0, { room: 'devices', name: 'Nadia' }, denyCamera);
    const noMic = await open(1, { room: 'devices', name: 'Omar' }, denyMicrophone);
    await waitInPage(noCamera, `__un75.names().length === 2`, 'both in the room');
    await waitInPage(noMic, `__un75.names().length === 2`, 'both in the room');
    await assertTextVisible(noCamera, 'No camera available: you joined with audio only.');
    await assertTextVisible(noMic, 'No microphone available: you can listen but not speak.');
    // The one with a camera but no microphone is still seen by the other.
    await seesMovingVideo(noCamera, ['Omar']);
    const tracks = (await noCamera.evaluate(`__un75.meetings()[0].localStream.getTracks().map((t) => t.kind)`)) as string[];
    assert.deepEqual(tracks, ['audio']);
    const omarSeenBy = (await noMic.evaluate(`__un75.meetings()[0].participants.find((p) => p.name === 'Nadia')`)) as {
      cameraEnabled: boolean;
      micEnabled: boolean;
    };
    assert.equal(omarSeenBy.cameraEnabled, false);
    assert.equal(omarSeenBy.micEnabled, true);
  });

  test('turning the camera off shows the others an avatar, and back on brings the video back', async () => {
    const a = await open(0, { room: 'toggle', name: 'Priya' });
    const b = await open(1, { room: 'toggle', name: 'Quentin' });
    await seesMovingVideo(b, ['Priya']);
    await a.locator('un75-meeting').locator('[part~="camera"]').click();
    await waitInPage(
      b,
      `__un75.meetings()[0].participants.some((p) => p.name === 'Priya' && !p.cameraEnabled)`,
      'camera off to be seen',
    );
    assert.equal(await a.evaluate(`__un75.meetings()[0].localStream.getVideoTracks().length`), 0, 'camera released');
    await a.locator('un75-meeting').locator('[part~="mic"]').click();
    await waitInPage(
      b,
      `__un75.meetings()[0].participants.some((p) => p.name === 'Priya' && !p.micEnabled)`,
      'mic off to be seen',
    );
    await a.locator('un75-meeting').locator('[part~="camera"]').click();
    await seesMovingVideo(b, ['Priya']);
  });

  test('a screen share reaches the other side as its own tile and goes away when stopped', async () => {
    const a = await open(0, { room: 'screen', name: 'Sipho' });
    const b = await open(1, { room: 'screen', name: 'Tove' });
    await seesMovingVideo(b, ['Sipho']);
    // A real click: browsers only share a screen on a user gesture.
    await a.locator('un75-meeting').locator('[part~="screen"]').click();
    await waitInPage(
      b,
      `__un75.tiles(0).some((t) => t.screen && t.shadowRoot.querySelector('video').videoWidth > 0)`,
      "Sipho's screen to show",
    );
    assert.equal(await a.locator('un75-meeting').locator('[part~="screen"]').getAttribute('aria-pressed'), 'true');
    await a.locator('un75-meeting').locator('[part~="screen"]').click();
    await waitInPage(b, `!__un75.tiles(0).some((t) => t.screen)`, 'the screen tile to go');
    await seesMovingVideo(b, ['Sipho']);
  });

  // The signaling server restarting under a call: test/e2e/mesh.e2e.ts, with a newcomer after it.

  test('a partner page in Arabic gets a right-to-left pre-join screen with Arabic labels', async () => {
    const page = await open(2, { room: 'rtl', name: 'Rania', attrs: '', lang: 'ar' });
    const join = page.locator('un75-meeting').locator('[part="join"]');
    await join.waitFor();
    assert.equal((await join.textContent())?.trim(), 'انضمام');
    const dir = await page.evaluate(`getComputedStyle(__un75.meetings()[0].shadowRoot.querySelector('[part="base"]')).direction`);
    assert.equal(dir, 'rtl');
    await join.click();
    await waitInPage(page, `__un75.names().length === 1`, 'joined from the pre-join screen');
  });

  test('Join on the pre-join screen uses the socket opened at the intent to join, and one the server closed unused is replaced', async () => {
    // Opened once the visitor means to join (focus in the name field), not when the screen appears:
    // the click on Join does not wait for a connection.
    const page = await open(0, { room: 'warm', name: 'Lena', attrs: '' }, COUNT_SOCKETS);
    const lobby = page.locator('un75-meeting').locator('[part="join"]');
    await lobby.waitFor();
    // The call engine loaded and rendered ahead: nothing has opened a socket on its own.
    await waitInPage(page, `!!__un75.meetings()[0].shadowRoot.querySelector('[part~="stage"]')`, 'the call rendered ahead');
    assert.equal(await page.evaluate('__sockets.length'), 0, 'no socket before an intent to join');
    await page.locator('un75-meeting').locator('input[name="name"]').focus();
    await waitInPage(page, `__sockets.some((s) => s.readyState === 1)`, 'a socket opened at the focus in the name field');
    // Counted in the task of the click: the join takes the socket over in that task's microtasks.
    const atClick = (await page.evaluate(`(() => {
      const open = __sockets.filter((s) => s.readyState === 1).length;
      __un75.meetings()[0].shadowRoot.querySelector('un75-lobby').shadowRoot.querySelector('[part="join"]').click();
      return { made: __sockets.length, open };
    })()`)) as { made: number; open: number };
    assert.equal(atClick.open, 1, 'one socket open ahead when Join is clicked');
    const other = await open(1, { room: 'warm', name: 'Omar' });
    await waitInPage(other, `__un75.names().includes('Lena')`, 'Lena in the room');
    assert.equal(await page.evaluate('__sockets.length'), atClick.made, 'the join took over the socket opened ahead');

    // A server that closes sockets not joined within 300 ms: what the page opened ahead at the pointer
    // on Join is closed unused; a new socket opens at the next intent (focus in the name field), and
    // Join works.
    const strict = await startServer(['--join-timeout-ms', '300']);
    try {
      const late = await open(0, { room: 'warm', name: 'Ines', attrs: '', server: strict.url }, COUNT_SOCKETS);
      const join = late.locator('un75-meeting').locator('[part="join"]');
      await join.hover();
      await waitInPage(late, `__sockets.length === 1 && __sockets[0].readyState === 3`, 'the socket opened at the pointer, closed unused by the server');
      await late.locator('un75-meeting').locator('input[name="name"]').focus();
      await waitInPage(late, `__sockets.length === 2`, 'a new socket at the focus in the name field');
      await join.click();
      await waitInPage(late, `__un75.names().length === 1 && __un75.meetings()[0].core.session.state === 'joined'`, 'Ines in the room');
    } finally {
      await strict.stop();
    }
  });
});

/** Every WebSocket a page opens, in `window.__sockets`. */
const COUNT_SOCKETS = keepEvery('WebSocket', '__sockets');

async function assertTextVisible(page: Page, text: string) {
  await page.locator('un75-meeting').getByText(text).first().waitFor({ state: 'visible', timeout: 10000 });
}
