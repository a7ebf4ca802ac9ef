import { LitElement, html, nothing } from 'lit';
import { LocalizeController } from '../../i18n/localize.js';
import '../../i18n/call-strings.js';
import { interpretationPart } from '../meeting-part-controller.js';
import { sentence } from '../written.js';
import { styles } from './booth.styles.js';

/**
 * @tag un75-booth
 * @summary An interpreter's console: on-air indicator naming the channel, direction swap, the cough
 * key, relay, and taking over from a booth partner. Shown by <un75-meeting> for interpreters (`join-as="interpreter"`, a token granting it, or a host granting it during the call).
 *
 * @csspart base - The console.
 * @csspart on-air - The on-air indicator.
 * @csspart swap - The direction button.
 * @csspart cough - The mute-channel button.
 * @csspart take-over - The on-air / take-over button.
 * @csspart relay - The "I hear" select (floor or another channel).
 *
 * @cssprop [--un75-on-air=#b71c1c] - Background of the indicator while on air.
 * @cssprop [--un75-muted=#aab3c0] - Secondary text (hints, states).
 * @cssprop [--un75-focus=#ffbf47] - Keyboard focus outline.
 */
export class Un75Booth extends LitElement {
  static override styles = styles;

  readonly #localize = new LocalizeController(this);
  readonly #interpretation = interpretationPart(this);

  override render() {
    const interpretation = this.#interpretation.value;
    const booth = interpretation?.boothState;
    if (!interpretation || !booth) return nothing;
    const { t } = this.#localize;
    const name = (lang: string) => this.#localize.languageName(lang);
    const partner = booth.partner ? interpretation.channels.find((c) => c.interpreterId === booth.partner) : undefined;
    const relays = interpretation.channels.filter((c) => !c.self);
    return html`
      <div part="base" role="group" aria-label=${t.booth}>
        <span part="on-air" class=${booth.onAir ? 'live' : ''} role="status">
          ${booth.onAir ? t.onAir(name(booth.to)) : partner ? sentence(t.partnerOnAir, partner.interpreterName, name(partner.lang)) : t.offAir}
        </span>
        <button part="swap" @click=${() => interpretation.swapDirection()}>
          <span class="visually-hidden">${t.swapDirection}</span>
          ${name(booth.from)} → ${name(booth.to)}
        </button>
        <button part="take-over" aria-pressed=${booth.onAir} @click=${() => interpretation.setOnAir(!booth.onAir)}>
          ${partner && !booth.onAir ? t.takeOver : t.goOnAir}
        </button>
        <button part="cough" aria-pressed=${booth.muted} ?disabled=${!booth.onAir} @click=${() => interpretation.setMuted(!booth.muted)}>
          ${t.muteChannel}
        </button>
        <label>
          ${t.iHear}
          <select part="relay" @change=${(e: Event) => interpretation.setRelay((e.target as HTMLSelectElement).value || null)}>
            <option value="" ?selected=${booth.relay === null}>${t.floor}</option>
            ${relays.map(
              (c) => html`<option value=${c.lang} ?selected=${booth.relay === c.lang}>${t.relayChannel(name(c.lang))}</option>`,
            )}
          </select>
        </label>
      </div>
    `;
  }
}
