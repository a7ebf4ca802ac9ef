import { expect } from '@open-wc/testing';
import { directionOf, primarySubtag, sameLanguage, sameSpokenLanguage, translationTag } from '../../src/core/language.js';
import { sameChannel } from '../../src/core/interpretation.js';
import { directionOf as i18nDirectionOf } from '../../src/i18n/localize.js';

describe('language facts', () => {
  it('keeps the primary language, and the script for Traditional Chinese', () => {
    expect(translationTag('en-GB')).to.equal('en');
    expect(translationTag('fr')).to.equal('fr');
    expect(translationTag('zh-CN')).to.equal('zh');
    expect(translationTag('zh-TW')).to.equal('zh-Hant');
    expect(translationTag('zh-HK')).to.equal('zh-Hant');
    expect(translationTag('zh-Hant')).to.equal('zh-Hant');
    expect(translationTag('zh-SG')).to.equal('zh');
    expect(translationTag('ar-EG')).to.equal('ar');
    expect(translationTag('not a tag!')).to.equal('not a tag!');
  });

  it('gives Arabic, English, French, Russian and Spanish tags the language Intl.Locale gives them', () => {
    // Those five skip Intl.Locale#maximize (its data costs the first call milliseconds): same answers.
    const tags = ['ar', 'ar-EG', 'ar-Latn', 'en', 'en-US', 'en-GB', 'en-Dsrt', 'es-419', 'es-MX', 'fr', 'fr-CA', 'fr-Latn-CH', 'ru', 'ru-Latn-RU', 'ru-UA', 'en-x-1a'];
    for (const tag of tags) expect(translationTag(tag), tag).to.equal(new Intl.Locale(tag).maximize().language);
  });

  it('gives the common Chinese tags the written language Intl.Locale gives them', () => {
    // Those skip Intl.Locale#maximize too (every picker offers zh): same answers.
    const tags = ['zh', 'zh-CN', 'zh-SG', 'zh-Hans', 'zh-Hans-CN', 'zh-Hans-SG', 'zh-TW', 'zh-HK', 'zh-MO', 'zh-Hant', 'zh-Hant-TW', 'zh-Hant-HK', 'zh-Hant-MO', 'ZH-hk'];
    for (const tag of tags) {
      const locale = new Intl.Locale(tag).maximize();
      expect(translationTag(tag), tag).to.equal(locale.language === 'zh' && locale.script === 'Hant' ? 'zh-Hant' : locale.language);
    }
  });

  it('treats Traditional and Simplified Chinese as different written languages, regions of others as the same', () => {
    expect(sameLanguage('en-US', 'en-GB')).to.be.true;
    expect(sameLanguage('fr-CA', 'fr')).to.be.true;
    expect(sameLanguage('zh-CN', 'zh-TW')).to.be.false;
    expect(sameLanguage('zh', 'zh-Hans')).to.be.true;
    expect(sameLanguage('zh-TW', 'zh-Hant-HK')).to.be.true;
    expect(sameLanguage('ar', 'fr')).to.be.false;
  });

  it('matches spoken languages (interpretation channels) on the primary language only', () => {
    expect(primarySubtag('fr-CA')).to.equal('fr');
    expect(primarySubtag('zh_Hant')).to.equal('zh');
    expect(sameSpokenLanguage('zh-TW', 'zh')).to.be.true;
    expect(sameSpokenLanguage('fr-CA', 'fr')).to.be.true;
    expect(sameSpokenLanguage('en', 'es')).to.be.false;
    // The interpretation module uses exactly this rule, not a copy.
    expect(sameChannel).to.equal(sameSpokenLanguage);
  });

  it('knows the direction of every UN language, and the i18n module uses the same function', () => {
    expect(directionOf('ar')).to.equal('rtl');
    expect(directionOf('ar-EG')).to.equal('rtl');
    expect(directionOf('he')).to.equal('rtl');
    for (const tag of ['en', 'fr', 'es', 'ru', 'zh', 'zh-TW']) expect(directionOf(tag)).to.equal('ltr');
    expect(i18nDirectionOf).to.equal(directionOf);
  });
});
