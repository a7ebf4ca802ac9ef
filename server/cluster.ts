import type { PeerInfo } from '../src/protocol/signaling.js';

/** A room member as the cluster knows it: its public description and the process holding its socket. */
export interface ClusterMember {
  info: PeerInfo;
  node: string;
}

/** What a process resuming a member needs to know of its session besides its public description. */
export interface StoredSession {
  fixedName: boolean;
  subject: string | null;
  /** When its join token expires (ms), or null. */
  expiresAt: number | null;
}

/** What other processes tell this one about a room it watches. */
export type RoomEvent =
  | { t: 'joined'; node: string; info: PeerInfo }
  | { t: 'left'; id: string }
  | { t: 'updated'; info: PeerInfo }
  | { t: 'resumed'; id: string; node: string }
  /** Its socket is gone: a resume may now take it to another process. */
  | { t: 'detached'; id: string };

/** A member a process holds, and whether a socket holds it now (else it waits for a resume). */
export interface HeldMember {
  id: string;
  attached: boolean;
}

/** What an admission found: the members there before, and those of the same person it replaced. */
export interface Admission {
  others: ClusterMember[];
  replaced: string[];
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
 * Shared room state for several processes (see redis-bus.ts). Without one, a process is its own
 * single source of truth and needs none of this.
 */
export interface Cluster {
  readonly nodeId: string;
  start(listener: ClusterListener): Promise<void>;
  /** Starts receiving events of `room`; resolves once no later event can be missed. */
  watch(room: string): Promise<void>;
  unwatch(room: string): void;
  /**
   * Atomically adds a member, attached, unless the room already holds `maxSize`; the members with
   * the same token subject leave first (announced like any leave). Resolves with the members that
   * were there before it and the ids it replaced, or `'full'`.
   */
  admit(room: string, info: PeerInfo, secretHash: string, session: StoredSession, maxSize: number): Promise<Admission | 'full'>;
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
  ): Promise<({ self: PeerInfo; others: ClusterMember[] } & StoredSession) | 'attached' | null>;
  /** What is stored of a member's session (to check a resume before claiming it), or null. */
  session(room: string, id: string): Promise<StoredSession | null>;
  /** Stores a member's new state (and, after a resume here, its new resume secret: it is attached again). */
  update(room: string, info: PeerInfo, session: StoredSession, secretHash?: string): Promise<void>;
  remove(room: string, id: string): Promise<void>;
  /** The member's socket is gone (resume grace): another process may now claim it. */
  detach(room: string, id: string): Promise<void>;
  /** Sends a frame to a member whose socket another process holds. */
  relay(node: string, to: string, frame: string): void;
  /**
   * Keeps these members alive for `ttlMs` more (called by the process holding them); those a socket
   * holds stay attached, the others are detached.
   */
  refresh(room: string, held: HeldMember[], ttlMs: number): Promise<void>;
  /** Removes expired members of `room` (announcing each), then returns the room's members. */
  sweep(room: string): Promise<ClusterMember[]>;
  close(): Promise<void>;
}
