// The Janus API over WebSocket (subprotocol `janus-protocol`): one session, plugin handles,
// transactions with timeouts. un75-signal is Janus's only client (design §4.1): the browsers never
// reach this API, so nothing here is exposed to them but what sfu.ts relays.
//
// Why our own client over `ws` rather than Meetecho's `janode`: janode's WebSocket transport pulls
// in `isomorphic-ws`/`ws` anyway, and its package depends on `unix-dgram`, a native add-on built
// with node-gyp at install (a compiler on every server that installs un75-signal, and a failed
// install where there is none). What we use of the API is small: create, keepalive, attach,
// message, trickle, detach, and the events of the handles we made.
import { randomBytes } from 'node:crypto';
import { WebSocket } from 'ws';

/** A description Janus sends or takes: only these two fields are ever passed on. */
export interface Jsep {
  type: 'offer' | 'answer';
  sdp: string;
}

export interface JanusCandidate {
  candidate: string;
  sdpMid?: string;
  sdpMLineIndex?: number;
}

/** An asynchronous event of one handle: a plugin event (with its jsep), a trickled candidate, or the state of its PeerConnection. */
export type HandleEvent =
  | { kind: 'plugin'; data: Record<string, unknown>; jsep?: Jsep }
  | { kind: 'trickle'; candidate: JanusCandidate | null }
  | { kind: 'state'; what: 'webrtcup' | 'hangup' | 'detached' | 'media' | 'slowlink'; detail: Record<string, unknown> };

/** Janus refused a request, or could not be asked. */
export class JanusError extends Error {
  constructor(
    message: string,
    readonly code?: number,
  ) {
    super(message);
    this.name = 'JanusError';
  }
}

export interface JanusClientOptions {
  url: string;
  apiSecret?: string;
  /** How long a request waits for Janus's answer. Default 10 s. */
  timeoutMs?: number;
  /** Keepalive period, well below Janus's session_timeout (60 s). Default 20 s. */
  keepaliveMs?: number;
  log?(line: string): void;
}

type Json = Record<string, unknown>;

interface Pending {
  resolve(value: Json): void;
  reject(err: Error): void;
  timer: NodeJS.Timeout;
  /** `message` requests are answered twice: an `ack`, then the plugin's `event`. Wait for the event. */
  waitEvent: boolean;
  what: string;
}

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

export class JanusClient {
  private ws: WebSocket | null = null;
  private sessionId: number | null = null;
  private readonly pending = new Map<string, Pending>();
  private readonly handles = new Map<number, (event: HandleEvent) => void>();
  private keepalive: NodeJS.Timeout | null = null;
  private lostListeners: ((reason: string) => void)[] = [];
  private closing = false;
  /** Requests sent to Janus since start (tests check that refused frames reach nothing). */
  requests = 0;
  private readonly timeoutMs: number;

  constructor(private readonly options: JanusClientOptions) {
    this.timeoutMs = options.timeoutMs ?? 10_000;
  }

  get connected(): boolean {
    return this.ws?.readyState === WebSocket.OPEN && this.sessionId !== null;
  }

  /** Calls `listener` once if the connection to Janus is lost after `connect()` (not on `close()`). */
  onLost(listener: (reason: string) => void): void {
    this.lostListeners.push(listener);
  }

  /** Opens the socket and creates the session; rejects with a sentence a person can act on. */
  async connect(): Promise<void> {
    const { url } = this.options;
    const ws = new WebSocket(url, 'janus-protocol', { handshakeTimeout: this.timeoutMs, maxPayload: 1024 * 1024, perMessageDeflate: false });
    this.ws = ws;
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', (err) => reject(new JanusError(`cannot reach Janus at ${url}: ${err.message}`)));
      ws.once('close', () => reject(new JanusError(`cannot reach Janus at ${url}: the connection closed`)));
    });
    ws.on('message', (data) => this.receive(data.toString()));
    ws.on('error', () => {});
    ws.on('close', () => this.lost('the connection to Janus closed'));
    let created: Json;
    try {
      created = await this.request({ janus: 'create' }, 'create a session');
    } catch (err) {
      this.close();
      throw err;
    }
    const data = created.data;
    if (!isObject(data) || typeof data.id !== 'number') {
      this.close();
      throw new JanusError('Janus answered "create" without a session id');
    }
    this.sessionId = data.id;
    this.keepalive = setInterval(() => {
      this.request({ janus: 'keepalive' }, 'keepalive').catch((err: unknown) => this.options.log?.(`un75-signal: Janus keepalive failed: ${(err as Error).message}`));
    }, this.options.keepaliveMs ?? 20_000);
    this.keepalive.unref();
  }

  /** Attaches a VideoRoom handle whose events go to `listener`. */
  async attach(listener: (event: HandleEvent) => void): Promise<number> {
    const answer = await this.request({ janus: 'attach', plugin: 'janus.plugin.videoroom' }, 'attach to the VideoRoom');
    const data = answer.data;
    if (!isObject(data) || typeof data.id !== 'number') throw new JanusError('Janus answered "attach" without a handle id');
    this.handles.set(data.id, listener);
    return data.id;
  }

  async detach(handle: number): Promise<void> {
    if (!this.handles.delete(handle) || !this.connected) return;
    await this.request({ janus: 'detach', handle_id: handle }, 'detach').catch(() => {});
  }

  /**
   * A VideoRoom request: resolves with the plugin's answer (`plugindata.data`, and the jsep the
   * event carries also goes to the handle's listener), rejects when the plugin reports an error.
   */
  async message(handle: number, body: Json, jsep?: Jsep): Promise<Json> {
    const answer = await this.request({ janus: 'message', handle_id: handle, body, ...(jsep ? { jsep: { type: jsep.type, sdp: jsep.sdp } } : {}) }, `"${String(body.request)}"`);
    const plugindata = answer.plugindata;
    const data = isObject(plugindata) && isObject(plugindata.data) ? plugindata.data : {};
    if (typeof data.error_code === 'number') throw new JanusError(`the VideoRoom refused "${String(body.request)}": ${String(data.error)}`, data.error_code);
    return data;
  }

  /** A candidate of the browser's (null: it has no more). */
  async trickle(handle: number, candidate: JanusCandidate | null): Promise<void> {
    await this.request({ janus: 'trickle', handle_id: handle, candidate: candidate ?? { completed: true } }, 'trickle');
  }

  close(): void {
    this.closing = true;
    if (this.keepalive) clearInterval(this.keepalive);
    this.keepalive = null;
    this.failAll(new JanusError('the Janus client is closed'));
    this.handles.clear();
    this.ws?.close();
    this.ws = null;
    this.sessionId = null;
  }

  private request(body: Json, what: string): Promise<Json> {
    const ws = this.ws;
    if (!ws || ws.readyState !== WebSocket.OPEN) return Promise.reject(new JanusError(`Janus is not connected (${what})`));
    const transaction = randomBytes(9).toString('base64url');
    const frame: Json = { ...body, transaction };
    if (this.options.apiSecret) frame.apisecret = this.options.apiSecret;
    if (body.janus !== 'create') frame.session_id = this.sessionId;
    return new Promise<Json>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(transaction);
        reject(new JanusError(`Janus did not answer ${what} within ${this.timeoutMs} ms`));
      }, this.timeoutMs);
      timer.unref();
      this.pending.set(transaction, { resolve, reject, timer, waitEvent: body.janus === 'message', what });
      this.requests++;
      ws.send(JSON.stringify(frame));
    });
  }

  private receive(text: string): void {
    let msg: unknown;
    try {
      msg = JSON.parse(text);
    } catch {
      return;
    }
    if (!isObject(msg) || typeof msg.janus !== 'string') return;
    const sender = typeof msg.sender === 'number' ? msg.sender : null;
    const listener = sender === null ? undefined : this.handles.get(sender);
    if (listener) this.toHandle(listener, msg);
    const transaction = typeof msg.transaction === 'string' ? msg.transaction : null;
    const pending = transaction === null ? undefined : this.pending.get(transaction);
    if (!pending) return;
    if (msg.janus === 'ack' && pending.waitEvent) return;
    this.pending.delete(transaction!);
    clearTimeout(pending.timer);
    if (msg.janus === 'error') {
      const error = isObject(msg.error) ? msg.error : {};
      const code = typeof error.code === 'number' ? error.code : undefined;
      // 403: Unauthorized request (wrong or missing secret/token).
      const hint = code === 403 ? ' (is --janus-api-secret the api_secret of janus.jcfg?)' : '';
      pending.reject(new JanusError(`Janus refused ${pending.what}: ${String(error.reason ?? 'error')}${hint}`, code));
      // 458: No such session. Janus dropped ours (no keepalive for session_timeout: this process was
      // stalled, or Janus restarted behind a proxy): everything made in it is gone.
      if (code === 458 && this.sessionId !== null) {
        this.ws?.close();
        this.lost('Janus no longer knows our session');
      }
      return;
    }
    pending.resolve(msg);
  }

  private toHandle(listener: (event: HandleEvent) => void, msg: Json): void {
    switch (msg.janus) {
      case 'event': {
        const plugindata = msg.plugindata;
        const data = isObject(plugindata) && isObject(plugindata.data) ? plugindata.data : {};
        const j = msg.jsep;
        const jsep: Jsep | undefined = isObject(j) && (j.type === 'offer' || j.type === 'answer') && typeof j.sdp === 'string' ? { type: j.type, sdp: j.sdp } : undefined;
        listener(jsep ? { kind: 'plugin', data, jsep } : { kind: 'plugin', data });
        return;
      }
      case 'trickle': {
        const c = msg.candidate;
        if (!isObject(c)) return;
        if (c.completed === true) return listener({ kind: 'trickle', candidate: null });
        if (typeof c.candidate !== 'string') return;
        listener({
          kind: 'trickle',
          candidate: {
            candidate: c.candidate,
            ...(typeof c.sdpMid === 'string' ? { sdpMid: c.sdpMid } : {}),
            ...(typeof c.sdpMLineIndex === 'number' ? { sdpMLineIndex: c.sdpMLineIndex } : {}),
          },
        });
        return;
      }
      case 'webrtcup':
      case 'hangup':
      case 'detached':
      case 'media':
      case 'slowlink':
        listener({ kind: 'state', what: msg.janus, detail: msg });
        return;
    }
  }

  private failAll(err: Error): void {
    for (const [transaction, pending] of this.pending) {
      clearTimeout(pending.timer);
      this.pending.delete(transaction);
      pending.reject(err);
    }
  }

  private lost(reason: string): void {
    if (this.keepalive) clearInterval(this.keepalive);
    this.keepalive = null;
    this.failAll(new JanusError(`Janus was lost: ${reason}`));
    const wasUp = this.sessionId !== null;
    this.sessionId = null;
    this.handles.clear();
    if (this.closing || !wasUp) return;
    for (const listener of this.lostListeners.splice(0)) listener(reason);
  }
}
