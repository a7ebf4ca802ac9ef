import { createHmac } from 'node:crypto';
import { MAX_ROOM_POLL_CHARACTERS, MAX_ROOM_POLLS, tally, type Poll, type PollAnswer, type PollResult, type PollState, type PollView } from '../src/protocol/polls.js';
import type { Agendas } from './agendas.js';
import type { StoredPoll } from './store.js';

/**
 * Each room's polls (design §8), kept in the database beside its agenda (the same Store), and cached
 * for the rooms this process has members in, with the counts members may see, so that a welcome
 * carries them without a query. The database is the authority: ballots go straight to it, counts
 * are read back from it, and with several processes each one recounts from it when told (through
 * the cluster) that a ballot arrived elsewhere. Every change of a poll raises its version, so a
 * process keeps the newest it has seen whatever order the news arrives in.
 */
export class Polls {
  private readonly cache = new Map<string, Map<string, StoredPoll>>();
  private readonly results = new Map<string, Map<string, PollResult>>();
  private key: Promise<Buffer> | null = null;
  /** Per room and poll: the ballots waiting for the next write, and the write in flight. */
  private readonly waiting = new Map<string, BallotBatch>();
  private readonly writing = new Map<string, Promise<void>>();

  constructor(private readonly agendas: Agendas) {}

  /** Reads a room's polls and their visible counts into the cache (before a welcome). */
  async load(room: string): Promise<void> {
    if (!this.agendas.opened) return;
    const store = await this.agendas.database();
    const polls = await store.polls(room);
    for (const stored of polls) {
      this.keep(room, stored);
      if (visible(stored)) await this.count(room, stored.poll);
    }
  }

  /** The room's polls as a member sees them: hosts see the prepared ones too; counts where visible. */
  views(room: string, host: boolean): PollView[] {
    const out: PollView[] = [];
    for (const stored of [...(this.cache.get(room)?.values() ?? [])].sort((a, b) => a.created - b.created || (a.poll.id < b.poll.id ? -1 : 1))) {
      if (stored.state === 'prepared' && !host) continue;
      const result = visible(stored) ? this.results.get(room)?.get(stored.poll.id) : undefined;
      out.push({ poll: stored.poll, state: stored.state, ...(result ? { result } : {}) });
    }
    return out;
  }

  /** A poll as cached. */
  get(room: string, id: string): StoredPoll | undefined {
    return this.cache.get(room)?.get(id);
  }

  async prepare(room: string, poll: Poll, characters: number): Promise<StoredPoll | 'not-prepared' | 'full'> {
    const stored = await (await this.agendas.database()).preparePoll(room, poll, characters, Date.now(), { polls: MAX_ROOM_POLLS, characters: MAX_ROOM_POLL_CHARACTERS });
    if (typeof stored != 'string') this.keep(room, stored);
    return stored;
  }

  async move(room: string, id: string, from: PollState, to: PollState): Promise<StoredPoll | null> {
    const stored = await (await this.agendas.database()).movePoll(room, id, from, to);
    if (stored) this.keep(room, stored);
    return stored;
  }

  /**
   * Stores a ballot (checked against its poll) under the voter's pseudonym; false when the poll is not
   * open. Ballots that arrive while a poll's previous write is in flight wait for it and go together
   * in the next one (a voter's later ballot there replacing its earlier), so a burst of any size is a
   * few statements, and each ballot resolves once the database holds it.
   */
  async vote(room: string, pollId: string, identity: string, answer: PollAnswer, lang: string): Promise<boolean> {
    const voter = await this.pseudonym(pollId, identity);
    const key = `${room}\n${pollId}`;
    let batch = this.waiting.get(key);
    if (!batch) {
      const next: BallotBatch = (batch = { ballots: new Map(), done: [] });
      this.waiting.set(key, next);
      const write = (this.writing.get(key) ?? Promise.resolve()).then(async () => {
        this.waiting.delete(key);
        const ballots = [...next.ballots].map(([v, b]) => ({ voter: v, ...b }));
        try {
          const stored = await (await this.agendas.database()).castBallots(room, pollId, ballots);
          for (const d of next.done) d.resolve(stored);
        } catch (err) {
          for (const d of next.done) d.reject(err);
        }
      });
      this.writing.set(key, write);
      void write.then(() => {
        if (this.writing.get(key) === write) this.writing.delete(key);
      });
    }
    batch.ballots.set(voter, { answer, lang });
    return new Promise((resolve, reject) => batch.done.push({ resolve, reject }));
  }

  /** Counts a poll's ballots from the database and keeps the result for welcomes. */
  async count(room: string, poll: Poll): Promise<PollResult> {
    const ballots = await (await this.agendas.database()).ballots(room, poll);
    const result = tally(poll, ballots);
    let mine = this.results.get(room);
    if (!mine) this.results.set(room, (mine = new Map()));
    mine.set(poll.id, result);
    return result;
  }

  /**
   * Reads a poll again on news from another process: the poll when the database has a newer version
   * than this process had kept, else null. Decided when the answer arrives, so that two pieces of
   * news read at once tell the room once.
   */
  async reload(room: string, id: string): Promise<StoredPoll | null> {
    if (!this.agendas.opened) return null;
    const stored = await (await this.agendas.database()).poll(room, id);
    return stored && this.keep(room, stored) ? stored : null;
  }

  /** This process has nobody left in the room: the database keeps it. */
  forget(room: string): void {
    this.cache.delete(room);
    this.results.delete(room);
  }

  /**
   * A ballot's voter, as stored: HMAC-SHA256 under a secret kept in the database (the same for every
   * process and after a restart) of the poll and the member's identity. One member has one
   * pseudonym per poll (a second ballot replaces the first), and the same member's pseudonyms in
   * two polls cannot be linked without the secret.
   */
  private async pseudonym(pollId: string, identity: string): Promise<string> {
    if (!this.key) {
      this.key = this.agendas.database().then((store) => store.secret('poll-pseudonyms'));
      this.key.catch(() => (this.key = null));
    }
    return createHmac('sha256', await this.key).update(`${pollId}\n${identity}`).digest('base64url');
  }

  private keep(room: string, stored: StoredPoll): boolean {
    let mine = this.cache.get(room);
    if (!mine) this.cache.set(room, (mine = new Map()));
    const known = mine.get(stored.poll.id);
    if (known && known.version >= stored.version) return false;
    mine.set(stored.poll.id, stored);
    return true;
  }
}

interface BallotBatch {
  ballots: Map<string, { answer: PollAnswer; lang: string }>;
  done: Array<{ resolve(stored: boolean): void; reject(err: unknown): void }>;
}

/** Whether members may see a poll's counts: open with live results, or closed. */
export function visible(stored: StoredPoll): boolean {
  return stored.state === 'closed' || (stored.state === 'open' && stored.poll.results === 'live');
}
