// No single visitor can break a meeting. An attacker page joins a real room through the real
// server with the real bundle, then sends raw messages over the real wire: data-channel messages
// through its session's sendToPeers, and signals through its own signaling socket. Meanwhile the
// victims' event-loop lag, heap, translation requests, transceivers and heard audio are measured.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { hearUntil, startPulse, toneFile, toneLevel, type Pulse } from './audio.js';
import { joinToken, JWT_SECRET, launchBrowser, newPage, root, startPartnerPage, startServer, waitInPage, type FixtureServer, type RunningServer } from './harness.js';
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

  after(async () => {
    await Promise.all(contexts.map((c) => c.close().catch(() => {})));
    await partner?.close();
    await translate?.close();
    await server?.stop();
  });

  async function open(browserIndex: number, room: string, name: string, attrs: string): Promise<Page> {
    const { context, page } = await newPage(browserIndex);
    contexts.push(context);
    await context.addInitScript({ path: PROBES });
    const params = new URLSearchParams({ server: server.url, room, name, attrs: `autojoin camera-off ${attrs}` });
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
    const context = await browser.newContext();
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
