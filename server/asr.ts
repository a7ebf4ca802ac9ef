/**
 * Server speech recognition (design §5.1): un75-signal as the gateway between speakers' browsers and
 * the recognisers a partner runs (`--asr LANG=URL`: the Vosk WebSocket protocol, or with
 * `openai+http(s)://…/v1` the OpenAI-compatible transcription API). Browsers never learn
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
  /** How long a transcription-API recogniser (`openai+http…`) may take over one utterance. Default 30,000 ms. */
  transcriptionTimeoutMs?: number;
  /** Sent as `Authorization: Bearer …` to transcription-API recognisers (the CLI reads UN75_ASR_API_KEY). */
  apiKey?: string;
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
  /** Sent to every socket as it opens (docs/protocol.md, `hello`): one string for them all. */
  readonly hello: string;
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
  private readonly transcriptionTimeoutMs: number;
  private readonly apiKey: string | undefined;
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
    this.hello = JSON.stringify({ type: 'hello', asr: { languages: this.languages } });
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
    this.transcriptionTimeoutMs = options.transcriptionTimeoutMs ?? 30_000;
    this.apiKey = options.apiKey;
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

  /**
   * Heartbeat tick: a browser that missed two pings is gone (silence sends nothing, so quiet is not
   * death). With `present` (a cluster: is this member still in its room, as Redis has it?), a stream
   * whose speaker left through a process that does not watch the room ends too: `memberLeft` hears
   * only of the rooms this process has members in.
   */
  heartbeat(present?: (room: string, id: string) => Promise<boolean>): void {
    for (const stream of this.streams) stream.heartbeat();
    if (!present) return;
    for (const stream of this.streams) {
      const [room = '', id = ''] = stream.memberKey.split('\n');
      present(room, id).then(
        (yes) => yes || stream.fail('left', 'you left the room: speech recognition ends with it', 1000),
        () => {}, // Redis out of reach: the stream goes on until it can tell
      );
    }
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
    const url = this.backends.get(key)!;
    const connect = url.startsWith('openai+')
      ? (events: LinkEvents) => new OpenAiLink(openAiEndpoint(url, this.apiKey), claims.l, this.transcriptionTimeoutMs, events)
      : (events: LinkEvents) => new VoskLink(url, claims.l, this.backendTimeoutMs, events);
    const stream = new AsrStream(ws, memberKey, connect, {
      bucket: new TokenBucket(this.burstBytes, this.bytesPerSecond),
      maxStreamMs: this.maxStreamMs,
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
  log(line: string): void;
  ended(): void;
}

/** What a recogniser link tells the stream it serves. */
interface LinkEvents {
  partial(text: string): void;
  final(text: string): void;
  /** The recogniser cannot be reached, hangs, or answers garbage: the stream ends with `backend`. */
  failed(message: string): void;
  /** After `end()`: the last final has been given. */
  ended(): void;
}

/** One speaker's connection to a recogniser, whatever its protocol. */
interface RecogniserLink {
  audio(frame: Buffer): void;
  /** No more audio: give the last final, then `ended`. */
  end(): void;
  /** Drop everything at once. */
  close(): void;
}

/** A Vosk WebSocket protocol recogniser: partials after each frame, a final when an utterance ends. */
class VoskLink implements RecogniserLink {
  private readonly socket: WebSocket;
  private lastPartial = '';
  private ending = false;
  /** Set while audio was sent that the recogniser has not answered yet. */
  private watchdog: NodeJS.Timeout | null = null;
  /** What the browser sent before the recogniser accepted the connection. */
  private pending: (Buffer | string)[] = [];
  private pendingBytes = 0;
  private readonly connectTimer: NodeJS.Timeout;
  private endTimer: NodeJS.Timeout | null = null;

  constructor(
    url: string,
    private readonly language: string,
    private readonly timeoutMs: number,
    private readonly events: LinkEvents,
  ) {
    this.socket = new WebSocket(url, { maxPayload: 64 * 1024, perMessageDeflate: false, handshakeTimeout: timeoutMs });
    this.socket.on('open', () => {
      clearTimeout(this.connectTimer);
      this.socket.send(JSON.stringify({ config: { sample_rate: ASR_SAMPLE_RATE } }));
      for (const frame of this.pending) this.socket.send(frame);
      this.pending = [];
      this.pendingBytes = 0;
    });
    this.socket.on('message', (data: RawData, isBinary: boolean) => this.answer(data, isBinary));
    this.socket.on('error', () => {});
    this.socket.on('close', () => {
      if (this.ending) events.ended();
      else events.failed(`speech recognition for "${language}" stopped`);
    });
    this.connectTimer = setTimeout(() => events.failed(`the recogniser for "${language}" did not answer`), timeoutMs);
  }

  audio(frame: Buffer): void {
    this.send(frame);
  }

  end(): void {
    if (this.ending) return;
    this.ending = true;
    this.send(JSON.stringify({ eof: 1 }));
    // The last final comes, then the recogniser closes; one that keeps the socket open is closed.
    this.endTimer = setTimeout(() => this.events.ended(), this.timeoutMs);
  }

  close(): void {
    clearTimeout(this.connectTimer);
    if (this.watchdog) clearTimeout(this.watchdog);
    if (this.endTimer) clearTimeout(this.endTimer);
    this.pending = [];
    if (this.socket.readyState === WebSocket.CONNECTING || this.socket.readyState === WebSocket.OPEN) this.socket.terminate();
  }

  private send(frame: Buffer | string): void {
    const state = this.socket.readyState;
    if (state === WebSocket.OPEN) {
      if (this.socket.bufferedAmount > MAX_BACKEND_BUFFER) return this.events.failed(`the recogniser for "${this.language}" does not keep up`);
      this.socket.send(frame);
    } else if (state === WebSocket.CONNECTING) {
      this.pendingBytes += frame.length;
      if (this.pendingBytes > MAX_BACKEND_BUFFER) return this.events.failed(`the recogniser for "${this.language}" is slow to connect`);
      this.pending.push(frame);
    } else return;
    this.watchdog ??= setTimeout(() => this.events.failed(`the recogniser for "${this.language}" stopped answering`), this.timeoutMs);
  }

  private answer(data: RawData, isBinary: boolean): void {
    if (this.watchdog) clearTimeout(this.watchdog);
    this.watchdog = null;
    const answer = isBinary ? undefined : parseVoskAnswer(data.toString());
    if (!answer) return this.events.failed(`the recogniser for "${this.language}" answered something that is not the Vosk protocol`);
    if ('text' in answer) {
      this.lastPartial = '';
      const text = answer.text.trim();
      if (text) this.events.final(text);
      return;
    }
    const text = answer.partial.trim();
    if (text && text !== this.lastPartial) this.events.partial(text);
    this.lastPartial = text;
  }
}

/** RMS of a 100 ms frame above which someone is speaking: the browser's own threshold (un75-asr-worklet.ts). */
const VOICE_RMS = 0.003;
/** Quiet frames kept before speech starts (0.3 s). */
const PRE_ROLL_FRAMES = 3;
/** Quiet frames after speech that end an utterance (0.7 s). */
const UTTERANCE_END_FRAMES = 7;
/** An utterance is sent on its own past this much audio (30 s), however long the speaker goes on. */
const MAX_UTTERANCE_BYTES = 30 * ASR_BYTES_PER_SECOND;
/**
 * No audio for this long ends the utterance: the browser sends a 1.5 s tail of quiet after speech
 * (which the energy rule cuts) and then nothing, so a gap means it stopped without a tail. Long
 * enough that a network or a busy machine holding frames back does not cut a sentence in two.
 */
const UTTERANCE_GAP_MS = 2000;
/** Utterances waiting for the transcription of the one before: more, and the recogniser does not keep up. */
const MAX_QUEUED_UTTERANCES = 3;

/**
 * The OpenAI-compatible transcription API (`POST …/audio/transcriptions`: whisper.cpp's server,
 * speaches, LocalAI, vLLM): finals only, one request per utterance. Utterances are cut where the
 * speaker pauses (frame energy, the browser's own threshold), where the browser stops sending (it
 * sends nothing in silence), at 30 s, and at the end of the stream; one request at a time, so finals
 * come in the order spoken.
 */
class OpenAiLink implements RecogniserLink {
  private chunks: Buffer[] = [];
  private bytes = 0;
  private voiced = false;
  private quiet = 0;
  private gapTimer: NodeJS.Timeout | null = null;
  private readonly queue: Buffer[] = [];
  private inFlight: AbortController | null = null;
  private ending = false;
  private closed = false;

  constructor(
    private readonly endpoint: OpenAiEndpoint,
    private readonly language: string,
    private readonly timeoutMs: number,
    private readonly events: LinkEvents,
  ) {}

  audio(frame: Buffer): void {
    const loud = rms(frame) > VOICE_RMS;
    // Before anyone speaks, only the last few quiet frames are kept (the first syllable may start in
    // them): a recogniser paid or loaded per second of audio is not sent the silence before.
    if (!loud && !this.voiced && this.chunks.length >= PRE_ROLL_FRAMES) this.bytes -= this.chunks.shift()!.length;
    this.chunks.push(frame);
    this.bytes += frame.length;
    if (loud) {
      this.voiced = true;
      this.quiet = 0;
    } else if (this.voiced) this.quiet += frame.length / (ASR_BYTES_PER_SECOND / 10);
    if ((this.voiced && this.quiet >= UTTERANCE_END_FRAMES) || this.bytes >= MAX_UTTERANCE_BYTES) this.cut();
    else {
      if (this.gapTimer) clearTimeout(this.gapTimer);
      this.gapTimer = setTimeout(() => this.cut(), UTTERANCE_GAP_MS);
    }
  }

  end(): void {
    if (this.ending) return;
    this.ending = true;
    this.cut();
    if (!this.inFlight) this.events.ended();
  }

  close(): void {
    this.closed = true;
    if (this.gapTimer) clearTimeout(this.gapTimer);
    this.inFlight?.abort();
    this.queue.length = 0;
    this.chunks = [];
  }

  /** The audio so far is one utterance: queued for transcription if anyone spoke in it. */
  private cut(): void {
    if (this.gapTimer) clearTimeout(this.gapTimer);
    this.gapTimer = null;
    const pcm = Buffer.concat(this.chunks);
    const spoken = this.voiced;
    this.chunks = [];
    this.bytes = 0;
    this.voiced = false;
    this.quiet = 0;
    if (!spoken || pcm.length === 0) return;
    if (this.queue.length >= MAX_QUEUED_UTTERANCES) return this.events.failed(`the recogniser for "${this.language}" does not keep up`);
    this.queue.push(pcm);
    if (!this.inFlight) void this.next();
  }

  private async next(): Promise<void> {
    const pcm = this.queue.shift();
    if (!pcm || this.closed) return;
    const controller = new AbortController();
    this.inFlight = controller;
    const timer = setTimeout(() => controller.abort(), this.timeoutMs);
    let text: string | null = null;
    let problem: string | null = null;
    try {
      const form = new FormData();
      form.set('file', new Blob([Uint8Array.from(wav(pcm))], { type: 'audio/wav' }), 'speech.wav');
      form.set('model', this.endpoint.model);
      form.set('language', this.language.split('-')[0]!.toLowerCase());
      form.set('response_format', 'json');
      const response = await fetch(this.endpoint.url, {
        method: 'POST',
        body: form,
        signal: controller.signal,
        headers: this.endpoint.apiKey ? { authorization: `Bearer ${this.endpoint.apiKey}` } : {},
      });
      const body = await readLimited(response, 64 * 1024);
      if (!response.ok) problem = `the recogniser for "${this.language}" answered ${response.status}: ${apiError(body)}`;
      else {
        const parsed = parseJson(body);
        if (isRecord(parsed) && typeof parsed.text === 'string') text = parsed.text.slice(0, 2000);
        else problem = `the recogniser for "${this.language}" answered something that is not the transcription API`;
      }
    } catch (err) {
      problem = controller.signal.aborted
        ? `the recogniser for "${this.language}" did not answer within ${this.timeoutMs / 1000} s`
        : `the recogniser for "${this.language}" cannot be reached: ${err instanceof Error ? err.message : String(err)}`;
    } finally {
      clearTimeout(timer);
      this.inFlight = null;
    }
    if (this.closed) return;
    if (problem) return this.events.failed(problem);
    const final = text!.trim();
    if (final) this.events.final(final);
    if (this.queue.length) void this.next();
    else if (this.ending) this.events.ended();
  }
}

/** Where and how to reach a transcription API. */
interface OpenAiEndpoint {
  /** The full `…/audio/transcriptions` URL. */
  url: string;
  model: string;
  apiKey?: string;
}

/** `openai+http(s)://host/v1[?model=M]` → the endpoint to POST to (the `model` query names the model; default whisper-1). */
export function openAiEndpoint(spec: string, apiKey?: string): OpenAiEndpoint {
  const url = new URL(spec.slice('openai+'.length));
  const model = url.searchParams.get('model') || 'whisper-1';
  url.search = '';
  url.hash = '';
  if (!url.pathname.endsWith('/audio/transcriptions')) url.pathname = `${url.pathname.replace(/\/+$/, '')}/audio/transcriptions`;
  return { url: url.href, model, ...(apiKey ? { apiKey } : {}) };
}

function rms(frame: Buffer): number {
  let energy = 0;
  const n = frame.length >> 1;
  for (let i = 0; i < n; i++) energy += (frame.readInt16LE(i * 2) / 32768) ** 2;
  return n ? Math.sqrt(energy / n) : 0;
}

/** A WAV file of 16 kHz mono 16-bit PCM. */
function wav(pcm: Buffer): Buffer {
  const header = Buffer.alloc(44);
  header.write('RIFF', 0);
  header.writeUInt32LE(36 + pcm.length, 4);
  header.write('WAVE', 8);
  header.write('fmt ', 12);
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20);
  header.writeUInt16LE(1, 22);
  header.writeUInt32LE(ASR_SAMPLE_RATE, 24);
  header.writeUInt32LE(ASR_SAMPLE_RATE * 2, 28);
  header.writeUInt16LE(2, 32);
  header.writeUInt16LE(16, 34);
  header.write('data', 36);
  header.writeUInt32LE(pcm.length, 40);
  return Buffer.concat([header, pcm]);
}

/** A response body, at most `limit` bytes of it (a recogniser is not trusted to answer briefly). */
async function readLimited(response: Response, limit: number): Promise<string> {
  if (!response.body) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    size += chunk.length;
    if (size > limit) throw new Error(`an answer over ${limit} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The `error.message` of an API error body, or its first characters. */
function apiError(body: string): string {
  const parsed = parseJson(body);
  const message = isRecord(parsed) && isRecord(parsed.error) && typeof parsed.error.message === 'string' ? parsed.error.message : body;
  return message.slice(0, 200);
}

/** One speaker's stream: the browser's socket and the link to the recogniser for their language. */
class AsrStream {
  private readonly link: RecogniserLink;
  private done = false;
  private ending = false;
  private readonly lifetime: NodeJS.Timeout;
  private missedPings = 0;

  constructor(
    private readonly client: WebSocket,
    /** Room and member id, one line each: whose speech this is. */
    readonly memberKey: string,
    connect: (events: LinkEvents) => RecogniserLink,
    private readonly context: StreamContext,
  ) {
    this.link = connect({
      partial: (text) => !this.done && send(this.client, { type: 'partial', text }),
      final: (text) => !this.done && send(this.client, { type: 'final', text }),
      failed: (message) => this.fail('backend', message),
      ended: () => this.finish(1000, 'end'),
    });
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
      if (frame.length < 64 && /^\s*\{\s*"type"\s*:\s*"eof"\s*\}\s*$/.test(frame.toString('utf8'))) {
        if (!this.ending) {
          this.ending = true;
          this.link.end();
        }
        return;
      }
      return this.fail('bad-frame', 'text frames other than {"type":"eof"} are not accepted', 4400);
    }
    if (this.ending) return this.fail('bad-frame', 'audio after the end of the stream', 4400);
    if (frame.length === 0 || frame.length % 2 || frame.length > MAX_ASR_FRAME_BYTES) {
      return this.fail('bad-frame', `audio frames are 16-bit PCM of at most ${MAX_ASR_FRAME_BYTES} bytes`, 4400);
    }
    if (!this.context.bucket.take(frame.length)) {
      return this.fail('too-fast', 'audio arrives faster than real time: the stream is cut', 4429);
    }
    this.link.audio(frame);
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
    clearTimeout(this.lifetime);
    this.link.close();
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
  if (parsed.protocol === 'openai+http:' || parsed.protocol === 'openai+https:') {
    try {
      openAiEndpoint(url);
    } catch {
      return `--asr: "${url}" is not a URL`;
    }
    return [language, url];
  }
  if (parsed.protocol !== 'ws:' && parsed.protocol !== 'wss:') {
    return `--asr: "${url}" must be a ws:// or wss:// URL of a Vosk-protocol recogniser, or openai+http(s)://…/v1 of a transcription API`;
  }
  return [language, url];
}
