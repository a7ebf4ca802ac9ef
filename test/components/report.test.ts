import { expect, oneEvent } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import '../../src/components/meeting/un75-meeting.js';
import type { Un75Meeting } from '../../src/components/meeting/meeting.js';
import type { DialogueReport } from '../../src/protocol/report.js';
import { hostAndArabicGuest, joined, shadow, uniqueRoom, until } from './helpers.js';

const reportMenu = (meeting: Un75Meeting) => shadow(meeting).querySelector('un75-report');
const inMenu = (meeting: Un75Meeting, part: string) => shadow(reportMenu(meeting)).querySelector<HTMLButtonElement>(`[part~="${part}"]`)!;
/** The element that has the focus, through shadow roots. */
function focused(): Element | null {
  let el = document.activeElement;
  while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement;
  return el;
}

describe('the dialogue report in <un75-meeting>', () => {
  it('a host (in Arabic) writes notes and takes the report by keyboard: JSON, Pol.is CSVs, a printable page right to left and axe-clean; "End dialogue" fires un75-report-ready', async function () {
    // Two calls joining and database writes on a busy machine.
    this.timeout(180_000);
    const room = uniqueRoom('report');
    const { wrapper, host, guest } = await hostAndArabicGuest(room, { agendaSource: 'un75', lang: 'ar', dialogueTitle: 'حوار الشباب، جنيف' });
    // What the page hands the browser: each file made (a Blob), and the printable page's tab.
    const files: Blob[] = [];
    const opened: string[] = [];
    const createObjectURL = URL.createObjectURL.bind(URL);
    const open = window.open.bind(window);
    URL.createObjectURL = (blob: Blob | MediaSource) => {
      if (blob instanceof Blob) files.push(blob);
      return createObjectURL(blob);
    };
    window.open = ((url?: string | URL) => {
      opened.push(String(url));
      return {} as Window;
    }) as typeof window.open;
    try {
      await until(() => host.agenda !== undefined, 'the un75 agenda', 60_000);
      await joined(guest);
      await until(() => host.participants.length === 2, 'both in the room', 30_000);
      await host.updateComplete;
      expect(shadow(guest).querySelector('[part="agenda-notes"]'), 'no notes field for a participant').to.equal(null);
      expect(reportMenu(guest), 'no report menu for a participant').to.equal(null);

      // Notes on the current question, typed and saved by keyboard.
      const notes = shadow(host).querySelector<HTMLTextAreaElement>('[part="agenda-notes"]')!;
      notes.focus();
      await sendKeys({ type: 'وظائف ومناخ' });
      await sendKeys({ press: 'Tab' });
      expect(focused()?.getAttribute('part')).to.contain('agenda-notes-save');
      await sendKeys({ press: 'Enter' });
      await until(() => shadow(host).querySelector('[part="agenda"]')!.textContent!.includes('تم حفظ الملاحظات.'), 'the notes saved', 30_000);
      await expect(host).to.be.accessible();

      // "Report" by keyboard: the menu opens on its first item, the JSON.
      inMenu(host, 'report-button').focus();
      await sendKeys({ press: 'Enter' });
      await reportMenu(host)!.updateComplete;
      expect(inMenu(host, 'report-button').getAttribute('aria-expanded')).to.equal('true');
      expect(focused()).to.equal(inMenu(host, 'report-json'));
      await sendKeys({ press: 'Enter' });
      await until(() => files.length === 1, 'the JSON file', 30_000);
      const report = JSON.parse(await files[0]!.text()) as DialogueReport;
      expect(report.schema).to.equal('un75:dialogue-report/1');
      expect(report.final).to.equal(false);
      expect(report.dialogue.title, 'the dialogue-title attribute').to.equal('حوار الشباب، جنيف');
      expect(report.agenda[0]!.notes).to.equal('وظائف ومناخ');
      expect(report.participants.total).to.equal(2);
      expect(report.participants.byLanguage).to.deep.equal({ ar: 1, en: 1 });
      const text = JSON.stringify(report);
      for (const secret of ['Hana', 'أمينة', host.core!.session!.selfId!, guest.core!.session!.selfId!]) expect(text).not.to.contain(secret);

      // The three Pol.is files, with Pol.is's columns.
      await sendKeys({ press: 'Tab' });
      expect(focused()).to.equal(inMenu(host, 'report-csv'));
      await sendKeys({ press: 'Enter' });
      await until(() => files.length === 4, 'the CSV files', 30_000);
      const [comments, votes, summary] = await Promise.all(files.slice(1, 4).map((f) => f.text()));
      expect(comments!.split('\n')[0]).to.equal('timestamp,datetime,comment-id,author-id,agrees,disagrees,moderated,comment-body');
      expect(votes!.split('\n')[0]).to.equal('timestamp,datetime,comment-id,voter-id,vote');
      expect(summary!.split('\n').map((line) => line.split(',')[0])).to.deep.equal(['topic', 'url', 'voters', 'voters-in-conv', 'commenters', 'comments', 'groups', 'conversation-description', '']);

      // The printable page, in the host's language: Arabic, right to left, axe-clean.
      await sendKeys({ press: 'Tab' });
      expect(focused()).to.equal(inMenu(host, 'report-page'));
      await sendKeys({ press: 'Enter' });
      await until(() => opened.length === 1, 'the printable page opened', 30_000);
      const page = new DOMParser().parseFromString(await files[4]!.text(), 'text/html');
      expect(page.documentElement.lang).to.equal('ar');
      expect(page.documentElement.dir).to.equal('rtl');
      expect(page.querySelector('h1')!.textContent).to.equal('حوار الشباب، جنيف');
      expect(page.body.textContent).to.contain('ما نوع المستقبل الذي نريد أن نصنعه؟');
      expect(page.body.textContent).to.contain('وظائف ومناخ');
      const box = document.createElement('div');
      box.lang = 'ar';
      box.dir = 'rtl';
      box.innerHTML = page.body.innerHTML;
      wrapper.append(box);
      expect(getComputedStyle(box.querySelector('th')!).direction).to.equal('rtl');
      await expect(box).to.be.accessible();

      // Escape closes the menu and returns to "Report".
      await sendKeys({ press: 'Escape' });
      await reportMenu(host)!.updateComplete;
      expect(inMenu(host, 'report-button').getAttribute('aria-expanded')).to.equal('false');
      expect(focused()).to.equal(inMenu(host, 'report-button'));

      // "End dialogue": every host gets the final report.
      const ready = oneEvent(host, 'un75-report-ready');
      await sendKeys({ press: 'Enter' });
      await reportMenu(host)!.updateComplete;
      for (let i = 0; i < 3; i++) await sendKeys({ press: 'Tab' });
      expect(focused()).to.equal(inMenu(host, 'end-dialogue'));
      await sendKeys({ press: 'Enter' });
      const { detail } = (await ready) as CustomEvent<{ report: DialogueReport }>;
      expect(detail.report.final).to.equal(true);
      expect(detail.report.dialogue.endedAt).to.be.a('string');
      await host.updateComplete;
      await expect(host).to.be.accessible();
      await expect(guest).to.be.accessible();
      // A participant may not take the report.
      const refused = await guest.report('json').then(
        () => 'taken',
        (err: { code?: string }) => err.code,
      );
      expect(refused).to.equal('forbidden');
    } finally {
      URL.createObjectURL = createObjectURL;
      window.open = open;
      await guest.leave();
      await host.leave();
    }
  });
});
