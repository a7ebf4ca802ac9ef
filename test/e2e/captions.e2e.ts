// Captions as people get them: separate Chromium instances in one room through the real server,
// from the partner page that loads only the single-file bundle. The speaker's recogniser is
// scripted (this machine has no speech service); everything after it is the real thing: the data
// channels, the caption messages, a LibreTranslate-speaking server, the overlay and the transcript.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { BrowserContext, Page } from 'playwright-core';
import { newPage, overlayLines, startPartnerPage, startServer, waitInPage, type FixtureServer, type RunningServer } from './harness.js';
import { startLibreTranslate } from '../mocks/libretranslate.mjs';

type Person = { context: BrowserContext; page: Page };

/**
 * Runs in the page before its scripts: gives every <un75-meeting> a recogniser that says what the
 * test tells it (`__say(text, final)`). Set on the element before the bundle upgrades it, as a
 * partner's own script would; Lit keeps properties set before the upgrade.
 */
function scriptedRecognizer() {
  const w = window as unknown as Record<string, unknown>;
  const recognizer = {
    start(options: { language: string; emit(r: { text: string; final: boolean }): void }) {
      w.__recognizerLanguage = options.language;
      w.__say = (text: string, final = true) => options.emit({ text, final });
    },
    stop() {
      w.__say = undefined;
    },
  };
  new MutationObserver(() => {
    for (const meeting of document.querySelectorAll('un75-meeting')) {
      const m = meeting as unknown as { recognizer?: unknown };
      if (!m.recognizer) m.recognizer = recognizer;
    }
  }).observe(document, { childList: true, subtree: true });
}

/** A browser with no speech recognition at all. */
function noSpeechRecognition() {
  const w = window as unknown as Record<string, unknown>;
  delete w.SpeechRecognition;
  delete w.webkitSpeechRecognition;
}

/** Every un75-caption event the page's meeting fires. */
function recordCaptions() {
  const w = window as unknown as { __captions: unknown[] };
  w.__captions = [];
  document.addEventListener('un75-caption', (e) => w.__captions.push(JSON.parse(JSON.stringify((e as CustomEvent).detail.caption))));
}

const overlayNotes = `document.querySelector('un75-meeting')?.shadowRoot?.querySelector('un75-captions')?.shadowRoot?.querySelector('[part="notes"]')?.textContent ?? ''`;

describe('captions between browsers', () => {
  let server: RunningServer;
  let partner: FixtureServer;
  let translate: { url: string; close(): Promise<void> };
  const people: Person[] = [];

  before(async () => {
    server = await startServer();
    partner = await startPartnerPage();
    translate = await startLibreTranslate();
  });

  after(async () => {
    await Promise.all(people.map((p) => p.context.close().catch(() => {})));
    await partner?.close();
    await translate?.close();
    await server?.stop();
  });

  async function open(browserIndex: number, name: string, attrs: string, lang: string, ...init: (() => void)[]): Promise<Page> {
    const person = await newPage(browserIndex);
    people.push(person);
    for (const script of [recordCaptions, ...init]) await person.context.addInitScript(script);
    const params = new URLSearchParams({ server: server.url, room: 'captions', name, attrs: `autojoin ${attrs}`, lang });
    await person.page.goto(`${partner.url}/meeting.html?${params}`);
    return person.page;
  }

  test('a French listener reads the speaker in French with their name, an Arabic listener right to left, and the transcripts hold both', async () => {
    const endpoint = `translation-endpoint=${translate.url}`;
    const john = await open(0, 'John', 'spoken-language=en listen-language=en', 'en', scriptedRecognizer);
    const louise = await open(1, 'Louise', `spoken-language=fr listen-language=fr ${endpoint}`, 'fr', scriptedRecognizer);
    const amina = await open(2, 'Amina', `spoken-language=ar listen-language=ar ${endpoint}`, 'ar', scriptedRecognizer);

    // A listener knows a speaker's captions are on once their data channel to them is open (a
    // caption said before that is not replayed): John's at both, Amina's at Louise.
    const captionsOn = (page: Page, speaker: string) =>
      waitInPage(
        page,
        `(() => { const m = document.querySelector('un75-meeting'); const s = m?.participants.find((p) => p.name === ${JSON.stringify(speaker)}); return Boolean(s && m.captions?.speakerState(s.id) === 'active'); })()`,
        `${speaker}'s caption state`,
      );
    for (const page of [louise, amina]) await captionsOn(page, 'John');
    await captionsOn(louise, 'Amina');
    assert.equal(await john.evaluate('window.__recognizerLanguage'), 'en');

    await john.evaluate(`__say('Good', false)`);
    await john.evaluate(`__say('Good morning everyone', true)`);

    // Louise, in French.
    const french = await waitInPage(
      louise,
      `(() => { const l = ${overlayLines}; return l.some((x) => x.text === 'Bonjour à tous') && l; })()`,
      'the French caption',
    ).catch(async (err: Error) => {
      // What Louise had, to tell a lost message (a link rebuilt under load) from a translation that never came.
      const seen = await louise
        .evaluate(
          `(() => { const m = document.querySelector('un75-meeting'); const j = m.participants.find((p) => p.name === 'John');
            return { link: j?.connectionState, captions: j && m.captions?.speakerState(j.id), events: window.__captions, overlay: ${overlayLines} }; })()`,
        )
        .catch((e: Error) => e.message);
      console.log(`# Louise when the French caption did not come: ${JSON.stringify(seen)}`);
      throw err;
    });
    const frLine = (french as { speaker: string; text: string; lang: string; dir: string; label: string | null }[]).find((l) => l.text === 'Bonjour à tous')!;
    assert.equal(frLine.speaker, 'John');
    assert.equal(frLine.lang, 'fr');
    assert.equal(frLine.dir, 'ltr');
    assert.equal(frLine.label, 'Traduction automatique', 'machine translation is labelled, in the UI language');
    const events = (await louise.evaluate('__captions')) as { speakerName: string; text: string; final: boolean; translation?: { lang: string; text: string } }[];
    const finalEvent = events.find((e) => e.final);
    assert.deepEqual(
      { speaker: finalEvent?.speakerName, text: finalEvent?.text, translation: finalEvent?.translation },
      { speaker: 'John', text: 'Good morning everyone', translation: { lang: 'fr', text: 'Bonjour à tous' } },
      'un75-caption carries the original and its translation',
    );

    // Amina, in Arabic, right to left.
    const arabic = await waitInPage(
      amina,
      `(() => { const l = ${overlayLines}; return l.some((x) => x.text === 'صباح الخير للجميع') && l; })()`,
      'the Arabic caption',
    );
    const arLine = (arabic as { speaker: string; lang: string; dir: string; direction: string }[]).find((l) => l.lang === 'ar')!;
    assert.deepEqual(
      { speaker: arLine.speaker, lang: arLine.lang, dir: arLine.dir, direction: arLine.direction },
      { speaker: 'John', lang: 'ar', dir: 'rtl', direction: 'rtl' },
    );

    // Amina answers in Arabic: Louise gets it in French too (the mock tags what it cannot translate).
    await amina.evaluate(`__say('شكرا', true)`);
    await waitInPage(louise, `${overlayLines}.some((x) => x.text === '[fr] شكرا' && x.speaker === 'Amina')`, "Amina's caption in French");

    // The transcripts hold everything said, in the original and in the listener's language.
    const vtt = (await louise.evaluate(`document.querySelector('un75-meeting').transcript('vtt', 'fr')`)) as string;
    assert.match(vtt, /^WEBVTT\n/);
    assert.match(vtt, /<v John>Bonjour à tous/);
    assert.match(vtt, /<v Amina>\[fr\] شكرا/);
    const original = (await louise.evaluate(`document.querySelector('un75-meeting').transcript('vtt')`)) as string;
    assert.match(original, /<v John>Good morning everyone/);
    assert.match(original, /<v Amina>\u200Fشكرا/, 'Arabic cues carry a right-to-left mark');
    const json = JSON.parse((await amina.evaluate(`document.querySelector('un75-meeting').transcript('json', 'ar')`)) as string) as {
      segments: { speaker: string; text: string; original?: { text: string } }[];
    };
    assert.deepEqual(
      json.segments.map((s) => [s.speaker, s.text, s.original?.text]),
      [
        ['John', 'صباح الخير للجميع', 'Good morning everyone'],
        ['Amina', 'شكرا', undefined],
      ],
    );
    // The speaker's own transcript has his words too.
    assert.match((await john.evaluate(`document.querySelector('un75-meeting').transcript('text')`)) as string, /John: Good morning everyone/);
  });

  test('a listener is told when a speaker has no speech recognition', async () => {
    await open(0, 'Chen', 'spoken-language=zh listen-language=zh', 'zh', noSpeechRecognition);
    const louise = people[1]!.page;
    await waitInPage(louise, `${overlayNotes}.includes('Pas de sous-titres pour Chen')`, 'the note about Chen');
    const chen = people.at(-1)!.page;
    await waitInPage(chen, `${overlayNotes}.includes('您的浏览器无法识别语音')`, 'Chen told that he has no captions');
  });
});
