import { LitElement, html } from 'lit';
import { repeat } from 'lit/directives/repeat.js';
import { LocalizeController } from '../../i18n/localize.js';
import { interpretationPart, sessionPart } from '../meeting-part-controller.js';
import '../participant-tile/un75-participant-tile.js';
import { styles } from './video-grid.styles.js';

interface TileModel {
  key: string;
  id: string;
  stream: MediaStream | undefined;
  screen: boolean;
  interpreter: boolean;
}

/**
 * The column count and tile width that show `count` 16:9 tiles as large as possible in a
 * `width` × `height` box (without a height, the width alone decides: as square a grid as possible).
 */
export function fitTiles(count: number, width: number, height: number, gap: number): { columns: number; tileWidth: number } {
  const n = Math.max(1, count);
  if (!(height > 0)) {
    const columns = n === 1 ? 1 : Math.ceil(Math.sqrt(n));
    return { columns, tileWidth: (width - gap * (columns - 1)) / columns };
  }
  let best = { columns: 1, tileWidth: 0 };
  for (let columns = 1; columns <= n; columns++) {
    const rows = Math.ceil(n / columns);
    const tileWidth = Math.min((width - gap * (columns - 1)) / columns, ((height - gap * (rows - 1)) / rows) * (16 / 9));
    if (tileWidth > best.tileWidth) best = { columns, tileWidth };
  }
  return best;
}

/**
 * @tag un75-video-grid
 * @summary The grid of participant tiles: one per person, one more per screen share.
 *
 * @csspart base - The grid container.
 * @csspart tile - Each participant tile (its own parts are re-exported as `tile-video`, `tile-name`, …).
 * @csspart interpreters - The strip of interpreters' tiles, apart from the speakers.
 * @csspart interpreter-tile - Each interpreter's tile (also `tile`).
 *
 * @cssprop [--un75-gap=8px] - Space between tiles.
 * @cssprop [--un75-muted=#aab3c0] - Secondary text (hints, states).
 */
export class Un75VideoGrid extends LitElement {
  static override styles = styles;

  static override properties = {
    for: { reflect: true },
  };

  readonly #localize = new LocalizeController(this);
  readonly #session = sessionPart(this);
  readonly #interpretation = interpretationPart(this);
  #resizeObserver: ResizeObserver | undefined;
  /** The room the speakers' grid has (its part="base"), measured. */
  #box = { width: 0, height: 0 };

  /** Id of the <un75-meeting> to show, when the grid is not placed inside it. */
  for: string | null = null;

  override connectedCallback(): void {
    super.connectedCallback();
    this.#resizeObserver = new ResizeObserver(([entry]) => {
      const { width, height } = entry!.contentRect;
      if (Math.abs(width - this.#box.width) < 1 && Math.abs(height - this.#box.height) < 1) return;
      this.#box = { width, height };
      this.requestUpdate();
    });
    if (this.hasUpdated) this.#observeBase();
  }

  override firstUpdated(): void {
    this.#observeBase();
  }

  #observeBase() {
    const base = this.renderRoot.querySelector('[part="base"]');
    if (base) this.#resizeObserver?.observe(base);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#resizeObserver?.disconnect();
  }

  #tiles(): TileModel[] {
    const session = this.#session.value;
    if (!session) return [];
    const tiles: TileModel[] = [];
    for (const p of session.participants) {
      const streams = p.isSelf ? { camera: session.localStream, screen: session.screenStream } : session.streamsOf(p.id);
      const interpreter = p.role === 'interpreter';
      tiles.push({ key: p.id, id: p.id, stream: streams.camera, screen: false, interpreter });
      if (streams.screen) tiles.push({ key: `${p.id}:screen`, id: p.id, stream: streams.screen, screen: true, interpreter: false });
    }
    return tiles;
  }

  #layout(count: number): string {
    const base = this.renderRoot.querySelector('[part="base"]');
    const gap = base ? parseFloat(getComputedStyle(base).columnGap) || 0 : 8;
    const { columns, tileWidth } = fitTiles(count, this.#box.width, this.#box.height, gap);
    return tileWidth > 0 ? `--_columns: ${columns}; --_tile: ${Math.floor(tileWidth)}px` : `--_columns: ${columns}`;
  }

  override render() {
    const session = this.#session.value;
    const all = this.#tiles();
    // Interpreters are not speakers of the dialogue: they sit apart, in a strip of small marked tiles.
    const tiles = all.filter((tile) => !tile.interpreter);
    const interpreters = all.filter((tile) => tile.interpreter);
    const channels = this.#interpretation.value?.channels ?? [];
    const { t } = this.#localize;
    const alone = session?.state === 'joined' && session.participants.length === 1;
    const tile = (model: TileModel, part: string) => html`
      <un75-participant-tile
        role="listitem"
        part=${part}
        exportparts="base: tile-base, video: tile-video, name: tile-name, mic-off: tile-mic-off, state: tile-state, hand: tile-hand, badge: tile-badge"
        .participant=${session!.participant(model.id)}
        .stream=${model.stream}
        .channel=${channels.find((c) => c.interpreterId === model.id)?.lang}
        ?screen=${model.screen}
        ?speaking=${!model.screen && !model.interpreter && session!.isSpeaking(model.id)}
      ></un75-participant-tile>
    `;
    return html`
      <div part="base" role="list" aria-label=${t.participants(tiles.length)} style=${this.#layout(tiles.length)}>
        ${repeat(tiles, (model) => model.key, (model) => tile(model, 'tile'))}
      </div>
      ${interpreters.length
        ? html`<div part="interpreters" role="list" aria-label=${t.interpreters}>
            ${repeat(interpreters, (model) => model.key, (model) => tile(model, 'tile interpreter-tile'))}
          </div>`
        : ''}
      ${alone ? html`<p class="waiting" role="status">${t.waitingForOthers}</p>` : ''}
    `;
  }
}
