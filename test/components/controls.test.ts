import { expect, fixture, html, oneEvent } from '@open-wc/testing';
import '../../src/components/controls/un75-controls.js';
import '../../src/components/meeting/un75-meeting.js';
import type { Un75Controls } from '../../src/components/controls/controls.js';
import type { Un75Meeting } from '../../src/components/meeting/meeting.js';
import { joined, shadow, SIGNALING, uniqueRoom } from './helpers.js';

describe('<un75-controls>', () => {
  it('placed outside the meeting with for="…", it controls that meeting by keyboard', async () => {
    const wrapper = await fixture(html`<div>
      <un75-meeting id="talk" autojoin camera-off room=${uniqueRoom('ctl')} name="Dana" signaling=${SIGNALING}></un75-meeting>
      <un75-controls for="talk"></un75-controls>
    </div>`);
    const meeting = wrapper.querySelector<Un75Meeting>('un75-meeting')!;
    const controls = wrapper.querySelector<Un75Controls>('un75-controls')!;
    await joined(meeting);
    await controls.updateComplete;
    const toolbar = shadow(controls).querySelector('[role="toolbar"]')!;
    expect(toolbar.getAttribute('aria-label')).to.equal('Call controls');
    const mic = shadow(controls).querySelector<HTMLButtonElement>('[part~="mic"]')!;
    expect(mic.textContent!.trim()).to.equal('Microphone');
    expect(shadow(controls).querySelector('[part~="camera"]')!.getAttribute('aria-pressed')).to.equal('false');
    await expect(controls).to.be.accessible();

    // A native button: Enter and Space both activate it once focused.
    mic.focus();
    expect(shadow(controls).activeElement).to.equal(mic);
    mic.click();
    await controls.updateComplete;
    expect(mic.getAttribute('aria-pressed')).to.equal('false');
    expect(meeting.participants[0]!.micEnabled).to.be.false;

    const left = oneEvent(meeting, 'un75-left');
    shadow(controls).querySelector<HTMLButtonElement>('[part~="leave"]')!.click();
    expect((await left).detail.reason).to.equal('left');
    await controls.updateComplete;
    expect(shadow(controls).querySelector('[role="toolbar"]')).to.be.null;
  });

  it('renders nothing before its meeting has joined', async () => {
    const wrapper = await fixture(html`<div>
      <un75-meeting id="idle" room="r" signaling=${SIGNALING}></un75-meeting>
      <un75-controls for="idle"></un75-controls>
    </div>`);
    const controls = wrapper.querySelector<Un75Controls>('un75-controls')!;
    await controls.updateComplete;
    expect(shadow(controls).querySelector('button')).to.be.null;
  });
});
