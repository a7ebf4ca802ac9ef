// Real speech for the recognition tests: espeak-ng says a phrase, sox makes it 16 kHz mono PCM16
// (raw for the gateway tests, WAV for Chromium's fake microphone), and the Vosk-protocol server of
// scripts/asr/vosk-pocketsphinx.py recognises it. No cloud, no mock of the recogniser.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { SYSTEM_PYTHON } from '../../scripts/system-deps.mjs';

const run = promisify(execFile);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const dir = mkdtempSync(path.join(tmpdir(), 'un75-speech-'));

/** The phrase the tests say; the LibreTranslate stand-in knows it ("Bonjour à tous"). */
export const PHRASE = 'good morning everyone';

/**
 * `text` spoken by espeak-ng as 16 kHz mono 16-bit audio with `leadSeconds` of silence before and
 * `tailSeconds` after: `.wav` (a file path) and the PCM bytes (little-endian), and when the voice ends.
 */
export async function speech(text: string, options: { leadSeconds?: number; tailSeconds?: number } = {}): Promise<{ wav: string; pcm: Buffer; speechEndsAtMs: number }> {
  const name = `${text.replace(/\W+/g, '-')}-${options.leadSeconds ?? 0.5}-${options.tailSeconds ?? 1.5}`;
  const spoken = path.join(dir, `${name}.spoken.wav`);
  const wav = path.join(dir, `${name}.wav`);
  const raw = path.join(dir, `${name}.raw`);
  await run('espeak-ng', ['-v', 'en-us', '-w', spoken, text]);
  const format = ['-r', '16000', '-c', '1', '-b', '16', '-e', 'signed-integer'];
  const pad = ['pad', String(options.leadSeconds ?? 0.5), String(options.tailSeconds ?? 1.5)];
  await run('sox', [spoken, ...format, wav, ...pad]);
  await run('sox', [spoken, ...format, '-t', 'raw', raw, ...pad]);
  const pcm = readFileSync(raw);
  return { wav, pcm, speechEndsAtMs: speechEnd(pcm) };
}

/** Where the voice in 16 kHz PCM16 ends (ms): the end of its last 10 ms louder than -50 dBFS (espeak-ng trails some silence of its own). */
function speechEnd(pcm: Buffer): number {
  const window = 160;
  const samples = new Int16Array(pcm.buffer, pcm.byteOffset, pcm.length / 2);
  for (let end = samples.length - (samples.length % window); end >= window; end -= window) {
    let energy = 0;
    for (let i = end - window; i < end; i++) energy += (samples[i]! / 32768) ** 2;
    if (Math.sqrt(energy / window) > 0.003) return end / 16;
  }
  return 0;
}

export interface Recogniser {
  url: string;
  stop(): Promise<void>;
}

/**
 * The pocketsphinx recogniser on a free loopback port, speaking the Vosk WebSocket protocol (its
 * `ws://` URL) or with `api: 'openai'` the OpenAI-compatible transcription API (its `http://…/v1`
 * URL); resolves once it accepts connections.
 */
export async function startPocketsphinx(phrases: string[] = [PHRASE, 'thank you', 'hello'], api: 'vosk' | 'openai' = 'vosk'): Promise<Recogniser> {
  const child: ChildProcess = spawn(
    SYSTEM_PYTHON,
    [path.join(root, 'scripts/asr/vosk-pocketsphinx.py'), '--port', '0', '--api', api, ...phrases.flatMap((p) => ['--phrase', p])],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the pocketsphinx server did not start:\n${output}`));
    }, 60_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening on ((?:ws|http):\/\/\S+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the pocketsphinx server exited with ${code}:\n${output}`));
    });
  });
  return {
    url,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
    },
  };
}
