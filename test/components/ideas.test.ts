import { expect } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import '../../src/components/meeting/un75-meeting.js';
import type { Un75Meeting } from '../../src/components/meeting/meeting.js';
import { hostAndArabicGuest, joined, shadow, uniqueRoom, until } from './helpers.js';

const ideasOf = (meeting: Un75Meeting) => shadow(meeting).querySelector('un75-ideas');
const inIdeas = (meeting: Un75Meeting) => shadow(ideasOf(meeting));
const item = (meeting: Un75Meeting, id: string) => inIdeas(meeting).querySelector<HTMLElement>(`[data-idea="${id}"]`);
const button = (meeting: Un75Meeting, id: string, part: string, text?: string) =>
  [...item(meeting, id)!.querySelectorAll<HTMLButtonElement>(`[part~="${part}"]`)].find((b) => text === undefined || b.textContent!.trim() === text);

async function press(element: HTMLElement | null | undefined, ...keys: string[]) {
  element!.focus();
  for (const key of keys) await sendKeys({ press: key });
}

const FRENCH = 'Planter des arbres dans chaque école';

describe('ideas in <un75-meeting>', () => {
  it('an idea written in French is read in Arabic (machine translated, labelled, the original one key away), voted on by keyboard, merged and hidden by the host; axe-clean in English and Arabic', async function () {
    this.timeout(180_000);
    const room = uniqueRoom('ideas');
    // The host speaks French here: the idea is written in French.
    const { host, guest } = await hostAndArabicGuest(room, { spokenLanguage: 'fr' });
    try {
      await joined(guest);
      await host.updateComplete;

      // The host opens the ideas from the control bar and writes one, by keyboard.
      const open = shadow(host).querySelector<HTMLButtonElement>('[part="ideas-button"]')!;
      expect(open.getAttribute('aria-expanded')).to.equal('false');
      await press(open, 'Enter');
      await until(() => ideasOf(host)?.shadowRoot?.activeElement?.id === 'new-idea', 'focus in the idea field', 20_000);
      expect(open.getAttribute('aria-expanded')).to.equal('true');
      await sendKeys({ type: FRENCH });
      await until(() => inIdeas(host).querySelector('#idea-hint')!.textContent!.includes(`${280 - FRENCH.length} characters left`), 'the counter');
      await press(inIdeas(host).querySelector<HTMLButtonElement>('[part~="submit"]'), 'Enter');
      await until(() => host.ideas.length === 1, 'the idea stored', 20_000);
      const id = host.ideas[0]!.id;
      await until(() => inIdeas(host).querySelector('[part="status"]')!.textContent!.includes('Idea submitted.'), 'submitted said');

      // The Arabic reader: the ideas' code came with the idea; its live region says it once translated.
      await until(() => guest.ideas[0]?.text.ar !== undefined, 'the Arabic translation at the guest', 30_000);
      const idea = guest.ideas[0]!;
      expect(idea.text.fr).to.equal(FRENCH);
      expect(idea.text.ar).to.equal(`[ar] ${FRENCH}`);
      expect(idea.machine).to.include('ar');
      await until(() => !!ideasOf(guest) && !!item(guest, id), 'the guest’s idea (closed, still there for its live region)', 20_000);
      await until(() => inIdeas(guest).querySelector('.live')!.textContent!.includes('فكرة جديدة'), 'the new idea said politely', 20_000);
      expect(inIdeas(guest).querySelector('.live')!.getAttribute('aria-live')).to.equal('polite');
      await press(shadow(guest).querySelector<HTMLButtonElement>('[part="ideas-button"]'), 'Enter');
      await until(() => !inIdeas(guest).querySelector<HTMLElement>('[part="base"]')!.hidden, 'the guest’s ideas open');
      await until(() => item(guest, id)!.querySelector('[part="text"]')!.textContent === `[ar] ${FRENCH}`, 'the Arabic text shown', 20_000);
      const text = item(guest, id)!.querySelector<HTMLElement>('[part="text"]')!;
      expect(text.lang).to.equal('ar');
      expect(text.dir).to.equal('auto');
      // The mock's "translation" is the French tagged "[ar]", Latin letters, which dir="auto" sets left to
      // right: real Arabic reads right to left in it, inside the region's right-to-left layout.
      expect(getComputedStyle(inIdeas(guest).querySelector('[part="base"]')!).direction).to.equal('rtl');
      expect(item(guest, id)!.querySelector('[part="label"]')!.textContent).to.equal('ترجمة آلية');

      // The original one key away: "Show original" by keyboard, aria-pressed, in French, left to right.
      const toggle = button(guest, id, 'show-original')!;
      expect(toggle.getAttribute('aria-pressed')).to.equal('false');
      await press(toggle, 'Enter');
      await until(() => !!item(guest, id)!.querySelector('[part="original"]'), 'the original shown');
      expect(button(guest, id, 'show-original')!.getAttribute('aria-pressed')).to.equal('true');
      const original = item(guest, id)!.querySelector<HTMLElement>('[part="original"] [lang]')!;
      expect([original.lang, original.textContent, getComputedStyle(original).direction]).to.deep.equal(['fr', FRENCH, 'ltr']);
      await expect(guest).to.be.accessible();

      // Voting by keyboard: "Agree" (أوافق) pressed, counted; then "Disagree" replaces it.
      await press(button(guest, id, 'vote', 'أوافق'), 'Enter');
      await until(() => guest.ideas[0]!.vote === 1 && host.ideas[0]!.agree === 1, 'the agreement counted', 20_000);
      await until(() => button(guest, id, 'vote', 'أوافق')!.getAttribute('aria-pressed') === 'true', 'the vote pressed');
      await press(button(guest, id, 'vote', 'لا أوافق'), 'Enter');
      await until(() => host.ideas[0]!.agree === 0 && host.ideas[0]!.disagree === 1, 'the vote replaced', 20_000);
      expect(button(guest, id, 'vote', 'أوافق')!.getAttribute('aria-pressed')).to.equal('false');
      // The host agrees (French group) while Arabic disagrees: no consensus.
      await press(button(host, id, 'vote', 'Agree'), 'Enter');
      await until(() => guest.ideas[0]!.agree === 1 && guest.ideas[0]!.disagree === 1, 'both votes at the guest', 20_000);
      expect(guest.ideas[0]!.consensus).to.equal(false);
      const one = new Intl.NumberFormat('ar').format(1);
      await until(() => item(guest, id)!.textContent!.includes(`أوافق ${one} · تخطٍّ`), 'the counts, numbers as Arabic writes them');

      // The host merges a second idea into the first by keyboard: the reader sees it under it, without votes.
      const second = await host.submitIdea('Des jardins sur les toits');
      await until(() => !!item(host, second) && !!button(host, second, 'merge', 'Merge into…'), 'the second idea at the host', 20_000);
      await press(button(host, second, 'merge', 'Merge into…'), 'Enter');
      await until(() => ideasOf(host)!.shadowRoot!.activeElement?.id === 'merge-into', 'focus on the choice of target');
      expect(inIdeas(host).querySelector<HTMLSelectElement>('#merge-into')!.value).to.equal(id);
      await press(item(host, second)!.querySelector<HTMLButtonElement>('button[type="submit"][part~="merge"]'), 'Enter');
      await until(() => guest.ideas.find((i) => i.id === second)?.mergedInto === id, 'merged at the guest', 20_000);
      await until(() => !!item(guest, id)?.querySelector(`[data-idea="${second}"]`), 'shown under its target');
      expect(item(guest, second)!.querySelectorAll('[part~="vote"]').length).to.equal(0);
      await expect(guest).to.be.accessible();

      // The participant has no host controls; the host hides the idea by keyboard.
      expect(button(guest, id, 'hide')).to.equal(undefined);
      await expect(host).to.be.accessible();
      await press(button(host, id, 'hide'), 'Enter');
      await until(() => !guest.ideas.some((i) => i.id === id), 'the idea gone at the guest', 20_000);
      await until(() => !item(guest, id), 'and from the guest’s list');
      await until(() => host.ideas[0]?.hidden === true && button(host, id, 'hide')?.textContent!.trim() === 'Show', 'hidden, shown to the host as such');
      await expect(host).to.be.accessible();
      await expect(guest).to.be.accessible();

      // A participant may not hide one.
      const refused = await guest.hideIdea(id).then(
        () => 'done',
        (err: { code?: string }) => err.code,
      );
      expect(refused).to.equal('forbidden');
    } finally {
      host.remove();
      guest.remove();
    }
  });
});
