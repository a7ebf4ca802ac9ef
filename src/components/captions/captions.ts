import { LitElement, html, nothing, type PropertyValues } from 'lit';
import { repeat } from 'lit/directives/repeat.js';
import type { Caption, CaptionNote, CaptionService, TranscriptFormat } from '../../core/captions.js';
import { captionRows } from '../../core/caption-layout.js';
import type { Translation } from '../../i18n/types.js';
import { LocalizeController, directionOf } from '../../i18n/localize.js';
import '../../i18n/call-strings.js';
import { captionsPart } from '../meeting-part-controller.js';
import { nameList, sentence } from '../written.js';
import { styles } from './captions.styles.js';
import { saveTranscript, type Un75TranscriptDetail } from '../transcript-download.js';

export type { Un75TranscriptDetail };

const noteText = (t: Translation, note: CaptionNote): string => {
  switch (note) {
    case 'no-translator':
      return t.captionNoTranslator;
    case 'translation-unavailable':
      return t.captionTranslationUnavailable;
    case 'translation-downloadable':
      return t.captionTranslationDownloadable;
    case 'translation-downloading':
      return t.captionTranslationDownloading;
    case 'translation-failed':
      return t.captionTranslationFailed;
  }
};

/** Screen readers hear finished sentences only: interim words would be re-read on every change. */
const ANNOUNCED = 3;

/**
 * @summary The live caption overlay: the last two lines said in the meeting, each with its
 * speaker, translated into the listener's language.
 *
 * Lines are broken for their language (about 42 characters for Latin, Cyrillic and Arabic
 * scripts, 16 for Chinese) and each takes its own direction, so an Arabic caption reads right to
 * left inside an English page. Machine translations carry a label; when a translation cannot be
 * made the original is shown with a note saying why. Finished captions are announced politely to
 * screen readers.
 *
 * Works inside <un75-meeting> (which provides its caption service), next to one (`for="id"`), or
 * on its own with a `CaptionService` set as `service`.
 *
 * @fires un75-transcript - Before the transcript is downloaded (cancelable: call
 * `preventDefault()` to save it elsewhere). Detail: `{ format, language, text }`.
 *
 * @csspart base - The overlay.
 * @csspart captions - The band holding the lines.
 * @csspart caption-line - One line; translated lines in bilingual mode are followed by one with
 * the parts `caption-line original`.
 * @csspart speaker - The speaker's name on a line.
 * @csspart text - The words of a line.
 * @csspart label - The "machine translation" label.
 * @csspart notes - Notes about translation and missing captions.
 * @csspart toolbar - Holds the download button.
 * @csspart button - Buttons (also `download`, `download-model`).
 *
 * @cssprop [--un75-caption-size=clamp(1rem, 0.8rem + 1vw, 1.5rem)] - Caption font size.
 * @cssprop [--un75-caption-background=rgb(8 10 14 / 0.86)] - Band behind the lines.
 * @cssprop [--un75-caption-color=var(--un75-on-surface)] - Caption text colour.
 * @cssprop [--un75-caption-speaker=#ffd479] - Speaker name colour.
 * @cssprop [--un75-accent=#0b5cad] - Buttons.
 * @cssprop [--un75-radius=12px] - Corner radius.
 * @cssprop [--un75-font=system-ui] - Font family.
 * @cssprop [--un75-focus=#ffbf47] - Keyboard focus outline.
 */
export class Un75Captions extends LitElement {
  static override styles = styles;

  static override properties = {
    service: { attribute: false },
    for: { reflect: true },
    bilingual: { type: Boolean, reflect: true },
    lines: { type: Number },
    linger: { type: Number },
    noDownload: { type: Boolean, attribute: 'no-download' },
  };

  readonly #localize = new LocalizeController(this);
  readonly #captions = captionsPart(this, () => this.service);

  /** The caption service to show; defaults to the enclosing or named meeting's. */
  service: CaptionService | undefined;

  /** Id of the <un75-meeting> whose captions to show, when not placed inside it. */
  for: string | null = null;

  /** Shows the original under each translated line. */
  bilingual = false;

  /** How many lines to show. */
  lines = 2;

  /** Seconds a line stays after it was last updated; 0 keeps it until replaced. */
  linger = 12;

  /** Hides the transcript download button. */
  noDownload = false;

  #expiryTimer: ReturnType<typeof setTimeout> | undefined;

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    clearTimeout(this.#expiryTimer);
  }

  /** Captions still young enough to be on screen. */
  #visibleCaptions(service: CaptionService): readonly Caption[] {
    if (!(this.linger > 0)) return service.captions;
    const oldest = Date.now() - this.linger * 1000;
    return service.captions.filter((c) => !c.final || c.end >= oldest);
  }

  protected override updated(changed: PropertyValues<this>): void {
    super.updated(changed);
    // Re-render when the oldest visible final caption expires.
    clearTimeout(this.#expiryTimer);
    const service = this.#captions.value;
    if (!service || !(this.linger > 0)) return;
    const ends = service.captions.filter((c) => c.final).map((c) => c.end + this.linger * 1000);
    const next = Math.min(...ends.filter((end) => end > Date.now()));
    if (Number.isFinite(next)) this.#expiryTimer = setTimeout(() => this.requestUpdate(), next - Date.now() + 20);
  }

  /**
   * Downloads the transcript (WebVTT in the listen language by default), after an `un75-transcript`
   * event that a page may cancel to handle the text itself.
   */
  async downloadTranscript(format: TranscriptFormat = 'vtt', language = this.#captions.value?.listenLanguage): Promise<void> {
    const service = this.#captions.value;
    if (!service) return;
    saveTranscript(this, format, language, await service.transcript(format, language));
  }

  #renderNotes(service: CaptionService, captions: readonly Caption[]) {
    const { t } = this.#localize;
    const notes = new Set(captions.map((c) => c.note).filter((n): n is CaptionNote => n !== undefined));
    const self = service.recognitionState === 'unavailable' ? this.#recognitionText(service) : undefined;
    // One line for everyone who cannot be captioned, however many they are: the notes sit over the video.
    const silent = service.speakersWithoutCaptions.map((s) => s.name);
    return html`
      ${self ? html`<p class="note">${self}</p>` : nothing}
      ${silent.length ? html`<p class="note">${sentence(t.noCaptionsFor, nameList(t.$code, silent))}</p>` : nothing}
      ${[...notes].map((note) => html`<p class="note">${noteText(t, note)}</p>`)}
      ${notes.has('translation-downloadable') && service.translator?.prepare
        ? html`<button part="button download-model" @click=${() => service.prepareTranslation()}>${t.downloadModel}</button>`
        : nothing}
      ${service.translationDownloads.map((d) => {
        // Formatters are built only when there is something to format: each costs a render milliseconds.
        const percent = new Intl.NumberFormat(t.$code, { style: 'percent' }).format(d.loaded);
        const label = t.modelProgress(this.#localize.languageName(d.from), this.#localize.languageName(d.to), percent);
        return html`<p class="note">${label}<progress max="1" .value=${d.loaded} aria-label=${label}></progress></p>`;
      })}
    `;
  }

  #recognitionText(service: CaptionService): string {
    const { t } = this.#localize;
    switch (service.recognitionFailure) {
      case 'unsupported':
        return t.recognitionUnsupported;
      case 'not-allowed':
        return t.recognitionDenied;
      case 'language-not-supported':
        return t.recognitionLanguage(this.#localize.languageName(service.spokenLanguage));
      default:
        return t.recognitionFailed;
    }
  }

  override render() {
    const service = this.#captions.value;
    if (!service) return nothing;
    const { t } = this.#localize;
    const captions = this.#visibleCaptions(service);
    const rows = captionRows(captions, Math.max(1, this.lines), this.bilingual);
    const announced = service.captions.filter((c) => c.final).slice(-ANNOUNCED);
    return html`
      <div part="base" role="region" aria-label=${t.captions} dir=${this.#localize.dir} lang=${t.$code}>
        <div part="captions" aria-hidden="true">${repeat(
          rows,
          (row) => row.key,
          (row) => html`<p part="caption-line" class=${row.final ? 'final' : 'interim'} lang=${row.lang} dir=${directionOf(row.lang)}
              ><span part="speaker"><bdi>${row.speakerName}</bdi></span><span part="text">${row.text}</span>${row.machineTranslated
                ? html`<abbr part="label" title=${t.machineTranslated} lang=${t.$code}>${t.machineTranslatedShort}</abbr>`
                : nothing}</p
            >${row.original
              ? html`<p part="caption-line original" lang=${row.original.lang} dir=${directionOf(row.original.lang)}>
                  <span part="text">${row.original.text}</span>
                </p>`
              : nothing}`,
        )}</div>
        <div class="visually-hidden" role="log" aria-live="polite" aria-label=${t.captionLog}>
          ${repeat(
            announced,
            (c) => c.key,
            (c) => {
              const lang = c.translation?.lang ?? c.lang;
              return html`<p lang=${lang} dir=${directionOf(lang)}>
                <bdi>${c.speakerName}</bdi>: ${c.translation?.text ?? c.text}${c.translation ? html` <span lang=${t.$code}>(${t.machineTranslated})</span>` : nothing}
              </p>`;
            },
          )}
        </div>
        <div part="notes" role="status">${this.#renderNotes(service, captions)}</div>
        ${this.noDownload
          ? nothing
          : html`<div part="toolbar">
              <button part="button download" ?disabled=${service.transcriptStore.entries.length === 0} @click=${() => this.downloadTranscript()}>
                ${t.downloadTranscript}
              </button>
            </div>`}
      </div>
    `;
  }
}
