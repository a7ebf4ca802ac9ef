// Server speech recognition (design §5.1), measured, never asserted (a shared 2-core machine is noisy):
//   1. through the gateway: speakers stream espeak-ng speech at real time to un75-signal's /asr in
//      front of the real pocketsphinx recogniser; end of speech → final, bytes per second on the
//      wire, the gateway's CPU and memory per stream;
//   2. between browsers: a Chromium speaker whose fake microphone says the phrase, a listener page;
//      end of speech (the speaker's microphone level falling, in the page) → the final caption
//      shown at the listener (both browsers on this machine: one clock).
// `node --import tsx bench/asr.ts` (after `npm run build`); BENCH_ASR_ROUNDS (10), BENCH_ASR_SPEAKERS (4);
// BENCH_ASR_API=openai puts the recogniser behind the transcription API (the gateway cuts utterances
// where the speaker pauses, finals only) instead of the Vosk protocol (partials and finals).
import WebSocket from 'ws';
import { once } from 'node:events';
import { createSignalingServer } from '../server/index.js';
import { PHRASE, speech, startPocketsphinx } from '../test/asr/speech.js';
import { launchBrowser, closeBrowsers, newPage, startPartnerPage, startServer, waitInPage } from '../test/e2e/harness.js';

const ROUNDS = Number(process.env.BENCH_ASR_ROUNDS ?? 10);
const SPEAKERS = Number(process.env.BENCH_ASR_SPEAKERS ?? 4);
const API = process.env.BENCH_ASR_API === 'openai' ? 'openai' : 'vosk';

const quantile = (values: number[], q: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
};
const ms = (v: number) => `${Math.round(v)} ms`;

async function gateway(recogniserUrl: string): Promise<void> {
  const { pcm, speechEndsAtMs } = await speech(PHRASE, { leadSeconds: 0.5, tailSeconds: 1.5 });
  const server = createSignalingServer({ port: 0, host: '127.0.0.1', log: () => {}, maxPerAddress: 0,
    // One member speaks here for all the bench's speakers: let it hold a stream for each.
    asr: { backends: { en: recogniserUrl }, maxStreamsPerMember: SPEAKERS },
  });
  await server.listen();
  const port = server.address!.port;
  const signal = new WebSocket(`ws://127.0.0.1:${port}/signal`);
  await once(signal, 'open');
  const tokens: string[] = [];
  const waiters: (() => void)[] = [];
  signal.on('message', (data) => {
    const msg = JSON.parse(data.toString());
    if (msg.type === 'welcome' || msg.type === 'asr-token') {
      tokens.push(msg.asr?.token ?? msg.token);
      waiters.shift()?.();
    }
  });
  const nextToken = async () => {
    const got = new Promise<void>((resolve) => waiters.push(resolve));
    signal.send(JSON.stringify({ type: 'asr-token' }));
    await got;
    return tokens.pop()!;
  };
  const joined = new Promise<void>((resolve) => waiters.push(resolve));
  signal.send(JSON.stringify({ type: 'join', room: 'bench', name: 'Bench', state: { spokenLanguage: 'en' } }));
  await joined;
  tokens.length = 0;

  const latencies: number[] = [];
  const rates: number[] = [];
  /** One utterance streamed at real time: end of speech → final, and bytes per second sent. */
  const utterance = async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/asr?token=${await nextToken()}`);
    await once(ws, 'open');
    const start = performance.now();
    let final = NaN;
    const errors: string[] = [];
    ws.on('message', (d) => {
      const msg = JSON.parse(d.toString());
      if (msg.type === 'final' && Number.isNaN(final)) final = performance.now();
      if (msg.type === 'error') errors.push(msg.message);
    });
    let sent = 0;
    for (let i = 0, n = 0; i < pcm.length; i += 3200, n++) {
      ws.send(pcm.subarray(i, i + 3200));
      sent += Math.min(3200, pcm.length - i);
      await new Promise((r) => setTimeout(r, Math.max(0, start + (n + 1) * 100 - performance.now())));
    }
    rates.push(sent / ((performance.now() - start) / 1000));
    if (ws.readyState !== WebSocket.OPEN) throw new Error(`the stream was cut: ${errors.join('; ')}`);
    ws.send('{"type":"eof"}');
    await once(ws, 'close');
    if (!Number.isNaN(final)) latencies.push(final - (start + speechEndsAtMs));
  };

  const cpu0 = process.cpuUsage();
  const rss0 = process.memoryUsage().rss;
  const t0 = performance.now();
  for (let round = 0; round < Math.ceil(ROUNDS / SPEAKERS); round++) await Promise.all(Array.from({ length: SPEAKERS }, utterance));
  const wall = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const rss = process.memoryUsage().rss - rss0;
  console.log(`ASR gateway, ${SPEAKERS} speakers at once, ${latencies.length} utterances (pocketsphinx, real time):`);
  console.log(`  end of speech → final at the speaker: p50 ${ms(quantile(latencies, 0.5))}, p95 ${ms(quantile(latencies, 0.95))}`);
  console.log(`  on the wire per speaker while streaming: ${(quantile(rates, 0.5) / 1024).toFixed(1)} KiB/s (${((quantile(rates, 0.5) * 8) / 1000).toFixed(0)} kbit/s)`);
  console.log(
    `  this process (gateway + the bench's clients): CPU ${(((cpu.user + cpu.system) / 1000 / wall) * 100 / SPEAKERS).toFixed(1)} % of a core per stream, RSS ${(rss / 1024 / 1024).toFixed(1)} MiB more`,
  );
  signal.close();
  await server.close();
}

async function browsers(recogniserUrl: string): Promise<void> {
  const { wav, pcm, speechEndsAtMs } = await speech(PHRASE, { leadSeconds: 1, tailSeconds: 3 });
  // Chromium loops the file: the share of the time its voice speaks.
  const voiced = (speechEndsAtMs - 1000) / (pcm.length / 32);
  const server = await startServer(['--asr', `en=${recogniserUrl}`]);
  const partner = await startPartnerPage();
  try {
    const page = (name: string, attrs: string) =>
      `${partner.url}/meeting.html?${new URLSearchParams({ server: server.url, room: 'bench-asr', name, attrs: `autojoin ${attrs}` })}`;
    const speaker = await (await launchBrowser({ args: [`--use-file-for-fake-audio-capture=${wav}`] })).newContext({ permissions: ['microphone', 'camera'] });
    const ann = await speaker.newPage();
    // The speaker's own microphone level, in the page: when speech ends (level under the worklet's threshold).
    await ann.addInitScript(() => {
      const w = window as unknown as { __speechEnds: number[]; __asrBytes: number; __asrSince: number };
      w.__speechEnds = [];
      // What the page sends to /asr: silence after the tail is not sent.
      w.__asrBytes = 0;
      const send = WebSocket.prototype.send;
      WebSocket.prototype.send = function (this: WebSocket, data: string | ArrayBufferLike | Blob | ArrayBufferView) {
        if (new URL(this.url).pathname === '/asr' && data instanceof ArrayBuffer) {
          w.__asrSince ||= Date.now();
          w.__asrBytes += data.byteLength;
        }
        Reflect.apply(send, this, [data]);
      };
      const original = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
      navigator.mediaDevices.getUserMedia = async (c) => {
        const stream = await original(c);
        const track = stream.getAudioTracks()[0];
        if (track) {
          const context = new AudioContext();
          const analyser = context.createAnalyser();
          analyser.fftSize = 1024;
          context.createMediaStreamSource(new MediaStream([track])).connect(analyser);
          const data = new Float32Array(analyser.fftSize);
          let loud = false;
          let quietSince = 0;
          setInterval(() => {
            analyser.getFloatTimeDomainData(data);
            const rms = Math.sqrt(data.reduce((s, x) => s + x * x, 0) / data.length);
            const now = Date.now();
            if (rms > 0.003) {
              loud = true;
              quietSince = 0;
            } else if (loud) {
              quietSince ||= now;
              // Pauses between words are short; 400 ms of quiet is the end of the utterance.
              if (now - quietSince > 400) {
                w.__speechEnds.push(quietSince);
                loud = false;
              }
            }
          }, 10);
        }
        return stream;
      };
    });
    await ann.goto(page('Ann', 'spoken-language=en'));
    const { page: louise } = await newPage(1);
    await louise.addInitScript(() => {
      const w = window as unknown as { __finals: number[] };
      w.__finals = [];
      document.addEventListener('un75-caption', (e) => {
        if ((e as CustomEvent).detail.caption.final) w.__finals.push(Date.now());
      });
    });
    await louise.goto(page('Louise', 'spoken-language=fr listen-language=en recognition=off'));
    const rounds = Math.max(3, Math.ceil(ROUNDS / 2));
    await waitInPage(louise, `window.__finals.length >= ${rounds + 1}`, `${rounds + 1} captions`, 180_000);
    const ends = (await ann.evaluate('window.__speechEnds')) as number[];
    const { bytes, seconds } = (await ann.evaluate('({ bytes: window.__asrBytes, seconds: (Date.now() - window.__asrSince) / 1000 })')) as { bytes: number; seconds: number };
    const finals = ((await louise.evaluate('window.__finals')) as number[]).slice(1); // the first may follow a cut utterance
    // A final further than one loop of the file from a speech end belongs to an end the level meter missed.
    const cycle = pcm.length / 32;
    const matched = finals.map((f) => f - Math.max(...ends.filter((e) => e < f))).filter((v) => Number.isFinite(v));
    const latencies = matched.filter((v) => v < cycle);
    if (latencies.length < matched.length) console.log(`  (${matched.length - latencies.length} final(s) not matched to a speech end, left out)`);
    console.log(`ASR between browsers (Chromium speaker → un75-signal → pocketsphinx → Chromium listener), ${latencies.length} utterances:`);
    console.log(`  end of speech → final caption (un75-caption) at the listener: p50 ${ms(quantile(latencies, 0.5))}, p95 ${ms(quantile(latencies, 0.95))}`);
    console.log(
      `  the speaker sent ${(bytes / seconds / 1024).toFixed(1)} KiB/s to /asr on average over ${seconds.toFixed(0)} s of a microphone speaking ${(voiced * 100).toFixed(0)} % of the time (silence past the tail is not sent)`,
    );
  } finally {
    await closeBrowsers();
    await partner.close();
    await server.stop();
  }
}

const recogniser = await startPocketsphinx(undefined, API);
try {
  const backend = API === 'openai' ? `openai+${recogniser.url}` : recogniser.url;
  console.log(`(the recogniser speaks the ${API === 'openai' ? 'transcription API (OpenAI-compatible)' : 'Vosk protocol'})`);
  await gateway(backend);
  console.log();
  await browsers(backend);
} finally {
  await recogniser.stop();
}
