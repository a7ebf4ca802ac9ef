import { createHmac, randomBytes } from 'node:crypto';
import { languageGroup, MAX_AUTHOR_IDEAS, MAX_ROOM_IDEAS, MAX_TRANSLATION_LENGTH, type IdeaVote } from '../src/protocol/ideas.js';
import { cleanText } from '../src/protocol/agenda.js';
import type { Agendas } from './agendas.js';
import type { StoredIdea } from './store.js';
import type { ServerTranslator } from './translate.js';

export interface IdeaStats {
  /** Ideas this process stored (submitted, or from poll answers). */
  stored: number;
  /** Idea requests refused (malformed, too long, forbidden characters, over budget, not allowed). */
  refused: number;
  /** Machine translations stored, and translator failures (the original stays shown). */
  translated: number;
  translationFailures: number;
}

/** Translations this process remembers having failed, not asked again (bounded). */
const MAX_FAILED = 10_000;
/** Languages one idea is translated into at most (a Localized holds 16). */
const MAX_TARGETS = 15;

/**
 * Each room's ideas (design §8), kept in the database beside its polls (the same Store), and cached
 * for the rooms this process has members in, with their counts, so that a welcome is followed by
 * them without a query. The database is the authority: votes go straight to it and counts are read
 * back from it; with several processes each one reads an idea again when told (through the
 * cluster) that it changed elsewhere.
 */
export class Ideas {
  private readonly cache = new Map<string, Map<string, StoredIdea>>();
  private key: Promise<Buffer> | null = null;
  /** Translations asked and not answered yet, or failed: `room \n id \n lang`. */
  private readonly asked = new Set<string>();
  private readonly failed = new Set<string>();
  private counts = { stored: 0, refused: 0, translated: 0 };

  constructor(
    private readonly agendas: Agendas,
    /** The server's translator (`--translation-endpoint`); null: ideas stay in their original language. */
    private readonly translator: ServerTranslator | null,
  ) {}

  stats(): IdeaStats {
    return { ...this.counts, translationFailures: this.translator?.stats().failures ?? 0 };
  }

  refused(): void {
    this.counts.refused++;
  }

  /** Reads a room's ideas with their counts into the cache (before a welcome). */
  async load(room: string): Promise<void> {
    if (!this.agendas.opened) return;
    const ideas = await (await this.agendas.database()).ideas(room);
    for (const stored of ideas) this.keep(room, stored);
  }

  /** The room's ideas as cached, oldest first. */
  list(room: string): StoredIdea[] {
    return [...(this.cache.get(room)?.values() ?? [])].sort((a, b) => a.idea.created - b.idea.created || (a.idea.id < b.idea.id ? -1 : 1));
  }

  get(room: string, id: string): StoredIdea | undefined {
    return this.cache.get(room)?.get(id);
  }

  /** Stores a member's new idea; 'full' / 'author-full' when the room's or the author's cap is reached. */
  async submit(room: string, identity: string, lang: string, text: string): Promise<StoredIdea | 'full' | 'author-full'> {
    const store = await this.agendas.database();
    const author = await this.pseudonym(`author\n${room}\n${identity}`);
    const done = await store.addIdea(room, { id: `i${randomBytes(6).toString('hex')}`, lang, text, author, source: 'idea' }, Date.now(), { room: MAX_ROOM_IDEAS, perAuthor: MAX_AUTHOR_IDEAS });
    if (typeof done == 'string') return done;
    this.counts.stored++;
    this.keep(room, done.stored);
    return done.stored;
  }

  /**
   * An open or "other" poll answer as its author's one idea of that poll (replaced with the ballot).
   * Null when it did not change; 'full' when the room holds as many ideas as it may.
   */
  async fromPoll(room: string, pollId: string, identity: string, lang: string, text: string): Promise<StoredIdea | null | 'full'> {
    const store = await this.agendas.database();
    const author = await this.pseudonym(`author\n${room}\n${identity}`);
    const done = await store.addIdea(room, { id: `o${randomBytes(6).toString('hex')}`, lang, text: cleanText(text), author, source: 'poll', pollId }, Date.now(), {
      room: MAX_ROOM_IDEAS,
      perAuthor: MAX_AUTHOR_IDEAS,
    });
    if (done === 'author-full') return null; // not counted for poll answers
    if (done === 'full') return done;
    if (!done.changed) return null;
    this.counts.stored++;
    // Its text changed: translations made for the old words are gone, and may be asked again.
    for (const key of [...this.failed]) if (key.startsWith(`${room}\n${done.stored.idea.id}\n`)) this.failed.delete(key);
    this.keep(room, done.stored, true);
    return done.stored;
  }

  /** Stores (or replaces) a member's vote under its pseudonym for that idea; false when the idea takes none. */
  async vote(room: string, id: string, identity: string, vote: IdeaVote, lang: string): Promise<boolean> {
    const voter = await this.pseudonym(`vote\n${room}\n${id}\n${identity}`);
    return (await this.agendas.database()).voteIdea(room, id, voter, vote, lang);
  }

  async hide(room: string, id: string, hidden: boolean): Promise<StoredIdea | null> {
    const stored = await (await this.agendas.database()).hideIdea(room, id, hidden);
    if (stored) this.keep(room, stored, true);
    return stored;
  }

  async merge(room: string, id: string, into: string | null): Promise<StoredIdea[] | 'unknown' | 'self'> {
    const changed = await (await this.agendas.database()).mergeIdea(room, id, into);
    if (typeof changed != 'string') for (const stored of changed) this.keep(room, stored, true);
    return changed;
  }

  /** Reads an idea again (votes, or news from another process): the idea when it changed, else null. */
  async reload(room: string, id: string): Promise<StoredIdea | null> {
    if (!this.agendas.opened) return null;
    const stored = await (await this.agendas.database()).idea(room, id);
    return stored && this.keep(room, stored) ? stored : null;
  }

  /** This process has nobody left in the room: the database keeps it. */
  forget(room: string): void {
    this.cache.delete(room);
  }

  /**
   * Machine translations of the room's visible ideas into `languages` (language groups) they lack:
   * each (idea, language) asked once, stored, then `told` (null when nothing is to be done or the
   * server has no translator). A failure leaves the original; it is counted and not asked again.
   */
  translate(room: string, languages: Iterable<string>, told: (stored: StoredIdea) => void): void {
    const translator = this.translator;
    if (!translator) return;
    const targets = [...new Set([...languages].map(languageGroup))].filter((l) => l !== 'und').slice(0, MAX_TARGETS);
    for (const stored of this.list(room)) {
      const { idea } = stored;
      // Merged ideas are read too (under their target); hidden ones wait until they are shown again.
      if (stored.hidden) continue;
      const original = idea.text[idea.lang]!;
      for (const lang of targets) {
        if (Object.keys(idea.text).some((k) => languageGroup(k) === lang)) continue;
        const key = `${room}\n${idea.id}\n${lang}`;
        if (this.asked.has(key) || this.failed.has(key)) continue;
        this.asked.add(key);
        void translator
          // A member without a spoken language writes in `und`: the translator guesses (LibreTranslate's `auto`).
          .translate(original, idea.lang === 'und' ? 'auto' : languageGroup(idea.lang), lang)
          .then(async (text) => {
            if (text === null) {
              if (this.failed.size >= MAX_FAILED) this.failed.clear();
              this.failed.add(key);
              return;
            }
            const clean = cleanText(text).slice(0, MAX_TRANSLATION_LENGTH);
            if (!clean) return;
            const store = await this.agendas.database();
            const done = await store.addTranslation(room, idea.id, { lang: idea.lang, text: original }, lang, clean);
            if (!done) return;
            this.counts.translated++;
            if (this.keep(room, done)) told(done);
          })
          .catch(() => {})
          .finally(() => this.asked.delete(key));
      }
    }
  }

  /** An idea's pseudonyms: HMAC-SHA256 under a secret kept in the database, as poll ballots' voters. */
  private async pseudonym(what: string): Promise<string> {
    if (!this.key) {
      this.key = this.agendas.database().then((store) => store.secret('idea-pseudonyms'));
      this.key.catch(() => (this.key = null));
    }
    return createHmac('sha256', await this.key).update(what).digest('base64url');
  }

  /**
   * Keeps an idea as read from the database when it is news: a newer version, or the same one with
   * other counts (votes do not change the version). `force`: this process just wrote it.
   */
  private keep(room: string, stored: StoredIdea, force = false): boolean {
    let mine = this.cache.get(room);
    if (!mine) this.cache.set(room, (mine = new Map()));
    const known = mine.get(stored.idea.id);
    if (known && !force) {
      if (known.version > stored.version) return false;
      if (known.version === stored.version && JSON.stringify(known.idea) === JSON.stringify(stored.idea)) return false;
    }
    mine.set(stored.idea.id, stored);
    return true;
  }
}
