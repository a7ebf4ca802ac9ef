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
 * Ideas one connection may submit (design §8): a person writes a few in a dialogue, so 5 at once and
 * one every 10 s after that; the room's and the author's caps (src/protocol/ideas.ts) hold beyond.
 */
export const IDEA_SUBMITS = { burst: 5, perSecond: 0.1 } as const;
/** Votes on ideas one connection may cast: a reader goes through a list quickly, so more of them. */
export const IDEA_VOTES = { burst: 60, perSecond: 2 } as const;
/**
 * Reading languages one connection may name (`idea-language`): each page says its own after every
 * welcome, and each new one may cost a translation per idea; a budget of its own, so that it never
 * takes from a host's requests (COSTLY_REQUESTS).
 */
export const IDEA_LANGUAGES = { burst: 4, perSecond: 0.1 } as const;
/**
 * ICE candidates one connection may relay to the media server (`sfu-candidate`): a browser gathers a
 * handful per PeerConnection and negotiation; a flood beyond is refused before it reaches Janus.
 */
export const SFU_CANDIDATES = { burst: 60, perSecond: 4 } as const;
/**
 * What one member may send through the server to its peers (`relay`, rooms on the media server):
 * what its browser would accept from one sender on a data channel (src/core/budget.ts
 * PEER_TOTAL_RATE: 80 at once, 22 a second), and bytes of `data` (a chat history of up to 16 KiB
 * per newcomer for the room's eldest, captions a few hundred bytes a few times a second).
 */
export const RELAY_BUDGET = { burst: 80, perSecond: 22, burstBytes: 128 * 1024, bytesPerSecond: 32 * 1024 } as const;
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
  /** Made at the first `relay`: messages, and bytes of their `data`. */
  private relays: { frames: TokenBucket; bytes: TokenBucket } | null = null;
  /** Told that its relays are dropped: not told again until its budget has refilled completely. */
  private relayNoticed = false;
  /** Idea submissions and votes: budgets of their own (IDEA_SUBMITS, IDEA_VOTES). */
  private ideaSubmits: TokenBucket | null = null;
  private ideaVotes: TokenBucket | null = null;
  private ideaLanguages: TokenBucket | null = null;

  constructor(
    private readonly ws: WebSocket,
    private readonly context: ConnectionContext,
    readonly address: string,
    readonly host?: string,
  ) {
    this.limiter = new ConnectionLimiter(context.rateLimit);
    this.awaitJoin();
    // What this server recognises, before any join: a pre-join screen says that speech would go here.
    if (context.asr) this.send(context.asr.hello);
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
      if (pending) return pending.catch((err: unknown) => this.fail(err, text));
    } catch (err) {
      this.fail(err, text);
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

  private fail(err: unknown, text?: string): void {
    // Refused idea requests are counted (stats().ideas.refused): floods, texts over the limit,
    // injection attempts. Told by the frame's type, whatever was wrong with the rest of it.
    if (text && /"type"\s*:\s*"idea-/.test(text.slice(0, 4096))) this.context.hub.ideaRefused();
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
      case 'relay':
        return this.relay(member, msg.to, msg.data);
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
      case 'idea-submit':
        this.ideaSubmits ??= new TokenBucket(IDEA_SUBMITS.burst, IDEA_SUBMITS.perSecond);
        if (!this.ideaSubmits.take()) throw new ProtocolError('rate-limited', `"idea-submit" too often: at most ${IDEA_SUBMITS.burst} at once, then one every ${1 / IDEA_SUBMITS.perSecond} s`);
        return hub.ideaAction(member, msg);
      case 'idea-vote':
        this.ideaVotes ??= new TokenBucket(IDEA_VOTES.burst, IDEA_VOTES.perSecond);
        if (!this.ideaVotes.take()) throw new ProtocolError('rate-limited', `"idea-vote" too often: at most ${IDEA_VOTES.burst} at once, then ${IDEA_VOTES.perSecond} a second`);
        return hub.ideaAction(member, msg);
      case 'idea-hide':
      case 'idea-merge':
        this.spend(msg.type);
        return hub.ideaAction(member, msg);
      case 'idea-language':
        this.ideaLanguages ??= new TokenBucket(IDEA_LANGUAGES.burst, IDEA_LANGUAGES.perSecond);
        if (!this.ideaLanguages.take()) throw new ProtocolError('rate-limited', `"idea-language" too often: at most ${IDEA_LANGUAGES.burst} at once, then one every ${1 / IDEA_LANGUAGES.perSecond} s`);
        hub.ideaLanguage(member, msg.lang);
        return;
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
   * A peer message through the server. Over the sender's budget it is dropped and counted; the
   * sender is told once (`rate-limited`), not for every frame of a flood, nor again until it has
   * stayed quiet long enough for its budget to refill completely.
   */
  private relay(member: LocalMember, to: string | undefined, data: string): void {
    const { hub } = this.context;
    this.relays ??= {
      frames: new TokenBucket(RELAY_BUDGET.burst, RELAY_BUDGET.perSecond),
      bytes: new TokenBucket(RELAY_BUDGET.burstBytes, RELAY_BUDGET.bytesPerSecond),
    };
    // Slowed down: a budget that refilled completely makes the next refusal worth telling again.
    if (this.relayNoticed && this.relays.frames.full()) this.relayNoticed = false;
    if (!this.relays.frames.take() || !this.relays.bytes.take(data.length)) {
      hub.relayDropped++;
      if (this.relayNoticed) return;
      this.relayNoticed = true;
      throw new ProtocolError(
        'rate-limited',
        `"relay" too often: at most ${RELAY_BUDGET.burst} messages (${RELAY_BUDGET.burstBytes} bytes) at once, then ${RELAY_BUDGET.perSecond} (${RELAY_BUDGET.bytesPerSecond} bytes) a second; dropped until you slow down`,
      );
    }
    hub.relayPeerMessage(member, to, data);
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
