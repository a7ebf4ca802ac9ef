// The agenda end to end: three real Chromium pages on a partner's page (loading only the single-file
// bundle) in English (the host, whose page names agenda="un75"), French and Arabic, through the real
// un75-signal keeping the agenda in a real PostgreSQL. Each reads the current question in its own
// language; the host moves on with the strip's button and everyone reads the second question.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { BrowserContext, Page } from 'playwright-core';
import { startPostgres } from '../server/helpers.js';
import { newPage, startPartnerPage, startServer, waitInPage, type FixtureServer, type RunningServer } from './harness.js';

const M = `document.querySelector('un75-meeting')`;
const QUESTION = `${M}?.shadowRoot?.querySelector('[part="agenda"] [aria-live]')`;

describe('the un75 agenda in three languages', () => {
  let postgres: Awaited<ReturnType<typeof startPostgres>>;
  let server: RunningServer;
  let partner: FixtureServer;
  const contexts: BrowserContext[] = [];
  const pages: Record<'en' | 'fr' | 'ar', Page> = {} as never;

  async function open(browserIndex: number, lang: 'en' | 'fr' | 'ar', name: string, attrs = ''): Promise<Page> {
    const person = await newPage(browserIndex);
    contexts.push(person.context);
    const params = new URLSearchParams({ server: server.url, room: 'un75-agenda', name, lang, attrs: `autojoin camera-off spoken-language=${lang} listen-language=${lang} ${attrs}` });
    await person.page.goto(`${partner.url}/meeting.html?${params}`);
    await waitInPage(person.page, `${M}?.core?.session?.state === 'joined'`, `${name} joined`, 90_000);
    return person.page;
  }

  before(async () => {
    postgres = await startPostgres();
    server = await startServer(['--database', postgres.url]);
    partner = await startPartnerPage();
    // The first in the room is its host: its page gives the room the un75 agenda.
    pages.en = await open(0, 'en', 'Hosta', 'agenda=un75');
    pages.fr = await open(1, 'fr', 'Fleur');
    pages.ar = await open(2, 'ar', 'Amal');
  });

  after(async () => {
    await Promise.all(contexts.map((c) => c.close().catch(() => {})));
    await partner?.close();
    await server?.stop();
    await postgres?.stop();
  });

  const question = (page: Page) => page.evaluate(`${QUESTION}?.textContent`) as Promise<string | undefined>;

  test('each reads the current question in its own language, right to left in Arabic; only the host has "Next question"', async () => {
    const expected = {
      en: 'What kind of future do we want to create?',
      fr: 'Quel avenir voulons-nous créer ?',
      ar: 'ما نوع المستقبل الذي نريد أن نصنعه؟',
    };
    for (const [lang, text] of Object.entries(expected) as Array<[keyof typeof pages, string]>) {
      await waitInPage(pages[lang], `${QUESTION}?.textContent === ${JSON.stringify(text)}`, `the first question in ${lang}`);
    }
    assert.equal(await pages.ar.evaluate(`getComputedStyle(${QUESTION}).direction`), 'rtl');
    assert.equal(await pages.ar.evaluate(`${M}.shadowRoot.querySelector('[part="agenda"]').textContent.includes('السؤال 1 من 3')`), true);
    assert.equal(await pages.fr.evaluate(`${M}.shadowRoot.querySelector('[part="agenda"]').textContent.includes('Question 1 sur 3')`), true);
    assert.equal(await pages.fr.evaluate(`!${M}.shadowRoot.querySelector('[part~="agenda-next"]')`), true);
    assert.equal(await pages.ar.evaluate(`!${M}.shadowRoot.querySelector('[part~="agenda-next"]')`), true);
  });

  test('the host moves on: everyone reads the second question in its language', async () => {
    // Generous: on a loaded machine a page may take long to paint the frames a click waits for.
    await pages.en.locator('un75-meeting [part~="agenda-next"]').click({ timeout: 120_000 });
    const expected = { en: 'Are we on track?', fr: 'Sommes-nous sur la bonne voie ?', ar: 'هل نحن على المسار الصحيح؟' };
    for (const [lang, text] of Object.entries(expected) as Array<[keyof typeof pages, string]>) {
      await waitInPage(pages[lang], `${QUESTION}?.textContent === ${JSON.stringify(text)}`, `the second question in ${lang}`);
      assert.equal(await pages[lang].evaluate(`${M}.agenda.current`), 1);
    }
    // A participant's page calling nextItem() is refused by the server: the room stays where it is.
    const refusal = await pages.fr.evaluate(
      `new Promise((resolve) => { ${M}.addEventListener('un75-error', (e) => resolve(e.detail.code), { once: true }); ${M}.nextItem(); })`,
    );
    assert.equal(refusal, 'forbidden');
    assert.equal(await question(pages.ar), expected.ar);
  });
});
