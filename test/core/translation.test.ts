import { expect } from '@open-wc/testing';
import {
  BrowserTranslator,
  MAX_BROWSER_PAIRS,
  CachedTranslator,
  LibreTranslateTranslator,
  TranslationError,
  type BrowserTranslatorApi,
  type TranslationAvailability,
  type Translator,
} from '../../src/core/translation.js';

// The mock server (test/mocks/libretranslate.mjs) speaks LibreTranslate's API on the test server.
const ENDPOINT = new URL('/mock-libretranslate/translate', location.href).href;

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

describe('LibreTranslateTranslator', () => {
  it('translates through POST /translate', async () => {
    const translator = new LibreTranslateTranslator(ENDPOINT);
    expect(await translator.translate('Good morning everyone', 'en-US', 'fr')).to.equal('Bonjour à tous');
    expect(await translator.translate('Good morning everyone', 'en', 'ar')).to.equal('صباح الخير للجميع');
    expect(await translator.translate('Something else', 'en', 'zh-CN')).to.equal('[zh] Something else');
  });

  it('appends /translate to a server URL', async () => {
    const translator = new LibreTranslateTranslator(new URL('/mock-libretranslate/', location.href).href);
    expect(translator.endpoint.pathname).to.equal('/mock-libretranslate/translate');
    expect(await translator.translate('Hello', 'en', 'es')).to.equal('Hola');
  });

  it('sends the request body LibreTranslate expects', async () => {
    const bodies: unknown[] = [];
    const translator = new LibreTranslateTranslator(ENDPOINT, {
      apiKey: 'k1',
      fetch: (input, init) => {
        bodies.push(JSON.parse(String(init?.body)));
        return fetch(input, init);
      },
    });
    await translator.translate('Hello', 'en', 'zh-TW');
    expect(bodies).to.deep.equal([{ q: 'Hello', source: 'en', target: 'zh-Hant', format: 'text', api_key: 'k1' }]);
  });

  it('does not call the server for empty text or the same language', async () => {
    let calls = 0;
    const translator = new LibreTranslateTranslator(ENDPOINT, {
      fetch: (input, init) => {
        calls++;
        return fetch(input, init);
      },
    });
    expect(await translator.translate('  ', 'en', 'fr')).to.equal('  ');
    expect(await translator.translate('Hello', 'en-US', 'en-GB')).to.equal('Hello');
    expect(calls).to.equal(0);
  });

  it('turns the server error answers into TranslationErrors with its message', async () => {
    const translator = new LibreTranslateTranslator(ENDPOINT);
    const e500 = (await rejection(translator.translate('trigger-500', 'en', 'fr'))) as TranslationError;
    expect(e500).to.be.instanceOf(TranslationError);
    expect(e500.reason).to.equal('failed');
    expect(e500.status).to.equal(500);
    expect(e500.message).to.equal('Cannot translate text: internal error');

    const e429 = (await rejection(translator.translate('trigger-429', 'en', 'fr'))) as TranslationError;
    expect(e429.reason).to.equal('rate-limited');
    expect(e429.status).to.equal(429);

    const e400 = (await rejection(translator.translate('Hello', 'en', 'xx'))) as TranslationError;
    expect(e400.status).to.equal(400);
    expect(e400.message).to.equal('xx is not supported');

    const wrongKey = new LibreTranslateTranslator(ENDPOINT, { apiKey: 'wrong' });
    const e403 = (await rejection(wrongKey.translate('Hello', 'en', 'fr'))) as TranslationError;
    expect(e403.status).to.equal(403);
    expect(e403.message).to.equal('Invalid API key');
  });

  it('reports an unreachable server as a failure', async () => {
    const translator = new LibreTranslateTranslator('http://127.0.0.1:9/translate');
    const error = (await rejection(translator.translate('Hello', 'en', 'fr'))) as TranslationError;
    expect(error).to.be.instanceOf(TranslationError);
    expect(error.reason).to.equal('failed');
  });

  it('can be aborted', async () => {
    const translator = new LibreTranslateTranslator(ENDPOINT);
    const controller = new AbortController();
    const pending = translator.translate('trigger-slow', 'en', 'fr', controller.signal);
    setTimeout(() => controller.abort(), 50);
    const error = (await rejection(pending)) as DOMException;
    expect(error.name).to.equal('AbortError');
  });

  it('answers availability from GET /languages', async () => {
    const translator = new LibreTranslateTranslator(ENDPOINT);
    expect(await translator.availability('en', 'fr')).to.equal('available');
    expect(await translator.availability('ar', 'zh')).to.equal('available');
    expect(await translator.availability('en', 'xx')).to.equal('unavailable');
  });
});

class CountingTranslator implements Translator {
  calls: string[] = [];
  failNext = false;
  constructor(private readonly delay = 0) {}
  async translate(text: string, _from: string, to: string, signal?: AbortSignal): Promise<string> {
    this.calls.push(text);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(resolve, this.delay);
      signal?.addEventListener('abort', () => {
        clearTimeout(timer);
        reject(new DOMException('aborted', 'AbortError'));
      });
    });
    if (this.failNext) {
      this.failNext = false;
      throw new TranslationError('failed');
    }
    return `${to}:${text}`;
  }
}

describe('CachedTranslator', () => {
  it('translates a text once per language pair', async () => {
    const inner = new CountingTranslator();
    const cached = new CachedTranslator(inner);
    expect(await cached.translate('one', 'en', 'fr')).to.equal('fr:one');
    expect(await cached.translate('one', 'en-US', 'fr-FR')).to.equal('fr:one');
    expect(await cached.translate('one', 'en', 'ar')).to.equal('ar:one');
    expect(inner.calls).to.deep.equal(['one', 'one']);
    expect(cached.peek('one', 'en', 'fr')).to.equal('fr:one');
    expect(cached.peek('two', 'en', 'fr')).to.be.undefined;
  });

  it('shares one call between simultaneous requests, and one waiter aborting does not cancel the other', async () => {
    const inner = new CountingTranslator(30);
    const cached = new CachedTranslator(inner);
    const controller = new AbortController();
    const first = cached.translate('shared', 'en', 'fr', controller.signal);
    const second = cached.translate('shared', 'en', 'fr');
    controller.abort();
    expect(((await rejection(first)) as DOMException).name).to.equal('AbortError');
    expect(await second).to.equal('fr:shared');
    expect(inner.calls).to.deep.equal(['shared']);
  });

  it('does not cache failures', async () => {
    const inner = new CountingTranslator();
    const cached = new CachedTranslator(inner);
    inner.failNext = true;
    await rejection(cached.translate('flaky', 'en', 'fr'));
    expect(await cached.translate('flaky', 'en', 'fr')).to.equal('fr:flaky');
    expect(inner.calls).to.have.length(2);
  });

  it('forgets the least recently used entries beyond its size', async () => {
    const inner = new CountingTranslator();
    const cached = new CachedTranslator(inner, 2);
    await cached.translate('a', 'en', 'fr');
    await cached.translate('b', 'en', 'fr');
    await cached.translate('a', 'en', 'fr'); // a is now the most recent
    await cached.translate('c', 'en', 'fr');
    expect(cached.peek('a', 'en', 'fr')).to.equal('fr:a');
    expect(cached.peek('b', 'en', 'fr')).to.be.undefined;
  });
});

/** The browser Translator API in a chosen state, with a download we drive by hand. */
function fakeApi(initial: TranslationAvailability) {
  let state = initial;
  let monitorTarget: EventTarget | undefined;
  let finishDownload: (() => void) | undefined;
  const api: BrowserTranslatorApi = {
    async availability({ targetLanguage }) {
      return targetLanguage === 'xx' ? 'unavailable' : state;
    },
    async create({ sourceLanguage, targetLanguage, monitor }) {
      monitorTarget = new EventTarget();
      monitor?.(monitorTarget);
      if (state !== 'available') {
        state = 'downloading';
        await new Promise<void>((resolve) => (finishDownload = resolve));
        state = 'available';
      }
      return {
        translate: async (text: string) => `${sourceLanguage}>${targetLanguage}:${text}`,
        destroy() {},
      };
    },
  };
  return {
    api,
    progress(loaded: number) {
      const event = Object.assign(new Event('downloadprogress'), { loaded });
      monitorTarget!.dispatchEvent(event);
    },
    finish() {
      finishDownload?.();
    },
  };
}

describe('BrowserTranslator', () => {
  it('translates at once when the model is available', async () => {
    const translator = new BrowserTranslator(fakeApi('available').api);
    expect(await translator.availability('en', 'fr')).to.equal('available');
    expect(await translator.translate('Hello', 'en-US', 'fr')).to.equal('en>fr:Hello');
  });

  it('rejects with the pair state while a model is not there, and never waits for a download', async () => {
    const fake = fakeApi('downloadable');
    const translator = new BrowserTranslator(fake.api);
    const states: string[] = [];
    const progress: number[] = [];
    translator.addEventListener('availabilitychange', (e) => states.push((e as CustomEvent).detail.availability));
    translator.addEventListener('downloadprogress', (e) => progress.push((e as CustomEvent).detail.loaded));

    const unavailable = (await rejection(translator.translate('Hello', 'en', 'xx'))) as TranslationError;
    expect(unavailable.reason).to.equal('unavailable');

    const downloadable = (await rejection(translator.translate('Hello', 'en', 'fr'))) as TranslationError;
    expect(downloadable.reason).to.equal('downloadable');

    // A click in the UI calls prepare(); the download reports progress.
    const prepared = translator.prepare('en', 'fr');
    await new Promise((r) => setTimeout(r));
    fake.progress(0.25);
    expect(translator.downloadProgress('en', 'fr')).to.equal(0.25);
    const downloading = (await rejection(translator.translate('Hello', 'en', 'fr'))) as TranslationError;
    expect(downloading.reason).to.equal('downloading');

    fake.progress(1);
    fake.finish();
    await prepared;
    expect(await translator.translate('Hello', 'en', 'fr')).to.equal('en>fr:Hello');
    expect(progress).to.deep.equal([0.25, 1]);
    expect(states).to.include.members(['unavailable', 'downloadable', 'downloading', 'available']);
  });

  it('keeps models, states and progress for the most recently used language pairs only, destroying the models it lets go', async () => {
    const created: string[] = [];
    const destroyed: string[] = [];
    const api: BrowserTranslatorApi = {
      availability: async () => 'available',
      create: async ({ sourceLanguage, targetLanguage }) => {
        created.push(sourceLanguage);
        return { translate: async (text: string) => `${sourceLanguage}>${targetLanguage}:${text}`, destroy: () => destroyed.push(sourceLanguage) };
      },
    };
    const translator = new BrowserTranslator(api);
    const states: string[] = [];
    translator.addEventListener('availabilitychange', (e) => states.push((e as CustomEvent).detail.from));
    // Another person's captions in ever new languages (three-letter codes: each a pair of its own).
    const tags = Array.from({ length: 200 }, (_, i) => `q${String.fromCharCode(97 + Math.floor(i / 26) % 20)}${String.fromCharCode(97 + (i % 26))}`);
    for (const tag of tags) expect(await translator.translate('Hi', tag, 'fr')).to.equal(`${tag}>fr:Hi`);
    expect(created.length).to.equal(200);
    await new Promise((r) => setTimeout(r));
    expect(destroyed.length).to.equal(200 - MAX_BROWSER_PAIRS, 'every model beyond the cap was destroyed');
    expect(destroyed.slice(0, 3)).to.deep.equal(tags.slice(0, 3), 'the least recently used first');
    // The newest pairs are still there: no new model, no new state.
    const before = [created.length, states.length];
    expect(await translator.translate('Hi', tags.at(-1)!, 'fr')).to.equal(`${tags.at(-1)}>fr:Hi`);
    expect([created.length, states.length]).to.deep.equal(before);
    // An evicted pair is created again when it is needed again.
    expect(await translator.translate('Hi', tags[0]!, 'fr')).to.equal(`${tags[0]}>fr:Hi`);
    expect(created.length).to.equal(201);
  });

  it('uses the real Translator API of this browser when there is one', async function () {
    if (!BrowserTranslator.isSupported()) this.skip();
    const translator = new BrowserTranslator();
    // Whatever this machine can do, the answer is one of the four states of the API…
    expect(['available', 'downloadable', 'downloading', 'unavailable']).to.include(await translator.availability('en', 'fr'));
    // …and a pair no model exists for is refused with a reason the captions can show.
    const error = (await rejection(translator.translate('Hello', 'en', 'tlh'))) as TranslationError;
    expect(error).to.be.instanceOf(TranslationError);
    expect(error.reason).to.equal('unavailable');
  });

  it('reports every pair unavailable in a browser without the API', async () => {
    const translator = new BrowserTranslator(null);
    expect(await translator.availability('en', 'fr')).to.equal('unavailable');
    const error = (await rejection(translator.translate('Hello', 'en', 'fr'))) as TranslationError;
    expect(error.reason).to.equal('unavailable');
  });
});
