import { MAX_NAME_LENGTH, type PeerInfo } from '../src/protocol/signaling.js';
import type { ClusterMember } from './cluster.js';

/** One member of a room as this process knows it; `local` is set when this process holds its session. */
export interface Entry<Local> {
  info: PeerInfo;
  node: string;
  local: Local | null;
  /** When this process learnt of it (ms). */
  since: number;
  /** The newest version of its record seen here (with a cluster). */
  v: number;
}

/** Longer than any membership reading can take to arrive. */
const DEPARTED_MEMORY_MS = 60_000;

/**
 * What this process knows of the rooms it has members in: who is there and on which process.
 * It holds no sockets and sends nothing; the {@link Hub} decides, this only remembers.
 */
export class RoomView<Local> {
  private readonly rooms = new Map<string, Map<string, Entry<Local>>>();
  /**
   * Members seen leaving recently: a late `joined` event or a membership reading taken before
   * they left must not bring them back (ids are never reused).
   */
  private readonly departed = new Map<string, number>();
  /** Joins in flight per room, which keep the room watched until they are settled. */
  private readonly joining = new Map<string, number>();

  constructor(
    /** Called when a room no longer has local members nor joins in flight. */
    private readonly released: (room: string) => void,
    /** Whether late news of departed members can arrive (only with a cluster). */
    private readonly remembersDepartures: boolean,
  ) {}

  get(room: string, id: string): Entry<Local> | undefined {
    return this.rooms.get(room)?.get(id);
  }

  has(room: string): boolean {
    return this.rooms.has(room);
  }

  size(room: string): number {
    return this.rooms.get(room)?.size ?? 0;
  }

  entries(room: string): Iterable<[string, Entry<Local>]> {
    return this.rooms.get(room) ?? [];
  }

  /** Everyone in `room` but `except`, as a welcome lists them. */
  peers(room: string, except: string): PeerInfo[] {
    const peers: PeerInfo[] = [];
    for (const [id, entry] of this.entries(room)) if (id !== except) peers.push(entry.info);
    return peers;
  }

  set(room: string, entry: Entry<Local>): void {
    this.roomOf(room).set(entry.info.id, entry);
  }

  /** Adds a member learnt from elsewhere, unless known or recently gone; true when added. */
  learn(room: string, member: ClusterMember): boolean {
    const members = this.roomOf(room);
    if (members.has(member.info.id) || this.departed.has(member.info.id)) return false;
    members.set(member.info.id, { info: member.info, node: member.node, local: null, since: Date.now(), v: member.v });
    return true;
  }

  /** Removes a member and remembers it left; returns what was known of it. */
  remove(room: string, id: string): Entry<Local> | undefined {
    const members = this.rooms.get(room);
    const entry = members?.get(id);
    if (!entry) return undefined;
    members!.delete(id);
    if (this.remembersDepartures) this.departed.set(id, Date.now());
    return entry;
  }

  /**
   * Remembers that a member this process does not know (yet) left: its own join may still be
   * waiting for the cluster's answer, which can arrive after the news.
   */
  noteDeparture(id: string): void {
    if (this.remembersDepartures && !this.departed.has(id)) this.departed.set(id, Date.now());
  }

  hasDeparted(id: string): boolean {
    return this.departed.has(id);
  }

  /** Forgets departures older than any reading still in flight. */
  forgetOldDepartures(now = Date.now()): void {
    const cutoff = now - DEPARTED_MEMORY_MS;
    for (const [id, at] of this.departed) if (at < cutoff) this.departed.delete(id);
  }

  /**
   * `name`, or `name (2)`, `name (3)`… so that no two members of `room` show the same name
   * (compared without case); `self` is the member being named, whose own name does not count;
   * `alsoTaken`: names of people waiting to enter, who may not be mistaken for members either.
   */
  distinctName(room: string, name: string, self: string, alsoTaken: Iterable<string> = []): string {
    const taken = new Set<string>();
    for (const other of alsoTaken) taken.add(other.toLocaleLowerCase());
    for (const [id, entry] of this.entries(room)) if (id !== self) taken.add(entry.info.name.toLocaleLowerCase());
    if (!taken.has(name.toLocaleLowerCase())) return name;
    for (let n = 2; ; n++) {
      const suffix = ` (${n})`;
      const candidate = `${[...name].slice(0, MAX_NAME_LENGTH - suffix.length).join('').trimEnd()}${suffix}`;
      if (!taken.has(candidate.toLocaleLowerCase())) return candidate;
    }
  }

  /** Keeps a room watched while a join to it waits for the cluster. */
  async whileJoining<T>(room: string, work: () => Promise<T>): Promise<T> {
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

  /** A room without local members nor joins in flight is forgotten (and, with a cluster, unwatched). */
  releaseIfEmpty(room: string): void {
    if (this.joining.has(room)) return;
    const members = this.rooms.get(room);
    if (members) for (const entry of members.values()) if (entry.local) return;
    this.rooms.delete(room);
    this.released(room);
  }

  clear(): void {
    this.rooms.clear();
  }

  stats(): { rooms: number; knownMembers: number } {
    let knownMembers = 0;
    for (const members of this.rooms.values()) knownMembers += members.size;
    return { rooms: this.rooms.size, knownMembers };
  }

  private roomOf(room: string): Map<string, Entry<Local>> {
    let members = this.rooms.get(room);
    if (!members) this.rooms.set(room, (members = new Map()));
    return members;
  }
}
