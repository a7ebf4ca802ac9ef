// ICE recovery: how long media takes to flow again after the network path of a live link dies.
// Two pages in a call, relay-only (iceTransportPolicy 'relay') through a real coturn on loopback.
// The failure is forced by killing coturn with SIGKILL (every relay allocation, so the only path
// between the pages, is gone at once) and starting it again on the same port right away: the link's
// ICE goes `disconnected`, the initiator restarts ICE (new allocations on the new coturn), or the link
// is rebuilt if that does not bring it back. Measured in each page, on the machine's one clock: from
// the kill to the first remote video frame after the gap. Several kills in one call.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import {
  closeBrowsers,
  newPage,
  root,
  startPartnerPage,
  startServer,
  startTurn,
  TRACK_PEER_CONNECTIONS,
  waitInPage,
  type FixtureServer,
  type RunningServer,
} from '../test/e2e/harness.js';

const ROUNDS = 5;
const SECRET = 'bench-turn-secret';
/** A pause in the remote video at least this long, after the kill, is the outage. */
const GAP_MS = 700;
/** Ceiling for one recovery (the rebuild path with its backoff stays well inside it). */
const RECOVERY_CEILING_MS = 120_000;

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
};

/**
 * In the page: the wall-clock times of the remote video's presented frames (recorded from the first
 * call on, across source changes), and the first frame after `since` that ends a pause of at least
 * GAP_MS, if any.
 */
const FRAMES_AFTER = (since: number) => `(() => {
  const grid = __un75.meetings()[0]?.shadowRoot?.querySelector('un75-video-grid');
  const tile = [...(grid?.shadowRoot?.querySelectorAll('un75-participant-tile') ?? [])].find((t) => t.participant && !t.participant.isSelf);
  const video = tile?.shadowRoot?.querySelector('video');
  if (!video) return { count: 0 };
  if (!video.__times) {
    const times = (video.__times = []);
    const tick = () => {
      times.push(Date.now());
      if (times.length > 4000) times.splice(0, 2000);
      video.requestVideoFrameCallback(tick);
    };
    video.requestVideoFrameCallback(tick);
  }
  const times = video.__times;
  let back;
  for (let i = 1; i < times.length; i++) {
    if (times[i] > ${since} && times[i] - Math.max(times[i - 1], ${since}) >= ${GAP_MS}) { back = times[i]; break; }
  }
  return { count: times.filter((t) => t > ${since}).length, back, pcs: __pcs.length };
})()`;

type Frames = { count: number; back?: number; pcs?: number };

export async function iceRecoveryBench(): Promise<void> {
  const turn = await startTurn(SECRET);
  let server: RunningServer | undefined;
  let partner: FixtureServer | undefined;
  const recoveries: number[] = [];
  const rebuilt: number[] = [];
  try {
    server = await startServer(['--turn-url', `turn:127.0.0.1:${turn.port}?transport=udp`, '--turn-secret', SECRET, '--turn-ttl', '600']);
    partner = await startPartnerPage();
    const people = [await newPage(0), await newPage(1)];
    const pages: Page[] = [];
    for (const [i, person] of people.entries()) {
      await person.context.addInitScript({ path: path.join(root, 'test/e2e/probes.js') });
      await person.context.addInitScript({ content: TRACK_PEER_CONNECTIONS });
      await person.page.goto(`${partner.url}/meeting.html?server=${server.url}&room=ice-recovery&name=P${i}&attrs=`);
      await person.page.waitForFunction(() => customElements.get('un75-meeting'));
      // Relay only: the coturn is the one path between the pages.
      await person.page.evaluate(`(() => { const m = document.querySelector('un75-meeting'); m.iceTransportPolicy = 'relay'; return m.join(); })()`);
      pages.push(person.page);
    }
    const flowing = async (since: number) => {
      for (const page of pages) await waitInPage(page, `${FRAMES_AFTER(since)}.count >= 5`, 'remote video frames', 180_000);
    };
    await flowing(Date.now());
    for (let round = 0; round < ROUNDS; round++) {
      const before = await Promise.all(pages.map((page) => page.evaluate(FRAMES_AFTER(Date.now())) as Promise<Frames>));
      const killedAt = Date.now();
      await turn.stop('SIGKILL');
      await turn.restart();
      const back = await Promise.all(
        pages.map((page) => waitInPage<Frames>(page, `(() => { const f = ${FRAMES_AFTER(killedAt)}; return f.back ? f : undefined; })()`, 'video back after the outage', RECOVERY_CEILING_MS)),
      );
      recoveries.push(Math.max(...back.map((f) => f.back! - killedAt)));
      rebuilt.push(back.reduce((n, f, i) => n + (f.pcs! - before[i]!.pcs!), 0));
      console.log(`# kill ${round + 1}: video back after ${back.map((f) => f.back! - killedAt).join(' / ')} ms, ${rebuilt.at(-1)} peer connections made anew`);
      // Steady again before the next kill.
      await flowing(Date.now());
    }
  } finally {
    await closeBrowsers();
    await partner?.close();
    await server?.stop();
    await turn.stop();
  }
  console.log('## ICE recovery (two pages relay-only through coturn on loopback; coturn SIGKILLed and restarted)');
  console.log(
    `kill → remote video moving again in both pages: median ${median(recoveries)} ms over ${ROUNDS} kills (min ${Math.min(...recoveries)}, max ${Math.max(...recoveries)}; all: ${recoveries.join(', ')}); ` +
      `links rebuilt instead of restarted: ${rebuilt.filter((n) => n > 0).length} of ${ROUNDS}`,
  );
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await iceRecoveryBench();
