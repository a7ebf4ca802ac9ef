import { expect } from '@open-wc/testing';
import { breakLines, cachedSegmenters, SEGMENTER_CACHE_SIZE } from '../../src/core/caption-layout.js';

describe('segmenter cache', () => {
  it('stays small however many language tags peers use', () => {
    for (let i = 0; i < 500; i++) breakLines('two words', `en-x-${i.toString(36)}`);
    expect(cachedSegmenters()).to.equal(SEGMENTER_CACHE_SIZE);
    expect(breakLines('still works fine', 'en')).to.deep.equal(['still works fine']);
  });
});
