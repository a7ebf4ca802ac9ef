import type { RawData, WebSocket } from 'ws';
import {
  MAX_FRAME_BYTES,
  parseClientMessage,
  ProtocolError,
  type ClientMessage,
  type ErrorCode,
  type ServerMessage,
} from '../src/protocol/signaling.js';
import type { AsrGateway } from './asr.js';
import type { JoinAuthenticator } from './auth.js';
import { ConnectionLimiter, TokenBucket, type LogThrottle, type RateLimitOptions } from './rate-limit.js';
import type { Client, Hub, LocalMember } from './rooms.js';
import type { SfuGateway } from './sfu.js';

/** Close codes a client sends when it means to go: leave at once, no resume grace. */
const LEAVING_CODES = new Set([1000, 1001, 1005]);
/** A client that cannot keep up with what it is sent is cut off rather than buffered without end. */
const MAX_BUFFERED_BYTES = 4 * 1024 * 1024;
/** What one connection may ask of `asr-token`, `agenda-set`, `agenda-next` and the `poll-*` requests together (Connection.spend). */
export const COSTLY_REQUESTS = { burst: 20, perSecond: 0.5 } as const;
/**
 * ICE candidates one connection may relay to the media server (`sfu-candidate`): a browser gathers a
 * handful per PeerConnection and negotiation; a flood beyond is refused before it reaches Janus.
 */
export const SFU_CANDIDATES = { burst: 60, perSecond: 4 } as const;
/** Protocol mistakes worth an offence; a full room or a bad token is not abuse. */
const OFFENCES = new Set<ErrorCode>([
  'bad-json',
  'bad-message',
  'unknown-type',
  'frame-too-large',
  'not-joined',
  'unknown-peer',
  'server-error',
]);

export interface ConnectionContext {
  hub: Hub;
  auth: JoinAuthenticator | null;
  /** Server speech recognition, when the server has recognisers (`--asr`). */
  asr: AsrGateway | null;
  /** The media server, when the server has one (`--janus`). */
  sfu: SfuGateway | null;
  rateLimit: RateLimitOptions;
  /** A socket that is not in a room this long after it opened (or left one) is closed. */
  joinTimeoutMs: number;
  log(line: string): void;
  /** For what may happen on every frame: rate-limited, so that no client can flood the log. */
  frameLog: LogThrottle;
}

/** One WebSocket: its limits, its liveness, and the member it joined as. */
export class Connection implements Client {
  member: LocalMember | null = null;
  /** Pings sent since the last sign of life. */
  missedPings = 0;
  private readonly limiter: ConnectionLimiter;
  private readonly inbox: string[] = [];
  private working = false;
  private joining = false;
  /** In a locked room's waiting room, until a host admits or denies it. */
  private waiting = false;
  private lastThrottleNotice = 0;
  private joinTimer: NodeJS.Timeout | null = null;
  /** Made at the first costly request (a token signed, a database write); most sockets never make one. */
  private costly: TokenBucket | null = null;
  /** Made at the first `sfu-candidate`. */
  private candidates: TokenBucket | null = null;

  constructor(
    private readonly ws: WebSocket,
    private readonly context: ConnectionContext,
    readonly address: string,
    readonly host?: string,
  ) {
    this.limiter = new ConnectionLimiter(context.rateLimit);
    this.awaitJoin();
    // The socket's events reach this connection through listeners the server shares among all of
    // them (see index.ts): a closure per socket and event would cost memory on every idle one.
  }

  get open(): boolean {
    return this.ws.readyState === this.ws.OPEN;
  }

  send(frame: string): void {
    if (!this.open) return;
    if (this.ws.bufferedAmount > MAX_BUFFERED_BYTES) {
      this.context.log('un75-signal: dropping a client that does not read what it is sent');
      this.ws.terminate();
      return;
    }
    this.ws.send(frame);
  }

  dismiss(out: string, code: number, reason: string): void {
    this.member = null;
    this.waiting = false;
    this.send(out);
    this.ws.close(code, reason);
  }

  admitted(member: LocalMember): void {
    this.waiting = false;
    if (this.open) this.member = member;
  }

  replaced(why: 'resumed' | 'replaced'): void {
    this.member = null;
    if (why === 'replaced') {
      this.error('replaced', 'you joined this room again from another connection');
      this.ws.close(4002, 'joined again elsewhere');
    } else this.ws.close(4001, 'resumed on another connection');
  }

  /** Heartbeat tick: false once the socket missed two pings in a row and has been dropped. */
  heartbeat(): boolean {
    if (this.missedPings >= 2) {
      this.ws.terminate();
      return false;
    }
    this.missedPings++;
    if (this.open) this.ws.ping();
    return true;
  }

  closed(code: number): void {
    this.stopJoinTimer();
    if (this.waiting) this.context.hub.stopWaiting(this);
    this.waiting = false;
    const member = this.member;
    this.member = null;
    if (member) this.context.hub.disconnected(member, LEAVING_CODES.has(code));
  }

  /** Tells the client why it is about to be closed, then closes. */
  shutDown(code: ErrorCode, message: string, closeCode: number): void {
    this.error(code, message);
    this.ws.close(closeCode, code);
  }

  /** A frame from the socket (through the server's shared listener). */
  receive(data: RawData, isBinary: boolean): void {
    this.missedPings = 0;
    const bytes = Array.isArray(data) ? data.reduce((n, b) => n + b.length, 0) : data.byteLength;
    const verdict = this.limiter.admit(bytes);
    if (verdict === 'disconnect') return this.expel();
    if (verdict === 'throttled') {
      // One notice a second is enough; answering every dropped frame would amplify the flood.
      const now = Date.now();
      if (now - this.lastThrottleNotice >= 1000) {
        this.lastThrottleNotice = now;
        this.error('rate-limited', 'too many frames: this one was dropped');
      }
      return;
    }
    if (isBinary) return this.reject(new ProtocolError('bad-message', 'only text frames are accepted'));
    if (bytes > MAX_FRAME_BYTES) {
      return this.reject(new ProtocolError('frame-too-large', `frames are limited to ${MAX_FRAME_BYTES} bytes`));
    }
    // ws hands text frames over as one Buffer (fragments are joined unless configured otherwise).
    const text = Array.isArray(data) ? Buffer.concat(data).toString('utf8') : (data as Buffer).toString('utf8');
    if (this.working) {
      this.inbox.push(text);
      return;
    }
    // The common case stays synchronous: no promise per relayed signal.
    const pending = this.process(text);
    if (pending) void this.drain(pending);
  }

  /** Handles one frame; returns a promise only when the frame needs to wait (a join). */
  private process(text: string): Promise<void> | void {
    try {
      const pending = this.handle(parseClientMessage(text));
      if (pending) return pending.catch((err: unknown) => this.fail(err));
    } catch (err) {
      this.fail(err);
    }
  }

  /** While a frame waits, the ones after it queue up, so a signal sent right after a join follows its welcome. */
  private async drain(pending: Promise<void>): Promise<void> {
    this.working = true;
    try {
      await pending;
      while (this.inbox.length && this.open) {
        const next = this.process(this.inbox.shift()!);
        if (next) await next;
      }
    } finally {
      this.working = false;
      if (!this.open) this.inbox.length = 0;
    }
  }

  private fail(err: unknown): void {
    if (err instanceof ProtocolError) return this.reject(err);
    // A frame that makes the server fail is an offence like an invalid one, and the log is rate-limited.
    this.context.frameLog.write(`un75-signal: unexpected error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    this.reject(new ProtocolError('server-error', 'the server could not handle this frame'));
  }

  /** Closes the socket unless it joins a room in time: an idle socket holds memory and a place under the caps. */
  private awaitJoin(): void {
    this.stopJoinTimer();
    this.joinTimer = setTimeout(() => {
      this.joinTimer = null;
      if (this.member || this.joining || this.waiting) return;
      this.shutDown('not-joined', `no "join" within ${this.context.joinTimeoutMs} ms: closing`, 4008);
    }, this.context.joinTimeoutMs);
    this.joinTimer.unref();
  }

  private stopJoinTimer(): void {
    if (this.joinTimer) clearTimeout(this.joinTimer);
    this.joinTimer = null;
  }

  private handle(msg: ClientMessage): Promise<void> | void {
    const { hub } = this.context;
    if (msg.type === 'join') return this.join(msg);
    if (this.waiting) {
      if (msg.type !== 'leave') throw new ProtocolError('not-joined', `a host has not let you in yet: "${msg.type}" is refused`);
      this.waiting = false;
      hub.stopWaiting(this);
      this.awaitJoin();
      return;
    }
    const member = this.member;
    if (!member) throw new ProtocolError('not-joined', `join a room before sending "${msg.type}"`);
    switch (msg.type) {
      case 'signal':
        hub.signal(member, msg.to, msg.sid, msg.data);
        return;
      case 'update': {
        const { type: _type, ...update } = msg;
        hub.update(member, update);
        return;
      }
      case 'asr-token': {
        const { asr } = this.context;
        if (!asr) throw new ProtocolError('unavailable', 'this server has no speech recognition');
        this.spend(msg.type);
        this.send(JSON.stringify({ type: 'asr-token', ...asr.offer({ id: member.id, room: member.room, language: member.info.spokenLanguage }) } satisfies ServerMessage));
        return;
      }
      case 'sfu-publish':
      case 'sfu-answer':
      case 'sfu-candidate':
      case 'sfu-subscribe': {
        const { sfu } = this.context;
        if (!sfu) throw new ProtocolError('forbidden', `"${msg.type}": this server has no media server`);
        if (msg.type === 'sfu-candidate') {
          this.candidates ??= new TokenBucket(SFU_CANDIDATES.burst, SFU_CANDIDATES.perSecond);
          if (!this.candidates.take()) throw new ProtocolError('rate-limited', `"sfu-candidate" too often: at most ${SFU_CANDIDATES.burst} at once, then ${SFU_CANDIDATES.perSecond} a second`);
        } else if (msg.type !== 'sfu-answer') this.spend(msg.type);
        // Publishing and answering wait for Janus: the candidates after them follow them there.
        return sfu.handle(member, msg);
      }
      case 'leave':
        this.member = null;
        hub.leave(member);
        this.awaitJoin();
        return;
      case 'agenda-set':
      case 'agenda-next':
        this.spend(msg.type);
        // The database answers first: the frames after this one wait for it.
        return hub.agendaAction(member, msg);
      case 'poll-create':
      case 'poll-open':
      case 'poll-close':
      case 'poll-vote':
        this.spend(msg.type);
        return hub.pollAction(member, msg);
      case 'report-request':
      case 'dialogue-end':
      case 'dialogue-title':
      case 'agenda-note':
      case 'on-air':
        this.spend(msg.type);
        return hub.reportAction(member, msg);
      default:
        // Through a cluster the room decides: the frames after this one wait for its answer.
        return hub.hostAction(member, msg);
    }
  }

  /**
   * Requests that cost the server more than a relay (a token signed, a database written): a person
   * unmutes or moves the agenda on a few times a minute, so COSTLY_REQUESTS at once and one every
   * two seconds after that; beyond, the request is refused with `rate-limited` and nothing is done.
   */
  private spend(type: ClientMessage['type']): void {
    this.costly ??= new TokenBucket(COSTLY_REQUESTS.burst, COSTLY_REQUESTS.perSecond);
    if (!this.costly.take()) throw new ProtocolError('rate-limited', `"${type}" too often: at most ${COSTLY_REQUESTS.burst} at once, then one every ${1 / COSTLY_REQUESTS.perSecond} s`);
  }

  private async join(msg: Extract<ClientMessage, { type: 'join' }>): Promise<void> {
    if (this.member || this.joining || this.waiting) throw new ProtocolError('already-joined', 'this connection is already in a room; send "leave" first');
    this.joining = true;
    try {
      const { auth, hub } = this.context;
      // A resume needs no token: the resume secret proves who it is, and a long meeting must
      // survive a network change after its token expired.
      const grant = auth && !(msg.resume && !msg.token) ? await auth.verify(msg.token, msg.room) : null;
      const member = await hub.join(this, {
        room: msg.room,
        name: grant?.name ?? msg.name,
        // Without a token the role asked for; the hub decides what an open room grants.
        role: grant?.role ?? msg.role ?? 'participant',
        fixedName: grant?.name !== undefined,
        state: msg.state ?? {},
        ...(msg.resume !== undefined ? { resume: msg.resume } : {}),
        ...(grant ? { subject: grant.subject, expiresAt: grant.expiresAt } : {}),
        ...(grant?.waitingRoom ? { waitingRoom: true } : {}),
        resumeOnly: auth !== null && grant === null,
      });
      if (!member) {
        // In the waiting room: the hub's own timeout bounds the wait, and closing the socket ends it.
        if (this.open) this.waiting = true;
        else hub.stopWaiting(this);
        this.stopJoinTimer();
      } else if (this.open) {
        this.member = member;
        this.stopJoinTimer();
      }
    } finally {
      this.joining = false;
    }
  }

  private reject(err: ProtocolError): void {
    this.error(err.code, err.message);
    if (OFFENCES.has(err.code) && this.limiter.offend() === 'disconnect') this.expel();
  }

  private expel(): void {
    if (this.ws.readyState !== this.ws.OPEN) return;
    this.error('rate-limited', 'too many frames or invalid frames: disconnected');
    const member = this.member;
    this.member = null;
    // Abuse is not a network accident: no resume grace.
    if (member) this.context.hub.leave(member);
    this.ws.close(1008, 'policy violation');
  }

  private error(code: ErrorCode, message: string): void {
    this.send(JSON.stringify({ type: 'error', code, message } satisfies ServerMessage));
  }
}
