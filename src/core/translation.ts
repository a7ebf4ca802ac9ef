/**
 * Machine translation of captions, per listener (design §5.2). Each listener translates what they
 * receive into their own `listen-language`, so a speaker never needs to know who listens in what.
 * Any engine can be plugged in through {@link Translator}; two are built in.
 */

import type { CaptionNote } from './captions.types.js';
import { pairKey, sameLanguage, translationTag } from './language.js';
import { LruMap } from './lru.js';


/** The translator contract of design §5.2; `meeting.translator = …` accepts any implementation. */
export interface Translator {
  translate(text: string, from: string, to: string, signal?: AbortSignal): Promise<string>;
  /** Optional: whether a language pair can be translated now, after a download, or not at all. */
  availability?(from: string, to: string): Promise<TranslationAvailability>;
  /**
   * Optional: gets a language pair ready (downloads a model). Browsers allow model downloads only
   * during a user gesture, so the UI calls this from a click.
   */
  prepare?(from: string, to: string, signal?: AbortSignal): Promise<void>;
}

export const TRANSLATION_AVAILABILITIES = ['available', 'downloadable', 'downloading', 'unavailable'] as const;
/** The states of the browser's Translator API, which the other translators reuse. */
export type TranslationAvailability = (typeof TRANSLATION_AVAILABILITIES)[number];

export const TRANSLATION_FAILURES = ['unavailable', 'downloadable', 'downloading', 'rate-limited', 'failed'] as const;
export type TranslationFailure = (typeof TRANSLATION_FAILURES)[number];

/** A translation that did not happen, and why; the captions then show the original with a note. */
export class TranslationError extends Error {
  override name = 'TranslationError';
  constructor(
    readonly reason: TranslationFailure,
    message: string = reason,
    /** HTTP status, for translators behind a server. */
    readonly status?: number,
  ) {
    super(message);
  }
}

const abortError = () => new DOMException('The translation was aborted', 'AbortError');

export function isAbortError(error: unknown): boolean {
  return error instanceof DOMException && error.name === 'AbortError';
}

/* ---------------------------------------------------------------------------------------------- */
/* The browser's Translator API (Chrome 138+). TypeScript's DOM library does not declare it yet.   */

interface BrowserTranslatorInstance {
  translate(text: string, options?: { signal?: AbortSignal }): Promise<string>;
  destroy(): void;
}
type CreateMonitor = EventTarget;
export interface BrowserTranslatorApi {
  availability(options: { sourceLanguage: string; targetLanguage: string }): Promise<TranslationAvailability>;
  create(options: {
    sourceLanguage: string;
    targetLanguage: string;
    signal?: AbortSignal;
    monitor?: (monitor: CreateMonitor) => void;
  }): Promise<BrowserTranslatorInstance>;
}

export interface DownloadProgressDetail {
  from: string;
  to: string;
  /** 0–1 */
  loaded: number;
}

export interface AvailabilityChangeDetail {
  from: string;
  to: string;
  availability: TranslationAvailability;
}

/**
 * The browser's built-in, on-device Translator API. A language pair goes through the states
 * `unavailable`, `downloadable`, `downloading` and `available`; a download starts only from a user
 * gesture ({@link prepare}). Until a pair is available, `translate` rejects with a
 * {@link TranslationError} whose reason is the pair's state, so the captions can show the original
 * with a note saying why, and the download's progress.
 *
 * Events: `downloadprogress` (CustomEvent<DownloadProgressDetail>), `availabilitychange`
 * (CustomEvent<AvailabilityChangeDetail>).
 */
export const MAX_BROWSER_PAIRS = 16;

export class BrowserTranslator extends EventTarget implements Translator {
  static isSupported(): boolean {
    return browserTranslatorApi() !== undefined;
  }

  readonly #api: BrowserTranslatorApi | undefined;
  // Per language pair, and the pairs come from other people's captions: each map keeps the
  // MAX_BROWSER_PAIRS most recently used pairs (a meeting has a handful); an evicted model is
  // destroyed and would be created again when asked for.
  readonly #ready = new LruMap<string, Promise<BrowserTranslatorInstance>>(MAX_BROWSER_PAIRS, (_key, instance) =>
    instance.then((translator) => translator.destroy()).catch(() => {}),
  );
  readonly #states = new LruMap<string, TranslationAvailability>(MAX_BROWSER_PAIRS);
  readonly #progress = new LruMap<string, number>(MAX_BROWSER_PAIRS);

  /** `api` defaults to the browser's; `null` is a browser without one (tests, fallbacks). */
  constructor(api: BrowserTranslatorApi | null = browserTranslatorApi() ?? null) {
    super();
    this.#api = api ?? undefined;
  }

  /** Download progress of a pair (0–1), while it is downloading. */
  downloadProgress(from: string, to: string): number | undefined {
    return this.#progress.get(pairKey(from, to));
  }

  async availability(from: string, to: string): Promise<TranslationAvailability> {
    if (!this.#api) return 'unavailable';
    const key = pairKey(from, to);
    if (this.#states.get(key) === 'available' && this.#ready.has(key)) return 'available';
    let state: TranslationAvailability;
    try {
      state = await this.#api.availability({ sourceLanguage: translationTag(from), targetLanguage: translationTag(to) });
    } catch {
      state = 'unavailable';
    }
    // While our own download runs the API may still answer "downloadable".
    if (state === 'downloadable' && this.#ready.has(key)) state = 'downloading';
    this.#setState(from, to, state);
    return state;
  }

  prepare(from: string, to: string, signal?: AbortSignal): Promise<void> {
    return this.#instance(from, to, signal).then(() => undefined);
  }

  async translate(text: string, from: string, to: string, signal?: AbortSignal): Promise<string> {
    if (signal?.aborted) throw abortError();
    if (!text.trim() || sameLanguage(from, to)) return text;
    const key = pairKey(from, to);
    let pending = this.#ready.get(key);
    if (!pending) {
      const state = await this.availability(from, to);
      if (state === 'unavailable') throw new TranslationError('unavailable', `no translation from ${from} to ${to}`);
      if (state !== 'available') {
        // A model download may only start within a user gesture; a caption arriving during one
        // (rare, but free) starts it. Either way the caption does not wait for the download.
        const activated = (navigator as Navigator & { userActivation?: { isActive: boolean } }).userActivation?.isActive;
        if (activated) void this.prepare(from, to).catch(() => {});
        throw new TranslationError(activated ? 'downloading' : state, `the ${from}→${to} model is ${state}`);
      }
      pending = this.#instance(from, to);
    } else if (this.#states.get(key) !== 'available') {
      throw new TranslationError('downloading', `the ${from}→${to} model is downloading`);
    }
    const translator = await pending;
    return translator.translate(text, signal ? { signal } : {});
  }

  #instance(from: string, to: string, signal?: AbortSignal): Promise<BrowserTranslatorInstance> {
    const key = pairKey(from, to);
    const existing = this.#ready.get(key);
    if (existing) return existing;
    if (!this.#api) return Promise.reject(new TranslationError('unavailable', 'this browser has no Translator API'));
    const created = this.#api
      .create({
        sourceLanguage: translationTag(from),
        targetLanguage: translationTag(to),
        ...(signal ? { signal } : {}),
        monitor: (monitor) => {
          monitor.addEventListener('downloadprogress', (event) => {
            const loaded = (event as Event & { loaded: number }).loaded;
            this.#progress.set(key, loaded);
            if (loaded < 1) this.#setState(from, to, 'downloading');
            this.dispatchEvent(new CustomEvent<DownloadProgressDetail>('downloadprogress', { detail: { from, to, loaded } }));
          });
        },
      })
      .then(
        (translator) => {
          this.#progress.delete(key);
          this.#setState(from, to, 'available');
          return translator;
        },
        (error: unknown) => {
          // Let a later gesture try again.
          this.#ready.delete(key);
          this.#progress.delete(key);
          throw isAbortError(error) ? error : new TranslationError('failed', error instanceof Error ? error.message : String(error));
        },
      );
    this.#ready.set(key, created);
    // Avoid an unhandled rejection when nobody awaits (prepare() from a click that is not awaited).
    created.catch(() => {});
    return created;
  }

  #setState(from: string, to: string, availability: TranslationAvailability): void {
    const key = pairKey(from, to);
    if (this.#states.get(key) === availability) return;
    this.#states.set(key, availability);
    this.dispatchEvent(new CustomEvent<AvailabilityChangeDetail>('availabilitychange', { detail: { from, to, availability } }));
  }
}

function browserTranslatorApi(): BrowserTranslatorApi | undefined {
  return (globalThis as unknown as { Translator?: BrowserTranslatorApi }).Translator;
}


/* ---------------------------------------------------------------------------------------------- */

export interface LibreTranslateOptions {
  /** Sent as `api_key`, for servers that require one. */
  apiKey?: string;
  /** A fetch to use instead of the global one. */
  fetch?: typeof fetch;
}

/**
 * Any server with LibreTranslate's API: `POST /translate` with JSON `{q, source, target, format}`
 * answering `{translatedText}`, or `{error}` with a 4xx/5xx status. `endpoint` is the URL of
 * `/translate` itself, or of the server (then `/translate` is appended).
 */
export class LibreTranslateTranslator implements Translator {
  readonly endpoint: URL;
  readonly #apiKey: string | undefined;
  readonly #fetch: typeof fetch;
  #languages: Promise<Map<string, Set<string>> | undefined> | undefined;

  constructor(endpoint: string | URL, options: LibreTranslateOptions = {}) {
    const url = new URL(endpoint, typeof location === 'undefined' ? undefined : location.href);
    if (!/\/translate\/?$/.test(url.pathname)) url.pathname = url.pathname.replace(/\/?$/, '/translate');
    this.endpoint = url;
    this.#apiKey = options.apiKey;
    this.#fetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  }

  async translate(text: string, from: string, to: string, signal?: AbortSignal): Promise<string> {
    if (signal?.aborted) throw abortError();
    if (!text.trim() || sameLanguage(from, to)) return text;
    const body: Record<string, string> = { q: text, source: translationTag(from), target: translationTag(to), format: 'text' };
    if (this.#apiKey) body.api_key = this.#apiKey;
    let response: Response;
    try {
      response = await this.#fetch(this.endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify(body),
        ...(signal ? { signal } : {}),
      });
    } catch (error) {
      if (isAbortError(error)) throw error;
      throw new TranslationError('failed', `cannot reach ${this.endpoint.origin}: ${error instanceof Error ? error.message : String(error)}`);
    }
    const json = (await response.json().catch(() => undefined)) as { translatedText?: unknown; error?: unknown } | undefined;
    if (!response.ok) {
      const message = typeof json?.error === 'string' ? json.error : `HTTP ${response.status}`;
      throw new TranslationError(response.status === 429 ? 'rate-limited' : 'failed', message, response.status);
    }
    if (typeof json?.translatedText !== 'string') {
      throw new TranslationError('failed', 'the server answered without "translatedText"', response.status);
    }
    return json.translatedText;
  }

  /** From the server's `GET /languages`; a server without it is assumed to translate anything. */
  async availability(from: string, to: string): Promise<TranslationAvailability> {
    this.#languages ??= this.#fetchLanguages();
    const languages = await this.#languages;
    if (!languages) return 'available';
    const targets = languages.get(translationTag(from));
    return targets?.has(translationTag(to)) ? 'available' : 'unavailable';
  }

  async #fetchLanguages(): Promise<Map<string, Set<string>> | undefined> {
    const url = new URL(this.endpoint);
    url.pathname = url.pathname.replace(/\/translate\/?$/, '/languages');
    try {
      const response = await this.#fetch(url, { headers: { accept: 'application/json' } });
      if (!response.ok) return undefined;
      const list = (await response.json()) as unknown;
      if (!Array.isArray(list)) return undefined;
      const map = new Map<string, Set<string>>();
      for (const entry of list as { code?: unknown; targets?: unknown }[]) {
        if (typeof entry?.code !== 'string') continue;
        const targets = Array.isArray(entry.targets) ? entry.targets.filter((t): t is string => typeof t === 'string') : [];
        map.set(entry.code, new Set(targets));
      }
      return map;
    } catch {
      return undefined;
    }
  }
}

/* ---------------------------------------------------------------------------------------------- */

interface InFlight {
  promise: Promise<string>;
  controller: AbortController;
  waiters: number;
}

/**
 * Puts a cache in front of any translator: the same sentence is translated once per language
 * pair (a transcript export, a language switch back and forth, several listeners' identical
 * phrases), and simultaneous requests for the same text share one call. Failures are not cached.
 */
export class CachedTranslator implements Translator {
  readonly #cache: LruMap<string, string>;
  readonly #inFlight = new Map<string, InFlight>();


  constructor(
    readonly inner: Translator,
    maxEntries = 1000,
  ) {
    this.#cache = new LruMap(maxEntries);
  }

  /** A cached translation, without asking the translator. */
  peek(text: string, from: string, to: string): string | undefined {
    if (!text.trim() || sameLanguage(from, to)) return text;
    return this.#cache.peek(cacheKey(text, from, to));
  }

  translate(text: string, from: string, to: string, signal?: AbortSignal): Promise<string> {
    if (signal?.aborted) return Promise.reject(abortError());
    const cached = this.peek(text, from, to);
    if (cached !== undefined) {
      // Refresh its place in the LRU order.
      this.#cache.get(cacheKey(text, from, to));
      return Promise.resolve(cached);
    }
    const key = cacheKey(text, from, to);
    let flight = this.#inFlight.get(key);
    if (!flight) {
      const controller = new AbortController();
      const promise = this.inner.translate(text, from, to, controller.signal).then((result) => {
        this.#store(key, result);
        return result;
      });
      const entry: InFlight = { promise, controller, waiters: 0 };
      const done = () => {
        if (this.#inFlight.get(key) === entry) this.#inFlight.delete(key);
      };
      promise.then(done, done);
      flight = entry;
      this.#inFlight.set(key, flight);
    }
    const shared = flight;
    shared.waiters++;
    if (!signal) return shared.promise;
    return new Promise<string>((resolve, reject) => {
      const onAbort = () => {
        reject(abortError());
        // The underlying call is cancelled only when nobody else waits for it.
        if (--shared.waiters === 0) {
          shared.controller.abort();
          if (this.#inFlight.get(key) === shared) this.#inFlight.delete(key);
        }
      };
      signal.addEventListener('abort', onAbort, { once: true });
      shared.promise.then(
        (value) => {
          signal.removeEventListener('abort', onAbort);
          resolve(value);
        },
        (error: unknown) => {
          signal.removeEventListener('abort', onAbort);
          reject(error);
        },
      );
    });
  }

  availability(from: string, to: string): Promise<TranslationAvailability> {
    return this.inner.availability?.(from, to) ?? Promise.resolve('available');
  }

  prepare(from: string, to: string, signal?: AbortSignal): Promise<void> {
    return this.inner.prepare?.(from, to, signal) ?? Promise.resolve();
  }

  #store(key: string, value: string): void {
    this.#cache.set(key, value);
  }
}

const cacheKey = (text: string, from: string, to: string) => `${pairKey(from, to)}\u0000${text}`;

const sharedCaches = new WeakMap<Translator, CachedTranslator>();

/**
 * The one cache in front of `translator`: captions, chat and the transcript of a meeting all ask
 * through it, so a sentence is translated once whoever needs it. A CachedTranslator is its own.
 */
export function sharedCache(translator: Translator): CachedTranslator {
  if (translator instanceof CachedTranslator) return translator;
  let cache = sharedCaches.get(translator);
  if (!cache) sharedCaches.set(translator, (cache = new CachedTranslator(translator)));
  return cache;
}

/** Why a text is shown in its original language after `error`: the note captions and chat show. */
export function translationNote(error: unknown): CaptionNote {
  if (error instanceof TranslationError) {
    switch (error.reason) {
      case 'unavailable':
        return 'translation-unavailable';
      case 'downloadable':
        return 'translation-downloadable';
      case 'downloading':
        return 'translation-downloading';
      default:
        return 'translation-failed';
    }
  }
  return 'translation-failed';
}

/**
 * The translator a meeting uses when none is set: LibreTranslate when an endpoint is given, else
 * the browser's own when it has one, else none (captions then stay in their original language).
 */
export function defaultTranslator(endpoint?: string | null): Translator | undefined {
  if (endpoint) return new LibreTranslateTranslator(endpoint);
  if (BrowserTranslator.isSupported()) return new BrowserTranslator();
  return undefined;
}
