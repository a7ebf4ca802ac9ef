// The Content-Security-Policy of `--static` pages as Chromium enforces it: a partner trying the demo
// with LibreTranslate on their own machine (`http://localhost:5000` is its default) gets translations,
// and plain http to any other address is still refused.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startLibreTranslate } from '../mocks/libretranslate.mjs';
import { newPage, startServer, waitInPage, type RunningServer } from './harness.js';

describe('CSP of --static pages', () => {
  let dir: string;
  let server: RunningServer;
  let translate: Awaited<ReturnType<typeof startLibreTranslate>>;

  before(async () => {
    translate = await startLibreTranslate();
    const port = new URL(translate.url).port;
    dir = await mkdtemp(path.join(tmpdir(), 'un75-csp-'));
    // An inline script, as the demo pages have: the server allows it by its hash. It asks for a
    // translation the way the SDK's LibreTranslate client does (a JSON POST, so a CORS preflight too).
    await writeFile(
      path.join(dir, 'index.html'),
      `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>CSP</title></head><body>
<script type="module">
const refused = [];
document.addEventListener('securitypolicyviolation', (e) => refused.push(e.blockedURI));
const translate = (origin) =>
  fetch(origin + '/translate', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ q: 'Hello', source: 'en', target: 'fr', format: 'text' }),
  }).then((r) => r.json()).then((j) => j.translatedText, () => 'failed');
const results = await Promise.all(['http://localhost:${port}', 'http://127.0.0.1:${port}', 'http://127.0.0.2:${port}'].map(translate));
window.__csp = { results, refused };
</script></body></html>`,
    );
    server = await startServer(['--static', dir]);
  });

  after(async () => {
    await server?.stop();
    await translate?.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('a page may reach LibreTranslate on the visitor\'s own machine over plain http, and no other plain-http address', async () => {
    const { context, page } = await newPage(0);
    try {
      const before = translate.requests.length;
      await page.goto(`${server.url}/`);
      const outcome = await waitInPage<{ results: string[]; refused: string[] }>(page, 'window.__csp', 'the page to try its three translations');
      const port = new URL(translate.url).port;
      assert.deepEqual(outcome.results, ['Bonjour', 'Bonjour', 'failed'], 'localhost and 127.0.0.1 translate; 127.0.0.2 does not');
      assert.ok(
        outcome.refused.some((uri) => uri.startsWith(`http://127.0.0.2:${port}`)),
        `the CSP refused http://127.0.0.2 (violations: ${JSON.stringify(outcome.refused)})`,
      );
      assert.ok(!outcome.refused.some((uri) => /localhost|127\.0\.0\.1/.test(uri)), `nothing local refused: ${JSON.stringify(outcome.refused)}`);
      assert.equal(translate.requests.length - before, 2, 'the translation server was asked twice');
    } finally {
      await context.close();
    }
  });
});
