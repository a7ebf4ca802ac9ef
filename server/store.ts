import { randomBytes } from 'node:crypto';
import { parseAgendaItems, type AgendaItem, type AgendaState } from '../src/protocol/agenda.js';
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
    const rows = await this.sql.query<AgendaRow>(
      `INSERT INTO agendas (room, items, current, started_at) VALUES ($1, $2::jsonb, 0, $3)
       ON CONFLICT (room) DO UPDATE SET items = excluded.items, current = 0, started_at = excluded.started_at,
         version = agendas.version + 1, updated_at = now()
       RETURNING ${AGENDA_COLUMNS}`,
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
      `UPDATE agendas SET current = current + 1, started_at = $2, version = version + 1, updated_at = now()
       WHERE room = $1 AND current + 1 < jsonb_array_length(items)
       RETURNING ${AGENDA_COLUMNS}`,
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
   * Keeps a ballot under its pseudonym, replacing the voter's earlier one, in one statement that
   * stores nothing unless the poll is open at that moment. False when it was not open.
   */
  async castBallot(room: string, pollId: string, voter: string, answer: PollAnswer, lang: string): Promise<boolean> {
    const rows = await this.sql.query<{ voter: string }>(
      `INSERT INTO poll_ballots (room, poll_id, voter, answer, lang)
       SELECT $1, $2, $3, $4::jsonb, $5 WHERE EXISTS (SELECT 1 FROM polls WHERE room = $1 AND id = $2 AND state = 'open')
       ON CONFLICT (room, poll_id, voter) DO UPDATE SET answer = excluded.answer, lang = excluded.lang, cast_at = now()
       RETURNING voter`,
      [room, pollId, voter, JSON.stringify(answer), lang],
    );
    return rows.length === 1;
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
