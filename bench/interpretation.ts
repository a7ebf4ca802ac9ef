// Interpretation timings, measured from what a listener's browser really plays (PulseAudio null
// sink, as in test/e2e/interpretation.e2e.ts):
// - channel change: from the listener picking the interpreter's language to the interpreter being
//   heard, against a marker tone the same page starts at the same instant (so the recorder's and
//   the output's own latency cancel out);
// - the interpreter path against the floor path: both microphones unmuted at once, the onsets of
//   the two tones compared at the listener.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { SAMPLE_RATE, startPulse, toneFile, toneLevel } from '../test/e2e/audio.js';
import { closeBrowsers, launchBrowser, root, startPartnerPage, startServer } from '../test/e2e/harness.js';

const FLOOR = 440;
const INTERPRETER = 1000;
const MARKER = 3000;
const RUNS = 5;
const WINDOW = SAMPLE_RATE / 200; // 5 ms

/** Time (ms into the recording) when a tone first reaches half its final level. */
function onset(samples: Int16Array, frequency: number): number {
  const final = toneLevel(samples, frequency, samples.length - SAMPLE_RATE / 2);
  for (let i = 0; i + WINDOW <= samples.length; i += WINDOW) {
    if (toneLevel(samples, frequency, i, i + WINDOW) > final / 2) return (i / SAMPLE_RATE) * 1000;
  }
  return NaN;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const meeting = (page: Page, script: string) => page.evaluate(`(() => { const m = document.querySelector('un75-meeting'); ${script} })()`);

export async function interpretationBench(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'un75-bench-'));
  const server = await startServer();
  const partner = await startPartnerPage();
  const pulse = await startPulse();
  const open = async (browser: Browser, name: string, attrs: string) => {
    const context = await browser.newContext();
    await context.addInitScript({ path: path.join(root, 'test/e2e/raw-audio.js') });
    const page = await context.newPage();
    const query = new URLSearchParams({ server: server.url, room: 'bench', name, attrs: `autojoin camera-off ${attrs}` });
    await page.goto(`${partner.url}/meeting.html?${query}`);
    return page;
  };
  try {
    const fake = (hz: number) => [`--use-file-for-fake-audio-capture=${toneFile(dir, hz, 120)}`];
    const floor = await open(await launchBrowser({ args: fake(FLOOR) }), 'Floor', 'spoken-language="en"');
    await floor.waitForFunction(() => document.querySelector('un75-meeting')?.core?.role === 'host' && document.querySelector('un75-meeting')?.core?.session?.state === 'joined', undefined, { timeout: 30000 });
    const interpreter = await open(await launchBrowser({ args: fake(INTERPRETER) }), 'Ines', 'join-as="interpreter" interpreter-languages="en fr"');
    // An open room grants no role that is asked for: the floor speaker, in first and so host, makes Ines interpreter.
    const ines = await interpreter.waitForFunction(() => document.querySelector('un75-meeting')?.core?.session?.selfId, undefined, { timeout: 30000 });
    await meeting(floor, `m.setRole(${JSON.stringify(await ines.jsonValue())}, 'interpreter')`);
    const listener = await open(
      await launchBrowser({ args: fake(2500), env: { PULSE_SERVER: pulse.server }, muted: false }),
      'Lina',
      'listen-language="en" floor-volume="1"',
    );
    await listener.waitForFunction(() => document.querySelector('un75-meeting')?.interpretation?.channels.length === 1, undefined, { timeout: 30000 });
    await listener.waitForTimeout(1000);

    const switches: number[] = [];
    for (let run = 0; run < RUNS; run++) {
      await meeting(listener, `m.listenLanguage = 'en'`);
      await listener.waitForTimeout(800);
      const recording = pulse.record(2.5);
      await listener.waitForTimeout(800);
      // The marker and the switch in one task of the listener's page.
      await meeting(
        listener,
        `const ctx = window.__markerContext ??= new AudioContext(); const o = ctx.createOscillator(); o.frequency.value = ${MARKER};
         o.connect(ctx.destination); o.start(); setTimeout(() => o.stop(), 1200); m.listenLanguage = 'fr';`,
      );
      const samples = await recording;
      switches.push(onset(samples, INTERPRETER) - onset(samples, MARKER));
    }

    const paths: number[] = [];
    await meeting(listener, `m.listenLanguage = 'fr'`);
    for (let run = 0; run < RUNS; run++) {
      await Promise.all([meeting(floor, 'm.toggleMicrophone(false)'), meeting(interpreter, 'm.toggleMicrophone(false)')]);
      await listener.waitForTimeout(800);
      const recording = pulse.record(2.5);
      await listener.waitForTimeout(800);
      await Promise.all([meeting(floor, 'm.toggleMicrophone(true)'), meeting(interpreter, 'm.toggleMicrophone(true)')]);
      const samples = await recording;
      paths.push(onset(samples, INTERPRETER) - onset(samples, FLOOR));
    }

    const fmt = (xs: number[]) => `median ${median(xs).toFixed(0)} ms (all: ${xs.map((x) => x.toFixed(0)).join(', ')})`;
    console.log('## Interpretation (listener output recorded through PulseAudio)');
    console.log(`channel change → interpreter heard, beyond a local sound started at the same instant: ${fmt(switches)}`);
    console.log(`interpreter path minus floor path, onset at the listener (mics unmuted together): ${fmt(paths)}`);
  } finally {
    await closeBrowsers();
    await pulse.stop();
    await partner.close();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await interpretationBench();
