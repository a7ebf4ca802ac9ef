import { expect } from '@open-wc/testing';
import { cleanName } from '../../src/protocol/names.js';
import { MAX_NAME_LENGTH } from '../../src/protocol/signaling.js';
import { breakLines, cachedSegmenters, SEGMENTER_CACHE_SIZE } from '../../src/core/caption-layout.js';

describe('cleanName', () => {
  it('turns line breaks, controls and bidi formatting into single spaces', () => {
    expect(cleanName('Eve\r\n\u2028Mallory')).to.equal('Eve Mallory');
    expect(cleanName('\u202Eevil\u202C \u2066x\u2069 \u200F\u061Cy\u0085\u0007')).to.equal('evil x y');
    expect(cleanName('  ')).to.equal('');
  });

  it('keeps names in every script, right-to-left ones included', () => {
    for (const name of ['Amina Ben Saïd', 'أمينة', 'Мария', '王伟', 'José-María', 'Zoë 👩🏽‍💻']) expect(cleanName(name)).to.equal(name);
  });

  it('cuts names to the longest the server accepts, never inside a surrogate pair', () => {
    expect(cleanName('a'.repeat(200))).to.have.length(MAX_NAME_LENGTH);
    const cut = cleanName('a'.repeat(MAX_NAME_LENGTH - 1) + '😀');
    expect(cut).to.equal('a'.repeat(MAX_NAME_LENGTH - 1));
  });
});

describe('segmenter cache', () => {
  it('stays small however many language tags peers use', () => {
    for (let i = 0; i < 500; i++) breakLines('two words', `en-x-${i.toString(36)}`);
    expect(cachedSegmenters()).to.equal(SEGMENTER_CACHE_SIZE);
    expect(breakLines('still works fine', 'en')).to.deep.equal(['still works fine']);
  });
});
