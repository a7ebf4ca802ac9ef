import { expect, oneEvent } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import '../../src/components/meeting/un75-meeting.js';
import type { Un75Meeting } from '../../src/components/meeting/meeting.js';
import { hostAndArabicGuest, joined, shadow, uniqueRoom, until } from './helpers.js';

const strip = (meeting: Un75Meeting) => shadow(meeting).querySelector<HTMLElement>('[part="agenda"]');
const next = (meeting: Un75Meeting) => shadow(meeting).querySelector<HTMLButtonElement>('[part~="agenda-next"]');

describe('the agenda strip of <un75-meeting>', () => {
  it('shows each reader the current question in their language (Arabic right to left), and only a host moves on, by keyboard', async function () {
    // Two calls joining and a database write on a busy machine.
    this.timeout(120_000);
    const room = uniqueRoom('agenda');
    const { host, guest } = await hostAndArabicGuest(room, { agendaSource: 'un75' });
    try {
      await until(() => host.agenda !== undefined, 'the host’s page gave the room the un75 agenda', 60_000);
      await joined(guest);
      await until(() => guest.agenda?.current === 0, 'the guest has the agenda');
      await Promise.all([host.updateComplete, guest.updateComplete]);

      const hostStrip = strip(host)!;
      expect(hostStrip.textContent).to.contain('What kind of future do we want to create?');
      expect(hostStrip.textContent).to.contain('Question 1 of 3');
      expect(hostStrip.textContent).to.match(/20 minutes left|19 minutes left/);
      const guestStrip = strip(guest)!;
      const question = guestStrip.querySelector<HTMLElement>('[aria-live]')!;
      expect(question.textContent).to.equal('ما نوع المستقبل الذي نريد أن نصنعه؟');
      expect(question.lang).to.equal('ar');
      expect(getComputedStyle(question).direction).to.equal('rtl');
      expect(guestStrip.textContent).to.contain('السؤال 1 من 3');
      expect(next(guest), 'no "Next question" for a participant').to.equal(null);
      await expect(host).to.be.accessible();
      await expect(guest).to.be.accessible();

      // The host moves on with the keyboard; everyone's strip follows, and the event says so.
      const changed = oneEvent(guest, 'un75-agenda-change');
      next(host)!.focus();
      await sendKeys({ press: 'Enter' });
      const { detail } = await changed;
      expect(detail.agenda?.current).to.equal(1);
      await guest.updateComplete;
      expect(strip(guest)!.querySelector('[aria-live]')!.textContent).to.equal('هل نحن على المسار الصحيح؟');
      expect(strip(guest)!.textContent).to.contain('السؤال 2 من 3');

      // A partner's agenda without Arabic: the Arabic reader gets the English, labelled as such.
      await host.setAgenda([{ id: 'q', minutes: 5, prompt: { en: 'Where do we start?', fr: 'Par où commencer ?' } }]);
      await until(() => guest.agenda?.items[0]?.id === 'q', 'the new agenda');
      await guest.updateComplete;
      const fallback = strip(guest)!.querySelector<HTMLElement>('[aria-live]')!;
      expect(fallback.textContent).to.equal('Where do we start?');
      expect(fallback.lang).to.equal('en');
      expect(getComputedStyle(fallback).direction).to.equal('ltr');
      expect(strip(guest)!.textContent).to.contain('لم يُكتب بلغتك بعد.');
      expect(next(host), 'nothing after the last item').to.equal(null);
      await expect(guest).to.be.accessible();
    } finally {
      await guest.leave();
      await host.leave();
    }
  });
});
