// Finds the programs the tests drive (a system Chromium above all) and, on a Debian machine where
// we are root, installs what is missing with apt-get. Anywhere else it stops with the one line a
// person must run. Used by `npm test` (pretest), .ci/run and the test configs (chromePath()).
import { existsSync, readdirSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const CHROME_CANDIDATES = [
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome',
  '/usr/bin/google-chrome-stable',
  '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
  '/Applications/Chromium.app/Contents/MacOS/Chromium',
];

/** Chromium flags for calls in tests: fake camera and microphone, no prompts, no network of its own. */
export const CALL_FLAGS = [
  '--no-sandbox',
  '--use-fake-device-for-media-stream',
  '--use-fake-ui-for-media-stream',
  '--autoplay-policy=no-user-gesture-required',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/** Debian package that provides each program the tests start. */
export const PROGRAMS = {
  chromium: 'chromium',
  'firefox-esr': 'firefox-esr',
  'redis-server': 'redis-server',
  turnserver: 'coturn',
  pulseaudio: 'pulseaudio',
  parecord: 'pulseaudio-utils',
  sox: 'sox',
  'espeak-ng': 'espeak-ng',
  // The SFU of large rooms (design §4.1): the SFU end-to-end and server tests start it.
  janus: 'janus',
  // Not on PATH: Debian keeps it under /usr/lib/postgresql/<version>/bin (see postgresBin()).
  initdb: 'postgresql',
};

/** The Python the tests' speech recogniser runs on (Debian's, where python3-* packages install). */
export const SYSTEM_PYTHON = '/usr/bin/python3';

/**
 * Other files the tests need, with the Debian package that provides each: the offline recogniser
 * behind scripts/asr/vosk-pocketsphinx.py (its English model, its Python binding, a WebSocket server).
 */
export const FILES = {
  '/usr/share/pocketsphinx/model/en-us/en-us/mdef': 'pocketsphinx-en-us',
  '/usr/lib/python3/dist-packages/pocketsphinx/__init__.py': 'python3-pocketsphinx',
  '/usr/lib/python3/dist-packages/websockets/__init__.py': 'python3-websockets',
  [SYSTEM_PYTHON]: 'python3',
};

/** Debian's PostgreSQL programs (initdb, postgres), newest version first; null when not installed. */
export function postgresBin() {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return null;
  const versions = readdirSync(root).filter((v) => /^\d+$/.test(v) && existsSync(`${root}/${v}/bin/initdb`));
  versions.sort((a, b) => Number(b) - Number(a));
  return versions.length ? `${root}/${versions[0]}/bin` : null;
}

export function chromePath() {
  const found = [process.env.CHROME_PATH, ...CHROME_CANDIDATES].find((p) => p && existsSync(p));
  if (!found) throw new Error('No Chrome or Chromium found: set CHROME_PATH, or run: sudo apt-get install -y chromium');
  return found;
}

function which(program) {
  try {
    return execFileSync('sh', ['-c', `command -v ${program}`], { encoding: 'utf8' }).trim() || null;
  } catch {
    return null;
  }
}

function missingPrograms() {
  return Object.entries(PROGRAMS)
    .filter(([program]) => (program === 'chromium' ? !safeChromePath() : program === 'initdb' ? !postgresBin() : !which(program)))
    .map(([, pkg]) => pkg)
    .concat(Object.entries(FILES).filter(([file]) => !existsSync(file)).map(([, pkg]) => pkg));
}

function safeChromePath() {
  try {
    return chromePath();
  } catch {
    return null;
  }
}

export function ensureSystemDeps() {
  const missing = [...new Set(missingPrograms())];
  if (missing.length === 0) return;
  const line = `sudo apt-get update && sudo apt-get install -y ${missing.join(' ')}`;
  const canInstall = process.getuid?.() === 0 && which('apt-get');
  if (!canInstall) {
    console.error(`The tests need ${missing.join(', ')}. Run: ${line}`);
    process.exit(1);
  }
  console.log(`Installing ${missing.join(', ')} with apt-get…`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  execFileSync('apt-get', ['install', '-y', '-qq', ...missing], { stdio: 'inherit', env });
  const still = missingPrograms();
  if (still.length) {
    console.error(`apt-get did not provide ${still.join(', ')}. Run: ${line}`);
    process.exit(1);
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) ensureSystemDeps();
