import { randomBytes, randomUUID } from 'node:crypto';
import { MAX_PROMPT_LANGUAGES, parseAgendaItems, type AgendaItem, type AgendaState } from '../src/protocol/agenda.js';
import { consensusOf, languageGroup, parseIdea, type Idea, type IdeaRecord, type IdeaVote, type VotesByLanguage } from '../src/protocol/ideas.js';
import { checkAnswer, parsePoll, parsePollAnswer, POLL_STATES, type Poll, type PollAnswer, type PollState } from '../src/protocol/polls.js';

/*
 * What a room produces and must survive a restart (design §8), in PostgreSQL: embedded PGlite (an
 * npm package: PostgreSQL compiled to WebAssembly) under --data-dir, or in memory without one; or a
 * PostgreSQL server with --database. One schema and one set of statements for both: every
 * statement here is plain PostgreSQL with positional parameters, and JSON goes in as text cast to
 * jsonb (node-postgres would turn a JS array into a PostgreSQL array). This module is the only one
 * that writes SQL; the rest of the server calls its typed functions.
 */

/** The little of a PostgreSQL client the store needs: PGlite and node-postgres both fit it. */
interface Sql {
  query<R>(text: string, params?: unknown[]): Promise<R[]>;
  /** Runs `fn` on one connection between BEGIN and COMMIT (ROLLBACK when it throws). */
  transaction<T>(fn: (tx: Pick<Sql, 'query'>) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/**
 * Numbered migrations, applied in order at start, each in the transaction that records it in
 * `un75_migrations`. Never edit one that has shipped: add the next.
 */
/** `sql`: one statement, or several run in turn (PGlite's query runs one at a time). */
const MIGRATIONS: ReadonlyArray<{ version: number; name: string; sql: string | string[] }> = [
  {
    version: 1,
    name: 'agendas',
    sql: `
      CREATE TABLE agendas (
        room text PRIMARY KEY,
        items jsonb NOT NULL,
        current integer NOT NULL DEFAULT 0,
        started_at bigint NOT NULL,
        version integer NOT NULL DEFAULT 1,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`,
  },
  {
    version: 2,
    name: 'polls',
    // Ballots are anonymous: \`voter\` is a per-poll pseudonym (an HMAC the server computes), never a
    // member's id or name. \`lang\` is the voter's spoken language, for the counts by language.
    sql: [
      `CREATE TABLE polls (
        room text NOT NULL,
        id text NOT NULL,
        poll jsonb NOT NULL,
        characters integer NOT NULL,
        state text NOT NULL DEFAULT 'prepared' CHECK (state IN ('prepared', 'open', 'closed')),
        created bigint NOT NULL,
        version integer NOT NULL DEFAULT 1,
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (room, id)
      )`,
      `CREATE TABLE poll_ballots (
        room text NOT NULL,
        poll_id text NOT NULL,
        voter text NOT NULL,
        answer jsonb NOT NULL,
        lang text NOT NULL,
        cast_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (room, poll_id, voter),
        FOREIGN KEY (room, poll_id) REFERENCES polls (room, id) ON DELETE CASCADE
      )`,
      `CREATE TABLE un75_secrets (
        name text PRIMARY KEY,
        value text NOT NULL
      )`,
    ],
  },
  {
    version: 3,
    name: 'ideas',
    // \`author\` and \`voter\` are pseudonyms (HMACs the server computes), never a member's id or name.
    // \`text\` holds the original under \`lang\` and the machine translations listed in \`machine\`
    // (kept apart, as Decidim does). An open or "other" poll answer is its author's one idea of that
    // poll (the unique index), replaced with the ballot.
    sql: [
      `CREATE TABLE ideas (
        room text NOT NULL,
        id text NOT NULL,
        lang text NOT NULL,
        text jsonb NOT NULL,
        machine jsonb NOT NULL DEFAULT '[]',
        author text NOT NULL,
        source text NOT NULL CHECK (source IN ('idea', 'poll')),
        poll_id text,
        hidden boolean NOT NULL DEFAULT false,
        merged_into text,
        created bigint NOT NULL,
        version integer NOT NULL DEFAULT 1,
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (room, id),
        CHECK ((source = 'poll') = (poll_id IS NOT NULL))
      )`,
      'CREATE UNIQUE INDEX ideas_poll_author ON ideas (room, poll_id, author) WHERE poll_id IS NOT NULL',
      `CREATE TABLE idea_votes (
        room text NOT NULL,
        idea_id text NOT NULL,
        voter text NOT NULL,
        vote smallint NOT NULL CHECK (vote IN (-1, 0, 1)),
        lang text NOT NULL,
        cast_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (room, idea_id, voter),
        FOREIGN KEY (room, idea_id) REFERENCES ideas (room, id) ON DELETE CASCADE
      )`,
    ],
  },
  {
    version: 4,
    name: 'dialogue report',
    // What the report needs and nothing per person: \`member\` is a per-dialogue pseudonym (an HMAC
    // the server computes) kept only to count each member once, with the language it declared.
    sql: [
      `CREATE TABLE dialogues (
        room text PRIMARY KEY,
        id text NOT NULL,
        started_at bigint NOT NULL,
        ended_at bigint,
        last_join bigint NOT NULL,
        title text,
        peak integer NOT NULL DEFAULT 0
      )`,
      `CREATE TABLE dialogue_members (
        dialogue text NOT NULL,
        member text NOT NULL,
        lang text NOT NULL,
        PRIMARY KEY (dialogue, member)
      )`,
      `CREATE TABLE dialogue_channels (
        dialogue text NOT NULL,
        lang text NOT NULL,
        PRIMARY KEY (dialogue, lang)
      )`,
      `CREATE TABLE agenda_log (
        room text NOT NULL,
        at bigint NOT NULL,
        item text NOT NULL
      )`,
      'CREATE INDEX agenda_log_room ON agenda_log (room, at)',
      `CREATE TABLE agenda_notes (
        room text NOT NULL,
        item text NOT NULL,
        notes text NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (room, item)
      )`,
      `CREATE TABLE dialogue_reports (
        id text PRIMARY KEY,
        room text NOT NULL,
        dialogue text NOT NULL UNIQUE,
        report jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`,
    ],
  },
  {
    version: 5,
    name: 'aggregation',
    // The aggregator (--aggregator, docs/outcomes.md "Aggregation"): each report as received, and
    // what the dashboard sums extracted from it at ingest, so that its queries never read the
    // reports' JSON. \`active\` is false once a later report of the same partner supersedes it.
    // report_outbox: a partner server's reports waiting to reach its aggregator (--submit-to).
    sql: [
      `CREATE TABLE agg_reports (
        programme text NOT NULL,
        report_id text NOT NULL,
        partner text NOT NULL,
        receipt_id text NOT NULL,
        sha256 text NOT NULL,
        received_at timestamptz NOT NULL DEFAULT now(),
        report jsonb NOT NULL,
        started_at timestamptz NOT NULL,
        month text NOT NULL,
        country text,
        participants integer NOT NULL,
        supersedes text,
        active boolean NOT NULL DEFAULT true,
        cells jsonb NOT NULL,
        PRIMARY KEY (programme, report_id)
      )`,
      // The sums the dashboard reads, kept up to date at ingest (a report adds its \`cells\`; one it
      // supersedes takes its own away): per month, country and spoken language ('*': every
      // dialogue, whatever its languages), so that any combination of the three filters is one
      // indexed read of at most a few thousand rows, however many reports there are.
      `CREATE TABLE agg_cells (
        programme text NOT NULL,
        month text NOT NULL,
        country text NOT NULL,
        lang text NOT NULL,
        metric text NOT NULL,
        key text NOT NULL,
        value bigint NOT NULL,
        PRIMARY KEY (programme, lang, month, country, metric, key)
      )`,
      'CREATE INDEX agg_reports_filters ON agg_reports (programme, active, month, country)',
      'CREATE INDEX agg_reports_supersedes ON agg_reports (programme, supersedes)',
      `CREATE TABLE agg_languages (
        programme text NOT NULL,
        report_id text NOT NULL,
        lang text NOT NULL,
        participants integer NOT NULL,
        PRIMARY KEY (programme, report_id, lang),
        FOREIGN KEY (programme, report_id) REFERENCES agg_reports (programme, report_id) ON DELETE CASCADE
      )`,
      'CREATE INDEX agg_languages_lang ON agg_languages (programme, lang)',
      `CREATE TABLE agg_polls (
        programme text NOT NULL,
        report_id text NOT NULL,
        template text NOT NULL,
        poll_id text NOT NULL,
        voters integer NOT NULL,
        PRIMARY KEY (programme, report_id, template, poll_id),
        FOREIGN KEY (programme, report_id) REFERENCES agg_reports (programme, report_id) ON DELETE CASCADE
      )`,
      `CREATE TABLE agg_poll_counts (
        programme text NOT NULL,
        report_id text NOT NULL,
        template text NOT NULL,
        poll_id text NOT NULL,
        option_id text NOT NULL,
        count bigint NOT NULL,
        PRIMARY KEY (programme, report_id, template, poll_id, option_id),
        FOREIGN KEY (programme, report_id) REFERENCES agg_reports (programme, report_id) ON DELETE CASCADE
      )`,
      `CREATE TABLE agg_poll_labels (
        programme text NOT NULL,
        template text NOT NULL,
        poll_id text NOT NULL,
        option_id text NOT NULL,
        type text NOT NULL,
        label jsonb NOT NULL,
        PRIMARY KEY (programme, template, poll_id, option_id)
      )`,
      `CREATE TABLE agg_ideas (
        programme text NOT NULL,
        report_id text NOT NULL,
        idea_id text NOT NULL,
        lang text NOT NULL,
        text jsonb NOT NULL,
        machine jsonb NOT NULL,
        agree integer NOT NULL,
        pass integer NOT NULL,
        disagree integer NOT NULL,
        consensus boolean NOT NULL,
        PRIMARY KEY (programme, report_id, idea_id),
        FOREIGN KEY (programme, report_id) REFERENCES agg_reports (programme, report_id) ON DELETE CASCADE
      )`,
      'CREATE INDEX agg_ideas_rank ON agg_ideas (programme, agree DESC, disagree, report_id, idea_id)',
      `CREATE TABLE agg_demographics (
        programme text NOT NULL,
        report_id text NOT NULL,
        dimension text NOT NULL,
        key text NOT NULL,
        count integer NOT NULL,
        PRIMARY KEY (programme, report_id, dimension, key),
        FOREIGN KEY (programme, report_id) REFERENCES agg_reports (programme, report_id) ON DELETE CASCADE
      )`,
      `CREATE TABLE report_outbox (
        report_id text PRIMARY KEY,
        report text NOT NULL,
        state text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sent', 'refused')),
        attempts integer NOT NULL DEFAULT 0,
        next_attempt_at bigint NOT NULL,
        last_error text,
        receipt jsonb,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`,
      'CREATE INDEX report_outbox_due ON report_outbox (state, next_attempt_at)',
    ],
  },
];

/** A room's poll with its state and the version the database gave it (every change raises it by one). */
export interface StoredPoll {
  poll: Poll;
  state: PollState;
  version: number;
  /** When it was first prepared (ms): the room's polls are listed in that order. */
  created: number;
}

export interface Ballot {
  answer: PollAnswer;
  lang: string;
}

/** A room's agenda with the version the database gave it (every change raises it by one). */
export interface StoredAgenda extends AgendaState {
  version: number;
}

/** A room's idea with its counts and the version the database gave it (every change of the idea raises it). */
export interface StoredIdea {
  idea: Idea;
  /** Hidden by a host (also \`idea.hidden\`). */
  hidden: boolean;
  version: number;
}

/** A new idea: \`author\` is its author's pseudonym. */
export interface NewIdea {
  id: string;
  lang: string;
  text: string;
  author: string;
  source: 'idea' | 'poll';
  pollId?: string;
}

/** A room's dialogue (its current one, or the last one when it has ended): design §8, the report. */
export interface StoredDialogue {
  /** A UUID: the final report's reportId is derived from nothing else. */
  id: string;
  room: string;
  startedAt: number;
  endedAt: number | null;
  /** When a member last joined (ms): an end for emptiness does not apply after someone came. */
  lastJoin: number;
  title: string | null;
  peak: number;
}


/** What the aggregator keeps of one report: the report itself and the rows the dashboard sums. */
export interface ReportRecord {
  programme: string;
  reportId: string;
  partner: string;
  receiptId: string;
  sha256: string;
  receivedAt: number;
  /** The report's JSON, as signed. */
  report: string;
  startedAt: string;
  /** YYYY-MM of startedAt (UTC). */
  month: string;
  country: string | null;
  participants: number;
  supersedes: string | null;
  languages: Array<{ lang: string; participants: number }>;
  polls: Array<{ template: string; pollId: string; voters: number }>;
  pollCounts: Array<{ template: string; pollId: string; optionId: string; count: number }>;
  /** optionId '' is the question. */
  pollLabels: Array<{ template: string; pollId: string; optionId: string; type: string; label: Record<string, string> }>;
  ideas: Array<{ ideaId: string; lang: string; text: Record<string, string>; machine: string[]; agree: number; pass: number; disagree: number; consensus: boolean }>;
  demographics: Array<{ dimension: string; key: string; count: number }>;
  /** What the report adds to the dashboard's sums (agg_cells), one entry per cell. */
  cells: Cell[];
}

/** One of a report's contributions to the sums: `metric` (dialogues, participants, …) under `key`. */
export interface Cell {
  month: string;
  country: string;
  lang: string;
  metric: string;
  key: string;
  value: number;
}

/** What the aggregator answers for a report it holds. */
export interface StoredReceipt {
  receiptId: string;
  reportId: string;
  programme: string;
  partner: string;
  receivedAt: number;
  sha256: string;
  supersedes: string | null;
  /** False once a later report supersedes it. */
  active: boolean;
}

export type IngestResult =
  | { kind: 'stored'; receipt: StoredReceipt }
  | { kind: 'duplicate'; receipt: StoredReceipt }
  | { kind: 'conflict'; message: string };

export interface OutcomeFilters {
  country?: string;
  /** A primary language subtag, lower case. */
  language?: string;
  /** YYYY-MM. */
  month?: string;
}

/** The sums the dashboard shows, before small cells are suppressed. */
export interface RawOutcomes {
  totals: { dialogues: number; participants: number; countries: number; languages: number };
  byMonth: Array<{ key: string; dialogues: number; participants: number }>;
  byCountry: Array<{ key: string; dialogues: number; participants: number }>;
  byLanguage: Array<{ key: string; dialogues: number; participants: number }>;
  polls: Array<{ template: string; pollId: string; type: string; question: Record<string, string>; dialogues: number; voters: number; options: Array<{ id: string; label: Record<string, string> | null; count: number }> }>;
  ideas: Array<{ lang: string; text: Record<string, string>; machine: string[]; agree: number; pass: number; disagree: number; consensus: boolean }>;
  demographics: Array<{ dimension: string; key: string; count: number }>;
  /** Every value the filters may take (unfiltered). */
  choices: { countries: string[]; languages: string[]; months: string[] };
}

export interface OutboxEntry {
  reportId: string;
  report: string;
  attempts: number;
  nextAttemptAt: number;
}

export type StoreTarget = { kind: 'pglite'; dataDir?: string } | { kind: 'postgres'; url: string };

/** Serialises the migrations of several processes starting at once on one PostgreSQL. */
const MIGRATION_LOCK = 750_075;

export class Store {
  private constructor(
    private readonly sql: Sql,
    /** Where it lives, for log lines (no password). */
    readonly description: string,
  ) {}

  /** Opens the database and brings its schema up to date. */
  static async open(target: StoreTarget): Promise<Store> {
    const sql = target.kind === 'postgres' ? await openPostgres(target.url) : await openPglite(target.dataDir);
    try {
      await migrate(sql);
    } catch (err) {
      await sql.close().catch(() => {});
      throw err;
    }
    const description = target.kind === 'postgres' ? `PostgreSQL at ${redact(target.url)}` : target.dataDir ? `PGlite in ${target.dataDir}` : 'PGlite in memory';
    return new Store(sql, description);
  }

  /** The schema versions applied, in order. */
  async migrations(): Promise<number[]> {
    const rows = await this.sql.query<{ version: number }>('SELECT version FROM un75_migrations ORDER BY version');
    return rows.map((r) => r.version);
  }

  async agenda(room: string): Promise<StoredAgenda | null> {
    const rows = await this.sql.query<AgendaRow>(`SELECT ${AGENDA_COLUMNS} FROM agendas WHERE room = $1`, [room]);
    return rows[0] ? fromRow(rows[0]) : null;
  }

  /** Replaces a room's agenda; its first item starts at `now`. */
  async setAgenda(room: string, items: AgendaItem[], now: number): Promise<StoredAgenda> {
    // The item that became current goes to agenda_log in the same statement (the report's minutes spent).
    const rows = await this.sql.query<AgendaRow>(
      `WITH a AS (
         INSERT INTO agendas (room, items, current, started_at) VALUES ($1, $2::jsonb, 0, $3)
         ON CONFLICT (room) DO UPDATE SET items = excluded.items, current = 0, started_at = excluded.started_at,
           version = agendas.version + 1, updated_at = now()
         RETURNING room, ${AGENDA_COLUMNS}),
       l AS (INSERT INTO agenda_log (room, at, item) SELECT room, $3, items->0->>'id' FROM a WHERE jsonb_array_length(items) > 0)
       SELECT ${AGENDA_OUT} FROM a`,
      [room, JSON.stringify(items), now],
    );
    return fromRow(rows[0]!);
  }

  /**
   * Moves a room to its next item, starting it at `now`, in one statement (two hosts on two
   * processes pressing at once move it twice, never to the same item twice). Null when the room
   * has no agenda or is at its last item.
   */
  async nextItem(room: string, now: number): Promise<StoredAgenda | null> {
    const rows = await this.sql.query<AgendaRow>(
      `WITH a AS (
         UPDATE agendas SET current = current + 1, started_at = $2, version = version + 1, updated_at = now()
         WHERE room = $1 AND current + 1 < jsonb_array_length(items)
         RETURNING room, ${AGENDA_COLUMNS}),
       l AS (INSERT INTO agenda_log (room, at, item) SELECT room, $2, items->current->>'id' FROM a)
       SELECT ${AGENDA_OUT} FROM a`,
      [room, now],
    );
    return rows[0] ? fromRow(rows[0]) : null;
  }

  async polls(room: string): Promise<StoredPoll[]> {
    const rows = await this.sql.query<PollRow>(`SELECT ${POLL_COLUMNS} FROM polls WHERE room = $1 ORDER BY created, id`, [room]);
    return rows.map(pollFromRow);
  }

  async poll(room: string, id: string): Promise<StoredPoll | null> {
    const rows = await this.sql.query<PollRow>(`SELECT ${POLL_COLUMNS} FROM polls WHERE room = $1 AND id = $2`, [room, id]);
    return rows[0] ? pollFromRow(rows[0]) : null;
  }

  /**
   * Prepares a poll, or replaces one still prepared (never one opened: its ballots answer it). In one
   * transaction holding the room's lock, so that two hosts at once cannot pass the room's limits.
   */
  async preparePoll(
    room: string,
    poll: Poll,
    characters: number,
    now: number,
    limits: { polls: number; characters: number },
  ): Promise<StoredPoll | 'not-prepared' | 'full'> {
    return this.sql.transaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`un75-polls:${room}`]);
      const others = await tx.query<{ id: string; state: string; characters: number }>('SELECT id, state, characters FROM polls WHERE room = $1', [room]);
      const same = others.find((o) => o.id === poll.id);
      if (same && same.state !== 'prepared') return 'not-prepared';
      const rest = others.filter((o) => o.id !== poll.id);
      if (rest.length + 1 > limits.polls || rest.reduce((n, o) => n + o.characters, characters) > limits.characters) return 'full';
      const rows = await tx.query<PollRow>(
        `INSERT INTO polls (room, id, poll, characters, created) VALUES ($1, $2, $3::jsonb, $4, $5)
         ON CONFLICT (room, id) DO UPDATE SET poll = excluded.poll, characters = excluded.characters,
           version = polls.version + 1, updated_at = now()
         RETURNING ${POLL_COLUMNS}`,
        [room, poll.id, JSON.stringify(poll), characters, now],
      );
      return pollFromRow(rows[0]!);
    });
  }

  /** Moves a poll from one state to the next (prepared → open → closed); null when it is not in `from`. */
  async movePoll(room: string, id: string, from: PollState, to: PollState): Promise<StoredPoll | null> {
    const rows = await this.sql.query<PollRow>(
      `UPDATE polls SET state = $4, version = version + 1, updated_at = now()
       WHERE room = $1 AND id = $2 AND state = $3
       RETURNING ${POLL_COLUMNS}`,
      [room, id, from, to],
    );
    return rows[0] ? pollFromRow(rows[0]) : null;
  }

  /**
   * Keeps ballots under their pseudonyms (each distinct), replacing each voter's earlier one, in one
   * statement that stores none of them unless the poll is open at that moment: a burst of ballots is
   * one write (PGlite runs on the server's own thread: 500 ballots one by one took 0.3–0.8 s of it,
   * in batches of 50 about 12 ms). False when the poll was not open.
   */
  async castBallots(room: string, pollId: string, ballots: Array<{ voter: string; answer: PollAnswer; lang: string }>): Promise<boolean> {
    const rows = await this.sql.query<{ voter: string }>(
      `INSERT INTO poll_ballots (room, poll_id, voter, answer, lang)
       SELECT $1, $2, b.voter, b.answer, b.lang FROM jsonb_to_recordset($3::jsonb) AS b(voter text, answer jsonb, lang text)
       WHERE EXISTS (SELECT 1 FROM polls WHERE room = $1 AND id = $2 AND state = 'open')
       ON CONFLICT (room, poll_id, voter) DO UPDATE SET answer = excluded.answer, lang = excluded.lang, cast_at = now()
       RETURNING voter`,
      [room, pollId, JSON.stringify(ballots)],
    );
    return rows.length > 0;
  }

  /** A poll's ballots (answers and languages, no voters), each checked again against the poll. */
  async ballots(room: string, poll: Poll): Promise<Ballot[]> {
    const rows = await this.sql.query<{ answer: unknown; lang: string }>('SELECT answer, lang FROM poll_ballots WHERE room = $1 AND poll_id = $2', [room, poll.id]);
    const out: Ballot[] = [];
    for (const row of rows) {
      try {
        out.push({ answer: checkAnswer(poll, parsePollAnswer(typeof row.answer == 'string' ? JSON.parse(row.answer) : row.answer)), lang: row.lang });
      } catch {
        // Not a ballot this poll takes (written by something else): not counted.
      }
    }
    return out;
  }

  /** A room's ideas with their counts, oldest first (hidden and merged ones too). */
  async ideas(room: string): Promise<StoredIdea[]> {
    const rows = await this.sql.query<IdeaRow>(`SELECT ${IDEA_COLUMNS} FROM ideas WHERE room = $1 ORDER BY created, id`, [room]);
    const votes = await this.sql.query<VoteRow>('SELECT idea_id, lang, vote, count(*)::integer AS n FROM idea_votes WHERE room = $1 GROUP BY idea_id, lang, vote', [room]);
    return rows.map((row) => ideaFromRow(row, votes.filter((v) => v.idea_id === row.id)));
  }

  async idea(room: string, id: string): Promise<StoredIdea | null> {
    const rows = await this.sql.query<IdeaRow>(`SELECT ${IDEA_COLUMNS} FROM ideas WHERE room = $1 AND id = $2`, [room, id]);
    if (!rows[0]) return null;
    const votes = await this.sql.query<VoteRow>('SELECT idea_id, lang, vote, count(*)::integer AS n FROM idea_votes WHERE room = $1 AND idea_id = $2 GROUP BY idea_id, lang, vote', [room, id]);
    return ideaFromRow(rows[0], votes);
  }

  /** Every idea of a room, as the dialogue report reads them (hidden and merged included). */
  async listIdeas(room: string): Promise<IdeaRecord[]> {
    return (await this.ideas(room)).map(({ idea, hidden }) => {
      const { hidden: _h, created, ...rest } = idea;
      return { ...rest, hidden, created: new Date(created).toISOString() };
    });
  }

  /**
   * Adds an idea, in one transaction holding the room's lock so that the room's and the author's
   * limits hold with several processes. An idea from a poll answer replaces its author's earlier one
   * for that poll (same id; its translations and votes go, as they were for other words); the same
   * words again change nothing. 'full': the room holds MAX_ROOM_IDEAS; 'author-full': the author
   * has submitted `limits.perAuthor` already.
   */
  async addIdea(room: string, idea: NewIdea, now: number, limits: { room: number; perAuthor: number }): Promise<{ stored: StoredIdea; changed: boolean } | 'full' | 'author-full'> {
    return this.sql.transaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`un75-ideas:${room}`]);
      const text = JSON.stringify({ [idea.lang]: idea.text });
      if (idea.pollId !== undefined) {
        const known = await tx.query<IdeaRow>(`SELECT ${IDEA_COLUMNS} FROM ideas WHERE room = $1 AND poll_id = $2 AND author = $3`, [room, idea.pollId, idea.author]);
        const old = known[0];
        if (old) {
          const oldText = (typeof old.text == 'string' ? JSON.parse(old.text) : old.text) as Record<string, string>;
          if (old.lang === idea.lang && oldText[idea.lang] === idea.text) return { stored: ideaFromRow(old, []), changed: false };
          await tx.query('DELETE FROM idea_votes WHERE room = $1 AND idea_id = $2', [room, old.id]);
          const rows = await tx.query<IdeaRow>(
            `UPDATE ideas SET lang = $3, text = $4::jsonb, machine = '[]', version = version + 1, updated_at = now()
             WHERE room = $1 AND id = $2 RETURNING ${IDEA_COLUMNS}`,
            [room, old.id, idea.lang, text],
          );
          return { stored: ideaFromRow(rows[0]!, []), changed: true };
        }
      }
      const [counts] = await tx.query<{ total: number; mine: number }>(
        `SELECT count(*)::integer AS total, (count(*) FILTER (WHERE author = $2 AND source = 'idea'))::integer AS mine FROM ideas WHERE room = $1`,
        [room, idea.author],
      );
      if (counts!.total >= limits.room) return 'full';
      if (idea.source === 'idea' && counts!.mine >= limits.perAuthor) return 'author-full';
      const rows = await tx.query<IdeaRow>(
        `INSERT INTO ideas (room, id, lang, text, author, source, poll_id, created) VALUES ($1, $2, $3, $4::jsonb, $5, $6, $7, $8)
         RETURNING ${IDEA_COLUMNS}`,
        [room, idea.id, idea.lang, text, idea.author, idea.source, idea.pollId ?? null, now],
      );
      return { stored: ideaFromRow(rows[0]!, []), changed: true };
    });
  }

  /**
   * Adds a machine translation, unless the idea has that language already, its original changed
   * meanwhile (`original`: the text translated) or it holds the 16 languages a text may have. Null
   * when nothing was written.
   */
  async addTranslation(room: string, id: string, original: { lang: string; text: string }, lang: string, text: string): Promise<StoredIdea | null> {
    const rows = await this.sql.query<IdeaRow>(
      `UPDATE ideas SET text = text || jsonb_build_object($3::text, $4::text), machine = machine || jsonb_build_array($3::text),
         version = version + 1, updated_at = now()
       WHERE room = $1 AND id = $2 AND NOT (text ? $3::text) AND lang = $5 AND text ->> $5::text = $6
         AND (SELECT count(*) FROM jsonb_object_keys(text)) < $7
       RETURNING ${IDEA_COLUMNS}`,
      [room, id, lang, text, original.lang, original.text, MAX_PROMPT_LANGUAGES],
    );
    return rows[0] ? this.idea(room, id) : null;
  }

  /**
   * Keeps a member's vote under its pseudonym, replacing its earlier one, in one statement that
   * stores nothing unless the idea is in the room, visible and not merged. False otherwise.
   */
  async voteIdea(room: string, id: string, voter: string, vote: IdeaVote, lang: string): Promise<boolean> {
    const rows = await this.sql.query<{ voter: string }>(
      `INSERT INTO idea_votes (room, idea_id, voter, vote, lang)
       SELECT $1, $2, $3, $4, $5 WHERE EXISTS (SELECT 1 FROM ideas WHERE room = $1 AND id = $2 AND NOT hidden AND merged_into IS NULL)
       ON CONFLICT (room, idea_id, voter) DO UPDATE SET vote = excluded.vote, lang = excluded.lang, cast_at = now()
       RETURNING voter`,
      [room, id, voter, vote, lang],
    );
    return rows.length === 1;
  }

  /** Hides an idea or shows it again; null when the room has no such idea. */
  async hideIdea(room: string, id: string, hidden: boolean): Promise<StoredIdea | null> {
    const rows = await this.sql.query<{ id: string }>(
      'UPDATE ideas SET hidden = $3, version = version + 1, updated_at = now() WHERE room = $1 AND id = $2 RETURNING id',
      [room, id, hidden],
    );
    return rows[0] ? this.idea(room, id) : null;
  }

  /**
   * Merges an idea into another of the room (or takes it out again with null), in one transaction:
   * ideas merged into it follow it to the target, so that nothing is merged two levels deep.
   * 'unknown': either idea is not in the room; 'self': into itself or into an idea merged elsewhere.
   * Returns every idea that changed.
   */
  async mergeIdea(room: string, id: string, into: string | null): Promise<StoredIdea[] | 'unknown' | 'self'> {
    const changed = await this.sql.transaction(async (tx) => {
      if (into === id) return 'self' as const;
      await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`un75-ideas:${room}`]);
      const ids = into === null ? [id] : [id, into];
      const found = await tx.query<{ id: string; merged_into: string | null }>('SELECT id, merged_into FROM ideas WHERE room = $1 AND id = ANY($2::text[])', [room, ids]);
      if (found.length !== ids.length) return 'unknown' as const;
      if (into !== null && (into === id || found.find((f) => f.id === into)!.merged_into !== null)) return 'self' as const;
      const rows = await tx.query<{ id: string }>(
        `UPDATE ideas SET merged_into = $3, version = version + 1, updated_at = now()
         WHERE room = $1 AND (id = $2 OR ($3::text IS NOT NULL AND merged_into = $2)) RETURNING id`,
        [room, id, into],
      );
      return rows.map((r) => r.id);
    });
    if (typeof changed == 'string') return changed;
    const out: StoredIdea[] = [];
    for (const changedId of changed) {
      const stored = await this.idea(room, changedId);
      if (stored) out.push(stored);
    }
    return out;
  }

  /**
   * A member joined a room: the room's dialogue starts if it has none going on (a new one after
   * an ended one), the member is counted once (by `member(dialogueId)`, a pseudonym) with its
   * spoken language, and the peak rises to `present` if that is more. One transaction under the
   * room's lock, so two processes starting the same dialogue at once start one.
   */
  async joinDialogue(room: string, member: (dialogue: string) => string, lang: string, now: number, present: number): Promise<{ dialogue: StoredDialogue; started: boolean }> {
    return this.sql.transaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`un75-dialogue:${room}`]);
      let row = (await tx.query<DialogueRow>(`SELECT ${DIALOGUE_COLUMNS} FROM dialogues WHERE room = $1`, [room]))[0];
      let started = false;
      if (!row || row.ended_at !== null) {
        started = true;
        await tx.query(
          `INSERT INTO dialogues (room, id, started_at, last_join) VALUES ($1, $2, $3, $3)
           ON CONFLICT (room) DO UPDATE SET id = excluded.id, started_at = excluded.started_at, ended_at = NULL,
             last_join = excluded.last_join, title = NULL, peak = 0`,
          [room, randomUUID(), now],
        );
        // A new dialogue's notes start empty; of the agenda's log only the item current now matters.
        await tx.query('DELETE FROM agenda_notes WHERE room = $1', [room]);
        await tx.query('DELETE FROM agenda_log WHERE room = $1 AND at < (SELECT max(at) FROM agenda_log WHERE room = $1)', [room]);
      }
      row = (await tx.query<DialogueRow>(`SELECT ${DIALOGUE_COLUMNS} FROM dialogues WHERE room = $1`, [room]))[0]!;
      await tx.query('INSERT INTO dialogue_members (dialogue, member, lang) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING', [row.id, member(row.id), lang]);
      row = (
        await tx.query<DialogueRow>(`UPDATE dialogues SET last_join = GREATEST(last_join, $2), peak = GREATEST(peak, $3) WHERE room = $1 RETURNING ${DIALOGUE_COLUMNS}`, [
          room,
          now,
          present,
        ])
      )[0]!;
      return { dialogue: dialogueFromRow(row), started };
    });
  }

  /** The room's dialogue: the one going on, else the last one (ended), else null. */
  async dialogue(room: string): Promise<StoredDialogue | null> {
    const rows = await this.sql.query<DialogueRow>(`SELECT ${DIALOGUE_COLUMNS} FROM dialogues WHERE room = $1`, [room]);
    return rows[0] ? dialogueFromRow(rows[0]) : null;
  }

  /**
   * Ends the room's dialogue at `now`, once: null when it had ended already, or (with `quietSince`)
   * when someone joined after that moment (the room is not empty any more, on another process perhaps).
   */
  async endDialogue(room: string, now: number, quietSince?: number): Promise<StoredDialogue | null> {
    const rows = await this.sql.query<DialogueRow>(
      `UPDATE dialogues SET ended_at = $2 WHERE room = $1 AND ended_at IS NULL AND ($3::float8 IS NULL OR last_join <= $3)
       RETURNING ${DIALOGUE_COLUMNS}`,
      [room, now, quietSince ?? null],
    );
    return rows[0] ? dialogueFromRow(rows[0]) : null;
  }

  /** The title of the dialogue going on (a host's page names it); false when none goes on. */
  async setDialogueTitle(room: string, title: string): Promise<boolean> {
    const rows = await this.sql.query<{ id: string }>('UPDATE dialogues SET title = $2 WHERE room = $1 AND ended_at IS NULL RETURNING id', [room, title]);
    return rows.length === 1;
  }

  /** An interpretation channel went on air in `lang` during the dialogue going on. */
  async addChannel(room: string, lang: string): Promise<void> {
    await this.sql.query(
      `INSERT INTO dialogue_channels (dialogue, lang) SELECT id, $2 FROM dialogues WHERE room = $1 AND ended_at IS NULL
       ON CONFLICT DO NOTHING`,
      [room, lang],
    );
  }

  /** A dialogue's members by spoken language (counts only) and the interpretation channels on air in it. */
  async attendance(dialogue: string): Promise<{ byLanguage: Record<string, number>; channels: string[] }> {
    const members = await this.sql.query<{ lang: string; n: number }>('SELECT lang, count(*)::int AS n FROM dialogue_members WHERE dialogue = $1 GROUP BY lang ORDER BY lang', [dialogue]);
    const channels = await this.sql.query<{ lang: string }>('SELECT lang FROM dialogue_channels WHERE dialogue = $1 ORDER BY lang', [dialogue]);
    return { byLanguage: Object.fromEntries(members.map((m) => [m.lang, Number(m.n)])), channels: channels.map((c) => c.lang) };
  }

  /** When each agenda item of the room became current (ms), oldest first. */
  async agendaLog(room: string): Promise<Array<{ at: number; item: string }>> {
    const rows = await this.sql.query<{ at: number; item: string }>('SELECT at::float8 AS at, item FROM agenda_log WHERE room = $1 ORDER BY at', [room]);
    return rows.map((r) => ({ at: Number(r.at), item: r.item }));
  }

  /** A host's notes on one agenda question; empty text removes them. */
  async setNotes(room: string, item: string, notes: string): Promise<void> {
    if (!notes) {
      await this.sql.query('DELETE FROM agenda_notes WHERE room = $1 AND item = $2', [room, item]);
      return;
    }
    await this.sql.query(
      `INSERT INTO agenda_notes (room, item, notes) VALUES ($1, $2, $3)
       ON CONFLICT (room, item) DO UPDATE SET notes = excluded.notes, updated_at = now()`,
      [room, item, notes],
    );
  }

  /** The host's notes of the room, by agenda item id. */
  async notes(room: string): Promise<Record<string, string>> {
    const rows = await this.sql.query<{ item: string; notes: string }>('SELECT item, notes FROM agenda_notes WHERE room = $1 ORDER BY item', [room]);
    return Object.fromEntries(rows.map((r) => [r.item, r.notes]));
  }

  /** Keeps a dialogue's final report, once: the one already kept when there is one (two processes ending it). */
  async keepFinalReport(room: string, dialogue: string, report: { reportId: string }): Promise<unknown> {
    await this.sql.query('INSERT INTO dialogue_reports (id, room, dialogue, report) VALUES ($1, $2, $3, $4::jsonb) ON CONFLICT DO NOTHING', [
      report.reportId,
      room,
      dialogue,
      JSON.stringify(report),
    ]);
    const rows = await this.sql.query<{ report: unknown }>('SELECT report FROM dialogue_reports WHERE dialogue = $1', [dialogue]);
    return json(rows[0]!.report);
  }

  /** The room's most recent final report (its last ended dialogue), or null. */
  async lastFinalReport(room: string): Promise<unknown> {
    const rows = await this.sql.query<{ report: unknown }>('SELECT report FROM dialogue_reports WHERE room = $1 ORDER BY created_at DESC LIMIT 1', [room]);
    return rows[0] ? json(rows[0].report) : null;
  }

  /**
   * A random secret the server keeps in its database, made on first use (shared by every process
   * on one PostgreSQL, and the same after a restart).
   */
  async secret(name: string): Promise<Buffer> {
    await this.sql.query('INSERT INTO un75_secrets (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING', [name, randomBytes(32).toString('base64')]);
    const rows = await this.sql.query<{ value: string }>('SELECT value FROM un75_secrets WHERE name = $1', [name]);
    return Buffer.from(rows[0]!.value, 'base64');
  }


  /**
   * Keeps a report the aggregator has verified, with its summary rows, in one transaction: all of
   * it or nothing. The same reportId again with the same content is a duplicate (the first receipt
   * comes back); with other content, or from another partner, a conflict.
   */
  async ingestReport(r: ReportRecord): Promise<IngestResult> {
    return this.sql.transaction(async (tx): Promise<IngestResult> => {
      const inserted = await tx.query<ReceiptRow>(
        `INSERT INTO agg_reports (programme, report_id, partner, receipt_id, sha256, received_at, report, started_at, month, country, participants, supersedes, cells)
         VALUES ($1, $2, $3, $4, $5, to_timestamp($6::float8 / 1000), $7::jsonb, $8::timestamptz, $9, $10, $11, $12, $13::jsonb)
         ON CONFLICT (programme, report_id) DO NOTHING
         RETURNING ${RECEIPT_COLUMNS}`,
        [r.programme, r.reportId, r.partner, r.receiptId, r.sha256, r.receivedAt, r.report, r.startedAt, r.month, r.country, r.participants, r.supersedes, JSON.stringify(r.cells)],
      );
      if (!inserted[0]) {
        const [held] = await tx.query<ReceiptRow>(`SELECT ${RECEIPT_COLUMNS} FROM agg_reports WHERE programme = $1 AND report_id = $2`, [r.programme, r.reportId]);
        const receipt = receiptFromRow(held!);
        if (receipt.partner === r.partner && receipt.sha256 === r.sha256) return { kind: 'duplicate', receipt };
        return { kind: 'conflict', message: `report ${r.reportId} was received before with other content${receipt.partner === r.partner ? '' : ' from another partner'}: a changed report needs a new reportId that names the old one in "supersedes"` };
      }
      if (r.supersedes) {
        const [old] = await tx.query<{ partner: string }>('SELECT partner FROM agg_reports WHERE programme = $1 AND report_id = $2', [r.programme, r.supersedes]);
        if (old && old.partner !== r.partner) throw new IngestConflict(`report ${r.supersedes} is another partner's: a report supersedes only its own partner's`);
        const gone = await tx.query<{ cells: unknown }>(
          'UPDATE agg_reports SET active = false WHERE programme = $1 AND report_id = $2 AND partner = $3 AND active RETURNING cells',
          [r.programme, r.supersedes, r.partner],
        );
        // The superseded report's contributions come off the sums.
        if (gone[0]) await addCells(tx, r.programme, (typeof gone[0].cells == 'string' ? JSON.parse(gone[0].cells) : gone[0].cells) as Cell[], -1);
      }
      // A report superseded before it arrived (the newer one came first) is kept out of the totals.
      const later = await tx.query<{ report_id: string }>('SELECT report_id FROM agg_reports WHERE programme = $1 AND supersedes = $2 AND partner = $3 LIMIT 1', [r.programme, r.reportId, r.partner]);
      if (later[0]) await tx.query('UPDATE agg_reports SET active = false WHERE programme = $1 AND report_id = $2', [r.programme, r.reportId]);
      else await addCells(tx, r.programme, r.cells, 1);
      // Every summary row in one statement (data-modifying CTEs each run once): a round trip per
      // report rather than one per table, which is what ingest speed comes down to.
      await tx.query(
        `WITH l AS (
           INSERT INTO agg_languages (programme, report_id, lang, participants)
           SELECT $1, $2, x.lang, x.participants FROM jsonb_to_recordset($3::jsonb) AS x(lang text, participants integer)
         ), p AS (
           INSERT INTO agg_polls (programme, report_id, template, poll_id, voters)
           SELECT $1, $2, x."template", x."pollId", x.voters FROM jsonb_to_recordset($4::jsonb) AS x("template" text, "pollId" text, voters integer)
         ), c AS (
           INSERT INTO agg_poll_counts (programme, report_id, template, poll_id, option_id, count)
           SELECT $1, $2, x."template", x."pollId", x."optionId", x.count FROM jsonb_to_recordset($5::jsonb) AS x("template" text, "pollId" text, "optionId" text, count bigint)
         ), lb AS (
           -- The first report to use a template's poll names its question and options.
           INSERT INTO agg_poll_labels (programme, template, poll_id, option_id, type, label)
           SELECT $1, x."template", x."pollId", x."optionId", x.type, x.label FROM jsonb_to_recordset($6::jsonb) AS x("template" text, "pollId" text, "optionId" text, type text, label jsonb)
           ON CONFLICT DO NOTHING
         ), i AS (
           INSERT INTO agg_ideas (programme, report_id, idea_id, lang, text, machine, agree, pass, disagree, consensus)
           SELECT $1, $2, x."ideaId", x.lang, x.text, x.machine, x.agree, x.pass, x.disagree, x.consensus
           FROM jsonb_to_recordset($7::jsonb) AS x("ideaId" text, lang text, text jsonb, machine jsonb, agree integer, pass integer, disagree integer, consensus boolean)
         )
         INSERT INTO agg_demographics (programme, report_id, dimension, key, count)
         SELECT $1, $2, x.dimension, x.key, x.count FROM jsonb_to_recordset($8::jsonb) AS x(dimension text, key text, count integer)`,
        [
          r.programme,
          r.reportId,
          JSON.stringify(r.languages),
          JSON.stringify(r.polls),
          JSON.stringify(r.pollCounts),
          JSON.stringify(dedupeLabels(r.pollLabels)),
          JSON.stringify(r.ideas),
          JSON.stringify(r.demographics),
        ],
      );
      return { kind: 'stored', receipt: { ...receiptFromRow(inserted[0]), active: !later[0] } };
    }).catch((err: unknown): IngestResult => {
      if (err instanceof IngestConflict) return { kind: 'conflict', message: err.message };
      throw err;
    });
  }

  /** The receipt of a report held, or null. */
  async receipt(programme: string, reportId: string): Promise<StoredReceipt | null> {
    const rows = await this.sql.query<ReceiptRow>(`SELECT ${RECEIPT_COLUMNS} FROM agg_reports WHERE programme = $1 AND report_id = $2`, [programme, reportId]);
    return rows[0] ? receiptFromRow(rows[0]) : null;
  }

  /** How many reports a programme holds, and how many of them count (not superseded). */
  async reportCount(programme: string): Promise<{ held: number; counted: number }> {
    const [row] = await this.sql.query<{ held: number; counted: number }>(
      'SELECT count(*)::int AS held, (count(*) FILTER (WHERE active))::int AS counted FROM agg_reports WHERE programme = $1',
      [programme],
    );
    return row!;
  }

  /** The sums across a programme's counted reports under the filters (small cells not yet suppressed). */
  async outcomes(programme: string, filters: OutcomeFilters, topIdeas: number): Promise<RawOutcomes> {
    // The sums from agg_cells, added up by the database: one range of the primary key (the
    // language, or '*'), read twice: every metric in all, and dialogues and participants by month
    // and country.
    const params = [programme, filters.language ?? '*', filters.country ?? null, filters.month ?? null];
    const where = 'programme = $1 AND lang = $2 AND ($3::text IS NULL OR country = $3) AND ($4::text IS NULL OR month = $4)';
    const totals = await this.sql.query<{ metric: string; key: string; value: number }>(
      `SELECT metric, key, sum(value)::float8 AS value FROM agg_cells WHERE ${where} AND metric NOT IN ('dialogues', 'participants') GROUP BY metric, key`,
      params,
    );
    const grid = await this.sql.query<{ month: string; country: string; metric: string; value: number }>(
      `SELECT month, country, metric, sum(value)::float8 AS value FROM agg_cells WHERE ${where} AND metric IN ('dialogues', 'participants') GROUP BY month, country, metric`,
      params,
    );
    const cells = [...totals.map((t) => ({ ...t, month: '', country: '' })), ...grid.map((g) => ({ ...g, key: '' }))];
    // Ideas are ranked, not summed: read through the reports that count, under the same filters, in
    // the order of an index (the first 20 found are the answer).
    const ideas = await this.sql.query<{ lang: string; text: unknown; machine: unknown; agree: number; pass: number; disagree: number; consensus: boolean }>(
      `SELECT i.lang, i.text, i.machine, i.agree, i.pass, i.disagree, i.consensus
       FROM agg_ideas i JOIN agg_reports r ON r.programme = i.programme AND r.report_id = i.report_id
       WHERE i.programme = $1 AND r.active AND ($2::text IS NULL OR r.country = $2) AND ($4::text IS NULL OR r.month = $4)
         AND ($3::text IS NULL OR EXISTS (SELECT 1 FROM agg_languages fl WHERE fl.programme = r.programme AND fl.report_id = r.report_id AND fl.lang = $3))
       ORDER BY i.agree DESC, i.disagree, i.report_id, i.idea_id LIMIT $5`,
      [programme, filters.country ?? null, filters.language ?? null, filters.month ?? null, topIdeas],
    );
    const labels = await this.sql.query<{ template: string; poll_id: string; option_id: string; type: string; label: unknown }>(
      'SELECT template, poll_id, option_id, type, label FROM agg_poll_labels WHERE programme = $1',
      [programme],
    );
    const [choice] = await this.sql.query<{ months: string[] | null; countries: string[] | null; languages: string[] | null }>(
      `SELECT array_agg(DISTINCT month) AS months, array_agg(DISTINCT country) FILTER (WHERE country <> '' AND metric = 'dialogues') AS countries,
              array_agg(DISTINCT key) FILTER (WHERE metric = 'lang-dialogues') AS languages
       FROM agg_cells WHERE programme = $1 AND lang = '*' AND metric IN ('dialogues', 'lang-dialogues') AND value > 0`,
      [programme],
    );
    const add = (map: Map<string, number>, key: string, n: number) => map.set(key, (map.get(key) ?? 0) + n);
    const byMonth = new Map<string, { dialogues: number; participants: number }>();
    const byCountry = new Map<string, { dialogues: number; participants: number }>();
    const langParticipants = new Map<string, number>();
    const langDialogues = new Map<string, number>();
    const pollDialogues = new Map<string, number>();
    const pollVoters = new Map<string, number>();
    const optionCounts = new Map<string, number>();
    const demographics = new Map<string, number>();
    for (const c of cells) {
      const n = Number(c.value);
      if (c.metric === 'dialogues' || c.metric === 'participants') {
        const field = c.metric;
        for (const [map, key] of [[byMonth, c.month], [byCountry, c.country]] as const) {
          const cell = map.get(key) ?? { dialogues: 0, participants: 0 };
          cell[field] += n;
          map.set(key, cell);
        }
      } else if (c.metric === 'lang') add(langParticipants, c.key, n);
      else if (c.metric === 'lang-dialogues') add(langDialogues, c.key, n);
      else if (c.metric === 'poll-dialogues') add(pollDialogues, c.key, n);
      else if (c.metric === 'poll-voters') add(pollVoters, c.key, n);
      else if (c.metric === 'poll') add(optionCounts, c.key, n);
      else if (c.metric === 'demographics') add(demographics, c.key, n);
    }
    const json = (v: unknown) => (typeof v == 'string' ? JSON.parse(v) : v) as Record<string, string>;
    const label = new Map(labels.map((l) => [`${l.template}\u0000${l.poll_id}\u0000${l.option_id}`, l]));
    const sum = (map: Map<string, { dialogues: number; participants: number }>) =>
      [...map].map(([key, v]) => ({ key, ...v })).filter((c) => c.dialogues > 0);
    const byLanguage = [...langDialogues].filter(([, d]) => d > 0).map(([key, dialogues]) => ({ key, dialogues, participants: langParticipants.get(key) ?? 0 }));
    const months = sum(byMonth).sort((a, b) => a.key.localeCompare(b.key));
    const countries = sum(byCountry).sort((a, b) => b.participants - a.participants || a.key.localeCompare(b.key));
    return {
      totals: {
        dialogues: months.reduce((n, c) => n + c.dialogues, 0),
        participants: months.reduce((n, c) => n + c.participants, 0),
        countries: countries.filter((c) => c.key).length,
        languages: byLanguage.length,
      },
      byMonth: months,
      byCountry: countries,
      byLanguage: byLanguage.sort((a, b) => b.participants - a.participants || a.key.localeCompare(b.key)),
      polls: [...pollDialogues]
        .filter(([, d]) => d > 0)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([key, dialogues]) => {
          const [template, pollId] = key.split('/') as [string, string];
          const question = label.get(`${template}\u0000${pollId}\u0000`);
          return {
            template,
            pollId,
            type: question?.type ?? 'single',
            question: question ? json(question.label) : {},
            dialogues,
            voters: pollVoters.get(key) ?? 0,
            options: [...optionCounts]
              .filter(([k]) => k.startsWith(`${key}/`))
              .map(([k, count]) => {
                const id = k.slice(key.length + 1);
                const l = label.get(`${template}\u0000${pollId}\u0000${id}`);
                return { id, label: l ? json(l.label) : null, count };
              })
              .sort((a, b) => b.count - a.count || a.id.localeCompare(b.id)),
          };
        }),
      ideas: ideas.map((i) => ({ lang: i.lang, text: json(i.text), machine: json(i.machine) as unknown as string[], agree: i.agree, pass: i.pass, disagree: i.disagree, consensus: i.consensus })),
      demographics: [...demographics]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([k, count]) => {
          const slash = k.indexOf('/');
          return { dimension: k.slice(0, slash), key: k.slice(slash + 1), count };
        }),
      choices: {
        countries: [...(choice?.countries ?? [])].sort(),
        languages: [...(choice?.languages ?? [])].sort(),
        months: [...(choice?.months ?? [])].sort(),
      },
    };
  }

  /** Keeps a report to send to the aggregator (once per reportId: the same again is a no-op). */
  async queueReport(reportId: string, report: string, now: number): Promise<void> {
    await this.sql.query('INSERT INTO report_outbox (report_id, report, next_attempt_at) VALUES ($1, $2, $3) ON CONFLICT (report_id) DO NOTHING', [reportId, report, now]);
  }

  /** Reports due to be sent at `now`, oldest first. */
  async dueReports(now: number, limit: number): Promise<OutboxEntry[]> {
    const rows = await this.sql.query<{ report_id: string; report: string; attempts: number; next_attempt_at: number }>(
      `SELECT report_id, report, attempts, next_attempt_at::float8 AS next_attempt_at FROM report_outbox
       WHERE state = 'pending' AND next_attempt_at <= $1 ORDER BY next_attempt_at, report_id LIMIT $2`,
      [now, limit],
    );
    return rows.map((r) => ({ reportId: r.report_id, report: r.report, attempts: r.attempts, nextAttemptAt: Number(r.next_attempt_at) }));
  }

  /** When the next pending report is due (ms), or null when none is pending. */
  async nextReportDue(): Promise<number | null> {
    const [row] = await this.sql.query<{ due: number | null }>("SELECT min(next_attempt_at)::float8 AS due FROM report_outbox WHERE state = 'pending'");
    return row?.due == null ? null : Number(row.due);
  }

  /** Records an attempt: sent (with the receipt), refused for good, or to try again at `retryAt`. */
  async reportAttempt(reportId: string, outcome: { state: 'sent'; receipt: unknown } | { state: 'refused'; error: string } | { state: 'pending'; error: string; retryAt: number }): Promise<void> {
    await this.sql.query(
      `UPDATE report_outbox SET state = $2, attempts = attempts + 1, receipt = $3::jsonb, last_error = $4, next_attempt_at = coalesce($5, next_attempt_at), updated_at = now()
       WHERE report_id = $1`,
      [
        reportId,
        outcome.state,
        outcome.state === 'sent' ? JSON.stringify(outcome.receipt) : null,
        outcome.state === 'sent' ? null : outcome.error,
        outcome.state === 'pending' ? outcome.retryAt : null,
      ],
    );
  }

  /** The outbox's reports by state (for logs and tests). */
  async outbox(): Promise<Array<{ reportId: string; state: string; attempts: number; lastError: string | null; receipt: unknown }>> {
    const rows = await this.sql.query<{ report_id: string; state: string; attempts: number; last_error: string | null; receipt: unknown }>(
      'SELECT report_id, state, attempts, last_error, receipt FROM report_outbox ORDER BY created_at, report_id',
    );
    return rows.map((r) => ({ reportId: r.report_id, state: r.state, attempts: r.attempts, lastError: r.last_error, receipt: typeof r.receipt == 'string' ? JSON.parse(r.receipt) : r.receipt }));
  }

  close(): Promise<void> {
    return this.sql.close();
  }
}

interface IdeaRow {
  id: string;
  lang: string;
  text: unknown;
  machine: unknown;
  source: string;
  poll_id: string | null;
  hidden: boolean;
  merged_into: string | null;
  created: number;
  version: number;
}

interface VoteRow {
  idea_id: string;
  lang: string;
  vote: number;
  n: number;
}

const IDEA_COLUMNS = 'id, lang, text, machine, source, poll_id, hidden, merged_into, created::float8 AS created, version';

/** jsonb comes back parsed from node-postgres and PGlite; as text from anything older. */
const json = (value: unknown): unknown => (typeof value == 'string' ? JSON.parse(value) : value);

/** An idea row and its votes counted by language and vote, validated as a browser would. */
function ideaFromRow(row: IdeaRow, votes: VoteRow[]): StoredIdea {
  const byLanguage: VotesByLanguage = new Map();
  const total = { agree: 0, pass: 0, disagree: 0 };
  for (const v of votes) {
    const group = languageGroup(v.lang);
    let mine = byLanguage.get(group);
    if (!mine) byLanguage.set(group, (mine = { agree: 0, pass: 0, disagree: 0 }));
    const key = v.vote > 0 ? 'agree' : v.vote < 0 ? 'disagree' : 'pass';
    mine[key] += Number(v.n);
    total[key] += Number(v.n);
  }
  const idea = parseIdea({
    id: row.id,
    lang: row.lang,
    text: json(row.text),
    machine: json(row.machine),
    ...total,
    consensus: consensusOf(byLanguage),
    ...(row.hidden ? { hidden: true } : {}),
    ...(row.merged_into !== null ? { mergedInto: row.merged_into } : {}),
    source: row.source,
    ...(row.poll_id !== null ? { pollId: row.poll_id } : {}),
    created: Number(row.created),
  });
  return { idea, hidden: row.hidden, version: row.version };
}

interface DialogueRow {
  id: string;
  room: string;
  started_at: number;
  ended_at: number | null;
  last_join: number;
  title: string | null;
  peak: number;
}

const DIALOGUE_COLUMNS = 'id, room, started_at::float8 AS started_at, ended_at::float8 AS ended_at, last_join::float8 AS last_join, title, peak';

function dialogueFromRow(row: DialogueRow): StoredDialogue {
  return {
    id: row.id,
    room: row.room,
    startedAt: Number(row.started_at),
    endedAt: row.ended_at === null ? null : Number(row.ended_at),
    lastJoin: Number(row.last_join),
    title: row.title,
    peak: Number(row.peak),
  };
}


class IngestConflict extends Error {}

/** Adds (sign 1) or takes away (sign -1) a report's contributions to the sums, in one statement. */
async function addCells(tx: Pick<Sql, 'query'>, programme: string, cells: Cell[], sign: 1 | -1): Promise<void> {
  if (!cells.length) return;
  // Always in the same order, so two transactions adding to the same cells wait for each other
  // instead of deadlocking.
  const sorted = [...cells].sort((a, b) => cellKey(a).localeCompare(cellKey(b)));
  await tx.query(
    `INSERT INTO agg_cells (programme, month, country, lang, metric, key, value)
     SELECT $1, x.month, x.country, x.lang, x.metric, x.key, x.value * $3 FROM jsonb_to_recordset($2::jsonb) AS x(month text, country text, lang text, metric text, key text, value bigint)
     ON CONFLICT (programme, lang, month, country, metric, key) DO UPDATE SET value = agg_cells.value + excluded.value`,
    [programme, JSON.stringify(sorted), sign],
  );
}

const cellKey = (c: Cell) => `${c.lang}\u0000${c.month}\u0000${c.country}\u0000${c.metric}\u0000${c.key}`;

/** ON CONFLICT cannot meet the same key twice in one statement: one label per poll option. */
function dedupeLabels(labels: ReportRecord['pollLabels']): ReportRecord['pollLabels'] {
  const seen = new Set<string>();
  return labels.filter((l) => {
    const key = `${l.template}\u0000${l.pollId}\u0000${l.optionId}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

interface ReceiptRow {
  receipt_id: string;
  report_id: string;
  programme: string;
  partner: string;
  received_at: number;
  sha256: string;
  supersedes: string | null;
  active: boolean;
}

const RECEIPT_COLUMNS = "receipt_id, report_id, programme, partner, (extract(epoch FROM received_at) * 1000)::float8 AS received_at, sha256, supersedes, active";

function receiptFromRow(row: ReceiptRow): StoredReceipt {
  return {
    receiptId: row.receipt_id,
    reportId: row.report_id,
    programme: row.programme,
    partner: row.partner,
    receivedAt: Math.round(Number(row.received_at)),
    sha256: row.sha256,
    supersedes: row.supersedes,
    active: row.active,
  };
}

interface PollRow {
  poll: unknown;
  state: string;
  version: number;
  created: number;
}

const POLL_COLUMNS = 'poll, state, version, created::float8 AS created';

function pollFromRow(row: PollRow): StoredPoll {
  const poll = parsePoll(typeof row.poll == 'string' ? JSON.parse(row.poll) : row.poll);
  if (!POLL_STATES.includes(row.state as PollState)) throw new Error(`poll "${poll.id}" has no valid state`);
  return { poll, state: row.state as PollState, version: row.version, created: Number(row.created) };
}

interface AgendaRow {
  items: unknown;
  current: number;
  started_at: number;
  version: number;
}

// bigint comes back as a string from node-postgres and as a BigInt from PGlite: read it as float8,
// exact for any timestamp in milliseconds.
const AGENDA_COLUMNS = 'items, current, started_at::float8 AS started_at, version';
/** The same columns read back from a CTE that returned AGENDA_COLUMNS. */
const AGENDA_OUT = 'items, current, started_at, version';

function fromRow(row: AgendaRow): StoredAgenda {
  // What is in the database was validated on the way in; checked again, as the schema may be older.
  const items = parseAgendaItems(row.items);
  return { items, current: Math.min(row.current, Math.max(0, items.length - 1)), startedAt: Number(row.started_at), version: row.version };
}

async function migrate(sql: Sql): Promise<void> {
  await sql.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await tx.query(`CREATE TABLE IF NOT EXISTS un75_migrations (
      version integer PRIMARY KEY,
      name text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`);
    const done = new Set((await tx.query<{ version: number }>('SELECT version FROM un75_migrations')).map((r) => r.version));
    const newest = Math.max(0, ...done);
    if (newest > MIGRATIONS.at(-1)!.version) {
      throw new Error(`the database has schema version ${newest}, newer than this un75-signal knows (${MIGRATIONS.at(-1)!.version}): upgrade un75-signal`);
    }
    for (const m of MIGRATIONS) {
      if (done.has(m.version)) continue;
      for (const statement of typeof m.sql == 'string' ? [m.sql] : m.sql) await tx.query(statement);
      await tx.query('INSERT INTO un75_migrations (version, name) VALUES ($1, $2)', [m.version, m.name]);
    }
  });
}

async function openPglite(dataDir?: string): Promise<Sql> {
  const { PGlite } = await import('@electric-sql/pglite');
  const db = await PGlite.create(dataDir);
  return {
    async query<R>(text: string, params?: unknown[]) {
      return (await db.query<R>(text, params)).rows;
    },
    transaction: (fn) => db.transaction((tx) => fn({ query: async <R>(text: string, params?: unknown[]) => (await tx.query<R>(text, params)).rows })),
    close: () => db.close(),
  };
}

async function openPostgres(url: string): Promise<Sql> {
  const { default: pg } = await import('pg');
  const pool = new pg.Pool({ connectionString: url, max: 4 });
  // An idle client that loses its server must not crash the process: the next query reconnects.
  pool.on('error', () => {});
  // Fails here, at start, when the server cannot be reached or refuses us.
  (await pool.connect()).release();
  return {
    async query<R>(text: string, params?: unknown[]) {
      return (await pool.query(text, params)).rows as R[];
    },
    async transaction(fn) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const result = await fn({ query: async <R>(text: string, params?: unknown[]) => (await client.query(text, params)).rows as R[] });
        await client.query('COMMIT');
        return result;
      } catch (err) {
        await client.query('ROLLBACK').catch(() => {});
        throw err;
      } finally {
        client.release();
      }
    },
    close: () => pool.end(),
  };
}

function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'postgres://…';
  }
}
