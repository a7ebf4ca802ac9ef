import { LitElement, html, nothing, type PropertyValues } from 'lit';
import { guard } from 'lit/directives/guard.js';
import { acquireCamera, acquireLocalMedia, acquireMicrophone, audioContext, listDevices, SpeakingDetector, stopStream, type LocalMedia, type MediaProblem } from '../../core/media.js';
import { LocalizeController, problemText } from '../../i18n/localize.js';
import { cameraIcon, cameraOffIcon, micIcon, micOffIcon } from '../icons.js';
import { sentence } from '../written.js';
import { styles } from './lobby.styles.js';

export interface LobbyJoinDetail {
  name: string;
  micEnabled: boolean;
  cameraEnabled: boolean;
  audioDeviceId: string | undefined;
  videoDeviceId: string | undefined;
  /** The preview's media, handed over to the call (not stopped). */
  media: LocalMedia;
}

/**
 * @tag un75-lobby
 * @summary The pre-join screen: camera preview, name, camera and microphone choice, and Join.
 *
 * @fires un75-lobby-join - The person pressed Join. Detail: `LobbyJoinDetail`, with the preview
 * media handed over to the caller.
 * @fires un75-lobby-intent - The person shows a clear intent to join: the name field gets focus, or
 * the pointer or focus comes onto Join. `<un75-meeting>` opens its signaling socket then. No detail.
 *
 * @csspart base - The whole screen.
 * @csspart preview - The camera preview.
 * @csspart join - The Join button.
 * @csspart notice - A message about a missing camera or microphone.
 * @csspart consent - Says that speech goes to the server for captions (`server-recognition`).
 * @csspart level - The meter of how loud the microphone hears the visitor (so they see it works).
 *
 * @slot languages - Where `<un75-meeting>` puts the "I listen in / I speak" choice, so captions and
 * the interpretation channel are right from the first word.
 *
 * @cssprop [--un75-warning=#ffb300] - Edge of a notice about a missing device or an error.
 * @cssprop [--un75-muted=#aab3c0] - Secondary text (hints, states).
 * @cssprop [--un75-focus=#ffbf47] - Keyboard focus outline.
 */
export class Un75Lobby extends LitElement {
  static override styles = styles;

  static override properties = {
    name: {},
    room: {},
    micOff: { type: Boolean, attribute: 'mic-off' },
    cameraOff: { type: Boolean, attribute: 'camera-off' },
    busy: { type: Boolean },
    serverRecognition: { type: Boolean, attribute: 'server-recognition' },
    media: { state: true },
    cameras: { state: true },
    microphones: { state: true },
    videoDeviceId: { state: true },
    audioDeviceId: { state: true },
    problem: { state: true },
    level: { state: true },
  };

  readonly #localize = new LocalizeController(this);

  /** Name to prefill. */
  name = '';
  /** Room shown in the heading. */
  room = '';
  micOff = false;
  cameraOff = false;
  /** Set while the meeting is joining: the button shows progress and is disabled. */
  busy = false;
  /** Speech will be recognised by the server: the visitor is told that their voice goes there. */
  serverRecognition = false;

  private media: LocalMedia | undefined;
  private cameras: MediaDeviceInfo[] = [];
  private microphones: MediaDeviceInfo[] = [];
  private videoDeviceId: string | undefined;
  private audioDeviceId: string | undefined;
  private problem: MediaProblem | undefined;
  private handedOver = false;
  /** How loud the microphone hears the visitor, 0–1 (the meter's scale). */
  private level = 0;
  #detector: SpeakingDetector | undefined;

  /** The camera and microphone being opened; Join waits for it, so a quick click joins with them. */
  #preview: Promise<void> | undefined;

  override connectedCallback(): void {
    super.connectedCallback();
    this.#preview = this.#startPreview();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#stopLevel();
    if (!this.handedOver) stopStream(this.media?.stream);
    this.media = undefined;
  }

  /** Follows the microphone's level for the meter at the detector's readings, redrawn when it moves. */
  #watchLevel() {
    this.#stopLevel();
    const track = this.media?.stream.getAudioTracks()[0];
    if (!track || !this.isConnected) return;
    this.#detector = new SpeakingDetector(track, () => {}, (rms) => {
      // Speech is mostly below 0.25 RMS: that fills the meter; steps of 5 % spare redraws.
      const level = Math.round(Math.min(1, rms / 0.25) * 20) / 20;
      if (level !== this.level) this.level = level;
    });
  }

  #stopLevel() {
    this.#detector?.stop();
    this.#detector = undefined;
    this.level = 0;
  }

  /** A browser starts audio only after a gesture: the first one on this screen starts the meter's. */
  readonly #gesture = () => void audioContext();

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('cameraOff') && this.media && changed.get('cameraOff') !== undefined) void this.#applyCamera();
  }

  async #startPreview() {
    const media = await acquireLocalMedia({ audio: true, video: !this.cameraOff });
    if (!this.isConnected) {
      stopStream(media.stream);
      return;
    }
    this.media = media;
    this.problem = media.problem;
    const audio = media.stream.getAudioTracks()[0];
    if (audio) audio.enabled = !this.micOff;
    else this.micOff = true;
    if (!media.stream.getVideoTracks().length && !this.cameraOff) this.cameraOff = true;
    const devices = await listDevices();
    this.cameras = devices.cameras;
    this.microphones = devices.microphones;
    this.videoDeviceId = media.stream.getVideoTracks()[0]?.getSettings().deviceId;
    this.audioDeviceId = audio?.getSettings().deviceId;
    this.#watchLevel();
  }

  async #applyCamera() {
    const stream = this.media?.stream;
    if (!stream) return;
    stream.getVideoTracks().forEach((t) => {
      t.stop();
      stream.removeTrack(t);
    });
    if (this.cameraOff) return this.requestUpdate();
    const track = await acquireCamera(this.videoDeviceId);
    if (track && this.isConnected && !this.cameraOff) stream.addTrack(track);
    else track?.stop();
    if (!track) {
      this.cameraOff = true;
      this.problem = this.problem === 'no-microphone' ? 'no-media' : 'no-camera';
    }
    this.requestUpdate();
  }

  async #changeMicrophone(deviceId: string) {
    this.audioDeviceId = deviceId;
    const stream = this.media?.stream;
    const track = await acquireMicrophone(deviceId);
    if (!stream || !track) return;
    stream.getAudioTracks().forEach((t) => {
      t.stop();
      stream.removeTrack(t);
    });
    track.enabled = !this.micOff;
    stream.addTrack(track);
    this.#watchLevel();
  }

  #toggleMic() {
    const track = this.media?.stream.getAudioTracks()[0];
    if (!track) return;
    this.micOff = !this.micOff;
    track.enabled = !this.micOff;
  }

  #movedAt = -Infinity;

  /** The name field focused, or Join pointed at or focused: the person is about to join. */
  readonly #intent = () => {
    this.dispatchEvent(new Event('un75-lobby-intent', { bubbles: true, composed: true }));
  };

  /** A pointer moving over Join says it too (a browser does not always fire `pointerenter`), once a second at most. */
  readonly #moveOnJoin = () => {
    const now = performance.now();
    if (now - this.#movedAt < 1000) return;
    this.#movedAt = now;
    this.#intent();
  };

  async #submit(event: Event) {
    event.preventDefault();
    const input = this.renderRoot.querySelector('input');
    const name = input?.value.trim() ?? '';
    if (!name) {
      input?.focus();
      return;
    }
    this.busy = true;
    await this.#preview;
    this.busy = false;
    if (!this.isConnected) return;
    const media = this.media ?? { stream: new MediaStream() };
    this.handedOver = true;
    this.#stopLevel();
    this.dispatchEvent(
      new CustomEvent<LobbyJoinDetail>('un75-lobby-join', {
        bubbles: true,
        composed: true,
        detail: {
          name,
          micEnabled: !this.micOff,
          cameraEnabled: !this.cameraOff,
          audioDeviceId: this.audioDeviceId,
          videoDeviceId: this.videoDeviceId,
          media: { ...media, problem: this.problem },
        },
      }),
    );
  }

  override render() {
    const { t } = this.#localize;
    const hasMic = Boolean(this.media?.stream.getAudioTracks().length);
    const notice = this.problem && problemText(t, this.problem);
    const devices = (label: string, list: MediaDeviceInfo[], selected: string | undefined, onChange: (id: string) => void) => html`
      <label>
        ${label}
        <select ?disabled=${list.length === 0} @change=${(e: Event) => onChange((e.target as HTMLSelectElement).value)}>
          ${list.length === 0 ? html`<option>${t.noDevice}</option>` : nothing}
          ${list.map((d, i) => html`<option value=${d.deviceId} ?selected=${d.deviceId === selected}>${d.label || `${label} ${i + 1}`}</option>`)}
        </select>
      </label>
    `;
    return html`
      <section part="base" aria-labelledby="title" @pointerdown=${this.#gesture} @keydown=${this.#gesture}>
        <div part="preview">
          <video .srcObject=${guard([this.media?.stream], () => this.media?.stream ?? null)} .muted=${true} ?hidden=${this.cameraOff} autoplay playsinline aria-hidden="true"></video>
          <div class="preview-toggles">
            <button type="button" aria-label=${t.microphone} aria-pressed=${!this.micOff} ?disabled=${!hasMic} @click=${this.#toggleMic}>
              ${this.micOff ? micOffIcon : micIcon}
            </button>
            <button type="button" aria-label=${t.camera} aria-pressed=${!this.cameraOff} @click=${() => (this.cameraOff = !this.cameraOff)}>
              ${this.cameraOff ? cameraOffIcon : cameraIcon}
            </button>
          </div>
        </div>
        <form @submit=${this.#submit}>
          <h2 id="title">${t.joinTitle}</h2>
          ${this.room ? html`<p class="room">${sentence(t.roomLabel, this.room)}</p>` : nothing}
          <label>
            ${t.yourName}
            <input name="name" autocomplete="name" required maxlength="64" dir="auto" .value=${this.name} placeholder=${t.namePlaceholder} @focus=${this.#intent} />
          </label>
          ${devices(t.camera, this.cameras, this.videoDeviceId, (id) => {
            this.videoDeviceId = id;
            void this.#applyCamera();
          })}
          ${devices(t.microphone, this.microphones, this.audioDeviceId, (id) => void this.#changeMicrophone(id))}
          ${hasMic ? html`<meter part="level" min="0" max="1" low="0.1" optimum="0.5" .value=${this.micOff ? 0 : this.level} aria-label=${t.micLevel}></meter>` : nothing}
          <slot name="languages"></slot>
          ${notice ? html`<p part="notice" role="status">${notice}</p>` : nothing}
          ${this.serverRecognition ? html`<p part="consent" class="room">${t.speechToServer}</p>` : nothing}
          <button part="join" type="submit" ?disabled=${this.busy} @pointerenter=${this.#intent} @pointermove=${this.#moveOnJoin} @focus=${this.#intent}>${this.busy ? t.joining : t.join}</button>
        </form>
      </section>
    `;
  }
}
