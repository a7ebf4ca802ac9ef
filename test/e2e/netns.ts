// A network namespace of the test's own for the media server (design §4.1): Janus never gathers
// ICE candidates on loopback interfaces, so Janus, un75-signal and the browsers run in a namespace
// whose veth carries 127.0.0.2/8 (no other address range), which Janus's ice_enforce_list names.
// Needs root (CI is).
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { writeJanusConfig, type JanusConfig, type JanusConfigOptions } from '../../server/janus-config.js';
import { chromePath } from '../../scripts/system-deps.mjs';

const run = promisify(execFile);

export interface Netns {
  name: string;
  /** The namespace's end of the veth pair, carrying `address`. */
  iface: string;
  address: string;
  /** An executable that runs Chromium inside the namespace (Playwright's executablePath). */
  chromium: string;
  /** argv prefix that runs a program inside the namespace. */
  exec(argv: string[]): string[];
  remove(): Promise<void>;
}

/** Makes namespace `un75-<tag>` with lo up and a veth end carrying 127.0.0.2/8. */
export async function makeNetns(tag = `${process.pid}`): Promise<Netns> {
  const name = `un75-${tag}`;
  const iface = `u75v${tag}`.slice(0, 15);
  const outer = `u75o${tag}`.slice(0, 15);
  const address = '127.0.0.2';
  const dir = mkdtempSync(path.join(tmpdir(), 'un75-netns-'));
  const unplug = async () => {
    await run('ip', ['netns', 'del', name]).catch(() => {});
    await run('ip', ['link', 'del', outer]).catch(() => {});
  };
  const remove = async () => {
    await unplug();
    rmSync(dir, { recursive: true, force: true });
  };
  // Left over by a run that was killed (its after() never ran): start clean.
  await unplug();
  await removeOrphans();
  const chromium = path.join(dir, 'chromium-in-netns');
  try {
    await run('ip', ['netns', 'add', name]);
    await run('ip', ['link', 'add', outer, 'type', 'veth', 'peer', 'name', iface]);
    await run('ip', ['link', 'set', iface, 'netns', name]);
    await run('ip', ['link', 'set', outer, 'up']);
    const inside = ['ip', 'netns', 'exec', name];
    await run(inside[0]!, [...inside.slice(1), 'ip', 'link', 'set', 'lo', 'up']);
    await run(inside[0]!, [...inside.slice(1), 'ip', 'addr', 'add', `${address}/8`, 'dev', iface]);
    await run(inside[0]!, [...inside.slice(1), 'ip', 'link', 'set', iface, 'up']);
    writeFileSync(chromium, `#!/bin/sh\nexec ip netns exec ${name} ${chromePath()} "$@"\n`);
    chmodSync(chromium, 0o755);
  } catch (err) {
    await remove();
    throw err;
  }
  return { name, iface, address, chromium, exec: (argv) => ['ip', 'netns', 'exec', name, ...argv], remove };
}

/** Namespaces of earlier runs whose process is gone (deleting a namespace deletes its veth pair too). */
async function removeOrphans(): Promise<void> {
  const { stdout } = await run('ip', ['netns', 'list']).catch(() => ({ stdout: '' }));
  for (const [, name, pid] of stdout.matchAll(/^(un75-(\d+))\b/gm)) {
    try {
      process.kill(Number(pid), 0);
    } catch {
      await run('ip', ['netns', 'del', name!]).catch(() => {});
    }
  }
}

export interface RunningJanus {
  config: JanusConfig;
  process: ChildProcess;
  log(): string;
  stop(): Promise<void>;
}

/**
 * Writes a configuration (as `un75-signal janus-config` does) and runs `janus -F` on it, inside
 * `netns` when given; resolves once its WebSocket API listens.
 */
export async function startJanus(options: JanusConfigOptions & { netns?: Netns; written?: JanusConfig } = {}): Promise<RunningJanus> {
  const { netns, written, ...configOptions } = options;
  const config = written ?? writeJanusConfig(mkdtempSync(path.join(tmpdir(), 'un75-janus-')), configOptions);
  const dir = config.dir;
  const argv = ['janus', '-F', dir, '--disable-colors'];
  const [cmd, ...args] = netns ? netns.exec(argv) : argv;
  const child = spawn(cmd!, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`janus did not start:\n${output}`)), 30_000);
      const check = () => {
        if (/websockets server started/i.test(output)) {
          clearTimeout(timer);
          resolve();
        }
      };
      child.stdout!.on('data', check);
      child.stderr!.on('data', check);
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`janus exited with ${code}:\n${output}`));
      });
    });
  } catch (err) {
    await stop();
    throw err;
  }
  return { config, process: child, log: () => output, stop };
}

export interface ServerInNetns {
  url: string;
  process: ChildProcess;
  log(): string;
  stop(): Promise<void>;
}

/** The built `un75-signal` (bin/un75-signal.js) inside `netns` on `host`, resolved once it listens. */
export async function startServerIn(netns: Netns, host: string, args: string[]): Promise<ServerInNetns> {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
  const [cmd, ...rest] = netns.exec([process.execPath, path.join(root, 'bin/un75-signal.js'), '--port', '0', '--host', host, '--max-per-address', '0', ...args]);
  const child = spawn(cmd!, rest, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    await exited;
  };
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`un75-signal did not start:\n${output}`)), 60_000);
    const check = () => {
      const match = /listening on (http:\/\/[^\s]+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    };
    child.stdout!.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`un75-signal exited with ${code}:\n${output}`));
    });
  }).catch(async (err: unknown) => {
    await stop();
    throw err;
  });
  return { url, process: child, log: () => output, stop };
}
