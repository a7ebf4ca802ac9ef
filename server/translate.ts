/**
 * Machine translation on the server (`--translation-endpoint URL`, design §5.2 and §8): a
 * LibreTranslate-compatible API, `POST /translate {q, source, target, format}` → `{translatedText}`.
 * Used for what the server keeps and everyone reads (ideas), translated once per language and
 * stored, rather than once per reader.
 */

export interface TranslationStats {
  /** Texts translated. */
  translated: number;
  /** Requests that failed (refused, unreachable, timed out, an answer without text). */
  failures: number;
}

export interface ServerTranslatorOptions {
  /** The API's URL: its `/translate` route, or the server's root (then `/translate` is added). */
  endpoint: string;
  /** `api_key` sent with each request, for servers that want one. */
  apiKey?: string;
  timeoutMs?: number;
  log(line: string): void;
}

/** Requests in flight at once: a burst of ideas queues here rather than at the translator. */
const MAX_IN_FLIGHT = 4;
/** At most one log line per this long about failures (the first at once), with the count since. */
const LOG_EVERY_MS = 60_000;

export class ServerTranslator {
  readonly url: string;
  private readonly stats_: TranslationStats = { translated: 0, failures: 0 };
  private inFlight = 0;
  private readonly queue: Array<() => void> = [];
  private lastLog = 0;
  private unlogged = 0;

  constructor(private readonly options: ServerTranslatorOptions) {
    const url = new URL(options.endpoint);
    if (!url.pathname.endsWith('/translate')) url.pathname = `${url.pathname.replace(/\/$/, '')}/translate`;
    this.url = url.toString();
  }

  stats(): TranslationStats {
    return { ...this.stats_ };
  }

  /** The text in `to`; null when the translator failed (counted, and logged at most once a minute). */
  async translate(text: string, from: string, to: string): Promise<string | null> {
    if (this.inFlight >= MAX_IN_FLIGHT) await new Promise<void>((resolve) => this.queue.push(resolve));
    this.inFlight++;
    try {
      const res = await fetch(this.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ q: text, source: from, target: to, format: 'text', ...(this.options.apiKey ? { api_key: this.options.apiKey } : {}) }),
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 10_000),
      });
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      const body = (await res.json()) as { translatedText?: unknown };
      if (typeof body.translatedText != 'string' || !body.translatedText.trim()) throw new Error('an answer without "translatedText"');
      this.stats_.translated++;
      return body.translatedText;
    } catch (err) {
      this.failed(from, to, err);
      return null;
    } finally {
      this.inFlight--;
      this.queue.shift()?.();
    }
  }

  private failed(from: string, to: string, err: unknown): void {
    this.stats_.failures++;
    this.unlogged++;
    const now = Date.now();
    if (now - this.lastLog < LOG_EVERY_MS) return;
    const reason = err instanceof Error ? (err.name === 'TimeoutError' ? 'no answer in time' : err.message) : String(err);
    this.options.log(`un75-signal: machine translation failed (${from} → ${to}: ${reason})${this.unlogged > 1 ? `, ${this.unlogged} failures since the last report` : ''}; the original is shown`);
    this.lastLog = now;
    this.unlogged = 0;
  }
}
