import { createHash, randomUUID, timingSafeEqual, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { fileURLToPath } from 'node:url';
import type { ErrorObject, ValidateFunction } from 'ajv/dist/2020.js';
import { parseJws, publicKeyFrom, verifyJws } from './jws.js';
import { TokenBucket } from './rate-limit.js';
import type { OutcomeFilters, RawOutcomes, ReportRecord, Store, StoredReceipt } from './store.js';

/*
 * `un75-signal --aggregator` (design §8, docs/outcomes.md "Aggregation"): takes the dialogue
 * reports partners' servers sign and send, keeps them with the sums the dashboard reads, and
 * answers `<un75-outcomes>` with those sums, every cell under SMALL_CELL people suppressed.
 *
 *   POST /v1/programmes/{programme}/reports        body: a compact JWS (EdDSA, kid = partner id)
 *   GET  /v1/programmes/{programme}/outcomes[.csv]  ?country=FR&language=fr&month=2026-03
 *   GET  /v1/programmes/{programme}/stats           reports taken, duplicates, refusals by reason
 */

/** Cells counting fewer people than this are never shown: "<5" instead of the number. */
export const SMALL_CELL = 5;
export const SUPPRESSED = '<5';
/** Largest report body taken (the JWS text). A report of 200 ideas in six languages is ~300 KB. */
export const DEFAULT_MAX_REPORT_BYTES = 1024 * 1024;
const TOP_IDEAS = 20;
/** Filter combinations whose sums are kept per programme (countries × languages × months could be many). */
const MAX_CACHED = 500;

export interface ProgrammeConfig {
  /** Bearer token the dashboard sends to read the totals; absent when `public`. */
  readToken?: string;
  /** Totals readable without a token (they hold no cell under 5 either way). */
  public?: boolean;
  /** Origins of the pages that may read the totals from a browser (CORS). */
  origins?: string[];
}

export interface PartnerConfig {
  key: KeyObject;
  programmes: string[];
}

export interface AggregatorConfig {
  programmes: Record<string, ProgrammeConfig>;
  partners: Record<string, PartnerConfig>;
  /** Reports per partner: a burst, then so many per second. Default 120, then 2 a second. */
  rate: { burst: number; perSecond: number };
  maxReportBytes: number;
  /**
   * How long an answer to the dashboard is reused for the same programme and filters (ms). A report
   * this process takes clears its programme's answers at once; one taken by another process on the
   * same database shows within this time. 0: never reused. Default 30,000.
   */
  cacheMs: number;
}

const SLUG = /^[a-z0-9][a-z0-9-]{0,63}$/;
const PARTNER_ID = /^[A-Za-z0-9._-]{1,64}$/;

/**
 * The partners file (`--partners FILE`), checked whole at start: a mistake stops the server with a
 * sentence saying where, rather than refusing a partner's reports later.
 */
export function parseAggregatorConfig(text: string, where = 'the partners file'): AggregatorConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new Error(`${where} is not JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
  const obj = (v: unknown, what: string): Record<string, unknown> => {
    if (!v || typeof v !== 'object' || Array.isArray(v)) throw new Error(`${where}: ${what} must be an object`);
    return v as Record<string, unknown>;
  };
  const top = obj(raw, 'the file');
  const programmes: Record<string, ProgrammeConfig> = {};
  for (const [name, value] of Object.entries(obj(top.programmes, '"programmes"'))) {
    if (!SLUG.test(name)) throw new Error(`${where}: programme "${name}" must be a slug (a-z, 0-9, -)`);
    const p = obj(value, `programme "${name}"`);
    const config: ProgrammeConfig = {};
    if (p.public !== undefined && typeof p.public !== 'boolean') throw new Error(`${where}: programme "${name}": "public" must be true or false`);
    if (p.public) config.public = true;
    if (p.readToken !== undefined) {
      if (typeof p.readToken !== 'string' || p.readToken.length < 16) throw new Error(`${where}: programme "${name}": "readToken" must be a string of at least 16 characters`);
      config.readToken = p.readToken;
    }
    if (!config.public && !config.readToken) throw new Error(`${where}: programme "${name}" needs a "readToken" or "public": true`);
    if (p.origins !== undefined) {
      if (!Array.isArray(p.origins) || !p.origins.every((o) => typeof o === 'string' && URL.canParse(o))) {
        throw new Error(`${where}: programme "${name}": "origins" must be a list of URLs such as https://partner.example`);
      }
      config.origins = (p.origins as string[]).map((o) => new URL(o).origin);
    }
    programmes[name] = config;
  }
  const partners: Record<string, PartnerConfig> = {};
  for (const [id, value] of Object.entries(obj(top.partners, '"partners"'))) {
    if (!PARTNER_ID.test(id)) throw new Error(`${where}: partner id "${id}" must be 1-64 of A-Z a-z 0-9 . _ -`);
    const p = obj(value, `partner "${id}"`);
    const key = publicKeyFrom(p.key);
    if (typeof key === 'string') throw new Error(`${where}: partner "${id}": ${key}`);
    if (!Array.isArray(p.programmes) || !p.programmes.every((x) => typeof x === 'string' && programmes[x])) {
      throw new Error(`${where}: partner "${id}": "programmes" must list programmes of "programmes"`);
    }
    partners[id] = { key, programmes: p.programmes as string[] };
  }
  const rate = top.rate === undefined ? {} : obj(top.rate, '"rate"');
  const positive = (v: unknown, fallback: number, what: string) => {
    if (v === undefined) return fallback;
    if (typeof v !== 'number' || !(v > 0)) throw new Error(`${where}: ${what} must be a positive number`);
    return v;
  };
  return {
    programmes,
    partners,
    rate: { burst: positive(rate.burst, 120, '"rate.burst"'), perSecond: positive(rate.perSecond, 2, '"rate.perSecond"') },
    maxReportBytes: Math.floor(positive(top.maxReportBytes, DEFAULT_MAX_REPORT_BYTES, '"maxReportBytes"')),
    cacheMs: top.cacheSeconds === 0 ? 0 : Math.round(positive(top.cacheSeconds, 30, '"cacheSeconds"') * 1000),
  };
}

/** The report schema shipped with the package: beside the compiled server, or at the repository's root. */
function loadSchema(): object {
  const candidates = ['../schema/dialogue-report-1.schema.json', '../../../schema/dialogue-report-1.schema.json'];
  for (const candidate of candidates) {
    try {
      return JSON.parse(readFileSync(fileURLToPath(new URL(candidate, import.meta.url)), 'utf8')) as object;
    } catch {
      // the next place
    }
  }
  throw new Error('un75-signal: cannot find schema/dialogue-report-1.schema.json');
}

let validator: Promise<ValidateFunction> | null = null;
/**
 * The compiled JSON Schema validator of `un75:dialogue-report/1` (ajv, draft 2020-12, formats),
 * loaded on first use: a server that neither aggregates nor submits never loads ajv.
 */
export function reportValidator(): Promise<ValidateFunction> {
  validator ??= (async () => {
    const [{ Ajv2020 }, formats] = await Promise.all([import('ajv/dist/2020.js'), import('ajv-formats')]);
    const ajv = new Ajv2020({ allErrors: true, strict: true, strictRequired: false });
    // ajv-formats is typed against its own copy of ajv's classes.
    (formats.default as unknown as (a: unknown) => void)(ajv);
    return ajv.compile(loadSchema());
  })();
  return validator;
}

/** The dialogue report as the schema fixes it (only what the aggregator reads). */
export interface DialogueReport {
  schema: 'un75:dialogue-report/1';
  reportId: string;
  supersedes?: string;
  generatedAt: string;
  final: boolean;
  dialogue: { title: string; programme?: string; country?: string; startedAt: string; endedAt?: string; durationMinutes: number; languages: string[]; interpretation: { used: boolean; channels: string[] } };
  participants: { total: number; peak: number; byLanguage: Record<string, number> };
  demographics?: { respondents: number; ageBand?: Record<string, number>; gender?: Record<string, number>; country?: Record<string, number> };
  agenda: unknown[];
  polls: Array<{ id: string; template?: string; type: string; question: Record<string, string>; options?: Array<{ id: string; label: Record<string, string> }>; state: string; voters: number; counts: Record<string, number> }>;
  ideas: Array<{ id: string; lang: string; text: Record<string, string>; machine?: string[]; agree: number; pass: number; disagree: number; hidden?: boolean; mergedInto?: string; consensus?: boolean }>;
}

const primary = (lang: string) => lang.split('-')[0]!.toLowerCase();

/** The rows the dashboard sums, taken from a valid report. */
export function summarize(report: DialogueReport, meta: Pick<ReportRecord, 'programme' | 'partner' | 'receiptId' | 'sha256' | 'receivedAt' | 'report'>): ReportRecord {
  const languages = new Map<string, number>();
  for (const lang of report.dialogue.languages) languages.set(primary(lang), languages.get(primary(lang)) ?? 0);
  for (const [lang, n] of Object.entries(report.participants.byLanguage)) {
    if (!/^[A-Za-z]{2,3}(-|$)/.test(lang)) continue; // "unstated" and the like: no language
    languages.set(primary(lang), (languages.get(primary(lang)) ?? 0) + n);
  }
  // Only polls from a template add up across dialogues: another dialogue's "p1" is another question.
  const templated = report.polls.filter((p) => p.template);
  const demographics: ReportRecord['demographics'] = [];
  for (const dimension of ['ageBand', 'gender', 'country'] as const) {
    for (const [key, count] of Object.entries(report.demographics?.[dimension] ?? {})) demographics.push({ dimension, key, count });
  }
  // What the report adds to the sums, under every language spoken in it and under '*' (all).
  // Keys join ids with '/', which no poll, option or template id holds.
  const month = new Date(report.dialogue.startedAt).toISOString().slice(0, 7);
  const country = report.dialogue.country ?? '';
  const contributions: Array<{ metric: string; key: string; value: number }> = [
    { metric: 'dialogues', key: '', value: 1 },
    { metric: 'participants', key: '', value: report.participants.total },
  ];
  for (const [lang, n] of languages) contributions.push({ metric: 'lang', key: lang, value: n }, { metric: 'lang-dialogues', key: lang, value: 1 });
  for (const p of templated) {
    const key = `${p.template}/${p.id}`;
    contributions.push({ metric: 'poll-dialogues', key, value: 1 }, { metric: 'poll-voters', key, value: p.voters });
    for (const [option, count] of Object.entries(p.counts)) contributions.push({ metric: 'poll', key: `${key}/${option}`, value: count });
  }
  for (const d of demographics) contributions.push({ metric: 'demographics', key: `${d.dimension}/${d.key}`, value: d.count });
  const cells = ['*', ...languages.keys()].flatMap((lang) => contributions.map((c) => ({ month, country, lang, ...c })));
  return {
    ...meta,
    reportId: report.reportId,
    startedAt: report.dialogue.startedAt,
    month,
    country: report.dialogue.country ?? null,
    participants: report.participants.total,
    supersedes: report.supersedes ?? null,
    languages: [...languages].map(([lang, participants]) => ({ lang, participants })),
    polls: templated.map((p) => ({ template: p.template!, pollId: p.id, voters: p.voters })),
    pollCounts: templated.flatMap((p) => Object.entries(p.counts).map(([optionId, count]) => ({ template: p.template!, pollId: p.id, optionId, count }))),
    pollLabels: templated.flatMap((p) => [
      { template: p.template!, pollId: p.id, optionId: '', type: p.type, label: p.question },
      ...(p.options ?? []).map((o) => ({ template: p.template!, pollId: p.id, optionId: o.id, type: p.type, label: o.label })),
    ]),
    ideas: report.ideas
      .filter((i) => !i.hidden && !i.mergedInto)
      .map((i) => ({ ideaId: i.id, lang: i.lang, text: i.text, machine: i.machine ?? [], agree: i.agree, pass: i.pass, disagree: i.disagree, consensus: i.consensus ?? false })),
    demographics,
    cells,
  };
}

/** A count of people as shown publicly: the number from SMALL_CELL up, "<5" below. */
export type Cell = number | typeof SUPPRESSED;
const cell = (n: number): Cell => (n < SMALL_CELL ? SUPPRESSED : n);

/** What GET …/outcomes answers (docs/outcomes.md, "Aggregation"). */
export interface Outcomes {
  schema: 'un75:outcomes/1';
  programme: string;
  generatedAt: string;
  filters: OutcomeFilters;
  /** Counts of people under this are "<5". */
  suppressedBelow: number;
  totals: { dialogues: number; participants: Cell; countries: number; languages: number };
  byMonth: Array<{ month: string; dialogues: number; participants: Cell }>;
  byCountry: Array<{ country: string; dialogues: number; participants: Cell }>;
  byLanguage: Array<{ language: string; dialogues: number; participants: Cell }>;
  polls: Array<{ template: string; id: string; type: string; question: Record<string, string>; dialogues: number; voters: Cell; options: Array<{ id: string; label: Record<string, string> | null; count: Cell }> }>;
  ideas: Array<{ lang: string; text: Record<string, string>; machine: string[]; agree: Cell; pass: Cell; disagree: Cell; consensus: boolean }>;
  demographics: Record<string, Record<string, Cell>>;
  choices: RawOutcomes['choices'];
}

export function suppress(programme: string, filters: OutcomeFilters, raw: RawOutcomes, now = new Date()): Outcomes {
  const demographics: Record<string, Record<string, Cell>> = {};
  for (const d of raw.demographics) (demographics[d.dimension] ??= {})[d.key] = cell(d.count);
  return {
    schema: 'un75:outcomes/1',
    programme,
    generatedAt: now.toISOString(),
    filters,
    suppressedBelow: SMALL_CELL,
    totals: { ...raw.totals, participants: cell(raw.totals.participants) },
    byMonth: raw.byMonth.map((c) => ({ month: c.key, dialogues: c.dialogues, participants: cell(c.participants) })),
    byCountry: raw.byCountry.filter((c) => c.key).map((c) => ({ country: c.key, dialogues: c.dialogues, participants: cell(c.participants) })),
    byLanguage: raw.byLanguage.map((c) => ({ language: c.key, dialogues: c.dialogues, participants: cell(c.participants) })),
    polls: raw.polls.map((p) => ({ template: p.template, id: p.pollId, type: p.type, question: p.question, dialogues: p.dialogues, voters: cell(p.voters), options: p.options.map((o) => ({ id: o.id, label: o.label, count: cell(o.count) })) })),
    ideas: raw.ideas.map((i) => ({ lang: i.lang, text: i.text, machine: i.machine, agree: cell(i.agree), pass: cell(i.pass), disagree: cell(i.disagree), consensus: i.consensus })),
    demographics,
    choices: raw.choices,
  };
}

/** A CSV cell: quoted when it must be, and never read as a formula by a spreadsheet. */
function csvCell(value: string | number | null | undefined): string {
  let s = value === null || value === undefined ? '' : String(value);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** One table for every part of the totals: section, key, item, dialogues, count (people, votes or points). */
export function outcomesCsv(o: Outcomes): string {
  const rows: Array<Array<string | number | null>> = [['section', 'key', 'item', 'dialogues', 'count']];
  rows.push(['total', 'participants', '', o.totals.dialogues, o.totals.participants]);
  rows.push(['total', 'countries', '', '', o.totals.countries], ['total', 'languages', '', '', o.totals.languages]);
  for (const c of o.byMonth) rows.push(['month', c.month, '', c.dialogues, c.participants]);
  for (const c of o.byCountry) rows.push(['country', c.country, '', c.dialogues, c.participants]);
  for (const c of o.byLanguage) rows.push(['language', c.language, '', c.dialogues, c.participants]);
  for (const p of o.polls) {
    rows.push(['poll-voters', `${p.template}/${p.id}`, '', p.dialogues, p.voters]);
    for (const option of p.options) rows.push(['poll', `${p.template}/${p.id}`, option.id, p.dialogues, option.count]);
  }
  for (const [dimension, counts] of Object.entries(o.demographics)) for (const [key, n] of Object.entries(counts)) rows.push(['demographics', dimension, key, '', n]);
  for (const i of o.ideas) rows.push(['idea-agree', i.lang, i.text[i.lang] ?? Object.values(i.text)[0] ?? '', '', i.agree]);
  return rows.map((r) => r.map(csvCell).join(',')).join('\r\n') + '\r\n';
}

export type RefusalCode =
  | 'bad-request'
  | 'unknown-partner'
  | 'forbidden-programme'
  | 'bad-signature'
  | 'invalid-report'
  | 'too-large'
  | 'rate-limited'
  | 'conflict'
  | 'unavailable';

export interface AggregatorStats {
  accepted: number;
  duplicates: number;
  refused: Partial<Record<RefusalCode, number>>;
}

class Refusal extends Error {
  constructor(
    readonly status: number,
    readonly code: RefusalCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

const PATH = /^\/v1\/programmes\/([^/]+)\/(reports|outcomes|outcomes\.csv|stats)$/;

export class Aggregator {
  private readonly buckets = new Map<string, TokenBucket>();
  private readonly counters = new Map<string, AggregatorStats>();
  /** Sums already computed, per programme then filters, with when; at most MAX_CACHED per programme. */
  private readonly cache = new Map<string, Map<string, { at: number; raw: Promise<RawOutcomes> }>>();

  constructor(
    private readonly config: AggregatorConfig,
    private readonly store: () => Promise<Store>,
    private readonly log: (line: string) => void,
  ) {}

  /** Compiles the schema at start: a broken schema stops the server, not the first report. */
  async start(): Promise<void> {
    await reportValidator();
  }

  /** Whether the request is the aggregator's (then it answers it). */
  handle(req: IncomingMessage, res: ServerResponse): boolean {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const match = PATH.exec(url.pathname);
    if (!match) return false;
    const programme = decodeURIComponent(match[1]!);
    const what = match[2]!;
    res.setHeader('x-content-type-options', 'nosniff');
    res.setHeader('cache-control', 'no-store');
    void this.route(req, res, programme, what, url).catch((err: unknown) => {
      if (err instanceof Refusal) return this.refuse(res, programme, err);
      this.log(`un75-signal: aggregator: ${req.method} ${url.pathname} failed: ${err instanceof Error ? err.message : String(err)}`);
      this.refuse(res, programme, new Refusal(503, 'unavailable', 'the aggregator could not do this now; try again later'));
    });
    return true;
  }

  stats(programme: string): AggregatorStats {
    const s = this.counters.get(programme) ?? { accepted: 0, duplicates: 0, refused: {} };
    return { accepted: s.accepted, duplicates: s.duplicates, refused: { ...s.refused } };
  }

  private counter(programme: string): AggregatorStats {
    // Only configured programmes get counters of their own: a path is anyone's to invent.
    const key = this.config.programmes[programme] ? programme : '(unknown)';
    let s = this.counters.get(key);
    if (!s) this.counters.set(key, (s = { accepted: 0, duplicates: 0, refused: {} }));
    return s;
  }

  private async route(req: IncomingMessage, res: ServerResponse, programme: string, what: string, url: URL): Promise<void> {
    if (what === 'reports') {
      if (req.method !== 'POST') throw Object.assign(new Refusal(405, 'bad-request', 'reports are sent with POST'), { allow: 'POST' });
      return this.receive(req, res, programme);
    }
    const config = this.config.programmes[programme];
    if (!config) {
      res.writeHead(404, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify({ error: { code: 'not-found', message: `no programme "${programme}" here` } }));
      return;
    }
    this.cors(req, res, config);
    if (req.method === 'OPTIONS') {
      res.writeHead(204, { 'access-control-allow-methods': 'GET', 'access-control-allow-headers': 'authorization', 'access-control-max-age': '600' }).end();
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD, OPTIONS', 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify({ error: { code: 'bad-request', message: 'read with GET' } }));
      return;
    }
    if (!this.authorized(req, config)) {
      res.writeHead(401, { 'content-type': 'application/json; charset=utf-8', 'www-authenticate': 'Bearer' }).end(JSON.stringify({ error: { code: 'unauthorized', message: 'this programme\'s totals need its read token: Authorization: Bearer …' } }));
      return;
    }
    if (what === 'stats') {
      const store = await this.store();
      return json(res, 200, { programme, ...this.stats(programme), reports: await store.reportCount(programme) });
    }
    const filters = parseFilters(url.searchParams);
    if (typeof filters === 'string') {
      res.writeHead(400, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify({ error: { code: 'bad-request', message: filters } }));
      return;
    }
    const outcomes = suppress(programme, filters, await this.sums(programme, filters));
    if (what === 'outcomes.csv') {
      const name = `${programme}-outcomes${filters.country ? `-${filters.country}` : ''}${filters.language ? `-${filters.language}` : ''}${filters.month ? `-${filters.month}` : ''}.csv`;
      res.writeHead(200, { 'content-type': 'text/csv; charset=utf-8', 'content-disposition': `attachment; filename="${name}"` });
      res.end(req.method === 'HEAD' ? undefined : outcomesCsv(outcomes));
      return;
    }
    json(res, 200, outcomes);
  }

  /** The sums under `filters`, computed or reused (see cacheMs). */
  private async sums(programme: string, filters: OutcomeFilters): Promise<RawOutcomes> {
    const key = JSON.stringify([filters.country ?? '', filters.language ?? '', filters.month ?? '']);
    let cached = this.cache.get(programme);
    const hit = cached?.get(key);
    if (hit && Date.now() - hit.at < this.config.cacheMs) return hit.raw;
    const raw = this.store().then((store) => store.outcomes(programme, filters, TOP_IDEAS));
    if (this.config.cacheMs > 0) {
      if (!cached) this.cache.set(programme, (cached = new Map()));
      if (cached.size >= MAX_CACHED) cached.delete(cached.keys().next().value!);
      cached.set(key, { at: Date.now(), raw });
      raw.catch(() => cached!.delete(key));
    }
    return raw;
  }

  private cors(req: IncomingMessage, res: ServerResponse, config: ProgrammeConfig): void {
    res.setHeader('vary', 'Origin');
    const origin = req.headers.origin;
    if (!origin) return;
    if (config.origins?.includes(origin)) res.setHeader('access-control-allow-origin', origin);
    else if (config.public && !config.origins) res.setHeader('access-control-allow-origin', '*');
    res.setHeader('access-control-expose-headers', 'content-disposition');
  }

  private authorized(req: IncomingMessage, config: ProgrammeConfig): boolean {
    if (config.public) return true;
    const m = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
    if (!m || !config.readToken) return false;
    const digest = (s: string) => createHash('sha256').update(s).digest();
    return timingSafeEqual(digest(m[1]!), digest(config.readToken));
  }

  private async receive(req: IncomingMessage, res: ServerResponse, programme: string): Promise<void> {
    const body = await readBody(req, this.config.maxReportBytes);
    const jws = parseJws(body);
    if (typeof jws === 'string') throw new Refusal(400, 'bad-request', jws);
    const partner = this.config.partners[jws.kid];
    if (!partner) throw new Refusal(403, 'unknown-partner', `no partner "${jws.kid}" is configured here`);
    if (!this.config.programmes[programme] || !partner.programmes.includes(programme)) {
      throw new Refusal(403, 'forbidden-programme', `partner "${jws.kid}" may not submit to programme "${programme}"`);
    }
    // The signature before the budget: someone who only knows a partner's id cannot spend it.
    if (!verifyJws(jws, partner.key)) throw new Refusal(401, 'bad-signature', `the signature does not verify with partner "${jws.kid}"'s key`);
    let bucket = this.buckets.get(jws.kid);
    if (!bucket) this.buckets.set(jws.kid, (bucket = new TokenBucket(this.config.rate.burst, this.config.rate.perSecond)));
    if (!bucket.take()) throw new Refusal(429, 'rate-limited', `partner "${jws.kid}" sends reports faster than ${this.config.rate.perSecond} a second: try again later`);
    let report: unknown;
    try {
      report = JSON.parse(jws.payload.toString('utf8'));
    } catch {
      throw new Refusal(422, 'invalid-report', 'the payload is not JSON');
    }
    const validate = await reportValidator();
    if (!validate(report)) throw new Refusal(422, 'invalid-report', 'the report does not follow un75:dialogue-report/1', firstErrors(validate.errors ?? []));
    const r = report as DialogueReport;
    if (r.dialogue.programme && r.dialogue.programme !== programme) {
      throw new Refusal(422, 'invalid-report', `the report counts in programme "${r.dialogue.programme}", not "${programme}"`);
    }
    if (r.supersedes === r.reportId) throw new Refusal(422, 'invalid-report', 'a report cannot supersede itself');
    // The schema cannot say that ids are unique within their array; the sums need them to be.
    for (const [what, ids] of [['poll', r.polls.map((p) => p.id)], ['idea', r.ideas.map((i) => i.id)]] as const) {
      const twice = ids.find((id, i) => ids.indexOf(id) !== i);
      if (twice !== undefined) throw new Refusal(422, 'invalid-report', `two ${what}s have the id "${twice}"`);
    }
    const record = summarize(r, {
      programme,
      partner: jws.kid,
      receiptId: randomUUID(),
      sha256: createHash('sha256').update(jws.payload).digest('hex'),
      receivedAt: Date.now(),
      report: jws.payload.toString('utf8'),
    });
    const store = await this.store();
    const result = await store.ingestReport(record);
    if (result.kind === 'conflict') throw new Refusal(409, 'conflict', result.message);
    const counter = this.counter(programme);
    if (result.kind === 'duplicate') counter.duplicates++;
    else {
      counter.accepted++;
      this.cache.delete(programme);
    }
    json(res, result.kind === 'stored' ? 201 : 200, receipt(result.receipt));
  }

  private refuse(res: ServerResponse, programme: string, refusal: Refusal): void {
    const counter = this.counter(programme);
    counter.refused[refusal.code] = (counter.refused[refusal.code] ?? 0) + 1;
    if (refusal.code !== 'unavailable') this.log(`un75-signal: aggregator refused a report for "${programme}" (${refusal.status} ${refusal.code}): ${refusal.message}`);
    if (res.headersSent) return void res.destroy();
    const headers: Record<string, string> = { 'content-type': 'application/json; charset=utf-8' };
    if (refusal.code === 'rate-limited') headers['retry-after'] = String(Math.ceil(1 / this.config.rate.perSecond));
    const allow = (refusal as Refusal & { allow?: string }).allow;
    if (allow) headers.allow = allow;
    // A body too large is not read to its end: the connection closes after the answer.
    if (refusal.code === 'too-large') headers.connection = 'close';
    res.writeHead(refusal.status, headers).end(JSON.stringify({ error: { code: refusal.code, message: refusal.message, ...(refusal.details ? { details: refusal.details } : {}) } }));
  }
}

/** The receipt a partner keeps: what was taken, when, and the hash of exactly what was signed. */
export function receipt(r: StoredReceipt): Record<string, unknown> {
  return {
    receiptId: r.receiptId,
    reportId: r.reportId,
    programme: r.programme,
    partner: r.partner,
    receivedAt: new Date(r.receivedAt).toISOString(),
    status: 'accepted',
    sha256: r.sha256,
    ...(r.supersedes ? { supersedes: r.supersedes } : {}),
  };
}

function firstErrors(errors: ErrorObject[]): Array<{ path: string; message: string }> {
  return errors.slice(0, 5).map((e) => ({
    path: e.instancePath || '/',
    message: e.keyword === 'additionalProperties' ? `has a field not in the schema: "${(e.params as { additionalProperty: string }).additionalProperty}"` : (e.message ?? e.keyword),
  }));
}

function parseFilters(params: URLSearchParams): OutcomeFilters | string {
  const filters: OutcomeFilters = {};
  const country = params.get('country');
  const language = params.get('language');
  const month = params.get('month');
  if (country) {
    if (!/^[A-Z]{2}$/.test(country)) return '"country" must be an ISO 3166-1 alpha-2 code such as FR';
    filters.country = country;
  }
  if (language) {
    if (!/^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8}){0,3}$/.test(language)) return '"language" must be a language tag such as fr';
    filters.language = primary(language);
  }
  if (month) {
    if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(month)) return '"month" must be YYYY-MM';
    filters.month = month;
  }
  return filters;
}

function readBody(req: IncomingMessage, limit: number): Promise<string> {
  const declared = Number(req.headers['content-length']);
  if (declared > limit) return Promise.reject(new Refusal(413, 'too-large', `a report may be at most ${limit} bytes; this one is ${declared}`));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    req.on('data', (chunk: Buffer) => {
      if (done) return;
      size += chunk.length;
      if (size > limit) {
        done = true;
        req.pause();
        reject(new Refusal(413, 'too-large', `a report may be at most ${limit} bytes`));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (done) return;
      done = true;
      resolve(Buffer.concat(chunks).toString('utf8'));
    });
    req.on('error', (err) => {
      if (done) return;
      done = true;
      reject(err);
    });
  });
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(body));
}
