import { LitElement, html, nothing, svg } from 'lit';
import { LocalizeController } from '../../i18n/localize.js';
import { outcomesStrings, type OutcomesStrings } from './outcomes-strings.js';
import { styles } from './outcomes.styles.js';
import { OUTCOME_FILTERS, type Cell, type Localized, type OutcomeFilter, type OutcomesData } from './outcomes.types.js';

/** A row of a chart and its table: what it counts, as shown, and its count. */
interface Row {
  label: string;
  lang?: string;
  count: Cell;
  /** A second number beside it in the table (dialogues). */
  dialogues?: number;
}

/**
 * @tag un75-outcomes
 * @summary The totals across a programme's dialogues (design §8, docs/outcomes.md "Aggregation"),
 * read from an aggregator (`un75-signal --aggregator`): dialogues, participants, countries and
 * languages; participants by month, country and language; poll tallies summed by option id across
 * the dialogues that used the same template; the top ideas in the reader's language; filters by
 * country, language and month; the totals as CSV and JSON.
 *
 * Every chart is SVG hidden from screen readers, over a table with the same numbers. Counts under 5
 * people come from the aggregator as "<5" and read "fewer than 5". Strings in the six UN languages,
 * right to left in Arabic (`lang` on the element or an ancestor). Loaded by the CDN script as a
 * chunk of its own when the tag first appears.
 *
 * @fires un75-outcomes-load - New totals are shown. `detail`: the aggregator's answer (`un75:outcomes/1`).
 *
 * @csspart base - The dashboard.
 * @csspart filters - The filters (a `fieldset` of three labelled `select`s).
 * @csspart totals - The four totals (a `dl`).
 * @csspart chart - Every bar chart (SVG, hidden from screen readers), with `months`, `countries`, `languages` or `poll`.
 * @csspart table - Every table of numbers (what screen readers read).
 * @csspart ideas - The list of top ideas.
 * @csspart export - The download links.
 * @csspart status - Loading and error messages.
 */
export class Un75Outcomes extends LitElement {
  static override styles = styles;

  static override properties = {
    src: { reflect: true },
    token: {},
    _data: { state: true },
    _status: { state: true },
    _filters: { state: true },
    _csv: { state: true },
    _json: { state: true },
  };

  /**
   * The programme at the aggregator: its base URL and programme, e.g.
   * `https://aggregator.example/v1/programmes/un75` (the element reads `{src}/outcomes` and `{src}/outcomes.csv`).
   */
  src = '';
  /** The programme's read token (sent as `Authorization: Bearer`); none for a public programme. */
  token = '';

  private _data: OutcomesData | null = null;
  private _status: 'idle' | 'loading' | 'ready' | 'failed' | 'unauthorized' = 'idle';
  private _filters: Partial<Record<OutcomeFilter, string>> = {};
  /** Object URLs of the downloads (fetched with the token, which a plain link could not send). */
  private _csv: string | null = null;
  private _json: string | null = null;
  #abort: AbortController | null = null;

  readonly #localize = new LocalizeController(this);

  get #t(): OutcomesStrings {
    return outcomesStrings(this.#localize.t.$code);
  }

  /** The totals shown, as the aggregator sent them (null before the first load). */
  get outcomes(): OutcomesData | null {
    return this._data;
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#abort?.abort();
    this.#revoke();
  }

  protected override updated(changed: Map<PropertyKey, unknown>): void {
    if (changed.has('src') || changed.has('token')) void this.reload();
  }

  /** Reads the totals again under the current filters. */
  async reload(): Promise<void> {
    this.#abort?.abort();
    if (!this.src) return;
    const abort = (this.#abort = new AbortController());
    const query = new URLSearchParams(Object.entries(this._filters).filter(([, v]) => v) as Array<[string, string]>).toString();
    const base = this.src.replace(/\/+$/, '');
    const init: RequestInit = { signal: abort.signal, headers: this.token ? { authorization: `Bearer ${this.token}` } : {} };
    this._status = 'loading';
    try {
      const [json, csv] = await Promise.all([fetch(`${base}/outcomes${query ? `?${query}` : ''}`, init), fetch(`${base}/outcomes.csv${query ? `?${query}` : ''}`, init)]);
      if (json.status === 401 || json.status === 403) {
        this._status = 'unauthorized';
        return;
      }
      if (!json.ok || !csv.ok) throw new Error(`HTTP ${json.status}`);
      const data = (await json.json()) as OutcomesData;
      const table = await csv.blob();
      if (abort.signal.aborted) return;
      this.#revoke();
      this._data = data;
      this._json = URL.createObjectURL(new Blob([JSON.stringify(data, null, 2)], { type: 'application/json' }));
      this._csv = URL.createObjectURL(new Blob([table], { type: 'text/csv' }));
      this._status = 'ready';
      await this.updateComplete;
      this.dispatchEvent(new CustomEvent('un75-outcomes-load', { detail: data, bubbles: true, composed: true }));
    } catch (err) {
      if (abort.signal.aborted) return;
      this._status = 'failed';
      console.warn('un75-outcomes: could not load the totals', err);
    }
  }

  #revoke(): void {
    if (this._csv) URL.revokeObjectURL(this._csv);
    if (this._json) URL.revokeObjectURL(this._json);
  }

  #filter(name: OutcomeFilter, value: string): void {
    this._filters = { ...this._filters, [name]: value };
    void this.reload();
  }

  #number(n: number): string {
    return new Intl.NumberFormat(this.#localize.t.$code).format(n);
  }

  #cell(c: Cell): string {
    return typeof c === 'number' ? this.#number(c) : this.#t.fewerThan5;
  }

  #country(code: string): string {
    try {
      return new Intl.DisplayNames([this.#localize.t.$code], { type: 'region' }).of(code) ?? code;
    } catch {
      return code;
    }
  }

  #month(month: string): string {
    const [y, m] = month.split('-').map(Number);
    return new Intl.DateTimeFormat(this.#localize.t.$code, { year: 'numeric', month: 'long', timeZone: 'UTC' }).format(Date.UTC(y!, m! - 1, 1));
  }

  /** A text in the reader's language (or the same language of another region), else the original, else the first. */
  #text(text: Localized, original?: string): { text: string; lang: string; fallback: boolean } {
    const want = this.#localize.t.$code;
    const langs = Object.keys(text);
    const found = text[want] !== undefined ? want : langs.find((k) => k.split('-')[0]!.toLowerCase() === want);
    const shown = found ?? (original && text[original] !== undefined ? original : text.en !== undefined ? 'en' : langs[0]!);
    return { text: text[shown] ?? '', lang: shown, fallback: !found };
  }

  /**
   * Horizontal bars from the reader's start edge (right in Arabic), for sighted readers only: the
   * table beside it holds the same numbers. A suppressed count draws a stub in the muted colour.
   */
  #chart(name: string, rows: Row[]) {
    const width = 360;
    const rowHeight = 36;
    const max = Math.max(1, ...rows.map((r) => (typeof r.count === 'number' ? r.count : 0)));
    const rtl = this.#localize.dir === 'rtl';
    const room = width - 90;
    return html`<svg part="chart ${name}" aria-hidden="true" focusable="false" viewBox="0 0 ${width} ${Math.max(1, rows.length) * rowHeight}" width="100%">
      ${rows.map((r, i) => {
        const y = i * rowHeight;
        const small = typeof r.count !== 'number';
        const length = small ? 4 : Math.max(1, ((r.count as number) / max) * room);
        return svg`<text x=${rtl ? width - 2 : 2} y=${y + 13} text-anchor=${rtl ? 'end' : 'start'} class="label">${r.label}</text>
          <rect x=${rtl ? width - length : 0} y=${y + 18} width=${length} height="12" rx="3" class=${small ? 'bar small' : 'bar'}></rect>
          <text x=${rtl ? width - length - 4 : length + 4} y=${y + 29} text-anchor=${rtl ? 'end' : 'start'} class="count">${this.#cell(r.count)}</text>`;
      })}
    </svg>`;
  }

  #table(caption: string, head: string, rows: Row[], countHead: string) {
    const t = this.#t;
    const withDialogues = rows.some((r) => r.dialogues !== undefined);
    return html`<table part="table">
      <caption>
        ${caption}
      </caption>
      <thead>
        <tr>
          <th scope="col">${head}</th>
          ${withDialogues ? html`<th scope="col">${t.dialogues}</th>` : nothing}
          <th scope="col">${countHead}</th>
        </tr>
      </thead>
      <tbody>
        ${rows.map(
          (r) => html`<tr>
            <th scope="row" lang=${r.lang ?? nothing} dir=${r.lang ? 'auto' : nothing}>${r.label}</th>
            ${withDialogues ? html`<td>${this.#number(r.dialogues ?? 0)}</td>` : nothing}
            <td>${this.#cell(r.count)}</td>
          </tr>`,
        )}
      </tbody>
    </table>`;
  }

  #select(name: OutcomeFilter, label: string, all: string, values: string[], shown: (v: string) => string) {
    const current = this._filters[name] ?? '';
    return html`<label
      >${label}
      <select name=${name} part="filter" @change=${(e: Event) => this.#filter(name, (e.target as HTMLSelectElement).value)}>
        <option value="" ?selected=${!current}>${all}</option>
        ${values.map((v) => html`<option value=${v} ?selected=${v === current}>${shown(v)}</option>`)}
      </select></label
    >`;
  }

  #renderData(d: OutcomesData) {
    const t = this.#t;
    const months: Row[] = d.byMonth.map((m) => ({ label: this.#month(m.month), count: m.participants, dialogues: m.dialogues }));
    const countries: Row[] = d.byCountry.map((c) => ({ label: this.#country(c.country), count: c.participants, dialogues: c.dialogues }));
    const languages: Row[] = d.byLanguage.map((l) => ({ label: this.#localize.languageName(l.language), count: l.participants, dialogues: l.dialogues }));
    return html`<dl part="totals">
        <div><dt>${t.dialogues}</dt><dd data-total="dialogues">${this.#number(d.totals.dialogues)}</dd></div>
        <div><dt>${t.participants}</dt><dd data-total="participants">${this.#cell(d.totals.participants)}</dd></div>
        <div><dt>${t.countries}</dt><dd data-total="countries">${this.#number(d.totals.countries)}</dd></div>
        <div><dt>${t.languages}</dt><dd data-total="languages">${this.#number(d.totals.languages)}</dd></div>
      </dl>
      <section aria-labelledby="over-time" data-section="months">
        <h3 id="over-time">${t.overTime}</h3>
        ${this.#chart('months', months)} ${this.#table(t.overTime, t.month, months, t.participants)}
      </section>
      <div class="columns">
        <section aria-labelledby="by-country" data-section="countries">
          <h3 id="by-country">${t.byCountry}</h3>
          ${this.#chart('countries', countries)} ${this.#table(t.byCountry, t.country, countries, t.participants)}
        </section>
        <section aria-labelledby="by-language" data-section="languages">
          <h3 id="by-language">${t.byLanguage}</h3>
          ${this.#chart('languages', languages)} ${this.#table(t.byLanguage, t.language, languages, t.participants)}
        </section>
      </div>
      <section aria-labelledby="polls" data-section="polls">
        <h3 id="polls">${t.polls}</h3>
        ${d.polls.length ? nothing : html`<p class="muted">${t.noPolls}</p>`}
        ${d.polls.map((p) => {
          const question = this.#text(p.question);
          const rows: Row[] = p.options.map((o) => {
            const label = o.label ? this.#text(o.label) : { text: o.id, lang: undefined };
            return { label: label.text, ...(label.lang ? { lang: label.lang } : {}), count: o.count };
          });
          return html`<article data-poll="${p.template}/${p.id}" aria-labelledby="poll-${p.template}-${p.id}">
            <h4 id="poll-${p.template}-${p.id}" lang=${question.lang} dir="auto">${question.text}</h4>
            <p class="muted">${t.voters(this.#cell(p.voters))}, ${t.inDialogues(this.#number(p.dialogues))}</p>
            ${this.#chart('poll', rows)} ${this.#table(question.text, t.answer, rows, t.count)}
          </article>`;
        })}
      </section>
      <section aria-labelledby="ideas" data-section="ideas">
        <h3 id="ideas">${t.ideas}</h3>
        ${d.ideas.length
          ? html`<ol part="ideas">
              ${d.ideas.map((idea) => {
                const text = this.#text(idea.text, idea.lang);
                const machine = !text.fallback && text.lang !== idea.lang && idea.machine.includes(text.lang);
                return html`<li>
                  <p lang=${text.lang} dir="auto">${text.text}</p>
                  <p class="note">
                    ${text.fallback ? t.original(this.#localize.languageName(idea.lang)) : machine ? t.machine : nothing} ${t.agree}: ${this.#cell(idea.agree)}
                  </p>
                </li>`;
              })}
            </ol>`
          : html`<p class="muted">${t.noIdeas}</p>`}
      </section>
      <p part="export">
        ${t.export}:
        <a href=${this._csv ?? nothing} download="${d.programme}-outcomes.csv" type="text/csv">${t.csv}</a>
        <a href=${this._json ?? nothing} download="${d.programme}-outcomes.json" type="application/json">${t.json}</a>
      </p>
      <p class="note">${t.suppressedNote}</p>`;
  }

  override render() {
    const t = this.#t;
    const d = this._data;
    const choices = d?.choices ?? { countries: [], languages: [], months: [] };
    const status = this._status === 'loading' ? t.loading : this._status === 'failed' ? t.failed : this._status === 'unauthorized' ? t.unauthorized : '';
    return html`<div part="base" dir=${this.#localize.dir} lang=${this.#localize.t.$code} aria-busy=${this._status === 'loading' ? 'true' : 'false'}>
      <h2>${t.title}</h2>
      <fieldset part="filters">
        <legend>${t.filters}</legend>
        ${this.#select(OUTCOME_FILTERS[0], t.country, t.allCountries, choices.countries, (c) => this.#country(c))}
        ${this.#select(OUTCOME_FILTERS[1], t.language, t.allLanguages, choices.languages, (l) => this.#localize.languageName(l))}
        ${this.#select(OUTCOME_FILTERS[2], t.month, t.allMonths, choices.months, (m) => this.#month(m))}
      </fieldset>
      <p part="status" class=${this._status === 'failed' || this._status === 'unauthorized' ? 'error' : ''} role=${this._status === 'failed' || this._status === 'unauthorized' ? 'alert' : nothing}>
        ${this._status === 'loading' ? status : this._status === 'failed' || this._status === 'unauthorized' ? status : nothing}
      </p>
      <p class="live" role="status" aria-live="polite">${d && this._status === 'ready' ? t.shown(this.#number(d.totals.dialogues), this.#cell(d.totals.participants)) : ''}</p>
      ${d ? this.#renderData(d) : nothing}
    </div>`;
  }
}
