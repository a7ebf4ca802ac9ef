import type { PeerInfo, Role, WaitingPerson } from '../src/protocol/signaling.js';
import type { StoredAgenda } from './store.js';

/** A room member as the cluster knows it: its public description, the process holding its socket, and its version. */
export interface ClusterMember {
  info: PeerInfo;
  node: string;
  /** Raised by every change to the member's record: a process keeps the newest it has seen. */
  v: number;
}

/** What a process resuming a member needs to know of its session besides its public description. */
export interface StoredSession {
  fixedName: boolean;
  subject: string | null;
  /** When its join token expires (ms), or null. */
  expiresAt: number | null;
}

/** What bars a person: the address they came from with the name they showed (lowered), kept with the member. */
export interface BarIdentity {
  address: string;
  nameKey: string;
}

/** Someone in a room's waiting room, and the process holding their socket. */
export interface ClusterWaiter extends WaitingPerson {
  node: string;
}

/** Who changed a member: the member itself, a host, or the room (host succession). */
export type ChangedBy = 'self' | 'host' | 'room';

/** What other processes tell this one about a room it watches. */
export type RoomEvent =
  | { t: 'joined'; node: string; info: PeerInfo }
  /** `by`: the host who removed the member. */
  | { t: 'left'; id: string; by?: string }
  | { t: 'updated'; info: PeerInfo; v: number; by: ChangedBy }
  | { t: 'resumed'; id: string; node: string }
  /** Its socket is gone: a resume may now take it to another process. */
  | { t: 'detached'; id: string }
  | { t: 'locked'; on: boolean }
  /** Who waits to be let in, in arrival order, after every change. */
  | { t: 'waiters'; list: ClusterWaiter[] }
  /** A host (or an empty room) let this waiter in: the process holding its socket enters it. */
  | { t: 'admitted'; id: string }
  /** A host turned this waiter away: the process holding its socket closes it. */
  | { t: 'dismissed'; id: string; why: 'denied' | 'removed' }
  /** A host changed the room's agenda; the database holds it, this is the news (newest `version` wins). */
  | { t: 'agenda'; agenda: StoredAgenda }
  /** A host prepared, opened or closed a poll: the database holds it, each process reads it from there. */
  | { t: 'poll'; id: string }
  /** A ballot was stored for a poll: each process recounts it from the database (live polls). */
  | { t: 'ballot'; id: string }
  /** An idea was submitted, voted on, translated, hidden or merged: each process reads it again from the database. */
  | { t: 'idea'; id: string }
  /** The dialogue ended and its final report (this reportId) is in the database: each process tells its hosts. */
  | { t: 'report'; id: string };

/** A member a process holds, and whether a socket holds it now (else it waits for a resume). */
export interface HeldMember {
  id: string;
  attached: boolean;
}

/** How a newcomer asks in: straight in (a host, or a waiter a host admitted), in unless the room is locked, or to wait. */
export type EntryMode = 'enter' | 'ask' | 'wait';

/** A newcomer as the cluster's admission sees it. */
export interface Entrant {
  info: PeerInfo;
  secretHash: string;
  session: StoredSession & BarIdentity;
  /** Keys any of which, barred, refuses the newcomer. */
  barKeys: string[];
  mode: EntryMode;
  /** Open rooms: the room may make the newcomer its host (nobody else is). */
  mayHost: boolean;
  /** The waiting-room entry to make if the newcomer has to wait. */
  waiter: { id: string; name: string; token: boolean };
}

/** What an admission found: the member as admitted, the members there before, those of the same person it replaced. */
export interface Admission {
  self: PeerInfo;
  others: ClusterMember[];
  replaced: string[];
  locked: boolean;
  /** Who waits to be let in, as hosts are shown. */
  waiting: ClusterWaiter[];
}

export type AdmissionResult = Admission | 'full' | 'barred' | 'waiters-full' | 'waiting';

/** What a host asks of the room (`target` is a member or a waiter; `role` with set-role, `on` with lock). */
export type RoomAction =
  | { action: 'remove' | 'request-mute' | 'lower-hand' | 'admit' | 'deny'; target: string }
  | { action: 'set-role'; target: string; role: Role }
  | { action: 'lock'; on: boolean };

/** A change a member makes to its own record: the fields it sent, and for a resume its new session. */
export interface SelfChange {
  /** Fields of its public description (never `role`); `handRaisedAt: null` clears the stamp. */
  info: Partial<Omit<PeerInfo, 'id' | 'role' | 'handRaisedAt'>> & { handRaisedAt?: number | null };
  session?: Partial<StoredSession & BarIdentity>;
  /** After a resume here: the new resume secret (a socket holds the member again). */
  secretHash?: string;
}

export interface ClusterListener {
  /** A change to a room this process watches, made by any process (its own included). */
  roomEvent(room: string, event: RoomEvent): void;
  /** A frame for a member whose socket this process holds. */
  relay(to: string, frame: string): void;
  /**
   * The whole membership of a room as read at `readAt` (ms), periodically, so that lost events
   * heal; what changed here after `readAt` is newer than the reading and kept.
   */
  reconcile(room: string, members: ClusterMember[], readAt: number): void;
}

/**
 * Shared room state for several processes (see redis-bus.ts): who is in a room, its lock, its
 * waiting room, its bars and its host are decided there, once for the room, whichever process a
 * socket reached. Without one, a process is its own single source of truth and needs none of this.
 */
export interface Cluster {
  readonly nodeId: string;
  start(listener: ClusterListener): Promise<void>;
  /** Starts receiving events of `room`; resolves once no later event can be missed. */
  watch(room: string): Promise<void>;
  unwatch(room: string): void;
  /**
   * Atomically: refuses a barred newcomer; puts it in the waiting room when the room is locked (or
   * `mode` says so); otherwise adds it, attached, unless the room already holds `maxSize`, the
   * members with the same token subject leaving first (announced like any leave).
   */
  admit(room: string, entrant: Entrant, maxSize: number): Promise<AdmissionResult>;
  /** Removes the members of `room` with token subject `subject` (announced); resolves with their ids. */
  evict(room: string, subject: string): Promise<string[]>;
  /**
   * Moves a member to this process, attached, when `secretHash` matches (a resume after its process
   * lost the socket or died) and replaces the secret with `nextSecretHash`; resolves with the member
   * and the rest of the room, null, or `'attached'` when a socket still holds it (nothing changes).
   */
  claim(
    room: string,
    id: string,
    secretHash: string,
    nextSecretHash: string,
  ): Promise<({ self: PeerInfo; v: number; others: ClusterMember[]; locked: boolean; waiting: ClusterWaiter[] } & StoredSession) | 'attached' | null>;
  /** What is stored of a member's session (to check a resume before claiming it), or null. */
  session(room: string, id: string): Promise<StoredSession | null>;
  /** Applies a member's own change (its role stays the room's); resolves with its record after it, or null. */
  update(room: string, id: string, change: SelfChange): Promise<{ info: PeerInfo; v: number } | null>;
  /** The role the room stores for a member (null: not a member). */
  role(room: string, id: string): Promise<Role | null>;
  /** Tells every process watching `room` (this one too) what changed. */
  announce(room: string, event: Extract<RoomEvent, { t: 'agenda' | 'poll' | 'ballot' | 'idea' | 'report' }>): Promise<void>;
  /** A host's action, checked against the host's role as the room knows it. */
  act(room: string, actor: string, action: RoomAction): Promise<'ok' | 'forbidden' | 'unknown'>;
  remove(room: string, id: string): Promise<void>;
  /** A waiter left, closed or waited too long: off the list. */
  unwait(room: string, id: string): Promise<void>;
  /** The member's socket is gone (resume grace): another process may now claim it. */
  detach(room: string, id: string): Promise<void>;
  /** Sends a frame to a member whose socket another process holds. */
  relay(node: string, to: string, frame: string): void;
  /**
   * Keeps these members and waiters alive for `ttlMs` more (called by the process holding them);
   * members a socket holds stay attached, the others are detached.
   */
  refresh(room: string, held: HeldMember[], waiters: string[], ttlMs: number): Promise<void>;
  /** Removes expired members and waiters of `room` (announcing each), then returns the room's members. */
  sweep(room: string): Promise<ClusterMember[]>;
  close(): Promise<void>;
}
