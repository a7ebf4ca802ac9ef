import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import {
  ProtocolError,
  type IceServer,
  type PeerInfo,
  type Role,
  type ServerMessage,
  type StateUpdate,
} from '../src/protocol/signaling.js';
import type { Cluster, ClusterListener, ClusterMember, RoomEvent } from './cluster.js';

/** The socket side of a member, as the rooms see it. */
export interface Client {
  send(frame: string): void;
  /** The socket was taken over by a resume elsewhere: close it without leaving the room. */
  replaced(): void;
  readonly open: boolean;
  /** The Host header the socket was opened with: the name the client reached this server by. */
  readonly host?: string | undefined;
}

/** A member whose socket this process holds (or held, during the resume grace). */
export interface LocalMember {
  readonly id: string;
  readonly room: string;
  info: PeerInfo;
  readonly secretHash: string;
  /** The name came from the join token: the client may not change it. */
  readonly fixedName: boolean;
  client: Client | null;
  grace: NodeJS.Timeout | null;
  /** Frames that arrived while the socket was gone, delivered on resume. */
  backlog: string[];
}

interface Entry {
  info: PeerInfo;
  node: string;
  local: LocalMember | null;
  /** When this process learnt of it (ms). */
  since: number;
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
}

export interface HubOptions {
  maxRoomSize: number;
  resumeGraceMs: number;
  iceServers(memberId: string, client: Client | null): IceServer[];
  cluster?: Cluster;
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

/** Frames kept for a member during the grace: enough for a renegotiation, bounded against abuse. */
const MAX_BACKLOG = 256;
/** Longer than any membership reading can take to arrive. */
const DEPARTED_MEMORY_MS = 60_000;
const LOCAL = 'local';

const newId = () => randomBytes(12).toString('base64url');
const hashSecret = (secret: string) => createHash('sha256').update(secret).digest('base64url');
const frame = (message: ServerMessage) => JSON.stringify(message);

/**
 * Rooms and their members. Without a cluster this process is the only source of truth; with one,
 * the rooms here are a view of the rooms this process has members in, kept current by the cluster's
 * events, and admission (the room-size cap) is decided atomically by the cluster.
 */
export class Hub implements ClusterListener {
  private readonly rooms = new Map<string, Map<string, Entry>>();
  private readonly locals = new Map<string, LocalMember>();
  /**
   * Members seen leaving recently: a late `joined` event or a membership reading taken before
   * they left must not bring them back (ids are never reused).
   */
  private readonly departed = new Map<string, number>();
  /** Joins in flight per room, which keep the room watched until they are settled. */
  private readonly joining = new Map<string, number>();
  private readonly node: string;
  private closing = false;

  constructor(private readonly options: HubOptions) {
    this.node = options.cluster?.nodeId ?? LOCAL;
  }

  /** Joins `client` to a room (or resumes its earlier membership) and sends it the welcome. */
  async join(client: Client, request: JoinRequest): Promise<LocalMember> {
    if (this.closing) throw new ProtocolError('shutting-down', 'the server is shutting down');
    const resumed = request.resume ? await this.resume(client, request) : null;
    if (resumed) return resumed;
    if (request.resumeOnly) {
      throw new ProtocolError('unauthorized', 'the resume token is no longer valid: join again with a "token"');
    }

    const id = newId();
    const secret = randomBytes(18).toString('base64url');
    const info: PeerInfo = {
      id,
      name: request.state.name ?? request.name,
      role: request.role,
      // BCP 47 for "undetermined": the browser's validator wants a tag, and guessing one would mislead.
      spokenLanguage: request.state.spokenLanguage ?? 'und',
      micEnabled: request.state.micEnabled ?? false,
      cameraEnabled: request.state.cameraEnabled ?? false,
      handRaised: request.state.handRaised ?? false,
    };
    if (request.fixedName) info.name = request.name;
    const member: LocalMember = {
      id,
      room: request.room,
      info,
      secretHash: hashSecret(secret),
      fixedName: request.fixedName,
      client,
      grace: null,
      backlog: [],
    };
    const { cluster } = this.options;
    if (!cluster) {
      if ((this.rooms.get(request.room)?.size ?? 0) >= this.options.maxRoomSize) throw roomFull(request.room, this.options.maxRoomSize);
      return this.enter(member, `${id}.${secret}`, []);
    }
    return this.whileJoining(request.room, async () => {
      await cluster.watch(request.room);
      const others = await cluster.admit(request.room, info, member.secretHash, member.fixedName, this.options.maxRoomSize);
      if (others === 'full') throw roomFull(request.room, this.options.maxRoomSize);
      return this.enter(member, `${id}.${secret}`, others);
    });
  }

  /** Puts a new member in its room, welcomes it and tells the others. */
  private enter(member: LocalMember, resume: string, others: ClusterMember[]): LocalMember {
    this.merge(member.room, others);
    this.roomOf(member.room).set(member.id, { info: member.info, node: this.node, local: member, since: Date.now() });
    this.locals.set(member.id, member);
    this.welcome(member, resume);
    this.broadcast(member.room, frame({ type: 'peer-joined', peer: member.info }), member.id);
    // The socket may have gone while the cluster was answering: it then left like any other.
    if (member.client && !member.client.open) this.disconnected(member, false);
    return member;
  }

  /** Relays a signal to a member of the sender's own room; `from` is always the sender. */
  signal(member: LocalMember, to: string, sid: string, data: unknown): void {
    const target = to === member.id ? undefined : this.rooms.get(member.room)?.get(to);
    if (!target) throw new ProtocolError('unknown-peer', `no member "${to}" in room "${member.room}"`);
    const out = frame({ type: 'signal', from: member.id, sid, data });
    if (target.local) this.deliver(target.local, out);
    else this.options.cluster?.relay(target.node, to, out);
  }

  update(member: LocalMember, update: StateUpdate): void {
    const { name, ...rest } = update;
    member.info = { ...member.info, ...rest, ...(name !== undefined && !member.fixedName ? { name } : {}) };
    const entry = this.rooms.get(member.room)?.get(member.id);
    if (entry) entry.info = member.info;
    this.broadcast(member.room, frame({ type: 'peer-updated', peer: member.info }), member.id);
    this.options.cluster?.update(member.room, member.info, member.fixedName).catch((err: unknown) => this.warn('update', err));
  }

  /** Removes a member now and tells the room. */
  leave(member: LocalMember): void {
    if (this.locals.get(member.id) !== member) return;
    this.drop(member);
    this.rooms.get(member.room)?.delete(member.id);
    if (this.options.cluster) this.departed.set(member.id, Date.now());
    this.broadcast(member.room, frame({ type: 'peer-left', id: member.id }));
    this.releaseIfEmpty(member.room);
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
    member.grace = setTimeout(() => this.leave(member), this.options.resumeGraceMs);
    member.grace.unref();
  }

  stats(): HubStats {
    let knownMembers = 0;
    for (const room of this.rooms.values()) knownMembers += room.size;
    let waitingForResume = 0;
    for (const member of this.locals.values()) if (!member.client) waitingForResume++;
    return { rooms: this.rooms.size, localMembers: this.locals.size, waitingForResume, knownMembers };
  }

  /** Members this process holds, grouped by room (the cluster keeps their presence alive). */
  localRooms(): Map<string, string[]> {
    const byRoom = new Map<string, string[]>();
    for (const member of this.locals.values()) {
      const ids = byRoom.get(member.room) ?? [];
      ids.push(member.id);
      byRoom.set(member.room, ids);
    }
    return byRoom;
  }

  /**
   * Stops everything without telling rooms anyone left: the sockets are being closed with
   * `shutting-down`, and with a cluster the members stay resumable on another process.
   */
  shutdown(): LocalMember[] {
    this.closing = true;
    const members = [...this.locals.values()];
    for (const member of members) this.drop(member);
    this.rooms.clear();
    return members;
  }

  // ---- ClusterListener: what other processes did ----

  roomEvent(roomName: string, event: RoomEvent): void {
    const room = this.rooms.get(roomName);
    if (!room) return;
    switch (event.t) {
      case 'joined':
        if (room.has(event.info.id) || this.departed.has(event.info.id)) return;
        room.set(event.info.id, { info: event.info, node: event.node, local: null, since: Date.now() });
        this.broadcast(roomName, frame({ type: 'peer-joined', peer: event.info }), event.info.id);
        return;
      case 'left': {
        const entry = room.get(event.id);
        if (!entry) return;
        // Our own member expired in the cluster (this process could not refresh it): it is gone.
        if (entry.local) {
          entry.local.client?.replaced();
          this.drop(entry.local);
        }
        room.delete(event.id);
        this.departed.set(event.id, Date.now());
        this.broadcast(roomName, frame({ type: 'peer-left', id: event.id }));
        this.releaseIfEmpty(roomName);
        return;
      }
      case 'updated': {
        const entry = room.get(event.info.id);
        if (!entry || entry.local) return;
        entry.info = event.info;
        this.broadcast(roomName, frame({ type: 'peer-updated', peer: event.info }), event.info.id);
        return;
      }
      case 'resumed': {
        const entry = room.get(event.id);
        if (!entry || event.node === this.node) return;
        if (entry.local) {
          // The member came back through another process: hand it over silently.
          entry.local.client?.replaced();
          this.drop(entry.local);
          entry.local = null;
        }
        entry.node = event.node;
        this.releaseIfEmpty(roomName);
        return;
      }
    }
  }

  relay(to: string, out: string): void {
    const member = this.locals.get(to);
    if (member) this.deliver(member, out);
  }

  reconcile(roomName: string, members: ClusterMember[], readAt: number): void {
    const room = this.rooms.get(roomName);
    if (!room) return;
    const cutoff = Date.now() - DEPARTED_MEMORY_MS;
    for (const [id, at] of this.departed) if (at < cutoff) this.departed.delete(id);
    const present = new Set(members.map((m) => m.info.id));
    for (const [id, entry] of [...room]) {
      // Joined after the reading was taken: absent from it, yet present.
      if (!present.has(id) && entry.since < readAt) this.roomEvent(roomName, { t: 'left', id });
    }
    for (const m of members) {
      const entry = room.get(m.info.id);
      if (!entry) this.roomEvent(roomName, { t: 'joined', node: m.node, info: m.info });
      else if (!entry.local) entry.node = m.node;
    }
  }

  // ---- internals ----

  private async resume(client: Client, request: JoinRequest): Promise<LocalMember | null> {
    const token = request.resume!;
    const dot = token.indexOf('.');
    if (dot < 1) return null;
    const id = token.slice(0, dot);
    const secretHash = hashSecret(token.slice(dot + 1));
    const local = this.locals.get(id);
    if (local) {
      if (local.room !== request.room || !sameSecret(local.secretHash, secretHash)) return null;
      if (local.grace) clearTimeout(local.grace);
      local.grace = null;
      // The old socket may still look alive (its network vanished without a close): replace it.
      if (local.client && local.client !== client) local.client.replaced();
      local.client = client;
      this.welcome(local, token);
      this.applyResumeState(local, request);
      const backlog = local.backlog.splice(0);
      for (const out of backlog) client.send(out);
      return local;
    }
    const { cluster } = this.options;
    if (!cluster) return null;
    return this.whileJoining(request.room, async () => {
      await cluster.watch(request.room);
      const claimed = await cluster.claim(request.room, id, secretHash);
      if (!claimed) return null;
      this.merge(request.room, claimed.others);
      const member: LocalMember = {
        id,
        room: request.room,
        info: claimed.self,
        secretHash,
        fixedName: claimed.fixedName,
        client,
        grace: null,
        backlog: [],
      };
      this.roomOf(request.room).set(id, { info: claimed.self, node: this.node, local: member, since: Date.now() });
      this.locals.set(id, member);
      this.welcome(member, token);
      this.applyResumeState(member, request);
      if (!client.open) this.disconnected(member, false);
      return member;
    });
  }

  /**
   * A resuming client may bring a newer state than the one it left with; its role stays the one it
   * joined with (a resume needs no token, so it must not grant anything new).
   */
  private applyResumeState(member: LocalMember, request: JoinRequest): void {
    const before = JSON.stringify(member.info);
    const { name, ...rest } = request.state;
    const next: PeerInfo = { ...member.info, ...rest };
    if (!member.fixedName) next.name = name ?? request.name;
    if (JSON.stringify(next) !== before) this.update(member, next);
  }

  /** Keeps a room watched while a join to it waits for the cluster. */
  private async whileJoining<T>(room: string, work: () => Promise<T>): Promise<T> {
    this.joining.set(room, (this.joining.get(room) ?? 0) + 1);
    try {
      return await work();
    } finally {
      const left = this.joining.get(room)! - 1;
      if (left) this.joining.set(room, left);
      else this.joining.delete(room);
      this.releaseIfEmpty(room);
    }
  }

  private welcome(member: LocalMember, resume: string): void {
    const peers: PeerInfo[] = [];
    for (const [id, entry] of this.rooms.get(member.room) ?? []) if (id !== member.id) peers.push(entry.info);
    member.client?.send(
      frame({ type: 'welcome', id: member.id, resume, peers, iceServers: this.options.iceServers(member.id, member.client) }),
    );
  }

  private deliver(member: LocalMember, out: string): void {
    if (member.client) member.client.send(out);
    else if (member.backlog.push(out) > MAX_BACKLOG) member.backlog.shift();
  }

  private broadcast(roomName: string, out: string, except?: string): void {
    const room = this.rooms.get(roomName);
    if (!room) return;
    for (const [id, entry] of room) if (id !== except && entry.local?.client) entry.local.client.send(out);
  }

  /** Forgets a local member (timers, socket, backlog) without touching its room. */
  private drop(member: LocalMember): void {
    if (member.grace) clearTimeout(member.grace);
    member.grace = null;
    member.client = null;
    member.backlog.length = 0;
    this.locals.delete(member.id);
  }

  private merge(roomName: string, members: ClusterMember[]): void {
    const room = this.roomOf(roomName);
    for (const m of members) {
      if (!room.has(m.info.id) && !this.departed.has(m.info.id)) {
        room.set(m.info.id, { info: m.info, node: m.node, local: null, since: Date.now() });
      }
    }
  }

  private roomOf(name: string): Map<string, Entry> {
    let room = this.rooms.get(name);
    if (!room) this.rooms.set(name, (room = new Map()));
    return room;
  }

  /** With a cluster, a room without members here is no longer watched; without one, it is gone. */
  private releaseIfEmpty(roomName: string): void {
    if (this.joining.has(roomName)) return;
    const room = this.rooms.get(roomName);
    if (room) for (const entry of room.values()) if (entry.local) return;
    this.rooms.delete(roomName);
    this.options.cluster?.unwatch(roomName);
  }

  private warn(what: string, err: unknown): void {
    this.options.log(`un75-signal: cluster ${what} failed: ${err instanceof Error ? err.message : String(err)}`);
  }
}

function roomFull(room: string, max: number): ProtocolError {
  return new ProtocolError('room-full', `room "${room}" is full (${max} members)`);
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
