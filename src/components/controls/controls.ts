import { LitElement, html, nothing } from 'lit';
import { LocalizeController } from '../../i18n/localize.js';
import '../../i18n/call-strings.js';
import { cameraIcon, cameraOffIcon, handIcon, leaveIcon, micIcon, micOffIcon, screenIcon } from '../icons.js';
import { sessionPart } from '../meeting-part-controller.js';
import { styles } from './controls.styles.js';

/**
 * @tag un75-controls
 * @summary The control bar: microphone, camera, screen share, raise hand, leave.
 *
 * Each toggle is a button with a fixed label and `aria-pressed` for its state (on = pressed), so a
 * screen reader says "Microphone, toggle button, pressed"; labels follow the UI language.
 *
 * @csspart base - The toolbar.
 * @csspart button - Every button; each also has its own part: `mic`, `camera`, `screen`, `hand`, `leave`.
 *
 * @cssprop [--un75-accent=#0b5cad] - Background of a button that is on.
 * @cssprop [--un75-danger=#c62828] - Background of the leave button and of a muted microphone.
 * @cssprop [--un75-focus=#ffbf47] - Keyboard focus outline.
 *
 * @slot - Buttons of the page's own, placed before the leave button. They stay in the page's DOM,
 * so the page's styles apply to them.
 */
export class Un75Controls extends LitElement {
  static override styles = styles;

  static override properties = {
    for: { reflect: true },
  };

  readonly #localize = new LocalizeController(this);
  readonly #session = sessionPart(this);

  /** Id of the <un75-meeting> to control, when the bar is not placed inside it. */
  for: string | null = null;

  override render() {
    const session = this.#session.value;
    if (!session || session.state === 'left' || session.state === 'idle') return nothing;
    const { t } = this.#localize;
    const mic = session.micEnabled;
    const camera = session.cameraEnabled;
    const sharing = Boolean(session.screenStream);
    const hand = session.self?.handRaised ?? false;
    const hasMic = session.localStream.getAudioTracks().length > 0;
    const canShare = typeof navigator.mediaDevices?.getDisplayMedia === 'function';
    return html`
      <div part="base" role="toolbar" aria-label=${t.controls}>
        <button part="button mic" class="inverted" aria-pressed=${mic} ?disabled=${!hasMic} @click=${() => session.setMicrophone()}>
          ${mic ? micIcon : micOffIcon}<span class="text">${t.microphone}</span>
        </button>
        <button part="button camera" class="inverted" aria-pressed=${camera} @click=${() => session.setCamera()}>
          ${camera ? cameraIcon : cameraOffIcon}<span class="text">${t.camera}</span>
        </button>
        ${canShare
          ? html`<button part="button screen" aria-pressed=${sharing} @click=${() => session.setScreenShare()}>
              ${screenIcon}<span class="text">${t.shareScreen}</span>
            </button>`
          : nothing}
        <button part="button hand" aria-pressed=${hand} @click=${() => session.setHand()}>
          ${handIcon}<span class="text">${t.raiseHand}</span>
        </button>
        <slot></slot>
        <button part="button leave" @click=${() => session.leave('left')}>
          ${leaveIcon}<span class="text">${t.leave}</span>
        </button>
      </div>
    `;
  }
}
