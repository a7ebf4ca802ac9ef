import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { parseAggregatorConfig } from './aggregator.js';
import { newPartnerKeys, privateKeyFrom } from './jws.js';
import { postReport, retryable } from './submitter.js';
import { parseAsrBackend } from './asr.js';
import { MIN_SECRET_BYTES } from './auth.js';
import { createSignalingServer, type SignalingServerOptions } from './index.js';
import { janusConfigCli } from './janus-config.js';

const USAGE = `Usage: un75-signal [options]
       un75-signal janus-config DIR [options]   write a Janus configuration (--help for its options)
       un75-signal keygen PARTNER-ID            print a new Ed25519 key pair for signing reports
       un75-signal submit-report FILE --submit-to URL --report-key FILE   send one report file

  --port N               port to listen on (0 = any free port)            default 8080
  --host HOST            address to listen on                             default 127.0.0.1
  --static DIR           also serve the files of DIR over HTTP
  --csp POLICY|off       Content-Security-Policy of the --static pages, as written ("off": none)
  --max-room-size N      members per room                                 default 8
  --max-connections N    open WebSockets per process                      default 20000
  --max-per-address N    sockets (and handshake burst) per client address default 64
  --trust-proxy          client address = last X-Forwarded-For entry (behind a proxy only)
  --trust-asked-roles    open rooms grant "interpreter" to a page that asks (demos, kiosks; never public)
  --join-timeout-ms N    close sockets that have not joined a room by then default 10000
  --waiting-room-ms N    turn away who waits longer to enter a locked room default 600000
  --heartbeat-ms N       ping interval; two missed pings drop a socket    default 15000
  --resume-grace-ms N    how long a lost member may resume                default 30000
  --dialogue-end-ms N    a room empty this long ends its dialogue (report) default 120000
  --redis URL            share rooms with other processes (redis://host:6379)
  --data-dir DIR         keep rooms' outcomes (agendas, polls) in an embedded PGlite database in DIR
                         (default: in memory, lost at exit); one process only
  --database URL         keep them in PostgreSQL instead (postgres://user:pass@host/db);
                         processes sharing rooms through --redis need it to share outcomes
  --translation-endpoint URL  a LibreTranslate-compatible API (POST /translate): the server
                         translates each idea once into every language spoken in its room and
                         labels it machine-translated (env UN75_TRANSLATION_API_KEY: its api_key)
  --jwt-secret S         require an HS256 join token (or env UN75_JWT_SECRET), >= 32 bytes
  --jwt-audience AUD     tokens must carry this "aud"
  --jwt-issuer ISS       tokens must carry this "iss"
  --jwt-max-lifetime S   refuse tokens whose "exp" is further away (seconds) default 86400
  --allowed-origin URL   accept WebSockets only from this origin (repeatable)
  --stun-url URL         STUN server handed to clients instead of this one (repeatable)
  --no-stun              do not answer STUN on UDP at --port, hand out no STUN server
  --turn-url URL         TURN server handed to clients (repeatable)
  --turn-secret S        coturn static-auth-secret (or env UN75_TURN_SECRET)
  --turn-ttl SECONDS     lifetime of TURN credentials                     default 3600
  --asr LANG=URL         speech recogniser for LANG, reached by browsers only through /asr here
                         (repeatable; "*=URL": every language): ws(s)://… speaks the Vosk
                         WebSocket protocol, openai+http(s)://…/v1[?model=M] the OpenAI-compatible
                         transcription API (env UN75_ASR_API_KEY: its bearer key)
  --asr-max-room-streams N  recognition streams per room at once          default 8
  --asr-max-stream-seconds N  longest recognition stream (then a new one) default 600
  --janus ws://HOST:PORT  a media server for large rooms: Janus's WebSocket API (keep it private;
                         see docs/large-rooms.md and "un75-signal janus-config")
  --janus-api-secret S   Janus's api_secret (or env UN75_JANUS_API_SECRET)
  --janus-admin-key K    the VideoRoom admin_key (or env UN75_JANUS_ADMIN_KEY)
  --mesh-max N           with --janus: rooms of up to N members stay peer to peer; 0 = every room
                         on the media server (moving a growing room is not built yet)  default 4
  --aggregator           take partners' signed dialogue reports (POST /v1/programmes/P/reports)
                         and serve their totals (GET /v1/programmes/P/outcomes[.csv]); needs --partners
  --partners FILE        the aggregator's programmes (read tokens, origins) and partners (public
                         keys, programmes each may submit to): docs/outcomes.md "Aggregation"
  --submit-to URL        send this server's final reports to an aggregator's programme:
                         https://aggregator.example/v1/programmes/un75/reports
  --report-key FILE      the partner's private key (what "un75-signal keygen" prints) for --submit-to
  --report-kid ID        the partner id, when --report-key is a PEM file (a JWK carries its "kid")
  --help                 show this text
`;

function fail(message: string): never {
  process.stderr.write(`un75-signal: ${message}\n\n${USAGE}`);
  process.exit(2);
}

function integer(value: string | undefined, flag: string, min: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) fail(`${flag} must be an integer of at least ${min}, not "${value}"`);
  return n;
}

export function parseCli(argv: string[]): SignalingServerOptions {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        static: { type: 'string' },
        csp: { type: 'string' },
        'max-room-size': { type: 'string' },
        'max-connections': { type: 'string' },
        'max-per-address': { type: 'string' },
        'trust-proxy': { type: 'boolean' },
        'trust-asked-roles': { type: 'boolean' },
        'join-timeout-ms': { type: 'string' },
        'waiting-room-ms': { type: 'string' },
        'heartbeat-ms': { type: 'string' },
        'resume-grace-ms': { type: 'string' },
        'dialogue-end-ms': { type: 'string' },
        redis: { type: 'string' },
        'data-dir': { type: 'string' },
        database: { type: 'string' },
        'translation-endpoint': { type: 'string' },
        'jwt-secret': { type: 'string' },
        'jwt-audience': { type: 'string' },
        'jwt-issuer': { type: 'string' },
        'jwt-max-lifetime': { type: 'string' },
        'allowed-origin': { type: 'string', multiple: true },
        'stun-url': { type: 'string', multiple: true },
        'no-stun': { type: 'boolean' },
        'turn-url': { type: 'string', multiple: true },
        'turn-secret': { type: 'string' },
        'turn-ttl': { type: 'string' },
        asr: { type: 'string', multiple: true },
        'asr-max-room-streams': { type: 'string' },
        'asr-max-stream-seconds': { type: 'string' },
        janus: { type: 'string' },
        'janus-api-secret': { type: 'string' },
        'janus-admin-key': { type: 'string' },
        'mesh-max': { type: 'string' },
        aggregator: { type: 'boolean' },
        partners: { type: 'string' },
        'submit-to': { type: 'string' },
        'report-key': { type: 'string' },
        'report-kid': { type: 'string' },
        help: { type: 'boolean' },
      },
    }));
  } catch (err) {
    fail(err instanceof Error ? err.message : String(err));
  }
  if (values.help) {
    process.stdout.write(USAGE);
    process.exit(0);
  }
  const options: SignalingServerOptions = {};
  const port = integer(values.port, '--port', 0);
  if (port !== undefined) {
    if (port > 65535) fail('--port must be at most 65535');
    options.port = port;
  }
  if (values.host) options.host = values.host;
  if (values.static) options.staticDir = values.static;
  if (values.csp !== undefined) {
    if (!values.static) fail('--csp applies to the pages of --static DIR; without it no page is served');
    // A header value: printable ASCII only, so a stray newline cannot make every page fail.
    if (!/^[\x20-\x7e]*\S[\x20-\x7e]*$/.test(values.csp)) fail(`--csp must be a policy on one line, or "off", not "${values.csp}"`);
    options.staticOptions = { contentSecurityPolicy: values.csp === 'off' ? false : values.csp };
  }
  const numbers = {
    maxRoomSize: integer(values['max-room-size'], '--max-room-size', 2),
    maxConnections: integer(values['max-connections'], '--max-connections', 1),
    heartbeatMs: integer(values['heartbeat-ms'], '--heartbeat-ms', 100),
    resumeGraceMs: integer(values['resume-grace-ms'], '--resume-grace-ms', 0),
    dialogueEndMs: integer(values['dialogue-end-ms'], '--dialogue-end-ms', 0),
    maxPerAddress: integer(values['max-per-address'], '--max-per-address', 0),
    joinTimeoutMs: integer(values['join-timeout-ms'], '--join-timeout-ms', 100),
    waitingRoomMs: integer(values['waiting-room-ms'], '--waiting-room-ms', 1000),
    jwtMaxLifetimeSeconds: integer(values['jwt-max-lifetime'], '--jwt-max-lifetime', 60),
  };
  for (const [key, value] of Object.entries(numbers)) {
    if (value !== undefined) options[key as keyof typeof numbers] = value;
  }
  if (values.redis) options.redis = values.redis;
  if (values['data-dir'] && values.database) fail('--data-dir and --database exclude each other');
  if (values['data-dir'] && values.redis) fail('--data-dir keeps one process\'s outcomes: processes sharing rooms through --redis share a --database');
  if (values['data-dir']) options.dataDir = values['data-dir'];
  if (values.database) {
    if (!/^postgres(ql)?:\/\//.test(values.database)) fail(`--database must be a postgres:// URL, not "${values.database}"`);
    options.database = values.database;
  }
  if (values['translation-endpoint']) {
    if (!/^https?:\/\//.test(values['translation-endpoint']) || !URL.canParse(values['translation-endpoint'])) {
      fail(`--translation-endpoint must be an http(s):// URL, not "${values['translation-endpoint']}"`);
    }
    options.translationEndpoint = values['translation-endpoint'];
    if (process.env.UN75_TRANSLATION_API_KEY) options.translationApiKey = process.env.UN75_TRANSLATION_API_KEY;
  }
  if (values['trust-asked-roles']) options.trustAskedRoles = true;
  const jwtSecret = values['jwt-secret'] ?? process.env.UN75_JWT_SECRET;
  if (jwtSecret) options.jwtSecret = jwtSecret;
  if (jwtSecret && Buffer.byteLength(jwtSecret) < MIN_SECRET_BYTES) {
    fail(`--jwt-secret must be at least ${MIN_SECRET_BYTES} bytes long (e.g. openssl rand -base64 48)`);
  }
  if (values['jwt-audience']) options.jwtAudience = values['jwt-audience'];
  if (values['jwt-issuer']) options.jwtIssuer = values['jwt-issuer'];
  if (values['trust-proxy']) options.trustProxy = true;
  if (values['allowed-origin']) {
    for (const origin of values['allowed-origin']) {
      if (!URL.canParse(origin)) fail(`--allowed-origin must be a URL such as https://example.org, not "${origin}"`);
    }
    options.allowedOrigins = values['allowed-origin'];
  }
  if (values['stun-url']) options.stunUrls = values['stun-url'];
  if (values['no-stun']) options.stun = false;
  if (values['no-stun'] && values['stun-url']) fail('--stun-url and --no-stun contradict each other');
  const turnSecret = values['turn-secret'] ?? process.env.UN75_TURN_SECRET;
  if (values['turn-url'] || turnSecret) {
    if (!values['turn-url'] || !turnSecret) fail('--turn-url and --turn-secret go together');
    options.turn = { urls: values['turn-url'], secret: turnSecret };
    const ttl = integer(values['turn-ttl'], '--turn-ttl', 60);
    if (ttl !== undefined) options.turn.ttlSeconds = ttl;
  }
  if (values.asr) {
    const backends: Record<string, string> = {};
    for (const spec of values.asr) {
      const parsed = parseAsrBackend(spec);
      if (typeof parsed === 'string') fail(parsed);
      if (backends[parsed[0]]) fail(`--asr gives two recognisers for "${parsed[0]}"`);
      backends[parsed[0]] = parsed[1];
    }
    options.asr = { backends, ...(process.env.UN75_ASR_API_KEY ? { apiKey: process.env.UN75_ASR_API_KEY } : {}) };
    const perRoom = integer(values['asr-max-room-streams'], '--asr-max-room-streams', 1);
    if (perRoom !== undefined) options.asr.maxStreamsPerRoom = perRoom;
    const seconds = integer(values['asr-max-stream-seconds'], '--asr-max-stream-seconds', 10);
    if (seconds !== undefined) options.asr.maxStreamSeconds = seconds;
  } else if (values['asr-max-room-streams'] || values['asr-max-stream-seconds']) fail('--asr-max-* options apply to --asr');
  const janusSecret = values['janus-api-secret'] ?? process.env.UN75_JANUS_API_SECRET;
  const janusKey = values['janus-admin-key'] ?? process.env.UN75_JANUS_ADMIN_KEY;
  if (values.janus) {
    if (!/^wss?:\/\/[^\s/]+\/?$/.test(values.janus)) fail(`--janus must be the URL of Janus's WebSocket API, such as ws://10.0.0.5:8188, not "${values.janus}"`);
    if (values.redis) fail('--janus works with one process for now, not with --redis');
    const meshMax = integer(values['mesh-max'], '--mesh-max', 0);
    options.janus = {
      url: values.janus,
      ...(janusSecret ? { apiSecret: janusSecret } : {}),
      ...(janusKey ? { adminKey: janusKey } : {}),
      ...(meshMax !== undefined ? { meshMax } : {}),
    };
  } else if (values['janus-api-secret'] || values['janus-admin-key'] || values['mesh-max']) fail('--janus-api-secret, --janus-admin-key and --mesh-max apply to --janus');
  if (values.aggregator) {
    if (!values.partners) fail('--aggregator needs --partners FILE (its programmes and partners\' public keys)');
    let text: string;
    try {
      text = readFileSync(values.partners, 'utf8');
    } catch (err) {
      fail(`cannot read --partners ${values.partners}: ${err instanceof Error ? err.message : String(err)}`);
    }
    try {
      options.aggregator = parseAggregatorConfig(text, values.partners);
    } catch (err) {
      fail(err instanceof Error ? err.message : String(err));
    }
  } else if (values.partners) fail('--partners applies to --aggregator');
  if (values['submit-to'] || values['report-key']) {
    options.submitTo = submitterOptions(values['submit-to'], values['report-key'], values['report-kid']);
  } else if (values['report-kid']) fail('--report-kid applies to --report-key');
  return options;
}

function submitterOptions(url: string | undefined, keyFile: string | undefined, kid: string | undefined): NonNullable<SignalingServerOptions['submitTo']> {
  if (!url || !keyFile) fail('--submit-to URL and --report-key FILE go together');
  if (!/^https?:\/\/[^\s]+\/v1\/programmes\/[a-z0-9][a-z0-9-]{0,63}\/reports$/.test(url)) {
    fail(`--submit-to must be a programme's reports URL such as https://aggregator.example/v1/programmes/un75/reports, not "${url}"`);
  }
  let text: string;
  try {
    text = readFileSync(keyFile, 'utf8');
  } catch (err) {
    fail(`cannot read --report-key ${keyFile}: ${err instanceof Error ? err.message : String(err)}`);
  }
  const key = privateKeyFrom(text, kid);
  if (typeof key === 'string') fail(`--report-key ${keyFile}: ${key}`);
  return { url, key: key.key, kid: key.kid };
}

/** `un75-signal keygen PARTNER-ID`: a key pair, in the forms each side reads. */
function keygen(args: string[]): number {
  const partner = args[0];
  if (!partner || !/^[A-Za-z0-9._-]{1,64}$/.test(partner) || args.length > 1) {
    process.stderr.write('Usage: un75-signal keygen PARTNER-ID   (1-64 of A-Z a-z 0-9 . _ -)\n');
    return 2;
  }
  const keys = newPartnerKeys(partner);
  process.stdout.write(`# 1. The partner keeps this secret, in a file given to --report-key (e.g. ${partner}.key.json, mode 600):
${JSON.stringify(keys.privateJwk)}

# 2. The aggregator adds this under "partners" in its --partners file:
${JSON.stringify({ [partner]: { key: keys.publicJwk, programmes: ['un75'] } }, null, 2)}

# (the same public key as PEM, if you prefer "key": "-----BEGIN PUBLIC KEY-----\n…")
${keys.publicPem}`);
  return 0;
}

/** `un75-signal submit-report FILE --submit-to URL --report-key FILE`: one report, a few tries, the receipt printed. */
async function submitReportCli(args: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args, strict: true, allowPositionals: true, options: { 'submit-to': { type: 'string' }, 'report-key': { type: 'string' }, 'report-kid': { type: 'string' } } });
  } catch (err) {
    process.stderr.write(`un75-signal submit-report: ${err instanceof Error ? err.message : String(err)}\n`);
    return 2;
  }
  const [file] = parsed.positionals;
  if (!file || parsed.positionals.length > 1) {
    process.stderr.write('Usage: un75-signal submit-report REPORT.json --submit-to URL --report-key FILE [--report-kid ID]\n');
    return 2;
  }
  const { url, key, kid } = submitterOptions(parsed.values['submit-to'], parsed.values['report-key'], parsed.values['report-kid']);
  let report: string;
  try {
    report = JSON.stringify(JSON.parse(readFileSync(file, 'utf8')));
  } catch (err) {
    process.stderr.write(`un75-signal submit-report: ${file} is not a JSON file: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
  for (let attempt = 0; ; attempt++) {
    const result = await postReport(url, report, key, kid);
    if (result.status >= 200 && result.status < 300) {
      process.stdout.write(`${JSON.stringify(result.body, null, 2)}\n`);
      return 0;
    }
    const why = result.error ?? JSON.stringify(result.body);
    if (!retryable(result.status) || attempt >= 4) {
      process.stderr.write(`un75-signal submit-report: ${result.status ? `HTTP ${result.status}` : 'no answer'}: ${why}\n`);
      return 1;
    }
    process.stderr.write(`un75-signal submit-report: ${result.status ? `HTTP ${result.status}` : 'no answer'} (${why}); trying again\n`);
    await new Promise((r) => setTimeout(r, 1000 * 2 ** attempt));
  }
}

async function main(): Promise<void> {
  if (process.argv[2] === 'janus-config') {
    process.exit(janusConfigCli(process.argv.slice(3), (t) => process.stdout.write(t), (t) => process.stderr.write(t)));
  }
  if (process.argv[2] === 'keygen') process.exit(keygen(process.argv.slice(3)));
  if (process.argv[2] === 'submit-report') process.exit(await submitReportCli(process.argv.slice(3)));
  let server;
  try {
    server = createSignalingServer(parseCli(process.argv.slice(2)));
  } catch (err) {
    fail(err instanceof Error ? err.message : String(err));
  }
  try {
    await server.listen();
  } catch (err) {
    process.stderr.write(`un75-signal: cannot start: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  }
  const { address, port } = server.address!;
  // On loopback, name the address people type (and the README gives): http://localhost is a secure
  // origin, so camera and microphone work there without TLS.
  const open = address === '127.0.0.1' || address === '::1' ? `http://localhost:${port}` : server.url;
  process.stdout.write(`un75-signal listening on ${server.url}${open === server.url ? '' : ` — open ${open}`}\n`);
  const stop = (signal: string) => {
    process.stdout.write(`un75-signal: ${signal}, closing\n`);
    server.close().then(
      () => process.exit(0),
      (err: unknown) => {
        process.stderr.write(`un75-signal: unclean shutdown: ${String(err)}\n`);
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}

await main();
