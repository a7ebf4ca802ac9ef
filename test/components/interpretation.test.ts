import { expect, fixture, html } from '@open-wc/testing';
import '../../src/components/meeting/un75-meeting.js';
import type { Un75Meeting } from '../../src/components/meeting/meeting.js';
import { joined, shadow, SIGNALING, uniqueRoom, until } from './helpers.js';

const inside = (meeting: Un75Meeting, selector: string) => shadow(meeting).querySelector(selector)!;
const booth = (meeting: Un75Meeting) => shadow(inside(meeting, 'un75-booth'));
// The picker is slotted into the control bar, inside the meeting's shadow root.
const picker = (meeting: Un75Meeting) => shadow(inside(meeting, 'un75-controls').querySelector('un75-language-picker'));

describe('interpretation in <un75-meeting>', () => {
  let speaker: Un75Meeting;
  let interpreter: Un75Meeting;
  let listener: Un75Meeting;

  beforeEach(async () => {
    const room = uniqueRoom('booth');
    const wrapper = await fixture(html`<div lang="en">
      <un75-meeting id="s" autojoin camera-off room=${room} name="Sam" spoken-language="en" signaling=${SIGNALING}></un75-meeting>
      <un75-meeting
        id="i"
        autojoin
        camera-off
        room=${room}
        name="Ines"
        join-as="interpreter"
        interpreter-languages="en fr"
        signaling=${SIGNALING}
      ></un75-meeting>
      <un75-meeting
        id="l"
        style="block-size: 30rem; inline-size: 50rem"
        autojoin
        camera-off
        room=${room}
        name="Lina"
        listen-language="fr"
        signaling=${SIGNALING}
      ></un75-meeting>
    </div>`);
    [speaker, interpreter, listener] = ['#s', '#i', '#l'].map((id) => wrapper.querySelector<Un75Meeting>(id)!) as [Un75Meeting, Un75Meeting, Un75Meeting];
    await Promise.all([joined(speaker), joined(interpreter), joined(listener)]);
    await until(() => listener.interpretation?.heard?.interpreterName === 'Ines', 'the French channel at the listener');
    await listener.updateComplete;
  });

  afterEach(async () => {
    await Promise.all([speaker, interpreter, listener].map((m) => m.leave()));
  });

  it('gives the interpreter an accessible booth: on air in French, direction, cough key, relay', async () => {
    await interpreter.updateComplete;
    const console_ = inside(interpreter, 'un75-booth') as HTMLElement & { updateComplete: Promise<boolean> };
    await console_.updateComplete;
    expect(booth(interpreter).querySelector('[part="on-air"]')!.textContent!.trim()).to.equal('On air: French');
    expect(booth(interpreter).querySelector('[part="swap"]')!.textContent!.replace(/\s+/g, ' ').trim()).to.equal(
      'Swap direction, now English → French',
    );
    const cough = booth(interpreter).querySelector<HTMLButtonElement>('[part="cough"]')!;
    expect(cough.getAttribute('aria-pressed')).to.equal('false');
    cough.click();
    await console_.updateComplete;
    expect(cough.getAttribute('aria-pressed')).to.equal('true');
    expect(interpreter.localStream!.getAudioTracks()[0]!.enabled).to.be.false;
    await until(() => listener.interpretation!.heard?.muted === true, 'the listener to see the channel muted');
    await expect(console_).to.be.accessible();
    // Only interpreters get a booth.
    expect(shadow(listener).querySelector('un75-booth')).to.be.null;
  });

  it('shows the listener a live human channel in the picker, with a floor-volume slider that ducks the floor', async () => {
    const controls = inside(listener, 'un75-controls') as HTMLElement & { updateComplete: Promise<boolean> };
    await controls.updateComplete;
    const languagePicker = controls.querySelector('un75-language-picker') as HTMLElement & { updateComplete: Promise<boolean> };
    await languagePicker.updateComplete;
    const status = picker(listener).querySelector('[part="channel-status"]')!;
    expect(status.textContent!.trim()).to.equal('French: human interpreter Ines live');
    const french = picker(listener).querySelector<HTMLOptionElement>('[part~="listen-picker"] option[value="fr"]')!;
    expect(french.textContent).to.contain('Human interpretation');
    const sam = listener.participants.find((p) => p.name === 'Sam')!;
    const ines = listener.participants.find((p) => p.name === 'Ines')!;
    await until(() => listener.session!.audio.volumeOf(sam.id) !== undefined, 'the floor to play');
    expect(listener.session!.audio.volumeOf(sam.id)).to.be.closeTo(0.2, 0.001);
    expect(listener.session!.audio.volumeOf(ines.id)).to.equal(1);

    const slider = picker(listener).querySelector<HTMLInputElement>('[part="floor-volume"]')!;
    slider.value = '0';
    slider.dispatchEvent(new Event('input'));
    expect(listener.session!.audio.volumeOf(sam.id)).to.equal(0);
    expect(listener.floorVolume).to.equal(0);
    await expect(languagePicker).to.be.accessible();
  });

  it('lists the interpreter apart from the speakers, marked with the channel', async () => {
    const grid = shadow(inside(listener, 'un75-video-grid'));
    await until(() => grid.querySelectorAll('[part~="interpreter-tile"]').length === 1, 'the interpreter strip');
    const main = [...grid.querySelectorAll('[part="base"] un75-participant-tile')].map((t) => (t as HTMLElement & { participant: { name: string } }).participant.name);
    expect(main).to.have.members(['Lina', 'Sam']);
    const tile = grid.querySelector('[part~="interpreter-tile"]') as HTMLElement & { updateComplete: Promise<boolean> };
    await tile.updateComplete;
    expect(shadow(tile).querySelector('[part="badge"]')!.textContent!.trim()).to.equal('Interpreting into French');
    expect(tile.hasAttribute('speaking')).to.be.false;
    // The strip takes its room from the grid: it never covers the control bar below.
    const strip = grid.querySelector('[part="interpreters"]')!.getBoundingClientRect();
    const controls = inside(listener, 'un75-controls').getBoundingClientRect();
    expect(strip.bottom).to.be.at.most(controls.top + 1);
  });

  it('fires un75-channel-change when the listener picks the floor language, and the interpreter is no longer heard', async () => {
    const changes: { listenLanguage: string; channel: unknown }[] = [];
    listener.addEventListener('un75-channel-change', (e) => changes.push(e.detail));
    listener.listenLanguage = 'en';
    await listener.updateComplete;
    expect(changes.at(-1)).to.deep.equal({ listenLanguage: 'en', channel: null });
    const ines = listener.participants.find((p) => p.name === 'Ines')!;
    expect(listener.session!.audio.volumeOf(ines.id)).to.equal(0);
  });
});

describe('the interpreter booth in Arabic', () => {
  it('is labelled in Arabic and laid out right to left', async () => {
    const wrapper = await fixture(html`<div lang="ar">
      <un75-meeting autojoin camera-off room=${uniqueRoom('ar')} name="أمل" join-as="interpreter" interpreter-languages="ar fr" signaling=${SIGNALING}></un75-meeting>
    </div>`);
    const meeting = wrapper.querySelector('un75-meeting')!;
    await joined(meeting);
    await meeting.updateComplete;
    const el = inside(meeting, 'un75-booth') as HTMLElement & { updateComplete: Promise<boolean> };
    await el.updateComplete;
    expect(shadow(el).querySelector('[part="on-air"]')!.textContent!.trim()).to.equal('على الهواء: الفرنسية');
    expect(getComputedStyle(shadow(el).querySelector('[part="base"]')!).direction).to.equal('rtl');
    await expect(el).to.be.accessible();
    await meeting.leave();
  });
});
