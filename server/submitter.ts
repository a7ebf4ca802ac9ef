import type { KeyObject } from 'node:crypto';
import { reportValidator } from './aggregator.js';
import { signJws } from './jws.js';
import type { Store } from './store.js';

/*
 * A partner's side of aggregation (`--submit-to URL --report-key FILE`): each final report is kept in
 * the database's outbox first, then signed and sent; 5xx answers, 429 and network errors are tried
 * again with a growing delay (up to maxRetryMs), across restarts, until the aggregator takes the
 * report (2xx) or refuses it for good (another 4xx: logged and kept with its error).
 */

export interface SubmitterOptions {
  /** The programme's reports URL at the aggregator: https://aggregator.example/v1/programmes/un75/reports */
  url: string;
  /** The partner's Ed25519 private key and its id (the JWS `kid`). */
  key: KeyObject;
  kid: string;
  /** First delay before trying again; it doubles with each failure. Default 2,000 ms. */
  retryMs?: number;
  /** Longest delay between two attempts. Default 600,000 ms. */
  maxRetryMs?: number;
  /** How long one POST may take. Default 30,000 ms. */
  timeoutMs?: number;
}

export interface PostResult {
  /** 0: no answer (network error or timeout). */
  status: number;
  body: unknown;
  error?: string;
}

/** Signs a report's JSON and POSTs it once. */
export async function postReport(url: string, reportJson: string, key: KeyObject, kid: string, timeoutMs = 30_000): Promise<PostResult> {
  const jws = signJws(reportJson, key, kid);
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/jose' },
      body: jws,
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await response.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // not JSON: kept as text
    }
    return { status: response.status, body };
  } catch (err) {
    return { status: 0, body: null, error: err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err) };
  }
}

/** Whether an answer is worth trying again later. */
export const retryable = (status: number) => status === 0 || status === 408 || status === 429 || status >= 500;

export class ReportSubmitter {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = true;

  constructor(
    private readonly options: SubmitterOptions,
    private readonly store: () => Promise<Store>,
    private readonly log: (line: string) => void,
  ) {}

  /** Starts sending what the outbox holds (reports kept before a restart included). */
  start(): void {
    this.stopped = false;
    this.kick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running;
  }

  /** Keeps a report to send (checked against the schema first: the aggregator would refuse it anyway). */
  async submit(report: { reportId: string }): Promise<void> {
    const validate = await reportValidator();
    if (!validate(report)) {
      throw new Error(`not a un75:dialogue-report/1: ${(validate.errors ?? []).slice(0, 3).map((e) => `${e.instancePath || '/'} ${e.message}`).join('; ')}`);
    }
    await (await this.store()).queueReport(report.reportId, JSON.stringify(report), Date.now());
    this.kick();
  }

  private kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    let failed = false;
    this.running = this.drain()
      .catch((err: unknown) => {
        failed = true;
        this.log(`un75-signal: report submitter: ${err instanceof Error ? err.message : String(err)}`);
      })
      .finally(() => {
        this.running = null;
        if (this.again && !failed) {
          this.again = false;
          this.kick();
        } else void this.schedule(failed);
      });
  }

  /** Wakes at the next report due; after a failure of the database itself, not before retryMs. */
  private async schedule(failed = false): Promise<void> {
    if (this.stopped) return;
    let due: number | null;
    const later = Date.now() + (this.options.retryMs ?? 2000);
    try {
      due = await (await this.store()).nextReportDue();
      if (failed && due !== null) due = Math.max(due, later);
    } catch {
      due = later;
    }
    if (due === null || this.stopped || this.running) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.kick(), Math.max(0, due - Date.now()));
    this.timer.unref();
  }

  private async drain(): Promise<void> {
    const store = await this.store();
    for (;;) {
      if (this.stopped) return;
      const due = await store.dueReports(Date.now(), 20);
      if (!due.length) return;
      for (const entry of due) {
        if (this.stopped) return;
        const result = await postReport(this.options.url, entry.report, this.options.key, this.options.kid, this.options.timeoutMs);
        if (result.status >= 200 && result.status < 300) {
          await store.reportAttempt(entry.reportId, { state: 'sent', receipt: result.body });
          this.log(`un75-signal: report ${entry.reportId} taken by the aggregator`);
        } else if (retryable(result.status)) {
          const delay = Math.min(this.options.maxRetryMs ?? 600_000, (this.options.retryMs ?? 2000) * 2 ** Math.min(entry.attempts, 20));
          const error = result.error ?? `HTTP ${result.status}: ${describe(result.body)}`;
          await store.reportAttempt(entry.reportId, { state: 'pending', error, retryAt: Math.round(Date.now() + delay * (0.75 + Math.random() / 2)) });
          this.log(`un75-signal: report ${entry.reportId} not sent (${error}); trying again in ${Math.round(delay / 1000)} s`);
        } else {
          const error = `HTTP ${result.status}: ${describe(result.body)}`;
          await store.reportAttempt(entry.reportId, { state: 'refused', error });
          this.log(`un75-signal: the aggregator refused report ${entry.reportId}: ${error}`);
        }
      }
    }
  }
}

function describe(body: unknown): string {
  const error = (body as { error?: { code?: string; message?: string } } | null)?.error;
  if (error?.message) return `${error.code ?? 'error'}: ${error.message}`;
  return typeof body === 'string' ? body.slice(0, 200) : JSON.stringify(body)?.slice(0, 200) ?? '';
}
