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

/** Columns for n tiles: as square a grid as possible, wider than tall. */
export function columnsFor(count: number, wide: boolean): number {
  if (count <= 1) return 1;
  const columns = Math.ceil(Math.sqrt(count));
  return wide ? columns : Math.min(columns, 2);
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
  #wide = true;

  /** Id of the <un75-meeting> to show, when the grid is not placed inside it. */
  for: string | null = null;

  override connectedCallback(): void {
    super.connectedCallback();
    this.#resizeObserver = new ResizeObserver(([entry]) => {
      const wide = (entry?.contentRect.width ?? 0) >= 600;
      if (wide !== this.#wide) {
        this.#wide = wide;
        this.requestUpdate();
      }
    });
    this.#resizeObserver.observe(this);
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
      <div part="base" role="list" aria-label=${t.participants(tiles.length)} style="--_columns: ${columnsFor(tiles.length, this.#wide)}">
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
