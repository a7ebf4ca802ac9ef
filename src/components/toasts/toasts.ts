import { LitElement, html, nothing, type TemplateResult } from 'lit';
import { repeat } from 'lit/directives/repeat.js';
import type { MeetingError } from '../../core/meeting.js';
import type { Participant } from '../../core/types.js';
import type { WaitingPerson } from '../../protocol/signaling.js';
import { LocalizeController, problemText } from '../../i18n/localize.js';
import '../../i18n/call-strings.js';
import type { Translation } from '../../i18n/types.js';
import { MeetingEventsController } from '../meeting-events-controller.js';
import { sentence } from '../written.js';
import { styles } from './toasts.styles.js';

interface Toast {
  key: number;
  kind: 'info' | 'error' | 'mute' | 'consent';
  /** Made when drawn, so that a toast follows a change of UI language. */
  text: (t: Translation) => string | TemplateResult;
  timer: ReturnType<typeof setTimeout> | undefined;
}

/** Toasts on screen at once; an older one gives way to a newer one. */
const MAX_TOASTS = 3;

/**
 * @tag un75-toasts
 * @summary Short-lived notices of a meeting: someone joined or left, a host asks you to mute
 * (with a "Mute me" button), someone waits to be let in, an action failed; and, until dismissed,
 * that one's voice goes to the server for captions.
 *
 * One polite status region; each notice goes away after `duration` seconds (a mute request after
 * twice that) or with its dismiss button. <un75-meeting> gives it its own row above the control
 * bar, so it never covers the videos. Works inside <un75-meeting> or bound with `for`.
 *
 * @csspart base - The region.
 * @csspart toast - One notice (also `error`, `mute-request` or `consent`).
 * @csspart button - Its buttons (also `mute-me`, `dismiss`).
 *
 * @cssprop [--un75-warning=#ffb300] - Edge of an error notice.
 */
export class Un75Toasts extends LitElement {
  static override styles = styles;

  static override properties = {
    for: { reflect: true },
    duration: { type: Number },
  };

  readonly #localize = new LocalizeController(this);
  readonly #meeting = new MeetingEventsController(this, [], {
    'participant-joined': (e) => this.#joined((e as CustomEvent<{ participant: Participant }>).detail.participant),
    'participant-left': (e) => {
      const { participant } = (e as CustomEvent<{ participant: Participant }>).detail;
      this.show('info', (t) => sentence(t.personLeft, participant.name));
    },
    'mute-requested': (e) => {
      const { name } = (e as CustomEvent<{ name: string }>).detail;
      this.show('mute', (t) => sentence(t.muteRequested, name));
    },
    'waiting-change': (e) => this.#waitingChanged((e as CustomEvent<{ waiting: WaitingPerson[] }>).detail.waiting),
    error: (e) => {
      const error = (e as CustomEvent<MeetingError>).detail;
      if (error.code === 'no-name') return;
      this.show('error', (t) => (error.code === 'forbidden' ? t.forbidden : (problemText(t, error.code) ?? error.message)));
    },
    // Until dismissed: what happens to the person's voice is theirs to have read.
    'speech-to-server': () => this.show('consent', (t) => t.speechToServer),
    left: () => this.#clear(),
  });

  /** Id of the <un75-meeting> whose notices to show, when not placed inside it. */
  for: string | null = null;
  /** Seconds a notice stays. */
  duration = 6;

  #toasts: Toast[] = [];
  #next = 0;
  #waiting = new Set<string>();

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#clear();
  }

  /**
   * Shows a notice; `text` is called with the UI strings when drawn. Set what people wrote into it
   * with isolation (a `<bdi>`), as the meeting's own notices do.
   */
  show(kind: Toast['kind'], text: (t: Translation) => string | TemplateResult): void {
    const key = this.#next++;
    const seconds = kind === 'mute' ? this.duration * 2 : this.duration;
    const timer = kind === 'consent' ? undefined : setTimeout(() => this.#dismiss(key), seconds * 1000);
    const kept = this.#toasts.slice(-(MAX_TOASTS - 1));
    for (const gone of this.#toasts.slice(0, -(MAX_TOASTS - 1))) clearTimeout(gone.timer);
    this.#toasts = [...kept, { key, kind, text, timer }];
    this.requestUpdate();
  }

  #joined(participant: Participant) {
    this.#waiting.delete(participant.id);
    this.show('info', (t) => sentence(t.personJoined, participant.name));
  }

  #waitingChanged(waiting: readonly WaitingPerson[]) {
    const now = new Set(waiting.map((w) => w.id));
    for (const person of waiting) if (!this.#waiting.has(person.id)) this.show('info', (t) => sentence(t.personWaiting, person.name));
    this.#waiting = now;
  }

  #dismiss(key: number) {
    const toast = this.#toasts.find((x) => x.key === key);
    if (!toast) return;
    clearTimeout(toast.timer);
    this.#toasts = this.#toasts.filter((x) => x !== toast);
    this.requestUpdate();
  }

  #clear() {
    for (const toast of this.#toasts) clearTimeout(toast.timer);
    this.#toasts = [];
    this.#waiting.clear();
    this.requestUpdate();
  }

  async #muteMe(key: number) {
    this.#dismiss(key);
    await this.#meeting.meeting?.toggleMicrophone(false);
  }

  override render() {
    const { t } = this.#localize;
    return html`<div part="base" role="status" aria-live="polite" aria-label=${t.notifications}>
      ${repeat(
        this.#toasts,
        (toast) => toast.key,
        (toast) => html`<div part="toast ${toast.kind === 'error' ? 'error' : toast.kind === 'mute' ? 'mute-request' : toast.kind === 'consent' ? 'consent' : ''}" class="toast ${toast.kind}">
          <span class="text">${toast.text(t)}</span>
          ${toast.kind === 'mute' ? html`<button part="button mute-me" class="accent" @click=${() => void this.#muteMe(toast.key)}>${t.muteMe}</button>` : nothing}
          <button part="button dismiss" aria-label=${t.dismiss} title=${t.dismiss} @click=${() => this.#dismiss(toast.key)}>✕</button>
        </div>`,
      )}
    </div>`;
  }
}
