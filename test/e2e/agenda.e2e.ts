// The agenda end to end: three real Chromium pages on a partner's page (loading only the single-file
// bundle) in English (the host, whose page names agenda="un75"), French and Arabic, through the real
// un75-signal keeping the agenda in a real PostgreSQL. Each reads the current question in its own
// language; the host moves on with the strip's button and everyone reads the second question. Then a
// poll: the host opens a single-choice poll, the French and Arabic readers each read it in their
// language and vote with the polls' controls, a second ballot replaces the first, all see the counts.
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

  test('a poll: the host opens it, fr and ar read it in their language and vote, a second ballot replaces the first, everyone sees the counts', async () => {
    const started = Date.now();
    const poll = {
      id: 'future',
      type: 'single',
      question: { en: 'In 2045, will people be better or worse off?', fr: 'En 2045, vivra-t-on mieux ou moins bien ?', ar: 'هل سيكون الناس في عام 2045 في حال أفضل أم أسوأ؟' },
      options: [
        { id: 'better', label: { en: 'Better off', fr: 'Mieux', ar: 'أفضل' } },
        { id: 'worse', label: { en: 'Worse off', fr: 'Moins bien', ar: 'أسوأ' } },
        { id: 'same', label: { en: 'About the same', fr: 'Pareil', ar: 'مماثلة' } },
      ],
    };
    assert.deepEqual(await pages.en.evaluate(`${M}.openPoll(${JSON.stringify(poll)})`), ['future']);
    const card = (page: Page) => page.locator('un75-meeting un75-polls [part="poll"][data-poll="future"]');
    for (const lang of ['en', 'fr', 'ar'] as const) {
      await card(pages[lang]).locator('[part="question"]').filter({ hasText: poll.question[lang] }).waitFor({ timeout: 60_000 });
    }
    assert.equal(await card(pages.ar).locator('[part="question"]').evaluate((h) => getComputedStyle(h).direction), 'rtl');

    // Each votes with the poll's own controls: a radio button, then "Vote"; the page says it is recorded.
    const vote = async (lang: 'fr' | 'ar', option: string, recorded: string) => {
      await card(pages[lang]).locator(`input[value="${option}"]`).check();
      await card(pages[lang]).locator('[part~="vote"]').click();
      await card(pages[lang]).locator('[part~="status"]').filter({ hasText: recorded }).waitFor({ timeout: 30_000 });
      await waitInPage(pages[lang], `${M}.polls.find((p) => p.poll.id === 'future')?.ballot?.optionIds?.[0] === ${JSON.stringify(option)}`, `${lang}'s ballot for ${option}`);
    };
    await vote('fr', 'better', 'Vote enregistré');
    await vote('ar', 'worse', 'سُجّل صوتك');
    // fr changes its mind: the second ballot replaces the first.
    await vote('fr', 'same', 'Vote enregistré');

    const counted = `${M}.polls.find((p) => p.poll.id === 'future')?.result`;
    for (const lang of ['en', 'fr', 'ar'] as const) {
      await waitInPage(pages[lang], `${counted}?.voters === 2 && ${counted}.counts.same === 1 && ${counted}.counts.worse === 1 && ${counted}.counts.better === 0`, `the counts at ${lang}`, 30_000);
    }
    // What a screen reader reads: the table's numbers, in each reader's language (Arabic digits where the browser's Arabic uses them).
    const row = (lang: 'en' | 'fr' | 'ar', label: string) => card(pages[lang]).locator('[part="results-table"] tbody tr').filter({ hasText: label }).locator('td').first();
    await row('en', 'About the same').filter({ hasText: /^1$/ }).waitFor({ timeout: 30_000 });
    await row('fr', 'Mieux').filter({ hasText: /^0$/ }).waitFor({ timeout: 30_000 });
    await row('ar', 'أسوأ').filter({ hasText: /^[1١]$/ }).waitFor({ timeout: 30_000 });
    console.log(`poll e2e: ${((Date.now() - started) / 1000).toFixed(1)} s`);
  });
});
