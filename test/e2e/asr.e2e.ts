// Server speech recognition as people get it (design §5.1): a Chromium speaker whose microphone
// says "good morning everyone" (espeak-ng, through Chromium's fake capture), the real un75-signal
// with `--asr en=…` in front of the real pocketsphinx recogniser, and a listener who reads the
// caption in French through the LibreTranslate stand-in. Nothing is scripted between the
// microphone and the listener's screen.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import puppeteer from 'puppeteer-core';
import { startPulse } from './audio.js';
import { keepEvery, launchBrowser, newPage, overlayLines, PAGE_VIEWPORT, startPartnerPage, startServer, waitInPage, type FixtureServer, type RunningServer } from './harness.js';
import { startLibreTranslate } from '../mocks/libretranslate.mjs';
import { PHRASE, speech, startPocketsphinx, type Recogniser } from '../asr/speech.js';


/** The page's sockets to /asr (kept by TRACK_SOCKETS) and their states. */
const asrSockets = `(window.__sockets ?? []).filter((s) => new URL(s.url).pathname === '/asr').map((s) => ({ url: s.url, state: s.readyState }))`;
const TRACK_SOCKETS = keepEvery('WebSocket', '__sockets');

describe('server speech recognition between browsers', () => {
  let recogniser: Recogniser;
  let server: RunningServer;
  let partner: FixtureServer;
  let translate: { url: string; close(): Promise<void> };
  let speakerBrowser: Browser;
  let wav: string;
  const contexts: BrowserContext[] = [];

  before(async () => {
    [recogniser, { wav }, partner, translate] = await Promise.all([
      startPocketsphinx(),
      // Chromium loops the file: the phrase, then silence long enough for the recogniser to end it.
      speech(PHRASE, { leadSeconds: 1, tailSeconds: 3 }),
      startPartnerPage(),
      startLibreTranslate(),
    ]);
    server = await startServer(['--asr', `en=${recogniser.url}`]);
    speakerBrowser = await launchBrowser({ args: [`--use-file-for-fake-audio-capture=${wav}`] });
  });

  after(async () => {
    await Promise.all(contexts.map((c) => c.close().catch(() => {})));
    await partner?.close();
    await translate?.close();
    await server?.stop();
    await recogniser?.stop();
  });

  function url(name: string, attrs: string, lang: string, via: RunningServer = server): string {
    return `${partner.url}/meeting.html?${new URLSearchParams({ server: via.url, room: 'asr', name, attrs: `autojoin ${attrs}`, lang })}`;
  }

  test('an English speaker recognised on the server is read in French by a listener; muting ends the stream', async () => {
    const context = await speakerBrowser.newContext({ permissions: ['camera', 'microphone'], viewport: PAGE_VIEWPORT });
    contexts.push(context);
    await context.addInitScript(TRACK_SOCKETS);
    const ann: Page = await context.newPage();
    ann.on('pageerror', (err) => console.error(`[Ann] ${err.message}`));
    await ann.goto(url('Ann', 'spoken-language=en listen-language=en', 'en'));

    const listener = await newPage(1);
    contexts.push(listener.context);
    const louise = listener.page;
    await louise.goto(url('Louise', `spoken-language=fr listen-language=fr recognition=off translation-endpoint=${translate.url}`, 'fr'));

    // `auto`: the server offers English, so Ann's browser streams to /asr (and nowhere else).
    const sockets = (await waitInPage(ann, `(() => { const s = ${asrSockets}; return s.some((x) => x.state === 1) && s; })()`, 'a stream to /asr')) as { url: string }[];
    for (const s of sockets) {
      assert.equal(new URL(s.url).host, new URL(server.url).host, 'the browser streams to the signaling server, never to the recogniser');
      assert.ok(new URL(s.url).searchParams.get('token'), 'with a token');
    }

    // Ann is told, until she dismisses it, that her voice goes to the server (nobody asked her on a
    // pre-join screen: she joined with autojoin and `auto`).
    await waitInPage(
      ann,
      `document.querySelector('un75-meeting').shadowRoot.querySelector('un75-toasts')?.shadowRoot.querySelector('[part~="consent"] .text')?.textContent === 'Your voice goes to the server for captions.'`,
      'the note that her voice goes to the server',
    );
    const french = (await waitInPage(
      louise,
      `(() => { const l = ${overlayLines}; return l.find((x) => x.text === 'Bonjour à tous'); })()`,
      'the French caption of what Ann said',
      90_000,
    )) as Record<string, unknown>;
    // In French, labelled as a machine translation, under the speaker's name.
    assert.deepEqual(french, { speaker: 'Ann', text: 'Bonjour à tous', lang: 'fr', dir: 'ltr', direction: 'ltr', label: 'Traduction automatique' });
    // The overlay shows interim captions too; the transcript keeps the final, in the original words.
    await waitInPage(
      louise,
      `document.querySelector('un75-meeting').transcript('text').then((t) => t.includes('Ann: good morning everyone'))`,
      "the recognised original in the listener's transcript",
    );

    // The microphone off: the stream ends (its last final first), and no new one opens.
    await ann.evaluate(`document.querySelector('un75-meeting').toggleMicrophone(false)`);
    await waitInPage(ann, `${asrSockets}.every((s) => s.state === 3)`, 'the /asr stream to close once muted');
    assert.equal(await ann.evaluate(`document.querySelector('un75-meeting').captions.recognitionState`), 'paused');

    // On again: a new stream, with a new token.
    await ann.evaluate(`document.querySelector('un75-meeting').toggleMicrophone(true)`);
    const again = (await waitInPage(ann, `(() => { const s = ${asrSockets}; return s.some((x) => x.state === 1) && s; })()`, 'a new /asr stream')) as { url: string }[];
    const tokens = new Set(again.map((s) => new URL(s.url).searchParams.get('token')));
    assert.equal(tokens.size, again.length, 'every stream had a token of its own');
    await context.close(); // Ann stops speaking for the next test
  });

  test('through a recogniser speaking the transcription API (OpenAI-compatible), the server cuts her speech where she pauses and the listener reads it in French', async () => {
    const api = await startPocketsphinx(undefined, 'openai');
    const own = await startServer(['--asr', `en=openai+${api.url}`]);
    try {
      const context = await speakerBrowser.newContext({ permissions: ['camera', 'microphone'], viewport: PAGE_VIEWPORT });
      contexts.push(context);
      const ann = await context.newPage();
      await ann.goto(url('Ann', 'spoken-language=en listen-language=en camera-off', 'en', own));
      const listener = await newPage(1);
      contexts.push(listener.context);
      await listener.page.goto(url('Louise', `spoken-language=fr listen-language=fr recognition=off camera-off translation-endpoint=${translate.url}`, 'fr', own));
      const french = (await waitInPage(
        listener.page,
        `(() => { const l = ${overlayLines}; return l.find((x) => x.speaker === 'Ann' && x.text === 'Bonjour à tous'); })()`,
        'the French caption of what Ann said, through the transcription API',
        90_000,
      )) as Record<string, unknown>;
      assert.equal(french.label, 'Traduction automatique');
      await context.close(); // Ann stops speaking for the next test
    } finally {
      await own.stop();
      await api.stop();
    }
  });

  test('a Firefox speaker, whose browser recognises no speech, is captioned at a Chromium listener', async () => {
    // Firefox's microphone is PulseAudio's default source: the monitor of a sink that plays the phrase in a loop.
    const pulse = await startPulse();
    const env = { ...process.env, PULSE_SERVER: pulse.server };
    const pactl = (...args: string[]) => assert.equal(spawnSync('pactl', args, { env }).status, 0, `pactl ${args.join(' ')}`);
    pactl('load-module', 'module-null-sink', 'sink_name=speech');
    pactl('set-default-source', 'speech.monitor');
    const player = spawn('sh', ['-c', `while :; do paplay --device=speech '${wav}' || exit 1; done`], { env, stdio: 'ignore', detached: true });
    const firefox = await puppeteer.launch({
      browser: 'firefox',
      executablePath: '/usr/bin/firefox-esr',
      headless: true,
      env: env as Record<string, string>,
      extraPrefsFirefox: {
        'media.navigator.streams.fake': false,
        'media.navigator.permission.disabled': true,
        'media.autoplay.default': 0,
      },
    });
    try {
      const listener = await newPage(2);
      contexts.push(listener.context);
      await listener.page.goto(url('Lena', `spoken-language=fr listen-language=fr recognition=off translation-endpoint=${translate.url}`, 'fr'));
      const fox = await firefox.newPage();
      await fox.goto(url('Foxy', 'spoken-language=en listen-language=en', 'en'));
      assert.equal(await fox.evaluate('typeof (window.SpeechRecognition ?? window.webkitSpeechRecognition)'), 'undefined', 'Firefox has no recogniser of its own');
      const french = await waitInPage(
        listener.page,
        `(() => { const l = ${overlayLines}; return l.find((x) => x.speaker === 'Foxy' && x.text === 'Bonjour à tous'); })()`,
        "the French caption of what Firefox's speaker said",
        90_000,
      );
      assert.ok(french);
      await fox.close();
    } finally {
      process.kill(-player.pid!, 'SIGTERM'); // the loop and the paplay it runs
      await firefox.close();
      await pulse.stop();
    }
  });
});
