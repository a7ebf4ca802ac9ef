import { createHmac } from 'node:crypto';
import type { DialogueReport } from '../src/protocol/report.js';
import { parseReport } from '../src/protocol/report.js';
import type { Agendas } from './agendas.js';
import { visible, type Polls } from './polls.js';
import { buildReport, finalReportId } from './report.js';
import type { Store } from './store.js';

/**
 * What a room's dialogue report needs beyond its agenda and polls (design §8, issue 24 item 5): when
 * the dialogue started and ended, who took part (counted once each, by spoken language: a per-dialogue
 * pseudonym in the database, never an id or a name), the peak, interpretation channels on air, the
 * host's notes, the title; and the report itself, built from the database, which is the authority
 * for every process sharing it. Kept in the agendas' database (the same Store).
 */
export class Dialogues {
  private key: Promise<Buffer> | null = null;
  /** Each room's writes in flight on this process, in order: a report waits for them. */
  private readonly writes = new Map<string, Promise<unknown>>();
  /** The last interim report given out here, per room: the final one names it in `supersedes`. */
  private readonly interim = new Map<string, string>();

  constructor(
    private readonly agendas: Agendas,
    private readonly polls: Polls,
    private readonly log: (line: string) => void,
  ) {}

  /** Whether the database is open (in memory: once the room's first outcome opened it). */
  get opened(): boolean {
    return this.agendas.opened;
  }

  database(): Promise<Store> {
    return this.agendas.database();
  }

  /**
   * A member joined (not a resume): counted once per dialogue under its identity's pseudonym (the
   * token's subject when there is one, else the member id, which a resume keeps), with the number
   * of members present for the peak. Written in the background, in order per room.
   */
  joined(room: string, identity: string, lang: string, present: number): void {
    this.queue(room, async () => {
      const store = await this.database();
      const key = await this.secret(store);
      await store.joinDialogue(room, (dialogue) => createHmac('sha256', key).update(`${dialogue}\n${identity}`).digest('base64url'), lang, Date.now(), present);
    });
  }

  /** Runs `write` after the room's earlier writes; a failure is logged (the report then misses it). */
  queue(room: string, write: () => Promise<unknown>): Promise<void> {
    const before = this.writes.get(room) ?? Promise.resolve();
    const done = before.then(write).then(
      () => {},
      (err: unknown) => this.log(`un75-signal: cannot record the dialogue of room "${room}": ${err instanceof Error ? err.message : String(err)}`),
    );
    this.writes.set(room, done);
    void done.then(() => {
      if (this.writes.get(room) === done) this.writes.delete(room);
    });
    return done;
  }

  /** Waits for this process's writes of a room to land. */
  async settled(room: string): Promise<void> {
    await this.writes.get(room);
  }

  /**
   * The report of the room's dialogue: while it goes on, an interim one (a new reportId each time);
   * once it has ended, its final report as kept. `last`: the room's most recent final report.
   */
  async report(room: string, last = false): Promise<DialogueReport | null> {
    await this.settled(room);
    const store = await this.database();
    if (last) {
      const kept = await store.lastFinalReport(room);
      return kept ? parseReport(kept) : null;
    }
    const dialogue = await store.dialogue(room);
    if (!dialogue) return null;
    if (dialogue.endedAt !== null) {
      const kept = await store.lastFinalReport(room);
      if (kept) return parseReport(kept);
    }
    const report = await this.build(store, room, false);
    if (report) this.interim.set(room, report.reportId);
    return report;
  }

  /**
   * Ends the room's dialogue now (a host's "End dialogue", or the room empty for a while: `quietSince`,
   * when it emptied; nobody may have joined since). Returns the final report, stored, when this call
   * ended it; null when it had ended already or someone came back.
   */
  async end(room: string, quietSince?: number): Promise<DialogueReport | null> {
    await this.settled(room);
    const store = await this.database();
    const ended = await store.endDialogue(room, Date.now(), quietSince);
    if (!ended) return null;
    const report = await this.build(store, room, true);
    if (!report) return null;
    const kept = parseReport(await store.keepFinalReport(room, ended.id, report));
    this.interim.delete(room);
    return kept;
  }

  private async build(store: Store, room: string, final: boolean): Promise<DialogueReport | null> {
    const dialogue = await store.dialogue(room);
    if (!dialogue) return null;
    const [attendance, agenda, agendaLog, notes, stored] = await Promise.all([
      store.attendance(dialogue.id),
      store.agenda(room),
      store.agendaLog(room),
      store.notes(room),
      store.polls(room),
    ]);
    const polls = [];
    for (const poll of stored) {
      // Counts a member may not see yet (results at close, still open) wait for the final report.
      const result = final || visible(poll) ? await this.polls.count(room, poll.poll) : null;
      polls.push({ stored: poll, result });
    }
    const ideas = await store.listIdeas(room);
    const supersedes = final ? this.interim.get(room) : undefined;
    return buildReport({
      dialogue,
      room,
      attendance,
      agenda,
      agendaLog,
      notes,
      polls,
      ideas,
      final,
      now: Date.now(),
      ...(final ? { reportId: finalReportId(dialogue.id) } : {}),
      ...(supersedes ? { supersedes } : {}),
    });
  }

  /** This process has nobody left in the room. */
  forget(room: string): void {
    this.interim.delete(room);
  }

  /** The key of the members' pseudonyms: a secret kept in the database, as the polls' one. */
  private secret(store: Store): Promise<Buffer> {
    if (!this.key) {
      this.key = store.secret('dialogue-pseudonyms');
      this.key.catch(() => (this.key = null));
    }
    return this.key;
  }
}
