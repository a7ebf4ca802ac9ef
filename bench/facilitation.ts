// Facilitation timings between real Chromium pages through the real un75-signal server (loopback),
// each page loading only the single-file bundle from a partner page:
// - chat: from `sendChat()` on the writer's page to `un75-chat` at another member, p50/p95, for an
//   English reader (no translation) and a French reader whose messages go through a
//   LibreTranslate-compatible server (test/mocks/libretranslate.mjs). Every message is a new text,
//   so no translation comes from the cache. The pages share the machine's clock (wall-clock ms,
//   `performance.timeOrigin + performance.now()`).
// - admit: from the host's `admit()` to the newcomer's first remote video frame (median of rounds).
//
//   node --import tsx bench/facilitation.ts     (after `npm run build`)
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { startLibreTranslate } from '../test/mocks/libretranslate.mjs';
import { closeBrowsers, newPage, root, startPartnerPage, startServer, waitInPage } from '../test/e2e/harness.js';

const MESSAGES = Number(process.env.CHAT_MESSAGES ?? 30);
const ADMITS = Number(process.env.ADMIT_ROUNDS ?? 5);
const M = `document.querySelector('un75-meeting')`;

/** Wall-clock time (ms, sub-ms precision) of every chat message a page is shown, by its original text. */
function recordChat() {
  const w = window as unknown as { __shown: Record<string, number> };
  w.__shown = {};
  document.addEventListener('un75-chat', (e) => {
    const { message } = (e as CustomEvent<{ message: { original: string; self: boolean } }>).detail;
    if (!message.self) w.__shown[message.original] = performance.timeOrigin + performance.now();
  });
}

/**
 * From `un75-waiting-room` on, the wall-clock time of the first remote video frame in the grid.
 * A string, not a function: the TypeScript loader would add helpers the page does not have.
 */
const RECORD_FIRST_FRAME = `document.addEventListener('un75-waiting-room', () => {
  const limit = performance.now() + 60000;
  const poll = () => {
    const videos = __un75.tiles(0).filter((t) => !t.participant?.isSelf).map((t) => t.shadowRoot?.querySelector('video'));
    if (videos.some((v) => v && v.readyState >= 2 && v.videoWidth > 0)) {
      window.__firstFrame = performance.timeOrigin + performance.now();
      return;
    }
    if (performance.now() < limit) setTimeout(poll, 5);
  };
  poll();
});`;

const percentile = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
};
const median = (xs: number[]) => percentile(xs, 50);
const fmt = (ms: number) => `${ms.toFixed(1)} ms`;

const server = await startServer();
const partner = await startPartnerPage();
const translate = await startLibreTranslate();
const contexts: BrowserContext[] = [];

async function open(browserIndex: number, room: string, name: string, attrs: string, init: (string | (() => void))[] = []): Promise<Page> {
  const person = await newPage(browserIndex);
  contexts.push(person.context);
  await person.context.addInitScript({ path: path.join(root, 'test/e2e/probes.js') });
  for (const script of init) await person.context.addInitScript(script);
  const query = new URLSearchParams({ server: server.url, room, name, attrs: `autojoin ${attrs}` });
  await person.page.goto(`${partner.url}/meeting.html?${query}`);
  await waitInPage(person.page, `${M}?.core?.session?.state === 'joined' || ${M}?.core?.isWaiting`, `${name} in`, 60000);
  return person.page;
}

try {
  // ---- chat: one writer, an English and a French reader; cameras off (the data channels matter)
  // (ONLY=admit skips it)
  if (process.env.ONLY !== 'admit') {
    const writer = await open(0, 'chat-bench', 'Writer', 'camera-off spoken-language=en');
    const english = await open(1, 'chat-bench', 'Reader', 'camera-off spoken-language=en', [recordChat]);
    const french = await open(2, 'chat-bench', 'Lecteur', `camera-off spoken-language=fr listen-language=fr translation-endpoint=${translate.url}`, [recordChat]);
    for (const page of [english, french]) {
      await waitInPage(page, `${M}.participants.find((p) => p.name === 'Writer')?.connectionState === 'connected'`, 'the link to the writer', 60000);
    }
    const plain: number[] = [];
    const translated: number[] = [];
    for (let i = 0; i < MESSAGES; i++) {
      const text = `Message number ${i} for the benchmark`;
      const sentAt = (await writer.evaluate(`(async () => { const t = performance.timeOrigin + performance.now(); await ${M}.sendChat(${JSON.stringify(text)}); return t; })()`)) as number;
      const key = JSON.stringify(text);
      const [a, b] = (await Promise.all([
        waitInPage(english, `__shown[${key}]`, 'the message in English', 30000),
        waitInPage(french, `__shown[${key}]`, 'the message in French', 30000),
      ])) as [number, number];
      plain.push(a - sentAt);
      translated.push(b - sentAt);
    }
    const frenchText = (await french.evaluate(`${M}.core.chatMessages.at(-1).text`)) as string;
    if (!frenchText.startsWith('[fr] ')) throw new Error(`the French reader was not given a translation: ${frenchText}`);
    console.log(`chat send → shown at another member (${MESSAGES} messages, 3 pages, loopback):`);
    console.log(`  without translation: p50 ${fmt(median(plain))}, p95 ${fmt(percentile(plain, 95))}`);
    console.log(`  with translation (LibreTranslate mock, fr): p50 ${fmt(median(translated))}, p95 ${fmt(percentile(translated, 95))}`);
    await Promise.all(contexts.splice(0).map((c) => c.close()));
  }

  // ---- admit → the newcomer's first remote video frame (ONLY=chat skips it)
  if (process.env.ONLY !== 'chat') {
    const host = await open(0, 'admit-bench', 'Host', 'spoken-language=en');
    await host.evaluate(`${M}.toggleLock(true)`);
    await waitInPage(host, `${M}.core.locked`, 'the lock', 30000);
    const admits: number[] = [];
    for (let round = 0; round < ADMITS; round++) {
      const name = `Newcomer ${round + 1}`;
      const newcomer = await open(1, 'admit-bench', name, 'spoken-language=en', [RECORD_FIRST_FRAME]);
      const context = contexts.at(-1)!;
      await waitInPage(host, `${M}.waiting.some((w) => w.name === ${JSON.stringify(name)})`, `${name} waiting`, 30000);
      const admittedAt = (await host.evaluate(
        `(async () => { const m = ${M}; const id = m.waiting.find((w) => w.name === ${JSON.stringify(name)}).id; const t = performance.timeOrigin + performance.now(); await m.admit(id); return t; })()`,
      )) as number;
      const frameAt = (await waitInPage(newcomer, `window.__firstFrame`, 'the first remote frame', 60000)) as number;
      admits.push(frameAt - admittedAt);
      await context.close();
      contexts.splice(contexts.indexOf(context), 1);
      await waitInPage(host, `${M}.participants.length === 1`, 'the newcomer gone', 30000);
    }
    console.log(`admit() → newcomer's first remote video frame: median ${fmt(median(admits))} (${ADMITS} rounds: ${admits.map((ms) => ms.toFixed(0)).join(', ')} ms)`);
  }
} finally {
  await Promise.all(contexts.map((c) => c.close().catch(() => {})));
  await closeBrowsers();
  await translate.close();
  await partner.close();
  await server.stop();
}
