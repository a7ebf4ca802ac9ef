// Upload per sender and rendered frame rate per receiver with 2, 4 and 6 participants: pages with
// Chromium's fake camera in the shared browsers, the real signaling server and bundle. After the
// mesh is up and a settle period, each page's getStats is read twice a few seconds apart: each
// sender's video upload (outbound-rtp bytesSent rate, all links), the frames per second it receives
// from each other person (inbound-rtp framesPerSecond) and why its encoders are limited
// (qualityLimitationReason). With six, also the grid drawn small, with the tiles' view hints and
// with hints turned off. `node --import tsx bench/upload.ts [counts…]` runs only the counts given.
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { closeBrowsers, newPage, startPartnerPage, startServer } from '../test/e2e/harness.js';

const SETTLE_MS = 10_000;
const SAMPLE_MS = 5_000;
/** Every wait is bounded: a mesh that does not come up in this long is reported, not waited for. */
const MESH_CEILING_MS = 120_000;

interface Sample {
  bytesSent: number;
  reasons: string[];
  fps: number[];
}

/** One page's video statistics over all its links (runs in the page). */
async function sample(page: Page): Promise<Sample> {
  return page.evaluate(async () => {
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
    return { bytesSent, reasons, fps };
  });
}

async function round(count: number, options: { small: boolean; hints: boolean }): Promise<void> {
  const server = await startServer();
  const partner = await startPartnerPage();
  const pages: Page[] = [];
  const room = `upload-${count}-${Date.now().toString(36)}`;
  const style = options.small ? encodeURIComponent('style="display:block;inline-size:480px;block-size:320px"') : '';
  try {
    for (let i = 0; i < count; i++) {
      const { page } = await newPage(i % 2);
      await page.goto(`${partner.url}/meeting.html?server=${server.url}&room=${room}&name=P${i}&attrs=${style}`);
      await page.waitForFunction(() => customElements.get('un75-meeting'), undefined, { timeout: MESH_CEILING_MS });
      await page.evaluate(async (hints) => {
        const meeting = document.querySelector('un75-meeting')!;
        const joining = meeting.join();
        // Without hints: the tiles' reports go nowhere, every sender sends at its budget share.
        if (!hints && meeting.core) meeting.core.setViewSize = () => {};
        await joining;
      }, options.hints);
      pages.push(page);
    }
    const started = Date.now();
    await Promise.all(
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
    );
    const meshMs = Date.now() - started;
    await new Promise((r) => setTimeout(r, SETTLE_MS)); // a settle period before measuring, not a wait for correctness
    const first = await Promise.all(pages.map(sample));
    const t0 = Date.now();
    await new Promise((r) => setTimeout(r, SAMPLE_MS));
    const second = await Promise.all(pages.map(sample));
    const seconds = (Date.now() - t0) / 1000;
    const label = `${count} participants${options.small ? ', grid 480×320 px' : ''}${options.hints ? '' : ', hints off'}`;
    console.log(`### ${label} (full mesh after ${meshMs} ms)`);
    second.forEach((s, i) => {
      const kbps = ((s.bytesSent - first[i]!.bytesSent) * 8) / seconds / 1000;
      const fps = s.fps.map((f) => f.toFixed(0)).join('/');
      const reasons = [...new Set(s.reasons)].join(',') || '-';
      console.log(`P${i}: upload ${kbps.toFixed(0)} kbit/s; receives ${fps} fps; limited by ${reasons}`);
    });
    const uploads = second.map((s, i) => ((s.bytesSent - first[i]!.bytesSent) * 8) / seconds / 1000);
    const allFps = second.flatMap((s) => s.fps);
    console.log(
      `mean upload ${(uploads.reduce((a, b) => a + b, 0) / uploads.length).toFixed(0)} kbit/s per sender; received fps min ${Math.min(...allFps).toFixed(0)}, mean ${(allFps.reduce((a, b) => a + b, 0) / Math.max(1, allFps.length)).toFixed(1)}`,
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
    if (counts.includes(6)) {
      await round(6, { small: true, hints: true });
      await round(6, { small: true, hints: false });
    }
  } finally {
    await closeBrowsers();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const counts = process.argv.slice(2).map(Number).filter((n) => n >= 2 && n <= 8);
  await uploadBench(counts.length ? counts : undefined);
}
