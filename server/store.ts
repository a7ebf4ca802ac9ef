import { parseAgendaItems, type AgendaItem, type AgendaState } from '../src/protocol/agenda.js';

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
const MIGRATIONS: ReadonlyArray<{ version: number; name: string; sql: string }> = [
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
];

/** A room's agenda with the version the database gave it (every change raises it by one). */
export interface StoredAgenda extends AgendaState {
  version: number;
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

  close(): Promise<void> {
    return this.sql.close();
  }
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
      await tx.query(m.sql);
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
