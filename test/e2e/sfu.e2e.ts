// A room on the media server (design §4.1, issue 22) behind the same element: a real Janus
// (Debian's janus, configured by `un75-signal janus-config`), the real un75-signal with
// `--janus … --mesh-max 0`, and three real Chromium pages of a plain partner page, all inside a
// network namespace this test makes (Janus never gathers ICE candidates on loopback interfaces:
// the namespace's veth carries 127.0.0.2). Needs root, like CI.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { CHROME_ARGS, PAGE_VIEWPORT, partnerPageHtml, root, seesMovingVideo, TRACK_PEER_CONNECTIONS, waitInPage } from './harness.js';
import { makeNetns, startJanus, startServerIn, type Netns, type RunningJanus, type ServerInNetns } from './netns.js';
import { translateText } from '../mocks/libretranslate.mjs';

const API_SECRET = 'e2e-janus-api-secret-0123456789';
const ADMIN_KEY = 'e2e-janus-admin-key-0123456789';
const RTP: [number, number] = [41000, 41200];
/** The partner's page: another origin than the server's, served to the browsers by the test (page.route). */
const PARTNER = 'http://127.0.0.2:8443';

/**
 * Runs in the page before its scripts: a recogniser that says what the test tells it (`__say`), as
 * in captions.e2e.ts (this machine has no speech service), and a record of the un75-caption events.
 */
function scriptedRecognizer() {
  const w = window as unknown as Record<string, unknown> & { __captions: unknown[] };
  w.__captions = [];
  document.addEventListener('un75-caption', (e) => w.__captions.push(JSON.parse(JSON.stringify((e as CustomEvent).detail.caption))));
  const recognizer = {
    start(options: { language: string; emit(r: { text: string; final: boolean }): void }) {
      w.__say = (text: string, final = true) => options.emit({ text, final });
    },
    stop() {
      w.__say = undefined;
    },
  };
  new MutationObserver(() => {
    for (const meeting of document.querySelectorAll('un75-meeting')) {
      const m = meeting as unknown as { recognizer?: unknown };
      if (!m.recognizer) m.recognizer = recognizer;
    }
  }).observe(document, { childList: true, subtree: true });
}

/** What a page's PeerConnections receive: per connection, the remote candidates in use, and its inbound RTP. */
const MEDIA_STATS = `(async () => {
  const out = [];
  for (const pc of window.__pcs) {
    if (pc.connectionState === 'closed') continue;
    const stats = [...(await pc.getStats()).values()];
    const byId = new Map(stats.map((s) => [s.id, s]));
    // The pair each transport selected (a controlled end may not report its pair as nominated).
    const pairs = stats.filter((s) => s.type === 'transport' && s.selectedCandidatePairId).map((t) => byId.get(t.selectedCandidatePairId)).filter(Boolean);
    out.push({
      state: pc.connectionState,
      remote: pairs.map((p) => { const r = byId.get(p.remoteCandidateId); return { address: r.address, port: r.port, type: r.candidateType }; }),
      inbound: stats.filter((s) => s.type === 'inbound-rtp').map((s) => ({ kind: s.kind, mid: s.mid, bytes: s.bytesReceived ?? 0, frames: s.framesDecoded ?? 0, energy: s.totalAudioEnergy ?? 0, samples: s.totalSamplesReceived ?? 0 })),
    });
  }
  return out;
})()`;

describe('a room on the media server (Janus), three pages, --mesh-max 0', () => {
  let netns: Netns | undefined;
  let janus: RunningJanus | undefined;
  let server: ServerInNetns | undefined;
  let browser: Browser | undefined;
  const contexts: BrowserContext[] = [];

  before(async () => {
    // A namespace needs root, as the Debian packages the tests install do (CI runs as root): said
    // plainly rather than as a failed `ip netns add`, and never skipped.
    assert.equal(process.getuid?.(), 0, 'the media-server tests make a network namespace: run the tests as root');
    netns = await makeNetns();
    const dir = mkdtempSync(path.join(tmpdir(), 'un75-janus-e2e-'));
    // The configuration comes from the command a partner runs.
    const { stdout } = await promisify(execFile)(process.execPath, [
      path.join(root, 'bin/un75-signal.js'),
      'janus-config',
      dir,
      '--api-secret',
      API_SECRET,
      '--admin-key',
      ADMIN_KEY,
      '--ws-port',
      '8188',
      '--rtp-ports',
      `${RTP[0]}-${RTP[1]}`,
      '--ice-interface',
      netns.iface,
    ]);
    assert.match(stdout, /janus -F /);
    janus = await startJanus({ netns, written: { dir, apiSecret: API_SECRET, adminKey: ADMIN_KEY, wsUrl: 'ws://127.0.0.1:8188' } });
    server = await startServerIn(netns, '127.0.0.2', ['--janus', 'ws://127.0.0.1:8188', '--janus-api-secret', API_SECRET, '--janus-admin-key', ADMIN_KEY, '--mesh-max', '0']);
    // Chromium runs inside the namespace too; Playwright talks to it over a pipe.
    // The partner page is served by the test (page.route), so Chromium has no address for it and
    // takes it for a public one, which Local Network Access then keeps from loading the bundle of a
    // loopback server. A real partner page and server are both public (or both private).
    browser = await chromium.launch({ executablePath: netns.chromium, args: [...CHROME_ARGS, '--disable-features=LocalNetworkAccessChecks'] });
  });

  after(async () => {
    await Promise.all(contexts.map((c) => c.close().catch(() => {})));
    await browser?.close().catch(() => {});
    await server?.stop().catch(() => {});
    await janus?.stop().catch(() => {});
    await netns?.remove();
  });

  async function open(room: string, name: string, attrs = 'autojoin'): Promise<Page> {
    const context = await browser!.newContext({ permissions: ['camera', 'microphone'], viewport: PAGE_VIEWPORT });
    contexts.push(context);
    await context.addInitScript({ path: path.join(root, 'test/e2e/probes.js') });
    // What the partner page is told of the call's mode.
    await context.addInitScript(`window.__modes = []; document.addEventListener('un75-mode-change', (e) => __modes.push(e.detail.mode))`);
    await context.addInitScript(TRACK_PEER_CONNECTIONS);
    await context.addInitScript(scriptedRecognizer);
    await context.route(`${PARTNER}/**`, (route) => {
      // The partner's translation server (LibreTranslate's API, the phrase book of test/mocks), same origin.
      if (new URL(route.request().url()).pathname === '/translate') {
        const { q, source, target } = route.request().postDataJSON() as { q: string; source: string; target: string };
        return route.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify({ translatedText: translateText(q, source, target) }) });
      }
      const html = partnerPageHtml(new URL(route.request().url()));
      return html === null ? route.fulfill({ status: 404 }) : route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: html });
    });
    const page = await context.newPage();
    page.on('pageerror', (err) => console.error(`[${name}] ${err.message}`));
    await page.goto(`${PARTNER}/meeting.html?${new URLSearchParams({ server: server!.url, room, name, attrs })}`);
    return page;
  }

  test('each sees and hears the two others through Janus, and only through Janus', async () => {
    const names = ['Amina', 'Boris', 'Chen'];
    // Boris reads and listens in French, through the partner's translation server.
    // Amina and Chen would interpret between English and French if a host granted it (below).
    const booth = 'join-as="interpreter" interpreter-languages="en fr"';
    const attrs = [`spoken-language=en listen-language=en ${booth}`, `spoken-language=fr listen-language=fr translation-endpoint=${PARTNER}/translate`, `spoken-language=en listen-language=en ${booth}`];
    const started = Date.now();
    const pages = await Promise.all(names.map((name, i) => open('sfu-trio', name, `autojoin ${attrs[i]}`)));
    for (const [i, page] of pages.entries()) await seesMovingVideo(page, names.filter((_, j) => j !== i), 0, 45_000);
    console.log(`# every page showed both others' moving video ${Date.now() - started} ms after the pages opened`);
    for (const page of pages) {
      assert.equal(await page.evaluate(`__un75.meetings()[0].core.mode`), 'sfu');
      assert.equal(await page.evaluate(`document.querySelector('un75-meeting').mode`), 'sfu', 'the element says so');
      assert.deepEqual(await page.evaluate('__modes'), ['sfu'], 'un75-mode-change told the page once');
      assert.deepEqual(await page.evaluate('__un75.names()'), names);
    }
    // Hearing: each page decodes two voices (the fake microphone's beeps carry energy), and two videos.
    for (const [i, page] of pages.entries()) {
      await waitInPage(
        page,
        `${MEDIA_STATS}.then((pcs) => { const i = pcs.flatMap((p) => p.inbound); return i.filter((s) => s.kind === 'audio' && s.samples > 48000 && s.energy > 0).length === 2 && i.filter((s) => s.kind === 'video' && s.frames > 10).length === 2; })`,
        `${names[i]} to decode two voices and two videos`,
      );
    }
    // …and plays them: the session's audio router has a player at full volume for each other person.
    for (const [i, page] of pages.entries()) {
      await waitInPage(
        page,
        `(() => { const core = __un75.meetings()[0].core; const others = core.participants.filter((p) => !p.isSelf); return others.length === 2 && others.every((p) => core.session.audio.volumeOf(p.id) === 1); })()`,
        `${names[i]}'s page to play both voices`,
      );
    }
    // Every PeerConnection of every page is one of its two to Janus: no peer-to-peer link.
    for (const [i, page] of pages.entries()) {
      const pcs = (await page.evaluate(MEDIA_STATS)) as { state: string; remote: { address: string; port: number }[] }[];
      assert.equal(pcs.length, 2, `${names[i]} has a publisher and a subscriber connection, nothing else`);
      for (const pc of pcs) {
        assert.equal(pc.state, 'connected');
        assert.ok(pc.remote.length > 0, `${names[i]}: a selected candidate pair`);
        for (const r of pc.remote) {
          assert.equal(r.address, '127.0.0.2', `${names[i]}: the remote end is Janus's address`);
          assert.ok(r.port >= RTP[0] && r.port <= RTP[1], `${names[i]}: remote port ${r.port} is in Janus's RTP range ${RTP.join('-')}`);
        }
      }
    }
    // An SFU room has no data channels: captions, chat and hands go through un75-signal (relay).
    const [amina, boris, chen] = pages as [Page, Page, Page];
    const peerStarted = Date.now();
    // Amina's caption state came to both others (her page announced it, or answered their arrival).
    for (const page of [boris, chen]) {
      await waitInPage(
        page,
        `(() => { const m = __un75.meetings()[0]; const s = m.participants.find((p) => p.name === 'Amina'); return Boolean(s && m.captions?.speakerState(s.id) === 'active'); })()`,
        "Amina's captions on",
      );
    }
    await amina.evaluate(`__say('Good morning everyone', true)`);
    await waitInPage(boris, `__captions.some((c) => c.speakerName === 'Amina' && c.final && c.text === 'Good morning everyone' && c.translation?.text === 'Bonjour à tous')`, "Amina's caption at Boris, in French");
    await waitInPage(chen, `__captions.some((c) => c.speakerName === 'Amina' && c.final && c.text === 'Good morning everyone')`, "Amina's caption at Chen");
    await amina.evaluate(`__un75.meetings()[0].sendChat('Hello')`);
    const chatAt = (page: Page, text: string) =>
      waitInPage(page, `__un75.meetings()[0].core.chatMessages.some((m) => m.name === 'Amina' && m.original === 'Hello' && m.text === ${JSON.stringify(text)} && !m.self)`, `Amina's chat "${text}"`);
    await chatAt(boris, 'Bonjour');
    await chatAt(chen, 'Hello');
    await chen.evaluate(`__un75.meetings()[0].toggleHand(true)`);
    for (const page of [amina, boris]) await waitInPage(page, `__un75.meetings()[0].participants.some((p) => p.name === 'Chen' && p.handRaised)`, "Chen's hand up");
    console.log(`# captions, a chat message and a hand reached the others through un75-signal in ${Date.now() - peerStarted} ms`);
    for (const [i, page] of pages.entries()) {
      const stats = (await page.evaluate(`__un75.meetings()[0].core.session.stats`)) as { dropped: Record<string, number>; relayRefused: number };
      assert.deepEqual({ dropped: stats.dropped, relayRefused: stats.relayRefused }, { dropped: {}, relayRefused: 0 }, `${names[i]}: nothing refused, by the page or the server`);
    }
    // Interpretation: the host (whoever came first) makes Amina or Chen interpreter; the booth goes
    // on air into French, its announcement goes through un75-signal, and Boris, who listens in
    // French, hears the interpreter at full volume over the floor ducked to 0.2.
    const ids = Object.fromEntries((await amina.evaluate(`__un75.meetings()[0].participants.map((p) => [p.name, p.id])`)) as [string, string][]);
    const roles = (await Promise.all(pages.map((page) => page.evaluate(`__un75.meetings()[0].core.role`)))) as string[];
    const host = pages[roles.indexOf('host')]!;
    const [interpreter, floor] = roles[2] === 'host' ? ['Amina', 'Chen'] : ['Chen', 'Amina'];
    await host.evaluate(`__un75.meetings()[0].setRole(${JSON.stringify(ids[interpreter])}, 'interpreter')`);
    await waitInPage(
      boris,
      `(() => { const m = __un75.meetings()[0]; const a = m.core.session.audio; return m.interpretation?.heard?.lang === 'fr' && m.interpretation.heard.interpreterId === ${JSON.stringify(ids[interpreter])} && a.volumeOf(${JSON.stringify(ids[interpreter])}) === 1 && Math.abs(a.volumeOf(${JSON.stringify(ids[floor])}) - 0.2) < 0.01; })()`,
      `${interpreter}'s French channel at Boris, the floor ducked`,
    );
    console.log(`# captions, chat, a hand, and ${interpreter}'s interpretation channel through un75-signal: ${Date.now() - peerStarted} ms`);

    // Screen sharing needs a second publication through Janus, not built yet: said, not pretended.
    assert.equal(await boris.evaluate(`__un75.meetings()[0].core.session.setScreenShare(true)`), false);

    // Boris turns his camera off and on again: the new camera track replaces the old one on his
    // publisher connection (no renegotiation), and the others see him move again.
    await pages[1]!.evaluate(`__un75.meetings()[0].toggleCamera(false)`);
    await waitInPage(pages[0]!, `__un75.meetings()[0].participants.some((p) => p.name === 'Boris' && !p.cameraEnabled)`, "Boris's camera off at Amina's");
    await pages[1]!.evaluate(`__un75.meetings()[0].toggleCamera(true)`);
    await waitInPage(pages[0]!, `__un75.meetings()[0].participants.some((p) => p.name === 'Boris' && p.cameraEnabled)`, "Boris's camera on again at Amina's");
    await seesMovingVideo(pages[0]!, ['Boris']);
    // A leaver's feed goes: the others' subscriber connections are re-offered without it.
    await contexts[2]!.close();
    for (const page of pages.slice(0, 2)) {
      await waitInPage(page, `__un75.names().length === 2`, 'Chen to be gone');
      await waitInPage(page, `${MEDIA_STATS}.then((pcs) => pcs.length === 2)`, 'the two connections to stay');
    }
    await seesMovingVideo(pages[0]!, ['Boris']);
  });

  test('a raw socket: a forged or oversized publish, a subscription to another room and a raw Janus body get error frames; peer messages only within the room', async () => {
    const page = await open('sfu-bystander', 'Dana');
    await waitInPage(page, `__un75.meetings()[0].core.mode === 'sfu' && __un75.meetings()[0].core.session.mediaServerConnections[0]?.connectionState === 'connected'`, 'Dana publishing in an SFU room');
    await waitInPage(page, `__un75.meetings()[0].captions?.recognitionState === 'active'`, "Dana's captions on");
    await page.evaluate(`__un75.meetings()[0].sendChat('Before you came')`);
    // Janus logs every handle it creates: none may come from what follows.
    const handles = () => janus!.log().split('Creating new handle').length - 1;
    const before = handles();
    const answers = (await page.evaluate(`(async () => {
      const url = ${JSON.stringify(server!.url.replace('http', 'ws') + '/signal')};
      const open = () => new Promise((resolve) => { const ws = new WebSocket(url); const got = []; ws.onmessage = (e) => got.push(JSON.parse(e.data)); ws.onopen = () => resolve({ ws, got }); });
      const next = async (s, type) => { for (let i = 0; i < 200; i++) { const at = s.got.findIndex((m) => m.type === type); if (at >= 0) return s.got.splice(at, 1)[0]; await new Promise((r) => setTimeout(r, 25)); } return null; };
      const victim = await open();
      victim.ws.send(JSON.stringify({ type: 'join', room: 'sfu-bystander', name: 'Victim' }));
      const victimId = (await next(victim, 'welcome')).id;
      // A newcomer is told at once what a mesh link would tell it when it opens: Dana's caption
      // state, and the chat so far (Dana is the room's eldest).
      const told = [await next(victim, 'relay'), await next(victim, 'relay')].map((m) => m && { from: m.from, data: JSON.parse(m.data) });
      // A peer message from the raw socket reaches Dana's page, stamped with its sender.
      victim.ws.send(JSON.stringify({ type: 'relay', data: JSON.stringify({ type: 'chat', id: 'v-1', text: 'Hello from a socket', lang: 'en', t: Date.now() }) }));
      const mallory = await open();
      mallory.ws.send(JSON.stringify({ type: 'join', room: 'sfu-other', name: 'Mallory' }));
      const welcome = await next(mallory, 'welcome');
      // Another room's member cannot reach Dana's room: not one member, not everyone.
      mallory.ws.send(JSON.stringify({ type: 'relay', to: victimId, data: JSON.stringify({ type: 'chat', id: 'm-1', text: 'Mallory was here', lang: 'en', t: Date.now() }) }));
      const crossRoom = await next(mallory, 'error');
      mallory.ws.send(JSON.stringify({ type: 'relay', data: JSON.stringify({ type: 'chat', id: 'm-2', text: 'Mallory was here', lang: 'en', t: Date.now() }) }));
      const sdp = 'v=0\\r\\no=- 1 2 IN IP4 127.0.0.1\\r\\ns=-\\r\\nt=0 0\\r\\nm=audio 9 UDP/TLS/RTP/SAVPF 111\\r\\n';
      const frames = [
        { type: 'sfu-publish', jsep: { type: 'offer', sdp, e2ee: true } },
        { type: 'sfu-publish', jsep: { type: 'offer', sdp: sdp + ('a=' + 'x'.repeat(58) + '\\r\\n').repeat(1000) } },
        { type: 'sfu-subscribe', ids: [victimId] },
        { type: 'janus', janus: 'message', body: { request: 'rtp_forward', host: '127.0.0.2', port: 5000 } },
      ];
      const errors = [];
      for (const frame of frames) { mallory.ws.send(JSON.stringify(frame)); errors.push(await next(mallory, 'error')); }
      // Frames are handled in order: an answer to a later frame means Mallory's broadcast was handled
      // (and anything for the victim written to it before its own answer).
      mallory.ws.send(JSON.stringify({ type: 'relay' })); await next(mallory, 'error');
      victim.ws.send(JSON.stringify({ type: 'relay' })); await next(victim, 'error');
      const victimGot = victim.got.filter((m) => m.type === 'relay').map((m) => m.data);
      victim.ws.close(); mallory.ws.close();
      return { mode: welcome.mode, errors, told, crossRoom, victimGot };
    })()`)) as {
      mode: string;
      errors: ({ code: string; message: string } | null)[];
      told: ({ from: string; data: { type: string; state?: string; messages?: { text: string }[] } } | null)[];
      crossRoom: { code: string } | null;
      victimGot: string[];
    };
    const danaId = (await page.evaluate(`__un75.meetings()[0].core.session.selfId`)) as string;
    const status = answers.told.find((m) => m?.data.type === 'caption-status');
    const history = answers.told.find((m) => m?.data.type === 'chat-history');
    assert.deepEqual({ from: status?.from, state: status?.data.state }, { from: danaId, state: 'active' }, JSON.stringify(answers.told));
    assert.deepEqual({ from: history?.from, texts: history?.data.messages?.map((m) => m.text) }, { from: danaId, texts: ['Before you came'] }, JSON.stringify(answers.told));
    assert.equal(answers.crossRoom?.code, 'unknown-peer');
    assert.deepEqual(answers.victimGot, [], 'nothing from Mallory reached the victim');
    await waitInPage(page, `__un75.meetings()[0].core.chatMessages.some((m) => m.name === 'Victim' && m.text === 'Hello from a socket')`, "the socket's chat at Dana");
    assert.ok(!((await page.evaluate(`__un75.meetings()[0].core.chatMessages.map((m) => m.text)`)) as string[]).includes('Mallory was here'), 'nor Dana');
    assert.equal(answers.mode, 'sfu');
    assert.deepEqual(
      answers.errors.map((e) => e?.code),
      ['bad-message', 'bad-message', 'unknown-peer', 'unknown-type'],
      JSON.stringify(answers.errors),
    );
    assert.match(answers.errors[0]!.message, /unexpected field "e2ee"/);
    assert.match(answers.errors[1]!.message, /at most 61440 characters/);
    assert.match(answers.errors[2]!.message, /no member .* in room "sfu-other"/);
    assert.equal(handles(), before, 'no handle was made on Janus for any of these frames');
    // The server is still up and serving its rooms.
    assert.equal(server!.process.exitCode, null);
  });
});
