import { expect } from '@open-wc/testing';
import { fitTiles } from '../../src/components/video-grid/video-grid.js';

describe('fitTiles (the video grid layout)', () => {
  it('puts two people side by side in a wide, short room, and one above the other in a tall, narrow one', () => {
    expect(fitTiles(2, 1000, 300, 8).columns).to.equal(2);
    expect(fitTiles(2, 400, 900, 8).columns).to.equal(1);
  });

  it('never makes tiles taller than the room allows', () => {
    for (const count of [1, 2, 3, 5, 8]) {
      const { columns, tileWidth } = fitTiles(count, 900, 360, 8);
      const rows = Math.ceil(count / columns);
      expect(rows * (tileWidth * 9) / 16 + (rows - 1) * 8).to.be.at.most(360.001);
      expect(columns * tileWidth + (columns - 1) * 8).to.be.at.most(900.001);
    }
  });

  it('without a known height, makes as square a grid as the width allows', () => {
    expect(fitTiles(1, 800, 0, 8)).to.deep.equal({ columns: 1, tileWidth: 800 });
    expect(fitTiles(4, 808, 0, 8)).to.deep.equal({ columns: 2, tileWidth: 400 });
    expect(fitTiles(7, 800, 0, 8).columns).to.equal(3);
  });
});
