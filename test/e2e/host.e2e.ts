// A facilitated dialogue end to end: real Chromium pages (a partner page loading only the single-file
// bundle), two real un75-signal processes over a real Redis in open-room mode (the first member is the
// host), the host on one and everyone else on the other, as a load balancer may spread them. The host's
// tools, a participant trying the same (forbidden, nothing changes), the hands queue, the waiting
// room, and chat translated for a French reader through a LibreTranslate-compatible server.
// The pages are shared across the tests: each test goes on from where the last one left the room.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { startLibreTranslate } from '../mocks/libretranslate.mjs';
import { startRedis } from '../server/helpers.js';
import { newPage, root, seesMovingVideo, startPartnerPage, startServer, waitInPage, type FixtureServer, type RunningServer } from './harness.js';

/** Records every un75 event of the page's meeting, with its detail, in `window.__host`. */
function recordEvents() {
  const w = window as unknown as { __host: { type: string; detail: unknown }[] };
  w.__host = [];
  const types = ['joined', 'left', 'error', 'chat', 'waiting-change', 'lock-change', 'waiting-room', 'mute-requested', 'role-change'];
  for (const type of types) {
    document.addEventListener(`un75-${type}`, (e) => w.__host.push({ type, detail: JSON.parse(JSON.stringify((e as CustomEvent).detail ?? null)) }));
  }
}

type Recorded = { type: string; detail: any };
const M = `document.querySelector('un75-meeting')`;

describe('a facilitated dialogue: host tools, waiting room, hands and chat', () => {
  let redis: Awaited<ReturnType<typeof startRedis>>;
  /** The host's process, and everyone else's. */
  let server: RunningServer;
  let other: RunningServer;
  let partner: FixtureServer;
  let translate: Awaited<ReturnType<typeof startLibreTranslate>>;
  const contexts: BrowserContext[] = [];
  let hosta: Page;
  let bo: Page;
  let cy: Page;
  const ids: Record<string, string> = {};

  async function open(browserIndex: number, name: string, attrs = '', via = other): Promise<Page> {
    const person = await newPage(browserIndex);
    contexts.push(person.context);
    await person.context.addInitScript({ path: path.join(root, 'test/e2e/probes.js') });
    await person.context.addInitScript(recordEvents);
    const params = new URLSearchParams({ server: via.url, room: 'facilitated', name, attrs: `autojoin spoken-language=en ${attrs}` });
    await person.page.goto(`${partner.url}/meeting.html?${params}`);
    return person.page;
  }

  const events = async (page: Page, type?: string): Promise<Recorded[]> =>
    ((await page.evaluate('__host')) as Recorded[]).filter((e) => type === undefined || e.type === type);
  // Generous: three browsers start and join on a busy machine. On failure, what the page saw.
  const joined = (page: Page) =>
    waitInPage(page, `${M}?.core?.session?.state === 'joined' && ${M}.core.session.selfId`, 'the join', 90000).catch(async (err: Error) => {
      const seen = await page.evaluate(`JSON.stringify({ state: ${M}?.core?.session?.state, events: __host })`).catch(() => '');
      throw new Error(`${err.message}: ${String(seen)}`);
    });

  before(async () => {
    redis = await startRedis();
    [server, other] = await Promise.all([startServer(['--redis', redis.url]), startServer(['--redis', redis.url])]);
    partner = await startPartnerPage();
    translate = await startLibreTranslate();
    // The first in the room is its host.
    hosta = await open(0, 'Hosta', '', server);
    ids.Hosta = (await joined(hosta)) as string;
    // Only the host sends video: five pages each encoding video for every other would leave two
    // cores showing about a frame a second (measured), and the host tools need no more.
    bo = await open(1, 'Bo', `camera-off listen-language=fr translation-endpoint=${translate.url} interpreter-languages="en fr"`);
    ids.Bo = (await joined(bo)) as string;
    cy = await open(2, 'Cy', 'camera-off');
    ids.Cy = (await joined(cy)) as string;
    for (const page of [hosta, bo, cy]) await waitInPage(page, `__un75.names().length === 3`, 'everyone listed');
  });

  after(async () => {
    await Promise.all(contexts.map((c) => c.close().catch(() => {})));
    await translate?.close();
    await partner?.close();
    await Promise.all([server?.stop(), other?.stop()]);
    await redis?.stop();
  });

  test('the first member is host; a participant trying each host tool gets forbidden and nothing changes', async () => {
    assert.equal(await hosta.evaluate(`${M}.core.role`), 'host');
    assert.equal(await bo.evaluate(`${M}.core.role`), 'participant');
    await cy.evaluate(`${M}.toggleHand(true)`);
    await waitInPage(bo, `${M}.participants.find((p) => p.name === 'Cy')?.handRaised === true`, "Cy's hand at Bo");
    await bo.evaluate(`(async () => {
      const m = ${M};
      await m.removeParticipant(${JSON.stringify(ids.Cy)});
      await m.requestMute(${JSON.stringify(ids.Cy)});
      await m.toggleLock(true);
      await m.lowerHand(${JSON.stringify(ids.Cy)});
      await m.setRole(${JSON.stringify(ids.Cy)}, 'host');
      await m.setRole(${JSON.stringify(ids.Bo)}, 'host');
      // A waiting-room action with nobody waiting is still a host's: forbidden first.
      await m.admit('nobody');
      await m.deny('nobody');
    })()`);
    await waitInPage(bo, `__host.filter((e) => e.type === 'error').length >= 8`, 'eight answers');
    const errors = await events(bo, 'error');
    assert.deepEqual(errors.map((e) => e.detail.code), Array(8).fill('forbidden'));
    // Nothing changed, anywhere.
    assert.equal(await cy.evaluate(`${M}.core.session.state`), 'joined');
    assert.equal(await cy.evaluate(`${M}.participants[0].handRaised`), true);
    assert.deepEqual(await events(cy, 'mute-requested'), []);
    for (const page of [hosta, bo, cy]) {
      assert.equal(await page.evaluate(`${M}.core.locked`), false);
      assert.deepEqual(await page.evaluate(`${M}.participants.map((p) => p.role).sort()`), ['host', 'participant', 'participant']);
    }
    await cy.evaluate(`${M}.toggleHand(false)`);
    await waitInPage(hosta, `${M}.core.hands.length === 0`, 'no hands at the host');
  });

  test('raised hands queue in raise order on all three pages; the host lowers one and its owner sees it down', async () => {
    const order = `${M}.core.hands.map((p) => p.name).join()`;
    for (const name of ['Cy', 'Hosta', 'Bo']) {
      const page = { Cy: cy, Hosta: hosta, Bo: bo }[name]!;
      await page.evaluate(`${M}.toggleHand(true)`);
      // Each hand is seen everywhere before the next goes up: the order is the server's, not a race.
      for (const other of [hosta, bo, cy]) await waitInPage(other, `${order}.includes(${JSON.stringify(name)})`, `${name}'s hand everywhere`);
    }
    for (const page of [hosta, bo, cy]) assert.equal(await page.evaluate(order), 'Cy,Hosta,Bo');

    await hosta.evaluate(`${M}.lowerHand(${JSON.stringify(ids.Cy)})`);
    await waitInPage(cy, `${M}.participants[0].handRaised === false`, "Cy's own hand down");
    for (const page of [hosta, bo, cy]) await waitInPage(page, `${order} === 'Hosta,Bo'`, 'the queue without Cy');
    // The control bar's hand button follows (aria-pressed).
    await waitInPage(
      cy,
      `${M}.shadowRoot.querySelector('un75-controls').shadowRoot.querySelector('[part~="hand"]').getAttribute('aria-pressed') === 'false'`,
      "Cy's hand button up",
    );
    await hosta.evaluate(`${M}.toggleHand(false)`);
    await bo.evaluate(`${M}.toggleHand(false)`);
  });

  test('request-mute asks and never mutes; set-role changes the target\'s role and fires un75-role-change', async () => {
    await hosta.evaluate(`${M}.requestMute(${JSON.stringify(ids.Cy)})`);
    await waitInPage(cy, `__host.some((e) => e.type === 'mute-requested')`, 'the request at Cy');
    assert.deepEqual((await events(cy, 'mute-requested'))[0]!.detail, { by: ids.Hosta, name: 'Hosta' });
    assert.equal(await cy.evaluate(`${M}.core.session.micEnabled`), true, 'the microphone stays on');
    assert.equal(await cy.evaluate(`${M}.participants[0].micEnabled`), true);

    await hosta.evaluate(`${M}.setRole(${JSON.stringify(ids.Bo)}, 'interpreter')`);
    await waitInPage(bo, `__host.some((e) => e.type === 'role-change')`, "Bo's role change");
    assert.deepEqual((await events(bo, 'role-change')).map((e) => e.detail), [{ role: 'interpreter' }]);
    assert.equal(await bo.evaluate(`${M}.core.role`), 'interpreter');
    await waitInPage(cy, `${M}.participants.find((p) => p.name === 'Bo')?.role === 'interpreter'`, "Bo's role at Cy");
    await hosta.evaluate(`${M}.setRole(${JSON.stringify(ids.Bo)}, 'participant')`);
    await waitInPage(bo, `${M}.core.role === 'participant'`, 'Bo a participant again');
    assert.deepEqual((await events(bo, 'role-change')).map((e) => e.detail.role), ['interpreter', 'participant']);
  });

  test('chat is shown to a French reader in French through the LibreTranslate server, with the original kept', async () => {
    // Chat goes over the data channels: both readers' links to the writer are up.
    for (const page of [bo, cy]) await waitInPage(page, `${M}.participants.find((p) => p.name === 'Hosta')?.connectionState === 'connected'`, 'the link to Hosta', 90000);
    // The reader's translator has asked the server for its languages once (on a loaded machine
    // that first exchange, preflight included, can eat the chat's translation time budget).
    assert.equal(await bo.evaluate(`${M}.core.chat.translator.translate('Hello', 'en', 'fr')`), 'Bonjour');
    const before = translate.requests.length;
    await hosta.evaluate(`${M}.sendChat('Good morning everyone')`);
    await waitInPage(bo, `__host.some((e) => e.type === 'chat')`, 'the message at Bo');
    const [message] = (await events(bo, 'chat')).map((e) => e.detail.message);
    assert.equal(message.name, 'Hosta');
    assert.equal(message.from, ids.Hosta);
    assert.equal(message.lang, 'en');
    assert.equal(message.text, 'Bonjour à tous', JSON.stringify(message));
    assert.equal(message.original, 'Good morning everyone');
    assert.deepEqual(message.translated, { text: 'Bonjour à tous', lang: 'fr', machine: true });
    assert.ok(translate.requests.length > before, 'translated by the LibreTranslate server');
    // An English reader gets it as written; the sender gets their own message too.
    await waitInPage(cy, `__host.some((e) => e.type === 'chat' && e.detail.message.text === 'Good morning everyone')`, 'the message at Cy');
    assert.equal((await events(hosta, 'chat')).length, 1);
    assert.equal(await bo.evaluate(`${M}.core.unreadChat`), 1);
    const transcript = JSON.parse((await bo.evaluate(`${M}.transcript('json', 'fr')`)) as string) as { chat: { text: string; machineTranslated: boolean }[] };
    assert.deepEqual(transcript.chat.map((c) => [c.text, c.machineTranslated]), [['Bonjour à tous', true]]);
  });

  test('on the partner page, the chat button counts the unread message; by keyboard Bo opens Chat, reads it in French (labelled, original on demand) and answers with Enter', async () => {
    const chatButton = bo.locator('un75-meeting').locator('[part~="chat-button"]');
    await waitInPage(bo, `${M}.shadowRoot.querySelector('[part~="chat-button"]')?.getAttribute('aria-label') === 'Chat, 1 unread message'`, 'the unread count on the chat button');
    await chatButton.focus();
    await bo.keyboard.press('Enter');
    const panel = bo.locator('un75-meeting').locator('un75-side-panel');
    const message = panel.locator('[part~="message"]').first();
    await message.waitFor({ timeout: 45000 });
    assert.match(await message.innerText(), /Hosta[\s\S]*Bonjour à tous[\s\S]*Machine translation/);
    await waitInPage(bo, `${M}.shadowRoot.querySelector('[part~="chat-button"]').getAttribute('aria-label') === 'Chat' && ${M}.core.unreadChat === 0`, 'read once shown');
    await panel.locator('[part~="show-original"]').first().click();
    await waitInPage(bo, `${M}.shadowRoot.querySelector('un75-side-panel').shadowRoot.querySelector('[part~="message"] .text').textContent === 'Good morning everyone'`, 'the original on demand');
    await panel.locator('[part~="chat-input"]').focus();
    await bo.keyboard.type('Merci');
    await bo.keyboard.press('Enter');
    await waitInPage(hosta, `__host.some((e) => e.type === 'chat' && e.detail.message.original === 'Merci' && e.detail.message.name === 'Bo')`, "Bo's answer at Hosta");
    assert.equal(await panel.locator('[part~="chat-input"]').inputValue(), '', 'the input is cleared once sent');
  });

  test('lock: a newcomer waits and the host sees them; admitted they are linked to everyone and see the host\'s video; the next is denied', async () => {
    await hosta.evaluate(`${M}.toggleLock(true)`);
    for (const page of [hosta, bo, cy]) await waitInPage(page, `${M}.core.locked === true`, 'the lock everywhere');
    assert.deepEqual((await events(cy, 'lock-change')).map((e) => e.detail), [{ locked: true }]);

    const dan = await open(0, 'Dan', 'camera-off');
    await waitInPage(dan, `__host.some((e) => e.type === 'waiting-room')`, 'Dan in the waiting room', 90000);
    assert.deepEqual((await events(dan, 'waiting-room'))[0]!.detail, { room: 'facilitated' });
    await waitInPage(hosta, `__host.some((e) => e.type === 'waiting-change' && e.detail.waiting.some((w) => w.name === 'Dan'))`, 'Dan at the host');
    const waiting = (await hosta.evaluate(`${M}.waiting`)) as { id: string; name: string }[];
    assert.deepEqual(waiting.map((w) => w.name), ['Dan']);
    assert.deepEqual(await bo.evaluate(`${M}.waiting`), [], 'only hosts see who waits');
    assert.equal((await events(dan, 'joined')).length, 0);

    await hosta.evaluate(`${M}.admit(${JSON.stringify(waiting[0]!.id)})`);
    await waitInPage(dan, `__host.some((e) => e.type === 'joined')`, 'Dan in', 90000);
    await seesMovingVideo(dan, ['Hosta'], 0, 180000);
    await waitInPage(dan, `${M}.participants.every((p) => p.isSelf || p.connectionState === 'connected') && ${M}.participants.length === 4`, 'Dan linked to all three', 90000);
    await waitInPage(hosta, `${M}.waiting.length === 0`, 'nobody waiting');

    const eve = await open(1, 'Eve', 'camera-off');
    await waitInPage(hosta, `${M}.waiting.some((w) => w.name === 'Eve')`, 'Eve waiting', 90000);
    await hosta.evaluate(`${M}.deny(${M}.waiting[0].id)`);
    await waitInPage(eve, `__host.some((e) => e.type === 'left')`, 'Eve turned away');
    assert.deepEqual((await events(eve, 'left')).map((e) => e.detail), [{ reason: 'denied' }]);
    assert.equal((await events(eve, 'joined')).length, 0);
    assert.deepEqual(await hosta.evaluate(`__un75.names()`), ['Bo', 'Cy', 'Dan', 'Hosta']);
    await dan.context().close();
    await eve.context().close();
    await hosta.evaluate(`${M}.toggleLock(false)`);
    await waitInPage(cy, `${M}.core.locked === false`, 'the room open again');
  });

  test('remove: the person gets un75-left {reason: removed}, the others see them go, and coming back is refused', async () => {
    await hosta.evaluate(`${M}.removeParticipant(${JSON.stringify(ids.Cy)})`);
    await waitInPage(cy, `__host.some((e) => e.type === 'left')`, 'Cy removed');
    assert.deepEqual((await events(cy, 'left')).map((e) => e.detail), [{ reason: 'removed' }]);
    for (const page of [hosta, bo]) await waitInPage(page, `!__un75.names().includes('Cy')`, 'Cy gone');
    // The same person (same name, same machine) tries again: the server refuses.
    const code = await cy.evaluate(`${M}.join().then(() => 'joined', () => ${M}.core.session.state)`);
    assert.equal(code, 'left');
    await waitInPage(cy, `__host.some((e) => e.type === 'error' && e.detail.code === 'forbidden')`, 'the refusal');
    assert.deepEqual(await hosta.evaluate(`__un75.names()`), ['Bo', 'Hosta']);
  });
});
