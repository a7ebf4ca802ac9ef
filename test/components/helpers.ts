import { fixture, html, oneEvent } from '@open-wc/testing';
import type { Un75Meeting } from '../../src/components/meeting/meeting.js';

/** WebSocket URL of the real signaling server the test runner started (web-test-runner.config.mjs). */
export const SIGNALING = (window as unknown as { UN75_SIGNALING: string }).UN75_SIGNALING;

let rooms = 0;
/** A room name no other test uses. */
export const uniqueRoom = (prefix = 'room') => `${prefix}-${Date.now().toString(36)}-${rooms++}`;

/** Resolves once the meeting fires un75-joined (or at once if it already has a session in the room). */
export async function joined(meeting: Un75Meeting): Promise<void> {
  if (meeting.session?.state === 'joined') return;
  await oneEvent(meeting, 'un75-joined');
}

/** Polls until `check` holds; fails with `what` after `timeout` ms. */
export async function until(check: () => boolean, what: string, timeout = 10000): Promise<void> {
  const start = performance.now();
  while (!check()) {
    if (performance.now() - start > timeout) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The element's shadow root, typed for querying. */
export const shadow = (el: Element | null | undefined): ShadowRoot => {
  if (!el?.shadowRoot) throw new Error(`${el?.tagName ?? 'element'} has no shadow root`);
  return el.shadowRoot;
};

/**
 * Two people in `room` with camera and microphone off: an English host, joined when this resolves
 * (`hostProps` set before it joins, e.g. `{ agendaSource: 'un75' }`), and an Arabic reader in a
 * right-to-left box, on her way in. Both sit in `wrapper`; leave both in a `finally`.
 */
export async function hostAndArabicGuest(room: string, hostProps: Partial<Un75Meeting> = {}): Promise<{ wrapper: HTMLElement; host: Un75Meeting; guest: Un75Meeting }> {
  const wrapper = await fixture<HTMLElement>(html`<div></div>`);
  const meeting = (box: HTMLElement, props: Partial<Un75Meeting>) => {
    const m = document.createElement('un75-meeting');
    Object.assign(m, { room, signaling: SIGNALING, autojoin: true, micOff: true, cameraOff: true }, props);
    box.append(m);
    return m;
  };
  const host = meeting(wrapper, { id: 'host', lang: 'en', name: 'Hana', spokenLanguage: 'en', ...hostProps });
  await joined(host);
  const guestBox = document.createElement('div');
  guestBox.lang = 'ar';
  guestBox.dir = 'rtl';
  wrapper.append(guestBox);
  const guest = meeting(guestBox, { name: 'أمينة', listenLanguage: 'ar', spokenLanguage: 'ar' });
  return { wrapper, host, guest };
}
