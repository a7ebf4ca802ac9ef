// Interpretation judged by what a listener really hears. Three browsers whose fake microphones play
// different tones — the floor speaker 440 Hz, the interpreter 1000 Hz, the listener 2500 Hz — and
// the listener's audio output recorded from a PulseAudio null sink and analysed per frequency.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { hearUntil, startPulse, toneFile, toneLevel, type Pulse } from './audio.js';
import { joinToken, JWT_SECRET, launchBrowser, root, startPartnerPage, startServer, waitInPage, type FixtureServer, type RunningServer } from './harness.js';

const FLOOR = 440;
const INTERPRETER = 1000;
const OWN = 2500;
/** The interpreter's role comes from its join token (an open room would make the floor speaker host). */
const token = (role: 'participant' | 'interpreter', sub: string) => joinToken('booth', role, sub);

describe('interpretation channels, as the listener hears them', () => {
  let server: RunningServer;
  let partner: FixtureServer;
  let pulse: Pulse;
  let dir: string;
  let interpreter: Page;
  let listener: Page;
  const browsers: Browser[] = [];

  async function open(browser: Browser, name: string, attrs: string): Promise<Page> {
    const context = await browser.newContext();
    await context.addInitScript({ path: path.join(root, 'test/e2e/raw-audio.js') });
    await context.addInitScript({ path: path.join(root, 'test/e2e/probes.js') });
    const page = await context.newPage();
    const query = new URLSearchParams({ server: server.url, room: 'booth', name, attrs: `autojoin camera-off ${attrs}` });
    await page.goto(`${partner.url}/meeting.html?${query}`);
    return page;
  }

  /** Tone levels (RMS, 0–1) in two seconds of what the listener hears. */
  async function hear(): Promise<{ floor: number; interpreter: number; own: number }> {
    const samples = await pulse.record(2);
    // Leave out the first 200 ms: the recorder's start.
    const from = Math.floor(samples.length / 10);
    return {
      floor: toneLevel(samples, FLOOR, from),
      interpreter: toneLevel(samples, INTERPRETER, from),
      own: toneLevel(samples, OWN, from),
    };
  }

  const set = (page: Page, property: string, value: string | number) =>
    page.evaluate(([p, v]) => ((document.querySelector('un75-meeting') as unknown as Record<string, unknown>)[p as string] = v), [property, value] as const);

  type Level = Awaited<ReturnType<typeof hear>>;
  const hearOnce = (expected: (level: Level) => boolean) => hearUntil(hear, expected);

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'un75-tones-'));
    server = await startServer(['--jwt-secret', JWT_SECRET]);
    partner = await startPartnerPage();
    pulse = await startPulse();
    const fake = (hz: number) => [`--use-file-for-fake-audio-capture=${toneFile(dir, hz)}`];
    const floorBrowser = await launchBrowser({ args: fake(FLOOR) });
    const interpreterBrowser = await launchBrowser({ args: fake(INTERPRETER) });
    const listenerBrowser = await launchBrowser({ args: fake(OWN), env: { PULSE_SERVER: pulse.server }, muted: false });
    browsers.push(floorBrowser, interpreterBrowser, listenerBrowser);
    await open(floorBrowser, 'Floor', `spoken-language="en" token="${await token('participant', 'floor')}"`);
    interpreter = await open(interpreterBrowser, 'Ines', `join-as="interpreter" interpreter-languages="en fr" token="${await token('interpreter', 'ines')}"`);
    listener = await open(listenerBrowser, 'Lina', `spoken-language="fr" listen-language="fr" token="${await token('participant', 'lina')}"`);
    await waitInPage(listener, `__un75.names().length === 3`, 'all three in the room');
    await waitInPage(
      listener,
      `document.querySelector('un75-meeting').interpretation.heard?.lang === 'fr'`,
      'the French channel',
    );
  });

  after(async () => {
    await Promise.all(browsers.map((b) => b.close().catch(() => {})));
    await pulse?.stop();
    await partner?.close();
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('in the interpreter’s language: the interpreter on top, the floor ducked to floor-volume (0.2)', async () => {
    // The wait is for exactly the mix asserted below.
    const level = await hearOnce((l) => l.interpreter > 0.1 && l.floor > 0.02 && l.interpreter / l.floor > 4 && l.interpreter / l.floor < 6.25);
    console.log(`# fr listener: interpreter ${level.interpreter.toFixed(4)}, floor ${level.floor.toFixed(4)}, ratio ${(level.interpreter / level.floor).toFixed(2)}`);
    assert.ok(level.interpreter > 0.1, `the interpreter is loud and clear (${level.interpreter})`);
    assert.ok(level.floor > 0.02, `the floor is still there underneath (${level.floor})`);
    const ratio = level.interpreter / level.floor;
    assert.ok(ratio > 4 && ratio < 6.25, `interpreter/floor amplitude ratio ${ratio.toFixed(2)} is about 1/0.2 = 5`);
    assert.ok(level.own < 0.001, 'a listener never hears their own microphone');
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
    const level = await hearOnce((l) => l.interpreter > 0.1 && l.floor < l.interpreter / 100);
    assert.ok(level.interpreter > 0.1, `the interpreter (${level.interpreter})`);
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
