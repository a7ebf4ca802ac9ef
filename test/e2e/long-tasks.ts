// What a page costs, measured from outside. The longest tasks of its main thread, from a Chromium trace: how long each task took on the
// wall clock and how much of the CPU it used (thread time). On a machine busy with other work the
// wall-clock figure grows with the wait for a core; the thread time is what the page itself spent.
import type { Browser, Page } from 'playwright-core';

interface TraceEvent {
  name: string;
  ph: string;
  pid: number;
  tid: number;
  dur?: number;
  tdur?: number;
  args?: { name?: string; data?: { frames?: { processId?: number; url?: string }[] } };
}

export interface LongestTasks {
  /** The longest task on the wall clock, in ms. */
  wall: number;
  /** The most CPU time one task used, in ms. */
  cpu: number;
  /** Tasks that took more than 50 ms of CPU time. */
  over50: number;
  /** Wall-clock time spent in tasks longer than 50 ms (long tasks), in ms. */
  longWall: number;
  /** CPU time of all the page's tasks, in ms: how much of the main thread it kept busy. */
  cpuTotal: number;
  /** Wall-clock time the trace covered, in ms. */
  span: number;
}

const tracing = new Set<Browser>();

/** Starts tracing the browser of `page`; the returned function stops and reads the page's tasks. */
export async function traceTasks(page: Page): Promise<() => Promise<LongestTasks>> {
  const browser = page.context().browser()!;
  // A trace a failed test left running is stopped first: a browser records one at a time.
  if (tracing.has(browser)) await browser.stopTracing().catch(() => {});
  tracing.add(browser);
  await browser.startTracing(undefined, { categories: ['toplevel', 'disabled-by-default-devtools.timeline'] });
  const url = page.url();
  const started = performance.now();
  return async () => {
    const span = performance.now() - started;
    tracing.delete(browser);
    const buffer = await browser.stopTracing();
    const { traceEvents } = JSON.parse(buffer.toString('utf8')) as { traceEvents: TraceEvent[] };
    // The renderer process that shows the page, and its main thread.
    const pids = new Set<number>();
    for (const e of traceEvents) for (const f of e.args?.data?.frames ?? []) if (f.processId && f.url === url) pids.add(f.processId);
    const mains = new Set(
      traceEvents.filter((e) => e.ph === 'M' && e.name === 'thread_name' && e.args?.name === 'CrRendererMain' && (pids.size === 0 || pids.has(e.pid))).map((e) => `${e.pid}:${e.tid}`),
    );
    const result: LongestTasks = { wall: 0, cpu: 0, over50: 0, longWall: 0, cpuTotal: 0, span };
    for (const e of traceEvents) {
      if (e.ph !== 'X' || !mains.has(`${e.pid}:${e.tid}`) || !/RunTask/.test(e.name)) continue;
      const wall = (e.dur ?? 0) / 1000;
      result.wall = Math.max(result.wall, wall);
      if (wall > 50) result.longWall += wall;
      const cpu = (e.tdur ?? 0) / 1000;
      result.cpu = Math.max(result.cpu, cpu);
      result.cpuTotal += cpu;
      if (cpu > 50) result.over50++;
    }
    return result;
  };
}

/** Heap in use after a full garbage collection, in bytes (through the DevTools protocol). */
export async function heapAfterGc(page: Page): Promise<number> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('HeapProfiler.collectGarbage');
  const { usedSize } = (await cdp.send('Runtime.getHeapUsage')) as { usedSize: number };
  await cdp.detach();
  return usedSize;
}

/** Most events (times in ms) in any one-second window: e.g. a translation server's busiest second. */
export function peakPerSecond(times: number[]): number {
  const sorted = [...times].sort((a, b) => a - b);
  let peak = 0;
  for (let i = 0, j = 0; i < sorted.length; i++) {
    while (sorted[i]! - sorted[j]! >= 1000) j++;
    peak = Math.max(peak, i - j + 1);
  }
  return peak;
}
