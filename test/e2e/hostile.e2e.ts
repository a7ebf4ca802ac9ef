// No single visitor can break a meeting. An attacker page joins a real room through the real
// server with the real bundle, then sends raw messages over the real wire: data-channel messages
// through its session's sendToPeers, and signals through its own signaling socket. Meanwhile the
// victims' event-loop lag, heap, translation requests, transceivers and heard audio are measured.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, afterEach, before, describe, test } from 'node:test';
import { once } from 'node:events';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import WebSocket from 'ws';
import { hearUntil, startPulse, toneFile, toneLevel, type Pulse } from './audio.js';
import { joinToken, JWT_SECRET, launchBrowser, newPage, PAGE_VIEWPORT, root, startPartnerPage, startServer, waitInPage, type FixtureServer, type RunningServer } from './harness.js';
import { startLibreTranslate } from '../mocks/libretranslate.mjs';
import { heapAfterGc, peakPerSecond, traceTasks } from './long-tasks.js';

const PROBES = path.join(root, 'test/e2e/hostile-probes.js');
const meeting = `document.querySelector('un75-meeting')`;

/** Waits until both pages see each other connected (data channel open). */
async function linked(...pages: Page[]): Promise<void> {
  for (const page of pages) {
    await waitInPage(
      page,
      `(() => { const others = (${meeting}.participants ?? []).filter((p) => !p.isSelf); return others.length === ${pages.length - 1} && others.every((p) => p.connectionState === 'connected'); })()`,
      'everyone connected',
      90000,
    );
  }
}

/** In a victim page: notes the `probe-mark` messages it receives (sent after a flood, in order). */
const watchMarks = `(() => { window.__marks = []; ${meeting}.session.addEventListener('peer-message', (e) => { if (e.detail.message.type === 'probe-mark') window.__marks.push(e.detail.message.n); }); })()`;
/**
 * In the attacker page, after a flood: sends mark `n` every 250 ms (`times` times, or until
 * `window.__stopMarks()`), since the flood has used up the attacker's own budget and the first
 * marks are refused with the rest of it.
 */
const repeatMark = (n: number, times = 240) =>
  `(() => { clearInterval(window.__markTimer); let left = ${times}; window.__stopMarks = () => clearInterval(window.__markTimer); window.__markTimer = setInterval(() => { if (--left < 0) window.__stopMarks(); ${meeting}.session.sendToPeers({ type: 'probe-mark', n: ${n} }); }, 250); })()`;
/** Waits until the victim got mark `n`: everything the attacker sent before it has been handled. */
const marked = (page: Page, n: number, what: string, ceiling = 120000) =>
  waitInPage(page, `(window.__marks ?? []).includes(${n})`, what, ceiling);

describe('hostile peers', () => {
  let server: RunningServer;
  let partner: FixtureServer;
  let translate: Awaited<ReturnType<typeof startLibreTranslate>>;
  const contexts: BrowserContext[] = [];

  before(async () => {
    server = await startServer();
    partner = await startPartnerPage();
    translate = await startLibreTranslate();
  });

  // Each test's pages go with it: pages left running (a victim still receiving) would load the
  // machine under the next test's measurements.
  afterEach(async () => {
    await Promise.all(contexts.splice(0).map((c) => c.close().catch(() => {})));
  });

  after(async () => {
    await Promise.all(contexts.map((c) => c.close().catch(() => {})));
    await partner?.close();
    await translate?.close();
    await server?.stop();
  });

  async function open(browserIndex: number, room: string, name: string, attrs: string, autojoin = true): Promise<Page> {
    const { context, page } = await newPage(browserIndex);
    contexts.push(context);
    await context.addInitScript({ path: PROBES });
    const params = new URLSearchParams({ server: server.url, room, name, attrs: `${autojoin ? 'autojoin ' : ''}camera-off ${attrs}` });
    await page.goto(`${partner.url}/meeting.html?${params}`, { timeout: 90000 });
    return page;
  }

  test('a caption flood (5,000 finals, 3,000 never-final interims, 50,000 language tags) neither freezes a listener nor runs up its translation bill', async () => {
    const mallory = await open(0, 'flood', 'Mallory', 'spoken-language=en');
    const lina = await open(1, 'flood', 'Lina', `spoken-language=fr listen-language=fr translation-endpoint=${translate.url}`);
    await linked(mallory, lina);
    await lina.evaluate(watchMarks);
    const heapBefore = await heapAfterGc(lina);
    const requestsBefore = translate.requests.length;
    // What the machine alone does to the page's event loop, over a quiet window first, so that the
    // figure printed for the flood can be read against it (timings are reported, not asserted).
    await lina.evaluate('window.__resetLag()');
    await lina.waitForTimeout(5000);
    const idle = (await lina.evaluate('window.__lag')) as { max: number; longest: number };
    await lina.evaluate('window.__resetLag()');
    const stopTrace = await traceTasks(lina);
    const started = Date.now();

    // The flood, paced only so that the attacker's own data channel buffer does not overflow.
    // (Strings, not functions: the test's TypeScript loader would add helpers the page lacks.)
    await mallory.evaluate(`(async () => {
      const session = ${meeting}.session;
      let seq = 1000000;
      const send = async (n, make) => {
        for (let i = 0; i < n; i++) {
          session.sendToPeers(make(i));
          if (i % 250 === 249) await new Promise((r) => setTimeout(r, 15));
        }
      };
      const caption = (id, lang, text, final) => ({ type: 'caption', id, seq: seq++, lang, text, final, t: Date.now() });
      await send(5000, (i) => caption('final-' + i, 'en', 'Final sentence number ' + i + ' of the flood', true));
      await send(3000, (i) => caption('interim-' + i, 'en', 'Interim words ' + i + ' that never end', false));
      await send(50000, (i) => caption('tag-' + i, 'en-x-' + i.toString(36), 'Tag ' + i, true));
      ${repeatMark(1, 480)};
    })()`);
    // The mark comes once the flooder's cool-down is over and its link is back.
    const finished = await marked(lina, 1, 'the end of the flood', 180000).then(
      () => true,
      () => false,
    );
    await mallory.evaluate('window.__stopMarks()');
    const floodSeconds = (Date.now() - started) / 1000;
    const lag = (await lina.evaluate('window.__lag')) as { max: number; longest: number };
    const tasks = await stopTrace();
    const heapAfter = await heapAfterGc(lina);
    const state = (await lina.evaluate(
      `(() => { const m = ${meeting}; return { stats: m.session.stats ?? null, transcript: m.captions.transcriptStore.entries.length }; })()`,
    )) as { stats: { dropped: Record<string, number>; cutOff: number } | null; transcript: number };
    // Requests still caused by the flood after it ended: give pending work a moment to drain.
    if (finished) await lina.waitForTimeout(3000);
    const requests = translate.requests.slice(requestsBefore).map((r) => r.at);
    const peak = peakPerSecond(requests);
    console.log(
      `# caption flood: ${floodSeconds.toFixed(1)} s; listener max event-loop lag ${lag.max.toFixed(0)} ms (idle ${idle.max.toFixed(0)} ms), longest task ${lag.longest.toFixed(0)} ms (idle ${idle.longest.toFixed(0)} ms), ` +
        `in the trace ${tasks.wall.toFixed(0)} ms wall / ${tasks.cpu.toFixed(0)} ms CPU; ` +
        `translation requests ${requests.length} (peak ${peak}/s, at most ${translate.maxInFlight} in flight); ` +
        `heap after GC ${(heapBefore / 1e6).toFixed(1)} → ${(heapAfter / 1e6).toFixed(1)} MB; transcript ${state.transcript} entries; dropped ${JSON.stringify(state.stats?.dropped)}`,
    );
    assert.ok(finished, 'the listener kept up with the flood');
    // 3 at once and 2 a second for one speaker: bounded by time, not by the flood (a loaded
    // machine may deliver a few of them together, hence the margin on the busiest second).
    assert.ok(requests.length <= 3 + 2 * (floodSeconds + 3) + 5, `translation requests bounded by time, not by the flood (${requests.length})`);
    assert.ok(peak <= 10, `at most a few translation requests a second (${peak} in the busiest second)`);
    // The page's own work per task (CPU time from the trace, which a busy machine does not stretch
    // the way it stretches wall-clock time): no task of the flood's may freeze the page.
    assert.ok(tasks.cpu > 0, 'the trace saw the page’s tasks');
    assert.ok(tasks.cpu < 100, `no task used more than 100 ms of CPU (${tasks.cpu.toFixed(0)} ms)`);
    assert.ok(heapAfter - heapBefore < 20e6, `memory bounded (${((heapAfter - heapBefore) / 1e6).toFixed(1)} MB more)`);
    // The flooder is cut off for a cool-down (MeshCall.suspend): the rest of its flood never arrives.
    assert.ok((state.stats?.dropped.flood ?? 0) > 0, 'the excess was dropped and counted');
    assert.equal(state.stats?.cutOff, 1, 'the flooder was cut off once');

    // The listener still reads the attacker's later, normal captions (budgets refill).
    await waitInPage(
      mallory,
      `(${meeting}.session.sendToPeers({ type: 'caption', id: 'normal', seq: 9e9, lang: 'en', text: 'Good morning everyone', final: true, t: Date.now() }), true)`,
      'a normal caption sent',
    );
    await waitInPage(lina, `(${meeting}.captions.captions.some((c) => c.translation?.text === 'Bonjour à tous'))`, 'the normal caption, translated');
  });

  test('450 signals asking for transceivers leave the victim’s connection small', async () => {
    const mallory = await open(0, 'transceivers', 'Mallory', '');
    const victim = await open(1, 'transceivers', 'Victor', '');
    await linked(mallory, victim);
    const victimId = (await victim.evaluate(`${meeting}.session.selfId`)) as string;
    await waitInPage(mallory, `Boolean(window.__sids[${JSON.stringify(victimId)}])`, "the victim's link id");
    const before = (await victim.evaluate('window.__pcSizes()')) as { transceivers: number; sdpBytes: number }[];
    await victim.evaluate(watchMarks);
    await mallory.evaluate(`(async () => {
      const to = ${JSON.stringify(victimId)};
      const sid = window.__sids[to];
      for (let i = 0; i < 450; i++) {
        const data = i % 9 === 8 ? { type: 'renegotiate', renegotiate: true } : { type: 'transceiverRequest', transceiverRequest: { kind: i % 2 ? 'audio' : 'video', init: { direction: 'sendrecv' } } };
        window.__ws.send(JSON.stringify({ type: 'signal', to, sid, data }));
        await new Promise((r) => setTimeout(r, 22)); // 45 a second, under the server's relay limit
      }
    })()`);
    // The data channel still works, and what the signals did is done once negotiation settles.
    await mallory.evaluate(`${meeting}.session.sendToPeers({ type: 'probe-mark', n: 1 })`);
    await marked(victim, 1, 'the mark after the signal flood');
    await waitInPage(victim, `window.__pcSizes().every((pc) => pc.sdpBytes > 0)`, 'a settled description');
    const afterSizes = (await victim.evaluate('window.__pcSizes()')) as { transceivers: number; sdpBytes: number }[];
    const refused = (await victim.evaluate(`${meeting}.session.stats?.refusedSignals ?? null`)) as number | null;
    console.log(`# transceiver flood: victim ${JSON.stringify(before)} → ${JSON.stringify(afterSizes)}; refused signals ${refused}`);
    const link = afterSizes[0]!;
    assert.ok(link.transceivers <= 8, `transceivers stay within MAX_TRANSCEIVERS of src/core/mesh.ts (${link.transceivers})`);
    // Before the cap: 449 transceivers and a 141 KB description. Requests for audio or video
    // transceivers are part of the design (the answerer's screen share), so a few are honoured.
    assert.ok(link.sdpBytes < 24000, `the description stays small (${link.sdpBytes} bytes)`);
    assert.ok((refused ?? 0) >= 400, 'the refused signals are counted');
    await linked(mallory, victim);
  });

  /** Joined: the session is in the room (before anyone else comes, for who is eldest). */
  const joined = (page: Page) => waitInPage(page, `${meeting}.session?.state === 'joined'`, 'in the room', 90000);
  const idOf = (page: Page) => page.evaluate(`${meeting}.session.selfId`) as Promise<string>;
  /** Translation requests the mock server got since `from`. */
  const requestsSince = (from: number) => translate.requests.length - from;

  test('a chat history forged by a member who is not the eldest is refused, and cannot silence the writer it imitates', async () => {
    // Alice is the eldest; Victor came second; Mallory last, and Alice sent her the history (with
    // Alice's message ids) on arrival. Mallory forges a history to Victor, already in the room.
    const alice = await open(2, 'forge', 'Alice', 'spoken-language=en');
    await joined(alice);
    const victor = await open(1, 'forge', 'Victor', `spoken-language=fr listen-language=fr translation-endpoint=${translate.url}`);
    await linked(alice, victor);
    for (const text of ['One', 'Two', 'Three']) await alice.evaluate(`${meeting}.core.sendChat(${JSON.stringify(text)}).then(() => true)`);
    const [aliceId, victorId] = await Promise.all([idOf(alice), idOf(victor)]);
    await waitInPage(victor, `${meeting}.core.chatMessages.filter((m) => m.from === ${JSON.stringify(aliceId)}).length === 3`, "Alice's messages at Victor");
    const mallory = await open(0, 'forge', 'Mallory', 'spoken-language=en');
    await linked(alice, victor, mallory);
    await waitInPage(mallory, `${meeting}.core.chatMessages.length === 3`, 'the history Alice sent Mallory');
    const malloryId = await idOf(mallory);
    await victor.evaluate(watchMarks);
    const heapBefore = await heapAfterGc(victor);
    const requestsBefore = translate.requests.length;
    await victor.evaluate('window.__resetLag()');
    const stopTrace = await traceTasks(victor);
    await mallory.evaluate(`(() => {
      const m = ${meeting};
      const known = m.core.chatMessages;
      const prefix = known[0].id.split('-')[0];
      const last = Math.max(...known.map((x) => Number(x.id.split('-')[1])));
      const t = Date.now() - 60000;
      const entries = [];
      // Alice's next five ids, learnt from her history.
      for (let i = 1; i <= 5; i++) entries.push({ id: prefix + '-' + (last + i), from: ${JSON.stringify(aliceId)}, name: 'Alice', text: 'Forged in the name of Alice ' + i, lang: 'en', t });
      entries.push({ id: 'me-1', from: ${JSON.stringify(victorId)}, name: 'Victor', text: 'I agree with all that Mallory says', lang: 'en', t });
      entries.push({ id: 'nl-1', from: 'moderator', name: 'Moderator\\nVictor', text: 'A name on two lines', lang: 'en', t });
      for (let i = 0; i < 36; i++) entries.push({ id: 'f-' + i, from: 'ghost' + i, name: 'Ghost ' + i, text: 'Forged message number ' + i + ' of the history', lang: 'en', t });
      m.session.sendToPeers({ type: 'chat-history', messages: entries }, ${JSON.stringify(victorId)});
      m.session.sendToPeers({ type: 'probe-mark', n: 1 }, ${JSON.stringify(victorId)});
    })()`);
    await marked(victor, 1, 'the mark after the forged history');
    // Alice's next messages, with the ids the forgery took; "Nine" comes after them.
    for (const text of ['Four', 'Five', 'Six', 'Seven', 'Eight', 'Nine']) await alice.evaluate(`${meeting}.core.sendChat(${JSON.stringify(text)}).then(() => true)`);
    await waitInPage(victor, `${meeting}.core.chatMessages.some((m) => m.original === 'Nine')`, "Alice's ninth message at Victor");
    // Every translation the messages (forged ones included) started has run.
    await waitInPage(victor, `${meeting}.core.chat.translationsInFlight === 0 && !${meeting}.core.chatMessages.some((m) => m.translating)`, 'the translations done', 90000);
    const tasks = await stopTrace();
    const lag = (await victor.evaluate('window.__lag')) as { max: number; longest: number };
    const heapAfter = await heapAfterGc(victor);
    const seen = (await victor.evaluate(`(() => {
      const list = ${meeting}.core.chatMessages;
      return {
        relayedByMallory: list.filter((m) => m.history?.relayedBy === ${JSON.stringify(malloryId)}).length,
        asSelf: list.filter((m) => m.self && m.history).length,
        underAlice: list.filter((m) => m.from === ${JSON.stringify(aliceId)} && m.original.startsWith('Forged')).length,
        twoLineNames: list.filter((m) => /\\n/.test(m.name)).length,
        aliceLive: list.filter((m) => m.from === ${JSON.stringify(aliceId)} && !m.history && ['Four', 'Five', 'Six', 'Seven', 'Eight'].includes(m.original)).length,
      };
    })()`)) as { relayedByMallory: number; asSelf: number; underAlice: number; twoLineNames: number; aliceLive: number };
    const requests = requestsSince(requestsBefore);
    console.log(
      `# forged chat history: Victor shows ${seen.relayedByMallory} of 43 forged entries (${seen.underAlice} under Alice's name, ${seen.asSelf} as his own, ${seen.twoLineNames} names on two lines); ` +
        `Alice's next 5 messages shown ${seen.aliceLive}; translation requests ${requests}; longest task ${tasks.wall.toFixed(0)} ms wall / ${tasks.cpu.toFixed(0)} ms CPU (probe ${lag.longest.toFixed(0)} ms); ` +
        `heap after GC ${(heapBefore / 1e6).toFixed(1)} → ${(heapAfter / 1e6).toFixed(1)} MB`,
    );
    assert.equal(seen.relayedByMallory, 0, 'a history from a member who is not the eldest is refused');
    assert.equal(seen.asSelf, 0, 'nothing is shown as written by Victor himself');
    assert.equal(seen.twoLineNames, 0, 'no name on two lines');
    assert.equal(seen.aliceLive, 5, "Alice's next messages are all shown");
    assert.ok(requests <= 12, `translation requests: Alice's 6 messages, not the forgery (${requests})`);
  });

  test('a chat burst is held to the chat budget, and chat translations to a per-writer rate', async () => {
    const victor = await open(1, 'chat-burst', 'Victor', `spoken-language=fr listen-language=fr translation-endpoint=${translate.url}`);
    await joined(victor);
    const mallory = await open(0, 'chat-burst', 'Mallory', 'spoken-language=en');
    await linked(mallory, victor);
    const [malloryId, victorId] = await Promise.all([idOf(mallory), idOf(victor)]);
    await victor.evaluate(watchMarks);
    const heapBefore = await heapAfterGc(victor);
    const stopTrace = await traceTasks(victor);
    // 30 messages at once. The budget refills while they cross (2 a second): on a loaded machine the
    // burst may take a second or two to arrive, so what may pass is 10 plus the refill over the time
    // from the first send to the mark that follows the burst on the same ordered channel.
    const burstStarted = Date.now();
    await mallory.evaluate(`(() => {
      const s = ${meeting}.session;
      for (let i = 0; i < 30; i++) s.sendToPeers({ type: 'chat', id: 'burst-' + i, text: 'Burst message number ' + i, lang: 'en', t: Date.now() }, ${JSON.stringify(victorId)});
    })()`);
    const fromMallory = `${meeting}.core.chatMessages.filter((m) => m.from === ${JSON.stringify(malloryId)})`;
    await mallory.evaluate(repeatMark(1));
    await marked(victor, 1, 'the mark after the burst');
    const burstSeconds = (Date.now() - burstStarted) / 1000;
    await mallory.evaluate('window.__stopMarks()');
    const burst = (await victor.evaluate(`${fromMallory}.filter((m) => m.id.startsWith('burst-')).length`)) as number;
    // Then five seconds of long messages, ten a second, each one different (no cache).
    await victor.waitForTimeout(6000); // the budgets refill
    const requestsBefore = translate.requests.length;
    const started = Date.now();
    await mallory.evaluate(`(async () => {
      const s = ${meeting}.session;
      const filler = ' and so on'.repeat(95);
      for (let i = 0; i < 50; i++) {
        s.sendToPeers({ type: 'chat', id: 'talk-' + i, text: 'Long message ' + i + filler, lang: 'en', t: Date.now() }, ${JSON.stringify(victorId)});
        await new Promise((r) => setTimeout(r, 100));
      }
    })()`);
    const seconds = (Date.now() - started) / 1000;
    await victor.waitForTimeout(3000);
    const requests = requestsSince(requestsBefore);
    const talk = (await victor.evaluate(
      `(() => { const l = ${fromMallory}.filter((m) => m.id.startsWith('talk-')); return { shown: l.length, translated: l.filter((m) => m.translated).length, chars: l.filter((m) => m.translated).reduce((n, m) => n + m.original.length, 0) }; })()`,
    )) as { shown: number; translated: number; chars: number };
    const dropped = (await victor.evaluate(`${meeting}.session.stats.dropped`)) as Record<string, number>;
    const tasks = await stopTrace();
    const heapAfter = await heapAfterGc(victor);
    console.log(
      `# chat burst: ${burst} of 30 accepted (burst to mark ${burstSeconds.toFixed(1)} s); ${seconds.toFixed(1)} s of chat at 10 a second: ${talk.shown} of 50 shown, translation requests ${requests} during it and 3 s after (${talk.translated} translated, ${talk.chars} characters); dropped ${JSON.stringify(dropped)}; ` +
        `longest task ${tasks.wall.toFixed(0)} ms wall / ${tasks.cpu.toFixed(0)} ms CPU; heap after GC ${(heapBefore / 1e6).toFixed(1)} → ${(heapAfter / 1e6).toFixed(1)} MB`,
    );
    assert.ok(burst >= 10, `the chat budget (CHAT_BUDGET) lets a burst of 10 through (${burst})`);
    assert.ok(burst <= 10 + Math.ceil(2 * burstSeconds), `and what refilled while it crossed (${burst} in ${burstSeconds.toFixed(1)} s), not all 30`);
    assert.ok(talk.shown <= 10 + 2 * (seconds + 1), `2 messages a second after the burst (${talk.shown})`);
    assert.ok(requests <= 5 + 1 * (seconds + 3) + 3, `translation requests bounded by the writer's rate (${requests})`);
  });

  test('a chat message with a time outside the range of dates does not break the chat panel', async () => {
    const victor = await open(1, 'poison', 'Victor', 'spoken-language=en');
    await joined(victor);
    const errors: string[] = [];
    victor.on('pageerror', (err) => errors.push(err.message));
    const mallory = await open(0, 'poison', 'Mallory', 'spoken-language=en');
    await linked(mallory, victor);
    await victor.locator('un75-meeting').locator('[part~="chat-button"]').click();
    const heapBefore = await heapAfterGc(victor);
    const stopTrace = await traceTasks(victor);
    await mallory.evaluate(`${meeting}.session.sendToPeers({ type: 'chat', id: 'poison', text: 'Poisoned time', lang: 'en', t: 1e16 })`);
    await waitInPage(victor, `${meeting}.core.chatMessages.some((m) => m.id === 'poison')`, 'the poisoned message received');
    await mallory.evaluate(`${meeting}.core.sendChat('After the poison').then(() => true)`);
    const shown = await victor
      .locator('un75-meeting')
      .getByText('After the poison')
      .first()
      .waitFor({ state: 'visible', timeout: 15000 })
      .then(
        () => true,
        () => false,
      );
    const times = (await victor.evaluate(`${meeting}.core.chatMessages.map((m) => m.t)`)) as number[];
    const tasks = await stopTrace();
    const heapAfter = await heapAfterGc(victor);
    console.log(
      `# poisoned time: the next message shown in the panel ${shown}; page errors ${errors.length} (${[...new Set(errors)].join('; ')}); times kept ${JSON.stringify(times.map((t) => t - Date.now()))} ms from now; ` +
        `longest task ${tasks.wall.toFixed(0)} ms wall / ${tasks.cpu.toFixed(0)} ms CPU; heap after GC ${(heapBefore / 1e6).toFixed(1)} → ${(heapAfter / 1e6).toFixed(1)} MB`,
    );
    assert.ok(shown, 'the panel shows the next message');
    assert.equal(errors.length, 0, 'no error in the page');
    assert.ok(times.every((t) => Math.abs(t - Date.now()) < 10 * 60_000), 'times kept near now');
  });

  /**
   * A valid offer (ICE credentials and a certificate fingerprint a browser made) with `count` audio
   * m-lines, each as small as a browser takes it, so that many fit in one frame: made in a page of its own.
   */
  async function bigOffer(count: number): Promise<string> {
    const { context, page } = await newPage(0);
    contexts.push(context);
    return (await page.evaluate(`(async () => {
      const pc = new RTCPeerConnection();
      pc.addTransceiver('audio');
      const { sdp } = await pc.createOffer();
      pc.close();
      const line = (prefix) => sdp.split('\\r\\n').find((l) => l.startsWith(prefix));
      const mids = Array.from({ length: ${count} }, (_, i) => String(i));
      const out = ['v=0', 'o=- 4611731400430051336 2 IN IP4 127.0.0.1', 's=-', 't=0 0', 'a=group:BUNDLE ' + mids.join(' '), line('a=ice-ufrag:'), line('a=ice-pwd:'), line('a=fingerprint:'), 'a=setup:actpass'];
      for (const mid of mids) out.push('m=audio 9 UDP/TLS/RTP/SAVPF 111', 'c=IN IP4 0.0.0.0', 'a=mid:' + mid, 'a=sendrecv', 'a=rtcp-mux', 'a=rtpmap:111 opus/48000/2');
      const big = out.join('\\r\\n') + '\\r\\n';
      // One a browser takes: checked on a connection of its own.
      const check = new RTCPeerConnection();
      await check.setRemoteDescription({ type: 'offer', sdp: big });
      if (check.getTransceivers().length !== ${count}) throw new Error('not the offer meant');
      check.close();
      return big;
    })()`)) as string;
  }

  /** A member that is only a WebSocket, as the issue's attacker: it joins `room` and sends raw signals to `to`. */
  async function rawMember(room: string, to: Page): Promise<{ signal(sid: string, data: unknown): void; close(): void }> {
    const ws = new WebSocket(`${server.url.replace('http', 'ws')}/signal`);
    await once(ws, 'open');
    ws.send(JSON.stringify({ type: 'join', room, name: 'Mallory' }));
    const [welcome] = (await once(ws, 'message')) as [Buffer];
    assert.equal(JSON.parse(welcome.toString()).type, 'welcome');
    const victimId = await idOf(to);
    // The victim knows the newcomer: it waits for its offer.
    await waitInPage(to, `${meeting}.participants.length === 2`, 'Mallory in the room');
    return {
      signal: (sid, data) => ws.send(JSON.stringify({ type: 'signal', to: victimId, sid, data })),
      close: () => ws.close(),
    };
  }

  test('an offer with 400 m-lines is refused before it reaches the connection, and the victim keeps its socket', async () => {
    const victor = await open(1, 'offer-size', 'Victor', '');
    await joined(victor);
    const sdp = await bigOffer(400);
    const mallory = await rawMember('offer-size', victor);
    const heapBefore = await heapAfterGc(victor);
    const refusedBefore = (await victor.evaluate(`${meeting}.session.stats.refusedSignals`)) as number;
    const pcsBefore = (await victor.evaluate('window.__pcCount()')) as number;
    await victor.evaluate('window.__resetLag()');
    const stopTrace = await traceTasks(victor);
    mallory.signal('big-offer', { type: 'offer', sdp });
    // Either refused, or taken: then the answer is made and sent (or the socket lost over it).
    await waitInPage(
      victor,
      `window.__wsCloses.length > 0 || ${meeting}.session.stats.refusedSignals > ${refusedBefore} || window.__pcSizes().some((pc) => pc.transceivers > 100 && pc.sdpBytes > 0)`,
      'the offer handled',
      60000,
    );
    await victor.waitForTimeout(3000);
    const tasks = await stopTrace();
    const heapAfter = await heapAfterGc(victor);
    const state = (await victor.evaluate(
      `({ sizes: window.__pcSizes(), made: window.__pcCount() - ${pcsBefore}, closes: window.__wsCloses, largest: window.__wsLargest, refused: ${meeting}.session.stats.refusedSignals - ${refusedBefore} })`,
    )) as { sizes: { transceivers: number; sdpBytes: number }[]; made: number; closes: number[]; largest: number; refused: number };
    const most = Math.max(0, ...state.sizes.map((s) => s.transceivers));
    const answer = Math.max(0, ...state.sizes.map((s) => s.sdpBytes));
    mallory.close();
    console.log(
      `# oversized offer (400 m-lines, ${sdp.length} bytes): victim made ${state.made} peer connections, most transceivers ${most}, its description ${answer} bytes, largest frame it sent ${state.largest} characters, ` +
        `socket closes ${JSON.stringify(state.closes)}, refused ${state.refused}; longest task ${tasks.wall.toFixed(0)} ms wall / ${tasks.cpu.toFixed(0)} ms CPU; heap after GC ${(heapBefore / 1e6).toFixed(1)} → ${(heapAfter / 1e6).toFixed(1)} MB`,
    );
    assert.equal(state.made, 0, 'no peer connection for the offer');
    assert.deepEqual(state.closes, [], 'the victim keeps its signaling socket');
    assert.ok(state.largest <= 64 * 1024, `no frame over the server's limit (${state.largest})`);
    assert.equal(state.refused, 1, 'the offer is refused and counted');
  });

  test('offers for fresh links, each followed by a bad candidate, make few peer connections', async () => {
    const victor = await open(1, 'fresh-offers', 'Victor', '');
    await joined(victor);
    const wide = await bigOffer(100);
    const normal = await bigOffer(3);
    const mallory = await rawMember('fresh-offers', victor);
    const candidate = { type: 'candidate', candidate: { candidate: 'candidate:1 1 udp 2122260223 192.0.2.1 9 typ host', sdpMid: 'nowhere', sdpMLineIndex: 0 } };
    const figures: string[] = [];
    const made: number[] = [];
    const heapBefore = await heapAfterGc(victor);
    // Fifty ordinary offers, then twenty with 100 m-lines (refused by size, so fewer tell as much).
    const seconds: number[] = [];
    for (const [sdp, tag, count] of [
      [normal, 'fresh', 50],
      [wide, 'wide', 20],
    ] as const) {
      const pcsBefore = (await victor.evaluate('window.__pcCount()')) as number;
      await victor.evaluate('window.__resetLag()');
      const stopTrace = await traceTasks(victor);
      const started = Date.now();
      // One offer for a new link every 150 ms, each followed by a candidate the victim cannot add.
      for (let i = 0; i < count; i++) {
        mallory.signal(`${tag}-${i}`, { type: 'offer', sdp });
        mallory.signal(`${tag}-${i}`, candidate);
        await new Promise((r) => setTimeout(r, 150));
      }
      seconds.push((Date.now() - started) / 1000);
      await victor.waitForTimeout(2000);
      const tasks = await stopTrace();
      const pcs = ((await victor.evaluate('window.__pcCount()')) as number) - pcsBefore;
      made.push(pcs);
      figures.push(
        `${count} ${tag === 'fresh' ? '3' : '100'}-m-line offers: ${pcs} peer connections in ${seconds.at(-1)!.toFixed(1)} s, longest task ${tasks.wall.toFixed(0)} ms wall / ${tasks.cpu.toFixed(0)} ms CPU, long tasks ${((100 * tasks.longWall) / tasks.span).toFixed(0)} % of the main thread's wall time, its tasks' CPU ${((100 * tasks.cpuTotal) / tasks.span).toFixed(0)} % of it`,
      );
    }
    const closes = (await victor.evaluate('window.__wsCloses')) as number[];
    const heapAfter = await heapAfterGc(victor);
    mallory.close();
    console.log(
      `# fresh offers, each with a bad candidate: ${figures.join('; ')}; socket closes ${JSON.stringify(closes)}; heap after GC ${(heapBefore / 1e6).toFixed(1)} → ${(heapAfter / 1e6).toFixed(1)} MB`,
    );
    // The first link of a remote is free; every later one takes a renegotiation token (8 at once,
    // one per 5 s), and what waits is the newest offer only.
    assert.ok(made[0]! <= 1 + 8 + Math.ceil(seconds[0]! / 5) + 2, `peer connections bounded by the budget (${made[0]})`);
    // The one an offer of the first round still waiting for its token may make.
    assert.ok(made[1]! <= 1, `offers with 100 m-lines make no peer connection (${made[1]})`);
    const most = Math.max(0, ...((await victor.evaluate('window.__pcSizes()')) as { transceivers: number }[]).map((p) => p.transceivers));
    assert.ok(most <= 8, `no connection with the offers' m-lines (${most} transceivers)`);
  });

  test('a pre-join screen opens its socket only on a clear intent to join, and a few times at most', async () => {
    const page = await open(0, 'lobby-intent', 'Lena', '', false);
    const join = page.locator('un75-meeting').locator('[part="join"]');
    await join.waitFor();
    // Pointer events as a browser sends them to what the pointer crosses. Headless Chromium moves
    // the pointer (Playwright's mouse) but fires `pointerover`/`pointerenter` only now and then, so
    // they are sent here too, to the element under the pointer.
    const boundary = (selector: string) =>
      page.evaluate(`(() => {
        const lobby = document.querySelector('un75-meeting').shadowRoot.querySelector('un75-lobby').shadowRoot;
        const all = [...lobby.querySelectorAll(${JSON.stringify(selector)})];
        const el = all[Math.floor(Math.random() * all.length)];
        for (const type of ['pointerover', 'pointerenter', 'pointermove']) el.dispatchEvent(new PointerEvent(type, { bubbles: type !== 'pointerenter', composed: true, pointerType: 'mouse' }));
      })()`);
    // Ten seconds of a pointer moving about the screen (over the heading, the labels, the device
    // lists, the preview), never onto Join: a page left open with someone reading it (before, a
    // socket opened every ~5 s of it).
    const box = (await page.locator('un75-lobby').locator('section[part="base"]').boundingBox())!;
    const joinBox = (await join.boundingBox())!;
    const started = Date.now();
    for (let i = 0; Date.now() - started < 10000; i++) {
      const x = box.x + ((i * 37) % Math.max(1, box.width));
      const y = box.y + ((i * 53) % Math.max(1, box.height));
      const onJoin = x >= joinBox.x - 4 && x <= joinBox.x + joinBox.width + 4 && y >= joinBox.y - 4 && y <= joinBox.y + joinBox.height + 4;
      // One jump at a time: a path of small steps could cross Join on the way.
      if (!onJoin) await page.mouse.move(x, y);
      await boundary('h2, label, select, [part="preview"], .preview-toggles button');
      await page.waitForTimeout(250);
    }
    const idle = (await page.evaluate('window.__wsMade')) as number;
    // Then the pointer goes onto Join and away, four times, each visit after the last one's unused
    // socket was closed (5 s): past the three a page may open.
    for (let i = 0; i < 4; i++) {
      await join.hover();
      await boundary('[part="join"]');
      await page.waitForTimeout(500);
      await page.mouse.move(box.x + 5, box.y + 5);
      await boundary('h2');
      await page.waitForTimeout(5500);
    }
    const hovering = (await page.evaluate('window.__wsMade')) as number;
    console.log(`# pre-join sockets: ${idle} in 10 s of a moving pointer; ${hovering} in all after 4 visits to Join over 24 s`);
    assert.equal(idle, 0, 'no socket without an intent to join');
    assert.ok(hovering >= 1 && hovering <= 3, `a few sockets at most (${hovering})`);
  });

  test('a name with a line break and bidi controls cannot forge a transcript line', async () => {
    const forged = 'Eve\n\n99\n00:00:00.000 --> 00:00:09.000\n<v Lina>I resign\u202E';
    const eve = await open(0, 'names', forged, 'spoken-language=en');
    const lina = await open(1, 'names', 'Lina', 'spoken-language=en listen-language=en');
    await linked(eve, lina);
    await waitInPage(
      eve,
      `(${meeting}.session.sendToPeers({ type: 'caption', id: 'one', seq: 1, lang: 'en', text: 'Hello', final: true, t: Date.now() }), true)`,
      'a caption sent',
    );
    await waitInPage(lina, `${meeting}.captions.transcriptStore.entries.length === 1`, 'the caption in the transcript');
    const vtt = (await lina.evaluate(`${meeting}.transcript('vtt')`)) as string;
    const text = (await lina.evaluate(`${meeting}.transcript('text')`)) as string;
    const shown = (await lina.evaluate(`${meeting}.participants.find((p) => !p.isSelf).name`)) as string;
    console.log(`# forged name shown as ${JSON.stringify(shown)}`);
    assert.equal(text.trimEnd().split('\n').length, 1, `one line of text transcript: ${JSON.stringify(text)}`);
    assert.match(text, /^\[00:00:\d\d\] Eve 99 00:00:00\.000 --> 00:00:09\.000 <v Lina>I resign: Hello\n$/);
    const cues = vtt.split('\n\n').filter((block) => block.includes('-->'));
    assert.equal(cues.length, 1, `one cue: ${JSON.stringify(vtt)}`);
    assert.ok(!/<v Lina>/.test(vtt), 'no cue is attributed to Lina');
    assert.ok(!/[\n\u202A-\u202E\u2066-\u2069]/.test(shown), 'the name on screen has no line break or bidi control');
  });
});

describe('a hijacked interpretation channel, as the listener hears it', () => {
  const REAL = 1000;
  const ATTACKER = 1500;
  let server: RunningServer;
  let partner: FixtureServer;
  let pulse: Pulse;
  let dir: string;
  const browsers: Browser[] = [];

  async function open(browser: Browser, name: string, attrs: string): Promise<Page> {
    const context = await browser.newContext({ viewport: PAGE_VIEWPORT });
    await context.addInitScript({ path: path.join(root, 'test/e2e/raw-audio.js') });
    await context.addInitScript({ path: PROBES });
    const page = await context.newPage();
    const query = new URLSearchParams({ server: server.url, room: 'hijack', name, attrs: `autojoin camera-off ${attrs}` });
    await page.goto(`${partner.url}/meeting.html?${query}`, { timeout: 90000 });
    return page;
  }

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'un75-hijack-'));
    // Both pages are interpreters by their tokens: the attacker is an interpreter gone rogue.
    server = await startServer(['--jwt-secret', JWT_SECRET]);
    partner = await startPartnerPage();
    pulse = await startPulse();
    const fake = (hz: number) => [`--use-file-for-fake-audio-capture=${toneFile(dir, hz)}`];
    browsers.push(await launchBrowser({ args: fake(REAL) }), await launchBrowser({ args: fake(ATTACKER) }));
    browsers.push(await launchBrowser({ args: fake(2500), env: { PULSE_SERVER: pulse.server }, muted: false }));
  });

  after(async () => {
    await Promise.all(browsers.map((b) => b.close().catch(() => {})));
    await pulse?.stop();
    await partner?.close();
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Tone levels (RMS, 0–1) in two seconds of what the listener hears, after the first 200 ms. */
  async function hear(): Promise<{ real: number; attacker: number }> {
    const samples = await pulse.record(2);
    const from = Math.floor(samples.length / 10);
    return { real: toneLevel(samples, REAL, from), attacker: toneLevel(samples, ATTACKER, from) };
  }

  /**
   * The attacker claims French again and again with a future `since` and `takeover`; with
   * `alternate`, also going off and on air so that every claim is a new one. Forty claims: within
   * what a peer may send before its link is cut for flooding (the caption-flood test covers that
   * defence), so this tests the channel's own rules.
   */
  const flood = (page: Page, mark: number, alternate: boolean) =>
    page.evaluate(`(async () => {
      const session = ${meeting}.session;
      const trackId = session.localStream.getAudioTracks()[0].id;
      const claim = (lang) => ({ type: 'channel', lang, trackId, muted: false, since: Date.now() + 1e10, takeover: true });
      for (let i = 0; i < 40; i++) {
        session.sendToPeers(claim(${alternate} && i % 3 === 2 ? null : 'fr'));
        if (i % 50 === 49) await new Promise((r) => setTimeout(r, 10));
      }
      session.sendToPeers(claim('fr'));
      ${repeatMark(mark)};
    })()`);

  const heardName = (page: Page) => page.evaluate(`${meeting}.interpretation.heard?.interpreterName ?? null`) as Promise<string | null>;

  test('an interpreter page flooding take-overs with a future time cannot keep the channel: the real interpreter takes it back and is heard', async () => {
    const ines = await open(browsers[0]!, 'Ines', `join-as="interpreter" interpreter-languages="en fr" token="${await joinToken('hijack', 'interpreter', 'ines')}"`);
    const lina = await open(browsers[2]!, 'Lina', `spoken-language="fr" listen-language="fr" token="${await joinToken('hijack', 'participant', 'lina')}"`);
    await waitInPage(lina, `${meeting}.interpretation?.heard?.interpreterName === 'Ines'`, 'Ines on the French channel');
    const mallory = await open(browsers[1]!, 'Mallory', `join-as="interpreter" interpreter-languages="de es" token="${await joinToken('hijack', 'interpreter', 'mallory')}"`);
    await linked(ines, lina, mallory);
    await lina.evaluate(watchMarks);

    // The hijack: the attacker takes the channel (a take-over is a take-over, once).
    await flood(mallory, 1, false);
    await marked(lina, 1, 'the first flood');
    await mallory.evaluate('window.__stopMarks()');
    await waitInPage(lina, `${meeting}.interpretation.heard?.interpreterName === 'Mallory'`, 'the hijacked channel');

    // The real interpreter takes it back …
    await waitInPage(ines, `${meeting}.interpretation.boothState?.onAir === false`, 'Ines standing by');
    await ines.locator('un75-meeting').locator('[part~="take-over"]').click();
    await waitInPage(lina, `${meeting}.interpretation.heard?.interpreterName === 'Ines'`, 'Ines back on the channel', 30000);
    // … and keeps it while the attacker goes on flooding.
    await flood(mallory, 2, true);
    await marked(lina, 2, 'the second flood');
    await mallory.evaluate('window.__stopMarks()');
    const heard = await heardName(lina);
    const onAir = (await ines.evaluate(`${meeting}.interpretation.boothState.onAir`)) as boolean;
    // The new mix reaches the recorder a few hundred milliseconds after the volumes change.
    const level = await hearUntil(hear, (l) => l.real > 0.01 && l.attacker < l.real / 20);
    console.log(`# hijack: listener hears ${heard}; Ines on air ${onAir}; tones real ${level.real.toFixed(4)}, attacker ${level.attacker.toFixed(4)}; stats ${JSON.stringify(await lina.evaluate(`${meeting}.session.stats ?? null`))}`);
    assert.equal(heard, 'Ines');
    assert.ok(onAir, 'the real interpreter stays on air');
    // Levels, not absolute loudness: a loaded machine drops some of the played audio.
    assert.ok(level.real > 0.01, `the listener hears the real interpreter (${level.real})`);
    assert.ok(level.attacker < level.real / 20, `and not the attacker (${level.attacker})`);
  });
});
