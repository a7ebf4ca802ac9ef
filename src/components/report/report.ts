import { LitElement, html } from 'lit';
import type { DialogueReport, ReportFormat } from '../../protocol/report.js';
import { LocalizeController } from '../../i18n/localize.js';
import '../../i18n/call-strings.js';
import { MeetingEventsController } from '../meeting-events-controller.js';
import { styles } from './report.styles.js';

/**
 * @tag un75-report
 * @summary Hosts: the dialogue's report (design §8) from the control bar: "Report" opens a small
 * menu to download the report as JSON, its Pol.is-compatible CSV files, open a printable page in
 * the host's language, or end the dialogue (every host then gets the final report,
 * `un75-report-ready` on the meeting).
 *
 * Buttons all the way: Tab and Enter reach everything, Escape closes the menu and returns to
 * "Report". What happened is said in a polite live region. Works inside <un75-meeting> (shown to
 * hosts) or bound with `for`.
 *
 * @csspart button - Every button (with `report-button`, `report-json`, `report-csv`, `report-page`, `end-dialogue`).
 * @csspart menu - The menu's buttons.
 */
export class Un75Report extends LitElement {
  static override styles = styles;

  static override properties = {
    for: { reflect: true },
    open: { type: Boolean, reflect: true },
    _busy: { state: true },
    _said: { state: true },
  };

  /** The `id` of the <un75-meeting> this is for, when it is not inside one. */
  for: string | null = null;
  /** The menu is shown. */
  open = false;
  private _busy = false;
  private _said = '';

  readonly #localize = new LocalizeController(this);
  readonly #meeting = new MeetingEventsController(this, ['role-change', 'joined', 'left'], {
    'report-ready': () => (this._said = this.#localize.t.reportReady),
  });

  override render() {
    const { t } = this.#localize;
    const item = (part: string, label: string, action: () => Promise<unknown>) =>
      html`<button part="button ${part}" @click=${() => void this.#run(action)}>${label}</button>`;
    return html`<button part="button report-button" aria-expanded=${this.open ? 'true' : 'false'} aria-controls="menu" @click=${this.#toggle}>
        ${t.report}
      </button>
      <div id="menu" part="menu" role="group" aria-label=${t.report} aria-busy=${this._busy ? 'true' : 'false'} ?hidden=${!this.open} @keydown=${this.#onKey}>
        ${item('report-json', t.reportJson, () => this.#download('json'))} ${item('report-csv', t.reportCsv, () => this.#download('csv'))}
        ${item('report-page', t.reportPage, () => this.#download('html'))} ${item('end-dialogue', t.endDialogue, () => this.#end())}
      </div>
      <span class="live" role="status">${this._said}</span>`;
  }

  async #toggle() {
    this.open = !this.open;
    if (!this.open) return;
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLButtonElement>('[part~="report-json"]')?.focus();
  }

  #onKey(event: KeyboardEvent) {
    if (event.key !== 'Escape') return;
    event.stopPropagation();
    this.open = false;
    this.renderRoot.querySelector<HTMLButtonElement>('[part~="report-button"]')?.focus();
  }

  /** One request at a time (the buttons stay enabled: disabling one would drop the keyboard focus). */
  async #run(action: () => Promise<unknown>) {
    if (this._busy) return;
    this._busy = true;
    this._said = '';
    try {
      await action();
    } catch (err) {
      this._said = err instanceof Error ? err.message : String(err);
    } finally {
      this._busy = false;
    }
  }

  /** Makes the report's files in the host's UI language and hands them to the browser. */
  async #download(format: ReportFormat) {
    const meeting = this.#meeting.meeting;
    if (!meeting) return;
    const lang = this.#localize.t.$code;
    if (format === 'json') {
      const report: DialogueReport = await meeting.report('json');
      save(`report-${report.reportId}.json`, 'application/json', JSON.stringify(report, null, 2));
    } else if (format === 'csv') {
      for (const [name, text] of Object.entries(await meeting.report('csv', lang))) save(name, 'text/csv;charset=utf-8', text);
    } else {
      const page = await meeting.report('html', lang);
      const url = URL.createObjectURL(new Blob([page], { type: 'text/html;charset=utf-8' }));
      // A new tab to read and print; where pop-ups are refused, a file.
      if (!window.open(url, '_blank')) save('report.html', 'text/html;charset=utf-8', page);
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
    }
    this._said = this.#localize.t.reportDone;
  }

  async #end() {
    const meeting = this.#meeting.meeting;
    if (!meeting) return;
    await meeting.endDialogue();
    this._said = this.#localize.t.reportReady;
  }
}

/** Hands a file to the browser's downloads. */
function save(name: string, type: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
