import type { AgendaItem, AgendaState } from '../src/protocol/agenda.js';
import { Store, type StoredAgenda, type StoreTarget } from './store.js';

/**
 * Each room's agenda (design §8): kept in the database, which is its authority, and cached for the
 * rooms this process has members in, so that a welcome carries it without a query. With several
 * processes they share one PostgreSQL; each change is fanned out to the others through the cluster
 * (see Hub), and every change raises the room's version, so a process keeps the newest it has seen
 * whatever order the news arrives in.
 */
export class Agendas {
  private store: Promise<Store> | null = null;
  private readonly cache = new Map<string, StoredAgenda>();

  constructor(
    private readonly target: StoreTarget,
    /** Open the database at start (a folder or a server); else on the first agenda set (in memory: nothing to read before). */
    private readonly persistent: boolean,
  ) {}

  /** Opens the database now (persistent targets): a bad --data-dir or --database stops the start. */
  async start(): Promise<string | null> {
    if (!this.persistent) return null;
    return (await this.open()).description;
  }

  /** Whether the database has been opened (in memory: not before the first outcome is set). */
  get opened(): boolean {
    return this.store !== null;
  }

  /** The database, opened now if it was not (the room's polls share it). */
  database(): Promise<Store> {
    return this.open();
  }

  private open(): Promise<Store> {
    if (!this.store) {
      this.store = Store.open(this.target);
      this.store.catch(() => (this.store = null));
    }
    return this.store;
  }

  /** Reads a room's agenda into the cache (before a welcome). */
  async load(room: string): Promise<void> {
    if (!this.store) return;
    const stored = await (await this.store).agenda(room);
    if (stored) this.keep(room, stored);
  }

  /** The room's agenda as cached, if it has one. */
  current(room: string): AgendaState | undefined {
    const stored = this.cache.get(room);
    return stored && stateOf(stored);
  }

  async set(room: string, items: AgendaItem[]): Promise<StoredAgenda> {
    const stored = await (await this.open()).setAgenda(room, items, Date.now());
    this.keep(room, stored);
    return stored;
  }

  /** Null when there is nothing after the current item (or no agenda). */
  async next(room: string): Promise<StoredAgenda | null> {
    if (!this.store && !this.persistent) return null;
    const stored = await (await this.open()).nextItem(room, Date.now());
    if (stored) this.keep(room, stored);
    return stored;
  }

  /** News from another process: true when it is newer than what this one knew. */
  learn(room: string, stored: StoredAgenda): boolean {
    return this.keep(room, stored);
  }

  /** This process has nobody left in the room: the database keeps it. */
  forget(room: string): void {
    this.cache.delete(room);
  }

  async close(): Promise<void> {
    const store = this.store;
    this.store = null;
    this.cache.clear();
    if (store) await (await store.catch(() => null))?.close();
  }

  private keep(room: string, stored: StoredAgenda): boolean {
    const known = this.cache.get(room);
    if (known && known.version >= stored.version) return false;
    this.cache.set(room, stored);
    return true;
  }
}

export function stateOf(stored: StoredAgenda): AgendaState {
  return { items: stored.items, current: stored.current, startedAt: stored.startedAt };
}
