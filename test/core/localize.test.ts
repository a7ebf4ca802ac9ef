import { expect } from '@open-wc/testing';
import { directionOf, languageName, LOCALES, resolveLocale, UN_LANGUAGES } from '../../src/i18n/localize.js';
import '../../src/i18n/call-strings.js';

describe('UI languages', () => {
  it('has the six UN languages, Arabic right-to-left', () => {
    expect(Object.keys(LOCALES).sort()).to.deep.equal([...UN_LANGUAGES].sort());
    for (const code of UN_LANGUAGES) expect(LOCALES[code].$dir).to.equal(code === 'ar' ? 'rtl' : 'ltr');
  });

  it('translates every string: no locale repeats the English text of a sentence', () => {
    const en = LOCALES.en as unknown as Record<string, unknown>;
    for (const code of UN_LANGUAGES.filter((c) => c !== 'en')) {
      const other = LOCALES[code] as unknown as Record<string, unknown>;
      for (const [key, value] of Object.entries(en)) {
        // Single words may rightly be the same ("Original" in French); sentences may not.
        if (key.startsWith('$') || typeof value !== 'string' || !value.includes(' ')) continue;
        expect(other[key], `${code}.${key}`).to.not.equal(value);
      }
    }
  });

  it('picks the locale from a regional tag, English for languages it lacks', () => {
    expect(resolveLocale('fr-CA').$code).to.equal('fr');
    expect(resolveLocale('zh-Hant-TW').$code).to.equal('zh');
    expect(resolveLocale('sw').$code).to.equal('en');
    expect(resolveLocale(undefined).$code).to.equal('en');
  });

  it('names languages in themselves and knows their direction', () => {
    expect(languageName('ar')).to.equal('العربية');
    expect(languageName('zh')).to.equal('中文');
    expect(languageName('ru')).to.equal('Русский');
    expect(languageName('es', 'fr')).to.equal('Espagnol');
    expect(directionOf('ar')).to.equal('rtl');
    expect(directionOf('ar-EG')).to.equal('rtl');
    expect(directionOf('fr')).to.equal('ltr');
  });

  it('names each UN language in itself exactly as the browser’s own language names do', () => {
    for (const tag of UN_LANGUAGES) {
      const own = new Intl.DisplayNames([tag], { type: 'language' }).of(tag)!;
      expect(languageName(tag), tag).to.equal(own.charAt(0).toLocaleUpperCase(tag) + own.slice(1));
    }
  });

  it('uses each language’s plural rules', () => {
    expect(LOCALES.ru.participants(3)).to.equal('3 участника');
    expect(LOCALES.ru.participants(5)).to.equal('5 участников');
    expect(LOCALES.ar.participants(2)).to.equal('مشاركان');
    expect(LOCALES.en.participants(1)).to.equal('1 participant');
  });
});
