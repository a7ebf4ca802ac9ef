// The in-call shell of <un75-meeting>: side panel (people, chat, transcript), toasts, the waiting
// and removed screens, and the no-overlap check — with real meetings through the real server.
import { expect, fixture, html } from '@open-wc/testing';
import { sendKeys, setViewport } from '@web/test-runner-commands';
import '../../src/components/meeting/un75-meeting.js';
import type { Un75Meeting } from '../../src/components/meeting/meeting.js';
import type { Un75SidePanel } from '../../src/components/side-panel/side-panel.js';
import { ScriptedRecognizer } from '../core/caption-fakes.js';
import { SIGNALING, joined, shadow, uniqueRoom, until } from './helpers.js';

const panelOf = (m: Un75Meeting) => shadow(m).querySelector<Un75SidePanel>('un75-side-panel')!;
const toastsOf = (m: Un75Meeting) => shadow(m).querySelector('un75-toasts')!;
const button = (m: Un75Meeting, part: string) => shadow(m).querySelector<HTMLButtonElement>(`[part~="${part}"]`)!;
const inPanel = <E extends Element = HTMLElement>(m: Un75Meeting, selector: string) => shadow(panelOf(m)).querySelector<E>(selector);
const allInPanel = (m: Un75Meeting, selector: string) => [...shadow(panelOf(m)).querySelectorAll<HTMLElement>(selector)];
const toastTexts = (m: Un75Meeting) => [...shadow(toastsOf(m)).querySelectorAll('.toast')].map((t) => t.textContent ?? '');

/** A meeting joined in `room` (the first one in an open room is its host). */
async function meeting(parent: HTMLElement, room: string, name: string, extra: Partial<Un75Meeting> = {}): Promise<Un75Meeting> {
  const m = document.createElement('un75-meeting');
  Object.assign(m, { room, signaling: SIGNALING, name, spokenLanguage: 'en', recognizer: new ScriptedRecognizer(), ...extra });
  m.autojoin = true;
  parent.append(m);
  return m;
}

/**
 * Where the first and the last character of `text` are drawn inside `el` (the x of their centres):
 * what a reader sees of its direction. "first question?" set right to left has its "?" on the left.
 */
function drawnEnds(el: Element, text: string): { first: number; last: number } {
  const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const at = node.textContent!.indexOf(text);
    if (at < 0) continue;
    const x = (i: number) => {
      const range = document.createRange();
      range.setStart(node!, i);
      range.setEnd(node!, i + 1);
      const box = range.getBoundingClientRect();
      return box.left + box.width / 2;
    };
    return { first: x(at), last: x(at + text.length - 1) };
  }
  throw new Error(`"${text}" is not in one text node of ${el.outerHTML}`);
}
const readsLeftToRight = (el: Element, text: string) => drawnEnds(el, text).first < drawnEnds(el, text).last;
const readsRightToLeft = (el: Element, text: string) => drawnEnds(el, text).first > drawnEnds(el, text).last;

async function openPanel(m: Un75Meeting, which: 'people-button' | 'chat-button') {
  button(m, which).click();
  await until(() => panelOf(m)?.open && shadow(panelOf(m)).activeElement?.getAttribute('role') === 'tab', 'the panel to open with focus on its tab');
  await panelOf(m).updateComplete;
}

describe('meeting shell', () => {
  afterEach(async () => {
    await setViewport({ width: 800, height: 600 });
  });

  describe('a host and a participant in one room', () => {
    let wrapper: HTMLElement;
    let host: Un75Meeting;
    let guest: Un75Meeting;

    beforeEach(async () => {
      const room = uniqueRoom('shell');
      wrapper = await fixture<HTMLElement>(html`<div></div>`);
      host = await meeting(wrapper, room, 'Amina');
      await joined(host);
      guest = await meeting(wrapper, room, 'Boris');
      await joined(guest);
      // Linked, not just announced: a chat message sent before the link is up reaches the other
      // side only in the history the link starts with, which is neither announced nor unread.
      const linked = (m: Un75Meeting) => m.participants.length === 2 && m.participants.every((p) => p.isSelf || p.connectionState === 'connected');
      await until(() => linked(host) && linked(guest), 'both to see each other, linked');
      await until(() => host.core!.role === 'host', 'the first member to be the host');
    });

    afterEach(async () => {
      await host.leave();
      await guest.leave();
    });

    it('the people button opens a tablist panel; arrows move between tabs; Esc closes it and focus returns', async () => {
      const opener = button(host, 'people-button');
      expect(opener.getAttribute('aria-expanded')).to.equal('false');
      await openPanel(host, 'people-button');
      expect(opener.getAttribute('aria-expanded')).to.equal('true');
      const tabs = allInPanel(host, '[role="tab"]');
      expect(tabs.map((t) => t.getAttribute('aria-selected'))).to.deep.equal(['true', 'false', 'false']);
      expect(inPanel(host, '[role="tabpanel"]')!.getAttribute('aria-labelledby')).to.equal('tab-people');
      await expect(host).to.be.accessible();

      await sendKeys({ press: 'ArrowRight' });
      await until(() => panelOf(host).tab === 'chat', 'ArrowRight to select the chat tab');
      await sendKeys({ press: 'End' });
      await until(() => panelOf(host).tab === 'transcript', 'End to select the transcript tab');
      await panelOf(host).updateComplete;
      expect(inPanel(host, '[part~="download"]')!.textContent).to.contain('Download transcript');
      expect(shadow(host).querySelector('un75-captions')!.hasAttribute('no-download'), 'the download moved out of the captions').to.be.true;
      await expect(host).to.be.accessible();

      await sendKeys({ press: 'Escape' });
      await until(() => !panelOf(host).open, 'Esc to close the panel');
      expect(shadow(host).activeElement).to.equal(opener);
    });

    it('people: roles, microphones and host tools for the host only', async () => {
      await openPanel(host, 'people-button');
      await openPanel(guest, 'people-button');
      const hostText = inPanel(host, '[role="tabpanel"]')!.textContent!;
      expect(hostText).to.contain('Amina (you)').and.contain('Boris').and.contain('Host').and.contain('Participant');
      expect(allInPanel(host, '[part~="person"] [role="img"]').map((i) => i.getAttribute('aria-label'))).to.include('Microphone on');
      expect(inPanel(host, '[part~="lock"]'), 'the host has the lock').to.exist;
      expect(inPanel(host, '[part~="actions"]')!.textContent).to.contain('Actions for Boris');
      expect(inPanel(guest, '[part~="lock"]'), 'no lock for a participant').to.be.null;
      expect(inPanel(guest, '[part~="actions"]'), 'no actions for a participant').to.be.null;
      await expect(host).to.be.accessible();
      await expect(guest).to.be.accessible();

      // The raised-hands queue, in order, and the host lowers a hand.
      await guest.toggleHand(true);
      await until(() => allInPanel(host, '[part~="hand-queue"] li').length === 1, 'the hand in the queue');
      expect(inPanel(host, '[part~="hand-queue"]')!.textContent).to.contain('Boris');
      inPanel<HTMLButtonElement>(host, '[part~="hand-queue"] [part~="lower-hand"]')!.click();
      await until(() => guest.core!.session!.self?.handRaised === false, "the host to lower Boris's hand");

      // Asking to mute: a toast with "Mute me"; pressing it turns Boris's microphone off.
      // (It stays while the test looks, however slow the machine.)
      toastsOf(guest).duration = 600;
      const boris = guest.core!.session!.selfId!;
      inPanel<HTMLDetailsElement>(host, 'details')!.open = true;
      inPanel<HTMLButtonElement>(host, '[part~="ask-mute"]')!.click();
      await until(() => toastTexts(guest).some((t) => t.includes('Amina asks you to turn off your microphone')), 'the mute request toast');
      expect(guest.core!.session!.micEnabled, 'never muted by itself').to.be.true;
      await expect(guest).to.be.accessible();
      shadow(toastsOf(guest)).querySelector<HTMLButtonElement>('[part~="mute-me"]')!.click();
      await until(() => host.participants.find((p) => p.id === boris)?.micEnabled === false, 'Boris muted, seen by the host');
    });

    it('made host during the call, a participant gets the host tools and the waiting list at once, in the open panel; made participant again, loses them', async () => {
      await host.toggleLock(true);
      await until(() => guest.core!.locked, 'the lock at Boris');
      const chen = await meeting(wrapper, host.room, 'Chen');
      await until(() => host.waiting.length === 1, 'Chen waiting');
      await openPanel(guest, 'people-button');
      expect(inPanel(guest, '[part~="lock"]'), 'no lock for a participant').to.be.null;
      expect(allInPanel(guest, '[part~="waiting"]'), 'nor the waiting list').to.have.length(0);

      const boris = guest.core!.session!.selfId!;
      await host.setRole(boris, 'host');
      await until(() => inPanel(guest, '[part~="lock"]') !== null, 'the lock at the new host');
      expect(inPanel(guest, '[part~="lock"]')!.getAttribute('aria-pressed')).to.equal('true');
      await until(() => allInPanel(guest, '[part~="waiting"]').length === 1, 'Chen in the new host’s waiting list');
      expect(inPanel(guest, '[part~="waiting"]')!.textContent).to.contain('Chen');
      expect(inPanel(guest, '[part~="actions"]')!.textContent).to.contain('Actions for Amina');
      await expect(guest).to.be.accessible();

      await host.setRole(boris, 'participant');
      await until(() => inPanel(guest, '[part~="lock"]') === null, 'the lock gone');
      expect(allInPanel(guest, '[part~="waiting"]')).to.have.length(0);
      expect(inPanel(guest, '[part~="actions"]')).to.be.null;
      await host.deny(host.waiting[0]!.id);
      await chen.leave();
    });

    it('chat: Enter sends; the other side sees name, time and text, an unread count, cleared when the chat is shown', async () => {
      await openPanel(host, 'chat-button');
      const input = inPanel<HTMLTextAreaElement>(host, '[part~="chat-input"]')!;
      input.focus();
      await sendKeys({ type: 'Hello everyone' });
      await sendKeys({ press: 'Enter' });
      await until(() => guest.core!.chatMessages.some((m) => m.text === 'Hello everyone'), 'the message to arrive');
      await panelOf(host).updateComplete;
      expect(input.value, 'the input is cleared').to.equal('');
      const chatButton = button(guest, 'chat-button');
      await until(() => chatButton.getAttribute('aria-label') === 'Chat, 1 unread message', 'the unread count on the chat button');
      // Announced politely to screen readers, though the panel is closed.
      const log = shadow(panelOf(guest)).querySelector('[aria-live="polite"]')!;
      await until(() => log.textContent!.includes('Amina: Hello everyone'), 'the polite announcement');
      await openPanel(guest, 'chat-button');
      await until(() => chatButton.getAttribute('aria-label') === 'Chat' && guest.core!.unreadChat === 0, 'unread cleared');
      const message = inPanel(guest, '[part~="message"]')!;
      expect(message.textContent).to.contain('Amina').and.contain('Hello everyone');
      expect(message.querySelector('time')!.textContent).to.match(/\d/);
      await expect(guest).to.be.accessible();

      // Near the limit a counter appears; beyond 1,000 characters nothing more can be typed.
      const guestInput = inPanel<HTMLTextAreaElement>(guest, '[part~="chat-input"]')!;
      guestInput.value = 'x'.repeat(950);
      guestInput.dispatchEvent(new Event('input'));
      await panelOf(guest).updateComplete;
      const counter = inPanel(guest, '#counter')!;
      expect(counter.hidden).to.be.false;
      expect(counter.textContent).to.contain('50 characters left');
      expect(guestInput.maxLength).to.equal(1000);
    });

    it('the panel in Arabic, right to left, each tab accessible; toasts too', async () => {
      document.documentElement.lang = 'ar';
      document.documentElement.dir = 'rtl';
      try {
        await openPanel(host, 'people-button');
        expect(button(host, 'people-button').textContent).to.contain('الأشخاص');
        await expect(host).to.be.accessible();
        // In right-to-left, ArrowLeft goes to the next tab.
        await sendKeys({ press: 'ArrowLeft' });
        await until(() => panelOf(host).tab === 'chat', 'ArrowLeft to select the chat tab in RTL');
        await expect(host).to.be.accessible();
        await sendKeys({ press: 'ArrowLeft' });
        await until(() => panelOf(host).tab === 'transcript', 'the transcript tab');
        await expect(host).to.be.accessible();
        await guest.leave();
        await until(() => toastTexts(host).some((t) => t.includes('غادر Boris')), 'the left toast in Arabic');
        await expect(toastsOf(host)).to.be.accessible();
      } finally {
        document.documentElement.lang = 'en';
        document.documentElement.removeAttribute('dir');
      }
    });

    it('a refused host action and an invalid chat message are told in the UI language', async () => {
      guest.lang = 'fr';
      await until(() => toastsOf(guest) !== null, 'the toast region');
      toastsOf(guest).duration = 600;
      await guest.removeParticipant(host.core!.session!.selfId!).catch(() => {});
      await until(() => toastTexts(guest).some((t) => t.includes('Seul un hôte peut faire cela.')), 'the refusal in French');
      expect(host.participants.length, 'nobody removed').to.equal(2);
      await guest.sendChat('   ').catch(() => {});
      await until(() => toastTexts(guest).some((t) => t.includes('Message non envoyé')), 'the invalid message in French');
      await expect(toastsOf(guest)).to.be.accessible();
    });

    it('a removed person sees why instead of the call, and no way back', async () => {
      const left = new Promise<string>((resolve) => guest.addEventListener('un75-left', (e) => resolve(e.detail.reason), { once: true }));
      await host.removeParticipant(guest.core!.session!.selfId!);
      expect(await left).to.equal('removed');
      await guest.updateComplete;
      const screen = shadow(guest).querySelector('[part="left"]')!;
      expect(screen.textContent).to.contain('A host removed you from this dialogue.');
      expect(screen.querySelector('button'), 'no "Join again"').to.be.null;
      await expect(guest).to.be.accessible();
      guest.lang = 'ar';
      await until(() => shadow(guest).querySelector('[part="left"]')!.textContent!.includes('أخرجك المضيف'), 'the message in Arabic');
      await expect(guest).to.be.accessible();
      // Coming back is refused at the door: the same sentence, not the server's English, and no way back.
      await guest.join().catch(() => {});
      await until(() => shadow(guest).querySelector('[part="left"]')?.textContent?.includes('أخرجك المضيف') ?? false, 'refused at the door');
      expect(shadow(guest).querySelector('[part="left"] button'), 'no "Join again"').to.be.null;
      expect(shadow(guest).querySelector('[part="notices"]')!.textContent).not.to.contain('removed you from room');
    });
  });

  it('waiting room: the newcomer is told the host knows; the host is told and admits, or denies', async () => {
    const room = uniqueRoom('wait');
    const wrapper = await fixture<HTMLElement>(html`<div></div>`);
    const host = await meeting(wrapper, room, 'Amina');
    await joined(host);
    // Notices stay while the test looks, however slow the machine.
    await until(() => toastsOf(host) !== null, 'the toast region');
    toastsOf(host).duration = 600;
    await host.toggleLock(true);
    await until(() => host.core!.locked, 'the room to be locked');

    const chen = await meeting(wrapper, room, 'Chen');
    chen.lang = 'ar';
    await until(() => shadow(chen).querySelector('[part="waiting"]') !== null, 'the waiting screen');
    expect(shadow(chen).querySelector('[part="waiting"]')!.textContent).to.contain('أُبلغ المضيف بوجودك');
    await expect(chen).to.be.accessible();
    await until(() => toastTexts(host).some((t) => t.includes('Chen is waiting to join')), 'the host told by a toast');
    await openPanel(host, 'people-button');
    await until(() => allInPanel(host, '[part~="waiting"]').length === 1, 'Chen in the waiting list');
    await expect(host).to.be.accessible();
    inPanel<HTMLButtonElement>(host, '[part~="admit"]')!.click();
    await joined(chen);
    await until(() => host.participants.length === 2, 'Chen let in');

    const dana = await meeting(wrapper, room, 'Dana');
    const left = new Promise<string>((resolve) => dana.addEventListener('un75-left', (e) => resolve(e.detail.reason), { once: true }));
    await until(() => allInPanel(host, '[part~="waiting"]').length === 1, 'Dana in the waiting list');
    inPanel<HTMLButtonElement>(host, '[part~="deny"]')!.click();
    expect(await left).to.equal('denied');
    await dana.updateComplete;
    expect(shadow(dana).querySelector('[part="left"]')!.textContent).to.contain('A host did not let you into this dialogue.');
    await expect(dana).to.be.accessible();
    await chen.leave();
    await host.leave();
  });

  it('what people write keeps its own direction: an English message and name in an Arabic UI, an Arabic message and name in an English UI', async () => {
    const room = uniqueRoom('dir');
    const wrapper = await fixture<HTMLElement>(html`<div></div>`);
    // Amina's UI is Arabic and she speaks Arabic, yet writes in English; Boris's is English and he
    // writes in Arabic. Their names end in brackets, which a wrong direction moves to the other end.
    const aminaName = 'أمينة (القدس)';
    const borisName = 'Boris (Kyiv)';
    const amina = await meeting(wrapper, room, aminaName, { lang: 'ar', spokenLanguage: 'ar' });
    await joined(amina);
    await until(() => toastsOf(amina) !== null, 'the toast region');
    toastsOf(amina).duration = 600;
    const boris = await meeting(wrapper, room, borisName);
    await joined(boris);
    try {
      const linked = (m: Un75Meeting) => m.participants.length === 2 && m.participants.every((p) => p.isSelf || p.connectionState === 'connected');
      await until(() => linked(amina) && linked(boris), 'both to see each other, linked');
      await amina.sendChat('first question?');
      await boris.sendChat('سؤال أول؟');
      for (const m of [amina, boris]) await until(() => m.core!.chatMessages.length === 2, 'both messages on both sides');
      await openPanel(amina, 'chat-button');
      await openPanel(boris, 'chat-button');
      for (const [m, ui] of [
        [amina, 'Arabic'],
        [boris, 'English'],
      ] as const) {
        const texts = allInPanel(m, '[part~="message"] .text');
        const english = texts.find((p) => p.textContent === 'first question?')!;
        const arabic = texts.find((p) => p.textContent === 'سؤال أول؟')!;
        expect(readsLeftToRight(english, 'first question?'), `the English message in the ${ui} UI reads left to right, "?" last`).to.be.true;
        expect(readsRightToLeft(arabic, 'سؤال أول؟'), `the Arabic message in the ${ui} UI reads right to left, "؟" last`).to.be.true;
        const names = allInPanel(m, '[part~="message"] .name');
        expect(readsLeftToRight(names.find((n) => n.textContent!.includes(borisName))!, borisName), `${borisName} in the ${ui} chat`).to.be.true;
        expect(readsRightToLeft(names.find((n) => n.textContent!.includes(aminaName))!, aminaName), `${aminaName} in the ${ui} chat`).to.be.true;
        await expect(m).to.be.accessible();
      }

      // Name plates on the tiles.
      const plate = (m: Un75Meeting, name: string) =>
        [...shadow(shadow(m).querySelector('un75-video-grid')).querySelectorAll('un75-participant-tile')]
          .map((tile) => shadow(tile).querySelector('.label'))
          .find((label) => label?.textContent?.includes(name))!;
      await until(() => plate(amina, borisName) !== undefined && plate(boris, aminaName) !== undefined, 'the name plates');
      expect(readsLeftToRight(plate(amina, borisName), borisName), 'an English name on a tile in the Arabic UI').to.be.true;
      expect(readsRightToLeft(plate(boris, aminaName), aminaName), 'an Arabic name on a tile in the English UI').to.be.true;

      // A toast: the Arabic sentence right to left, the English name inside it left to right.
      const toast = [...shadow(toastsOf(amina)).querySelectorAll('.toast .text')].find((t) => t.textContent!.includes(borisName))!;
      expect(toast, 'Amina was told Boris joined').to.exist;
      expect(readsLeftToRight(toast, borisName), 'the name in the toast').to.be.true;
      expect(drawnEnds(toast, 'انضم').first > drawnEnds(toast, borisName).last, 'the Arabic verb to the right of the name').to.be.true;

      // The chat box follows what is typed.
      const input = inPanel<HTMLTextAreaElement>(amina, '[part~="chat-input"]')!;
      input.value = 'hello';
      expect(input.matches(':dir(ltr)'), 'English typed in the Arabic UI runs left to right').to.be.true;
      input.value = 'مرحبا';
      expect(input.matches(':dir(rtl)')).to.be.true;
    } finally {
      await amina.leave();
      await boris.leave();
    }
  });

  // No two of {control buttons, tiles, caption band, toasts, panel, interpreter strip} overlap, with
  // the panel open, a toast showing and a caption on screen, in a participant's view with an interpreter present.
  for (const [width, height] of [
    [390, 844],
    [1280, 800],
  ] as const) {
    for (const dir of ['ltr', 'rtl'] as const) {
      it(`nothing overlaps at ${width}×${height}, ${dir}, with the panel open, a toast and a caption`, async function () {
        // Three people join, a mute request and a caption travel: a busy machine needs more than the usual minute.
        this.timeout(150_000);
        await setViewport({ width, height });
        if (dir === 'rtl') {
          document.documentElement.lang = 'ar';
          document.documentElement.dir = 'rtl';
        }
        const room = uniqueRoom('overlap');
        // Amina speaks and Chen interprets (off screen); Boris fills the viewport and is measured.
        const offscreen = await fixture<HTMLElement>(html`<div style="position: fixed; inset-block-start: 100vh; inline-size: 400px"></div>`);
        const speaker = new ScriptedRecognizer();
        const host = await meeting(offscreen, room, 'Amina', { recognizer: speaker });
        await joined(host);
        const chen = await meeting(offscreen, room, 'Chen', { joinAs: 'interpreter', interpreterLanguages: 'en fr' });
        await joined(chen);
        const wrapper = await fixture<HTMLElement>(html`<div style="position: fixed; inset: 0; display: grid"></div>`);
        const guest = await meeting(wrapper, room, 'Boris');
        await joined(guest);
        try {
          await until(() => guest.participants.length === 3, 'all three in the room');
          await guest.updateComplete;
          // Notices stay while the boxes are compared, however slow the machine.
          await until(() => toastsOf(guest) !== null, 'the toast region');
          toastsOf(guest).duration = 600;
          await openPanel(guest, 'people-button');
          await host.requestMute(guest.core!.session!.selfId!);
          await until(() => toastTexts(guest).length > 0, 'a toast on screen');
          await until(() => speaker.options !== undefined, 'recognition to start');
          const band = () => shadow(shadow(guest).querySelector('un75-captions')!).querySelector('[part="captions"]');
          // Said again every few seconds in case the first went before the link was up (not at every
          // poll: twenty captions a second would trip the receiver's rate budget and be dropped).
          let said = -Infinity;
          await until(() => {
            if (band()?.textContent?.includes('Welcome')) return true;
            if (performance.now() - said > 3000) {
              speaker.say('Welcome to the dialogue');
              said = performance.now();
            }
            return false;
          }, 'a caption on screen', 60000);
          // The transcript tab: its download button is measured too (inside the panel, which holds it).
          inPanel<HTMLElement>(guest, '#tab-transcript')!.click();
          await until(() => inPanel(guest, '[part~="download"]') !== null, 'the transcript tab');
          await guest.updateComplete;
          await panelOf(guest).updateComplete;

          // A layout that overlaps for a moment while the grid catches up with a strip that just
          // appeared is what a busy machine shows between frames; one that stays so is the defect.
          let boxes = await settledBoxes(guest);
          let overlaps = overlapsOf(boxes);
          for (const until = performance.now() + 5000; overlaps.length && performance.now() < until; ) {
            await new Promise((resolve) => setTimeout(resolve, 200));
            boxes = await settledBoxes(guest);
            overlaps = overlapsOf(boxes);
          }
          const names = boxes.map((b) => b.name);
          for (const needed of ['panel', 'transcript button', 'toast', 'captions', 'tile', 'interpreters', 'button mic', 'button people-button']) {
            expect(names.some((n) => n.startsWith(needed)), `${needed} is visible: ${names.join(', ')}`).to.be.true;
          }
          expect(overlaps, 'overlapping boxes').to.deep.equal([]);
        } finally {
          await host.leave();
          await chen.leave();
          await guest.leave();
          document.documentElement.lang = 'en';
          document.documentElement.removeAttribute('dir');
        }
      });
    }
  }
});

/**
 * The boxes once the layout has settled: the same on two frames in a row. The grid sizes its tiles
 * in the frame after its box changed (a caption band or a toast appearing), so one frame may still
 * hold the tiles of the previous size. Never settling within 100 frames is a failure too.
 */
async function settledBoxes(m: Un75Meeting): Promise<Box[]> {
  let last = '';
  for (let frame = 0; frame < 100; frame++) {
    await new Promise((resolve) => requestAnimationFrame(resolve));
    const boxes = visibleBoxes(m);
    const key = JSON.stringify(boxes.map(({ name, rect }) => [name, rect.x, rect.y, rect.width, rect.height]));
    if (key === last) return boxes;
    last = key;
  }
  throw new Error('the layout did not settle within 100 frames');
}

interface Box {
  name: string;
  rect: DOMRect;
}

/** The pairs of boxes that overlap (the panel holds the transcript's button). */
function overlapsOf(boxes: Box[]): string[] {
  const overlaps: string[] = [];
  for (let i = 0; i < boxes.length; i++) {
    for (let j = i + 1; j < boxes.length; j++) {
      if (boxes[i]!.name === 'panel' && boxes[j]!.name === 'transcript button') continue;
      if (intersect(boxes[i]!.rect, boxes[j]!.rect)) overlaps.push(`${boxes[i]!.name} × ${boxes[j]!.name}`);
    }
  }
  return overlaps;
}

/** Overlapping by more than a rounding pixel. */
function intersect(a: DOMRect, b: DOMRect): boolean {
  return Math.min(a.right, b.right) - Math.max(a.left, b.left) > 1 && Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top) > 1;
}

/** The boxes of the shell's visible pieces; tiles clipped to the grid (which scrolls when they do not fit). */
function visibleBoxes(m: Un75Meeting): Box[] {
  const root = shadow(m);
  const out: Box[] = [];
  const add = (name: string, el: Element | null | undefined, clip?: DOMRect) => {
    if (!el) return;
    let rect = el.getBoundingClientRect();
    if (clip) {
      const left = Math.max(rect.left, clip.left);
      const top = Math.max(rect.top, clip.top);
      rect = new DOMRect(left, top, Math.max(0, Math.min(rect.right, clip.right) - left), Math.max(0, Math.min(rect.bottom, clip.bottom) - top));
    }
    if (rect.width > 0 && rect.height > 0 && getComputedStyle(el).visibility !== 'hidden') out.push({ name, rect });
  };
  const controls = root.querySelector('un75-controls')!;
  for (const b of shadow(controls).querySelectorAll('[part~="button"]')) add(`button ${b.getAttribute('part')!.replace('button ', '')}`, b);
  for (const b of root.querySelectorAll('un75-controls > button')) add(`button ${b.getAttribute('part')}`, b);
  add('language picker', root.querySelector('un75-language-picker'));
  const grid = root.querySelector('un75-video-grid')!;
  const gridRect = grid.getBoundingClientRect();
  for (const tile of shadow(grid).querySelectorAll('[part="base"] > un75-participant-tile')) add(`tile ${tile.getAttribute('part') ?? ''}`, tile, gridRect);
  add('interpreters', shadow(grid).querySelector('[part="interpreters"]'), gridRect);
  add('captions', shadow(root.querySelector('un75-captions')!).querySelector('[part="base"]'));
  for (const toast of shadow(root.querySelector('un75-toasts')!).querySelectorAll('.toast')) add('toast', toast);
  const panel = root.querySelector('un75-side-panel[open]');
  add('panel', panel);
  add('transcript button', panel && shadow(panel).querySelector('[part~="download"]'));
  add('booth', root.querySelector('un75-booth'));
  return out;
}
