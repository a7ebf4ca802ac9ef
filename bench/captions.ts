// Caption latency: from a final result of the speaker's recogniser to the caption rendered in the
// listener's overlay (its DOM updated), two browsers on loopback through the real server and the
// single-file bundle. Without translation (the listener reads the spoken language) and with a
// local LibreTranslate-speaking server. The recogniser is scripted; the two pages share the
// machine's clock, so one-way times are measured directly.
//
//   node --import tsx bench/captions.ts
import { fileURLToPath } from 'node:url';
import { closeBrowsers, newPage, startPartnerPage, startServer, waitInPage } from '../test/e2e/harness.js';
import { startLibreTranslate } from '../test/mocks/libretranslate.mjs';

const SENTENCES = 100;
const WARM_UP = 5;
const GAP_MS = 150;

const percentile = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
};

/** Speaker side: a recogniser whose results the bench emits, stamping when each final was produced. */
function speakerScript() {
  const w = window as unknown as Record<string, unknown>;
  const recognizer = {
    start(options: { emit(r: { text: string; final: boolean }): void }) {
      w.__sayFinal = (text: string) => {
        (w.__sent as Record<string, number>)[text] = performance.timeOrigin + performance.now();
        options.emit({ text, final: true });
      };
    },
    stop() {},
  };
  w.__sent = {};
  new MutationObserver(() => {
    for (const m of document.querySelectorAll('un75-meeting')) (m as unknown as { recognizer: unknown }).recognizer ??= recognizer;
  }).observe(document, { childList: true, subtree: true });
}

/** Listener side: when a final caption is shown, wait for the overlay to render it and stamp the time. */
function listenerScript() {
  const w = window as unknown as Record<string, unknown>;
  const rendered: Record<string, number> = {};
  w.__rendered = rendered;
  document.addEventListener('un75-caption', async (event) => {
    const caption = (event as CustomEvent<{ caption: { final: boolean; text: string; translation?: { text: string } } }>).detail.caption;
    if (!caption.final || rendered[caption.text]) return;
    const overlay = (event.target as HTMLElement).shadowRoot?.querySelector('un75-captions') as (HTMLElement & { updateComplete: Promise<unknown> }) | null;
    if (!overlay) return;
    await overlay.updateComplete;
    const shown = caption.translation?.text ?? caption.text;
    if (overlay.shadowRoot?.textContent?.includes(shown)) rendered[caption.text] = performance.timeOrigin + performance.now();
  });
}

async function measure(label: string, server: { url: string }, partnerUrl: string, listenerAttrs: string, room: string): Promise<string> {
  const speaker = await newPage(0);
  const listener = await newPage(1);
  try {
    await speaker.context.addInitScript(speakerScript);
    await listener.context.addInitScript(listenerScript);

    const url = (name: string, attrs: string) =>
      `${partnerUrl}/meeting.html?${new URLSearchParams({ server: server.url, room, name, attrs: `autojoin camera-off ${attrs}` })}`;
    await speaker.page.goto(url('Speaker', 'spoken-language=en listen-language=en'));
    await listener.page.goto(url('Listener', listenerAttrs));
    await waitInPage(
      listener.page,
      `(() => { const m = document.querySelector('un75-meeting'); const s = m?.participants.find((p) => p.name === 'Speaker'); return Boolean(s && m.captions?.speakerState(s.id) === 'active'); })()` as unknown as () => boolean,
      'the speaker to be captioned',
      30000,
    );
    for (let i = 0; i < WARM_UP + SENTENCES; i++) {
      await speaker.page.evaluate(`__sayFinal(${JSON.stringify(`Sentence number ${i} of the benchmark`)})`);
      await new Promise((r) => setTimeout(r, GAP_MS));
    }
    const last = `Sentence number ${WARM_UP + SENTENCES - 1} of the benchmark`;
    await waitInPage(listener.page, `Boolean(window.__rendered[${JSON.stringify(last)}])` as unknown as () => boolean, 'the last caption', 30000);
    const sent = (await speaker.page.evaluate('__sent')) as Record<string, number>;
    const rendered = (await listener.page.evaluate('__rendered')) as Record<string, number>;
    const latencies: number[] = [];
    let missing = 0;
    for (let i = WARM_UP; i < WARM_UP + SENTENCES; i++) {
      const text = `Sentence number ${i} of the benchmark`;
      if (rendered[text] === undefined) missing++;
      else latencies.push(rendered[text] - sent[text]!);
    }
    return `${label}: p50 ${percentile(latencies, 50).toFixed(1)} ms, p95 ${percentile(latencies, 95).toFixed(1)} ms, max ${Math.max(...latencies).toFixed(1)} ms over ${latencies.length} captions${missing ? ` (${missing} not rendered)` : ''}`;
  } finally {
    await speaker.context.close();
    await listener.context.close();
  }
}

export async function captionsBench(): Promise<void> {
  const server = await startServer();
  const partner = await startPartnerPage();
  const translate = await startLibreTranslate();
  try {
    console.log('## Caption latency (recogniser final at the speaker → rendered at the listener, loopback)');
    console.log(await measure('without translation', server, partner.url, 'spoken-language=en listen-language=en', 'bench-captions-plain'));
    console.log(
      await measure(
        'with a local LibreTranslate-compatible server',
        server,
        partner.url,
        `spoken-language=fr listen-language=fr translation-endpoint=${translate.url}`,
        'bench-captions-translated',
      ),
    );
  } finally {
    await closeBrowsers();
    await translate.close();
    await partner.close();
    await server.stop();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await captionsBench();
