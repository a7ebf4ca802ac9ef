import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { MAX_FRAME_BYTES } from '../src/protocol/signaling.js';
import { AsrGateway, type AsrOptions, type AsrStats } from './asr.js';
import { Agendas } from './agendas.js';
import { Aggregator, type AggregatorConfig } from './aggregator.js';
import { ReportSubmitter, type SubmitterOptions } from './submitter.js';
import { Polls } from './polls.js';
import { Ideas, type IdeaStats } from './ideas.js';
import { ServerTranslator } from './translate.js';
import { Dialogues } from './dialogues.js';
import type { DialogueReport } from '../src/protocol/report.js';
import { JoinAuthenticator } from './auth.js';
import type { Cluster, HeldMember } from './cluster.js';
import { Connection, type ConnectionContext } from './connection.js';
import { DEFAULT_RATE_LIMIT, LogThrottle, TokenBucket, type RateLimitOptions } from './rate-limit.js';
import { RedisCluster, type RoomRules } from './redis-bus.js';
import { DEFAULT_ROOM_RULES, Hub, type HubStats, type LocalMember } from './rooms.js';
import { createStaticHandler, type StaticOptions } from './static.js';
import { SfuGateway, type SfuStats } from './sfu.js';
import { DEFAULT_STUN_LIMITS, StunServer, stunUrlFor, type StunLimits, type StunStats } from './stun.js';
import { iceServersFor, type TurnOptions } from './turn.js';

export type { RateLimitOptions } from './rate-limit.js';
export type { TurnOptions } from './turn.js';
export type { HubStats } from './rooms.js';
export type { StunLimits, StunStats } from './stun.js';
export type { StaticOptions } from './static.js';
export type { AsrOptions, AsrStats } from './asr.js';
export type { SfuStats } from './sfu.js';
export { writeJanusConfig, type JanusConfigOptions } from './janus-config.js';
export { parseAggregatorConfig, type AggregatorConfig, type AggregatorStats, type Outcomes } from './aggregator.js';
export type { SubmitterOptions } from './submitter.js';

export interface SignalingServerOptions {
  /** 0 picks a free port (read it from `address` after `listen()`). Default 8080. */
  port?: number;
  /** Default 127.0.0.1; `0.0.0.0` or `::` to accept connections from other machines. */
  host?: string;
  /** Directory of static files served next to the WebSocket. */
  staticDir?: string;
  /** Where `/un75-meeting.min.js` is read from. Default: this package's `dist/`. */
  bundleDir?: string;
  /** Memory cache and Content-Security-Policy of the files served. */
  staticOptions?: StaticOptions;
  /** Members per room (a full mesh grows as n²). Default 8. */
  maxRoomSize?: number;
  /** Open WebSockets per process, members waiting for a resume included. Default 20,000. */
  maxConnections?: number;
  /** Ping interval; a socket that misses two pings is dropped. Default 15,000 ms. */
  heartbeatMs?: number;
  /** How long a member whose socket vanished keeps its place for a resume. Default 30,000 ms. */
  resumeGraceMs?: number;
  /** When set, a join needs an HS256 token signed with it (design §6.3); at least 32 bytes. */
  jwtSecret?: string;
  /** How long someone may wait to be admitted to a locked room before being turned away (ms). Default 600,000. */
  waitingRoomMs?: number;
  /** Bars and waiting-room bounds: how long a removal and a denial bar, how many bars and waiters a room keeps. */
  roomRules?: Partial<RoomRules>;
  /**
   * Without `jwtSecret`: a page that asks to interpret is granted it, instead of waiting for a host
   * to grant it. For development, demos and closed kiosks only: on a public server anyone could
   * take an interpretation channel.
   */
  trustAskedRoles?: boolean;
  /** With `jwtSecret`: tokens must carry this `aud`. */
  jwtAudience?: string;
  /** With `jwtSecret`: tokens must carry this `iss`. */
  jwtIssuer?: string;
  /** With `jwtSecret`: tokens valid for longer than this (from now) are refused. Default 86,400 s. */
  jwtMaxLifetimeSeconds?: number;
  /**
   * Sockets per client address, members waiting for a resume included; also the handshake burst
   * per address (refilled at a tenth of it per second). 0 = no limit. Default 64.
   */
  maxPerAddress?: number;
  /** The client address is the last `X-Forwarded-For` entry (set it behind a reverse proxy only). */
  trustProxy?: boolean;
  /** A socket that has not joined a room this long after opening (or after leaving one) is closed. Default 10,000 ms. */
  joinTimeoutMs?: number;
  /** When non-empty, WebSocket handshakes from other origins are refused. */
  allowedOrigins?: string[];
  /** STUN servers handed to clients instead of this server's own. */
  stunUrls?: string[];
  /**
   * Answer STUN Binding requests on UDP at the HTTP port number and hand clients
   * `stun:<host they connected to>:<port>`. Default true unless `stunUrls` is given.
   */
  stun?: boolean;
  stunLimits?: Partial<StunLimits>;
  turn?: Omit<TurnOptions, 'ttlSeconds'> & { ttlSeconds?: number };
  /** `redis://…` URL: share rooms with every other process using the same Redis. */
  redis?: string;
  /**
   * Where a room's outcomes (its agenda, design §8) are kept: a folder for an embedded PGlite
   * database, kept across restarts. Without it and without `database`, PGlite in memory (opened on
   * first use, gone at exit). One process only: several processes share `database`.
   */
  dataDir?: string;
  /** `postgres://…` URL of a PostgreSQL server keeping the outcomes (shared by every process). */
  database?: string;
  /**
   * A LibreTranslate-compatible API (`POST /translate {q, source, target, format}` →
   * `{translatedText}`; the URL of its `/translate`, or of the server): the server translates each
   * idea once into every language spoken in its room, stores it and labels it machine-translated.
   * Without it ideas stay in their original language. `translationApiKey`: its `api_key`.
   */
  translationEndpoint?: string;
  translationApiKey?: string;
  /** How long a room stays empty before its dialogue ends and its final report is made (ms). Default 120,000. */
  dialogueEndMs?: number;
  /**
   * Called once per dialogue when it ends (a host's "End dialogue", or its room empty for
   * `dialogueEndMs`), on the process that ended it, with the final report as stored in the database
   * (table `dialogue_reports`): e.g. to submit it to an aggregator. Exceptions are logged.
   */
  onFinalReport?: (report: DialogueReport, room: string) => void;
  rateLimit?: Partial<RateLimitOptions>;
  /**
   * Server speech recognition (design §5.1, `--asr LANG=URL`): Vosk-protocol recognisers per
   * language that browsers reach through `/asr` on this server, never directly. Tokens are signed
   * with a key derived from `jwtSecret` when there is one (so every process of a cluster accepts
   * each other's), else a random one per process.
   */
  asr?: AsrOptions;
  /**
   * A media server for large rooms (design §4.1, docs/large-rooms.md): Janus's WebSocket API (a
   * private address), its `api_secret` and VideoRoom `admin_key`. Rooms of at most `meshMax`
   * members (default 4) are meshes; with `meshMax: 0` every room is on the media server. One
   * process only for now (not with `redis`).
   */
  janus?: { url: string; apiSecret?: string; adminKey?: string; meshMax?: number; timeoutMs?: number };
  /**
   * Run as an aggregator (design §6.1, §8; `--aggregator --partners FILE`): take partners' signed
   * dialogue reports at `POST /v1/programmes/{programme}/reports` and answer the totals at
   * `GET /v1/programmes/{programme}/outcomes` (docs/outcomes.md, "Aggregation"). Reports are kept in
   * `dataDir` or `database` (in memory without either: lost at exit).
   */
  aggregator?: AggregatorConfig;
  /** Send this server's final dialogue reports, signed, to an aggregator (`--submit-to URL --report-key FILE`). */
  submitTo?: SubmitterOptions;
  /** Where log lines go. Default console.error. */
  log?: (line: string) => void;
}

export interface ServerStats extends HubStats {
  connections: number;
  /** Server speech recognition; absent without `asr`. */
  asr?: AsrStats;
  /**
   * The media server; absent without `janus`. With it, `relayed`: peer messages (`relay`) delivered
   * in its rooms, one per recipient; `relayDropped`: refused over their sender's budget.
   */
  sfu?: SfuStats & { relayed: number; relayDropped: number };
  /** Ideas stored and refused, machine translations; absent when the server keeps no outcomes. */
  ideas?: IdeaStats;
}

export interface SignalingServer {
  listen(): Promise<AddressInfo>;
  /** Tells every client `shutting-down`, closes their sockets and stops listening. */
  close(): Promise<void>;
  /** The address it listens on, once listening. */
  readonly address: AddressInfo | null;
  /** The listening URL (`http://host:port`), once listening. */
  readonly url: string | null;
  stats(): ServerStats;
  /** The built-in STUN server's counters; null when it does not run (`stun: false` or `stunUrls`). */
  stunStats(): StunStats | null;
  /**
   * With `submitTo`: keeps a final dialogue report (un75:dialogue-report/1) in the database and
   * sends it, signed, to the aggregator, retrying until it is taken (across restarts). Resolves once
   * it is kept, not once it is sent.
   */
  submitReport(report: { reportId: string }): Promise<void>;
}

/** Refreshed with every welcome (a resume included), so an hour is plenty and a leaked credential soon dies. */
const DEFAULT_TURN_TTL_SECONDS = 3600;
const DEFAULT_MAX_PER_ADDRESS = 64;
/** Handshake buckets kept for addresses at most; beyond, idle ones are forgotten at once. */
const MAX_TRACKED_ADDRESSES = 100_000;

export function createSignalingServer(options: SignalingServerOptions = {}): SignalingServer {
  return new Un75SignalingServer(options);
}

class Un75SignalingServer implements SignalingServer {
  private readonly http: Server;
  private readonly wss: WebSocketServer;
  private readonly hub: Hub;
  private readonly asr: AsrGateway | null;
  private readonly asrSockets: WebSocketServer | null;
  private readonly stun: StunServer | null;
  private readonly cluster: Cluster | null;
  private readonly agendas: Agendas | null;
  private readonly ideas: Ideas | null;
  private readonly sfu: SfuGateway | null;
  private readonly aggregator: Aggregator | null;
  private readonly submitter: ReportSubmitter | null;
  private readonly connections = new Map<WebSocket, Connection>();
  private readonly allowedOrigins: Set<string> | null;
  private readonly maxConnections: number;
  private readonly maxPerAddress: number;
  /** Open sockets per client address. */
  private readonly perAddress = new Map<string, number>();
  /** Handshakes per client address. */
  private readonly handshakes = new Map<string, TokenBucket>();
  private readonly heartbeatMs: number;
  private readonly resumeGraceMs: number;
  private readonly log: (line: string) => void;
  private readonly timers: NodeJS.Timeout[] = [];
  private closing: Promise<void> | null = null;
  private presenceRunning = false;

  constructor(private readonly options: SignalingServerOptions) {
    this.log = options.log ?? ((line) => console.error(line));
    this.maxConnections = options.maxConnections ?? 20_000;
    this.maxPerAddress = options.maxPerAddress ?? DEFAULT_MAX_PER_ADDRESS;
    this.heartbeatMs = options.heartbeatMs ?? 15_000;
    this.resumeGraceMs = options.resumeGraceMs ?? 30_000;
    this.allowedOrigins = options.allowedOrigins?.length ? new Set(options.allowedOrigins.map(normalizeOrigin)) : null;
    const turn: TurnOptions | undefined = options.turn && {
      urls: options.turn.urls,
      secret: options.turn.secret,
      ttlSeconds: options.turn.ttlSeconds ?? DEFAULT_TURN_TTL_SECONDS,
    };
    const stunUrls = options.stunUrls ?? [];
    this.stun =
      !stunUrls.length && options.stun !== false ? new StunServer({ ...DEFAULT_STUN_LIMITS, ...options.stunLimits }) : null;
    const rules: RoomRules = { ...DEFAULT_ROOM_RULES, ...options.roomRules };
    this.cluster = options.redis
      ? new RedisCluster(options.redis, {
          log: this.log,
          presenceMs: this.presenceMs,
          attachMs: this.heartbeatMs,
          openRooms: !options.jwtSecret,
          rules,
        })
      : null;
    const asrOptions = options.asr && Object.keys(options.asr.backends).length ? options.asr : null;
    this.asr = asrOptions
      ? new AsrGateway({ ...(options.jwtSecret ? { secret: options.jwtSecret } : {}), ...asrOptions }, this.log)
      : null;
    // 100 ms of audio is 3.2 KB; a frame over the protocol's limit is refused by ws unread.
    this.asrSockets = this.asr ? new WebSocketServer({ noServer: true, maxPayload: 64 * 1024, perMessageDeflate: false }) : null;
    const asr = this.asr;
    if (options.janus && options.redis) throw new Error('a media server (--janus) works with one process for now, not with --redis');
    this.sfu = options.janus
      ? new SfuGateway({
          janus: options.janus.url,
          ...(options.janus.apiSecret ? { apiSecret: options.janus.apiSecret } : {}),
          ...(options.janus.adminKey ? { adminKey: options.janus.adminKey } : {}),
          ...(options.janus.timeoutMs ? { timeoutMs: options.janus.timeoutMs } : {}),
          meshMax: options.janus.meshMax ?? 4,
          // Members on the media server are the hub's LocalMembers (connection.ts hands them over).
          deliver: (member, out) => this.hub.sendTo(member as LocalMember, out),
          log: this.log,
        })
      : null;
    const sfu = this.sfu;
    if (options.dataDir && options.database) throw new Error('dataDir and database exclude each other');
    if (options.dataDir && options.redis) {
      throw new Error('a PGlite folder (--data-dir) belongs to one process: processes sharing rooms through Redis share a PostgreSQL (--database)');
    }
    // Several processes without a shared database would each keep their own agenda: none then.
    this.agendas = options.database
      ? new Agendas({ kind: 'postgres', url: options.database }, true)
      : options.dataDir
        ? new Agendas({ kind: 'pglite', dataDir: options.dataDir }, true)
        : options.redis
          ? null
          : new Agendas({ kind: 'pglite' }, false);
    const translator = options.translationEndpoint
      ? new ServerTranslator({ endpoint: options.translationEndpoint, ...(options.translationApiKey ? { apiKey: options.translationApiKey } : {}), log: this.log })
      : null;
    this.ideas = this.agendas && new Ideas(this.agendas, translator);
    const polls = this.agendas && new Polls(this.agendas);
    if ((options.aggregator || options.submitTo) && !this.agendas) {
      throw new Error('an aggregator (--aggregator) and a report submitter (--submit-to) keep reports in a database: with --redis, give --database');
    }
    const agendas = this.agendas!;
    this.aggregator = options.aggregator ? new Aggregator(options.aggregator, () => agendas.database(), this.log) : null;
    this.submitter = options.submitTo ? new ReportSubmitter(options.submitTo, () => agendas.database(), this.log) : null;
    const submitter = this.submitter;
    // A dialogue's final report goes upstream (--submit-to: kept in the outbox until the aggregator
    // has it) and to the embedder's own callback.
    const onFinalReport =
      submitter || options.onFinalReport
        ? (report: DialogueReport, room: string) => {
            if (submitter) submitter.submit(report).catch((err: unknown) => this.log(`un75-signal: the final report of room "${room}" was not queued for the aggregator: ${err instanceof Error ? err.message : String(err)}`));
            options.onFinalReport?.(report, room);
          }
        : undefined;
    this.hub = new Hub({
      agendas: this.agendas,
      polls,
      ideas: this.ideas,
      dialogues: this.agendas && polls && new Dialogues(this.agendas, polls, this.log),
      ...(options.dialogueEndMs !== undefined ? { dialogueEndMs: options.dialogueEndMs } : {}),
      ...(onFinalReport ? { onFinalReport } : {}),
      maxRoomSize: options.maxRoomSize ?? 8,
      resumeGraceMs: this.resumeGraceMs,
      iceServers: (id, client) => iceServersFor(id, this.stun ? this.ownStunUrls(client?.host) : stunUrls, turn),
      ...(this.cluster ? { cluster: this.cluster } : {}),
      openRooms: !options.jwtSecret,
      trustAskedRoles: options.trustAskedRoles === true,
      rules,
      ...(options.waitingRoomMs !== undefined ? { waitingRoomMs: options.waitingRoomMs } : {}),
      // A member is attached for a heartbeat past its process's last refresh (see presenceMs).
      resumeWaitMs: Math.ceil(this.heartbeatMs * 1.2),
      ...(asr ? { asrOffer: (m: { id: string; room: string; info: { spokenLanguage: string } }) => asr.offer({ id: m.id, room: m.room, language: m.info.spokenLanguage }) } : {}),
      ...(asr || sfu
        ? {
            memberLeft: (room: string, id: string) => {
              asr?.memberLeft(room, id);
              sfu?.memberLeft(room, id);
            },
          }
        : {}),
      ...(sfu ? { callMode: (room: string) => sfu.mode(room) } : {}),
      log: this.log,
    });
    const context: ConnectionContext = {
      hub: this.hub,
      auth: options.jwtSecret
        ? new JoinAuthenticator({
            secret: options.jwtSecret,
            ...(options.jwtAudience !== undefined ? { audience: options.jwtAudience } : {}),
            ...(options.jwtIssuer !== undefined ? { issuer: options.jwtIssuer } : {}),
            ...(options.jwtMaxLifetimeSeconds !== undefined ? { maxLifetimeSeconds: options.jwtMaxLifetimeSeconds } : {}),
          })
        : null,
      asr,
      sfu,
      rateLimit: { ...DEFAULT_RATE_LIMIT, ...options.rateLimit },
      joinTimeoutMs: options.joinTimeoutMs ?? 10_000,
      log: this.log,
      frameLog: new LogThrottle(this.log),
    };

    const files = createStaticHandler(options.staticDir, options.bundleDir, options.staticOptions);
    const aggregator = this.aggregator;
    this.http = createServer(aggregator ? (req, res) => aggregator.handle(req, res) || files(req, res) : files);
    // A little above the protocol limit, so that a frame slightly too large gets an error frame
    // (frame-too-large) instead of a closed socket, while a huge one is refused by ws unread.
    this.wss = new WebSocketServer({ noServer: true, maxPayload: 2 * MAX_FRAME_BYTES, perMessageDeflate: false });
    this.http.on('upgrade', (req, socket, head) => this.upgrade(req, socket, head));
    // One listener of each kind for every socket, finding its connection by the socket: a closure
    // per socket and event would hold some hundreds of bytes on each of tens of thousands of them.
    const connections = this.connections;
    const onMessage = function (this: WebSocket, data: RawData, isBinary: boolean) {
      connections.get(this)?.receive(data, isBinary);
    };
    const onPong = function (this: WebSocket) {
      const connection = connections.get(this);
      if (connection) connection.missedPings = 0;
    };
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- the listener's own `this` is the socket
    const server = this;
    const onClose = function (this: WebSocket, code: number) {
      server.closed(this, code);
    };
    this.wss.on('connection', (ws: WebSocket, address: string, host: string | undefined) => {
      const connection = new Connection(ws, context, address, host);
      this.connections.set(ws, connection);
      this.perAddress.set(address, (this.perAddress.get(address) ?? 0) + 1);
      ws.on('message', onMessage);
      ws.on('pong', onPong);
      // 'close' always follows an error; nothing else to do with it than not crash.
      ws.on('error', ignore);
      ws.on('close', onClose);
      // Members waiting for a resume hold memory and a place like a socket: they count too.
      if (this.connections.size + this.hub.waitingForResume() > this.maxConnections) {
        connection.shutDown('server-full', 'this server has no room for more connections; try again later', 1013);
      } else if (this.closing) {
        connection.shutDown('shutting-down', 'the server is shutting down', 1012);
      }
    });
  }

  private closed(ws: WebSocket, code: number): void {
    const connection = this.connections.get(ws);
    if (!connection) return;
    this.connections.delete(ws);
    const left = this.perAddress.get(connection.address)! - 1;
    if (left) this.perAddress.set(connection.address, left);
    else this.perAddress.delete(connection.address);
    connection.closed(code);
  }

  get address(): AddressInfo | null {
    const address = this.http.address();
    return address && typeof address === 'object' ? address : null;
  }

  get url(): string | null {
    const address = this.address;
    if (!address) return null;
    const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    return `http://${host}:${address.port}`;
  }

  async listen(): Promise<AddressInfo> {
    const database = await this.agendas?.start();
    if (database) this.log(`un75-signal: outcomes kept in ${database}`);
    await this.aggregator?.start();
    if (this.aggregator || this.submitter) {
      // Reports are taken (or sent) from the start: the database is opened now, in memory too.
      const store = await this.agendas!.database();
      if (!database) this.log(`un75-signal: reports kept in ${store.description}: lost at exit (give --data-dir or --database)`);
    }
    if (this.aggregator) this.log(`un75-signal: aggregator: ${Object.keys(this.options.aggregator!.partners).length} partners, programmes ${Object.keys(this.options.aggregator!.programmes).join(', ')}`);
    if (this.submitter) this.submitter.start();
    if (this.cluster) await this.cluster.start(this.hub);
    if (this.sfu) {
      await this.sfu.start();
      this.log(`un75-signal: media server (Janus) connected; rooms ${this.options.janus?.meshMax === 0 ? 'are on it from their first member' : 'stay meshes (moving a room to it is not built yet: --mesh-max 0 puts every room on it)'}`);
    }
    await new Promise<void>((resolve, reject) => {
      this.http.once('error', reject);
      this.http.listen(this.options.port ?? 8080, this.options.host ?? '127.0.0.1', () => {
        this.http.off('error', reject);
        resolve();
      });
    });
    if (this.stun) {
      const { address, port } = this.address!;
      try {
        await this.stun.listen(port, address);
      } catch (err) {
        // A busy UDP port costs the built-in STUN server, not the signaling.
        this.log(`un75-signal: no STUN on UDP port ${port}: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    this.every(this.heartbeatMs, () => {
      for (const connection of this.connections.values()) connection.heartbeat();
      const cluster = this.cluster;
      this.asr?.heartbeat(cluster ? async (room, id) => (await cluster.role(room, id)) !== null : undefined);
      this.forgetIdleAddresses();
      this.hub.sweepBars();
    });
    // Presence is refreshed three times per expiry, so one slow round trip does not expire anyone.
    if (this.cluster) this.every(Math.max(50, Math.floor(this.heartbeatMs / 3)), () => void this.presence());
    return this.address!;
  }

  stats(): ServerStats {
    return {
      connections: this.connections.size,
      ...this.hub.stats(),
      ...(this.asr ? { asr: this.asr.stats() } : {}),
      ...(this.sfu ? { sfu: { ...this.sfu.stats(), relayed: this.hub.relayed, relayDropped: this.hub.relayDropped } } : {}),
      ...(this.ideas ? { ideas: this.ideas.stats() } : {}),
    };
  }

  stunStats(): StunStats | null {
    return this.stun?.stats() ?? null;
  }

  async submitReport(report: { reportId: string }): Promise<void> {
    if (!this.submitter) throw new Error('this server sends no reports: start it with submitTo (--submit-to URL --report-key FILE)');
    await this.submitter.submit(report);
  }

  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    for (const timer of this.timers.splice(0)) clearInterval(timer);
    await this.submitter?.stop();
    const { members, waiters } = this.hub.shutdown();
    if (this.cluster) {
      // Members stay in their rooms for the resume grace, so their clients can come back through
      // another process without their peers ever seeing them leave.
      // Their sockets are being closed: detached, so that any process may take them.
      const byRoom = new Map<string, HeldMember[]>();
      for (const m of members) byRoom.set(m.room, [...(byRoom.get(m.room) ?? []), { id: m.id, attached: false }]);
      // Waiters come off the lists: their clients wait again through another process.
      await Promise.all([
        ...[...byRoom].map(([room, held]) => this.cluster!.refresh(room, held, [], this.resumeGraceMs).catch(() => {})),
        ...waiters.map(({ room, id }) => this.cluster!.unwait(room, id).catch(() => {})),
      ]);
    }
    for (const connection of this.connections.values()) {
      connection.shutDown('shutting-down', 'the server is shutting down', 1012);
    }
    this.asr?.closeAll();
    const closed = new Promise<void>((resolve) => this.http.close(() => resolve()));
    this.http.closeIdleConnections();
    // Clients get a moment to answer the close handshake; then whatever is left is cut.
    const deadline = Date.now() + 2000;
    while (this.connections.size && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    for (const ws of this.connections.keys()) ws.terminate();
    this.http.closeAllConnections();
    this.wss.close();
    for (const ws of this.asrSockets?.clients ?? []) ws.terminate();
    this.asrSockets?.close();
    await closed;
    await this.stun?.close();
    await this.cluster?.close();
    await this.agendas?.close();
    await this.sfu?.close();
  }

  private upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    // No closure here may reach `req`: the socket's listeners live as long as the connection, and
    // a closure keeps its function's whole scope (the request and its headers: about 1.5 KB a socket).
    socket.on('error', destroySocket);
    const url = new URL(req.url ?? '/', 'http://localhost');
    const pathname = url.pathname;
    if (pathname !== '/signal' && !(pathname === '/asr' && this.asr)) return refuse(socket, 404, 'Not Found');
    if (this.allowedOrigins) {
      const origin = req.headers.origin;
      if (!origin || !this.allowedOrigins.has(normalizeOrigin(origin))) return refuse(socket, 403, 'Forbidden');
    }
    const address = this.clientAddress(req);
    if (this.maxPerAddress > 0) {
      const held = (this.perAddress.get(address) ?? 0) + this.hub.waitingForResume(address);
      if (held >= this.maxPerAddress || !this.handshakeBucket(address).take()) return refuse(socket, 429, 'Too Many Requests');
    }
    if (pathname === '/asr') {
      if (this.closing) return refuse(socket, 503, 'Service Unavailable');
      // The token is checked once the socket is open, so that the browser can be told why it is refused.
      const token = url.searchParams.get('token');
      const asr = this.asr!;
      this.asrSockets!.handleUpgrade(req, socket, head, (ws) => asr.accept(ws, token));
      return;
    }
    const host = req.headers.host;
    this.wss.handleUpgrade(req, socket, head, (ws) => this.wss.emit('connection', ws, address, host));
  }

  /** Where a handshake comes from: the peer address, or what the trusted proxy in front of us says. */
  private clientAddress(req: IncomingMessage): string {
    if (this.options.trustProxy) {
      const forwarded = req.headers['x-forwarded-for'];
      const last = (Array.isArray(forwarded) ? forwarded.join(',') : (forwarded ?? '')).split(',').pop()?.trim();
      if (last) return last;
    }
    const address = req.socket.remoteAddress ?? '';
    return address.startsWith('::ffff:') ? address.slice(7) : address;
  }

  private handshakeBucket(address: string): TokenBucket {
    let bucket = this.handshakes.get(address);
    if (!bucket) {
      if (this.handshakes.size >= MAX_TRACKED_ADDRESSES) this.forgetIdleAddresses(true);
      bucket = new TokenBucket(this.maxPerAddress, this.maxPerAddress / 10);
      this.handshakes.set(address, bucket);
    }
    return bucket;
  }

  /** Buckets that have refilled are the same as new ones: forget them (all of them when `all`). */
  private forgetIdleAddresses(all = false): void {
    if (all) this.handshakes.clear();
    else for (const [address, bucket] of this.handshakes) if (bucket.full()) this.handshakes.delete(address);
  }

  /** This server's own STUN address as the client reached it; none if it cannot be told or is not bound. */
  private ownStunUrls(host: string | undefined): string[] {
    const port = this.stun?.port;
    const url = port ? stunUrlFor(host, port) : null;
    return url ? [url] : [];
  }

  /**
   * How long a member stays present in the cluster without a refresh: two heartbeats, like a
   * socket's two missed pings, so a busy process can miss a few refreshes without its members
   * being dropped by the others.
   */
  private get presenceMs(): number {
    return 2 * this.heartbeatMs;
  }

  /** Keeps this process's members alive in the cluster and removes those of processes that died. */
  private async presence(): Promise<void> {
    if (this.presenceRunning) return;
    this.presenceRunning = true;
    const cluster = this.cluster!;
    try {
      await Promise.all(
        [...this.hub.localRooms()].map(async ([room, { held, waiters }]) => {
          try {
            await cluster.refresh(room, held, waiters, this.presenceMs);
            const readAt = Date.now();
            this.hub.reconcile(room, await cluster.sweep(room), readAt);
          } catch (err) {
            this.log(`un75-signal: presence of room "${room}" failed: ${err instanceof Error ? err.message : String(err)}`);
          }
        }),
      );
    } finally {
      this.presenceRunning = false;
    }
  }

  private every(ms: number, fn: () => void): void {
    const timer = setInterval(fn, ms);
    timer.unref();
    this.timers.push(timer);
  }
}

function normalizeOrigin(origin: string): string {
  try {
    return new URL(origin).origin;
  } catch {
    return origin;
  }
}

function ignore(): void {}

function destroySocket(this: Duplex): void {
  this.destroy();
}

function refuse(socket: Duplex, status: number, text: string): void {
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}
