import { expect } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import '../../src/components/meeting/un75-meeting.js';
import type { Un75Meeting } from '../../src/components/meeting/meeting.js';
import type { MeetingPoll } from '../../src/core/session.js';
import { hostAndArabicGuest, joined, shadow, uniqueRoom, until } from './helpers.js';

const polls = (meeting: Un75Meeting) => shadow(meeting).querySelector('un75-polls');
const inPolls = (meeting: Un75Meeting) => shadow(polls(meeting));
const card = (meeting: Un75Meeting, id: string) => inPolls(meeting).querySelector<HTMLElement>(`[part="poll"][data-poll="${id}"]`);
const poll = (meeting: Un75Meeting, id: string): MeetingPoll | undefined => meeting.polls.find((p) => p.poll.id === id);
/** The numbers of a result's table, by row header: what a screen reader reads. */
const table = (meeting: Un75Meeting, id: string) =>
  Object.fromEntries([...card(meeting, id)!.querySelectorAll('[part="results-table"] tbody tr')].map((tr) => [tr.querySelector('th')!.textContent!.trim(), tr.querySelector('td')!.textContent!.trim()]));

async function press(element: HTMLElement | null | undefined, ...keys: string[]) {
  element!.focus();
  for (const key of keys) await sendKeys({ press: key });
}

/** Sends the vote of poll `id` with the keyboard and waits for the server's acknowledgement. */
async function voteByKeyboard(meeting: Un75Meeting, id: string) {
  const before = JSON.stringify(poll(meeting, id)?.ballot);
  const recorded = () => card(meeting, id)!.querySelector('[part~="status"]')!.textContent!.includes('سُجّل صوتك');
  await press(card(meeting, id)!.querySelector<HTMLButtonElement>('[part~="vote"]'), 'Enter');
  await until(() => JSON.stringify(poll(meeting, id)?.ballot) !== before && recorded(), `the vote in ${id} recorded`, 20_000);
}

const EN_AR = (en: string, ar: string) => ({ en, ar });

describe('polls in <un75-meeting>', () => {
  it('a host opens polls from the form and by API; an Arabic reader answers every type by keyboard, right to left; results as a chart over a table, hidden until close when asked', async function () {
    this.timeout(180_000);
    const room = uniqueRoom('polls');
    const { host, guest } = await hostAndArabicGuest(room);
    try {
      await joined(guest);
      expect(host.core!.role).to.equal('host');

      // The host's form, by keyboard: question, options, Enter on "Open poll".
      await host.updateComplete;
      shadow(host).querySelector<HTMLButtonElement>('[part="polls-button"]')!.click();
      await until(() => !!polls(host)?.shadowRoot?.querySelector('#new-question'), 'the form');
      await until(() => inPolls(host).activeElement?.id === 'new-question', 'focus in the question');
      await sendKeys({ type: 'Where do we meet next?' });
      inPolls(host).querySelector<HTMLTextAreaElement>('#new-options')!.focus();
      await sendKeys({ type: 'Geneva' });
      await sendKeys({ press: 'Enter' });
      await sendKeys({ type: 'Nairobi' });
      await press(inPolls(host).querySelector<HTMLButtonElement>('[part~="open-poll"]'), 'Enter');
      await until(() => guest.polls.some((p) => p.state === 'open'), 'the form’s poll open at the guest', 20_000);
      const formPoll = guest.polls[0]!;
      expect(formPoll.poll.question).to.deep.equal({ en: 'Where do we meet next?' });
      expect(formPoll.poll.options!.map((o) => o.label.en)).to.deep.equal(['Geneva', 'Nairobi']);
      await until(() => !!polls(guest) && !!card(guest, formPoll.poll.id), 'the guest’s poll view');
      // Not written in Arabic: shown in English, labelled, in its own direction.
      const fallback = card(guest, formPoll.poll.id)!.querySelector<HTMLElement>('[part="question"]')!;
      expect(fallback.lang).to.equal('en');
      expect(getComputedStyle(fallback).direction).to.equal('ltr');
      expect(card(guest, formPoll.poll.id)!.textContent).to.contain('لم يُكتب بلغتك بعد.');
      // Announced: the live region says a poll is open.
      await until(() => inPolls(guest).querySelector('[role="status"].live')!.textContent!.includes('الاستطلاع مفتوح'), 'the announcement');

      // One of each type, by API, with Arabic texts.
      const options = (...ids: string[]) => ids.map((id) => ({ id, label: EN_AR(id.toUpperCase(), `خيار ${id}`) }));
      await host.openPoll({ id: 'single', type: 'single', question: EN_AR('Better or worse?', 'أفضل أم أسوأ؟'), options: options('a', 'b', 'c') });
      await host.openPoll({ id: 'multi', type: 'multiple', min: 1, max: 2, question: EN_AR('Pick two', 'اختر اثنين'), options: options('a', 'b', 'c') });
      await host.openPoll({ id: 'scale', type: 'scale', question: EN_AR('How important?', 'ما مدى الأهمية؟'), ends: { min: EN_AR('Not at all', 'غير مهم'), max: EN_AR('Very', 'مهم جدًا') } });
      await host.openPoll({ id: 'rank', type: 'ranking', question: EN_AR('Order these', 'رتّب هذه'), options: options('a', 'b', 'c') });
      await host.openPoll({ id: 'open', type: 'open', question: EN_AR('Advice?', 'نصيحة؟') });
      await host.openPoll({ id: 'words', type: 'words', question: EN_AR('In a few words', 'ببضع كلمات'), results: 'closed' });
      for (const id of ['single', 'multi', 'scale', 'rank', 'open', 'words']) await until(() => poll(guest, id)?.state === 'open' && !!card(guest, id), `${id} open at the guest`, 20_000);
      await guest.updateComplete;

      // Arabic, right to left; the question in Arabic.
      const region = inPolls(guest).querySelector<HTMLElement>('[part="base"]')!;
      expect(getComputedStyle(region).direction).to.equal('rtl');
      expect(region.getAttribute('aria-label')).to.equal('استطلاع');
      const q = card(guest, 'single')!.querySelector<HTMLElement>('[part="question"]')!;
      expect(q.textContent).to.equal('أفضل أم أسوأ؟');
      expect(getComputedStyle(q).direction).to.equal('rtl');

      // single: arrow keys in the radio group.
      const radios = [...card(guest, 'single')!.querySelectorAll<HTMLInputElement>('input[type="radio"]')];
      await press(radios[0], 'Space', 'ArrowDown');
      expect(radios[1]!.checked).to.equal(true);
      await voteByKeyboard(guest, 'single');
      expect(poll(guest, 'single')!.ballot).to.deep.equal({ optionIds: ['b'] });
      expect(card(guest, 'single')!.querySelector('[part~="status"]')!.textContent).to.contain('سُجّل صوتك');
      expect(card(guest, 'single')!.querySelector('[part~="vote"]')!.textContent!.trim()).to.equal('غيّر صوتي');

      // multiple: at most two, the third is off and the hint says how many are chosen.
      const boxes = [...card(guest, 'multi')!.querySelectorAll<HTMLInputElement>('input[type="checkbox"]')];
      await press(boxes[0], 'Space');
      await press(boxes[2], 'Space');
      await guest.updateComplete;
      await polls(guest)!.updateComplete;
      expect(boxes[1]!.disabled, 'max 2').to.equal(true);
      expect(card(guest, 'multi')!.textContent).to.contain('اخترت 2 من 2');
      await voteByKeyboard(guest, 'multi');
      expect(poll(guest, 'multi')!.ballot).to.deep.equal({ optionIds: ['a', 'c'] });

      // scale: 1 to 5 with its end labels.
      expect(card(guest, 'scale')!.textContent).to.contain('غير مهم').and.to.contain('مهم جدًا');
      const values = [...card(guest, 'scale')!.querySelectorAll<HTMLInputElement>('input[type="radio"]')];
      await press(values[0], 'Space', 'ArrowDown', 'ArrowDown', 'ArrowDown');
      await voteByKeyboard(guest, 'scale');
      expect(poll(guest, 'scale')!.ballot).to.deep.equal({ value: 4 });

      // ranking: "move down" buttons, the focus staying on the option moved.
      await press(card(guest, 'rank')!.querySelector<HTMLButtonElement>('li[data-key="a"] .down'), 'Enter');
      await until(() => inPolls(guest).activeElement?.closest('li')?.getAttribute('data-key') === 'a', 'focus follows the moved option');
      await sendKeys({ press: 'Enter' });
      await until(() => card(guest, 'rank')!.querySelector('li:last-child')?.getAttribute('data-key') === 'a', 'a moved to the end');
      await voteByKeyboard(guest, 'rank');
      expect(poll(guest, 'rank')!.ballot).to.deep.equal({ ranking: ['b', 'c', 'a'] });

      // open: a counter of what is left.
      await press(card(guest, 'open')!.querySelector<HTMLTextAreaElement>('textarea'));
      await sendKeys({ type: 'شكرا' });
      await until(() => card(guest, 'open')!.textContent!.includes('بقي 276 حرفًا'), 'the counter');
      await voteByKeyboard(guest, 'open');

      // words, results at close: nothing shown until the host closes it.
      await press(card(guest, 'words')!.querySelector<HTMLInputElement>('input[type="text"]'));
      await sendKeys({ type: 'peace water' });
      await voteByKeyboard(guest, 'words');
      expect(card(guest, 'words')!.textContent).to.contain('ستُعرض النتائج عند إغلاق الاستطلاع.');
      expect(card(guest, 'words')!.querySelector('[part="results-table"]')).to.equal(null);

      // Live results at the host: the SVG is hidden from screen readers, the table has the numbers.
      await until(() => poll(host, 'single')?.result?.voters === 1, 'the single poll’s counts at the host', 20_000);
      await host.updateComplete;
      await until(() => !!card(host, 'single')?.querySelector('[part="results-table"]'), 'the host’s table');
      expect(card(host, 'single')!.querySelector('svg[part="chart"]')!.getAttribute('aria-hidden')).to.equal('true');
      expect(table(host, 'single')).to.deep.equal({ A: '0', B: '1', C: '0' });
      // A second ballot replaces the first.
      const second = [...card(guest, 'single')!.querySelectorAll<HTMLInputElement>('input[type="radio"]')];
      await press(second[2], 'Space');
      await voteByKeyboard(guest, 'single');
      await until(() => table(host, 'single').C === '1', 'the changed vote at the host', 20_000);
      expect(table(host, 'single')).to.deep.equal({ A: '0', B: '0', C: '1' });
      // By language: a column per spoken language.
      card(host, 'single')!.querySelector<HTMLButtonElement>('[part~="by-language"]')!.click();
      await polls(host)!.updateComplete;
      expect(card(host, 'single')!.querySelector('[part="results-table"] thead')!.textContent).to.contain('Arabic');
      await until(() => poll(host, 'rank')?.result?.voters === 1, 'the ranking’s counts at the host', 20_000);
      await polls(host)!.updateComplete;
      expect(table(host, 'rank')).to.deep.equal({ A: '1', B: '3', C: '2' });

      // The host closes the words poll: its counts come to everyone.
      await press(card(host, 'words')!.querySelector<HTMLButtonElement>('[part~="close-poll"]'), 'Enter');
      await until(() => poll(guest, 'words')?.state === 'closed' && poll(guest, 'words')?.result !== undefined, 'the words poll closed with its counts', 20_000);
      await until(() => !!card(guest, 'words')!.querySelector('[part="results-table"]'), 'the words table at the guest');
      expect(table(guest, 'words')).to.deep.equal({ peace: '1', water: '1' });
      // A word cloud over the table, from the reader's start edge (the right in Arabic), each word
      // sized by how many wrote it (here both once, so alike), the first at the edge.
      const cloud = [...card(guest, 'words')!.querySelectorAll<SVGTextElement>('svg[part="chart"] text.word')];
      expect(cloud.map((w) => w.textContent).sort()).to.deep.equal(['peace', 'water']);
      expect(cloud[0]!.getAttribute('font-size')).to.equal(cloud[1]!.getAttribute('font-size'));
      expect(cloud.map((w) => [w.getAttribute('text-anchor'), Number(w.getAttribute('x'))])[0]).to.deep.equal(['end', 320]);
      expect(cloud[0]!.closest('svg')!.getAttribute('aria-hidden')).to.equal('true');
      expect(card(guest, 'words')!.textContent).to.contain('مغلق');

      // A participant may not run a poll: the promise says why.
      const refused = await guest.openPoll({ type: 'open', question: { ar: 'سؤال' } }).then(
        () => undefined,
        (err: { code?: string }) => err.code,
      );
      expect(refused).to.equal('forbidden');

      // Prepared from the form (a scale with its end labels): only hosts see it, until opened when due.
      shadow(host).querySelector<HTMLButtonElement>('[part="polls-button"]')!.click();
      await until(() => inPolls(host).activeElement?.id === 'new-question', 'the form again');
      await sendKeys({ type: 'How hopeful are you?' });
      const type = inPolls(host).querySelector<HTMLSelectElement>('#new-type')!;
      type.value = 'scale';
      type.dispatchEvent(new Event('change'));
      await polls(host)!.updateComplete;
      await press(inPolls(host).querySelector<HTMLInputElement>('input[name="low"]'));
      await sendKeys({ type: 'Not at all' });
      await press(inPolls(host).querySelector<HTMLInputElement>('input[name="high"]'));
      await sendKeys({ type: 'Very' });
      await expect(host).to.be.accessible();
      await press(inPolls(host).querySelector<HTMLButtonElement>('[part~="prepare-poll"]'), 'Enter');
      await until(() => host.polls.some((p) => p.state === 'prepared'), 'the prepared poll', 20_000);
      const prepared = host.polls.find((p) => p.state === 'prepared')!;
      expect(prepared.poll.ends).to.deep.equal({ min: { en: 'Not at all' }, max: { en: 'Very' } });
      expect(poll(guest, prepared.poll.id), 'a participant does not see a prepared poll').to.equal(undefined);
      await until(() => !!card(host, prepared.poll.id)?.querySelector('[part~="open-poll"]'), 'its "Open poll" button');
      await press(card(host, prepared.poll.id)!.querySelector<HTMLButtonElement>('[part~="open-poll"]'), 'Enter');
      await until(() => poll(guest, prepared.poll.id)?.state === 'open', 'the prepared poll open at the guest', 20_000);

      // Shuffled: each reader sees all twelve options, in an order of their own that stays put.
      const twelve = options(...'abcdefghijkl'.split(''));
      await host.openPoll({ id: 'shuffled', type: 'multiple', max: 3, shuffle: true, question: EN_AR('Your priorities', 'أولوياتك'), options: twelve });
      await until(() => !!card(guest, 'shuffled') && !!card(host, 'shuffled'), 'the shuffled poll at both');
      const shown = (meeting: Un75Meeting) => [...card(meeting, 'shuffled')!.querySelectorAll<HTMLInputElement>('input[type="checkbox"]')].map((i) => i.value).join('');
      const guestOrder = shown(guest);
      expect([...guestOrder].sort().join('')).to.equal('abcdefghijkl');
      // Two orders drawn at random among 12! (479,001,600): equal to the poll's or to each other by chance once in millions.
      expect(guestOrder).to.not.equal('abcdefghijkl');
      expect(shown(host)).to.not.equal(guestOrder);
      card(guest, 'shuffled')!.querySelector<HTMLInputElement>('input[type="checkbox"]')!.click();
      await polls(guest)!.updateComplete;
      expect(shown(guest)).to.equal(guestOrder, 'the same order after a change');

      // "Other" with one's own words, by keyboard: chosen without words, the page asks for them.
      await host.openPoll({ id: 'own', type: 'single', other: true, question: EN_AR('Your priority', 'أولويتك'), options: options('a', 'b') });
      await until(() => !!card(guest, 'own'), 'the poll with "other" at the guest');
      const own = [...card(guest, 'own')!.querySelectorAll<HTMLInputElement>('input[type="radio"]')];
      expect(own.map((r) => r.value)).to.deep.equal(['a', 'b', 'other']);
      expect(own[2]!.closest('label')!.textContent!.trim()).to.equal('غير ذلك');
      const words = card(guest, 'own')!.querySelector<HTMLInputElement>('#other-own')!;
      expect(words.disabled, 'no words before "other" is chosen').to.equal(true);
      await press(own[2], 'Space');
      await polls(guest)!.updateComplete;
      card(guest, 'own')!.querySelector<HTMLButtonElement>('[part~="vote"]')!.click();
      await until(() => card(guest, 'own')!.querySelector('[part~="status"]')!.textContent!.includes('اكتب إجابتك'), 'the request for her own words');
      await press(words);
      await sendKeys({ type: 'مياه نظيفة' });
      await voteByKeyboard(guest, 'own');
      expect(poll(guest, 'own')!.ballot).to.deep.equal({ optionIds: ['other'], text: 'مياه نظيفة' });
      await until(() => poll(host, 'own')?.result?.counts.other === 1, '"other" counted at the host');
      await polls(host)!.updateComplete;
      expect(card(host, 'own')!.querySelector('table')!.textContent).to.contain('Other');

      await expect(host).to.be.accessible();
      await expect(guest).to.be.accessible();
    } finally {
      await guest.leave();
      await host.leave();
    }
  });
});
