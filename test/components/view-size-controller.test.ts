// The size a tile reports to its sender (ViewSizeController), in a real page with real
// ResizeObserver and IntersectionObserver. What matters to a user: a video they can see is never
// reported hidden (its sender would pause it and the call would look frozen), and a page back from
// the background asks for video again at once.
import { expect, fixture, html } from '@open-wc/testing';
import { LitElement } from 'lit';
import type { ViewSize } from '../../src/core/view-hints.js';
import { ViewSizeController } from '../../src/components/view-size-controller.js';
import { until } from './helpers.js';

class ViewSizeProbe extends LitElement {
  reports: (ViewSize | null)[] = [];
  /** Reports made synchronously while the element was being connected and first rendered. */
  reportsBeforeMeasured = -1;

  constructor() {
    super();
    new ViewSizeController(this, () => this.renderRoot?.querySelector('div'), (size) => this.reports.push(size));
  }

  override firstUpdated() {
    // Same task as the first render: the observers have not delivered anything yet.
    this.reportsBeforeMeasured = this.reports.length;
  }

  override render() {
    return html`<div style="inline-size: 320px; block-size: 180px"></div>`;
  }
}
customElements.define('view-size-probe', ViewSizeProbe);

/** Makes the page look hidden or visible to the controller, as a background tab does. */
function setVisibility(state: DocumentVisibilityState | undefined) {
  if (state) Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => state });
  else delete (document as { visibilityState?: unknown }).visibilityState;
  document.dispatchEvent(new Event('visibilitychange'));
}

describe('ViewSizeController', () => {
  afterEach(() => setVisibility(undefined));

  it('says nothing until the tile is measured, then its size: never "hidden" for a tile in view', async () => {
    const el = await fixture<ViewSizeProbe>(html`<view-size-probe></view-size-probe>`);
    expect(el.reportsBeforeMeasured).to.equal(0);
    await until(() => el.reports.length > 0, 'a report');
    const ratio = devicePixelRatio || 1;
    expect(el.reports).to.deep.equal([{ width: Math.round(320 * ratio), height: Math.round(180 * ratio) }]);
  });

  it('reports hidden while the page is in the background and the size again as soon as it is back', async () => {
    const el = await fixture<ViewSizeProbe>(html`<view-size-probe></view-size-probe>`);
    await until(() => el.reports.length > 0, 'a report');
    const size = el.reports[0];
    setVisibility('hidden');
    expect(el.reports.at(-1)).to.equal(null);
    // Back in front: the last measured size, in the same task (no wait for the page to render).
    setVisibility('visible');
    expect(el.reports.at(-1)).to.deep.equal(size);
    expect(el.reports).to.have.length(3);
  });

  it('reports hidden when the tile is not displayed, and when it is removed', async () => {
    const el = await fixture<ViewSizeProbe>(html`<view-size-probe></view-size-probe>`);
    await until(() => el.reports.length > 0, 'a report');
    el.style.display = 'none';
    await until(() => el.reports.at(-1) === null, 'hidden');
    el.style.display = '';
    await until(() => el.reports.at(-1) !== null, 'shown again');
    el.remove();
    expect(el.reports.at(-1)).to.equal(null);
  });
});
