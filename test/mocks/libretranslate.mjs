// A small stand-in for a LibreTranslate server, speaking its real HTTP API so that
// LibreTranslateTranslator is tested against the same requests and answers as in production:
//   POST /translate  {q, source, target, format, api_key?}  → 200 {translatedText}
//   GET  /languages                                         → 200 [{code, name, targets}]
//   errors                                                   → 400/403/429/500 {error}
// It "translates" from a tiny phrase book, else by tagging the text with the target language,
// which is enough to see which language a caption was shown in. Texts containing the words
// below make it fail the way a real server does:
//   "trigger-500" → 500, "trigger-429" → 429, "trigger-slow" → answers after 1.5 s;
//   api_key "wrong" → 403.
// Used by web-test-runner (plugin below, same origin), the end-to-end suite and the bench
// (startLibreTranslate, its own port, with CORS like a real server).
import http from 'node:http';

const LANGUAGES = [
  ['ar', 'Arabic'],
  ['zh', 'Chinese'],
  ['zh-Hant', 'Chinese (Traditional)'],
  ['en', 'English'],
  ['fr', 'French'],
  ['ru', 'Russian'],
  ['es', 'Spanish'],
];

/** Phrase book: English source → translations. */
export const PHRASES = {
  'Good morning everyone': {
    fr: 'Bonjour à tous',
    ar: 'صباح الخير للجميع',
    zh: '大家早上好',
    es: 'Buenos días a todos',
    ru: 'Доброе утро всем',
  },
  'Hello': { fr: 'Bonjour', ar: 'مرحبا', zh: '你好', es: 'Hola', ru: 'Здравствуйте' },
  'Thank you': { fr: 'Merci', ar: 'شكرا', zh: '谢谢', es: 'Gracias', ru: 'Спасибо' },
};

const codes = new Set(LANGUAGES.map(([code]) => code));

export function translateText(q, source, target) {
  // Recognisers write in lower case: the phrase book is looked up regardless of case.
  const phrase = Object.keys(PHRASES).find((p) => p.toLowerCase() === q.toLowerCase());
  const known = phrase && PHRASES[phrase][target];
  if (source === 'en' && known) return known;
  return `[${target}] ${q}`;
}

function send(res, status, body) {
  res.writeHead(status, { 'content-type': 'application/json', 'access-control-allow-origin': '*' });
  res.end(JSON.stringify(body));
}

async function readBody(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  const raw = Buffer.concat(chunks).toString('utf8');
  const type = req.headers['content-type'] ?? '';
  if (type.includes('application/json')) return JSON.parse(raw || '{}');
  // LibreTranslate also accepts form posts.
  return Object.fromEntries(new URLSearchParams(raw));
}

/** Handles a request whose path (after `prefix`) is a LibreTranslate route. Returns false if not one. */
export async function handleLibreTranslate(req, res, prefix = '') {
  const url = new URL(req.url, 'http://localhost');
  if (!url.pathname.startsWith(prefix)) return false;
  const route = url.pathname.slice(prefix.length);
  if (req.method === 'OPTIONS') {
    res.writeHead(204, {
      'access-control-allow-origin': '*',
      'access-control-allow-methods': 'GET, POST',
      'access-control-allow-headers': 'content-type',
    });
    res.end();
    return true;
  }
  if (route === '/languages' && req.method === 'GET') {
    send(res, 200, LANGUAGES.map(([code, name]) => ({ code, name, targets: [...codes].filter((c) => c !== code) })));
    return true;
  }
  if (route !== '/translate') return false;
  if (req.method !== 'POST') {
    send(res, 405, { error: 'Method Not Allowed' });
    return true;
  }
  let body;
  try {
    body = await readBody(req);
  } catch {
    send(res, 400, { error: 'Invalid request: malformed JSON' });
    return true;
  }
  const { q, source, target, api_key: apiKey } = body;
  if (apiKey === 'wrong') return send(res, 403, { error: 'Invalid API key' }), true;
  if (q === undefined || q === '') return send(res, 400, { error: 'Invalid request: missing q parameter' }), true;
  if (!source) return send(res, 400, { error: 'Invalid request: missing source parameter' }), true;
  if (!target) return send(res, 400, { error: 'Invalid request: missing target parameter' }), true;
  if (source !== 'auto' && !codes.has(source)) return send(res, 400, { error: `${source} is not supported` }), true;
  if (!codes.has(target)) return send(res, 400, { error: `${target} is not supported` }), true;
  const texts = Array.isArray(q) ? q : [q];
  if (texts.some((t) => String(t).includes('trigger-500'))) return send(res, 500, { error: 'Cannot translate text: internal error' }), true;
  if (texts.some((t) => String(t).includes('trigger-429'))) return send(res, 429, { error: 'Too many request limits violation' }), true;
  if (texts.some((t) => String(t).includes('trigger-slow'))) await new Promise((r) => setTimeout(r, 1500));
  const from = source === 'auto' ? 'en' : source;
  const out = texts.map((t) => translateText(String(t), from, target));
  send(res, 200, { translatedText: Array.isArray(q) ? out : out[0] });
  return true;
}

/**
 * web-test-runner plugin: serves the mock under /mock-libretranslate/ on the test server itself.
 * Through the `serve` hook because middleware added at serverStart comes after the server's own;
 * the hook answers on the raw response (the serve hook could only answer 200) and tells Koa to
 * leave the response alone.
 */
export function mockLibreTranslatePlugin() {
  return {
    name: 'mock-libretranslate',
    async serve(ctx) {
      if (!ctx.path.startsWith('/mock-libretranslate/')) return undefined;
      ctx.respond = false;
      const handled = await handleLibreTranslate(ctx.req, ctx.res, '/mock-libretranslate');
      if (!handled) send(ctx.res, 404, { error: 'Not Found' });
      return undefined;
    },
  };
}

/**
 * A mock server on its own loopback port: `{ url, requests, maxInFlight, close() }`, url ending in
 * /translate. `requests` logs every POST /translate as `{ at, source, target }` (at: Date.now() when
 * it arrived), `maxInFlight` is the most requests it was answering at once: what a partner's
 * translation bill and server would see.
 */
export async function startLibreTranslate(port = 0) {
  const requests = [];
  let inFlight = 0;
  const stats = { maxInFlight: 0 };
  const server = http.createServer((req, res) => {
    const counted = req.method === 'POST' && new URL(req.url, 'http://localhost').pathname === '/translate';
    if (counted) {
      inFlight++;
      stats.maxInFlight = Math.max(stats.maxInFlight, inFlight);
      requests.push({ at: Date.now() });
      res.once('close', () => inFlight--);
    }
    handleLibreTranslate(req, res).then((handled) => {
      if (!handled) send(res, 404, { error: 'Not Found' });
    }, () => send(res, 500, { error: 'mock failure' }));
  });
  await new Promise((resolve) => server.listen(port, '127.0.0.1', resolve));
  const { port: actual } = server.address();
  return {
    url: `http://127.0.0.1:${actual}/translate`,
    requests,
    get maxInFlight() {
      return stats.maxInFlight;
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
