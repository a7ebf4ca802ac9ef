// Interpretation judged by what a listener really hears. Three browsers whose fake microphones play
// different tones — the floor speaker 440 Hz, the interpreter 1000 Hz, the listener 2500 Hz — and
// the listener's audio output recorded from a PulseAudio null sink and analysed per frequency.
// Twice: with the interpreter's role from a join token, and in an open room (the server's default)
// where the host grants the role during the call and takes it away again.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { hearUntil, startPulse, toneFile, toneLevel } from './audio.js';
import { joinToken, JWT_SECRET, launchBrowser, PAGE_VIEWPORT, root, startPartnerPage, startServer, waitInPage } from './harness.js';

const FLOOR = 440;
const INTERPRETER = 1000;
const OWN = 2500;
/** The interpreter's role comes from its join token (an open room would make the floor speaker host). */
const token = (role: 'participant' | 'interpreter', sub: string) => joinToken('booth', role, sub);
const M = `document.querySelector('un75-meeting')`;

/** Tone levels (RMS, 0–1) of what the listener hears. */
type Level = { floor: number; interpreter: number; own: number };

/**
 * What both suites run on: the real server started with `serverArgs`, a partner page, three browsers
 * whose microphones play the floor's, the interpreter's and the listener's tones, and the listener's
 * output recorded through PulseAudio.
 */
interface ToneRig {
  floor: Browser;
  interpreter: Browser;
  listener: Browser;
  /** A partner page on `browser` with one meeting in `room`, its microphone's voice processing off. */
  open(browser: Browser, room: string, name: string, attrs: string): Promise<Page>;
  /** Tone levels in two seconds of what the listener hears. */
  hear(): Promise<Level>;
  stop(): Promise<void>;
}

async function startToneRig(serverArgs: string[]): Promise<ToneRig> {
  const dir = mkdtempSync(path.join(tmpdir(), 'un75-tones-'));
  const started: { stop(): Promise<void> }[] = [];
  const stop = async () => {
    await Promise.all(started.splice(0).map((s) => s.stop().catch(() => {})));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const server = await startServer(serverArgs);
    started.push(server);
    const partner = await startPartnerPage();
    started.push({ stop: () => partner.close() });
    const pulse = await startPulse();
    started.push(pulse);
    const fake = (hz: number) => [`--use-file-for-fake-audio-capture=${toneFile(dir, hz)}`];
    const launch = async (options: Parameters<typeof launchBrowser>[0]) => {
      const browser = await launchBrowser(options);
      started.push({ stop: () => browser.close() });
      return browser;
    };
    const floor = await launch({ args: fake(FLOOR) });
    const interpreter = await launch({ args: fake(INTERPRETER) });
    const listener = await launch({ args: fake(OWN), env: { PULSE_SERVER: pulse.server }, muted: false });
    return {
      floor,
      interpreter,
      listener,
      async open(browser, room, name, attrs) {
        const context = await browser.newContext({ viewport: PAGE_VIEWPORT });
        await context.addInitScript({ path: path.join(root, 'test/e2e/raw-audio.js') });
        await context.addInitScript({ path: path.join(root, 'test/e2e/probes.js') });
        const page = await context.newPage();
        const query = new URLSearchParams({ server: server.url, room, name, attrs: `autojoin camera-off ${attrs}` });
        await page.goto(`${partner.url}/meeting.html?${query}`);
        return page;
      },
      async hear() {
        const samples = await pulse.record(2);
        // Leave out the first 200 ms: the recorder's start.
        const from = Math.floor(samples.length / 10);
        return { floor: toneLevel(samples, FLOOR, from), interpreter: toneLevel(samples, INTERPRETER, from), own: toneLevel(samples, OWN, from) };
      },
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** A level as dB relative to full scale (RMS), for the log. */
/** The interpreter on top, the floor ducked to floor-volume (0.2) beneath it: the mix a listener of the channel hears. */
// Absolute levels are what a loaded machine bends (it drops some of the played audio, and a
// recording with gaps has a lower RMS: 0.096 for a tone that is 0.3 on a quiet machine); the ratio
// is what the listener's mix decides. Silence and a leak read 0.0001–0.001.
const LOUD = 0.05;
const UNDERNEATH = 0.01;
const isDuckedMix = (l: Level) => l.interpreter > LOUD && l.floor > UNDERNEATH && l.interpreter / l.floor > 4 && l.interpreter / l.floor < 6.25;

function assertDuckedMix(level: Level): void {
  assert.ok(level.interpreter > LOUD, `the interpreter is loud and clear (${level.interpreter})`);
  assert.ok(level.floor > UNDERNEATH, `the floor is still there underneath (${level.floor})`);
  const ratio = level.interpreter / level.floor;
  assert.ok(ratio > 4 && ratio < 6.25, `interpreter/floor amplitude ratio ${ratio.toFixed(2)} is about 1/0.2 = 5`);
  assert.ok(level.own < 0.001, 'a listener never hears their own microphone');
}

const dB = (level: number) => (level > 0 ? (20 * Math.log10(level)).toFixed(1) : '-inf');

describe('interpretation channels, as the listener hears them', () => {
  let rig: ToneRig;
  let interpreter: Page;
  let listener: Page;

  const set = (page: Page, property: string, value: string | number) =>
    page.evaluate(([p, v]) => ((document.querySelector('un75-meeting') as unknown as Record<string, unknown>)[p as string] = v), [property, value] as const);

  const hearOnce = (expected: (level: Level) => boolean) => hearUntil(() => rig.hear(), expected);

  before(async () => {
    rig = await startToneRig(['--jwt-secret', JWT_SECRET]);
    const open = (browser: Browser, name: string, attrs: string) => rig.open(browser, 'booth', name, attrs);
    await open(rig.floor, 'Floor', `spoken-language="en" token="${await token('participant', 'floor')}"`);
    interpreter = await open(rig.interpreter, 'Ines', `join-as="interpreter" interpreter-languages="en fr" token="${await token('interpreter', 'ines')}"`);
    listener = await open(rig.listener, 'Lina', `spoken-language="fr" listen-language="fr" token="${await token('participant', 'lina')}"`);
    await waitInPage(listener, `__un75.names().length === 3`, 'all three in the room');
    await waitInPage(
      listener,
      `document.querySelector('un75-meeting').interpretation.heard?.lang === 'fr'`,
      'the French channel',
    );
  });

  after(() => rig?.stop());

  test('in the interpreter’s language: the interpreter on top, the floor ducked to floor-volume (0.2)', async () => {
    // The wait is for exactly the mix asserted below.
    const level = await hearOnce(isDuckedMix);
    console.log(`# fr listener: interpreter ${level.interpreter.toFixed(4)}, floor ${level.floor.toFixed(4)}, ratio ${(level.interpreter / level.floor).toFixed(2)}`);
    assertDuckedMix(level);
  });

  test('in the floor’s language: the floor at full volume and no interpreter at all', async () => {
    await set(listener, 'listenLanguage', 'en');
    const level = await hearOnce((l) => l.floor > 0.2 && l.interpreter < l.floor / 100);
    console.log(`# en listener: interpreter ${level.interpreter.toFixed(5)}, floor ${level.floor.toFixed(4)}`);
    assert.ok(level.floor > 0.2, `the floor at full volume (${level.floor})`);
    assert.ok(level.interpreter < level.floor / 100, `no interpreter (${level.interpreter})`);
    const changes = (await listener.evaluate(`__events.filter((e) => e.type === 'un75-channel-change')`)) as {
      detail: { listenLanguage: string; channel: { lang: string } | null };
    }[];
    assert.equal(changes.at(-1)?.detail.listenLanguage, 'en');
    assert.equal(changes.at(-1)?.detail.channel, null);
    assert.ok(changes.some((e) => e.detail.channel?.lang === 'fr'), 'the French channel was announced when it opened');
  });

  test('floor-volume="0" silences the floor under the interpreter', async () => {
    await set(listener, 'listenLanguage', 'fr');
    await set(listener, 'floorVolume', 0);
    const level = await hearOnce((l) => l.interpreter > LOUD && l.floor < l.interpreter / 100);
    assert.ok(level.interpreter > LOUD, `the interpreter (${level.interpreter})`);
    assert.ok(level.floor < level.interpreter / 100, `no floor (${level.floor})`);
    await set(listener, 'floorVolume', 0.2);
  });

  test('when the interpreter swaps direction, the French listener is back on the floor and the interpreter is not heard', async () => {
    await interpreter.locator('un75-meeting').locator('[part~="swap"]').click();
    await waitInPage(
      listener,
      `document.querySelector('un75-meeting').interpretation.heard === null`,
      'the French channel to close',
    );
    const level = await hearOnce((l) => l.floor > 0.2 && l.interpreter < l.floor / 100);
    assert.ok(level.floor > 0.2, `the floor at full volume (${level.floor})`);
    assert.ok(level.interpreter < level.floor / 100, `the interpreter, now speaking English, is not heard (${level.interpreter})`);
    await interpreter.locator('un75-meeting').locator('[part~="swap"]').click();
  });
});

describe('in an open room (the server’s default), a host grants the interpreter role during the call and takes it away', () => {
  let rig: ToneRig;
  let host: Page;
  let interpreter: Page;
  let listener: Page;
  let interpreterId: string;
  const hearOnce = (expected: (level: Level) => boolean) => hearUntil(() => rig.hear(), expected);
  const log = (when: string, l: Level) => console.log(`# fr listener, ${when}: floor ${dB(l.floor)} dBFS, interpreter ${dB(l.interpreter)} dBFS`);

  before(async () => {
    // No --jwt-secret and no --trust-asked-roles: asking to interpret grants nothing; only a host does.
    rig = await startToneRig([]);
    const open = (browser: Browser, name: string, attrs: string) => rig.open(browser, 'granted-booth', name, attrs);
    // The first in an open room is its host: the floor speaker.
    host = await open(rig.floor, 'Hosta', 'spoken-language="en"');
    await waitInPage(host, `${M}.core?.session?.state === 'joined' && ${M}.core.role === 'host'`, 'the host in the room', 90000);
    interpreter = await open(rig.interpreter, 'Ines', 'spoken-language="en" join-as="interpreter" interpreter-languages="en fr"');
    interpreterId = (await waitInPage(interpreter, `${M}.core?.session?.state === 'joined' && ${M}.core.session.selfId`, 'the interpreter in', 90000)) as string;
    listener = await open(rig.listener, 'Lina', 'spoken-language="fr" listen-language="fr"');
    for (const page of [host, interpreter, listener]) {
      await waitInPage(page, `__un75.names().length === 3 && ${M}.participants.every((p) => p.isSelf || p.connectionState === 'connected')`, 'everyone linked', 90000);
    }
  });

  after(() => rig?.stop());

  test('asked for, not granted: the would-be interpreter is a participant, heard like the floor, with no booth and no channel', async () => {
    assert.equal(await interpreter.evaluate(`${M}.core.role`), 'participant');
    assert.equal(await interpreter.evaluate(`${M}.core.interpretation.boothState`), undefined);
    assert.deepEqual(await listener.evaluate(`${M}.core.interpretation.channels`), []);
    const level = await hearOnce((l) => l.floor > 0.2 && l.interpreter > 0.2);
    log('before the grant', level);
    assert.ok(level.floor > 0.2, `the floor at full volume (${level.floor})`);
    assert.ok(level.interpreter > 0.2, `Ines, a participant, at full volume too (${level.interpreter})`);
  });

  test('granted by the host: the booth goes on air, the listener is told the channel and hears it over the ducked floor', async () => {
    await host.evaluate(`${M}.setRole(${JSON.stringify(interpreterId)}, 'interpreter')`);
    // The interpreter's own page: the booth console, on air into French.
    await waitInPage(
      interpreter,
      `${M}.core.interpretation.boothState?.onAir === true && ${M}.shadowRoot.querySelector('un75-booth')?.shadowRoot.querySelector('[part~="on-air"].live') != null`,
      'the booth on air at Ines',
    );
    // Every open link is told: the listener's channel list has the French channel, heard.
    await waitInPage(listener, `${M}.core.interpretation.heard?.interpreterId === ${JSON.stringify(interpreterId)}`, 'the French channel at Lina');
    assert.deepEqual(await listener.evaluate(`${M}.core.interpretation.channels.map((c) => [c.lang, c.interpreterName])`), [['fr', 'Ines']]);
    assert.deepEqual(await host.evaluate(`${M}.core.interpretation.channels.map((c) => c.lang)`), ['fr'], 'the host is told too');
    const level = await hearOnce(isDuckedMix);
    log('after the grant', level);
    assertDuckedMix(level);
  });

  test('taken away: the channel closes for everyone, the floor is back at full volume and the former interpreter is silent', async () => {
    await host.evaluate(`${M}.setRole(${JSON.stringify(interpreterId)}, 'participant')`);
    await waitInPage(listener, `${M}.core.interpretation.channels.length === 0 && ${M}.core.interpretation.heard === null`, 'no channel at Lina');
    await waitInPage(host, `${M}.core.interpretation.channels.length === 0`, 'no channel at the host');
    // Their booth is closed and their microphone off: what they say was meant for one channel's listeners.
    await waitInPage(
      interpreter,
      `${M}.core.role === 'participant' && !${M}.core.interpretation.boothState && !${M}.shadowRoot.querySelector('un75-booth') && ${M}.core.session.micEnabled === false`,
      'the booth closed at Ines',
    );
    await waitInPage(listener, `${M}.participants.find((p) => p.name === 'Ines')?.micEnabled === false`, "Ines's microphone off at Lina");
    const level = await hearOnce((l) => l.floor > 0.2 && l.interpreter < l.floor / 100);
    log('after the role is taken away', level);
    assert.ok(level.floor > 0.2, `the floor at full volume (${level.floor})`);
    assert.ok(level.interpreter < level.floor / 100, `the former interpreter is not heard (${level.interpreter})`);
    const changes = (await listener.evaluate(`__events.filter((e) => e.type === 'un75-channel-change').map((e) => e.detail.channel?.lang ?? null)`)) as (string | null)[];
    assert.deepEqual(changes.slice(-2), ['fr', null], 'un75-channel-change told the listener when the channel opened and closed');
  });
});
