import { LitElement, html, nothing } from 'lit';
import type { CaptionService } from '../../core/captions.js';
import { sameLanguage } from '../../core/language.js';
import { LocalizeController, UN_LANGUAGES, directionOf, languageName } from '../../i18n/localize.js';
import '../../i18n/call-strings.js';
import { captionsPart, interpretationPart, meetingPart } from '../meeting-part-controller.js';
import { sentence } from '../written.js';
import { sameChannel, type Interpretation } from '../../core/interpretation.js';
import { styles } from './language-picker.styles.js';

export interface Un75LanguageChangeDetail {
  listenLanguage: string;
  spokenLanguage: string;
  /** Which of the two the person changed. */
  changed: 'listen' | 'spoken';
}

/** Valid, canonical tags from a space- or comma-separated list; anything else is left out. */
export function parseLanguageList(value: string | null | undefined): string[] {
  const tags: string[] = [];
  for (const item of (value ?? '').split(/[\s,]+/)) {
    if (!item) continue;
    try {
      const [tag] = Intl.getCanonicalLocales(item);
      if (tag && !tags.includes(tag)) tags.push(tag);
    } catch {
      // not a language tag: ignored, like an unknown <option> would be
    }
  }
  return tags;
}

/**
 * @summary Chooses the language this person listens in (captions are translated into it, its
 * interpretation channel is played) and the one they speak (what their captions are recognised in).
 *
 * Offers the six UN languages plus any given in `languages`, each named in its own language
 * (`Intl.DisplayNames`), so that someone who does not read the page's language still finds theirs.
 * Native selects: keyboard and screen reader work as everywhere. Inside <un75-meeting>, or bound to
 * one with `for="id"`, a change sets the meeting's languages: captions are re-translated at once,
 * the interpretation channel follows, and others see the new spoken language. With a caption
 * service set as `service` it sets only that service's languages.
 *
 * @fires un75-language-change - A language was chosen. Detail: `{ listenLanguage, spokenLanguage, changed }`.
 *
 * @csspart base - The group of fields.
 * @csspart field - A label with its select (also `listen-field`, `spoken-field`).
 * @csspart label - The text of a label.
 * @csspart picker - A select (also `listen-picker`, `spoken-picker`).
 * @csspart channel-status - Inside a meeting with interpretation: whether a human interpreter is live
 * in the listen language (and who), or that there is none.
 * @csspart floor-volume - The slider for how loud the original stays under the interpreter.
 *
 * @cssprop [--un75-surface=#14181f] - Background.
 * @cssprop [--un75-surface-raised=#232a35] - Select background.
 * @cssprop [--un75-on-surface=#f3f5f8] - Text colour.
 * @cssprop [--un75-radius=12px] - Corner radius (halved).
 * @cssprop [--un75-font=system-ui] - Font family.
 * @cssprop [--un75-muted=#aab3c0] - Secondary text (hints, states).
 * @cssprop [--un75-focus=#ffbf47] - Keyboard focus outline.
 */
export class Un75LanguagePicker extends LitElement {
  static override styles = styles;

  static override properties = {
    service: { attribute: false },
    for: { reflect: true },
    listenLanguage: { attribute: 'listen-language', reflect: true },
    spokenLanguage: { attribute: 'spoken-language', reflect: true },
    languages: {},
    noSpoken: { type: Boolean, attribute: 'no-spoken' },
  };

  readonly #localize = new LocalizeController(this);
  readonly #captions = captionsPart(this, () => this.service);
  readonly #interpretation = interpretationPart(this);
  readonly #meeting = meetingPart(this);

  /** The caption service whose languages to set; defaults to the enclosing or named meeting's. */
  service: CaptionService | undefined;

  /** Id of the <un75-meeting> to set, when not placed inside it. */
  for: string | null = null;

  /** BCP 47 tag this person listens in. Follows the caption service when there is one. */
  listenLanguage = '';

  /** BCP 47 tag this person speaks. Follows the caption service when there is one. */
  spokenLanguage = '';

  /** More languages to offer after the six UN languages, space-separated BCP 47 tags. */
  languages = '';

  /** Only the listening language: for people who will not speak. */
  noSpoken = false;

  get #currentListen(): string {
    return this.#captions.value?.listenLanguage || this.#meeting.value?.languages.listen || this.listenLanguage || this.#currentSpoken;
  }

  get #currentSpoken(): string {
    return this.#captions.value?.spokenLanguage || this.#meeting.value?.languages.spoken || this.spokenLanguage || navigator.language || 'en';
  }

  /** The UN languages, the extra ones, and the current choice if it is none of those. */
  #options(current: string): string[] {
    const options: string[] = [...UN_LANGUAGES, ...parseLanguageList(this.languages).filter((tag) => !(UN_LANGUAGES as readonly string[]).includes(tag))];
    if (!options.some((tag) => tag === current) && !options.some((tag) => sameLanguage(tag, current))) options.push(current);
    return options;
  }

  /** The option standing for `current`: itself if offered, else one of the same language. */
  #selected(options: string[], current: string): string {
    return options.find((tag) => tag === current) ?? options.find((tag) => sameLanguage(tag, current)) ?? current;
  }

  #choose(which: 'listen' | 'spoken', event: Event) {
    const tag = (event.target as HTMLSelectElement).value;
    if (which === 'listen') this.listenLanguage = tag;
    else this.spokenLanguage = tag;
    // The meeting owns language state: captions, its channel and the spoken language published to
    // the others all follow. Without one, a caption service set on the picker is set directly.
    const meeting = this.#meeting.value;
    const service = this.#captions.value;
    if (meeting && !this.service) meeting.setLanguages(which === 'listen' ? { listen: tag } : { spoken: tag });
    else if (service && which === 'listen') service.listenLanguage = tag;
    else if (service) service.spokenLanguage = tag;
    this.dispatchEvent(
      new CustomEvent<Un75LanguageChangeDetail>('un75-language-change', {
        detail: { listenLanguage: this.#currentListen, spokenLanguage: this.#currentSpoken, changed: which },
        bubbles: true,
        composed: true,
      }),
    );
  }

  #renderSelect(which: 'listen' | 'spoken', label: string, current: string) {
    const { t } = this.#localize;
    // Languages with a live human interpreter are offered, and marked, in the listening list.
    const channels = which === 'listen' ? (this.#interpretation.value?.channels.filter((c) => !c.self) ?? []) : [];
    const options = [...this.#options(current), ...channels.map((c) => c.lang)].filter(
      (tag, i, all) => all.findIndex((other) => other === tag || sameLanguage(other, tag)) === i,
    );
    const selected = this.#selected(options, current);
    return html`<label part="field ${which}-field">
      <span part="label">${label}</span>
      <select part="picker ${which}-picker" @change=${(e: Event) => this.#choose(which, e)}>
        ${options.map(
          (tag) => {
            const human = channels.some((c) => sameChannel(c.lang, tag)) ? ` · ${t.humanInterpretation}` : '';
            return html`<option value=${tag} lang=${tag} dir=${directionOf(tag)} ?selected=${tag === selected}>${languageName(tag)}${human}</option>`;
          },
        )}
      </select>
    </label>`;
  }

  #setFloorVolume(interpretation: Interpretation, volume: number) {
    const meeting = this.#meeting.value;
    if (meeting) meeting.setLanguages({ floorVolume: volume });
    else interpretation.floorVolume = volume;
  }

  /** Whether a human interpreter is live in the listen language, and the floor's volume under them. */
  #renderChannel() {
    const interpretation = this.#interpretation.value;
    if (!interpretation || interpretation.boothState) return nothing;
    const { t } = this.#localize;
    const heard = interpretation.heard;
    const others = interpretation.channels.filter((c) => !c.self);
    if (!heard && others.length === 0) return nothing;
    return html`
      <span part="channel-status" role="status">
        ${heard ? sentence(t.channelLive, this.#localize.languageName(heard.lang), heard.interpreterName) : t.noChannel}
      </span>
      ${heard
        ? html`<label part="field floor-field">
            <span part="label">${t.floorVolume}</span>
            <input
              part="floor-volume"
              type="range"
              min="0"
              max="100"
              step="5"
              .value=${String(Math.round(interpretation.floorVolume * 100))}
              aria-valuetext=${`${Math.round(interpretation.floorVolume * 100)}%`}
              @input=${(e: Event) => this.#setFloorVolume(interpretation, Number((e.target as HTMLInputElement).value) / 100)}
            />
          </label>`
        : nothing}
    `;
  }

  override render() {
    const { t } = this.#localize;
    return html`
      <fieldset part="base" dir=${this.#localize.dir} lang=${t.$code}>
        <legend class="visually-hidden">${t.languages}</legend>
        ${this.#renderSelect('listen', t.listenLanguage, this.#currentListen)}
        ${this.noSpoken ? nothing : this.#renderSelect('spoken', t.spokenLanguage, this.#currentSpoken)}
        ${this.#renderChannel()}
      </fieldset>
    `;
  }
}
