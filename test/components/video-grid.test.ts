import { expect, fixture, html } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import '../../src/components/meeting/un75-meeting.js';
import type { Un75Meeting } from '../../src/components/meeting/meeting.js';
import type { Un75ParticipantTile } from '../../src/components/participant-tile/participant-tile.js';
import { fitTiles, mainTile } from '../../src/components/video-grid/video-grid.js';
import { AUTO_SPEAKER_VIEW_ABOVE, LAYOUTS } from '../../src/components/video-grid/video-grid.types.js';
import { LOCALES } from '../../src/i18n/localize.js';
import { joined, shadow, SIGNALING, uniqueRoom, until } from './helpers.js';

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

describe('mainTile (which tile the speaker view shows large)', () => {
  const me = { key: 'me', id: 'me', screen: false, self: true };
  const amina = { key: 'a', id: 'a', screen: false, self: false };
  const boris = { key: 'b', id: 'b', screen: false, self: false };
  const borisScreen = { key: 'b:screen', id: 'b', screen: true, self: false };
  const myScreen = { key: 'me:screen', id: 'me', screen: true, self: true };
  const crowd = (n: number) => Array.from({ length: n }, (_, i) => ({ key: `p${i}`, id: `p${i}`, screen: false, self: i === 0 }));

  it('shows the grid in `grid`, and in `auto` until a screen is shared or more than six people come', () => {
    expect(mainTile([me, amina, boris], { layout: 'grid', speaker: 'a' })).to.equal(undefined);
    expect(mainTile([me, amina, boris, borisScreen], { layout: 'grid' })).to.equal(undefined);
    expect(mainTile(crowd(AUTO_SPEAKER_VIEW_ABOVE), { layout: 'auto', speaker: 'p3' })).to.equal(undefined);
    expect(mainTile(crowd(AUTO_SPEAKER_VIEW_ABOVE + 1), { layout: 'auto', speaker: 'p3' })).to.equal('p3');
    expect(mainTile([me, amina, boris, borisScreen], { layout: 'auto', speaker: 'a' })).to.equal('b:screen');
  });

  it('in the speaker view: someone else’s screen first, then who had the floor, then the first other person', () => {
    expect(mainTile([me, amina, boris, borisScreen], { layout: 'speaker', speaker: 'a' })).to.equal('b:screen');
    expect(mainTile([me, amina, boris], { layout: 'speaker', speaker: 'b' })).to.equal('b');
    expect(mainTile([me, amina, boris], { layout: 'speaker' })).to.equal('a');
    // One's own camera and screen stay in the filmstrip: one does not need to watch oneself.
    expect(mainTile([me, myScreen, amina], { layout: 'speaker', speaker: 'me' })).to.equal('a');
    expect(mainTile([me], { layout: 'speaker' })).to.equal('me');
  });

  it('a pin wins in every layout, and counts for nothing once its tile is gone', () => {
    for (const layout of LAYOUTS) {
      expect(mainTile([me, amina, boris, borisScreen], { layout, pinned: 'a', speaker: 'b' })).to.equal('a');
      expect(mainTile([me, amina], { layout, pinned: 'me' })).to.equal('me');
    }
    expect(mainTile([me, amina], { layout: 'grid', pinned: 'b:screen' })).to.equal(undefined);
  });
});

describe('<un75-video-grid> in a call: speaker view, pin, right-to-left', () => {
  let a: Un75Meeting;
  let b: Un75Meeting;
  let wrapper: HTMLElement;

  const gridOf = (meeting: Un75Meeting) => shadow(meeting).querySelector('un75-video-grid')!;
  const tiles = (meeting: Un75Meeting) => [...shadow(gridOf(meeting)).querySelectorAll<Un75ParticipantTile>('un75-participant-tile')];
  const tileOf = (meeting: Un75Meeting, name: string) => tiles(meeting).find((t) => t.participant?.name === name && !t.screen);
  const mainOf = (meeting: Un75Meeting) => shadow(gridOf(meeting)).querySelector<Un75ParticipantTile>('[part~="main-view"] un75-participant-tile');
  const pinOf = (tile: Un75ParticipantTile | undefined) => shadow(tile).querySelector<HTMLButtonElement>('[part="pin"]')!;
  /** The element that has the keyboard focus, through shadow roots. */
  const focused = () => {
    let el: Element | null = document.activeElement;
    while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement;
    return el;
  };

  async function start(attrs: { layout: string; lang?: string }) {
    const room = uniqueRoom('layout');
    wrapper = await fixture(html`<div lang=${attrs.lang ?? 'en'} style="inline-size: 900px; block-size: 600px; display: flex; flex-direction: column">
      <un75-meeting id="a" autojoin room=${room} name="Amina" layout=${attrs.layout} camera-off signaling=${SIGNALING} style="flex: 1"></un75-meeting>
      <un75-meeting id="b" autojoin room=${room} name="Boris" mic-off camera-off signaling=${SIGNALING} style="display: none"></un75-meeting>
    </div>`);
    a = wrapper.querySelector('#a')!;
    b = wrapper.querySelector('#b')!;
    await Promise.all([joined(a), joined(b)]);
    await until(() => a.participants.length === 2 && b.participants.length === 2, 'both to see each other');
    await until(() => tiles(a).length === 2 && tiles(a).every((t) => t.pinnable), 'two pinnable tiles');
  }

  afterEach(async () => {
    await a?.leave();
    await b?.leave();
  });

  it('layout="speaker": the other person large above a filmstrip holding oneself, accessible', async () => {
    await start({ layout: 'speaker' });
    await until(() => mainOf(a)?.participant?.name === 'Boris', 'Boris in the main view');
    const filmstrip = shadow(gridOf(a)).querySelector('[part="filmstrip"]')!;
    expect([...filmstrip.querySelectorAll<Un75ParticipantTile>('un75-participant-tile')].map((t) => t.participant?.name)).to.deep.equal(['Amina']);
    expect(filmstrip.getAttribute('role')).to.equal('list');
    // Large: the main tile is several times the width of a filmstrip tile, and above it.
    const main = mainOf(a)!.getBoundingClientRect();
    const small = filmstrip.querySelector('un75-participant-tile')!.getBoundingClientRect();
    expect(main.width).to.be.greaterThan(small.width * 2);
    expect(main.bottom).to.be.at.most(small.top + 1);
    await expect(a).to.be.accessible();
  });

  it('pins by keyboard: Enter on a tile’s pin makes it large (aria-pressed), Space again returns to the grid', async () => {
    await start({ layout: 'auto' });
    // Two people, no screen: auto shows the grid.
    expect(mainOf(a)).to.equal(null);
    const boris = tileOf(a, 'Boris')!;
    expect(pinOf(boris).getAttribute('aria-pressed')).to.equal('false');
    expect(pinOf(boris).getAttribute('aria-label')).to.equal('Pin Boris');
    pinOf(boris).focus();
    await sendKeys({ press: 'Enter' });
    await until(() => mainOf(a)?.participant?.name === 'Boris', 'Boris pinned large');
    expect(gridOf(a).pinned).to.equal(boris.participant!.id);
    const pinned = mainOf(a)!;
    expect(pinOf(pinned).getAttribute('aria-pressed')).to.equal('true');
    // The tile moved to the main view; the keyboard focus moved with it.
    await until(() => focused() === pinOf(mainOf(a)!), 'the focus to stay on the pin toggle');
    await expect(a).to.be.accessible();
    await sendKeys({ press: 'Space' });
    await until(() => mainOf(a) === null, 'back to the grid');
    expect(pinOf(tileOf(a, 'Boris')).getAttribute('aria-pressed')).to.equal('false');
    await until(() => focused() === pinOf(tileOf(a, 'Boris')), 'the focus to stay on the pin toggle');
  });

  it('in Arabic, right to left: Arabic pin labels, the filmstrip and the tile’s controls mirrored', async () => {
    await start({ layout: 'speaker', lang: 'ar' });
    await until(() => mainOf(a)?.participant?.name === 'Boris', 'Boris in the main view');
    const main = mainOf(a)!;
    await main.updateComplete;
    expect(pinOf(main).getAttribute('aria-label')).to.equal(LOCALES.ar.pin('Boris'));
    const filmstrip = shadow(gridOf(a)).querySelector('[part="filmstrip"]')!;
    expect(getComputedStyle(filmstrip).direction).to.equal('rtl');
    expect(shadow(gridOf(a)).querySelector('[part~="main-view"]')!.getAttribute('aria-label')).to.equal(LOCALES.ar.mainView);
    // The pin sits at the inline end: on the left in right-to-left.
    const tile = main.getBoundingClientRect();
    const pin = pinOf(main).getBoundingClientRect();
    expect(pin.left - tile.left).to.be.lessThan(tile.right - pin.right);
    await expect(a).to.be.accessible();
  });
});
