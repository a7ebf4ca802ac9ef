/**
 * Server speech recognition (design §5.1): un75-signal as the gateway between speakers' browsers and
 * the recognisers a partner runs (`--asr LANG=URL`, Vosk WebSocket protocol). Browsers never learn
 * a recogniser's address; they stream to `/asr` on this server with a short-lived, single-use token
 * from the welcome (or from an `asr-token` request), bound to their member id, room and language.
 *
 * Everything a browser sends is budgeted: streams per member and per room, seconds per stream,
 * bytes per second (16 kHz PCM16 is 32 KB/s; a stream faster than `speedFactor` × real time, past a
 * small burst, is cut). A recogniser that cannot be reached, hangs or answers garbage ends that
 * speaker's stream with an error; nobody else's.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { RawData } from 'ws';
import { WebSocket } from 'ws';
import {
  ANY_LANGUAGE,
  ASR_BYTES_PER_SECOND,
  ASR_SAMPLE_RATE,
  MAX_ASR_FRAME_BYTES,
  MAX_ASR_TOKEN_LENGTH,
  asrLanguageKey,
  parseVoskAnswer,
  type AsrErrorCode,
  type AsrOffer,
  type AsrServerMessage,
} from '../src/protocol/asr.js';
import { TokenBucket } from './rate-limit.js';

export interface AsrOptions {
  /** Recogniser URL (`ws://`, `wss://`: Vosk protocol) per language tag; `*` for every other language. */
  backends: Record<string, string>;
  /** Signs tokens; with several processes behind one Redis give them the same (derived from --jwt-secret). Default: random per process. */
  secret?: string | Buffer;
  /** How long a token may wait before its stream opens. Default 60,000 ms. */
  tokenTtlMs?: number;
  /** Open streams per member. Default 2 (one ending while the next starts). */
  maxStreamsPerMember?: number;
  /** Open streams per room. Default 8. */
  maxStreamsPerRoom?: number;
  /** Open streams on this process. Default 200. */
  maxStreams?: number;
  /** Longest stream; the browser then opens a new one. Default 600 s. */
  maxStreamSeconds?: number;
  /** A stream sending faster than this many times real time (past the burst) is cut. Default 1.5. */
  speedFactor?: number;
  /** Seconds of audio a stream may send at once above the sustained rate (network jitter). Default 2. */
  burstSeconds?: number;
  /** How long the recogniser may take to accept the connection, or to answer audio. Default 5,000 ms. */
  backendTimeoutMs?: number;
}

export interface AsrStats {
  /** Streams open on this process. */
  streams: number;
  /** Tokens used and remembered until they expire (so none is used twice). */
  usedTokens: number;
}

interface TokenClaims {
  /** Member id. */
  m: string;
  /** Room. */
  r: string;
  /** Language tag. */
  l: string;
  /** Expiry, ms since the epoch. */
  e: number;
  /** Nonce: what makes each token single-use. */
  n: string;
}

/** The member a token is issued to. */
export interface AsrMember {
  id: string;
  room: string;
  language: string;
}

/** Audio queued for a recogniser that is not connected yet, or not reading: 4 s at most. */
const MAX_BACKEND_BUFFER = 4 * ASR_BYTES_PER_SECOND;
/** Remembered used tokens at most; past it, new streams are refused until old tokens expire. */
const MAX_USED_TOKENS = 100_000;

const b64 = (data: Buffer | string) => Buffer.from(data).toString('base64url');

export class AsrGateway {
  readonly languages: string[];
  private readonly backends: Map<string, string>;
  private readonly secret: Buffer;
  private readonly tokenTtlMs: number;
  private readonly maxPerMember: number;
  private readonly maxPerRoom: number;
  private readonly maxStreams: number;
  private readonly maxStreamMs: number;
  private readonly bytesPerSecond: number;
  private readonly burstBytes: number;
  private readonly backendTimeoutMs: number;
  /** Nonce → expiry of the tokens already used. */
  private readonly used = new Map<string, number>();
  private readonly streams = new Set<AsrStream>();
  private readonly perMember = new Map<string, number>();
  private readonly perRoom = new Map<string, number>();

  constructor(
    options: AsrOptions,
    private readonly log: (line: string) => void,
  ) {
    this.backends = new Map(Object.entries(options.backends));
    this.languages = [...this.backends.keys()];
    const secret = options.secret ?? randomBytes(32);
    // A key of its own, so a token for speech can never pass for a join token, or the reverse.
    this.secret = createHmac('sha256', secret).update('un75 asr tokens').digest();
    this.tokenTtlMs = options.tokenTtlMs ?? 60_000;
    this.maxPerMember = options.maxStreamsPerMember ?? 2;
    this.maxPerRoom = options.maxStreamsPerRoom ?? 8;
    this.maxStreams = options.maxStreams ?? 200;
    this.maxStreamMs = (options.maxStreamSeconds ?? 600) * 1000;
    this.bytesPerSecond = ASR_BYTES_PER_SECOND * (options.speedFactor ?? 1.5);
    this.burstBytes = ASR_BYTES_PER_SECOND * (options.burstSeconds ?? 2);
    this.backendTimeoutMs = options.backendTimeoutMs ?? 5000;
  }

  /** What the welcome offers a member: a token for the language they speak now. */
  offer(member: AsrMember): AsrOffer {
    const claims: TokenClaims = { m: member.id, r: member.room, l: member.language, e: Date.now() + this.tokenTtlMs, n: b64(randomBytes(12)) };
    const payload = b64(JSON.stringify(claims));
    return { token: `${payload}.${this.sign(payload)}`, languages: this.languages };
  }

  stats(): AsrStats {
    this.sweep();
    return { streams: this.streams.size, usedTokens: this.used.size };
  }

  /** Heartbeat tick: a browser that missed two pings is gone (silence sends nothing, so quiet is not death). */
  heartbeat(): void {
    for (const stream of this.streams) stream.heartbeat();
  }

  /** A member left its room for good (left, removed, or its resume grace ran out): their streams end. */
  memberLeft(room: string, id: string): void {
    const memberKey = `${room}\n${id}`;
    if (!this.perMember.has(memberKey)) return;
    for (const stream of [...this.streams]) if (stream.memberKey === memberKey) stream.fail('left', 'you left the room: speech recognition ends with it', 1000);
  }

  /** Ends every stream (server shutdown). */
  closeAll(): void {
    for (const stream of [...this.streams]) stream.fail('shutting-down', 'the server is shutting down', 1012);
  }

  /** A browser's socket on `/asr?token=…`: checked, then connected to the recogniser for its language. */
  accept(ws: WebSocket, token: string | null): void {
    ws.on('error', () => {});
    const refuse = (code: AsrErrorCode, message: string) => {
      send(ws, { type: 'error', code, message });
      ws.close(4000 + (code === 'unauthorized' ? 401 : code === 'busy' ? 429 : 400), code);
    };
    const claims = this.verify(token);
    if (typeof claims === 'string') return refuse('unauthorized', claims);
    const key = asrLanguageKey(this.backends.keys(), claims.l);
    if (!key) return refuse('unsupported-language', `this server recognises no speech in "${claims.l}"`);
    const memberKey = `${claims.r}\n${claims.m}`;
    if (this.streams.size >= this.maxStreams) return refuse('busy', 'this server recognises as many speakers as it can: try again later');
    if ((this.perMember.get(memberKey) ?? 0) >= this.maxPerMember) return refuse('busy', `at most ${this.maxPerMember} recognition streams per person`);
    if ((this.perRoom.get(claims.r) ?? 0) >= this.maxPerRoom) return refuse('busy', `at most ${this.maxPerRoom} recognition streams per room`);
    this.used.set(claims.n, claims.e);
    count(this.perMember, memberKey, 1);
    count(this.perRoom, claims.r, 1);
    const stream = new AsrStream(ws, memberKey, this.backends.get(key)!, claims.l, {
      bucket: new TokenBucket(this.burstBytes, this.bytesPerSecond),
      maxStreamMs: this.maxStreamMs,
      backendTimeoutMs: this.backendTimeoutMs,
      log: this.log,
      ended: () => {
        this.streams.delete(stream);
        count(this.perMember, memberKey, -1);
        count(this.perRoom, claims.r, -1);
      },
    });
    this.streams.add(stream);
  }

  private sign(payload: string): string {
    return createHmac('sha256', this.secret).update(payload).digest('base64url');
  }

  /** The token's claims, or why it is refused. */
  private verify(token: string | null): TokenClaims | string {
    if (!token) return 'a token is needed: take it from the welcome, or ask for one with "asr-token"';
    if (token.length > MAX_ASR_TOKEN_LENGTH) return 'the token is not valid';
    const [payload, signature, extra] = token.split('.');
    if (!payload || !signature || extra !== undefined) return 'the token is not valid';
    const expected = Buffer.from(this.sign(payload));
    const given = Buffer.from(signature);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return 'the token is not valid';
    let claims: TokenClaims;
    try {
      claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as TokenClaims;
    } catch {
      return 'the token is not valid';
    }
    const now = Date.now();
    if (typeof claims.e !== 'number' || claims.e <= now) return 'the token has expired: ask for a new one with "asr-token"';
    this.sweep(now);
    if (this.used.has(claims.n)) return 'the token has been used already: each stream needs a new one';
    if (this.used.size >= MAX_USED_TOKENS) return 'too many streams were opened lately: try again in a minute';
    return claims;
  }

  private sweep(now = Date.now()): void {
    // Insertion order is nearly expiry order (one TTL for all): stop at the first one still valid.
    for (const [nonce, expires] of this.used) {
      if (expires > now) break;
      this.used.delete(nonce);
    }
  }
}

function count(map: Map<string, number>, key: string, delta: number): void {
  const n = (map.get(key) ?? 0) + delta;
  if (n > 0) map.set(key, n);
  else map.delete(key);
}

function send(ws: WebSocket, message: AsrServerMessage): void {
  if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(message));
}

interface StreamContext {
  bucket: TokenBucket;
  maxStreamMs: number;
  backendTimeoutMs: number;
  log(line: string): void;
  ended(): void;
}

/** One speaker's stream: the browser's socket and the recogniser's. */
class AsrStream {
  private readonly backend: WebSocket;
  private done = false;
  private ending = false;
  private lastPartial = '';
  /** Set while audio was sent that the recogniser has not answered yet. */
  private watchdog: NodeJS.Timeout | null = null;
  /** What the browser sent before the recogniser accepted the connection. */
  private pending: (Buffer | string)[] = [];
  private pendingBytes = 0;
  private readonly lifetime: NodeJS.Timeout;
  private readonly connectTimer: NodeJS.Timeout;
  private endTimer: NodeJS.Timeout | null = null;
  private missedPings = 0;

  constructor(
    private readonly client: WebSocket,
    /** Room and member id, one line each: whose speech this is. */
    readonly memberKey: string,
    url: string,
    private readonly language: string,
    private readonly context: StreamContext,
  ) {
    this.backend = new WebSocket(url, { maxPayload: 64 * 1024, perMessageDeflate: false, handshakeTimeout: context.backendTimeoutMs });
    this.backend.on('open', () => {
      clearTimeout(this.connectTimer);
      this.backend.send(JSON.stringify({ config: { sample_rate: ASR_SAMPLE_RATE } }));
      for (const frame of this.pending) this.backend.send(frame);
      this.pending = [];
      this.pendingBytes = 0;
    });
    this.backend.on('message', (data: RawData, isBinary: boolean) => this.answer(data, isBinary));
    this.backend.on('error', () => {});
    this.backend.on('close', () => {
      if (this.ending) this.finish(1000, 'end');
      else this.fail('backend', `speech recognition for "${language}" stopped`);
    });
    this.connectTimer = setTimeout(() => this.fail('backend', `the recogniser for "${language}" did not answer`), context.backendTimeoutMs);
    this.lifetime = setTimeout(() => this.fail('too-long', `a stream lasts ${context.maxStreamMs / 1000} s at most: open a new one`, 4408), context.maxStreamMs);
    client.on('message', (data: RawData, isBinary: boolean) => this.receive(data, isBinary));
    client.on('close', () => this.finish());
    client.on('pong', () => (this.missedPings = 0));
  }

  heartbeat(): void {
    if (this.missedPings >= 2) {
      this.client.terminate();
      return;
    }
    this.missedPings++;
    if (this.client.readyState === WebSocket.OPEN) this.client.ping();
  }

  private receive(data: RawData, isBinary: boolean): void {
    if (this.done) return;
    this.missedPings = 0;
    const frame = Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
    if (!isBinary) {
      if (frame.length < 64 && /^\s*\{\s*"type"\s*:\s*"eof"\s*\}\s*$/.test(frame.toString('utf8'))) return this.end();
      return this.fail('bad-frame', 'text frames other than {"type":"eof"} are not accepted', 4400);
    }
    if (this.ending) return this.fail('bad-frame', 'audio after the end of the stream', 4400);
    if (frame.length === 0 || frame.length % 2 || frame.length > MAX_ASR_FRAME_BYTES) {
      return this.fail('bad-frame', `audio frames are 16-bit PCM of at most ${MAX_ASR_FRAME_BYTES} bytes`, 4400);
    }
    if (!this.context.bucket.take(frame.length)) {
      return this.fail('too-fast', 'audio arrives faster than real time: the stream is cut', 4429);
    }
    this.toBackend(frame);
  }

  private toBackend(frame: Buffer | string): void {
    const state = this.backend.readyState;
    if (state === WebSocket.OPEN) {
      if (this.backend.bufferedAmount > MAX_BACKEND_BUFFER) {
        return this.fail('backend', `the recogniser for "${this.language}" does not keep up`);
      }
      this.backend.send(frame);
    } else if (state === WebSocket.CONNECTING) {
      this.pendingBytes += frame.length;
      if (this.pendingBytes > MAX_BACKEND_BUFFER) return this.fail('backend', `the recogniser for "${this.language}" is slow to connect`);
      this.pending.push(frame);
    } else return;
    this.watchdog ??= setTimeout(() => this.fail('backend', `the recogniser for "${this.language}" stopped answering`), this.context.backendTimeoutMs);
  }

  /** The browser ends the stream: the recogniser gives its last final, then closes. */
  private end(): void {
    if (this.ending) return;
    this.ending = true;
    this.toBackend(JSON.stringify({ eof: 1 }));
    // The last final comes, then the recogniser closes; one that keeps the socket open is closed.
    this.endTimer = setTimeout(() => this.finish(1000, 'end'), this.context.backendTimeoutMs);
  }

  private answer(data: RawData, isBinary: boolean): void {
    if (this.done) return;
    if (this.watchdog) clearTimeout(this.watchdog);
    this.watchdog = null;
    const answer = isBinary ? undefined : parseVoskAnswer(data.toString());
    if (!answer) return this.fail('backend', `the recogniser for "${this.language}" answered something that is not the Vosk protocol`);
    if ('text' in answer) {
      this.lastPartial = '';
      const text = answer.text.trim();
      if (text) send(this.client, { type: 'final', text });
      return;
    }
    const text = answer.partial.trim();
    if (text && text !== this.lastPartial) send(this.client, { type: 'partial', text });
    this.lastPartial = text;
  }

  /** Ends this stream with an error to this speaker only. */
  fail(code: AsrErrorCode, message: string, closeCode = 4502): void {
    if (this.done) return;
    if (code === 'backend') this.context.log(`un75-signal: asr: ${message}`);
    send(this.client, { type: 'error', code, message });
    this.finish(closeCode, code);
  }

  private finish(closeCode = 1000, reason = ''): void {
    if (this.done) return;
    this.done = true;
    clearTimeout(this.connectTimer);
    clearTimeout(this.lifetime);
    if (this.watchdog) clearTimeout(this.watchdog);
    if (this.endTimer) clearTimeout(this.endTimer);
    this.pending = [];
    if (this.backend.readyState === WebSocket.CONNECTING || this.backend.readyState === WebSocket.OPEN) this.backend.terminate();
    if (this.client.readyState === WebSocket.OPEN) this.client.close(closeCode, reason);
    this.context.ended();
  }
}

/** `LANG=URL` (`--asr`), checked: a language tag or `*`, and a ws:// or wss:// URL. */
export function parseAsrBackend(spec: string): [string, string] | string {
  const eq = spec.indexOf('=');
  if (eq <= 0) return `--asr takes LANG=URL, such as en=ws://127.0.0.1:2700, not "${spec}"`;
  const language = spec.slice(0, eq);
  const url = spec.slice(eq + 1);
  if (language !== ANY_LANGUAGE && !/^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$/.test(language)) return `--asr: "${language}" is not a language tag`;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return `--asr: "${url}" is not a URL`;
  }
  if (parsed.protocol !== 'ws:' && parsed.protocol !== 'wss:') return `--asr: "${url}" must be a ws:// or wss:// URL of a Vosk-protocol recogniser`;
  return [language, url];
}
