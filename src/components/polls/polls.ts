import { LitElement, html, nothing, svg, type TemplateResult } from 'lit';
import { repeat } from 'lit/directives/repeat.js';
import type { MeetingPoll, NewPoll } from '../../core/session.js';
import { promptFor, TAG, type Localized } from '../../protocol/agenda.js';
import { MAX_OPEN_LENGTH, MAX_POLL_OPTIONS, openLength, MAX_WORDS, OTHER_OPTION, POLL_TYPES, SCALE_MAX, SCALE_MIN, type Poll, type PollAnswer, type PollOption, type PollResult, type PollType } from '../../protocol/polls.js';
import { LocalizeController } from '../../i18n/localize.js';
import '../../i18n/call-strings.js';
import { MeetingEventsController } from '../meeting-events-controller.js';
import { pollStrings, type PollStrings } from './polls-strings.js';
import { styles } from './polls.styles.js';

/** What a member is filling in, per poll, before sending it. */
interface Draft {
  optionIds: string[];
  value?: number;
  ranking: string[];
  text: string;
}

/** A row of a result: what it counts (an option, a value, a word), as shown, and its counts. */
interface Row {
  key: string;
  label: string;
  lang?: string;
  count: number;
  byLanguage: Record<string, number>;
}

const WITH_OPTIONS: readonly PollType[] = ['single', 'multiple', 'ranking'];

/**
 * @tag un75-polls
 * @summary The meeting's polls (design §8): each open poll's question and answer controls in the
 * reader's language, its results as a bar chart with the numbers in a table, and for hosts the
 * controls to open a poll (from a small form or the `un75-survey` template) and close it.
 *
 * A region named "Poll" that keyboard users reach with Tab; a poll opening or closing is said by
 * screen readers (a polite live region). Questions, options and written answers carry their own
 * direction (`dir="auto"`) and language. The chart is drawn in SVG and hidden from screen readers:
 * the table under it holds the same numbers. Works inside <un75-meeting> (which loads it when the
 * first poll arrives or a host opens the form) or bound with `for`.
 *
 * @fires un75-poll-form-close - The host's poll form was closed (a poll opened, or cancelled). No detail.
 *
 * @csspart base - The region holding the polls.
 * @csspart poll - One poll (an `article`).
 * @csspart question - A poll's question.
 * @csspart answer - The answer controls of an open poll (a `fieldset`).
 * @csspart button - Every button (with `vote`, `close-poll`, `open-poll`, `prepare-poll`, `move-up`, `move-down`, `by-language`, `survey`).
 * @csspart vote - The button that sends (or changes) a vote.
 * @csspart status - "Vote recorded", and the poll's errors.
 * @csspart chart - A result's bar chart (SVG, hidden from screen readers).
 * @csspart results-table - A result's numbers, the table screen readers read.
 * @csspart form - The host's form for a new poll.
 *
 * @cssprop [--un75-polls-max-size=40vh] - The tallest the polls get before they scroll (inside the call, above the videos).
 */
export class Un75Polls extends LitElement {
  static override styles = styles;

  static override properties = {
    for: { reflect: true },
    composing: { type: Boolean, reflect: true },
    _drafts: { state: true },
    _busy: { state: true },
    _notes: { state: true },
    _announcement: { state: true },
    _split: { state: true },
    _formType: { state: true },
    _formError: { state: true },
  };

  /** The `id` of the <un75-meeting> to show, when this element is not inside one. */
  for: string | null = null;
  /** Hosts: the form for a new poll is shown. */
  composing = false;

  private _drafts = new Map<string, Draft>();
  /** Polls with a request on its way (a vote, an open, a close). */
  private _busy = new Set<string>();
  /** Per poll: what its status line says, and whether it is an error. */
  private _notes = new Map<string, { text: string; error: boolean }>();
  /** What the live region says (a poll opened or closed; a ranking moved). */
  private _announcement = '';
  /** Results split by language, per poll. */
  private _split = new Set<string>();
  private _formType: PollType = 'single';
  private _formError = '';
  /** Each poll's state when last seen, to tell an opening from a change of counts. */
  readonly #seen = new Map<string, string>();

  readonly #localize = new LocalizeController(this);
  readonly #meeting = new MeetingEventsController(this, ['poll', 'role-change', 'languages-change', 'joined', 'left'], {
    poll: (event) => this.#onPoll((event as CustomEvent<MeetingPoll>).detail),
  });

  get #t(): PollStrings {
    return pollStrings(this.#localize.t.$code);
  }

  get #lang(): string {
    return this.#meeting.meeting?.languages.listen ?? this.#localize.lang;
  }

  get #isHost(): boolean {
    return this.#meeting.meeting?.role === 'host';
  }

  override firstUpdated(): void {
    // Made because a poll arrived: say the open ones once the (empty) live region is in place.
    for (const view of this.#meeting.meeting?.polls ?? []) this.#onPoll(view);
  }

  /** Opens the host's form and moves focus to its question. */
  async compose(): Promise<void> {
    this.composing = true;
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLElement>('#new-question')?.focus();
  }

  #onPoll(view: MeetingPoll) {
    const before = this.#seen.get(view.poll.id);
    this.#seen.set(view.poll.id, view.state);
    if (before === view.state) return;
    const question = this.#text(view.poll.question).text;
    if (view.state === 'open') this._announcement = this.#t.opened(question);
    else if (view.state === 'closed' && before === 'open') this._announcement = this.#t.closedNow(question);
  }

  #text(text: Localized) {
    return promptFor(text, this.#lang);
  }

  /** Each shuffled poll's option ids in this reader's own order, drawn once (see `Poll.shuffle`). */
  readonly #orders = new Map<string, string[]>();

  /** The poll's options in the order this reader sees them. */
  #ordered(poll: Poll): PollOption[] {
    const options = poll.options ?? [];
    if (!poll.shuffle) return options;
    let order = this.#orders.get(poll.id);
    if (!order) {
      order = options.map((o) => o.id);
      const random = crypto.getRandomValues(new Uint32Array(order.length));
      for (let i = order.length - 1; i > 0; i--) {
        const j = random[i]! % (i + 1);
        [order[i], order[j]] = [order[j]!, order[i]!];
      }
      this.#orders.set(poll.id, order);
    }
    return order.map((id) => options.find((o) => o.id === id)!).filter(Boolean);
  }

  #draft(view: MeetingPoll): Draft {
    let draft = this._drafts.get(view.poll.id);
    if (!draft) {
      const ballot = view.ballot;
      const options = this.#ordered(view.poll).map((o) => o.id);
      draft = {
        optionIds: ballot?.optionIds ?? [],
        ranking: ballot?.ranking && ballot.ranking.length === options.length ? [...ballot.ranking] : options,
        text: ballot?.text ?? '',
        ...(ballot?.value !== undefined ? { value: ballot.value } : {}),
      };
      this._drafts.set(view.poll.id, draft);
    }
    return draft;
  }

  #change(id: string, change: Partial<Draft>) {
    const draft = this._drafts.get(id)!;
    this._drafts = new Map(this._drafts).set(id, { ...draft, ...change });
  }

  #note(id: string, text: string, error: boolean) {
    this._notes = new Map(this._notes).set(id, { text, error });
  }

  #busy(id: string, on: boolean) {
    const busy = new Set(this._busy);
    if (on) busy.add(id);
    else busy.delete(id);
    this._busy = busy;
  }

  /** The person's sentence for a refused request. */
  #failure(err: unknown): string {
    const t = this.#t;
    const code = (err as { code?: string }).code;
    if (code === 'forbidden') return t.forbidden;
    if (code === 'rate-limited') return t.rateLimited;
    if (code === 'unreachable' || code === 'closed' || code === 'unavailable') return t.unreachable;
    return (err as Error).message;
  }

  #answer(poll: Poll, draft: Draft): PollAnswer | string {
    const t = this.#t;
    // "Other" brings the person's own words.
    const withOther = (answer: PollAnswer): PollAnswer | string =>
      !answer.optionIds?.includes(OTHER_OPTION) ? answer : draft.text.trim() ? { ...answer, text: draft.text } : t.needOther;
    switch (poll.type) {
      case 'single':
        return draft.optionIds.length === 1 ? withOther({ optionIds: draft.optionIds }) : t.noChoice;
      case 'multiple':
        if (draft.optionIds.length === 0) return t.noChoice;
        return draft.optionIds.length < poll.min! ? t.tooFew(poll.min!) : withOther({ optionIds: draft.optionIds });
      case 'scale':
        return draft.value === undefined ? t.noChoice : { value: draft.value };
      case 'ranking':
        return { ranking: draft.ranking };
      case 'open':
      case 'words':
        return draft.text.trim() ? { text: draft.text } : t.noChoice;
    }
  }

  async #vote(event: Event, view: MeetingPoll) {
    event.preventDefault();
    const meeting = this.#meeting.meeting;
    const id = view.poll.id;
    const answer = this.#answer(view.poll, this.#draft(view));
    if (typeof answer === 'string') {
      this.#note(id, answer, true);
      return;
    }
    this.#busy(id, true);
    this.#note(id, this.#t.sending, false);
    try {
      await meeting?.vote(id, answer);
      this.#note(id, this.#t.voteRecorded, false);
    } catch (err) {
      this.#note(id, this.#failure(err), true);
    } finally {
      this.#busy(id, false);
    }
  }

  async #hostAction(id: string, action: () => Promise<unknown> | undefined) {
    this.#busy(id, true);
    try {
      await action();
      this._notes = new Map([...this._notes].filter(([key]) => key !== id));
    } catch (err) {
      this.#note(id, this.#failure(err), true);
    } finally {
      this.#busy(id, false);
    }
  }

  async #move(view: MeetingPoll, key: string, by: -1 | 1) {
    const ranking = [...this.#draft(view).ranking];
    const from = ranking.indexOf(key);
    const to = from + by;
    if (from < 0 || to < 0 || to >= ranking.length) return;
    ranking.splice(from, 1);
    ranking.splice(to, 0, key);
    this.#change(view.poll.id, { ranking });
    const label = this.#text(view.poll.options!.find((o) => o.id === key)!.label).text;
    this._announcement = this.#t.position(label, to + 1, ranking.length);
    await this.updateComplete;
    // The moved item's button keeps the focus (the other one at either end, where this one is off).
    const row = this.renderRoot.querySelector(`[data-poll="${view.poll.id}"] li[data-key="${key}"]`);
    const same = row?.querySelector<HTMLButtonElement>(by < 0 ? '.up' : '.down');
    (same && !same.disabled ? same : row?.querySelector<HTMLButtonElement>(by < 0 ? '.down' : '.up'))?.focus();
  }

  // ---- the host's form ----

  #closeForm() {
    this.composing = false;
    this._formError = '';
    this.dispatchEvent(new Event('un75-poll-form-close', { bubbles: true, composed: true }));
  }

  /** The host's language as a tag the protocol takes, for what the host writes. */
  #authorLanguage(): string {
    const spoken = (this.#meeting.meeting?.languages.spoken ?? this.#localize.lang).toLowerCase();
    return TAG.test(spoken) && spoken.length <= 35 ? spoken : 'en';
  }

  async #submitForm(event: Event) {
    event.preventDefault();
    const t = this.#t;
    const form = event.currentTarget as HTMLFormElement;
    const data = new FormData(form);
    const lang = this.#authorLanguage();
    const question = String(data.get('question') ?? '').trim();
    const type = this._formType;
    if (!question) {
      this._formError = t.needQuestion;
      return;
    }
    const poll: NewPoll = { type, question: { [lang]: question }, results: data.get('closed') ? 'closed' : 'live' };
    if (WITH_OPTIONS.includes(type) && data.get('shuffle')) poll.shuffle = true;
    if ((type === 'single' || type === 'multiple') && data.get('other')) poll.other = true;
    const low = String(data.get('low') ?? '').trim();
    const high = String(data.get('high') ?? '').trim();
    if (type === 'scale' && low && high) poll.ends = { min: { [lang]: low }, max: { [lang]: high } };
    if (WITH_OPTIONS.includes(type)) {
      const lines = String(data.get('options') ?? '')
        .split('\n')
        .map((l) => l.trim())
        .filter(Boolean);
      if (lines.length < 2 || lines.length > MAX_POLL_OPTIONS) {
        this._formError = t.needOptions;
        return;
      }
      poll.options = lines.map((label, i) => ({ id: `o${i + 1}`, label: { [lang]: label } }));
      if (type === 'multiple') {
        const min = Number(data.get('min')) || 1;
        const max = Number(data.get('max')) || lines.length;
        poll.min = Math.min(Math.max(1, min), lines.length);
        poll.max = Math.min(Math.max(poll.min, max), lines.length);
      }
    }
    // "Prepare for later" keeps it for the host to open when it is due (listed with "Open poll").
    const later = (event as SubmitEvent).submitter?.getAttribute('value') === 'prepare';
    await this.#openFromForm(() => (later ? this.#meeting.meeting?.preparePoll(poll) : this.#meeting.meeting?.openPoll(poll)));
  }

  async #openFromForm(open: () => Promise<unknown> | undefined) {
    this._formError = '';
    this.#busy('', true);
    try {
      await open();
      this.#closeForm();
    } catch (err) {
      this._formError = this.#failure(err);
    } finally {
      this.#busy('', false);
    }
  }

  #renderForm() {
    const t = this.#t;
    const type = this._formType;
    const busy = this._busy.has('');
    return html`<form part="form" aria-labelledby="new-title" @submit=${this.#submitForm}>
      <h3 id="new-title">${t.newPoll}</h3>
      <label for="new-question">${t.question}</label>
      <textarea id="new-question" name="question" rows="2" maxlength="500" dir="auto" required></textarea>
      <label for="new-type">${t.type}</label>
      <select id="new-type" name="type" @change=${(e: Event) => (this._formType = (e.target as HTMLSelectElement).value as PollType)}>
        ${POLL_TYPES.map((k) => html`<option value=${k} ?selected=${k === type}>${t.types[k]}</option>`)}
      </select>
      ${WITH_OPTIONS.includes(type)
        ? html`<label for="new-options">${t.options}</label>
            <textarea id="new-options" name="options" rows="4" dir="auto"></textarea>`
        : nothing}
      ${type === 'multiple'
        ? html`<div class="row">
            <label>${t.atLeast} <input name="min" type="number" min="1" max=${MAX_POLL_OPTIONS} value="1" /></label>
            <label>${t.atMost} <input name="max" type="number" min="1" max=${MAX_POLL_OPTIONS} /></label>
          </div>`
        : nothing}
      ${type === 'scale'
        ? html`<div class="row">
            <label>${t.lowEnd} <input name="low" type="text" maxlength="100" dir="auto" /></label>
            <label>${t.highEnd} <input name="high" type="text" maxlength="100" dir="auto" /></label>
          </div>`
        : nothing}
      ${WITH_OPTIONS.includes(type) ? html`<label class="check"><input type="checkbox" name="shuffle" /> ${t.shuffle}</label>` : nothing}
      ${type === 'single' || type === 'multiple' ? html`<label class="check"><input type="checkbox" name="other" /> ${t.allowOther}</label>` : nothing}
      <label class="check"><input type="checkbox" name="closed" /> ${t.resultsClosed}</label>
      ${this._formError ? html`<p part="status" class="error" role="alert">${this._formError}</p>` : nothing}
      <div class="row">
        <button part="button open-poll" class="accent" type="submit" ?disabled=${busy}>${t.openPoll}</button>
        <button part="button prepare-poll" type="submit" value="prepare" ?disabled=${busy}>${t.prepare}</button>
        <button part="button" type="button" @click=${this.#closeForm}>${t.cancel}</button>
        <button part="button survey" type="button" ?disabled=${busy} @click=${() => this.#openFromForm(() => this.#meeting.meeting?.openPoll('un75-survey'))}>
          ${t.survey}
        </button>
      </div>
    </form>`;
  }

  // ---- a poll ----

  #renderAnswer(view: MeetingPoll) {
    const t = this.#t;
    const { poll } = view;
    const id = poll.id;
    const draft = this.#draft(view);
    const busy = this._busy.has(id);
    const option = (key: string) => this.#text(poll.options!.find((o) => o.id === key)!.label);
    let hint: string;
    let controls: TemplateResult;
    switch (poll.type) {
      case 'single':
      case 'multiple': {
        const multiple = poll.type === 'multiple';
        const full = multiple && draft.optionIds.length >= poll.max!;
        hint = multiple ? `${t.chooseRange(poll.min!, poll.max!)} ${t.chosen(draft.optionIds.length, poll.max!)}` : t.chooseOne;
        const choices = [...this.#ordered(poll).map((o) => ({ id: o.id, label: this.#text(o.label) })), ...(poll.other ? [{ id: OTHER_OPTION, label: { text: t.other, lang: this.#localize.t.$code } }] : [])];
        const otherChosen = draft.optionIds.includes(OTHER_OPTION);
        controls = html`${choices.map((o) => {
          const label = o.label;
          const checked = draft.optionIds.includes(o.id);
          return html`<label class="choice">
            <input
              type=${multiple ? 'checkbox' : 'radio'}
              name="answer-${id}"
              value=${o.id}
              .checked=${checked}
              ?disabled=${multiple && full && !checked}
              @change=${(e: Event) => {
                const on = (e.target as HTMLInputElement).checked;
                const ids = multiple ? (on ? [...draft.optionIds, o.id] : draft.optionIds.filter((k) => k !== o.id)) : [o.id];
                this.#change(id, { optionIds: ids });
              }}
            />
            <span lang=${label.lang} dir="auto">${label.text}</span>
          </label>`;
        })}
        ${poll.other
          ? html`<label class="other" for="other-${id}">${t.otherText}</label>
              <input
                type="text"
                id="other-${id}"
                maxlength=${MAX_OPEN_LENGTH}
                dir="auto"
                ?disabled=${!otherChosen}
                .value=${draft.text}
                @input=${(e: Event) => this.#change(id, { text: (e.target as HTMLInputElement).value })}
              />`
          : nothing}`;
        break;
      }
      case 'scale': {
        const values = Array.from({ length: poll.max! - poll.min! + 1 }, (_, i) => poll.min! + i);
        const low = poll.ends && this.#text(poll.ends.min);
        const high = poll.ends && this.#text(poll.ends.max);
        hint = t.scaleHint(poll.min!, poll.max!);
        controls = html`<div class="scale">
          ${values.map((v) => {
            const end = v === poll.min ? low : v === poll.max ? high : undefined;
            return html`<label class="choice">
              <input type="radio" name="answer-${id}" value=${v} .checked=${draft.value === v} @change=${() => this.#change(id, { value: v })} />
              <span>${this.#number(v)}</span>${end ? html`<span class="end" lang=${end.lang} dir="auto">${end.text}</span>` : nothing}
            </label>`;
          })}
        </div>`;
        break;
      }
      case 'ranking':
        hint = t.rankHint;
        controls = html`<ol class="ranking">
          ${repeat(
            draft.ranking,
            (key) => key,
            (key, i) => {
              const label = option(key);
              return html`<li data-key=${key}>
                <span lang=${label.lang} dir="auto">${label.text}</span>
                <button part="button move-up" class="up" type="button" aria-label=${t.moveUp(label.text)} ?disabled=${i === 0} @click=${() => this.#move(view, key, -1)}>
                  <span aria-hidden="true">▲</span>
                </button>
                <button
                  part="button move-down"
                  class="down"
                  type="button"
                  aria-label=${t.moveDown(label.text)}
                  ?disabled=${i === draft.ranking.length - 1}
                  @click=${() => this.#move(view, key, 1)}
                >
                  <span aria-hidden="true">▼</span>
                </button>
              </li>`;
            },
          )}
        </ol>`;
        break;
      case 'open': {
        const most = openLength(poll);
        hint = t.openHint(most);
        controls = html`<textarea
            id="answer-${id}"
            aria-describedby="count-${id}"
            rows="3"
            maxlength=${most}
            dir="auto"
            .value=${draft.text}
            @input=${(e: Event) => this.#change(id, { text: (e.target as HTMLTextAreaElement).value })}
          ></textarea>
          <p id="count-${id}" class="muted">${t.charactersLeft(most - draft.text.length)}</p>`;
        break;
      }
      case 'words':
        hint = t.wordsHint(MAX_WORDS);
        controls = html`<input
          type="text"
          id="answer-${id}"
          maxlength="130"
          dir="auto"
          .value=${draft.text}
          @input=${(e: Event) => this.#change(id, { text: (e.target as HTMLInputElement).value })}
        />`;
        break;
    }
    const note = this._notes.get(id);
    return html`<form @submit=${(e: Event) => this.#vote(e, view)}>
      <fieldset part="answer" aria-labelledby="q-${id}" aria-describedby="hint-${id}">
        ${poll.type === 'open' || poll.type === 'words'
          ? html`<label id="hint-${id}" for="answer-${id}" class="muted">${hint}</label>`
          : html`<p id="hint-${id}" class="muted" aria-live=${poll.type === 'multiple' ? 'polite' : 'off'}>${hint}</p>`}
        ${controls}
      </fieldset>
      <button part="button vote" class="accent" type="submit" ?disabled=${busy}>${view.ballot ? t.changeVote : t.vote}</button>
      <p part="status" class=${note?.error ? 'error' : ''} role=${note?.error ? 'alert' : 'status'}>${note?.text ?? ''}</p>
    </form>`;
  }

  #number(n: number, style?: Intl.NumberFormatOptions) {
    return new Intl.NumberFormat(this.#localize.t.$code, style).format(n);
  }

  #rows(poll: Poll, result: PollResult): Row[] {
    const per = (key: string) => Object.fromEntries(Object.entries(result.byLanguage ?? {}).map(([lang, counts]) => [lang, counts[key] ?? 0]));
    if (poll.options) {
      const rows: Row[] = poll.options.map((o) => {
        const label = this.#text(o.label);
        return { key: o.id, label: label.text, lang: label.lang, count: result.counts[o.id] ?? 0, byLanguage: per(o.id) };
      });
      // The count of "Other"; the words people wrote there stay out of results, as open answers do.
      if (poll.other) rows.push({ key: OTHER_OPTION, label: this.#t.other, count: result.counts[OTHER_OPTION] ?? 0, byLanguage: per(OTHER_OPTION) });
      return rows;
    }
    if (poll.type === 'scale') {
      const rows: Row[] = [];
      for (let v = poll.min ?? SCALE_MIN; v <= (poll.max ?? SCALE_MAX); v++) {
        const end = v === poll.min ? poll.ends?.min : v === poll.max ? poll.ends?.max : undefined;
        const endText = end && this.#text(end);
        rows.push({ key: String(v), label: endText ? `${this.#number(v)} · ${endText.text}` : this.#number(v), count: result.counts[String(v)] ?? 0, byLanguage: per(String(v)) });
      }
      return rows;
    }
    // Words: as people wrote them (lower-cased), most frequent first.
    return Object.entries(result.counts)
      .sort(([, a], [, b]) => b - a)
      .map(([word, count]) => ({ key: word, label: word, count, byLanguage: per(word) }));
  }

  #renderResult(view: MeetingPoll) {
    const t = this.#t;
    const { poll, result } = view;
    if (!result) return view.state === 'open' && poll.results === 'closed' ? html`<p class="muted">${t.resultsAtClose}</p>` : nothing;
    if (poll.type === 'open') return html`<p class="muted">${t.voters(result.voters)}. ${t.openAnswers}</p>`;
    const rows = this.#rows(poll, result);
    const points = poll.type === 'ranking';
    const whole = points ? rows.reduce((sum, r) => sum + r.count, 0) : result.voters;
    const langs = this._split.has(poll.id) ? Object.keys(result.byLanguage ?? {}) : [];
    const share = (n: number) => this.#number(whole ? n / whole : 0, { style: 'percent', maximumFractionDigits: 0 });
    return html`<div class="result">
      ${poll.type === 'words' ? this.#cloud(rows, langs) : this.#chart(rows, langs)}
      <table part="results-table">
        <caption>
          ${t.results} · ${t.voters(result.voters)}
        </caption>
        <thead>
          <tr>
            <th scope="col">${t.answer}</th>
            <th scope="col">${points ? t.points : t.votes}</th>
            <th scope="col">${t.share}</th>
            ${langs.map((lang) => html`<th scope="col">${this.#localize.languageName(lang)}</th>`)}
          </tr>
        </thead>
        <tbody>
          ${rows.map(
            (r) => html`<tr>
              <th scope="row" lang=${r.lang ?? nothing} dir="auto">${r.label}</th>
              <td>${this.#number(r.count)}</td>
              <td>${share(r.count)}</td>
              ${langs.map((lang) => html`<td>${this.#number(r.byLanguage[lang] ?? 0)}</td>`)}
            </tr>`,
          )}
        </tbody>
      </table>
      ${result.byLanguage
        ? html`<button
            part="button by-language"
            type="button"
            aria-pressed=${langs.length ? 'true' : 'false'}
            @click=${() => {
              const split = new Set(this._split);
              if (!split.delete(poll.id)) split.add(poll.id);
              this._split = split;
            }}
          >
            ${t.byLanguage}
          </button>`
        : nothing}
    </div>`;
  }

  /**
   * Horizontal bars from the reader's start edge (right in Arabic), for sighted readers only: one
   * per answer, and under it a thinner one per spoken language when the result is split.
   */
  #chart(rows: Row[], langs: readonly string[]) {
    const width = 320;
    const line = 16;
    const rowHeight = 20 + line * (1 + langs.length);
    const max = Math.max(1, ...rows.map((r) => r.count));
    const rtl = this.#localize.dir === 'rtl';
    const room = width - 64;
    const bar = (y: number, count: number, height: number, note: string, thin: boolean) => {
      const length = (count / max) * room;
      return svg`<rect x=${rtl ? width - Math.max(length, 1) : 0} y=${y} width=${Math.max(length, 1)} height=${height} rx="3" class=${thin ? 'bar thin' : 'bar'}></rect>
        <text x=${rtl ? width - length - 4 : length + 4} y=${y + height - 1} text-anchor=${rtl ? 'end' : 'start'} class="count">${note}</text>`;
    };
    return html`<svg part="chart" aria-hidden="true" focusable="false" viewBox="0 0 ${width} ${rows.length * rowHeight}" width="100%">
      ${rows.map((r, i) => {
        const y = i * rowHeight;
        return svg`<text x=${rtl ? width - 2 : 2} y=${y + 13} text-anchor=${rtl ? 'end' : 'start'} class="label">${r.label}</text>
          ${bar(y + 18, r.count, 12, this.#number(r.count), false)}
          ${langs.map((lang, k) => bar(y + 18 + line * (k + 1), r.byLanguage[lang] ?? 0, 8, `${lang} ${this.#number(r.byLanguage[lang] ?? 0)}`, true))}`;
      })}
    </svg>`;
  }

  /**
   * A word cloud (`words` polls), for sighted readers only like the bars: each word sized by how many
   * wrote it, in lines from the reader's start edge, most written first; split by language, a cloud
   * per spoken language under the whole room's. The table under it has the numbers.
   */
  #cloud(rows: Row[], langs: readonly string[]) {
    const width = 320;
    const rtl = this.#localize.dir === 'rtl';
    const max = Math.max(1, ...rows.map((r) => r.count));
    const clouds = [
      { title: '', words: rows.map((r) => ({ word: r.label, count: r.count })) },
      ...langs.map((lang) => ({
        title: this.#localize.languageName(lang),
        words: rows.map((r) => ({ word: r.label, count: r.byLanguage[lang] ?? 0 })).filter((w) => w.count > 0),
      })),
    ];
    const parts: TemplateResult[] = [];
    let y = 0;
    for (const { title, words } of clouds) {
      if (title) {
        y += 18;
        parts.push(svg`<text x=${rtl ? width - 2 : 2} y=${y} text-anchor=${rtl ? 'end' : 'start'} class="label">${title}</text>`);
      }
      // Lines of words, each as wide as its letters at its size (ideographs about square, others narrower).
      let line: Array<{ word: string; size: number; x: number }> = [];
      let x = 0;
      const flush = () => {
        if (!line.length) return;
        const height = Math.max(...line.map((w) => w.size));
        y += height + 4;
        for (const w of line) parts.push(svg`<text x=${rtl ? width - w.x : w.x} y=${y} font-size=${w.size} text-anchor=${rtl ? 'end' : 'start'} class="word">${w.word}</text>`);
        line = [];
        x = 0;
      };
      for (const { word, count } of words) {
        const size = Math.round(14 + 22 * (count / max));
        const wide = /[\u1100-\u11ff\u2e80-\ua4cf\uac00-\ud7af\uf900-\ufaff\uff00-\uffef]/.test(word);
        const extent = size * (wide ? 1 : 0.6) * [...word].length + 10;
        if (x > 0 && x + extent > width) flush();
        line.push({ word, size, x });
        x += extent;
      }
      flush();
    }
    return html`<svg part="chart" class="cloud" aria-hidden="true" focusable="false" viewBox="0 0 ${width} ${y + 6}" width="100%">${parts}</svg>`;
  }

  #renderPoll(view: MeetingPoll) {
    const t = this.#t;
    const { poll, state } = view;
    const id = poll.id;
    const question = this.#text(poll.question);
    const host = this.#isHost;
    const busy = this._busy.has(id);
    const note = this._notes.get(id);
    return html`<article part="poll" class=${state} data-poll=${id} aria-labelledby="q-${id}">
      <h3 part="question" id="q-${id}" lang=${question.lang} dir="auto">${question.text}</h3>
      ${question.missing ? html`<p class="muted">${this.#localize.t.notTranslated}</p>` : nothing}
      ${state === 'closed' ? html`<p class="badge">${t.closed}</p>` : state === 'prepared' ? html`<p class="badge">${t.prepared}</p>` : nothing}
      ${state === 'open' ? this.#renderAnswer(view) : nothing} ${state !== 'prepared' ? this.#renderResult(view) : nothing}
      ${host && state === 'open'
        ? html`<button part="button close-poll" type="button" ?disabled=${busy} @click=${() => this.#hostAction(id, () => this.#meeting.meeting?.closePoll(id))}>
            ${t.closePoll}
          </button>`
        : nothing}
      ${host && state === 'prepared'
        ? html`<button part="button open-poll" class="accent" type="button" ?disabled=${busy} @click=${() => this.#hostAction(id, () => this.#meeting.meeting?.openPoll(id))}>
            ${t.openPoll}
          </button>`
        : nothing}
      ${state !== 'open' && note?.error ? html`<p part="status" class="error" role="alert">${note.text}</p>` : nothing}
    </article>`;
  }

  override render() {
    const t = this.#t;
    const meeting = this.#meeting.meeting;
    const order = { open: 0, prepared: 1, closed: 2 } as const;
    const polls = (meeting?.polls ?? []).sort((a, b) => order[a.state] - order[b.state]);
    const shown = polls.length > 0 || this.composing;
    return html`<section
      part="base"
      aria-label=${t.region}
      tabindex=${shown ? '0' : '-1'}
      ?hidden=${!shown}
      dir=${this.#localize.dir}
      lang=${this.#localize.t.$code}
    >
      <div class="live" role="status" aria-live="polite">${this._announcement}</div>
      ${this.composing && this.#isHost ? this.#renderForm() : nothing}
      ${repeat(
        polls,
        (p) => p.poll.id,
        (p) => this.#renderPoll(p),
      )}
    </section>`;
  }
}
