// Upload per sender and rendered frame rate per receiver with 2, 4 and 6 participants: pages with
// Chromium's fake camera in the shared browsers, the real signaling server and bundle. After the
// mesh is up and a settle period, each page's getStats is read twice a few seconds apart: each
// sender's video upload (outbound-rtp bytesSent rate, all links), the frames per second it receives
// from each other person (inbound-rtp framesPerSecond) and why its encoders are limited
// (qualityLimitationReason). With six, also the grid drawn small, with the tiles' view hints and
// with hints turned off. `node --import tsx bench/upload.ts [counts…]` runs only the counts given (the
// small grid with the largest, if at least four). UPLOAD_FAKE_FPS=N has the fake cameras capture N
// frames a second instead of 30: a lighter load, for a machine that cannot carry six pages at full rate.
import { readdirSync, readFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { closeBrowsers, launchBrowser, newPage, startPartnerPage, startServer } from '../test/e2e/harness.js';

const SETTLE_MS = 10_000;
const SAMPLE_MS = 5_000;
/** Every wait is bounded: a mesh that does not come up in this long is reported, not waited for. */
const MESH_CEILING_MS = 120_000;
/** A page too busy to answer a statistics query in this long is reported as such. */
const PAGE_CEILING_MS = 30_000;

const FAKE_FPS = Number(process.env.UPLOAD_FAKE_FPS) || undefined;
let slowCameras: Browser[] | undefined;

/** A fresh page on the n-th of two browsers: the shared ones, or with UPLOAD_FAKE_FPS two of its own. */
async function pageOn(index: number): Promise<Page> {
  if (!FAKE_FPS) return (await newPage(index)).page;
  slowCameras ??= await Promise.all([0, 1].map(() => launchBrowser({ args: [`--use-fake-device-for-media-stream=fps=${FAKE_FPS}`] })));
  const context = await slowCameras[index]!.newContext({ permissions: ['camera', 'microphone'] });
  return context.newPage();
}

/**
 * CPU time used so far by every Chromium process of the machine, in seconds (Linux's /proc; 0
 * elsewhere): read before and after the sample, it says how many cores the browsers kept busy.
 */
function browsersCpuSeconds(): number {
  let ticks = 0;
  let pids: string[] = [];
  try {
    pids = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return 0;
  }
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      if (!stat.slice(stat.indexOf('('), stat.lastIndexOf(')')).includes('chrom')) continue;
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(fields[11]) + Number(fields[12]); // utime, stime
    } catch {
      // gone between the listing and the read
    }
  }
  return ticks / 100; // USER_HZ
}

/** `work`, or `fallback` if it takes longer than `ms` (a saturated page may not answer at all). */
async function bounded<T>(work: Promise<T>, ms: number, fallback: T): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<T>((resolve) => (timer = setTimeout(() => resolve(fallback), ms)));
  try {
    return await Promise.race([work, late]);
  } finally {
    clearTimeout(timer);
  }
}

interface Sample {
  bytesSent: number;
  reasons: string[];
  fps: number[];
  /** The encoding each of this page's video senders is set to: `×scale@kbit/s`, or `paused`. */
  encodings: string[];
}

/**
 * Hints off: an init script (a string, so the TypeScript loader adds nothing to it) that drops every
 * `view` message a page would send on its data channels, so each sender keeps its budget share at
 * full size, as before hints existed.
 */
const DROP_VIEW_HINTS = `(() => {
  const send = RTCDataChannel.prototype.send;
  RTCDataChannel.prototype.send = function (data) {
    if (typeof data === 'string' && data.startsWith('{"type":"view"')) return;
    return send.call(this, data);
  };
})();`;

/** One page's video statistics over all its links (runs in the page). */
async function sample(page: Page): Promise<Sample> {
  const noAnswer: Sample = { bytesSent: NaN, reasons: ['no answer'], fps: [], encodings: [] };
  return bounded(page.evaluate(async () => {
    const session = document.querySelector('un75-meeting')!.core!.session!;
    let bytesSent = 0;
    const reasons: string[] = [];
    const fps: number[] = [];
    for (const p of session.participants.filter((x) => !x.isSelf)) {
      const report = await session.linkStats(p.id);
      report?.forEach((s: { type: string; kind?: string; bytesSent?: number; qualityLimitationReason?: string; framesPerSecond?: number }) => {
        if (s.kind !== 'video') return;
        if (s.type === 'outbound-rtp') {
          bytesSent += s.bytesSent ?? 0;
          reasons.push(s.qualityLimitationReason ?? '?');
        } else if (s.type === 'inbound-rtp') fps.push(s.framesPerSecond ?? 0);
      });
    }
    const encodings = session
      .videoEncodings()
      .map((e) => (e.active ? `×${e.scaleResolutionDownBy}@${Math.round(e.maxBitrate / 1000)}` : 'paused'));
    return { bytesSent, reasons, fps, encodings };
  }), PAGE_CEILING_MS, noAnswer);
}

async function round(count: number, options: { small: boolean; hints: boolean }): Promise<void> {
  const server = await startServer();
  const partner = await startPartnerPage();
  const pages: Page[] = [];
  const room = `upload-${count}-${Date.now().toString(36)}`;
  const style = options.small ? encodeURIComponent('style="display:block;inline-size:480px;block-size:320px"') : '';
  try {
    for (let i = 0; i < count; i++) {
      const page = await pageOn(i % 2);
      if (!options.hints) await page.addInitScript(DROP_VIEW_HINTS);
      await page.goto(`${partner.url}/meeting.html?server=${server.url}&room=${room}&name=P${i}&attrs=${style}`);
      await page.waitForFunction(() => customElements.get('un75-meeting'), undefined, { timeout: MESH_CEILING_MS });
      const joinStart = Date.now();
      await bounded(page.evaluate(() => document.querySelector('un75-meeting')!.join()), MESH_CEILING_MS, undefined);
      pages.push(page);
      console.error(`  P${i} joined in ${Date.now() - joinStart} ms`);
    }
    const started = Date.now();
    const meshUp = await Promise.all(
      pages.map((page) =>
        page.waitForFunction(
          (n: number) => {
            const session = document.querySelector('un75-meeting')?.core?.session;
            return session?.participants.filter((p) => !p.isSelf && p.connectionState === 'connected').length === n - 1;
          },
          count,
          { timeout: MESH_CEILING_MS, polling: 250 },
        ),
      ),
    ).then(
      () => true,
      () => false,
    );
    const meshMs = Date.now() - started;
    console.error(`  mesh ${meshUp ? 'up' : 'incomplete'} after ${meshMs} ms; measuring`);
    // A mesh that did not complete is said, with each page's link states, and measured as it is.
    const mesh = meshUp
      ? `full mesh after ${meshMs} ms`
      : `NO full mesh after ${meshMs} ms: ${(
          await Promise.all(
            pages.map((page) =>
              bounded(
                page.evaluate(() =>
                  (document.querySelector('un75-meeting')?.core?.session?.participants ?? [])
                    .filter((p) => !p.isSelf)
                    .map((p) => p.connectionState)
                    .join(','),
                ),
                PAGE_CEILING_MS,
                'no answer',
              ),
            ),
          )
        )
          .map((states, i) => `P${i} [${states}]`)
          .join(' ')}`;
    await new Promise((r) => setTimeout(r, SETTLE_MS)); // a settle period before measuring, not a wait for correctness
    const first = await Promise.all(pages.map(sample));
    const t0 = Date.now();
    const cpu0 = browsersCpuSeconds();
    await new Promise((r) => setTimeout(r, SAMPLE_MS));
    const busy = (browsersCpuSeconds() - cpu0) / ((Date.now() - t0) / 1000);
    const second = await Promise.all(pages.map(sample));
    const seconds = (Date.now() - t0) / 1000;
    const label = `${count} participants${options.small ? ', grid 480×320 px' : ''}${options.hints ? '' : ', hints off'}${FAKE_FPS ? `, cameras at ${FAKE_FPS} fps` : ''}`;
    console.log(
      `### ${label} (${mesh}; the browsers kept ${busy.toFixed(1)} of ${availableParallelism()} cores busy; load average ${loadavg().map((l) => l.toFixed(1)).join(' ')})`,
    );
    // A page too busy to answer either query has no upload figure: shown as such, left out of the mean.
    const uploads = second.map((s, i) => ((s.bytesSent - first[i]!.bytesSent) * 8) / seconds / 1000);
    second.forEach((s, i) => {
      const upload = Number.isNaN(uploads[i]) ? 'not measured' : `${uploads[i]!.toFixed(0)} kbit/s`;
      const fps = s.fps.map((f) => f.toFixed(0)).join('/');
      const reasons = [...new Set([...first[i]!.reasons, ...s.reasons])].join(',') || '-';
      console.log(`P${i}: upload ${upload} (${s.encodings.join(' ')}); receives ${fps} fps; limited by ${reasons}`);
    });
    const measured = uploads.filter((u) => !Number.isNaN(u));
    const allFps = second.flatMap((s) => s.fps);
    console.log(
      `mean upload ${measured.length ? (measured.reduce((a, b) => a + b, 0) / measured.length).toFixed(0) : '—'} kbit/s per sender (${measured.length} of ${uploads.length} measured); ` +
        `received fps min ${allFps.length ? Math.min(...allFps).toFixed(0) : '—'}, mean ${(allFps.reduce((a, b) => a + b, 0) / Math.max(1, allFps.length)).toFixed(1)}`,
    );
  } finally {
    await Promise.all(pages.map((p) => p.context().close().catch(() => {})));
    await partner.close();
    await server.stop();
  }
}

export async function uploadBench(counts = [2, 4, 6]): Promise<void> {
  console.log('## Upload per sender, frames per second per receiver (fake cameras, loopback)');
  try {
    for (const count of counts) await round(count, { small: false, hints: true });
    // The small grid with and without hints, with the most people asked for (six by default).
    const most = Math.max(...counts);
    if (most >= 4) {
      await round(most, { small: true, hints: true });
      await round(most, { small: true, hints: false });
    }
  } finally {
    await closeBrowsers();
    slowCameras = undefined;
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const counts = process.argv.slice(2).map(Number).filter((n) => n >= 2 && n <= 8);
  await uploadBench(counts.length ? counts : undefined);
}
