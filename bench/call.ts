// Time from join() to the first remote video frame, two peers on loopback, through the real server
// and the single-file bundle. Several runs; prints the median and the spread.
import { fileURLToPath } from 'node:url';
import { closeBrowsers, newPage, startPartnerPage, startServer } from '../test/e2e/harness.js';

const RUNS = 7;

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
};

export async function callBench(): Promise<void> {
  const server = await startServer();
  const partner = await startPartnerPage();
  const times: number[] = [];
  try {
    for (let run = 0; run < RUNS; run++) {
      const room = `bench-${run}`;
      const query = (name: string) => `${partner.url}/meeting.html?server=${server.url}&room=${room}&name=${name}&attrs=`;
      const a = await newPage(0);
      const b = await newPage(1);
      await a.page.goto(query('First'));
      await a.page.evaluate(() => document.querySelector('un75-meeting')!.join());
      await b.page.goto(query('Second'));
      await b.page.waitForFunction(() => customElements.get('un75-meeting'));
      const ms = await b.page.evaluate(async () => {
        const meeting = document.querySelector('un75-meeting')!;
        const start = performance.now();
        await meeting.join();
        for (;;) {
          const grid = meeting.shadowRoot?.querySelector('un75-video-grid');
          const tiles = [...(grid?.shadowRoot?.querySelectorAll('un75-participant-tile') ?? [])];
          const remote = tiles.find((t) => t.participant && !t.participant.isSelf);
          const video = remote?.shadowRoot?.querySelector('video');
          if (video && video.readyState >= 2 && video.videoWidth > 0) return performance.now() - start;
          await new Promise((r) => setTimeout(r, 5));
        }
      });
      times.push(ms);
      await a.context.close();
      await b.context.close();
    }
  } finally {
    await closeBrowsers();
    await partner.close();
    await server.stop();
  }
  console.log('## Call set-up (two peers, loopback)');
  console.log(
    `join() → first remote video frame: median ${median(times).toFixed(0)} ms over ${RUNS} runs (min ${Math.min(...times).toFixed(0)}, max ${Math.max(...times).toFixed(0)}; all: ${times.map((t) => t.toFixed(0)).join(', ')})`,
  );
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await callBench();
