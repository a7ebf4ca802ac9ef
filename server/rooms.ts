import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import {
  ProtocolError,
  type ClientMessage,
  type HostAction,
  type IceServer,
  type PeerInfo,
  type Role,
  type ServerMessage,
  type StateUpdate,
  type WaitingPerson,
} from '../src/protocol/signaling.js';
import type { AgendaState } from '../src/protocol/agenda.js';
import { checkAnswer, parsePollDefinition, PollError, type Poll, type PollView } from '../src/protocol/polls.js';
import type {
  BarIdentity,
  Cluster,
  ClusterListener,
  ClusterMember,
  EntryMode,
  HeldMember,
  RoomAction,
  RoomEvent,
  SelfChange,
  StoredSession,
} from './cluster.js';
import type { AsrOffer } from '../src/protocol/asr.js';
import { AGENDA_TEMPLATES } from './agenda-templates.js';
import { POLL_TEMPLATES } from './poll-templates.js';
import { stateOf, type Agendas } from './agendas.js';
import { visible, type Polls } from './polls.js';
import type { Ideas } from './ideas.js';
import type { Dialogues } from './dialogues.js';
import type { DialogueReport } from '../src/protocol/report.js';
import type { StoredIdea, StoredPoll } from './store.js';
import { MAX_AUTHOR_IDEAS, MAX_ROOM_IDEAS } from '../src/protocol/ideas.js';
import { RoomView } from './room-view.js';
import type { RoomRules } from './redis-bus.js';

/** The socket side of a member, as the rooms see it. */
export interface Client {
  send(frame: string): void;
  /** The member moved elsewhere (a resume, a newer join of the same person): close without leaving the room. */
  replaced(code: 'resumed' | 'replaced'): void;
  readonly open: boolean;
  /** The network address the socket came from (for per-address caps). */
  readonly address: string;
  /** The Host header the socket was opened with: the name the client reached this server by. */
  readonly host?: string | undefined;
  /** Sends a last frame and closes the socket with `code` (removed, denied): no resume. */
  dismiss(out: string, code: number, reason: string): void;
  /** A host let it in from the waiting room: it is now this member. */
  admitted(member: LocalMember): void;
}

/**
 * A member whose socket this process holds (or held, during the resume grace). A class, so that
 * every member shares one shape: an object spread gave each its own hidden class (some 400 bytes
 * more for every member, measured in a heap snapshot).
 */
export class LocalMember {
  readonly id: string;
  readonly room: string;
  info: PeerInfo;
  /** Hash of the current resume secret; a new secret is issued with every welcome. */
  secretHash: string;
  /** The name came from the join token: the client may not change it. */
  readonly fixedName: boolean;
  /** Who the join token was issued to: one live member per subject and room. */
  readonly subject: string | null;
  /** When the join token expires (ms): no resume after that. Null without tokens. */
  expiresAt: number | null;
  client: Client | null;
  /** Where its socket came from; a member waiting for a resume still counts against that address. */
  address: string;
  grace: NodeJS.Timeout | null = null;
  /** Counted among the members waiting for a resume. */
  waiting = false;
  /**
   * Frames that arrived while the socket was gone, delivered on resume. `carried`: meant for this
   * member alone and restored by no welcome (signals, a mute request, a ballot's receipt), so a
   * resume through another process takes them along; the others (the agenda, host-only polls) are
   * in the welcome that process gives.
   */
  backlog: { out: string; carried: boolean }[] = [];
  backlogBytes = 0;
  /** With a cluster: the newest version of its record this process knows, and its own writes in flight. */
  version = 1;
  pendingWrites = 0;
  /** The language this member reads ideas in (`idea-language`: its listen language), when it said. */
  ideaLanguage: string | null = null;

  constructor(who: Pick<LocalMember, 'id' | 'room' | 'info' | 'fixedName' | 'subject' | 'expiresAt'>, client: Client, secret: string) {
    this.id = who.id;
    this.room = who.room;
    this.info = who.info;
    this.secretHash = hashSecret(secret);
    this.fixedName = who.fixedName;
    this.subject = who.subject;
    this.expiresAt = who.expiresAt;
    this.client = client;
    this.address = client.address;
  }
}

export interface JoinRequest {
  room: string;
  name: string;
  role: Role;
  /** The name comes from a token: state updates may not change it. */
  fixedName: boolean;
  state: StateUpdate;
  resume?: string;
  /** Without a valid resume token the join is refused (the server wants a token and got none). */
  resumeOnly?: boolean;
  /** From the join token: who it was issued to, and until when it is valid (ms). */
  subject?: string;
  expiresAt?: number;
  /** From the join token: newcomers wait until a host admits them (hosts go straight in). */
  waitingRoom?: boolean;
}

/** Someone in the waiting room of a locked room, on this process. */
interface Waiter {
  readonly id: string;
  readonly name: string;
  readonly client: Client;
  readonly request: JoinRequest;
  readonly timer: NodeJS.Timeout;
}

export interface HubOptions {
  maxRoomSize: number;
  resumeGraceMs: number;
  iceServers(memberId: string, client: Client | null): IceServer[];
  cluster?: Cluster;
  /** Each room's agenda; null when this server keeps none (several processes without a shared database). */
  agendas?: Agendas | null;
  /** Each room's polls, in the agendas' database; null when this server keeps none. */
  polls?: Polls | null;
  /** Each room's ideas, in the agendas' database; null when this server keeps none. */
  ideas?: Ideas | null;
  /** Each room's dialogue (attendance, notes, title, its report), in the agendas' database; null when none is kept. */
  dialogues?: Dialogues | null;
  /** How long a room stays empty before its dialogue ends (ms). Default 120,000. */
  dialogueEndMs?: number;
  /** A dialogue ended and its final report is stored: called once, on the process that ended it. */
  onFinalReport?(report: DialogueReport, room: string): void;
  /**
   * Open rooms (no join tokens): the first member is host, the longest-present member becomes host
   * when the last host leaves, and only a host grants roles. Otherwise roles come from tokens.
   */
  openRooms?: boolean;
  /**
   * Open rooms only: a page that asks to interpret is granted it (development, demos, a closed
   * kiosk). Never on a public server: anyone could take an interpretation channel.
   */
  trustAskedRoles?: boolean;
  /**
   * With a cluster: how long a resume waits for the member's socket on another process to be seen
   * closing, or that process to be seen dead (a little more than its heartbeat). Default 1 s.
   */
  resumeWaitMs?: number;
  /** How long someone may sit in a waiting room before being turned away (ms). Default 10 min. */
  waitingRoomMs?: number;
  /** Bars and waiting-room bounds (the same on every process of a cluster). Default {@link DEFAULT_ROOM_RULES}. */
  rules?: RoomRules;
  /** Server speech recognition: what the welcome offers the member (design §5.1). */
  asrOffer?(member: LocalMember): AsrOffer;
  /** A member has left its room for good, on this process or (through the cluster) another. */
  memberLeft?(room: string, id: string): void;
  /** How the room's media travels, told in the welcome (design §4.1); absent: mesh. */
  callMode?(room: string): 'mesh' | 'sfu';
  log(line: string): void;
}

export interface HubStats {
  rooms: number;
  /** Members whose socket this process holds or is keeping for a resume. */
  localMembers: number;
  /** Of those, members without a socket, waiting for a resume. */
  waitingForResume: number;
  /** Members known in watched rooms, wherever their socket is. */
  knownMembers: number;
  /** Rooms whose bars this process keeps in memory (without a cluster; Redis keeps them with one). */
  barredRooms: number;
}

/** Bytes kept for a member during the grace: enough for a renegotiation with a full room, bounded against abuse. */
export const MAX_BACKLOG_BYTES = 256 * 1024;
const LOCAL = 'local';
/** Close codes of a removed member and of a waiter turned away (docs/protocol.md). */
export const CLOSE_REMOVED = 4003;
export const CLOSE_DENIED = 4004;
/**
 * A removal bars the person for a day, a denial for ten minutes (long enough that a squatter turned
 * away does not come straight back); a room keeps at most a thousand bars, and at most 32 people
 * waiting, 3 of them from one address.
 */
export const DEFAULT_ROOM_RULES: RoomRules = {
  removalBarMs: 24 * 3600_000,
  denialBarMs: 10 * 60_000,
  maxBars: 1000,
  maxWaiters: 32,
  maxWaitersPerAddress: 3,
};
const DEFAULT_WAITING_ROOM_MS = 10 * 60_000;
/**
 * How long a resume through another process waits for the member's old socket to be seen closing
 * (a client that reconnects after closing its socket may reach the new process first).
 */
const DETACH_WAIT_MS = 1000;

/** How long news of a waiter this process has not registered yet is kept (its admission's answer may come after it). */
const EARLY_NEWS_MS = 60_000;

const newId = () => randomBytes(12).toString('base64url');
const newSecret = () => randomBytes(18).toString('base64url');
const hashSecret = (secret: string) => createHash('sha256').update(secret).digest('base64url');
const frame = (message: ServerMessage) => JSON.stringify(message);
/** Names are compared, and barred, without case. */
const nameKey = (name: string) => name.toLocaleLowerCase();

/** What bars a person from a room: the same keys on one process and in Redis (redis-bus.ts `act`). */
function barKeys(who: { id?: string | undefined; address: string; name: string; subject?: string | null | undefined }): string[] {
  const keys = [`addr:${who.address}:${nameKey(who.name)}`];
  if (who.id) keys.push(`id:${who.id}`);
  if (who.subject) keys.push(`sub:${who.subject}`);
  return keys;
}

/** The name a newcomer shows: a token's name is fixed, otherwise the one in its state, else the one it joined with. */
const shownName = (request: JoinRequest) => (request.fixedName ? request.name : (request.state.name ?? request.name));

/**
 * The local sessions of this process (sockets, resume secrets, grace timers, backlogs, waiters) and
 * the rules of a room: who may enter, how members leave, what the others are told. What is known of
 * each room is kept by a {@link RoomView}. Without a cluster this process is the only source of
 * truth; with one, every decision about a room is taken once, atomically, by the cluster (the size
 * cap, one live member per token subject, resumes, the lock and its waiting room, bars, host
 * actions and host succession), and this process applies what the cluster's events say to the
 * sockets it holds.
 */
export class Hub implements ClusterListener {
  private readonly view: RoomView<LocalMember>;
  private readonly locals = new Map<string, LocalMember>();
  /** Members waiting for a resume, per address they came from. */
  private readonly waiting = new Map<string, number>();
  private waitingTotal = 0;
  private readonly node: string;
  private closing = false;
  private readonly rules: RoomRules;
  /** Rooms a host locked; forgotten when nobody is left in the room. With a cluster, as its events say. */
  private readonly locked = new Set<string>();
  /** Waiting rooms, per room, in arrival order: the sockets this process holds. */
  private readonly waiters = new Map<string, Map<string, Waiter>>();
  /** With a cluster: each watched room's whole waiting list, wherever the sockets are. */
  private readonly waitingLists = new Map<string, WaitingPerson[]>();
  /** With a cluster: what a host decided for waiters this process has not registered yet. */
  private readonly earlyNews = new Map<string, { what: 'admitted' | 'denied' | 'removed'; at: number }>();
  /** Without a cluster: who was removed or denied, per room: bar key -> until (ms). */
  private readonly bars = new Map<string, Map<string, number>>();
  /** Resumes waiting for a member's socket on another process to go, per member id. */
  private readonly detachWaits = new Map<string, Set<() => void>>();
  /** Live polls' counts waiting to go out, by room and poll, and when each last went. */
  private readonly pendingResults = new Map<string, { timer: NodeJS.Timeout | null; last: number }>();
  /** Rooms whose members present here are counted in their dialogue (once the database is open). */
  private readonly recorded = new Set<string>();
  /** Rooms that emptied here: their dialogue ends when the timer fires, unless someone came. */
  private readonly endTimers = new Map<string, NodeJS.Timeout>();

  constructor(private readonly options: HubOptions) {
    this.node = options.cluster?.nodeId ?? LOCAL;
    this.rules = options.rules ?? DEFAULT_ROOM_RULES;
    this.view = new RoomView((room) => {
      if (this.waiters.has(room)) return;
      this.forgetRoom(room);
    }, options.cluster !== undefined);
  }

  /**
   * Joins `client` to a room (or resumes its earlier membership) and sends it the welcome; or, in a
   * locked room or one whose token says so, puts it in the waiting room (null) until a host decides.
   */
  async join(client: Client, request: JoinRequest): Promise<LocalMember | null> {
    if (this.closing) throw new ProtocolError('shutting-down', 'the server is shutting down');
    // Open rooms: a page gets no role by asking (the room makes its host, a host grants the others),
    // unless the server trusts a page asking to interpret (--trust-asked-roles).
    if (this.options.openRooms) {
      request = { ...request, role: this.options.trustAskedRoles && request.role === 'interpreter' ? 'interpreter' : 'participant' };
    }
    if (!this.options.cluster) this.checkBarred(client, request);
    const resumed = request.resume ? await this.resume(client, request) : null;
    if (resumed) return resumed;
    if (request.resumeOnly) {
      throw new ProtocolError('unauthorized', 'the resume token is no longer valid: join again with a "token"');
    }
    const mode: EntryMode = request.role === 'host' ? 'enter' : request.waitingRoom ? 'wait' : 'ask';
    return this.enter(client, request, mode);
  }

  /** A socket in the waiting room closed or sent `leave`: it leaves the waiting room. */
  stopWaiting(client: Client): void {
    for (const [room, waiting] of this.waiters) {
      for (const waiter of waiting.values()) {
        if (waiter.client !== client) continue;
        this.unwait(room, waiter);
        this.options.cluster?.unwait(room, waiter.id).catch((err: unknown) => this.warn('unwait', err));
        return;
      }
    }
  }

  /** A host's action (design §5.5); anyone else gets `forbidden` and nothing changes. */
  hostAction(member: LocalMember, msg: Extract<ClientMessage, { type: HostAction | 'lock' | 'set-role' }>): Promise<void> | void {
    if (member.info.role !== 'host') throw new ProtocolError('forbidden', `only a host may "${msg.type}"`);
    const { cluster } = this.options;
    if (cluster) return this.act(cluster, member, msg);
    const room = member.room;
    if (msg.type === 'lock') {
      if (msg.on) this.locked.add(room);
      else this.locked.delete(room);
      this.broadcast(room, frame({ type: 'room', locked: msg.on }));
      // Unlocking lets nobody in by itself: hosts still admit or deny whoever is waiting.
      return;
    }
    const waiter = this.waiters.get(room)?.get(msg.id);
    if (waiter && (msg.type === 'admit' || msg.type === 'deny' || msg.type === 'remove')) {
      this.unwait(room, waiter);
      if (msg.type === 'admit') this.admitWaiter(waiter);
      else this.turnAway(room, waiter, msg.type === 'remove' ? 'removed' : 'denied');
      return;
    }
    if (msg.type === 'admit' || msg.type === 'deny') throw new ProtocolError('unknown-peer', `nobody "${msg.id}" is waiting for room "${room}"`);
    const target = msg.id === member.id ? undefined : this.view.get(room, msg.id)?.local;
    if (!target) throw new ProtocolError('unknown-peer', `no other member "${msg.id}" in room "${room}"`);
    switch (msg.type) {
      case 'remove':
        this.bar(room, barKeys({ id: target.id, address: target.address, name: target.info.name, subject: target.subject }), this.rules.removalBarMs);
        target.client?.dismiss(frame({ type: 'removed', by: member.id }), CLOSE_REMOVED, 'removed');
        this.leave(target);
        return;
      case 'request-mute':
        this.deliver(target, frame({ type: 'mute-requested', by: member.id }), true);
        return;
      case 'lower-hand':
        this.change(target, { ...target.info, handRaised: false });
        return;
      case 'set-role':
        this.change(target, { ...target.info, role: msg.role });
        return;
    }
  }

  /**
   * A host sets the room's agenda or moves it on (design §8): checked against the role the room
   * stores (through a cluster, the one in Redis), written to the database, then told to the room
   * here and, through the cluster, on every other process.
   */
  async agendaAction(member: LocalMember, msg: Extract<ClientMessage, { type: 'agenda-set' | 'agenda-next' }>): Promise<void> {
    const { agendas, cluster } = this.options;
    if (!agendas) throw new ProtocolError('unavailable', 'this server keeps no agendas: several processes need a shared database (--database)');
    let role: Role | null = member.info.role;
    if (cluster) {
      try {
        role = await cluster.role(member.room, member.id);
      } catch (err) {
        this.warn(msg.type, err);
        throw new ProtocolError('unavailable', `the room's shared state cannot be reached: "${msg.type}" was not applied, try again`);
      }
    }
    if (role !== 'host') throw new ProtocolError('forbidden', `only a host may "${msg.type}"`);
    let items;
    if (msg.type === 'agenda-set') {
      if ('template' in msg) {
        if (!Object.hasOwn(AGENDA_TEMPLATES, msg.template)) throw new ProtocolError('bad-message', `no agenda template "${msg.template}"`);
        items = [...AGENDA_TEMPLATES[msg.template]!];
      } else items = msg.items;
    }
    let stored;
    try {
      stored = items ? await agendas.set(member.room, items) : await agendas.next(member.room);
    } catch (err) {
      this.options.log(`un75-signal: the database refused "${msg.type}": ${err instanceof Error ? err.message : String(err)}`);
      throw new ProtocolError('unavailable', `the database cannot be reached: "${msg.type}" was not applied, try again`);
    }
    if (!stored) {
      // At the last item already (or no agenda): the sender is told where the room stands.
      const now = agendas.current(member.room);
      if (now) this.deliver(member, frame({ type: 'agenda', ...now }));
      return;
    }
    this.broadcast(member.room, frame({ type: 'agenda', ...stateOf(stored) }));
    cluster?.announce(member.room, { t: 'agenda', agenda: stored }).catch((err: unknown) => this.warn('agenda news', err));
    this.recordRoom(member.room);
  }

  /** Reads a room's agenda and polls before a welcome; a database out of reach costs them, not the join. */
  private async loadAgenda(room: string): Promise<void> {
    try {
      await this.options.agendas?.load(room);
    } catch (err) {
      this.options.log(`un75-signal: cannot read the agenda of room "${room}": ${err instanceof Error ? err.message : String(err)}`);
    }
    try {
      await this.options.polls?.load(room);
    } catch (err) {
      this.options.log(`un75-signal: cannot read the polls of room "${room}": ${err instanceof Error ? err.message : String(err)}`);
    }
    try {
      await this.options.ideas?.load(room);
    } catch (err) {
      this.options.log(`un75-signal: cannot read the ideas of room "${room}": ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  /**
   * Polls (design §8): a host prepares, opens and closes them (checked against the role the room
   * stores, as for the agenda); any member votes while one is open. Everything goes through the
   * database first; the room hears of it here and, through the cluster, on every other process.
   */
  async pollAction(member: LocalMember, msg: Extract<ClientMessage, { type: 'poll-create' | 'poll-open' | 'poll-close' | 'poll-vote' }>): Promise<void> {
    const { polls, cluster } = this.options;
    if (!polls) throw new ProtocolError('unavailable', 'this server keeps no polls: several processes need a shared database (--database)');
    if (msg.type !== 'poll-vote') await this.checkHost(member, msg.type);
    const room = member.room;
    try {
      if (msg.type === 'poll-vote') {
        let stored = polls.get(room, msg.id);
        // Not open here: perhaps opened on another process, whose news has not arrived yet.
        if (stored?.state !== 'open') stored = await this.freshPoll(room, msg.id);
        if (!stored) throw new ProtocolError('bad-message', `no poll "${msg.id}" in this room`);
        if (stored.state !== 'open') throw new ProtocolError('forbidden', `poll "${msg.id}" is not open`);
        let answer;
        try {
          answer = checkAnswer(stored.poll, msg.answer);
        } catch (err) {
          if (err instanceof PollError) throw new ProtocolError('bad-message', err.message);
          throw err;
        }
        const lang = member.info.spokenLanguage.toLowerCase() || 'und';
        // Who votes, as far as the room can tell across resumes: the token's subject, else the member.
        if (!(await polls.vote(room, msg.id, member.subject ?? member.id, answer, lang))) {
          // Closed meanwhile (on another process, perhaps): the database stored nothing.
          void this.pollNews(room, msg.id);
          throw new ProtocolError('forbidden', `poll "${msg.id}" is not open`);
        }
        if (stored.poll.results === 'live') this.scheduleResult(room, msg.id);
        // An open answer, or the words of "other", is its author's idea of this poll (design §8).
        if (answer.text !== undefined && (stored.poll.type === 'open' || stored.poll.other)) void this.ideaFromPoll(member, stored.poll.id, answer.text, lang);
        // The voter's page says "Vote recorded" on this, not before: a closed-results poll sends nothing else.
        this.deliver(member, frame({ type: 'poll-voted', id: msg.id }), true);
        cluster?.announce(room, { t: 'ballot', id: msg.id }).catch((err: unknown) => this.warn('ballot news', err));
        return;
      }
      let stored: StoredPoll | null;
      if (msg.type === 'poll-create') {
        let wanted: Poll[];
        if ('template' in msg) {
          if (!Object.hasOwn(POLL_TEMPLATES, msg.template)) throw new ProtocolError('bad-message', `no poll template "${msg.template}"`);
          wanted = [...POLL_TEMPLATES[msg.template]!];
        } else wanted = [{ ...msg.poll, id: msg.poll.id ?? `p${randomBytes(6).toString('hex')}` } as Poll];
        stored = null;
        // A template's polls one by one, each told as it is prepared (the last one ends the request).
        for (const poll of wanted) {
          const { characters } = parsePollDefinition(poll);
          const done = await polls.prepare(room, poll, characters);
          if (done === 'not-prepared') throw new ProtocolError('bad-message', `poll "${poll.id}" was opened already: prepare another`);
          if (done === 'full') throw new ProtocolError('bad-message', 'this room has as many polls (or as much poll text) as it may hold');
          if (stored) {
            await this.tellPoll(room, stored);
            cluster?.announce(room, { t: 'poll', id: stored.poll.id }).catch((err: unknown) => this.warn('poll news', err));
          }
          stored = done;
        }
        if (!stored) return;
      } else {
        stored = msg.type === 'poll-open' ? await polls.move(room, msg.id, 'prepared', 'open') : await polls.move(room, msg.id, 'open', 'closed');
        if (!stored) {
          const known = await this.freshPoll(room, msg.id);
          if (!known) throw new ProtocolError('bad-message', `no poll "${msg.id}" in this room`);
          throw new ProtocolError('forbidden', `poll "${msg.id}" is ${known.state}: it cannot be ${msg.type === 'poll-open' ? 'opened' : 'closed'}`);
        }
      }
      await this.tellPoll(room, stored);
      cluster?.announce(room, { t: 'poll', id: stored.poll.id }).catch((err: unknown) => this.warn('poll news', err));
      this.recordRoom(room);
    } catch (err) {
      if (err instanceof ProtocolError) throw err;
      this.options.log(`un75-signal: the database refused "${msg.type}": ${err instanceof Error ? err.message : String(err)}`);
      throw new ProtocolError('unavailable', `the database cannot be reached: "${msg.type}" was not applied, try again`);
    }
  }

  /**
   * The language a member reads ideas in (its listen language, which the server does not otherwise
   * know): the room's ideas are translated into it too.
   */
  ideaLanguage(member: LocalMember, lang: string): void {
    member.ideaLanguage = lang.toLowerCase();
    this.translateIdeas(member.room);
  }

  /** A member's idea request was refused (counted in stats, whatever the reason). */
  ideaRefused(): void {
    this.options.ideas?.refused();
  }

  /**
   * Ideas (design §8): any member submits and votes; hosts hide and merge (checked against the role
   * the room stores, as for polls). Everything goes through the database first; the room hears of
   * it here and, through the cluster, on every other process.
   */
  async ideaAction(member: LocalMember, msg: Extract<ClientMessage, { type: 'idea-submit' | 'idea-vote' | 'idea-hide' | 'idea-merge' }>): Promise<void> {
    const { ideas } = this.options;
    if (!ideas) throw new ProtocolError('unavailable', 'this server keeps no ideas: several processes need a shared database (--database)');
    if (msg.type === 'idea-hide' || msg.type === 'idea-merge') await this.checkHost(member, msg.type);
    const room = member.room;
    const lang = member.info.spokenLanguage.toLowerCase() || 'und';
    const identity = member.subject ?? member.id;
    try {
      switch (msg.type) {
        case 'idea-submit': {
          const done = await ideas.submit(room, identity, lang, msg.text);
          if (done === 'full') throw new ProtocolError('bad-message', `this room holds ${MAX_ROOM_IDEAS} ideas, as many as it may`);
          if (done === 'author-full') throw new ProtocolError('bad-message', `at most ${MAX_AUTHOR_IDEAS} ideas each in one room`);
          this.tellIdea(room, done);
          this.deliver(member, frame({ type: 'idea-ok', id: done.idea.id }));
          this.announceIdea(room, done.idea.id);
          this.translateIdeas(room);
          return;
        }
        case 'idea-vote': {
          let stored = ideas.get(room, msg.id);
          // Unknown here: perhaps submitted on another process, whose news has not arrived yet.
          if (!stored || stored.hidden || stored.idea.mergedInto) stored = await this.freshIdea(room, msg.id);
          if (!stored) throw new ProtocolError('bad-message', `no idea "${msg.id}" in this room`);
          if (stored.hidden || stored.idea.mergedInto) throw new ProtocolError('forbidden', `idea "${msg.id}" is ${stored.hidden ? 'hidden' : 'merged into another'}: it takes no votes`);
          if (!(await ideas.vote(room, msg.id, identity, msg.vote, lang))) {
            // Hidden or merged meanwhile (on another process, perhaps): the database stored nothing.
            this.scheduleIdea(room, msg.id);
            throw new ProtocolError('forbidden', `idea "${msg.id}" takes no votes now`);
          }
          this.deliver(member, frame({ type: 'idea-ok', id: msg.id, vote: msg.vote }));
          this.scheduleIdea(room, msg.id);
          this.announceIdea(room, msg.id);
          return;
        }
        case 'idea-hide': {
          const stored = await ideas.hide(room, msg.id, msg.hidden);
          if (!stored) throw new ProtocolError('bad-message', `no idea "${msg.id}" in this room`);
          this.tellIdea(room, stored);
          this.deliver(member, frame({ type: 'idea-ok', id: msg.id }));
          this.announceIdea(room, msg.id);
          if (!msg.hidden) this.translateIdeas(room);
          return;
        }
        case 'idea-merge': {
          const changed = await ideas.merge(room, msg.id, msg.into);
          if (changed === 'unknown') throw new ProtocolError('bad-message', `no idea "${msg.id}"${msg.into ? ` or "${msg.into}"` : ''} in this room`);
          if (changed === 'self') throw new ProtocolError('bad-message', 'an idea merges into another idea that is not merged itself');
          for (const stored of changed) {
            this.tellIdea(room, stored);
            this.announceIdea(room, stored.idea.id);
          }
          this.deliver(member, frame({ type: 'idea-ok', id: msg.id }));
          if (msg.into === null) this.translateIdeas(room);
          return;
        }
      }
    } catch (err) {
      if (err instanceof ProtocolError) throw err;
      this.options.log(`un75-signal: the database refused "${msg.type}": ${err instanceof Error ? err.message : String(err)}`);
      throw new ProtocolError('unavailable', `the database cannot be reached: "${msg.type}" was not applied, try again`);
    }
  }

  /** An open or "other" poll answer becomes (or replaces) its author's idea of that poll; its ballot is stored already. */
  private async ideaFromPoll(member: LocalMember, pollId: string, text: string, lang: string): Promise<void> {
    const ideas = this.options.ideas;
    if (!ideas) return;
    const room = member.room;
    try {
      const done = await ideas.fromPoll(room, pollId, member.subject ?? member.id, lang, text);
      if (done === 'full') {
        this.options.log(`un75-signal: room "${room}" holds ${MAX_ROOM_IDEAS} ideas: an answer to poll "${pollId}" did not become one`);
        return;
      }
      if (!done) return;
      this.tellIdea(room, done);
      this.announceIdea(room, done.idea.id);
      this.translateIdeas(room);
    } catch (err) {
      this.options.log(`un75-signal: cannot keep an answer to poll "${pollId}" as an idea: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  /** Tells this process's members of an idea: a hidden one to hosts alone (the others hear it is gone). */
  private tellIdea(room: string, stored: StoredIdea): void {
    const full = frame({ type: 'idea', idea: stored.idea });
    const others = stored.hidden ? frame({ type: 'idea-gone', id: stored.idea.id }) : full;
    for (const [, entry] of this.view.entries(room)) if (entry.local) this.deliver(entry.local, entry.local.info.role === 'host' ? full : others);
  }

  /**
   * The ideas a member may see, each in its own frame after its welcome (together they may pass the
   * frame limit). Hidden ones are `idea-gone` to members who are not hosts: a member resuming after
   * a host hid one it had drops it.
   */
  private sendIdeas(member: LocalMember): void {
    const host = member.info.role === 'host';
    for (const stored of this.options.ideas?.list(member.room) ?? []) {
      member.client?.send(!stored.hidden || host ? frame({ type: 'idea', idea: stored.idea }) : frame({ type: 'idea-gone', id: stored.idea.id }));
    }
  }

  private announceIdea(room: string, id: string): void {
    this.options.cluster?.announce(room, { t: 'idea', id }).catch((err: unknown) => this.warn('idea news', err));
  }

  /** Machine translations of the room's ideas into every language its members speak (once each, stored). */
  private translateIdeas(room: string): void {
    const ideas = this.options.ideas;
    if (!ideas || !this.view.has(room)) return;
    const languages = new Set<string>();
    // Spoken by anyone in the room (wherever their socket is), and read by this process's members.
    for (const [, entry] of this.view.entries(room)) {
      if (entry.info.spokenLanguage) languages.add(entry.info.spokenLanguage);
      if (entry.local?.ideaLanguage) languages.add(entry.local.ideaLanguage);
    }
    ideas.translate(room, languages, (stored) => {
      if (this.view.has(room)) this.tellIdea(room, stored);
      this.announceIdea(room, stored.idea.id);
    });
  }

  /** An idea as the database has it now; when that is news to this process, its members are told. */
  private async freshIdea(room: string, id: string): Promise<StoredIdea | undefined> {
    const ideas = this.options.ideas!;
    const news = await ideas.reload(room, id);
    if (news && this.view.has(room)) this.tellIdea(room, news);
    return ideas.get(room, id);
  }

  /** Reads an idea again after votes or news, at most once every RESULT_INTERVAL_MS (throttled). */
  private scheduleIdea(room: string, id: string): void {
    this.throttled(`${room}\nidea:${id}`, () => {
      if (!this.view.has(room)) return;
      this.freshIdea(room, id).then(
        // A new idea from another process: this process's readers may read languages nobody there speaks.
        () => this.translateIdeas(room),
        (err: unknown) => this.options.log(`un75-signal: cannot read idea "${id}" of room "${room}": ${err instanceof Error ? err.message : String(err)}`),
      );
    });
  }

  /**
   * The dialogue's report and what it needs from hosts (design §8, issue 24 item 5): notes per agenda
   * question, a title, the report on request, the end of the dialogue; and from interpreters, the
   * channels they go on air in. Checked against the role the room stores, written to the database.
   */
  async reportAction(member: LocalMember, msg: Extract<ClientMessage, { type: 'report-request' | 'dialogue-end' | 'dialogue-title' | 'agenda-note' | 'on-air' }>): Promise<void> {
    const { dialogues } = this.options;
    // What pages send by themselves (a title, an interpreter on air) is dropped where nothing keeps it.
    if (!dialogues && (msg.type === 'on-air' || msg.type === 'dialogue-title')) return;
    if (!dialogues) throw new ProtocolError('unavailable', 'this server keeps no dialogue reports: several processes need a shared database (--database)');
    const room = member.room;
    if (msg.type === 'on-air') {
      if (member.info.role !== 'interpreter') throw new ProtocolError('forbidden', 'only an interpreter goes on air');
      if (msg.lang === null || !dialogues.opened) return;
      const lang = msg.lang;
      // Awaited: the interpreter's frames after this one wait for it (queue logs a failure).
      return dialogues.queue(room, async () => (await dialogues.database()).addChannel(room, lang));
    }
    await this.checkHost(member, msg.type);
    try {
      await dialogues.database();
      this.recordRoom(room);
      switch (msg.type) {
        case 'agenda-note': {
          const agenda = (await (await dialogues.database()).agenda(room)) ?? undefined;
          if (!agenda?.items.some((item) => item.id === msg.item)) throw new ProtocolError('bad-message', `no agenda question "${msg.item}" in this room`);
          const { item, text } = msg;
          await dialogues.queue(room, async () => (await dialogues.database()).setNotes(room, item, text));
          const out = frame({ type: 'agenda-note', item, text });
          for (const [, entry] of this.view.entries(room)) if (entry.local && entry.info.role === 'host') this.deliver(entry.local, out);
          return;
        }
        case 'dialogue-title': {
          const { title } = msg;
          await dialogues.queue(room, async () => (await dialogues.database()).setDialogueTitle(room, title));
          return;
        }
        case 'report-request': {
          const report = await dialogues.report(room, msg.last === true);
          if (!report) throw new ProtocolError('unavailable', msg.last ? 'no dialogue of this room has ended yet' : 'this room has no dialogue yet');
          this.deliver(member, frame({ type: 'report', report }));
          return;
        }
        case 'dialogue-end': {
          if (await this.endDialogue(room)) return;
          // Ended already (by another host, or the room emptied): the asker gets the final report.
          const report = await dialogues.report(room);
          if (report) this.deliver(member, frame({ type: 'report', report }));
          return;
        }
      }
    } catch (err) {
      if (err instanceof ProtocolError) throw err;
      this.options.log(`un75-signal: the database refused "${msg.type}": ${err instanceof Error ? err.message : String(err)}`);
      throw new ProtocolError('unavailable', `the database cannot be reached: "${msg.type}" was not applied, try again`);
    }
  }

  /**
   * Ends a room's dialogue (now, or after it stayed empty since `quietSince`): its final report is
   * stored, handed to `onFinalReport`, and sent to the hosts here and, through the cluster, elsewhere.
   * False when it had ended already (or someone came back).
   */
  private async endDialogue(room: string, quietSince?: number): Promise<boolean> {
    const report = await this.options.dialogues!.end(room, quietSince);
    if (!report) return false;
    this.tellReport(room, report);
    this.options.cluster?.announce(room, { t: 'report', id: report.reportId }).catch((err: unknown) => this.warn('report news', err));
    try {
      this.options.onFinalReport?.(report, room);
    } catch (err) {
      this.options.log(`un75-signal: onFinalReport failed: ${err instanceof Error ? err.message : String(err)}`);
    }
    return true;
  }

  private tellReport(room: string, report: DialogueReport): void {
    const out = frame({ type: 'report', report });
    for (const [, entry] of this.view.entries(room)) if (entry.local && entry.info.role === 'host') this.deliver(entry.local, out);
  }

  /** A member entered (not a resume): counted in the room's dialogue once the database is open. */
  private recordJoin(member: LocalMember): void {
    const { dialogues } = this.options;
    if (!dialogues?.opened) return;
    const timer = this.endTimers.get(member.room);
    if (timer) clearTimeout(timer);
    this.endTimers.delete(member.room);
    this.recorded.add(member.room);
    dialogues.joined(member.room, member.subject ?? member.id, member.info.spokenLanguage, this.view.size(member.room));
    if (member.info.role === 'host') this.sendNotes(member);
  }

  /**
   * A host (newcomer, or made host) gets the notes kept on the dialogue's questions, one
   * `agenda-note` each, so that its page shows them (and saving does not write over them unseen).
   */
  private sendNotes(member: LocalMember): void {
    const { dialogues } = this.options;
    if (!dialogues?.opened) return;
    const room = member.room;
    // After this process's writes for the room (the newcomer's join may start a new dialogue).
    dialogues
      .settled(room)
      .then(async () => (await dialogues.database()).notes(room))
      .then(
        (notes) => {
          for (const [item, text] of Object.entries(notes)) this.sendTo(member, frame({ type: 'agenda-note', item, text }));
        },
        (err: unknown) => this.options.log(`un75-signal: cannot read the notes of room "${room}": ${err instanceof Error ? err.message : String(err)}`),
      );
  }

  /**
   * The database has just been opened for a room's outcome (in memory, it opens on first use): the
   * members present here are counted now (those who came and went before are not).
   */
  private recordRoom(room: string): void {
    const { dialogues } = this.options;
    if (!dialogues?.opened || this.recorded.has(room)) return;
    this.recorded.add(room);
    for (const [, entry] of this.view.entries(room)) {
      if (entry.local) dialogues.joined(room, entry.local.subject ?? entry.local.id, entry.info.spokenLanguage, this.view.size(room));
    }
  }

  /** The room is empty here (and, as far as this process knows, everywhere): its dialogue ends after a while. */
  private scheduleEnd(room: string): void {
    if (!this.options.dialogues?.opened || this.closing) return;
    const quietSince = Date.now();
    const old = this.endTimers.get(room);
    if (old) clearTimeout(old);
    const timer = setTimeout(() => {
      this.endTimers.delete(room);
      if (this.view.size(room) > 0) return;
      this.endDialogue(room, quietSince).catch((err: unknown) =>
        this.options.log(`un75-signal: cannot end the dialogue of room "${room}": ${err instanceof Error ? err.message : String(err)}`),
      );
    }, this.options.dialogueEndMs ?? DEFAULT_DIALOGUE_END_MS);
    timer.unref();
    this.endTimers.set(room, timer);
  }

  /** Throws unless the member is a host as the room stores it (through a cluster, in Redis). */
  private async checkHost(member: LocalMember, type: string): Promise<void> {
    let role: Role | null = member.info.role;
    if (this.options.cluster) {
      try {
        role = await this.options.cluster.role(member.room, member.id);
      } catch (err) {
        this.warn(type, err);
        throw new ProtocolError('unavailable', `the room's shared state cannot be reached: "${type}" was not applied, try again`);
      }
    }
    if (role !== 'host') throw new ProtocolError('forbidden', `only a host may "${type}"`);
  }

  /** Tells this process's members of a poll's new state: hosts alone while prepared; its counts at close. */
  private async tellPoll(room: string, stored: StoredPoll): Promise<void> {
    const out = frame({ type: 'poll', poll: stored.poll, state: stored.state });
    if (stored.state === 'prepared') {
      for (const [, entry] of this.view.entries(room)) if (entry.local?.info.role === 'host') this.deliver(entry.local, out);
      return;
    }
    this.broadcast(room, out);
    if (stored.state === 'closed') await this.sendResult(room, stored);
  }

  /** Another process changed a poll (or a ballot found it closed): read it again, tell the room if it is news. */
  private async pollNews(room: string, id: string): Promise<void> {
    try {
      await this.freshPoll(room, id);
    } catch (err) {
      this.options.log(`un75-signal: cannot read poll "${id}" of room "${room}": ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  /** A poll as the database has it now; when that is news to this process, its members are told. */
  private async freshPoll(room: string, id: string): Promise<StoredPoll | undefined> {
    const polls = this.options.polls!;
    const news = await polls.reload(room, id);
    if (news && this.view.has(room)) await this.tellPoll(room, news);
    return polls.get(room, id);
  }

  /** Counts after ballots, at most one broadcast per poll every RESULT_INTERVAL_MS (throttled). */
  private scheduleResult(room: string, id: string): void {
    this.throttled(`${room}\n${id}`, () => {
      const stored = this.options.polls?.get(room, id);
      if (stored && this.view.has(room)) void this.sendResult(room, stored);
    });
  }

  /**
   * Runs `run` for `key` at most once every RESULT_INTERVAL_MS: at once, then at the end of the
   * interval, however much news came in between (a burst of ballots is one broadcast).
   */
  private throttled(key: string, run: () => void): void {
    let pending = this.pendingResults.get(key);
    if (pending?.timer) return;
    if (!pending) this.pendingResults.set(key, (pending = { timer: null, last: 0 }));
    const entry = pending;
    entry.timer = setTimeout(() => {
      entry.timer = null;
      entry.last = Date.now();
      run();
    }, Math.max(0, entry.last + RESULT_INTERVAL_MS - Date.now()));
    entry.timer.unref();
  }

  /** Counts a poll from the database and tells this process's members, when they may see it. */
  private async sendResult(room: string, stored: StoredPoll): Promise<void> {
    if (!visible(stored)) return;
    try {
      const result = await this.options.polls!.count(room, stored.poll);
      this.broadcast(room, frame({ type: 'poll-result', result }));
    } catch (err) {
      this.options.log(`un75-signal: cannot count poll "${stored.poll.id}" of room "${room}": ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  /** A host's action through the cluster: decided there, applied here and elsewhere as its events say. */
  private async act(cluster: Cluster, member: LocalMember, msg: Extract<ClientMessage, { type: HostAction | 'lock' | 'set-role' }>): Promise<void> {
    const action: RoomAction =
      msg.type === 'lock' ? { action: 'lock', on: msg.on } : msg.type === 'set-role' ? { action: 'set-role', target: msg.id, role: msg.role } : { action: msg.type, target: msg.id };
    let result;
    try {
      result = await cluster.act(member.room, member.id, action);
    } catch (err) {
      this.warn(msg.type, err);
      throw new ProtocolError('unavailable', `the room's shared state cannot be reached: "${msg.type}" was not applied, try again`);
    }
    if (result === 'forbidden') throw new ProtocolError('forbidden', `only a host may "${msg.type}"`);
    if (result === 'unknown') throw new ProtocolError('unknown-peer', `nobody "${'target' in action ? action.target : ''}" in room "${member.room}" or its waiting room`);
  }

  /** Enters the room now (the welcome to the newcomer, peer-joined to the others), or waits to be let in (null). */
  private async enter(client: Client, request: JoinRequest, mode: EntryMode): Promise<LocalMember | null> {
    const id = newId();
    const secret = newSecret();
    const info: PeerInfo = {
      id,
      name: shownName(request),
      role: request.role,
      // BCP 47 for "undetermined": the browser's validator wants a tag, and guessing one would mislead.
      spokenLanguage: request.state.spokenLanguage ?? 'und',
      micEnabled: request.state.micEnabled ?? false,
      cameraEnabled: request.state.cameraEnabled ?? false,
      handRaised: request.state.handRaised ?? false,
    };
    const member = new LocalMember(
      { id, room: request.room, info, fixedName: request.fixedName, subject: request.subject ?? null, expiresAt: request.expiresAt ?? null },
      client,
      secret,
    );
    if (info.handRaised) info.handRaisedAt = Date.now();
    const { cluster } = this.options;
    const subject = member.subject;
    if (!cluster) {
      // Read here, not in join(): a waiter let in when its room emptied comes this way too.
      await this.loadAgenda(request.room);
      // One live member per person: a newer join with the same token subject replaces the older one,
      // and takes its place past a lock.
      const same = subject === null ? [] : [...this.locals.values()].filter((o) => o.room === request.room && o.subject === subject).map((o) => o.id);
      if (!same.length && (mode === 'wait' || (mode === 'ask' && this.locked.has(request.room)))) return this.wait(client, request, id);
      this.replace(request.room, same);
      if (this.view.size(request.room) >= this.options.maxRoomSize) throw roomFull(request.room, this.options.maxRoomSize);
      info.name = this.view.distinctName(request.room, info.name, id);
      if (this.mayHost(info) && !this.hasHost(request.room)) info.role = 'host';
      return this.admit(member, secret, []);
    }
    return this.view.whileJoining(request.room, async () => {
      await cluster.watch(request.room);
      // Read once the room's news reaches us: a change made meanwhile is then either read or heard.
      await this.loadAgenda(request.room);
      // The same rule through the cluster, wherever the older member's socket is: it leaves before
      // the newcomer is named (who then keeps the name), and again atomically with the admission, in
      // case the same person is joining through another process at the same time.
      // Someone coming back that way takes their own place, past a lock: they were let in already.
      if (subject !== null) {
        const replaced = await cluster.evict(request.room, subject);
        this.replace(request.room, replaced);
        if (replaced.length) mode = 'enter';
      }
      info.name = this.view.distinctName(request.room, info.name, id, this.waitingNames(request.room));
      const admission = await cluster.admit(
        request.room,
        {
          info,
          secretHash: member.secretHash,
          session: this.stored(member),
          barKeys: this.joinBarKeys(client, request),
          mode,
          mayHost: this.mayHost(info),
          waiter: { id, name: info.name, token: mode === 'wait' },
        },
        this.options.maxRoomSize,
      );
      if (admission === 'barred') throw barred(request.room);
      if (admission === 'full') throw roomFull(request.room, this.options.maxRoomSize);
      if (admission === 'waiters-full') throw waitersFull(request.room);
      if (admission === 'waiting') return this.wait(client, request, id, info.name);
      info.role = admission.self.role;
      this.learnRoom(request.room, admission);
      this.replace(request.room, admission.replaced);
      return this.admit(member, secret, admission.others);
    });
  }

  /**
   * Puts a newcomer in the waiting room (with a cluster, the cluster has listed it already); its
   * hosts are told. Waiters do not count against the room's size, but a room and an address have
   * only so many places to wait.
   */
  private wait(client: Client, request: JoinRequest, id: string, name?: string): null {
    const { cluster } = this.options;
    const waiting = this.waiters.get(request.room) ?? new Map<string, Waiter>();
    if (!cluster) {
      let fromThere = 0;
      for (const w of waiting.values()) if (w.client.address === client.address) fromThere++;
      if (waiting.size >= this.rules.maxWaiters || fromThere >= this.rules.maxWaitersPerAddress) throw waitersFull(request.room);
      name = this.view.distinctName(request.room, shownName(request), id, this.waitingNames(request.room));
    }
    const timer = setTimeout(() => {
      this.unwait(request.room, waiter);
      cluster?.unwait(request.room, id).catch((err: unknown) => this.warn('unwait', err));
      client.dismiss(frame({ type: 'denied' }), CLOSE_DENIED, 'waited too long');
    }, this.options.waitingRoomMs ?? DEFAULT_WAITING_ROOM_MS);
    timer.unref();
    const waiter: Waiter = { id, name: name!, client, request, timer };
    waiting.set(id, waiter);
    this.waiters.set(request.room, waiting);
    client.send(frame({ type: 'waiting', room: request.room }));
    if (!cluster) this.tellHosts(request.room);
    // A host may have decided before the cluster's answer about this waiter reached us.
    const early = this.earlyNews.get(id);
    if (early) {
      this.earlyNews.delete(id);
      this.decided(request.room, id, early.what);
    }
    return null;
  }

  /** Takes a waiter of this process off the local list (the cluster's list is the cluster's). */
  private unwait(room: string, waiter: Waiter): void {
    clearTimeout(waiter.timer);
    const waiting = this.waiters.get(room);
    if (!waiting?.delete(waiter.id)) return;
    if (waiting.size === 0) {
      this.waiters.delete(room);
      if (!this.view.has(room)) this.forgetRoom(room);
    }
    if (!this.options.cluster) this.tellHosts(room);
  }

  /** A host let a waiter in: it enters like a host would, past the lock. */
  private admitWaiter(waiter: Waiter): void {
    this.enter(waiter.client, waiter.request, 'enter').then(
      (admitted) => {
        if (admitted) waiter.client.admitted(admitted);
      },
      (err: unknown) => {
        const code = err instanceof ProtocolError ? err.code : 'server-error';
        waiter.client.dismiss(frame({ type: 'error', code, message: err instanceof Error ? err.message : code }), CLOSE_DENIED, code);
      },
    );
  }

  /** A host denied or removed a waiter: it is barred for a while (longer when removed) and closed. */
  private turnAway(room: string, waiter: Waiter, why: 'denied' | 'removed'): void {
    if (!this.options.cluster) {
      const { request, client } = waiter;
      this.bar(room, barKeys({ address: client.address, name: shownName(request), subject: request.subject }), why === 'removed' ? this.rules.removalBarMs : this.rules.denialBarMs);
    }
    waiter.client.dismiss(frame({ type: 'denied' }), CLOSE_DENIED, why);
  }

  /** The cluster says a host decided about a waiter: if its socket is here, act on it. */
  private decided(room: string, id: string, what: 'admitted' | 'denied' | 'removed'): void {
    const waiter = this.waiters.get(room)?.get(id);
    if (!waiter) {
      this.earlyNews.set(id, { what, at: Date.now() });
      return;
    }
    this.unwait(room, waiter);
    if (what === 'admitted') this.admitWaiter(waiter);
    else this.turnAway(room, waiter, what);
  }

  private waitingList(room: string): WaitingPerson[] {
    if (this.options.cluster) return this.waitingLists.get(room) ?? [];
    return [...(this.waiters.get(room)?.values() ?? [])].map(({ id, name }) => ({ id, name }));
  }

  private waitingNames(room: string): string[] {
    return this.waitingList(room).map((w) => w.name);
  }

  /** Sends the waiting list to the hosts of `room` on this process (`only`: to that one member). */
  private tellHosts(room: string, only?: LocalMember): void {
    const out = frame({ type: 'waiting-list', waiting: this.waitingList(room) });
    if (only) {
      if (only.info.role === 'host') this.deliver(only, out);
      return;
    }
    for (const [, entry] of this.view.entries(room)) if (entry.info.role === 'host' && entry.local?.client) entry.local.client.send(out);
  }

  /** The keys that refuse a newcomer: its address with the name it shows, its token subject, the member it resumes. */
  private joinBarKeys(client: Client, request: JoinRequest): string[] {
    const resumed = request.resume ? request.resume.slice(0, Math.max(0, request.resume.indexOf('.'))) : undefined;
    return barKeys({ id: resumed, address: client.address, name: shownName(request), subject: request.subject });
  }

  /** Refuses someone a host removed or denied (without a cluster: the cluster checks its own bars). */
  private checkBarred(client: Client, request: JoinRequest): void {
    const bars = this.bars.get(request.room);
    if (!bars) return;
    const now = Date.now();
    for (const key of this.joinBarKeys(client, request)) {
      const until = bars.get(key);
      if (until !== undefined && until > now) throw barred(request.room);
    }
  }

  private bar(room: string, keys: string[], ms: number): void {
    const bars = this.bars.get(room) ?? new Map<string, number>();
    const until = Date.now() + ms;
    for (const key of keys) {
      // A bar is never shortened by a later, shorter one (a denial after a removal).
      bars.delete(key);
      bars.set(key, Math.max(until, this.bars.get(room)?.get(key) ?? 0));
    }
    // The oldest bars go first when a room collects too many.
    for (const key of bars.keys()) {
      if (bars.size <= this.rules.maxBars) break;
      bars.delete(key);
    }
    this.bars.set(room, bars);
  }

  /** Forgets bars that have ended, and rooms left with none (called every heartbeat). */
  sweepBars(now = Date.now()): void {
    for (const [room, bars] of this.bars) {
      for (const [key, until] of bars) if (until <= now) bars.delete(key);
      if (bars.size === 0) this.bars.delete(room);
    }
    for (const [id, news] of this.earlyNews) if (news.at < now - EARLY_NEWS_MS) this.earlyNews.delete(id);
  }

  /** A change a host made to a member (without a cluster): everyone is told, the member too. */
  private change(member: LocalMember, next: PeerInfo): void {
    if (!next.handRaised) delete next.handRaisedAt;
    if (samePeer(next, member.info)) return;
    const becameHost = next.role === 'host' && member.info.role !== 'host';
    const wasHost = member.info.role === 'host' && next.role !== 'host';
    member.info = next;
    const entry = this.view.get(member.room, member.id);
    if (entry) entry.info = next;
    this.broadcast(member.room, frame({ type: 'peer-updated', peer: next }));
    if (becameHost) this.madeHost(member);
    if (wasHost) this.unmadeHost(member);
  }

  /** A host is one no longer: the hidden ideas it saw are gone for it. */
  private unmadeHost(member: LocalMember): void {
    for (const stored of this.options.ideas?.list(member.room) ?? []) if (stored.hidden) this.deliver(member, frame({ type: 'idea-gone', id: stored.idea.id }));
  }

  /** A member became host: what hosts alone see, the waiting list and the prepared polls, it sees now. */
  private madeHost(member: LocalMember): void {
    this.tellHosts(member.room, member);
    this.sendNotes(member);
    for (const view of this.options.polls?.views(member.room, true) ?? []) {
      if (view.state === 'prepared') this.deliver(member, frame({ type: 'poll', poll: view.poll, state: view.state }));
    }
    for (const stored of this.options.ideas?.list(member.room) ?? []) if (stored.hidden) this.deliver(member, frame({ type: 'idea', idea: stored.idea }));
  }

  /** Open rooms: the room may make this newcomer its host (an interpreter keeps the booth). */
  private mayHost(info: PeerInfo): boolean {
    return this.options.openRooms === true && info.role === 'participant';
  }

  private hasHost(room: string): boolean {
    for (const [, entry] of this.view.entries(room)) if (entry.info.role === 'host') return true;
    return false;
  }

  /**
   * Open rooms without a cluster (the cluster decides this itself): when no host is left, the
   * longest-present participant becomes host.
   */
  private ensureHost(roomName: string): void {
    if (!this.options.openRooms || this.options.cluster || this.hasHost(roomName)) return;
    let oldest: LocalMember | null = null;
    for (const [, entry] of this.view.entries(roomName)) {
      if (entry.local?.info.role === 'participant' && (!oldest || entry.since < this.view.get(roomName, oldest.id)!.since)) oldest = entry.local;
    }
    if (oldest) this.change(oldest, { ...oldest.info, role: 'host' });
  }

  /** Relays a signal to a member of the sender's own room; `from` is always the sender. */
  signal(member: LocalMember, to: string, sid: string, data: unknown): void {
    const target = to === member.id ? undefined : this.view.get(member.room, to);
    if (!target) throw new ProtocolError('unknown-peer', `no member "${to}" in room "${member.room}"`);
    this.forward(target, to, frame({ type: 'signal', from: member.id, sid, data }));
  }

  /**
   * Relays a peer message (`relay`, design §4.1) in a room on the media server: to member `to` of the
   * sender's room, or to every other member; `from` is always the sender. A mesh room's peers have
   * their own data channels: there it is refused. Returns how many members it went to.
   */
  relayPeerMessage(member: LocalMember, to: string | undefined, data: string): number {
    if (this.options.callMode?.(member.room) !== 'sfu') {
      throw new ProtocolError('forbidden', '"relay" is only for rooms on the media server: a mesh room\'s peers use their data channels');
    }
    const out = frame({ type: 'relay', from: member.id, data });
    if (to !== undefined) {
      const target = to === member.id ? undefined : this.view.get(member.room, to);
      if (!target) throw new ProtocolError('unknown-peer', `"relay": no member "${to}" in room "${member.room}"`);
      this.forward(target, to, out);
      this.relayed++;
      return 1;
    }
    let n = 0;
    for (const [id, entry] of this.view.entries(member.room)) {
      if (id === member.id) continue;
      this.forward(entry, id, out);
      n++;
    }
    this.relayed += n;
    return n;
  }

  /** Peer messages delivered (`relay`, one per recipient) and refused over their sender's budget, since the start (in the server's `sfu` stats). */
  relayed = 0;
  relayDropped = 0;

  /** A frame for one member, wherever its socket is: here (kept for a resume while it is away), or another process. */
  /** A frame for member `id` alone, wherever its socket is (kept for its resume, and carried along). */
  private forward(entry: { local: LocalMember | null; node: string }, id: string, out: string): void {
    if (entry.local) this.deliver(entry.local, out, true);
    else this.options.cluster?.relay(entry.node, id, out);
  }

  /** Applies a state update; one that changes nothing is dropped (neither broadcast nor published). */
  update(member: LocalMember, update: StateUpdate, extra: { secretHash?: string; session?: SelfChange['session'] } = {}): void {
    const { secretHash } = extra;
    const { name, ...rest } = update;
    const next: PeerInfo = { ...member.info, ...rest };
    // The server's clock says when a hand went up; a client cannot claim a place in the queue.
    if (!next.handRaised) delete next.handRaisedAt;
    else if (!member.info.handRaised) next.handRaisedAt = Date.now();
    if (name !== undefined && !member.fixedName) next.name = this.view.distinctName(member.room, name, member.id, this.waitingNames(member.room));
    const same = samePeer(next, member.info);
    if (same && secretHash === undefined && extra.session === undefined) return;
    const change: SelfChange = { info: changedFields(member.info, next) };
    if (extra.session || next.name !== member.info.name) change.session = { ...extra.session, nameKey: nameKey(next.name) };
    if (secretHash !== undefined) change.secretHash = secretHash;
    if (!same) {
      member.info = next;
      const entry = this.view.get(member.room, member.id);
      if (entry) entry.info = next;
      this.broadcast(member.room, frame({ type: 'peer-updated', peer: next }), member.id);
    }
    this.write(member, change);
  }

  /**
   * Stores a member's own change in the cluster. The cluster's answer is the room's record of it:
   * once no newer write of ours is in flight, a difference (a host changed it meanwhile) is adopted.
   */
  private write(member: LocalMember, change: SelfChange): void {
    const { cluster } = this.options;
    if (!cluster) return;
    member.pendingWrites++;
    cluster.update(member.room, member.id, change).then(
      (record) => {
        member.pendingWrites--;
        if (!record || record.v <= member.version) return;
        member.version = record.v;
        if (member.pendingWrites === 0 && this.locals.get(member.id) === member) this.adopt(member, record.info);
      },
      (err: unknown) => {
        member.pendingWrites--;
        this.warn('update', err);
      },
    );
  }

  /** The room changed a member this process holds (a host, or host succession): it and the room here are told. */
  private adopt(member: LocalMember, info: PeerInfo): void {
    if (samePeer(info, member.info)) return;
    const becameHost = info.role === 'host' && member.info.role !== 'host';
    const wasHost = member.info.role === 'host' && info.role !== 'host';
    member.info = info;
    const entry = this.view.get(member.room, member.id);
    if (entry) entry.info = info;
    this.broadcast(member.room, frame({ type: 'peer-updated', peer: info }));
    if (becameHost) this.madeHost(member);
    if (wasHost) this.unmadeHost(member);
  }

  /** Removes a member now and tells the room. */
  leave(member: LocalMember): void {
    if (this.locals.get(member.id) !== member) return;
    this.remove(member.room, member.id);
    this.options.cluster?.remove(member.room, member.id).catch((err: unknown) => this.warn('leave', err));
  }

  /**
   * The member's socket closed. Unless it meant to leave, the member stays (and peers keep their
   * connections to it) for the resume grace.
   */
  disconnected(member: LocalMember, intended: boolean): void {
    if (this.locals.get(member.id) !== member) return;
    member.client = null;
    if (this.closing) return;
    if (intended || this.options.resumeGraceMs <= 0) {
      this.leave(member);
      return;
    }
    this.setWaiting(member, true);
    member.grace = setTimeout(() => this.leave(member), this.options.resumeGraceMs);
    member.grace.unref();
    // From now on a resume through another process may take it.
    this.options.cluster?.detach(member.room, member.id).catch((err: unknown) => this.warn('detach', err));
  }

  /** Members without a socket kept for a resume: from `address`, or in all. They count like open sockets. */
  waitingForResume(address?: string): number {
    return address === undefined ? this.waitingTotal : (this.waiting.get(address) ?? 0);
  }

  stats(): HubStats {
    return { ...this.view.stats(), localMembers: this.locals.size, waitingForResume: this.waitingTotal, barredRooms: this.bars.size };
  }

  /**
   * Members and waiters this process holds, grouped by room, and whether a socket holds each member
   * (the cluster keeps their presence alive).
   */
  localRooms(): Map<string, { held: HeldMember[]; waiters: string[] }> {
    const byRoom = new Map<string, { held: HeldMember[]; waiters: string[] }>();
    const of = (room: string) => {
      let entry = byRoom.get(room);
      if (!entry) byRoom.set(room, (entry = { held: [], waiters: [] }));
      return entry;
    };
    for (const member of this.locals.values()) of(member.room).held.push({ id: member.id, attached: member.client !== null });
    for (const [room, waiting] of this.waiters) of(room).waiters.push(...waiting.keys());
    return byRoom;
  }

  /**
   * Stops everything without telling rooms anyone left: the sockets are being closed with
   * `shutting-down`, and with a cluster the members stay resumable on another process. Returns the
   * members, and the waiters to take off their rooms' lists (their clients wait again elsewhere).
   */
  shutdown(): { members: LocalMember[]; waiters: Array<{ room: string; id: string }> } {
    this.closing = true;
    const waiters: Array<{ room: string; id: string }> = [];
    for (const [room, waiting] of [...this.waiters]) {
      for (const waiter of [...waiting.values()]) {
        waiters.push({ room, id: waiter.id });
        this.unwait(room, waiter);
      }
    }
    const members = [...this.locals.values()];
    for (const member of members) this.drop(member);
    for (const timer of this.endTimers.values()) clearTimeout(timer);
    this.endTimers.clear();
    this.view.clear();
    return { members, waiters };
  }

  // ---- ClusterListener: what other processes did ----

  roomEvent(roomName: string, event: RoomEvent): void {
    switch (event.t) {
      case 'detached':
        // A resume here may be waiting for that socket to go.
        for (const wake of [...(this.detachWaits.get(event.id) ?? [])]) wake();
        return;
      case 'admitted':
        return this.decided(roomName, event.id, 'admitted');
      case 'dismissed':
        return this.decided(roomName, event.id, event.why);
      case 'agenda':
        if (this.view.has(roomName) && this.options.agendas?.learn(roomName, event.agenda)) {
          this.broadcast(roomName, frame({ type: 'agenda', ...stateOf(event.agenda) }));
        }
        return;
      case 'poll':
        if (this.view.has(roomName)) void this.pollNews(roomName, event.id);
        return;
      case 'ballot':
        if (this.view.has(roomName) && this.options.polls?.get(roomName, event.id)?.poll.results === 'live') this.scheduleResult(roomName, event.id);
        return;
      case 'idea':
        if (this.view.has(roomName)) this.scheduleIdea(roomName, event.id);
        return;
      case 'report':
        // Another process ended the dialogue: its hosts here get the final report from the database.
        if (this.view.has(roomName) && this.options.dialogues) {
          this.options.dialogues.report(roomName).then(
            (report) => {
              if (report?.final) this.tellReport(roomName, report);
            },
            (err: unknown) => this.warn('report', err),
          );
        }
        return;
      case 'waiters':
        if (!this.view.has(roomName) && !this.waiters.has(roomName)) return;
        this.waitingLists.set(roomName, event.list.map(({ id, name }) => ({ id, name })));
        this.tellHosts(roomName);
        return;
    }
    // Possibly one of our own joins or resumes, whose answer from the cluster is still on its way.
    if (event.t === 'left' && !this.view.get(roomName, event.id)) this.view.noteDeparture(event.id);
    if (!this.view.has(roomName)) return;
    switch (event.t) {
      case 'joined':
        // Our own joins are announced by `admit`; the echo from Redis can arrive before the admission
        // script's answer, while the member is not in the view yet: it would announce them twice.
        if (event.node === this.node) return;
        if (this.view.learn(roomName, { info: event.info, node: event.node, v: 1 })) {
          this.broadcast(roomName, frame({ type: 'peer-joined', peer: event.info }), event.info.id);
        }
        return;
      case 'left': {
        const local = this.view.get(roomName, event.id)?.local;
        if (event.by && local) {
          // A host removed this member (the cluster has barred it): told, closed, no resume.
          local.client?.dismiss(frame({ type: 'removed', by: event.by }), CLOSE_REMOVED, 'removed');
          local.client = null;
          this.remove(roomName, event.id);
          return;
        }
        // Our own member may have been replaced by a join of the same person through another
        // process, or have expired in the cluster (this process could not refresh it): it is gone.
        this.replace(roomName, [event.id]);
        return;
      }
      case 'updated': {
        const entry = this.view.get(roomName, event.info.id);
        if (!entry) return;
        const local = entry.local;
        if (local) {
          // Its own changes are known here first; what a host or the room changed is adopted.
          if (event.by === 'self' || event.v <= local.version) return;
          local.version = event.v;
          const next: PeerInfo = { ...local.info, role: event.info.role };
          if (!event.info.handRaised) {
            next.handRaised = false;
            delete next.handRaisedAt;
          }
          this.adopt(local, next);
          return;
        }
        if (event.v <= entry.v) return;
        entry.v = event.v;
        if (samePeer(entry.info, event.info)) return;
        entry.info = event.info;
        this.broadcast(roomName, frame({ type: 'peer-updated', peer: event.info }), event.info.id);
        return;
      }
      case 'locked':
        if (event.on) this.locked.add(roomName);
        else this.locked.delete(roomName);
        this.broadcast(roomName, frame({ type: 'room', locked: event.on }));
        return;
      case 'resumed': {
        const entry = this.view.get(roomName, event.id);
        if (!entry || event.node === this.node) return;
        if (entry.local) {
          // The member came back through another process: hand it over silently. Signals kept for
          // it while its socket was away (some sent before this news reached us) go on to it there.
          entry.local.client?.replaced('resumed');
          for (const { out, carried } of entry.local.backlog) if (carried) this.options.cluster?.relay(event.node, event.id, out);
          this.drop(entry.local);
          entry.local = null;
        }
        entry.node = event.node;
        this.view.releaseIfEmpty(roomName);
        return;
      }
    }
  }

  relay(to: string, out: string): void {
    const member = this.locals.get(to);
    if (member) this.deliver(member, out, true);
  }

  reconcile(roomName: string, members: ClusterMember[], readAt: number): void {
    if (!this.view.has(roomName)) return;
    this.view.forgetOldDepartures();
    const present = new Set(members.map((m) => m.info.id));
    for (const [id, entry] of [...this.view.entries(roomName)]) {
      // Joined after the reading was taken: absent from it, yet present.
      if (!present.has(id) && entry.since < readAt) this.roomEvent(roomName, { t: 'left', id });
    }
    for (const m of members) {
      const entry = this.view.get(roomName, m.info.id);
      if (!entry) this.roomEvent(roomName, { t: 'joined', node: m.node, info: m.info });
      else if (entry.local) {
        if (m.v > entry.local.version) this.roomEvent(roomName, { t: 'updated', info: m.info, v: m.v, by: 'room' });
      } else {
        entry.node = m.node;
        // A change whose news was lost heals here.
        if (m.v > entry.v) this.roomEvent(roomName, { t: 'updated', info: m.info, v: m.v, by: 'room' });
      }
    }
  }

  // ---- internals: the one way in and the one way out ----

  /** Puts a member (new, or resumed through this process) in its room's view and its session here. */
  private admit(member: LocalMember, secret: string, others: ClusterMember[], resumed?: JoinRequest): LocalMember {
    for (const other of others) this.view.learn(member.room, other);
    this.view.set(member.room, { info: member.info, node: this.node, local: member, since: Date.now(), v: member.version });
    this.locals.set(member.id, member);
    if (resumed) {
      this.applyResumeState(member, resumed);
      this.welcome(member, secret);
    } else {
      this.welcome(member, secret);
      this.broadcast(member.room, frame({ type: 'peer-joined', peer: member.info }), member.id);
      this.recordJoin(member);
    }
    if (this.waitingList(member.room).length) this.tellHosts(member.room, member);
    // The same person may have joined through another process while the cluster was answering,
    // and the news came first: this member is already replaced.
    if (this.view.hasDeparted(member.id)) this.replace(member.room, [member.id]);
    // The socket may have gone while the cluster was answering: it then left like any other.
    else if (member.client && !member.client.open) this.disconnected(member, false);
    return member;
  }

  /** Takes a member out of its room's view (and its session here, if any) and tells the room. */
  private remove(roomName: string, id: string): void {
    const entry = this.view.remove(roomName, id);
    if (!entry) return;
    if (entry.local) this.drop(entry.local);
    this.broadcast(roomName, frame({ type: 'peer-left', id }));
    this.options.memberLeft?.(roomName, id);
    if (entry.info.role === 'host') this.ensureHost(roomName);
    if (!this.options.cluster && this.view.size(roomName) === 0) this.emptied(roomName);
    if (this.view.size(roomName) === 0) this.scheduleEnd(roomName);
    this.view.releaseIfEmpty(roomName);
  }

  /**
   * Without a cluster (the cluster does the same in Redis): a room nobody is left in forgets its
   * lock, and lets in whoever waited only because of it; the first of them is its host again.
   */
  private emptied(roomName: string): void {
    this.locked.delete(roomName);
    for (const waiter of [...(this.waiters.get(roomName)?.values() ?? [])]) {
      if (waiter.request.waitingRoom) continue;
      this.unwait(roomName, waiter);
      this.admitWaiter(waiter);
    }
  }

  /** What the cluster said of a room on an admission or a resume: its lock and who waits. */
  private learnRoom(room: string, known: { locked: boolean; waiting: WaitingPerson[] }): void {
    if (known.locked) this.locked.add(room);
    else this.locked.delete(room);
    this.waitingLists.set(room, known.waiting.map(({ id, name }) => ({ id, name })));
  }

  /** Forgets what this process kept of a room it no longer has members or waiters in. */
  private forgetRoom(room: string): void {
    this.recorded.delete(room);
    this.options.dialogues?.forget(room);
    this.options.agendas?.forget(room);
    this.options.polls?.forget(room);
    this.options.ideas?.forget(room);
    for (const [key, pending] of this.pendingResults) {
      if (!key.startsWith(`${room}\n`)) continue;
      if (pending.timer) clearTimeout(pending.timer);
      this.pendingResults.delete(key);
    }
    if (this.options.cluster) {
      this.locked.delete(room);
      this.waitingLists.delete(room);
      this.options.cluster.unwatch(room);
    }
  }

  /**
   * Members replaced by a newer join of the same person (one live member per person), or gone from
   * the cluster: they leave the room, and a socket still holding one is told why and closed.
   */
  private replace(roomName: string, ids: Iterable<string>): void {
    for (const id of ids) {
      this.view.get(roomName, id)?.local?.client?.replaced('replaced');
      this.remove(roomName, id);
    }
  }

  private async resume(client: Client, request: JoinRequest): Promise<LocalMember | null> {
    const token = request.resume!;
    const dot = token.indexOf('.');
    if (dot < 1) return null;
    const id = token.slice(0, dot);
    const secretHash = hashSecret(token.slice(dot + 1));
    const local = this.locals.get(id);
    if (local) {
      if (local.room !== request.room || !sameSecret(local.secretHash, secretHash) || !this.resumable(local, request)) return null;
      // A second socket may not take over one that is still open: a replayed secret gains nothing.
      if (local.client && local.client !== client && local.client.open) return null;
      if (local.grace) clearTimeout(local.grace);
      local.grace = null;
      this.setWaiting(local, false);
      local.client = client;
      local.address = client.address;
      if (request.expiresAt !== undefined) local.expiresAt = request.expiresAt;
      const secret = newSecret();
      local.secretHash = hashSecret(secret);
      // Through a cluster, the secret other processes would accept must be the new one too.
      this.applyResumeState(local, request, true);
      this.welcome(local, secret);
      if (this.waitingList(local.room).length) this.tellHosts(local.room, local);
      const backlog = local.backlog.splice(0);
      local.backlogBytes = 0;
      for (const { out } of backlog) client.send(out);
      return local;
    }
    const { cluster } = this.options;
    if (!cluster) return null;
    return this.view.whileJoining(request.room, async () => {
      await cluster.watch(request.room);
      // Read once the room's news reaches us: a change made meanwhile is then either read or heard.
      await this.loadAgenda(request.room);
      // The same rule as on one process: the token's expiry, or a fresh token of the same person.
      // Checked before the claim, which only succeeds if the secret is still the one checked here.
      const session = await cluster.session(request.room, id);
      if (!session || !this.resumable(session, request)) return null;
      const secret = newSecret();
      // As on one process, a resume may not take a member a socket still holds (on whichever
      // process): unless that socket is just closing, which its process says within a moment.
      // Or unless that process died: then the member's attachment lapses within a heartbeat, and
      // the member resumes here with its role, as if its socket had closed.
      const deadline = Date.now() + (this.options.resumeWaitMs ?? DETACH_WAIT_MS);
      let claimed = await cluster.claim(request.room, id, secretHash, hashSecret(secret));
      while (claimed === 'attached' && Date.now() < deadline) {
        const detach = this.awaitDetach(id, Math.min(deadline - Date.now(), (this.options.resumeWaitMs ?? DETACH_WAIT_MS) / 4));
        try {
          await detach.detached;
        } finally {
          detach.stop();
        }
        claimed = await cluster.claim(request.room, id, secretHash, hashSecret(secret));
      }
      if (!claimed || claimed === 'attached') return null;
      const member = new LocalMember(
        {
          id,
          room: request.room,
          info: claimed.self,
          fixedName: claimed.fixedName,
          subject: claimed.subject,
          expiresAt: request.expiresAt ?? claimed.expiresAt,
        },
        client,
        secret,
      );
      member.version = claimed.v;
      this.learnRoom(request.room, claimed);
      // A fresh token renews the session, and the address bars go by is the new one: the next
      // process to be asked must know both.
      return this.admit(member, secret, claimed.others, request);
    });
  }

  /** Resolves when `id` is detached somewhere in the cluster, or after `ms`; `stop` ends the wait. */
  private awaitDetach(id: string, ms: number): { detached: Promise<void>; stop(): void } {
    const waits = this.detachWaits.get(id) ?? new Set<() => void>();
    this.detachWaits.set(id, waits);
    let resolve!: () => void;
    const detached = new Promise<void>((r) => (resolve = r));
    const stop = () => {
      clearTimeout(timer);
      waits.delete(stop);
      if (waits.size === 0 && this.detachWaits.get(id) === waits) this.detachWaits.delete(id);
      resolve();
    };
    const timer = setTimeout(stop, ms);
    waits.add(stop);
    return { detached, stop };
  }

  /** A resume is refused once the join token has expired, unless the resume brings a fresh one. */
  private resumable(member: StoredSession, request: JoinRequest): boolean {
    if (request.subject !== undefined && request.subject !== member.subject) return false;
    const expiresAt = request.expiresAt ?? member.expiresAt;
    return expiresAt === null || Date.now() < expiresAt;
  }

  /**
   * A resuming client may bring a newer state than the one it left with; its role stays the one the
   * room gave it (a resume must not grant anything new). `rotated`: the resume secret changed here.
   */
  private applyResumeState(member: LocalMember, request: JoinRequest, rotated = false): void {
    this.update(member, { ...request.state, name: request.state.name ?? request.name }, {
      session: { expiresAt: member.expiresAt, address: member.address },
      ...(rotated ? { secretHash: member.secretHash } : {}),
    });
  }

  private welcome(member: LocalMember, secret: string): void {
    member.client?.send(
      frame({
        type: 'welcome',
        id: member.id,
        self: member.info,
        resume: `${member.id}.${secret}`,
        peers: this.view.peers(member.room, member.id),
        iceServers: this.options.iceServers(member.id, member.client),
        ...(this.locked.has(member.room) ? { locked: true } : {}),
        ...(this.options.callMode?.(member.room) === 'sfu' ? { mode: 'sfu' as const } : {}),
        ...(this.options.asrOffer ? { asr: this.options.asrOffer(member) } : {}),
        ...withAgenda(this.options.agendas?.current(member.room)),
        ...withPolls(this.options.polls?.views(member.room, member.info.role === 'host')),
      }),
    );
    this.sendIdeas(member);
    // A newcomer may speak a language the room's ideas are not in yet.
    this.translateIdeas(member.room);
  }

  /** Sends to a member of this process; while its socket is away (resume grace), keeps it for the resume. */
  sendTo(member: LocalMember, out: string): void {
    if (this.locals.get(member.id) === member) this.deliver(member, out);
  }

  private deliver(member: LocalMember, out: string, carried = false): void {
    if (member.client) {
      member.client.send(out);
      return;
    }
    member.backlog.push({ out, carried });
    member.backlogBytes += out.length;
    while (member.backlogBytes > MAX_BACKLOG_BYTES) member.backlogBytes -= member.backlog.shift()!.out.length;
  }

  private broadcast(roomName: string, out: string, except?: string): void {
    for (const [id, entry] of this.view.entries(roomName)) if (id !== except && entry.local?.client) entry.local.client.send(out);
  }

  /** Forgets a local session (timers, socket, backlog) without touching its room. */
  private drop(member: LocalMember): void {
    if (member.grace) clearTimeout(member.grace);
    member.grace = null;
    this.setWaiting(member, false);
    member.client = null;
    member.backlog.length = 0;
    member.backlogBytes = 0;
    if (this.locals.get(member.id) === member) this.locals.delete(member.id);
  }

  private setWaiting(member: LocalMember, waiting: boolean): void {
    if (member.waiting === waiting) return;
    member.waiting = waiting;
    const delta = waiting ? 1 : -1;
    this.waitingTotal += delta;
    const n = (this.waiting.get(member.address) ?? 0) + delta;
    if (n > 0) this.waiting.set(member.address, n);
    else this.waiting.delete(member.address);
  }

  private stored(member: LocalMember): StoredSession & BarIdentity {
    return { fixedName: member.fixedName, subject: member.subject, expiresAt: member.expiresAt, address: member.address, nameKey: nameKey(member.info.name) };
  }

  private warn(what: string, err: unknown): void {
    this.options.log(`un75-signal: cluster ${what} failed: ${err instanceof Error ? err.message : String(err)}`);
  }
}

const withAgenda = (agenda: AgendaState | undefined) => (agenda ? { agenda } : {});
const withPolls = (polls: PollView[] | undefined) => (polls?.length ? { polls } : {});

/** A room empty this long has ended its dialogue (ms): long enough for everyone's network to come back. */
const DEFAULT_DIALOGUE_END_MS = 120_000;

/** Counts of a live poll go out at most this often (design §8: a burst of ballots is one broadcast). */
const RESULT_INTERVAL_MS = 500;

function roomFull(room: string, max: number): ProtocolError {
  return new ProtocolError('room-full', `room "${room}" is full (${max} members)`);
}

function waitersFull(room: string): ProtocolError {
  return new ProtocolError('room-full', `too many people are waiting to enter room "${room}"; try again later`);
}

function barred(room: string): ProtocolError {
  return new ProtocolError('forbidden', `a host removed you from room "${room}", or did not let you in`);
}

/** The fields of a member's description that changed (`handRaisedAt: null` when the stamp went). */
function changedFields(before: PeerInfo, after: PeerInfo): SelfChange['info'] {
  const out: SelfChange['info'] = {};
  if (after.name !== before.name) out.name = after.name;
  if (after.spokenLanguage !== before.spokenLanguage) out.spokenLanguage = after.spokenLanguage;
  if (after.micEnabled !== before.micEnabled) out.micEnabled = after.micEnabled;
  if (after.cameraEnabled !== before.cameraEnabled) out.cameraEnabled = after.cameraEnabled;
  if (after.handRaised !== before.handRaised) out.handRaised = after.handRaised;
  if (after.handRaisedAt !== before.handRaisedAt) out.handRaisedAt = after.handRaisedAt ?? null;
  return out;
}

function samePeer(a: PeerInfo, b: PeerInfo): boolean {
  return (
    a.name === b.name &&
    a.role === b.role &&
    a.spokenLanguage === b.spokenLanguage &&
    a.micEnabled === b.micEnabled &&
    a.cameraEnabled === b.cameraEnabled &&
    a.handRaised === b.handRaised &&
    a.handRaisedAt === b.handRaisedAt
  );
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
