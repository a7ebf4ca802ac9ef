import { expect, fixture, html, oneEvent } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import '../../src/components/language-picker/un75-language-picker.js';
import type { Un75LanguagePicker } from '../../src/components/language-picker/un75-language-picker.js';
import { parseLanguageList } from '../../src/components/language-picker/language-picker.js';
import { CaptionService } from '../../src/core/captions.js';
import { ControlledTranslator, FakeMessaging, participant, until } from '../core/caption-fakes.js';

const select = (el: Un75LanguagePicker, which: 'listen' | 'spoken') =>
  el.shadowRoot!.querySelector<HTMLSelectElement>(`[part~="${which}-picker"]`)!;

const optionsOf = (s: HTMLSelectElement) => [...s.options].map((o) => [o.value, o.textContent, o.lang]);

describe('<un75-language-picker>', () => {
  it('offers the six UN languages, each named in itself, plus the ones asked for', async () => {
    const el = await fixture<Un75LanguagePicker>(
      html`<un75-language-picker lang="en" listen-language="fr" spoken-language="en" languages="sw pt-BR not_a_tag! fr"></un75-language-picker>`,
    );
    expect(optionsOf(select(el, 'listen'))).to.deep.equal([
      ['ar', 'العربية', 'ar'],
      ['zh', '中文', 'zh'],
      ['en', 'English', 'en'],
      ['fr', 'Français', 'fr'],
      ['ru', 'Русский', 'ru'],
      ['es', 'Español', 'es'],
      ['sw', 'Kiswahili', 'sw'],
      ['pt-BR', 'Português (Brasil)', 'pt-BR'],
    ]);
    expect(select(el, 'listen').value).to.equal('fr');
    expect(select(el, 'spoken').value).to.equal('en');
    const arabic = select(el, 'listen').options[0]!;
    expect(arabic.dir).to.equal('rtl');
    await expect(el).to.be.accessible();
  });

  it('selects the offered language for a regional tag, and adds a language it does not offer', async () => {
    const el = await fixture<Un75LanguagePicker>(html`<un75-language-picker listen-language="fr-CA" spoken-language="de"></un75-language-picker>`);
    expect(select(el, 'listen').value).to.equal('fr');
    expect(select(el, 'spoken').value).to.equal('de');
    expect(select(el, 'spoken').selectedOptions[0]!.textContent).to.equal('Deutsch');
  });

  it('is operated with the keyboard and says what was chosen', async () => {
    const el = await fixture<Un75LanguagePicker>(html`<un75-language-picker listen-language="en" spoken-language="en"></un75-language-picker>`);
    select(el, 'listen').focus();
    const changed = oneEvent(el, 'un75-language-change');
    await sendKeys({ press: 'ArrowDown' });
    const { detail } = await changed;
    expect(detail).to.deep.equal({ listenLanguage: 'fr', spokenLanguage: 'en', changed: 'listen' });
    expect(el.listenLanguage).to.equal('fr');
    expect(el.getAttribute('listen-language')).to.equal('fr');
  });

  it('re-translates the captions on screen when the listening language changes', async () => {
    const messaging = new FakeMessaging('me', 'Louise');
    messaging.people.set('p1', participant('p1', 'Amina', 'ar'));
    const translator = new ControlledTranslator();
    const service = new CaptionService(messaging, { spokenLanguage: 'en', listenLanguage: 'fr', recognizer: null, translator });
    messaging.deliver('p1', { type: 'caption', id: 'a', seq: 0, lang: 'ar', text: 'شكرا', final: true, t: Date.now() });
    await until(() => service.captions[0]?.translation?.lang === 'fr');

    const el = await fixture<Un75LanguagePicker>(html`<un75-language-picker .service=${service}></un75-language-picker>`);
    expect(select(el, 'listen').value).to.equal('fr');
    select(el, 'listen').focus();
    await sendKeys({ press: 'ArrowDown' }); // fr → ru
    await until(() => service.captions[0]?.translation?.lang === 'ru');
    expect(service.listenLanguage).to.equal('ru');
    expect(service.captions[0]!.translation!.text).to.equal('ru:شكرا');

    select(el, 'spoken').focus();
    await sendKeys({ press: 'ArrowUp' }); // en → zh
    expect(service.spokenLanguage).to.equal('zh');
    service.dispose();
  });

  it('follows a caption service changed elsewhere', async () => {
    const service = new CaptionService(new FakeMessaging('me'), { spokenLanguage: 'en', listenLanguage: 'en', recognizer: null });
    const el = await fixture<Un75LanguagePicker>(html`<un75-language-picker .service=${service}></un75-language-picker>`);
    service.listenLanguage = 'ar';
    await el.updateComplete;
    expect(select(el, 'listen').value).to.equal('ar');
  });

  it('finds the meeting named by its for attribute', async () => {
    const service = new CaptionService(new FakeMessaging('me'), { spokenLanguage: 'es', listenLanguage: 'zh', recognizer: null });
    const wrapper = await fixture(html`<div>
      <div id="m"></div>
      <un75-language-picker for="m"></un75-language-picker>
    </div>`);
    const meeting = wrapper.querySelector('#m') as HTMLElement & { core?: unknown };
    // Only the part of a meeting's core the picker reads.
    meeting.core = Object.assign(new EventTarget(), { captions: service, languages: { spoken: 'es', listen: 'zh', floorVolume: 0.2 } });
    const el = wrapper.querySelector('un75-language-picker')!;
    // The picker was connected before the meeting had its core: the meeting announces it.
    meeting.dispatchEvent(new Event('un75-meeting-ready', { bubbles: true, composed: true }));
    await el.updateComplete;
    expect(select(el, 'listen').value).to.equal('zh');
    expect(select(el, 'spoken').value).to.equal('es');
  });

  it('binds to another meeting when its for attribute changes', async () => {
    const core = (listen: string) =>
      Object.assign(new EventTarget(), { captions: new CaptionService(new FakeMessaging('me'), { spokenLanguage: 'en', listenLanguage: listen, recognizer: null }), languages: { spoken: 'en', listen, floorVolume: 0.2 } });
    const wrapper = await fixture(html`<div>
      <div id="a"></div>
      <div id="b"></div>
      <un75-language-picker for="a"></un75-language-picker>
    </div>`);
    Object.assign(wrapper.querySelector('#a')!, { core: core('ru') });
    Object.assign(wrapper.querySelector('#b')!, { core: core('ar') });
    const el = wrapper.querySelector('un75-language-picker')!;
    wrapper.querySelector('#a')!.dispatchEvent(new Event('un75-meeting-ready', { bubbles: true, composed: true }));
    await el.updateComplete;
    expect(select(el, 'listen').value).to.equal('ru');
    el.setAttribute('for', 'b');
    await el.updateComplete;
    await el.updateComplete;
    expect(select(el, 'listen').value).to.equal('ar');
  });

  it('is labelled in the page language, right to left in Arabic', async () => {
    const wrapper = await fixture(html`<div lang="ar"><un75-language-picker listen-language="en"></un75-language-picker></div>`);
    const el = wrapper.querySelector('un75-language-picker')!;
    const base = el.shadowRoot!.querySelector<HTMLElement>('[part="base"]')!;
    expect(base.dir).to.equal('rtl');
    expect(getComputedStyle(base).direction).to.equal('rtl');
    const labels = [...el.shadowRoot!.querySelectorAll('[part="label"]')].map((l) => l.textContent);
    expect(labels).to.deep.equal(['أستمع بلغة', 'أتحدث بلغة']);
    // Language names stay in their own language whatever the UI language.
    expect(select(el, 'listen').selectedOptions[0]!.textContent).to.equal('English');
    await expect(el).to.be.accessible();
  });

  it('can offer the listening language only', async () => {
    const el = await fixture<Un75LanguagePicker>(html`<un75-language-picker no-spoken></un75-language-picker>`);
    expect(el.shadowRoot!.querySelector('[part~="spoken-picker"]')).to.be.null;
    expect(select(el, 'listen')).to.exist;
  });

  it('parses a language list, ignoring what is not a language tag', () => {
    expect(parseLanguageList('sw, pt-br  EN x!y sw')).to.deep.equal(['sw', 'pt-BR', 'en']);
    expect(parseLanguageList(undefined)).to.deep.equal([]);
  });
});
