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
} from '../src/protocol/signaling.js';
import type { Cluster, ClusterListener, ClusterMember, HeldMember, RoomEvent, StoredSession } from './cluster.js';
import { RoomView } from './room-view.js';

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

/** A member whose socket this process holds (or held, during the resume grace). */
export interface LocalMember {
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
  grace: NodeJS.Timeout | null;
  /** Counted among the members waiting for a resume. */
  waiting: boolean;
  /** Frames that arrived while the socket was gone, delivered on resume. */
  backlog: string[];
  backlogBytes: number;
}

/** A member on its own socket, not admitted yet, holding the hash of its resume secret. */
function newMember(
  who: Pick<LocalMember, 'id' | 'room' | 'info' | 'fixedName' | 'subject' | 'expiresAt'>,
  client: Client,
  secret: string,
): LocalMember {
  return { ...who, secretHash: hashSecret(secret), client, address: client.address, grace: null, waiting: false, backlog: [], backlogBytes: 0 };
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
  /** How long someone may sit in a waiting room before being turned away (ms). Default 10 min. */
  waitingRoomMs?: number;
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
}

/** Bytes kept for a member during the grace: enough for a renegotiation with a full room, bounded against abuse. */
export const MAX_BACKLOG_BYTES = 256 * 1024;
const LOCAL = 'local';
/** Close codes of a removed member and of a waiter turned away (docs/protocol.md). */
export const CLOSE_REMOVED = 4003;
export const CLOSE_DENIED = 4004;
/** How long a removal bars the person from the room, and how many bars a room keeps. */
const BAR_MS = 24 * 3600_000;
const MAX_BARS_PER_ROOM = 1000;
const DEFAULT_WAITING_ROOM_MS = 10 * 60_000;
/**
 * How long a resume through another process waits for the member's old socket to be seen closing
 * (a client that reconnects after closing its socket may reach the new process first).
 */
const DETACH_WAIT_MS = 1000;

const newId = () => randomBytes(12).toString('base64url');
const newSecret = () => randomBytes(18).toString('base64url');
const hashSecret = (secret: string) => createHash('sha256').update(secret).digest('base64url');
const frame = (message: ServerMessage) => JSON.stringify(message);

/**
 * The local sessions of this process (sockets, resume secrets, grace timers, backlogs) and the rules
 * of a room: who may enter, how members leave, what the others are told. What is known of each room
 * is kept by a {@link RoomView}. Without a cluster this process is the only source of truth; with one,
 * the view is kept current by the cluster's events, and what must hold across processes is decided
 * atomically by the cluster: admission (the room-size cap, one live member per token subject) and
 * resumes (no take-over of a member whose socket a process still holds).
 */
export class Hub implements ClusterListener {
  private readonly view: RoomView<LocalMember>;
  private readonly locals = new Map<string, LocalMember>();
  /** Members waiting for a resume, per address they came from. */
  private readonly waiting = new Map<string, number>();
  private waitingTotal = 0;
  private readonly node: string;
  private closing = false;
  /** Rooms a host locked; forgotten when nobody is left in the room nor waiting for it. */
  private readonly locked = new Set<string>();
  /** Waiting rooms, per room, in arrival order. */
  private readonly waiters = new Map<string, Map<string, Waiter>>();
  /** Who was removed from a room (subject, member id, address+name) and until when (ms). */
  private readonly bars = new Map<string, Map<string, number>>();
  /** Resumes waiting for a member's socket on another process to go, per member id. */
  private readonly detachWaits = new Map<string, Set<() => void>>();

  constructor(private readonly options: HubOptions) {
    this.node = options.cluster?.nodeId ?? LOCAL;
    this.view = new RoomView((room) => {
      if (!this.waiters.has(room)) this.locked.delete(room);
      options.cluster?.unwatch(room);
    }, options.cluster !== undefined);
  }

  /**
   * Joins `client` to a room (or resumes its earlier membership) and sends it the welcome; or, in a
   * locked room or one whose token says so, puts it in the waiting room (null) until a host decides.
   */
  async join(client: Client, request: JoinRequest): Promise<LocalMember | null> {
    if (this.closing) throw new ProtocolError('shutting-down', 'the server is shutting down');
    // Open rooms: a page gets no role by asking (the first member becomes host in `enter`, a host
    // grants the others), unless the server trusts a page asking to interpret (--trust-asked-roles).
    if (this.options.openRooms) {
      request = { ...request, role: this.options.trustAskedRoles && request.role === 'interpreter' ? 'interpreter' : 'participant' };
    }
    this.checkBarred(client, request);
    const resumed = request.resume ? await this.resume(client, request) : null;
    if (resumed) return resumed;
    if (request.resumeOnly) {
      throw new ProtocolError('unauthorized', 'the resume token is no longer valid: join again with a "token"');
    }
    if (request.role !== 'host' && (this.locked.has(request.room) || request.waitingRoom)) return this.wait(client, request);
    return this.enter(client, request);
  }

  /** A socket in the waiting room closed or sent `leave`: it leaves the waiting room. */
  stopWaiting(client: Client): void {
    for (const [room, waiting] of this.waiters) {
      for (const waiter of waiting.values()) if (waiter.client === client) return this.unwait(room, waiter);
    }
  }

  /** A host's action (design §5.5); anyone else gets `forbidden` and nothing changes. */
  /** Whether the room decides this newcomer's role (open rooms; a trusted interpreter keeps theirs). */
  private grantsRoles(info: PeerInfo): boolean {
    return this.options.openRooms === true && info.role === 'participant';
  }

  hostAction(member: LocalMember, msg: Extract<ClientMessage, { type: HostAction | 'lock' | 'set-role' }>): void {
    if (member.info.role !== 'host') throw new ProtocolError('forbidden', `only a host may "${msg.type}"`);
    const room = member.room;
    if (msg.type === 'lock') {
      if (msg.on) this.locked.add(room);
      else this.locked.delete(room);
      this.broadcast(room, frame({ type: 'room', locked: msg.on }));
      // Unlocking lets nobody in by itself: hosts still admit or deny whoever is waiting.
      return;
    }
    if (msg.type === 'admit' || msg.type === 'deny') {
      const waiter = this.waiters.get(room)?.get(msg.id);
      if (!waiter) throw new ProtocolError('unknown-peer', `nobody "${msg.id}" is waiting for room "${room}"`);
      this.unwait(room, waiter);
      if (msg.type === 'deny') {
        waiter.client.dismiss(frame({ type: 'denied' }), CLOSE_DENIED, 'denied');
        return;
      }
      this.enter(waiter.client, waiter.request).then(
        (admitted) => waiter.client.admitted(admitted),
        (err: unknown) => {
          const code = err instanceof ProtocolError ? err.code : 'server-error';
          waiter.client.dismiss(frame({ type: 'error', code, message: err instanceof Error ? err.message : code }), CLOSE_DENIED, code);
        },
      );
      return;
    }
    const entry = msg.id === member.id ? undefined : this.view.get(room, msg.id);
    if (!entry) throw new ProtocolError('unknown-peer', `no other member "${msg.id}" in room "${room}"`);
    const target = entry.local;
    // Host actions reach members whose socket this process holds (docs/deploying.md: limits with Redis).
    if (!target) throw new ProtocolError('unknown-peer', `member "${msg.id}" is connected to another server process`);
    switch (msg.type) {
      case 'remove':
        this.bar(room, target);
        target.client?.dismiss(frame({ type: 'removed', by: member.id }), CLOSE_REMOVED, 'removed');
        this.leave(target);
        return;
      case 'request-mute':
        this.deliver(target, frame({ type: 'mute-requested', by: member.id }));
        return;
      case 'lower-hand':
        this.change(target, { ...target.info, handRaised: false });
        return;
      case 'set-role':
        this.change(target, { ...target.info, role: msg.role });
        return;
    }
  }

  /** Enters the room now: the welcome to the newcomer, peer-joined to the others. */
  private async enter(client: Client, request: JoinRequest): Promise<LocalMember> {
    const id = newId();
    const secret = newSecret();
    const info: PeerInfo = {
      id,
      name: request.fixedName ? request.name : (request.state.name ?? request.name),
      role: request.role,
      // BCP 47 for "undetermined": the browser's validator wants a tag, and guessing one would mislead.
      spokenLanguage: request.state.spokenLanguage ?? 'und',
      micEnabled: request.state.micEnabled ?? false,
      cameraEnabled: request.state.cameraEnabled ?? false,
      handRaised: request.state.handRaised ?? false,
    };
    const member = newMember(
      { id, room: request.room, info, fixedName: request.fixedName, subject: request.subject ?? null, expiresAt: request.expiresAt ?? null },
      client,
      secret,
    );
    if (info.handRaised) info.handRaisedAt = Date.now();
    const { cluster } = this.options;
    const subject = member.subject;
    if (!cluster) {
      // One live member per person: a newer join with the same token subject replaces the older one.
      if (subject !== null) {
        this.replace(request.room, [...this.locals.values()].filter((o) => o.room === request.room && o.subject === subject).map((o) => o.id));
      }
      if (this.view.size(request.room) >= this.options.maxRoomSize) throw roomFull(request.room, this.options.maxRoomSize);
      info.name = this.view.distinctName(request.room, info.name, id);
      if (this.grantsRoles(info)) info.role = this.view.size(request.room) === 0 ? 'host' : 'participant';
      return this.admit(member, secret, []);
    }
    return this.view.whileJoining(request.room, async () => {
      await cluster.watch(request.room);
      // The same rule through the cluster, wherever the older member's socket is: it leaves before
      // the newcomer is named (who then keeps the name), and again atomically with the admission, in
      // case the same person is joining through another process at the same time.
      if (subject !== null) this.replace(request.room, await cluster.evict(request.room, subject));
      info.name = this.view.distinctName(request.room, info.name, id);
      const granting = this.grantsRoles(info);
      if (granting) info.role = 'participant';
      const admission = await cluster.admit(request.room, info, member.secretHash, this.stored(member), this.options.maxRoomSize);
      if (admission === 'full') throw roomFull(request.room, this.options.maxRoomSize);
      this.replace(request.room, admission.replaced);
      const others = admission.others;
      // Through a cluster the first member is the one the shared room had nobody else for when it was admitted.
      if (granting && others.length === 0) {
        info.role = 'host';
        cluster.update(request.room, info, this.stored(member)).catch((err: unknown) => this.warn('update', err));
      }
      return this.admit(member, secret, others);
    });
  }

  /** Puts a newcomer in the waiting room of a locked room; its hosts are told. */
  private wait(client: Client, request: JoinRequest): null {
    const waiting = this.waiters.get(request.room) ?? new Map<string, Waiter>();
    // Those waiting count against the room's size: admitting them must not overfill it.
    if (this.view.size(request.room) + waiting.size >= this.options.maxRoomSize) throw roomFull(request.room, this.options.maxRoomSize);
    const id = newId();
    const timer = setTimeout(() => {
      this.unwait(request.room, waiter);
      client.dismiss(frame({ type: 'denied' }), CLOSE_DENIED, 'waited too long');
    }, this.options.waitingRoomMs ?? DEFAULT_WAITING_ROOM_MS);
    timer.unref();
    const name = request.fixedName ? request.name : (request.state.name ?? request.name);
    const waiter: Waiter = { id, name, client, request, timer };
    waiting.set(id, waiter);
    this.waiters.set(request.room, waiting);
    client.send(frame({ type: 'waiting', room: request.room }));
    this.tellHosts(request.room);
    return null;
  }

  private unwait(room: string, waiter: Waiter): void {
    clearTimeout(waiter.timer);
    const waiting = this.waiters.get(room);
    if (!waiting?.delete(waiter.id)) return;
    if (waiting.size === 0) {
      this.waiters.delete(room);
      if (!this.view.has(room)) this.locked.delete(room);
    }
    this.tellHosts(room);
  }

  /** Sends the waiting list to the hosts of `room` on this process (`only`: to that one member). */
  private tellHosts(room: string, only?: LocalMember): void {
    const waiting = [...(this.waiters.get(room)?.values() ?? [])].map(({ id, name }) => ({ id, name }));
    const out = frame({ type: 'waiting-list', waiting });
    if (only) {
      if (only.info.role === 'host') this.deliver(only, out);
      return;
    }
    for (const [, entry] of this.view.entries(room)) if (entry.info.role === 'host' && entry.local?.client) entry.local.client.send(out);
  }

  /** Refuses someone a host removed from this room: by token subject, by resume secret, by address and name. */
  private checkBarred(client: Client, request: JoinRequest): void {
    const bars = this.bars.get(request.room);
    if (!bars) return;
    const now = Date.now();
    const keys = [`addr:${client.address}:${(request.state.name ?? request.name).toLocaleLowerCase()}`];
    if (request.subject !== undefined) keys.push(request.subject);
    if (request.resume) keys.push(`id:${request.resume.slice(0, request.resume.indexOf('.'))}`);
    for (const key of keys) {
      const until = bars.get(key);
      if (until !== undefined && until > now) throw new ProtocolError('forbidden', `a host removed you from room "${request.room}"`);
    }
  }

  private bar(room: string, member: LocalMember): void {
    const bars = this.bars.get(room) ?? new Map<string, number>();
    const now = Date.now();
    for (const [key, until] of bars) if (until <= now) bars.delete(key);
    const until = now + BAR_MS;
    bars.set(`id:${member.id}`, until);
    bars.set(`addr:${member.address}:${member.info.name.toLocaleLowerCase()}`, until);
    if (member.subject !== null) bars.set(member.subject, until);
    // The oldest bars go first when a room collects too many.
    for (const key of bars.keys()) {
      if (bars.size <= MAX_BARS_PER_ROOM) break;
      bars.delete(key);
    }
    this.bars.set(room, bars);
  }

  /** A change a host made to a member: everyone is told, the member too; with a cluster, published. */
  private change(member: LocalMember, next: PeerInfo): void {
    if (!next.handRaised) delete next.handRaisedAt;
    if (samePeer(next, member.info)) return;
    const becameHost = next.role === 'host' && member.info.role !== 'host';
    member.info = next;
    const entry = this.view.get(member.room, member.id);
    if (entry) entry.info = next;
    this.broadcast(member.room, frame({ type: 'peer-updated', peer: next }));
    this.options.cluster?.update(member.room, next, this.stored(member)).catch((err: unknown) => this.warn('update', err));
    if (becameHost) this.tellHosts(member.room, member);
  }

  /** Open rooms: when no host is left, the longest-present member this process holds becomes host. */
  private succeed(roomName: string): void {
    if (!this.options.openRooms) return;
    let oldest: LocalMember | null = null;
    let since = Infinity;
    for (const [, entry] of this.view.entries(roomName)) {
      if (entry.info.role === 'host') return;
      if (entry.since < since) {
        since = entry.since;
        oldest = entry.local;
      }
    }
    // The longest-present member may be on another process: that process promotes it.
    if (oldest) this.change(oldest, { ...oldest.info, role: 'host' });
  }

  /** Relays a signal to a member of the sender's own room; `from` is always the sender. */
  signal(member: LocalMember, to: string, sid: string, data: unknown): void {
    const target = to === member.id ? undefined : this.view.get(member.room, to);
    if (!target) throw new ProtocolError('unknown-peer', `no member "${to}" in room "${member.room}"`);
    const out = frame({ type: 'signal', from: member.id, sid, data });
    if (target.local) this.deliver(target.local, out);
    else this.options.cluster?.relay(target.node, to, out);
  }

  /** Applies a state update; one that changes nothing is dropped (neither broadcast nor published). */
  update(member: LocalMember, update: StateUpdate): void {
    const { name, ...rest } = update;
    const next: PeerInfo = { ...member.info, ...rest };
    // The server's clock says when a hand went up; a client cannot claim a place in the queue.
    if (!next.handRaised) delete next.handRaisedAt;
    else if (!member.info.handRaised) next.handRaisedAt = Date.now();
    if (name !== undefined && !member.fixedName) next.name = this.view.distinctName(member.room, name, member.id);
    if (samePeer(next, member.info)) return;
    member.info = next;
    const entry = this.view.get(member.room, member.id);
    if (entry) entry.info = next;
    this.broadcast(member.room, frame({ type: 'peer-updated', peer: next }), member.id);
    this.options.cluster?.update(member.room, next, this.stored(member)).catch((err: unknown) => this.warn('update', err));
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
    return { ...this.view.stats(), localMembers: this.locals.size, waitingForResume: this.waitingTotal };
  }

  /** Members this process holds, grouped by room, and whether a socket holds each (the cluster keeps their presence alive). */
  localRooms(): Map<string, HeldMember[]> {
    const byRoom = new Map<string, HeldMember[]>();
    for (const member of this.locals.values()) {
      const held = byRoom.get(member.room) ?? [];
      held.push({ id: member.id, attached: member.client !== null });
      byRoom.set(member.room, held);
    }
    return byRoom;
  }

  /**
   * Stops everything without telling rooms anyone left: the sockets are being closed with
   * `shutting-down`, and with a cluster the members stay resumable on another process.
   */
  shutdown(): LocalMember[] {
    this.closing = true;
    for (const [room, waiting] of [...this.waiters]) for (const waiter of [...waiting.values()]) this.unwait(room, waiter);
    const members = [...this.locals.values()];
    for (const member of members) this.drop(member);
    this.view.clear();
    return members;
  }

  // ---- ClusterListener: what other processes did ----

  roomEvent(roomName: string, event: RoomEvent): void {
    if (event.t === 'detached') {
      // A resume here may be waiting for that socket to go.
      for (const wake of [...(this.detachWaits.get(event.id) ?? [])]) wake();
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
        if (this.view.learn(roomName, { info: event.info, node: event.node })) {
          this.broadcast(roomName, frame({ type: 'peer-joined', peer: event.info }), event.info.id);
        }
        return;
      case 'left': {
        // Our own member may have been replaced by a join of the same person through another
        // process, or have expired in the cluster (this process could not refresh it): it is gone.
        this.replace(roomName, [event.id]);
        return;
      }
      case 'updated': {
        const entry = this.view.get(roomName, event.info.id);
        if (!entry || entry.local || samePeer(entry.info, event.info)) return;
        entry.info = event.info;
        this.broadcast(roomName, frame({ type: 'peer-updated', peer: event.info }), event.info.id);
        return;
      }
      case 'resumed': {
        const entry = this.view.get(roomName, event.id);
        if (!entry || event.node === this.node) return;
        if (entry.local) {
          // The member came back through another process: hand it over silently.
          entry.local.client?.replaced('resumed');
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
    if (member) this.deliver(member, out);
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
      else if (!entry.local) entry.node = m.node;
    }
  }

  // ---- internals: the one way in and the one way out ----

  /** Puts a member (new, or resumed through this process) in its room's view and its session here. */
  private admit(member: LocalMember, secret: string, others: ClusterMember[], resumed?: JoinRequest): LocalMember {
    for (const other of others) this.view.learn(member.room, other);
    this.view.set(member.room, { info: member.info, node: this.node, local: member, since: Date.now() });
    this.locals.set(member.id, member);
    if (resumed) {
      this.applyResumeState(member, resumed);
      this.welcome(member, secret);
    } else {
      this.welcome(member, secret);
      this.broadcast(member.room, frame({ type: 'peer-joined', peer: member.info }), member.id);
    }
    if (this.waiters.has(member.room)) this.tellHosts(member.room, member);
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
    if (entry.info.role === 'host') this.succeed(roomName);
    this.view.releaseIfEmpty(roomName);
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
      this.applyResumeState(local, request);
      this.welcome(local, secret);
      if (this.waiters.has(local.room)) this.tellHosts(local.room, local);
      const backlog = local.backlog.splice(0);
      local.backlogBytes = 0;
      for (const out of backlog) client.send(out);
      // Through a cluster, the secret other processes would accept must be the new one too.
      this.options.cluster?.update(local.room, local.info, this.stored(local), local.secretHash).catch((err: unknown) => this.warn('resume', err));
      return local;
    }
    const { cluster } = this.options;
    if (!cluster) return null;
    return this.view.whileJoining(request.room, async () => {
      await cluster.watch(request.room);
      // The same rule as on one process: the token's expiry, or a fresh token of the same person.
      // Checked before the claim, which only succeeds if the secret is still the one checked here.
      const session = await cluster.session(request.room, id);
      if (!session || !this.resumable(session, request)) return null;
      const secret = newSecret();
      // As on one process, a resume may not take a member a socket still holds (on whichever
      // process): unless that socket is just closing, which its process says within a moment.
      const detach = this.awaitDetach(id, DETACH_WAIT_MS);
      let claimed;
      try {
        claimed = await cluster.claim(request.room, id, secretHash, hashSecret(secret));
        if (claimed === 'attached') {
          await detach.detached;
          claimed = await cluster.claim(request.room, id, secretHash, hashSecret(secret));
        }
      } finally {
        detach.stop();
      }
      if (!claimed || claimed === 'attached') return null;
      const member = newMember(
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
      const resumed = this.admit(member, secret, claimed.others, request);
      // A fresh token renews the session: the next process to be asked must know it too.
      if (member.expiresAt !== claimed.expiresAt) cluster.update(request.room, member.info, this.stored(member)).catch((err: unknown) => this.warn('resume', err));
      return resumed;
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
   * A resuming client may bring a newer state than the one it left with; its role stays the one it
   * joined with (a resume must not grant anything new).
   */
  private applyResumeState(member: LocalMember, request: JoinRequest): void {
    this.update(member, { ...request.state, name: request.state.name ?? request.name });
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
      }),
    );
  }

  private deliver(member: LocalMember, out: string): void {
    if (member.client) {
      member.client.send(out);
      return;
    }
    member.backlog.push(out);
    member.backlogBytes += out.length;
    while (member.backlogBytes > MAX_BACKLOG_BYTES) member.backlogBytes -= member.backlog.shift()!.length;
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

  private stored(member: LocalMember): { fixedName: boolean; subject: string | null; expiresAt: number | null } {
    return { fixedName: member.fixedName, subject: member.subject, expiresAt: member.expiresAt };
  }

  private warn(what: string, err: unknown): void {
    this.options.log(`un75-signal: cluster ${what} failed: ${err instanceof Error ? err.message : String(err)}`);
  }
}

function roomFull(room: string, max: number): ProtocolError {
  return new ProtocolError('room-full', `room "${room}" is full (${max} members)`);
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
