import { LitElement, html, nothing, type TemplateResult } from 'lit';
import { repeat } from 'lit/directives/repeat.js';
import type { MeetingIdea } from '../../core/session.js';
import { ideaTextFor, MAX_IDEA_LENGTH, rankIdeas, type IdeaVote } from '../../protocol/ideas.js';
import { LocalizeController } from '../../i18n/localize.js';
import '../../i18n/call-strings.js';
import { MeetingEventsController } from '../meeting-events-controller.js';
import { ideaStrings, type IdeaStrings } from './ideas-strings.js';
import { styles } from './ideas.styles.js';

/** New ideas said together when they come this close to each other (a burst is one sentence). */
const ANNOUNCE_AFTER_MS = 2_000;

/**
 * @tag un75-ideas
 * @summary The dialogue's ideas (design §8): anyone writes one (at most 280 characters); each reader
 * reads every idea in their own language — machine translations labelled, the original one button
 * away — and answers agree, pass or disagree; ranked by agreement, marked when every language group
 * agrees; hosts hide and merge.
 *
 * A region named "Ideas". Person-written text carries its language and `dir="auto"`, so Arabic reads
 * right to left inside any page. New ideas from others are said politely by screen readers, a burst
 * of them in one sentence, also while the region is closed. Works inside <un75-meeting> (which loads
 * it when the first idea arrives or the person opens the ideas) or bound with `for`.
 *
 * @csspart base - The region holding the ideas.
 * @csspart form - The form for a new idea.
 * @csspart idea - One idea (a list item); merged ones under their target have `idea merged`.
 * @csspart text - An idea's text in the reader's language.
 * @csspart original - An idea's original text, when shown.
 * @csspart label - "Machine translation", "Not translated into your language".
 * @csspart button - Every button (with `submit`, `vote`, `show-original`, `hide`, `merge`).
 * @csspart vote - The agree / pass / disagree buttons (`aria-pressed` on this person's vote).
 * @csspart status - "Idea submitted", and errors.
 *
 * @cssprop [--un75-ideas-max-size=40vh] - The tallest the ideas get before they scroll.
 */
export class Un75Ideas extends LitElement {
  static override styles = styles;

  static override properties = {
    for: { reflect: true },
    open: { type: Boolean, reflect: true },
    _draft: { state: true },
    _busy: { state: true },
    _note: { state: true },
    _announcement: { state: true },
    _originals: { state: true },
    _merging: { state: true },
  };

  /** The `id` of the <un75-meeting> to show, when this element is not inside one. */
  for: string | null = null;
  /** The ideas are shown; closed, new ones are still announced. */
  open = false;

  private _draft = '';
  /** Ideas with a request on its way (a vote, a hide, a merge); `new` for the form. */
  private _busy = new Set<string>();
  /** What the status line says, for the form (`new`) or an idea. */
  private _note: { id: string; text: string; error: boolean } | null = null;
  private _announcement = '';
  /** Ideas whose original the reader asked to see beside the translation. */
  private _originals = new Set<string>();
  /** Hosts: the idea whose "Merge into" choice is open (one at a time: a select per idea would be ideas² options). */
  private _merging: string | null = null;
  /** Ideas known, so that only new ones are announced; and those waiting to be said. */
  readonly #seen = new Set<string>();
  #fresh: MeetingIdea[] = [];
  #timer: ReturnType<typeof setTimeout> | undefined;
  /** This person's own new ideas are not announced to them. */
  readonly #mine = new Set<string>();

  readonly #localize = new LocalizeController(this);
  readonly #meeting = new MeetingEventsController(this, ['idea', 'role-change', 'languages-change', 'joined', 'left'], {
    idea: (event) => this.#onIdea((event as CustomEvent<{ idea: MeetingIdea; gone?: true }>).detail),
  });

  get #t(): IdeaStrings {
    return ideaStrings(this.#localize.t.$code);
  }

  get #lang(): string {
    return this.#meeting.meeting?.languages.listen ?? this.#localize.lang;
  }

  get #isHost(): boolean {
    return this.#meeting.meeting?.role === 'host';
  }

  override firstUpdated(): void {
    // Made because an idea arrived (or on joining a room that has some): say those there already,
    // in one sentence, once the (empty) live region is in place.
    for (const idea of this.#meeting.meeting?.ideas ?? []) this.#onIdea({ idea });
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    clearTimeout(this.#timer);
  }

  /** Opens the ideas and moves focus to the field for a new one. */
  async compose(): Promise<void> {
    this.open = true;
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLElement>('#new-idea')?.focus();
  }

  #onIdea({ idea, gone }: { idea: MeetingIdea; gone?: true }) {
    if (gone || this.#seen.has(idea.id)) return;
    this.#seen.add(idea.id);
    if (idea.hidden) return;
    this.#fresh.push(idea);
    this.#timer ??= setTimeout(() => {
      this.#timer = undefined;
      // This person's own, known as theirs once the server acknowledged them, are not news to them.
      const fresh = this.#fresh.filter((i) => !this.#mine.has(i.id));
      this.#fresh = [];
      // The text as it reads now (a translation may have come meanwhile).
      const latest = fresh.length === 1 ? (this.#meeting.meeting?.ideas.find((i) => i.id === fresh[0]!.id) ?? fresh[0]!) : undefined;
      if (fresh.length) this._announcement = latest ? this.#t.newIdea(ideaTextFor(latest, this.#lang).text) : this.#t.newIdeas(fresh.length);
    }, ANNOUNCE_AFTER_MS);
  }

  #busy(id: string, on: boolean) {
    const busy = new Set(this._busy);
    if (on) busy.add(id);
    else busy.delete(id);
    this._busy = busy;
  }

  #failure(err: unknown): string {
    const t = this.#t;
    const code = (err as { code?: string }).code;
    if (code === 'forbidden') return t.forbidden;
    if (code === 'rate-limited') return t.rateLimited;
    if (code === 'unreachable' || code === 'closed' || code === 'unavailable') return t.unreachable;
    return (err as Error).message;
  }

  /** Runs a request for idea `id` (or `new`), saying its outcome in the status line. */
  async #request(id: string, run: () => Promise<unknown>, done?: string) {
    this.#busy(id, true);
    this._note = null;
    try {
      await run();
      if (done) this._note = { id, text: done, error: false };
    } catch (err) {
      this._note = { id, text: this.#failure(err), error: true };
    } finally {
      this.#busy(id, false);
    }
  }

  async #submit(event: Event) {
    event.preventDefault();
    const text = this._draft.trim();
    const meeting = this.#meeting.meeting;
    if (!text || !meeting) return;
    await this.#request(
      'new',
      async () => {
        const id = await meeting.submitIdea(text);
        this.#mine.add(id);
        this._draft = '';
      },
      this.#t.submitted,
    );
  }

  #vote(idea: MeetingIdea, vote: IdeaVote) {
    const meeting = this.#meeting.meeting;
    if (meeting) void this.#request(idea.id, () => meeting.voteIdea(idea.id, vote));
  }

  #toggleOriginal(id: string) {
    const next = new Set(this._originals);
    if (!next.delete(id)) next.add(id);
    this._originals = next;
  }

  async #openMerge(id: string) {
    this._merging = this._merging === id ? null : id;
    await this.updateComplete;
    if (this._merging) this.renderRoot.querySelector<HTMLElement>('#merge-into')?.focus();
  }

  #merge(idea: MeetingIdea, form: HTMLFormElement) {
    const meeting = this.#meeting.meeting;
    const into = (form.elements.namedItem('into') as HTMLSelectElement | null)?.value;
    if (!meeting || !into) return;
    void this.#request(idea.id, async () => {
      await meeting.mergeIdea(idea.id, into);
      this._merging = null;
    });
  }

  #status(id: string) {
    const note = this._note?.id === id ? this._note : null;
    return html`<p part="status" class=${note?.error ? 'error' : 'muted'} role=${id === 'new' ? 'status' : note?.error ? 'alert' : 'status'}>${note?.text ?? ''}</p>`;
  }

  #renderForm() {
    const t = this.#t;
    const left = MAX_IDEA_LENGTH - this._draft.length;
    const busy = this._busy.has('new');
    return html`<form part="form" @submit=${this.#submit}>
      <label for="new-idea">${t.yourIdea}</label>
      <textarea
        id="new-idea"
        rows="2"
        maxlength=${MAX_IDEA_LENGTH}
        dir="auto"
        lang=${this.#meeting.meeting?.languages.spoken ?? nothing}
        aria-describedby="idea-hint"
        .value=${this._draft}
        @input=${(e: Event) => (this._draft = (e.target as HTMLTextAreaElement).value)}
      ></textarea>
      <p id="idea-hint" class="muted">${t.hint(MAX_IDEA_LENGTH)} ${t.charactersLeft(left)}</p>
      <button part="button submit" class="accent" type="submit" ?disabled=${busy || !this._draft.trim()}>${busy ? t.sending : t.submit}</button>
      ${this.#status('new')}
    </form>`;
  }

  #renderIdea(idea: MeetingIdea, ideas: readonly MeetingIdea[], merged: readonly MeetingIdea[]): TemplateResult {
    const t = this.#t;
    const shown = ideaTextFor(idea, this.#lang);
    const showingOriginal = this._originals.has(idea.id);
    const busy = this._busy.has(idea.id);
    const number = new Intl.NumberFormat(this.#localize.t.$code);
    const host = this.#isHost;
    const votable = !idea.hidden && !idea.mergedInto;
    const targets = host && votable ? ideas.filter((other) => other.id !== idea.id && !other.mergedInto && !other.hidden) : [];
    const label = shown.machine ? t.machine : shown.missing ? t.notTranslated : '';
    return html`<li data-idea=${idea.id} part=${idea.mergedInto ? 'idea merged' : 'idea'} class=${idea.mergedInto ? 'merged' : ''} aria-describedby=${`counts-${idea.id}`}>
      <p part="text" lang=${shown.lang} dir="auto">${shown.text}</p>
      ${label || shown.machine
        ? html`<div class="row">
            ${label ? html`<span part="label" class="muted">${label}</span>` : nothing}
            ${shown.machine
              ? html`<button part="button show-original" type="button" aria-pressed=${showingOriginal ? 'true' : 'false'} @click=${() => this.#toggleOriginal(idea.id)}>
                  ${t.showOriginal}
                </button>`
              : nothing}
          </div>`
        : nothing}
      ${shown.machine && showingOriginal
        ? html`<p part="original"><span class="muted">${t.original}: </span><span lang=${idea.lang} dir="auto">${idea.text[idea.lang]}</span></p>`
        : nothing}
      <p id=${`counts-${idea.id}`} class="muted">
        ${t.counts(number.format(idea.agree), number.format(idea.pass), number.format(idea.disagree))}${idea.consensus
          ? html` · <span class="consensus">${t.consensus}</span>`
          : nothing}${idea.source === 'poll' ? ` · ${t.fromPoll}` : ''}${idea.hidden ? ` · ${t.hidden}` : ''}
      </p>
      ${votable
        ? html`<div class="row" role="group" aria-label=${t.yourAnswer}>
            ${([
              [1, t.agree],
              [0, t.pass],
              [-1, t.disagree],
            ] as const).map(
              ([vote, text]) =>
                html`<button part="button vote" type="button" ?disabled=${busy} aria-pressed=${idea.vote === vote ? 'true' : 'false'} @click=${() => this.#vote(idea, vote)}>${text}</button>`,
            )}
          </div>`
        : nothing}
      ${host
        ? html`<div class="row">
            ${idea.mergedInto
              ? html`<button part="button merge" type="button" ?disabled=${busy} @click=${() => void this.#request(idea.id, () => this.#meeting.meeting!.mergeIdea(idea.id, null))}>${t.unmerge}</button>`
              : html`<button part="button hide" type="button" ?disabled=${busy} @click=${() => void this.#request(idea.id, () => this.#meeting.meeting!.hideIdea(idea.id, !idea.hidden))}>
                  ${idea.hidden ? t.show : t.hide}
                </button>`}
            ${targets.length
              ? html`<button
                  part="button merge"
                  type="button"
                  aria-expanded=${this._merging === idea.id ? 'true' : 'false'}
                  @click=${() => void this.#openMerge(idea.id)}
                >
                  ${t.mergeInto}…
                </button>`
              : nothing}
            ${targets.length && this._merging === idea.id
              ? html`<form
                  class="row"
                  @submit=${(e: Event) => {
                    e.preventDefault();
                    this.#merge(idea, e.target as HTMLFormElement);
                  }}
                >
                  <label for="merge-into">${t.mergeInto}</label>
                  <select id="merge-into" name="into">
                    ${targets.map((other) => {
                      const text = ideaTextFor(other, this.#lang);
                      return html`<option value=${other.id} lang=${text.lang}>${text.text.length > 60 ? `${text.text.slice(0, 59)}…` : text.text}</option>`;
                    })}
                  </select>
                  <button part="button merge" type="submit" ?disabled=${busy}>${t.merge}</button>
                </form>`
              : nothing}
          </div>`
        : nothing}
      ${this._note?.id === idea.id ? this.#status(idea.id) : nothing}
      ${merged.length
        ? html`<p class="muted">${t.merged}</p>
            <ol>
              ${repeat(
                merged,
                (m) => m.id,
                (m) => this.#renderIdea(m, ideas, []),
              )}
            </ol>`
        : nothing}
    </li>`;
  }

  override render() {
    const t = this.#t;
    const ideas = this.#meeting.meeting?.ideas ?? [];
    // Ranked by agreement; merged ideas under their target, in the order they came.
    const top = rankIdeas(ideas.filter((i) => !i.mergedInto || !ideas.some((o) => o.id === i.mergedInto)));
    return html`<div class="live" role="status" aria-live="polite" dir=${this.#localize.dir} lang=${this.#localize.t.$code}>${this._announcement}</div>
      <section part="base" aria-labelledby="ideas-title" ?hidden=${!this.open} dir=${this.#localize.dir} lang=${this.#localize.t.$code}>
        <h3 id="ideas-title">${t.region}</h3>
        ${this.#renderForm()}
        ${top.length
          ? html`<ol>
              ${repeat(
                top,
                (i) => i.id,
                (i) => this.#renderIdea(i, ideas, ideas.filter((m) => m.mergedInto === i.id)),
              )}
            </ol>`
          : html`<p class="muted">${t.empty}</p>`}
      </section>`;
  }
}
