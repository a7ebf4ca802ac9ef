import {
  MAX_FRAME_BYTES,
  parseServerMessage,
  ProtocolError,
  type ClientMessage,
  type ErrorCode,
  type Role,
  type ServerMessage,
  type StateUpdate,
} from '../protocol/signaling.js';
import { mark } from './marks.js';
import { takePreconnected } from './preconnect.js';
import { TypedEventTarget } from './typed-event-target.js';

export type SignalingState = 'idle' | 'connecting' | 'open' | 'reconnecting' | 'closed';

export interface JoinRequest {
  room: string;
  name: string;
  token?: string;
  role?: Role;
  state?: StateUpdate;
}

export type Welcome = Extract<ServerMessage, { type: 'welcome' }>;

/** True when `text` is more than MAX_FRAME_BYTES in UTF-8 (encoded only when its length leaves it open). */
export function overFrameLimit(text: string): boolean {
  if (text.length > MAX_FRAME_BYTES) return true;
  if (text.length * 3 <= MAX_FRAME_BYTES) return false;
  return new TextEncoder().encode(text).length > MAX_FRAME_BYTES;
}

/** An `error` frame from the server, or a failure to reach it. */
export class SignalingError extends Error {
  constructor(
    readonly code: ErrorCode | 'unreachable' | 'closed' | 'denied',
    message: string,
  ) {
    super(message);
    this.name = 'SignalingError';
  }
}

interface SignalingEvents {
  /** Every valid frame from the server after the welcome (and every resumed welcome). */
  message: CustomEvent<ServerMessage>;
  state: CustomEvent<{ state: SignalingState }>;
  /** The server answered a resume with a new identity: the old one was dropped. */
  'resumed-as-new': CustomEvent<Welcome>;
  /** The room is locked: we are in its waiting room until a host admits (welcome) or denies us. */
  waiting: CustomEvent<{ room: string }>;
}

/** Reconnect delays in ms; the last repeats until the 30 s resume window is over. */
const BACKOFF = [250, 500, 1000, 2000, 4000];
/** Close codes of the server (docs/protocol.md) after which reconnecting would be wrong. */
const CLOSE_RESUMED_ELSEWHERE = 4001;
const CLOSE_REPLACED = 4002;
/** A host removed us, or did not let us in: coming back is refused. */
const CLOSE_REMOVED = 4003;
const CLOSE_DENIED = 4004;
const RESUME_WINDOW_MS = 30_000;
const JOIN_TIMEOUT_MS = 10_000;

/**
 * The browser end of the signaling WebSocket. Joins a room, relays frames, and when the socket
 * drops reconnects with its resume token so that peers keep their links to us (design §6.2).
 */
export class SignalingClient extends TypedEventTarget<SignalingEvents> {
  #socket: WebSocket | undefined;
  #request: JoinRequest | undefined;
  #resumeToken: string | undefined;
  #retry = 0;
  #lostAt = 0;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  #state: SignalingState = 'idle';
  /** Our id in the room, once welcomed. */
  id: string | undefined;

  constructor(readonly url: string) {
    super();
  }

  get state(): SignalingState {
    return this.#state;
  }

  #setState(state: SignalingState) {
    if (this.#state === state) return;
    this.#state = state;
    this.dispatch('state', { state });
  }

  /** Connects and joins; resolves with the welcome, rejects with a {@link SignalingError}. */
  join(request: JoinRequest): Promise<Welcome> {
    this.#request = request;
    this.#resumeToken = undefined;
    this.#setState('connecting');
    return this.#connect();
  }

  #connect(): Promise<Welcome> {
    return new Promise<Welcome>((resolve, reject) => {
      let welcomed = false;
      /** In the waiting room on the current socket; how many times we have knocked again. */
      let waiting = false;
      let knocks = 0;
      const timer = setTimeout(() => {
        if (welcomed) return;
        this.#socket?.close();
        reject(new SignalingError('unreachable', `No answer from ${this.url}`));
      }, JOIN_TIMEOUT_MS);
      const use = (socket: WebSocket, preconnected: boolean) => {
        this.#socket = socket;
        const join = () => {
          if (!this.id) mark('socket-open');
          const { room, name, token, role, state } = this.#request!;
          this.#sendNow({ type: 'join', room, name, token, role, state, resume: this.#resumeToken });
        };
        socket.onopen = join;
        if (socket.readyState === WebSocket.OPEN) join();
        socket.onmessage = (event) => {
          let message: ServerMessage;
          try {
            message = parseServerMessage(String(event.data));
          } catch (err) {
            console.warn('un75: dropped a malformed frame from the server:', (err as ProtocolError).message);
            return;
          }
          // For a pre-join screen (./preconnect.ts); the welcome carries the same with a token.
          if (message.type === 'hello') return;
          if (!welcomed) {
            if (message.type === 'welcome') {
              welcomed = true;
              clearTimeout(timer);
              if (!this.id) mark('welcome');
              const resumedAsNew = this.#resumeToken !== undefined && this.id !== message.id;
              this.id = message.id;
              this.#resumeToken = message.resume;
              this.#retry = 0;
              this.#setState('open');
              if (resumedAsNew) this.dispatch('resumed-as-new', message);
              resolve(message);
              return;
            }
            if (message.type === 'waiting') {
              // The wait is a host's to end (or the server's, after its own timeout), not ours.
              waiting = true;
              clearTimeout(timer);
              this.dispatch('waiting', { room: message.room });
              return;
            }
            if (message.type === 'denied') {
              clearTimeout(timer);
              welcomed = true;
              this.#resumeToken = undefined;
              this.#setState('closed');
              socket.close();
              reject(new SignalingError('denied', 'a host did not let you into the room'));
              return;
            }
            // A socket opened ahead and kept past the server's timeout for sockets that do not
            // join: the server says so, and closes it (below).
            if (message.type === 'error' && message.code === 'not-joined' && preconnected) return;
            // The process holding us in a waiting room is going: we knock again when it has (below).
            if (message.type === 'error' && message.code === 'shutting-down' && waiting) return;
            if (message.type === 'error') {
              clearTimeout(timer);
              welcomed = true; // settled: a refused join is not retried
              this.#resumeToken = undefined;
              socket.close();
              reject(new SignalingError(message.code, message.message));
              return;
            }
          }
          this.dispatch('message', message);
        };
        socket.onclose = (event) => {
          if (this.#socket !== socket) return;
          this.#socket = undefined;
          // Closed before our join was answered, having been opened ahead: a new socket, once.
          if (!welcomed && preconnected) return open();
          // Waiting to be let in when the server went (a restart, a process of a cluster that died,
          // not a host's denial): knock again, a few times, and wait through the next one. The lock
          // and the hosts' decisions are the room's, not that process's.
          if (!welcomed && waiting && event.code !== CLOSE_DENIED && knocks < BACKOFF.length) {
            waiting = false;
            const delay = BACKOFF[knocks++]!;
            this.#retryTimer = setTimeout(() => {
              if (this.#state === 'closed') reject(new SignalingError('closed', 'left the waiting room'));
              else open();
            }, delay);
            return;
          }
          if (!welcomed) {
            clearTimeout(timer);
            reject(new SignalingError('unreachable', `Could not connect to ${this.url}`));
            return;
          }
          // Our membership went to another connection (the same person joined again, or resumed
          // elsewhere): coming back would only take it away from there in turn.
          if (event.code === CLOSE_RESUMED_ELSEWHERE || event.code === CLOSE_REPLACED || event.code === CLOSE_REMOVED || event.code === CLOSE_DENIED) {
            this.#setState('closed');
          }
          else this.#reconnectSoon();
        };
      };
      const open = () => {
        try {
          use(new WebSocket(this.url), false);
        } catch (err) {
          clearTimeout(timer);
          reject(new SignalingError('unreachable', `Cannot open ${this.url}: ${(err as Error).message}`));
        }
      };
      // A socket the pre-join screen opened (./preconnect.ts) is taken if it is there.
      const warm = takePreconnected(this.url);
      if (warm) use(warm, true);
      else open();
    });
  }

  /** The socket dropped after we were in: try to get back in within the resume window. */
  #reconnectSoon() {
    if (this.#state === 'closed' || this.#state === 'idle' || !this.#request) return;
    if (this.#state !== 'reconnecting') this.#lostAt = Date.now();
    this.#setState('reconnecting');
    const delay = BACKOFF[Math.min(this.#retry++, BACKOFF.length - 1)]!;
    this.#retryTimer = setTimeout(() => {
      // Past the window the server has forgotten us; the join still works and gives a new id.
      if (Date.now() - this.#lostAt > RESUME_WINDOW_MS) this.#resumeToken = undefined;
      this.#connect().catch((err: SignalingError) => {
        if (err.code === 'unreachable') this.#reconnectSoon();
        else {
          this.#setState('closed');
          this.dispatch('message', { type: 'error', code: err.code as ErrorCode, message: err.message });
        }
      });
    }, delay);
  }

  send(message: ClientMessage): void {
    // While reconnecting, frames are dropped: signals are retried by the mesh, state is re-sent on join.
    if (this.#state === 'open') this.#sendNow(message);
  }

  #sendNow(message: ClientMessage) {
    if (this.#socket?.readyState !== WebSocket.OPEN) return;
    const frame = JSON.stringify(message);
    // The server closes a socket that sends a frame over its limit: never send one. What could be
    // that large is an answer to an offer a peer made huge; the link fails, the socket stays.
    if (overFrameLimit(frame)) {
      console.warn(`un75: a ${message.type} frame over ${MAX_FRAME_BYTES} bytes not sent`);
      return;
    }
    this.#socket.send(frame);
  }


  /** Remembered so that a reconnect re-joins with the latest state. */
  update(state: StateUpdate): void {
    if (this.#request) this.#request.state = { ...this.#request.state, ...state };
    this.send({ type: 'update', ...state });
  }

  // ---- what a host may do (design §5.5); the server answers anyone else with `forbidden` ----

  /** Removes a member from the room; it cannot come back (docs/protocol.md says by what it is recognised). */
  remove(id: string): void {
    this.send({ type: 'remove', id });
  }

  /** Asks a member to mute; its page decides (nothing is forced). */
  requestMute(id: string): void {
    this.send({ type: 'request-mute', id });
  }

  /** Locks the room (newcomers wait to be admitted) or opens it again. */
  lock(on: boolean): void {
    this.send({ type: 'lock', on });
  }

  /** Lets someone in from the waiting room. */
  admit(id: string): void {
    this.send({ type: 'admit', id });
  }

  /** Turns someone in the waiting room away. */
  deny(id: string): void {
    this.send({ type: 'deny', id });
  }

  lowerHand(id: string): void {
    this.send({ type: 'lower-hand', id });
  }

  setRole(id: string, role: Role): void {
    this.send({ type: 'set-role', id, role });
  }

  close(): void {
    clearTimeout(this.#retryTimer);
    if (this.#state === 'open') this.#sendNow({ type: 'leave' });
    this.#setState('closed');
    const socket = this.#socket;
    this.#socket = undefined;
    socket?.close();
    this.id = undefined;
    this.#resumeToken = undefined;
  }
}
