import { LitElement, html, nothing, type PropertyValues } from 'lit';
import { repeat } from 'lit/directives/repeat.js';
import type { ChatEntry } from '../../core/chat.js';
import type { Meeting } from '../../core/meeting.js';
import type { TranscriptFormat } from '../../core/captions.js';
import type { Participant } from '../../core/types.js';
import { MAX_CHAT_TEXT } from '../../protocol/chat.js';
import { ROLES, type Role } from '../../protocol/signaling.js';
import type { Translation } from '../../i18n/types.js';
import { LocalizeController, directionOf } from '../../i18n/localize.js';
import '../../i18n/call-strings.js';
import { handIcon, micIcon, micOffIcon } from '../icons.js';
import { MeetingEventsController } from '../meeting-events-controller.js';
import { saveTranscript } from '../transcript-download.js';
import { personName, sentence } from '../written.js';
import { styles } from './side-panel.styles.js';
import { PANEL_TABS, type PanelTab, type Un75PanelTabDetail } from './side-panel.types.js';

/** The counter under the chat input appears this close to the limit. */
const COUNTER_FROM = MAX_CHAT_TEXT - 100;
/** Messages kept in the screen-reader announcement region. */
const ANNOUNCED = 3;
const FORMATS: readonly TranscriptFormat[] = ['vtt', 'json', 'text'];

const roleName = (t: Translation, role: Role) => (role === 'host' ? t.roleHost : role === 'interpreter' ? t.interpreter : t.roleParticipant);

/**
 * @tag un75-side-panel
 * @summary The meeting's side panel: people (roles, microphones, raised hands, and for hosts the
 * waiting list, the room lock and each person's actions), chat, and the transcript download.
 *
 * A tablist (arrow keys, Home, End) over three tab panels. Esc or the close button fires
 * `un75-panel-close`; <un75-meeting> then hides the panel and returns focus to the button that
 * opened it. New chat messages from others are announced politely whether the panel is open or
 * not; opening the chat tab marks them read. Works inside <un75-meeting> or bound with `for`.
 *
 * @fires un75-panel-tab - The person chose another tab. Detail: `{ tab }`.
 * @fires un75-panel-close - The person asked to close the panel (Esc or the close button). No detail.
 * @fires un75-transcript - Before the transcript is downloaded (cancelable). Detail: `{ format, language, text }`.
 *
 * @csspart base - The panel.
 * @csspart tabs - The tablist; each tab has the part `tab`.
 * @csspart close - The close button.
 * @csspart tabpanel - The shown tab's content.
 * @csspart person - One person in the people list (also `hand-queue` for the raised-hands list, `waiting` for the waiting list).
 * @csspart message - One chat message.
 * @csspart chat-input - The chat text area.
 * @csspart button - Every button.
 *
 * @cssprop [--un75-panel-size=20rem] - Width of the panel beside the call (its height as a bottom sheet is half the meeting).
 * @cssprop [--un75-accent=#0b5cad] - Send button, tab underline, pressed toggles.
 * @cssprop [--un75-focus=#ffbf47] - Keyboard focus outline.
 */
export class Un75SidePanel extends LitElement {
  static override styles = styles;

  static override properties = {
    for: { reflect: true },
    tab: { reflect: true },
    open: { type: Boolean, reflect: true },
    draft: { state: true },
  };

  readonly #localize = new LocalizeController(this);
  readonly #meeting = new MeetingEventsController(
    this,
    ['chat-change', 'waiting-change', 'lock-change', 'role-change', 'languages-change', 'participant-joined', 'participant-left', 'participant-updated'],
    { chat: (event) => this.#announce((event as CustomEvent<{ message: ChatEntry }>).detail.message) },
  );

  /** Id of the <un75-meeting> to show, when the panel is not placed inside it. */
  for: string | null = null;
  /** The tab shown: `people`, `chat` or `transcript`. */
  tab: PanelTab = 'people';
  /** Shows the panel; when closed, new chat messages are still announced. */
  open = false;

  private draft = '';
  /** Messages shown in their original, by writer/id. */
  readonly #originals = new Set<string>();
  #announced: ChatEntry[] = [];
  #format: TranscriptFormat = 'vtt';

  get #api(): Meeting | undefined {
    return this.#meeting.meeting;
  }

  protected override updated(changed: PropertyValues<this>): void {
    super.updated(changed);
    const api = this.#api;
    if (this.open && this.tab === 'chat' && api && api.unreadChat > 0) api.markChatRead();
    if (changed.has('tab') && this.tab === 'chat') this.#scrollChat();
  }

  /** Focuses the selected tab (the meeting calls it when it opens the panel). */
  override focus(options?: FocusOptions): void {
    this.renderRoot.querySelector<HTMLElement>('[role="tab"][aria-selected="true"]')?.focus(options);
  }

  #announce(message: ChatEntry) {
    if (!message.self) this.#announced = [...this.#announced, message].slice(-ANNOUNCED);
    this.requestUpdate();
    if (this.tab === 'chat') void this.updateComplete.then(() => this.#scrollChat());
  }

  #scrollChat() {
    const list = this.renderRoot.querySelector('.messages');
    if (list) list.scrollTop = list.scrollHeight;
  }

  #select(tab: PanelTab, focus = false) {
    if (tab !== this.tab) {
      this.tab = tab;
      this.dispatchEvent(new CustomEvent<Un75PanelTabDetail>('un75-panel-tab', { detail: { tab }, bubbles: true, composed: true }));
    }
    if (focus) void this.updateComplete.then(() => this.focus());
  }

  #onTabKey(event: KeyboardEvent) {
    const i = PANEL_TABS.indexOf(this.tab);
    const rtl = this.#localize.dir === 'rtl';
    const step = { ArrowRight: rtl ? -1 : 1, ArrowLeft: rtl ? 1 : -1 }[event.key];
    let next: PanelTab | undefined;
    if (step) next = PANEL_TABS[(i + step + PANEL_TABS.length) % PANEL_TABS.length];
    else if (event.key === 'Home') next = PANEL_TABS[0];
    else if (event.key === 'End') next = PANEL_TABS[PANEL_TABS.length - 1];
    if (!next) return;
    event.preventDefault();
    this.#select(next, true);
  }

  #onKeydown(event: KeyboardEvent) {
    if (event.key !== 'Escape') return;
    event.stopPropagation();
    this.#close();
  }

  #close() {
    this.dispatchEvent(new CustomEvent('un75-panel-close', { bubbles: true, composed: true }));
  }

  #send() {
    const api = this.#api;
    const text = this.draft.trim();
    if (!api || !text || this.draft.length > MAX_CHAT_TEXT) return;
    // Cleared at once so a second Enter cannot send it twice; a failure is reported by the meeting.
    this.draft = '';
    api.sendChat(text).catch(() => (this.draft ||= text));
  }

  #onChatKey(event: KeyboardEvent) {
    if (event.key !== 'Enter' || event.shiftKey || event.isComposing) return;
    event.preventDefault();
    this.#send();
  }

  #toggleOriginal(key: string) {
    if (!this.#originals.delete(key)) this.#originals.add(key);
    this.requestUpdate();
  }

  async #download() {
    const meeting = this.#meeting.meeting;
    if (!meeting) return;
    const language = meeting.captions?.listenLanguage;
    saveTranscript(this, this.#format, language, await meeting.transcript(this.#format, language));
  }

  #tabLabel(t: Translation, tab: PanelTab) {
    return tab === 'people' ? t.people : tab === 'chat' ? t.chat : t.transcript;
  }

  override render() {
    const { t } = this.#localize;
    const api = this.#api;
    return html`
      <section part="base" aria-label=${t.sidePanel} ?hidden=${!this.open} @keydown=${this.#onKeydown}>
        <div class="head">
          <div part="tabs" role="tablist" aria-label=${t.sidePanel} @keydown=${this.#onTabKey}>
            ${PANEL_TABS.map(
              (tab) => html`<button
                part="tab"
                role="tab"
                id="tab-${tab}"
                aria-selected=${tab === this.tab ? 'true' : 'false'}
                aria-controls="tabpanel"
                tabindex=${tab === this.tab ? 0 : -1}
                @click=${() => this.#select(tab)}
              >
                ${this.#tabLabel(t, tab)}${tab === 'chat' && api && api.unreadChat > 0 && this.tab !== 'chat'
                  ? html` <span class="badge">${new Intl.NumberFormat(t.$code).format(api.unreadChat)}</span>`
                  : nothing}
              </button>`,
            )}
          </div>
          <button part="button close" aria-label=${t.closePanel} title=${t.closePanel} @click=${this.#close}>✕</button>
        </div>
        <!-- Closed, it renders no tab: the people list would be rebuilt at every arrival, beside the newcomer's offer. -->
        <div part="tabpanel" id="tabpanel" role="tabpanel" aria-labelledby="tab-${this.tab}" tabindex="0">
          ${!api || !this.open ? nothing : this.tab === 'people' ? this.#people(t, api) : this.tab === 'chat' ? this.#chat(t, api) : this.#transcript(t)}
        </div>
      </section>
      <div class="visually-hidden" aria-live="polite" role="log" aria-label=${t.chat}>
        ${repeat(
          this.#announced,
          (m) => `${m.from}/${m.id}`,
          (m) => html`<p>${sentence(t.chatFrom, m.name, html`<bdi lang=${m.translated?.lang ?? m.lang}>${m.text}</bdi>`)}</p>`,
        )}
      </div>
    `;
  }

  #people(t: Translation, api: Meeting) {
    const host = api.role === 'host';
    const people = api.participants;
    const hands = api.hands;
    const waiting = host ? api.waiting : [];
    return html`
      ${host
        ? html`<div class="row">
            <button part="button lock" aria-pressed=${api.locked ? 'true' : 'false'} @click=${() => void api.toggleLock().catch(() => {})}>
              ${t.lockRoom}
            </button>
          </div>`
        : nothing}
      ${waiting.length
        ? html`<h3 id="waiting-heading">${t.waitingToJoin}</h3>
            <ul aria-labelledby="waiting-heading">
              ${repeat(
                waiting,
                (w) => w.id,
                (w) => html`<li part="waiting" class="person">
                  <bdi class="name">${w.name}</bdi>
                  <span class="actions">
                    <button part="button admit" class="accent" @click=${() => void api.admit(w.id).catch(() => {})}>${t.admit}</button>
                    <button part="button deny" @click=${() => void api.deny(w.id).catch(() => {})}>${t.deny}</button>
                  </span>
                </li>`,
              )}
            </ul>`
        : nothing}
      ${hands.length
        ? html`<h3 id="hands-heading">${t.raisedHands}</h3>
            <ol part="hand-queue" aria-labelledby="hands-heading">
              ${repeat(
                hands,
                (p) => p.id,
                (p) => html`<li class="person">
                  <span class="icon">${handIcon}</span><span class="name">${personName(t, p.name, p.isSelf)}</span>
                  ${host ? html`<button part="button lower-hand" @click=${() => void api.lowerHand(p.id).catch(() => {})}>${t.lowerHand}</button>` : nothing}
                </li>`,
              )}
            </ol>`
        : nothing}
      <h3 id="people-heading">${t.participants(people.length)}</h3>
      <ul aria-labelledby="people-heading">
        ${repeat(
          people,
          (p) => p.id,
          (p) => this.#person(t, p, host),
        )}
      </ul>
    `;
  }

  #person(t: Translation, p: Participant, host: boolean) {
    const api = this.#api!;
    return html`<li part="person" class="person">
      <span class="name">${personName(t, p.name, p.isSelf)}</span>
      <span class="role">${roleName(t, p.role)}</span>
      <span class="icon" role="img" aria-label=${p.micEnabled ? t.micOn : t.micMuted}>${p.micEnabled ? micIcon : micOffIcon}</span>
      ${p.handRaised ? html`<span class="icon" role="img" aria-label=${t.handRaised}>${handIcon}</span>` : nothing}
      ${host && !p.isSelf
        ? html`<details class="more">
            <summary part="button actions">${sentence(t.actionsFor, p.name)}</summary>
            <div class="actions">
              ${p.micEnabled ? html`<button part="button ask-mute" @click=${() => void api.requestMute(p.id).catch(() => {})}>${t.askToMute}</button>` : nothing}
              ${p.handRaised ? html`<button part="button lower-hand" @click=${() => void api.lowerHand(p.id).catch(() => {})}>${t.lowerHand}</button>` : nothing}
              ${ROLES.filter((r) => r !== p.role).map(
                (role) => html`<button part="button set-role" data-role=${role} @click=${() => void api.setRole(p.id, role).catch(() => {})}>
                  ${role === 'host' ? t.makeHost : role === 'interpreter' ? t.makeInterpreter : t.makeParticipant}
                </button>`,
              )}
              <button part="button remove" class="danger" @click=${() => void api.removeParticipant(p.id).catch(() => {})}>${t.removePerson}</button>
            </div>
          </details>`
        : nothing}
    </li>`;
  }

  #chat(t: Translation, api: Meeting) {
    const messages = api.chatMessages;
    const time = new Intl.DateTimeFormat(t.$code, { hour: '2-digit', minute: '2-digit' });
    const left = MAX_CHAT_TEXT - this.draft.length;
    return html`
      <!-- Focusable: it scrolls, and with no button among the messages a keyboard could not scroll it. -->
      <ol class="messages" tabindex="0" aria-label=${t.chat}>
        ${messages.length === 0 ? html`<li class="empty">${t.noMessages}</li>` : nothing}
        ${repeat(
          messages,
          (m) => `${m.from}/${m.id}`,
          (m) => {
            const key = `${m.from}/${m.id}`;
            const original = this.#originals.has(key) || !m.translated;
            const text = original ? m.original : m.text;
            const lang = original ? m.lang : (m.translated?.lang ?? m.lang);
            // As written, the text takes its own direction: its tag is only the language the writer
            // speaks, and people write in others. A machine translation is in its language.
            const dir = original ? 'auto' : directionOf(lang);
            return html`<li part="message" class=${m.self ? 'message self' : m.history ? 'message relayed' : 'message'}>
              <div class="meta">
                <span class="name">${personName(t, m.name, m.self)}</span>
                <time datetime=${new Date(m.t).toISOString()}>${time.format(m.t)}</time>
              </div>
              ${m.history ? html`<p class="label relayed">${sentence(t.relayedBy, m.history.relayedByName)}</p>` : nothing}
              <p class="text" lang=${lang} dir=${dir}>${text}</p>
              ${m.translated
                ? html`<div class="meta">
                    ${original ? nothing : html`<span class="label">${t.machineTranslated}</span>`}
                    <button part="button show-original" class="link" aria-pressed=${original ? 'true' : 'false'} @click=${() => this.#toggleOriginal(key)}>
                      ${t.showOriginal}
                    </button>
                  </div>`
                : nothing}
            </li>`;
          },
        )}
      </ol>
      <form class="compose" @submit=${(e: Event) => (e.preventDefault(), this.#send())}>
        <textarea
          part="chat-input"
          rows="2"
          dir="auto"
          maxlength=${MAX_CHAT_TEXT}
          aria-label=${t.chatMessage}
          aria-describedby="counter"
          .value=${this.draft}
          @input=${(e: Event) => (this.draft = (e.target as HTMLTextAreaElement).value)}
          @keydown=${this.#onChatKey}
        ></textarea>
        <button part="button send" class="accent" type="submit" ?disabled=${!this.draft.trim()}>${t.send}</button>
        <p id="counter" class="counter" ?hidden=${this.draft.length < COUNTER_FROM}>${t.charactersLeft(left)}</p>
      </form>
    `;
  }

  #transcript(t: Translation) {
    return html`<div class="transcript">
      <label for="format">${t.transcriptFormat}</label>
      <select id="format" part="format" @change=${(e: Event) => (this.#format = (e.target as HTMLSelectElement).value as TranscriptFormat)}>
        ${FORMATS.map((f) => html`<option value=${f} ?selected=${f === this.#format}>${f === 'vtt' ? 'WebVTT' : f === 'json' ? 'JSON' : t.formatText}</option>`)}
      </select>
      <button part="button download" class="accent" @click=${() => void this.#download()}>${t.downloadTranscript}</button>
    </div>`;
  }
}
