import { ContextConsumer } from '@lit/context';
import { LitElement, html, nothing } from 'lit';
import { guard } from 'lit/directives/guard.js';
import type { Participant } from '../../core/types.js';
import { LocalizeController } from '../../i18n/localize.js';
import '../../i18n/call-strings.js';
import { meetingContext } from '../context.js';
import { handIcon, micOffIcon, pinIcon } from '../icons.js';
import { ViewSizeController } from '../view-size-controller.js';
import { personName, sentence } from '../written.js';
import { styles } from './participant-tile.styles.js';

/**
 * @tag un75-participant-tile
 * @summary One person's video with their name, a microphone-off mark and a speaking outline.
 *
 * @csspart base - The tile's frame.
 * @csspart video - The video element.
 * @csspart name - The name label.
 * @csspart mic-off - The microphone-off mark inside the name label.
 * @csspart state - The connection state label, shown while not connected.
 * @csspart hand - The raised-hand mark.
 * @csspart badge - "Interpreter" (or the channel they interpret into) on an interpreter's tile.
 * @csspart pin - The pin toggle (with `pinnable`): `aria-pressed` says whether the tile is pinned.
 *
 * @fires un75-pin - The pin toggle was pressed. Detail: `{ pinned }`, the state asked for; the
 * grid decides (it sets `pinned`).
 *
 * @cssprop [--un75-speaking=#3ddc84] - Outline colour while the person speaks.
 * @cssprop [--un75-radius=12px] - Corner radius.
 * @cssprop [--un75-interpreter=#5e35b1] - Background of the interpreter badge on a tile.
 */
export class Un75ParticipantTile extends LitElement {
  static override styles = styles;

  static override properties = {
    participant: { attribute: false },
    stream: { attribute: false },
    speaking: { type: Boolean, reflect: true },
    channel: { attribute: false },
    screen: { type: Boolean, reflect: true },
    pinnable: { type: Boolean, reflect: true },
    pinned: { type: Boolean, reflect: true },
  };

  readonly #localize = new LocalizeController(this);
  readonly #meeting = new ContextConsumer(this, { context: meetingContext, subscribe: true });

  /** The person shown. */
  participant: Participant | undefined;

  /** Their camera (or screen) stream. Only the video: the session plays every voice (AudioRouter). */
  stream: MediaStream | undefined;

  /** Whether they are speaking now (from the audio level). */
  speaking = false;

  /** For an interpreter on air: the language of their channel. */
  channel: string | undefined;

  /** This tile shows a screen share rather than a camera. */
  screen = false;

  constructor() {
    super();
    // The size the video is shown at goes to its sender, which scales or pauses its video to us.
    new ViewSizeController(this, () => this.renderRoot?.querySelector('video'), (size) => {
      if (this.participant && !this.participant.isSelf) this.#meeting.value?.setViewSize(this.participant.id, size, this.screen ? 'screen' : 'camera');
    });
  }

  /** Shows a pin toggle (the grid sets it on the tiles it can show large). */
  pinnable = false;

  /** This tile is pinned: shown large whoever speaks. */
  pinned = false;

  /** Moves the keyboard focus to the pin toggle (the grid does, when a pinned tile moves). */
  async focusPin(): Promise<void> {
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLButtonElement>('[part="pin"]')?.focus();
  }

  #togglePin() {
    this.dispatchEvent(new CustomEvent('un75-pin', { detail: { pinned: !this.pinned }, bubbles: true, composed: true }));
  }

  override render() {
    const { t } = this.#localize;
    const p = this.participant;
    if (!p) return nothing;
    const label = this.screen ? t.screen(p.name) : p.isSelf ? t.you(p.name) : p.name;
    // What the name plate shows: the same, with the name isolated in its own direction.
    const plate = this.screen ? sentence(t.screen, p.name) : personName(t, p.name, p.isSelf);
    const showVideo = this.screen || p.cameraEnabled;
    const state = p.connectionState === 'connecting' ? t.connecting : p.connectionState === 'reconnecting' ? t.reconnecting : '';
    return html`
      <figure part="base" aria-label=${label} style="margin: 0" data-id=${p.id}>
        <video
          part="video"
          class=${p.isSelf && !this.screen ? 'mirror' : ''}
          .srcObject=${guard([this.stream], () => this.stream ?? null)}
          .muted=${true}
          ?hidden=${!showVideo}
          autoplay
          playsinline
          aria-hidden="true"
        ></video>
        ${showVideo ? nothing : html`<div class="avatar" aria-hidden="true"><span>${initials(p.name)}</span></div>`}
        ${state ? html`<span part="state" role="status">${state}</span>` : nothing}
        ${p.role === 'interpreter' && !this.screen
          ? html`<span part="badge">${this.channel ? t.interpretingInto(this.#localize.languageName(this.channel)) : t.interpreter}</span>`
          : nothing}
        ${p.handRaised && !this.screen ? html`<span part="hand" role="img" aria-label=${t.handRaised}>${handIcon}</span>` : nothing}
        ${this.pinnable
          ? html`<button part="pin" aria-pressed=${this.pinned ? 'true' : 'false'} aria-label=${t.pin(label)} title=${t.pin(label)} @click=${this.#togglePin}>
              ${pinIcon}
            </button>`
          : nothing}
        <figcaption part="name">
          ${!this.screen && !p.micEnabled ? html`<span part="mic-off" role="img" aria-label=${t.micMuted}>${micOffIcon}</span>` : nothing}
          <span class="label">${plate}</span>
          ${this.speaking && !this.screen ? html`<span class="visually-hidden">${t.speaking}</span>` : nothing}
        </figcaption>
      </figure>
    `;
  }
}

declare global {
  interface GlobalEventHandlersEventMap {
    'un75-pin': CustomEvent<{ pinned: boolean }>;
  }
}

function initials(name: string): string {
  const words = name.trim().split(/\s+/).filter(Boolean);
  const letters = words.length > 1 ? [words[0]!, words[words.length - 1]!] : words;
  return letters.map((w) => [...w][0]!.toLocaleUpperCase()).join('');
}
