import { LitElement, html } from 'lit';
import { repeat } from 'lit/directives/repeat.js';
import { LocalizeController } from '../../i18n/localize.js';
import '../../i18n/call-strings.js';
import { activeSpeakerPart, interpretationPart, sessionPart } from '../meeting-part-controller.js';
import type { Un75ParticipantTile } from '../participant-tile/participant-tile.js';
import '../participant-tile/un75-participant-tile.js';
import { styles } from './video-grid.styles.js';
import { AUTO_SPEAKER_VIEW_ABOVE, isLayout, type Layout } from './video-grid.types.js';

/** What decides where a tile goes: who it shows, and whether it is a screen or oneself. */
export interface StageCandidate {
  /** The person's id, or `id:screen` for their screen share. */
  key: string;
  id: string;
  screen: boolean;
  self: boolean;
}

interface TileModel extends StageCandidate {
  stream: MediaStream | undefined;
  interpreter: boolean;
}

/**
 * The key of the tile to show large, or undefined for the grid. In order: the pinned tile (in any
 * layout: pinning asks for it); in `grid`, or in `auto` without a screen share and with at most
 * AUTO_SPEAKER_VIEW_ABOVE people, nothing; else someone else's screen share; else `speaker` (the
 * last other person who had the floor); else the first other person; else oneself. One's own
 * camera and screen go large only when pinned: one sees them in the filmstrip.
 */
export function mainTile(
  tiles: readonly StageCandidate[],
  { layout, pinned, speaker }: { layout: Layout; pinned?: string | undefined; speaker?: string | undefined },
): string | undefined {
  if (pinned !== undefined && tiles.some((t) => t.key === pinned)) return pinned;
  if (layout === 'grid' || tiles.length === 0) return undefined;
  const people = tiles.filter((t) => !t.screen).length;
  if (layout === 'auto' && !tiles.some((t) => t.screen) && people <= AUTO_SPEAKER_VIEW_ABOVE) return undefined;
  const others = tiles.filter((t) => !t.self);
  return (
    others.find((t) => t.screen)?.key ??
    others.find((t) => !t.screen && t.id === speaker)?.key ??
    others.find((t) => !t.screen)?.key ??
    tiles[0]!.key
  );
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
 * @summary The participant tiles — one per person, one more per screen share — as a grid, or as
 * the speaker view: one large tile above a filmstrip of the others (`layout`, pin).
 *
 * @csspart base - The grid container; in the speaker view, the box holding `main-view` and `filmstrip`.
 * @csspart main-view - The speaker view's place for the large tile.
 * @csspart filmstrip - The speaker view's row of the other tiles (scrolls along the inline axis).
 * @csspart tile - Each participant tile (its own parts are re-exported as `tile-video`, `tile-name`, `tile-pin`, …).
 * @csspart main-tile - The large tile (also `tile`).
 * @csspart speaker-view - The speaker view's box (also `base`).
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
    layout: { reflect: true },
    pinned: { attribute: false },
  };

  readonly #localize = new LocalizeController(this);
  readonly #session = sessionPart(this);
  readonly #interpretation = interpretationPart(this);
  readonly #meeting = activeSpeakerPart(this);
  #resizeObserver: ResizeObserver | undefined;
  #observed: Element | undefined;
  #frame: number | undefined;
  /**
   * The room the speakers' grid has (its part="base") and the gap between its tiles, measured when
   * its size changes: reading the gap while rendering would make the browser compute the page's
   * styles there and then, in the middle of handling whatever caused the render (a newcomer's
   * arrival, just before their offer is answered).
   */
  #box = { width: 0, height: 0, gap: 8 };
  /** The last other person who had the floor: they stay large while oneself speaks. */
  #lastSpeaker: string | undefined;
  /** The tile whose pin toggle was just pressed: it keeps the focus when it moves. */
  #refocus: string | undefined;

  /** Id of the <un75-meeting> to show, when the grid is not placed inside it. */
  for: string | null = null;

  /** `auto` (default), `grid` or `speaker` (see LAYOUTS); anything else counts as `auto`. */
  layout: Layout = 'auto';

  /**
   * The tile pinned by this viewer (a participant id, or `id:screen` for a screen share): shown
   * large whatever the layout and whoever speaks. Cleared when that tile goes.
   */
  pinned: string | undefined;

  override connectedCallback(): void {
    super.connectedCallback();
    this.#resizeObserver = new ResizeObserver(([entry]) => {
      const { width, height } = entry!.contentRect;
      const gap = parseFloat(getComputedStyle(entry!.target).columnGap) || 0;
      if (Math.abs(width - this.#box.width) < 1 && Math.abs(height - this.#box.height) < 1 && gap === this.#box.gap) return;
      this.#box = { width, height, gap };
      // Re-sized tiles can change the grid's own box when its height follows its content (a
      // meeting without a set height): rendering them inside this callback would resize what is
      // observed while the browser delivers notifications, a "ResizeObserver loop". The next
      // frame measures again instead.
      if (this.#frame === undefined) {
        this.#frame = requestAnimationFrame(() => {
          this.#frame = undefined;
          this.requestUpdate();
        });
      }
    });
    if (this.hasUpdated) this.#observeBase();
  }

  override updated(): void {
    this.#observeBase();
    const key = this.#refocus;
    this.#refocus = undefined;
    if (key !== undefined) {
      const tile = [...this.renderRoot.querySelectorAll<Un75ParticipantTile>('un75-participant-tile')].find((t) => t.dataset['key'] === key);
      void tile?.focusPin();
    }
  }

  /** The grid's box is measured; the speaker view replaces it with another element. */
  #observeBase() {
    const base = this.renderRoot.querySelector('[part~="base"]') ?? undefined;
    if (base === this.#observed) return;
    if (this.#observed) this.#resizeObserver?.unobserve(this.#observed);
    this.#observed = base;
    if (base) this.#resizeObserver?.observe(base);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#resizeObserver?.disconnect();
    this.#observed = undefined;
    if (this.#frame !== undefined) cancelAnimationFrame(this.#frame);
    this.#frame = undefined;
  }

  #tiles(): TileModel[] {
    const session = this.#session.value;
    if (!session) return [];
    const tiles: TileModel[] = [];
    for (const p of session.participants) {
      const streams = p.isSelf ? { camera: session.localStream, screen: session.screenStream } : session.streamsOf(p.id);
      const interpreter = p.role === 'interpreter';
      const self = p.isSelf;
      tiles.push({ key: p.id, id: p.id, stream: streams.camera, screen: false, self, interpreter });
      if (streams.screen) tiles.push({ key: `${p.id}:screen`, id: p.id, stream: streams.screen, screen: true, self, interpreter: false });
    }
    return tiles;
  }

  #layout(count: number): string {
    const { columns, tileWidth } = fitTiles(count, this.#box.width, this.#box.height, this.#box.gap);
    return tileWidth > 0 ? `--_columns: ${columns}; --_tile: ${Math.floor(tileWidth)}px` : `--_columns: ${columns}`;
  }

  override willUpdate(): void {
    const session = this.#session.value;
    const speaker = this.#meeting.meeting?.activeSpeaker;
    if (speaker !== undefined && speaker !== session?.selfId) this.#lastSpeaker = speaker;
    // A pin outlives nothing: the person or the screen gone, the view returns to the layout.
    if (this.pinned !== undefined && session?.state === 'joined' && !this.#tiles().some((tile) => tile.key === this.pinned)) this.pinned = undefined;
  }

  #onPin(key: string, event: CustomEvent<{ pinned: boolean }>) {
    event.stopPropagation();
    this.pinned = event.detail.pinned ? key : undefined;
    this.#refocus = key;
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
    const layout = isLayout(this.layout) ? this.layout : 'auto';
    const main = mainTile(tiles, { layout, pinned: this.pinned, speaker: this.#lastSpeaker });
    const tile = (model: TileModel, part: string) => html`
      <un75-participant-tile
        role="listitem"
        part=${part}
        data-key=${model.key}
        exportparts="base: tile-base, video: tile-video, name: tile-name, mic-off: tile-mic-off, state: tile-state, hand: tile-hand, badge: tile-badge, pin: tile-pin"
        .participant=${session!.participant(model.id)}
        .stream=${model.stream}
        .channel=${channels.find((c) => c.interpreterId === model.id)?.lang}
        ?screen=${model.screen}
        ?speaking=${!model.screen && !model.interpreter && session!.isSpeaking(model.id)}
        ?pinnable=${!model.interpreter && tiles.length > 1}
        ?pinned=${model.key === this.pinned}
        @un75-pin=${(event: CustomEvent<{ pinned: boolean }>) => this.#onPin(model.key, event)}
      ></un75-participant-tile>
    `;
    const large = tiles.find((model) => model.key === main);
    const strip = tiles.filter((model) => model !== large);
    return html`
      ${large
        ? html`<div part="base speaker-view">
            <div part="main-view" role="list" aria-label=${t.mainView}>${tile(large, 'tile main-tile')}</div>
            ${strip.length
              ? html`<div part="filmstrip" role="list" aria-label=${t.participants(strip.length)}>
                  ${repeat(strip, (model) => model.key, (model) => tile(model, 'tile'))}
                </div>`
              : ''}
          </div>`
        : html`<div part="base" role="list" aria-label=${t.participants(tiles.length)} style=${this.#layout(tiles.length)}>
            ${repeat(tiles, (model) => model.key, (model) => tile(model, 'tile'))}
          </div>`}
      ${interpreters.length
        ? html`<div part="interpreters" role="list" aria-label=${t.interpreters}>
            ${repeat(interpreters, (model) => model.key, (model) => tile(model, 'tile interpreter-tile'))}
          </div>`
        : ''}
      ${alone ? html`<p class="waiting" role="status">${t.waitingForOthers}</p>` : ''}
    `;
  }
}
