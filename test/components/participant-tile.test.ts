import { expect, fixture, html } from '@open-wc/testing';
import '../../src/components/participant-tile/un75-participant-tile.js';
import type { Un75ParticipantTile } from '../../src/components/participant-tile/participant-tile.js';
import type { Participant } from '../../src/core/types.js';
import { shadow, until } from './helpers.js';

const person = (over: Partial<Participant> = {}): Participant => ({
  id: 'p1',
  name: 'Amina Diallo',
  role: 'participant',
  spokenLanguage: 'fr',
  micEnabled: true,
  cameraEnabled: true,
  handRaised: false,
  connectionState: 'connected',
  isSelf: false,
  ...over,
});

describe('<un75-participant-tile>', () => {
  it('shows the name on the video and is accessible', async () => {
    const el = await fixture<Un75ParticipantTile>(html`<un75-participant-tile .participant=${person()}></un75-participant-tile>`);
    expect(shadow(el).querySelector('[part="name"]')!.textContent).to.contain('Amina Diallo');
    expect(shadow(el).querySelector('video')!.hidden).to.be.false;
    expect(shadow(el).querySelector('[part="mic-off"]')).to.be.null;
    await expect(el).to.be.accessible();
  });

  it('marks a muted microphone with a labelled icon and oneself with "(you)"', async () => {
    const el = await fixture<Un75ParticipantTile>(
      html`<un75-participant-tile .participant=${person({ micEnabled: false, isSelf: true })}></un75-participant-tile>`,
    );
    const mark = shadow(el).querySelector('[part="mic-off"]')!;
    expect(mark.getAttribute('aria-label')).to.equal('Microphone off');
    expect(shadow(el).querySelector('.label')!.textContent).to.equal('Amina Diallo (you)');
    // Oneself is never played back: no echo of one's own voice.
    expect(shadow(el).querySelector('video')!.muted).to.be.true;
    await expect(el).to.be.accessible();
  });

  it('shows initials instead of a black video when the camera is off', async () => {
    const el = await fixture<Un75ParticipantTile>(
      html`<un75-participant-tile .participant=${person({ cameraEnabled: false })}></un75-participant-tile>`,
    );
    expect(shadow(el).querySelector('video')!.hidden).to.be.true;
    expect(shadow(el).querySelector('.avatar')!.textContent!.trim()).to.equal('AD');
  });

  it('keeps playing the video while the tile updates (speaking, muting) instead of restarting it', async () => {
    const canvas = document.createElement('canvas');
    canvas.width = 64;
    canvas.height = 36;
    const paint = setInterval(() => {
      const g = canvas.getContext('2d')!;
      g.fillStyle = `hsl(${Date.now() % 360} 80% 50%)`;
      g.fillRect(0, 0, 64, 36);
    }, 30);
    const stream = canvas.captureStream(30);
    try {
      const el = await fixture<Un75ParticipantTile>(html`<un75-participant-tile .participant=${person()} .stream=${stream}></un75-participant-tile>`);
      const video = shadow(el).querySelector('video')!;
      await until(() => video.videoWidth > 0, 'the video to play');
      let restarts = 0;
      video.addEventListener('emptied', () => restarts++);
      for (let i = 0; i < 6; i++) {
        el.speaking = i % 2 === 0;
        el.participant = person({ micEnabled: i % 2 === 1 });
        await el.updateComplete;
      }
      expect(restarts, 'the video was reloaded by an update').to.equal(0);
      expect(video.srcObject).to.equal(stream);
      expect(video.videoWidth).to.equal(64);
    } finally {
      clearInterval(paint);
      stream.getTracks().forEach((t) => t.stop());
    }
  });

  it('says who is speaking to screen readers and outlines the tile', async () => {
    const el = await fixture<Un75ParticipantTile>(html`<un75-participant-tile speaking .participant=${person()}></un75-participant-tile>`);
    expect(shadow(el).querySelector('.visually-hidden')!.textContent).to.equal('Speaking');
    const outline = getComputedStyle(shadow(el).querySelector('[part="base"]')!).outlineColor;
    expect(outline).to.equal('rgb(61, 220, 132)');
  });

  it('labels a screen share as such and shows the connection state while connecting', async () => {
    const el = await fixture<Un75ParticipantTile>(
      html`<un75-participant-tile screen .participant=${person({ connectionState: 'connecting' })}></un75-participant-tile>`,
    );
    expect(shadow(el).querySelector('.label')!.textContent).to.equal("Amina Diallo's screen");
    expect(shadow(el).querySelector('[part="state"]')!.textContent).to.equal('Connecting…');
  });

  it('puts the name at the inline start: right in Arabic, with Arabic labels', async () => {
    const wrapper = await fixture(html`
      <div lang="ar" dir="rtl" style="inline-size: 480px">
        <un75-participant-tile .participant=${person({ name: 'أمينة', micEnabled: false })}></un75-participant-tile>
      </div>
    `);
    const el = wrapper.querySelector('un75-participant-tile')!;
    await el.updateComplete;
    const tile = el.getBoundingClientRect();
    const name = shadow(el).querySelector('[part="name"]')!.getBoundingClientRect();
    expect(tile.right - name.right).to.be.lessThan(20);
    expect(name.left - tile.left).to.be.greaterThan(100);
    expect(shadow(el).querySelector('[part="mic-off"]')!.getAttribute('aria-label')).to.equal('الميكروفون مكتوم');
    await expect(el).to.be.accessible();
  });
});
