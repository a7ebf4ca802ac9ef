// `un75-signal janus-config DIR`: a Janus configuration folder holding only what un75-signal uses
// (design §4.1): the VideoRoom plugin and the WebSocket transport on a private address, every API
// call behind `api_secret`, rooms created only with the VideoRoom `admin_key`, RTP forwarding locked
// behind it too. `janus -F DIR` runs it.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export interface JanusConfigOptions {
  /** Every Janus API request must carry it (un75-signal's `--janus-api-secret`). Random when absent. */
  apiSecret?: string;
  /** The VideoRoom `admin_key` (un75-signal's `--janus-admin-key`). Random when absent. */
  adminKey?: string;
  /** WebSocket API port. Default 8188. */
  wsPort?: number;
  /** The private address the WebSocket API listens on. Default 127.0.0.1. */
  wsIp?: string;
  /** UDP ports of the media (`ice`/RTP): the range a firewall opens to the public. Default 20000-40000. */
  rtpPorts?: [number, number];
  /** The only interfaces (names or address prefixes, comma-separated) ICE gathers candidates on. */
  iceInterface?: string;
  /** Where Janus's plugins and transports are installed. Default: found among the usual places. */
  janusLib?: string;
}

export interface JanusConfig {
  dir: string;
  apiSecret: string;
  adminKey: string;
  wsUrl: string;
}

/** Where distributions install Janus's modules (Debian's multiarch folders first). */
const LIB_CANDIDATES = [
  '/usr/lib/x86_64-linux-gnu/janus',
  '/usr/lib/aarch64-linux-gnu/janus',
  '/usr/lib64/janus',
  '/usr/lib/janus',
  '/opt/janus/lib/janus',
  '/usr/local/lib/janus',
];

const PLUGIN = 'libjanus_videoroom.so';
const TRANSPORT = 'libjanus_websockets.so';

export function findJanusLib(): string | null {
  return LIB_CANDIDATES.find((dir) => existsSync(path.join(dir, 'plugins', PLUGIN))) ?? null;
}

const secret = () => randomBytes(24).toString('base64url');

/** A value inside a double-quoted libconfig string. */
function quoted(value: string): string {
  if (/["\\\n\r]/.test(value)) throw new Error(`"${value}" cannot be written into a Janus configuration (quote, backslash or newline)`);
  return `"${value}"`;
}

/**
 * Writes the folder. Janus loads every module its plugin and transport folders hold, so those are
 * folders of our own holding one link each: nothing else (no HTTP API, no other plugin that would
 * let a client reach further) is ever loaded.
 */
export function writeJanusConfig(dir: string, options: JanusConfigOptions = {}): JanusConfig {
  const lib = options.janusLib ?? findJanusLib();
  if (!lib) throw new Error(`Janus's modules not found in ${LIB_CANDIDATES.join(', ')}: install janus (apt-get install janus) or give --janus-lib DIR`);
  for (const [folder, file] of [['plugins', PLUGIN], ['transports', TRANSPORT]] as const) {
    if (!existsSync(path.join(lib, folder, file))) throw new Error(`${path.join(lib, folder, file)} not found`);
  }
  const apiSecret = options.apiSecret ?? secret();
  const adminKey = options.adminKey ?? secret();
  const wsPort = options.wsPort ?? 8188;
  const wsIp = options.wsIp ?? '127.0.0.1';
  const [rtpMin, rtpMax] = options.rtpPorts ?? [20000, 40000];
  const root = path.resolve(dir);
  mkdirSync(root, { recursive: true });
  for (const [folder, file] of [['plugins', PLUGIN], ['transports', TRANSPORT], ['events', null], ['loggers', null]] as const) {
    const sub = path.join(root, folder);
    rmSync(sub, { recursive: true, force: true });
    mkdirSync(sub);
    if (file) symlinkSync(path.join(lib, folder, file), path.join(sub, file));
  }
  const nat = [
    // Our candidates are sent as Janus finds them, and the browsers' are taken as they come.
    '\tfull_trickle = true',
    // A browser's mDNS (.local) candidates cannot be resolved by Janus; its own addresses follow.
    '\tignore_mdns = true',
    ...(options.iceInterface ? [`\tice_enforce_list = ${quoted(options.iceInterface)}`] : []),
  ];
  writeFileSync(
    path.join(root, 'janus.jcfg'),
    `# Written by un75-signal janus-config: only what un75-signal uses. Run: janus -F ${root}
general: {
\tconfigs_folder = ${quoted(root)}
\tplugins_folder = ${quoted(path.join(root, 'plugins'))}
\ttransports_folder = ${quoted(path.join(root, 'transports'))}
\tevents_folder = ${quoted(path.join(root, 'events'))}
\tloggers_folder = ${quoted(path.join(root, 'loggers'))}
\tdebug_level = 4
\t# Every Janus API request carries it: un75-signal is the only client.
\tapi_secret = ${quoted(apiSecret)}
\t# The Admin API is not served (no admin_ws); its secret is not the well-known default anyway.
\tadmin_secret = ${quoted(secret())}
\t# un75-signal sends a keepalive every 20 s.
\tsession_timeout = 60
}
media: {
\trtp_port_range = "${rtpMin}-${rtpMax}"
}
nat: {
${nat.join('\n')}
}
plugins: {
}
transports: {
}
events: {
\tbroadcast = false
}
loggers: {
}
`,
  );
  writeFileSync(
    path.join(root, 'janus.plugin.videoroom.jcfg'),
    `# Rooms are made by un75-signal only (admin_key), one per un75 room; RTP forwarding needs the key too.
general: {
\tadmin_key = ${quoted(adminKey)}
\tlock_rtp_forward = true
\tstring_ids = false
}
`,
  );
  writeFileSync(
    path.join(root, 'janus.transport.websockets.jcfg'),
    `# The Janus API for un75-signal only: on a private address, never exposed to browsers.
general: {
\tjson = "compact"
\tws = true
\tws_port = ${wsPort}
\tws_ip = ${quoted(wsIp)}
\twss = false
}
admin: {
\tadmin_ws = false
\tadmin_wss = false
}
`,
  );
  const host = wsIp.includes(':') ? `[${wsIp}]` : wsIp;
  return { dir: root, apiSecret, adminKey, wsUrl: `ws://${host}:${wsPort}` };
}

const CONFIG_USAGE = `Usage: un75-signal janus-config DIR [options]

Writes a Janus configuration folder for un75-signal --janus; run Janus with: janus -F DIR

  --api-secret S        Janus API secret (--janus-api-secret of un75-signal)   default: random
  --admin-key K         VideoRoom admin key (--janus-admin-key of un75-signal) default: random
  --ws-port N           port of the Janus WebSocket API (keep it private)     default 8188
  --ws-ip ADDR          address it listens on (a private one)                 default 127.0.0.1
  --rtp-ports A-B       UDP ports of the media (open them to the public)      default 20000-40000
  --ice-interface IF    gather ICE candidates only on this interface (or address prefix)
  --janus-lib DIR       where Janus's plugins/ and transports/ are            default: found
`;

/** `un75-signal janus-config …`; returns the exit code. */
export function janusConfigCli(argv: string[], out: (text: string) => void, err: (text: string) => void): number {
  const fail = (message: string) => {
    err(`un75-signal janus-config: ${message}\n\n${CONFIG_USAGE}`);
    return 2;
  };
  const options: JanusConfigOptions = {};
  let dir: string | undefined;
  const valued = new Set(['--api-secret', '--admin-key', '--ws-port', '--ws-ip', '--rtp-ports', '--ice-interface', '--janus-lib']);
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--help') {
      out(CONFIG_USAGE);
      return 0;
    }
    if (!arg.startsWith('--')) {
      if (dir !== undefined) return fail(`one folder only, not "${dir}" and "${arg}"`);
      dir = arg;
      continue;
    }
    const [flag, inline] = arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    if (!valued.has(flag)) return fail(`unknown option ${flag}`);
    const value = inline ?? argv[++i];
    if (value === undefined || value === '') return fail(`${flag} needs a value`);
    switch (flag) {
      case '--api-secret':
      case '--admin-key':
        if (value.length < 16 || !/^[\x21-\x7e]+$/.test(value) || /["\\]/.test(value)) return fail(`${flag} must be at least 16 printable characters, without quotes or backslashes`);
        if (flag === '--api-secret') options.apiSecret = value;
        else options.adminKey = value;
        break;
      case '--ws-port': {
        const port = Number(value);
        if (!Number.isInteger(port) || port < 1 || port > 65535) return fail(`--ws-port must be a port number, not "${value}"`);
        options.wsPort = port;
        break;
      }
      case '--ws-ip':
        if (!/^[0-9a-fA-F.:]+$/.test(value)) return fail(`--ws-ip must be an IP address, not "${value}"`);
        options.wsIp = value;
        break;
      case '--rtp-ports': {
        const match = /^(\d+)-(\d+)$/.exec(value);
        const [a, b] = match ? [Number(match[1]), Number(match[2])] : [NaN, NaN];
        if (!match || a < 1024 || b > 65535 || a >= b) return fail(`--rtp-ports must be a range such as 20000-40000, not "${value}"`);
        options.rtpPorts = [a, b];
        break;
      }
      case '--ice-interface':
        if (!/^[A-Za-z0-9_.:,@-]+$/.test(value)) return fail(`--ice-interface must be interface names or address prefixes, not "${value}"`);
        options.iceInterface = value;
        break;
      case '--janus-lib':
        options.janusLib = value;
        break;
    }
  }
  if (dir === undefined) return fail('the folder to write is missing');
  let config: JanusConfig;
  try {
    config = writeJanusConfig(dir, options);
  } catch (e) {
    err(`un75-signal janus-config: ${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  }
  out(
    `Janus configuration written to ${config.dir}. Run Janus:\n  janus -F ${config.dir}\nthen un75-signal with:\n` +
      `  --janus ${config.wsUrl} --janus-api-secret ${config.apiSecret} --janus-admin-key ${config.adminKey}\n`,
  );
  return 0;
}
