// What a listener really hears: a PulseAudio server with a null sink that one browser plays into,
// recorded from the sink's monitor, and the strength of given tones in the recording.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export const SAMPLE_RATE = 48000;

export interface Pulse {
  /** Value for the PULSE_SERVER environment variable of the browser to record. */
  server: string;
  /** Records `seconds` of what is played into the sink, as mono 16-bit samples. */
  record(seconds: number): Promise<Int16Array>;
  stop(): Promise<void>;
}

export async function startPulse(): Promise<Pulse> {
  const dir = mkdtempSync(path.join(tmpdir(), 'un75-pulse-'));
  const socket = path.join(dir, 'pulse.sock');
  const env = { ...process.env, HOME: dir, XDG_RUNTIME_DIR: dir, PULSE_RUNTIME_PATH: dir };
  const daemon: ChildProcess = spawn(
    'pulseaudio',
    [
      '--daemonize=no',
      '--exit-idle-time=-1',
      '--disallow-exit',
      '-n',
      `--load=module-native-protocol-unix socket=${socket} auth-anonymous=1`,
      '--load=module-null-sink sink_name=listener',
      '--log-target=stderr',
      '--log-level=error',
    ],
    { env, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let log = '';
  daemon.stderr!.on('data', (c: Buffer) => (log += c.toString()));
  const server = `unix:${socket}`;
  const clientEnv = { ...env, PULSE_SERVER: server };
  for (let i = 0; ; i++) {
    if (spawnSync('pactl', ['info'], { env: clientEnv }).status === 0) break;
    if (i > 50 || daemon.exitCode !== null) throw new Error(`pulseaudio did not start: ${log}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    server,
    record(seconds) {
      return new Promise((resolve, reject) => {
        const rec = spawn('parecord', ['--raw', '--format=s16le', `--rate=${SAMPLE_RATE}`, '--channels=1', '-d', 'listener.monitor', '--latency-msec=20'], {
          env: clientEnv,
        });
        const chunks: Buffer[] = [];
        rec.stdout.on('data', (c: Buffer) => chunks.push(c));
        rec.on('error', reject);
        const timer = setTimeout(() => rec.kill('SIGINT'), seconds * 1000);
        rec.on('exit', () => {
          clearTimeout(timer);
          const all = Buffer.concat(chunks);
          resolve(new Int16Array(all.buffer, all.byteOffset, Math.floor(all.length / 2)));
        });
      });
    },
    async stop() {
      daemon.kill('SIGTERM');
      await new Promise((r) => (daemon.exitCode !== null ? r(null) : daemon.once('exit', r)));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Root-mean-square amplitude (0–1) of one frequency in the samples (Goertzel algorithm). */
export function toneLevel(samples: Int16Array, frequency: number, from = 0, to = samples.length): number {
  const n = to - from;
  if (n <= 0) return 0;
  const k = (2 * Math.PI * frequency) / SAMPLE_RATE;
  const coeff = 2 * Math.cos(k);
  let s1 = 0;
  let s2 = 0;
  for (let i = from; i < to; i++) {
    const s = samples[i]! / 32768 + coeff * s1 - s2;
    s2 = s1;
    s1 = s;
  }
  const power = s1 * s1 + s2 * s2 - coeff * s1 * s2;
  // Amplitude of a sine at that frequency, divided by √2: its RMS.
  return Math.sqrt(power) * 2 / n / Math.SQRT2;
}

/**
 * Records (with `hear`) until what a listener hears matches `expected`, at most `ceiling` ms, and
 * returns the last recording, which the test then asserts on. A change of volumes is instant, but
 * the browser's output buffer and PulseAudio's add a delay that grows on a busy machine
 * (bench/interpretation.ts measures it), and a loaded machine may drop a moment of one voice: such
 * a recording is heard again, not judged.
 */
export async function hearUntil<T>(hear: () => Promise<T>, expected: (level: T) => boolean, ceiling = 30_000): Promise<T> {
  const deadline = Date.now() + ceiling;
  for (;;) {
    const level = await hear();
    if (expected(level) || Date.now() > deadline) return level;
  }
}

/** Makes a WAV file of a pure tone with sox, for --use-file-for-fake-audio-capture. */
export function toneFile(dir: string, frequency: number, seconds = 30): string {
  const file = path.join(dir, `tone-${frequency}.wav`);
  const result = spawnSync('sox', ['-n', '-r', String(SAMPLE_RATE), '-c', '1', '-b', '16', file, 'synth', String(seconds), 'sine', String(frequency), 'vol', '0.5']);
  if (result.status !== 0) throw new Error(`sox failed: ${result.stderr}`);
  return file;
}
