import { expect, fixture, html, oneEvent } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import { ContextProvider } from '@lit/context';
import '../../src/components/captions/un75-captions.js';
import type { Un75Captions } from '../../src/components/captions/un75-captions.js';
import { meetingContext } from '../../src/components/context.js';
import type { Meeting } from '../../src/core/meeting.js';
import { CaptionService } from '../../src/core/captions.js';
import { breakLines, captionRows, lineLengthFor, visibleLength } from '../../src/core/caption-layout.js';
import { TranslationError } from '../../src/core/translation.js';
import { ControlledTranslator, FakeMessaging, participant, until } from '../core/caption-fakes.js';

const EN = 'The committee will now consider the draft resolution on climate finance and adaptation for small island states';
const AR = 'تنظر اللجنة الآن في مشروع القرار المتعلق بتمويل المناخ والتكيف في الدول الجزرية الصغيرة النامية';
const ZH = '委员会现在审议关于气候融资和小岛屿发展中国家适应问题的决议草案';
const RU = 'Комитет сейчас рассмотрит проект резолюции о климатическом финансировании и адаптации';

describe('caption layout', () => {
  it('gives Chinese about 16 characters a line and alphabetic scripts about 42', () => {
    expect(lineLengthFor('zh')).to.equal(16);
    expect(lineLengthFor('zh-Hant-TW')).to.equal(16);
    for (const tag of ['en', 'fr-CA', 'ar', 'ru', 'es']) expect(lineLengthFor(tag)).to.equal(42);
  });

  for (const [lang, text] of [
    ['en', EN],
    ['ar', AR],
    ['ru', RU],
  ] as const) {
    it(`breaks ${lang} between words, at most 42 characters a line`, () => {
      const lines = breakLines(text, lang);
      expect(lines.length).to.be.greaterThan(1);
      for (const line of lines) expect(visibleLength(line)).to.be.at.most(42);
      // Nothing lost, no word cut: the lines are the words in order.
      expect(lines.join(' ')).to.equal(text);
      // Greedy: each line but the last could not take the next word.
      lines.slice(0, -1).forEach((line, i) => {
        const nextWord = lines[i + 1]!.split(' ')[0]!;
        expect(visibleLength(`${line} ${nextWord}`)).to.be.greaterThan(42);
      });
    });
  }

  it('breaks Chinese with Intl.Segmenter at word boundaries, at most 16 characters a line', () => {
    const lines = breakLines(ZH, 'zh');
    expect(lines.length).to.be.greaterThan(1);
    for (const line of lines) expect([...line].length).to.be.at.most(16);
    expect(lines.join('')).to.equal(ZH);
    // Every break falls where the word segmenter puts a word boundary, never inside a word.
    const boundaries = new Set<number>();
    let at = 0;
    for (const { segment } of new Intl.Segmenter('zh', { granularity: 'word' }).segment(ZH)) boundaries.add((at += segment.length));
    let offset = 0;
    for (const line of lines.slice(0, -1)) expect(boundaries.has((offset += line.length))).to.be.true;
  });

  it('keeps punctuation with the word before it', () => {
    const lines = breakLines('Mr. President, distinguished delegates, ladies and gentlemen, good morning.', 'en', 20);
    for (const line of lines) expect(line).not.to.match(/^[,.]/);
  });

  it('cuts a word longer than a line', () => {
    const url = 'https://example.org/' + 'a'.repeat(60);
    const lines = breakLines(url, 'en');
    for (const line of lines) expect(line.length).to.be.at.most(42);
    expect(lines.join('')).to.equal(url);
  });

  it('returns the last lines, each with its speaker, and in bilingual mode the original under a translation', () => {
    const captions = [
      { key: 'a', speakerId: 'p1', speakerName: 'John', lang: 'en', text: EN, final: true },
      {
        key: 'b',
        speakerId: 'p2',
        speakerName: 'Amina',
        lang: 'ar',
        text: AR,
        final: false,
        translation: { lang: 'en', text: 'The committee now considers the draft' },
      },
    ];
    const rows = captionRows(captions, 2);
    expect(rows.map((r) => r.speakerName)).to.deep.equal(['John', 'Amina']);
    expect(rows[0]!.text).to.equal(breakLines(EN, 'en').at(-1));
    expect(rows[1]).to.deep.include({ lang: 'en', machineTranslated: true, final: false });
    expect(rows[1]!.original).to.be.undefined;
    const bilingual = captionRows(captions, 2, true);
    expect(bilingual[1]!.original).to.deep.equal({ lang: 'ar', text: AR });
  });
});

/** A listener's caption service fed by a fake session, as the meeting would provide it. */
function listener(listenLanguage = 'fr', translator = new ControlledTranslator()) {
  const messaging = new FakeMessaging('me', 'Louise');
  messaging.people.set('p1', participant('p1', 'Amina', 'ar'));
  messaging.people.set('p2', participant('p2', 'John', 'en'));
  messaging.people.set('p3', participant('p3', 'Wei', 'zh'));
  const service = new CaptionService(messaging, { spokenLanguage: listenLanguage, listenLanguage, recognizer: null, translator, interimDelay: 10 });
  let seq = 0;
  const say = (from: string, lang: string, text: string, final = true, id = `s${seq}`) =>
    messaging.deliver(from, { type: 'caption', id, seq: seq++, lang, text, final, t: Date.now() });
  return { messaging, service, say, translator };
}

const lines = (el: Un75Captions) => [...el.shadowRoot!.querySelectorAll<HTMLElement>('[part~="caption-line"]')];

describe('<un75-captions>', () => {
  it('renders nothing without a caption service', async () => {
    const el = await fixture<Un75Captions>(html`<un75-captions></un75-captions>`);
    expect(el.shadowRoot!.querySelector('[part="base"]')).to.be.null;
  });

  it('shows the last two lines, translated, with the speaker name on each and a machine-translation label', async () => {
    const { service, say } = listener('fr');
    const el = await fixture<Un75Captions>(html`<un75-captions lang="fr" .service=${service}></un75-captions>`);
    say('p2', 'en', 'Good morning');
    say('p1', 'ar', 'شكرا');
    say('p3', 'zh', '谢谢');
    await until(() => service.captions.length === 3);
    await el.updateComplete;
    const shown = lines(el);
    expect(shown).to.have.length(2);
    expect(shown.map((l) => l.querySelector('[part="speaker"]')!.textContent)).to.deep.equal(['Amina', 'Wei']);
    expect(shown.map((l) => l.querySelector('[part="text"]')!.textContent)).to.deep.equal(['fr:شكرا', 'fr:谢谢']);
    expect(shown.every((l) => l.lang === 'fr' && l.dir === 'ltr')).to.be.true;
    const label = shown[0]!.querySelector('[part="label"]') as HTMLElement;
    expect(label.title).to.equal('Traduction automatique');
    await expect(el).to.be.accessible();
  });

  it('lays an Arabic caption out right to left inside a left-to-right page', async () => {
    const { service, say } = listener('ar');
    const el = await fixture<Un75Captions>(html`<un75-captions lang="en" .service=${service}></un75-captions>`);
    say('p1', 'ar', AR);
    await until(() => service.captions.length === 1);
    await el.updateComplete;
    const shown = lines(el);
    expect(shown).to.have.length(2);
    for (const line of shown) {
      expect(line.dir).to.equal('rtl');
      expect(line.lang).to.equal('ar');
      expect(getComputedStyle(line).direction).to.equal('rtl');
      // The speaker comes first in reading order, so on the right.
      const speaker = line.querySelector('[part="speaker"]')!.getBoundingClientRect();
      const text = line.querySelector('[part="text"]')!.getBoundingClientRect();
      expect(speaker.left).to.be.greaterThan(text.left);
    }
    expect(shown[1]!.querySelector('[part="text"]')!.textContent).to.equal(breakLines(AR, 'ar').at(-1));
    await expect(el).to.be.accessible();
  });

  it('breaks a Chinese caption into short lines', async () => {
    const { service, say } = listener('zh');
    const el = await fixture<Un75Captions>(html`<un75-captions .service=${service}></un75-captions>`);
    say('p3', 'zh', ZH);
    await until(() => service.captions.length === 1);
    await el.updateComplete;
    const texts = lines(el).map((l) => l.querySelector('[part="text"]')!.textContent!);
    expect(texts).to.deep.equal(breakLines(ZH, 'zh').slice(-2));
    for (const text of texts) expect([...text].length).to.be.at.most(16);
  });

  it('shows interim words and replaces them by the final sentence', async () => {
    const { service, say } = listener('en');
    const el = await fixture<Un75Captions>(html`<un75-captions .service=${service}></un75-captions>`);
    say('p2', 'en', 'Good', false, 'x');
    await until(() => service.captions.length === 1);
    await el.updateComplete;
    expect(lines(el)[0]!.classList.contains('interim')).to.be.true;
    say('p2', 'en', 'Good morning all', true, 'x');
    await until(() => service.captions[0]!.final);
    await el.updateComplete;
    expect(lines(el)).to.have.length(1);
    expect(lines(el)[0]!.classList.contains('final')).to.be.true;
    expect(lines(el)[0]!.querySelector('[part="text"]')!.textContent).to.equal('Good morning all');
  });

  it('announces finished captions politely to screen readers, not interim words', async () => {
    const { service, say } = listener('fr');
    const el = await fixture<Un75Captions>(html`<un75-captions lang="fr" .service=${service}></un75-captions>`);
    say('p2', 'en', 'Half a sen', false, 'y');
    say('p1', 'ar', 'شكرا', true, 'z');
    await until(() => service.captions.length === 2 && service.captions.every((c) => c.translation));
    await el.updateComplete;
    const live = el.shadowRoot!.querySelector('[aria-live="polite"]')!;
    expect(live.textContent).to.include('Amina');
    expect(live.textContent).to.include('fr:شكرا');
    expect(live.textContent).to.include('(Traduction automatique)');
    expect(live.textContent).not.to.include('Half a sen');
    expect(el.shadowRoot!.querySelector('[part="captions"]')!.getAttribute('aria-hidden')).to.equal('true');
  });

  it('shows the original under the translation in bilingual mode', async () => {
    const { service, say } = listener('fr');
    const el = await fixture<Un75Captions>(html`<un75-captions bilingual .service=${service}></un75-captions>`);
    say('p1', 'ar', 'شكرا جزيلا');
    await until(() => service.captions.length === 1);
    await el.updateComplete;
    const original = el.shadowRoot!.querySelector<HTMLElement>('[part~="original"]')!;
    expect(original.textContent!.trim()).to.equal('شكرا جزيلا');
    expect(original.dir).to.equal('rtl');
    expect(lines(el)[0]!.querySelector('[part="text"]')!.textContent).to.equal('fr:شكرا جزيلا');
    await expect(el).to.be.accessible();
  });

  it('shows the original with a visible note when translation fails', async () => {
    const failing = new ControlledTranslator(() => new TranslationError('failed', 'server down'));
    const { service, say } = listener('fr', failing);
    const el = await fixture<Un75Captions>(html`<un75-captions lang="fr" .service=${service}></un75-captions>`);
    say('p2', 'en', 'Good morning');
    await until(() => service.captions.length === 1);
    await el.updateComplete;
    expect(lines(el)[0]!.querySelector('[part="text"]')!.textContent).to.equal('Good morning');
    expect(lines(el)[0]!.lang).to.equal('en');
    expect(lines(el)[0]!.querySelector('[part="label"]')).to.be.null;
    expect(el.shadowRoot!.querySelector('[part="notes"]')!.textContent).to.include('Échec de la traduction : texte original affiché');
  });

  it('offers the model download a browser translator waits for, from a click', async () => {
    let prepared = 0;
    const translator = Object.assign(new ControlledTranslator(() => new TranslationError('downloadable')), {
      prepare: async () => {
        prepared++;
      },
    });
    const { service, say } = listener('fr', translator);
    const el = await fixture<Un75Captions>(html`<un75-captions lang="fr" .service=${service}></un75-captions>`);
    say('p2', 'en', 'Good morning');
    await until(() => service.captions.length === 1);
    await el.updateComplete;
    expect(el.shadowRoot!.querySelector('[part="notes"]')!.textContent).to.include('télécharger un modèle');
    const button = el.shadowRoot!.querySelector<HTMLButtonElement>('[part~="download-model"]')!;
    button.focus();
    await sendKeys({ press: 'Enter' });
    await until(() => prepared === 1);
  });

  it('says which speakers have no captions, and when this person has none', async () => {
    const { service, messaging } = listener('en');
    const el = await fixture<Un75Captions>(html`<un75-captions .service=${service}></un75-captions>`);
    messaging.deliver('p1', { type: 'caption-status', lang: 'ar', state: 'unavailable' });
    messaging.deliver('p3', { type: 'caption-status', lang: 'zh', state: 'unavailable' });
    await service.start((await navigator.mediaDevices.getUserMedia({ audio: true })).getAudioTracks()[0]!);
    await el.updateComplete;
    const notes = el.shadowRoot!.querySelector('[part="notes"]')!;
    expect(notes.getAttribute('role')).to.equal('status');
    // Everyone who cannot be captioned, in one line: notes sit over the video.
    const silent = [...notes.querySelectorAll('p')].filter((p) => p.textContent!.startsWith('No captions'));
    expect(silent.map((p) => p.textContent)).to.deep.equal(['No captions for Amina and Wei: the browser cannot recognise speech.']);
    expect(notes.textContent).to.include('Your browser cannot recognise speech');
  });

  it('downloads the transcript from a keyboard-operated button', async () => {
    const { service, say } = listener('fr');
    const el = await fixture<Un75Captions>(html`<un75-captions lang="fr" .service=${service}></un75-captions>`);
    const button = el.shadowRoot!.querySelector<HTMLButtonElement>('[part~="download"]')!;
    expect(button.disabled).to.be.true;
    say('p2', 'en', 'Good morning');
    await until(() => service.captions.length === 1);
    await el.updateComplete;
    expect(button.disabled).to.be.false;
    expect(button.textContent!.trim()).to.equal('Télécharger la transcription');
    el.addEventListener('un75-transcript', (e) => e.preventDefault());
    button.focus();
    const event = oneEvent(el, 'un75-transcript');
    await sendKeys({ press: 'Enter' });
    const { detail } = await event;
    expect(detail.format).to.equal('vtt');
    expect(detail.language).to.equal('fr');
    expect(detail.text).to.match(/^WEBVTT\n/);
    expect(detail.text).to.include('<v John>fr:Good morning');
  });

  it('follows the page language and direction for its own UI', async () => {
    const { service, say } = listener('en');
    const wrapper = await fixture(html`<div lang="ar"><un75-captions .service=${service}></un75-captions></div>`);
    const el = wrapper.querySelector('un75-captions')!;
    say('p2', 'en', 'Hello');
    await until(() => service.captions.length === 1);
    await el.updateComplete;
    const base = el.shadowRoot!.querySelector<HTMLElement>('[part="base"]')!;
    expect(base.dir).to.equal('rtl');
    expect(base.getAttribute('aria-label')).to.equal('الترجمة النصية المباشرة');
    // The English caption keeps its own direction inside the Arabic UI.
    expect(lines(el)[0]!.dir).to.equal('ltr');
    await expect(el).to.be.accessible();
  });

  it('takes its service from an enclosing meeting through context', async () => {
    const { service, say } = listener('en');
    const host = await fixture<HTMLDivElement>(html`<div></div>`);
    // Only the part of a meeting the caption element reads.
    const meeting = Object.assign(new EventTarget(), { captions: service }) as unknown as Meeting;
    new ContextProvider(host, { context: meetingContext, initialValue: meeting });
    const el = document.createElement('un75-captions');
    host.append(el);
    say('p2', 'en', 'From context');
    await until(() => service.captions.length === 1);
    await el.updateComplete;
    expect(lines(el)[0]!.querySelector('[part="text"]')!.textContent).to.equal('From context');
  });

  it('drops lines that have lingered past their time', async () => {
    const { service, say } = listener('en');
    const el = await fixture<Un75Captions>(html`<un75-captions .linger=${0.1} .service=${service}></un75-captions>`);
    say('p2', 'en', 'Short-lived');
    await until(() => service.captions.length === 1);
    await el.updateComplete;
    expect(lines(el)).to.have.length(1);
    await until(() => lines(el).length === 0);
  });
});
