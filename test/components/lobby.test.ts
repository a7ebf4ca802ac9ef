import { expect, fixture, html, oneEvent } from '@open-wc/testing';
import '../../src/components/lobby/un75-lobby.js';
import type { Un75Lobby } from '../../src/components/lobby/lobby.js';
import { shadow, until } from './helpers.js';

const previewStream = (el: Un75Lobby) => (shadow(el).querySelector('video')!.srcObject as MediaStream | null) ?? undefined;

describe('<un75-lobby>', () => {
  it('previews the camera, lists devices and is accessible', async () => {
    const el = await fixture<Un75Lobby>(html`<un75-lobby room="climate-42"></un75-lobby>`);
    await until(() => Boolean(previewStream(el)?.getVideoTracks().length), 'the camera preview');
    await until(() => shadow(el).querySelectorAll('select option[value]').length >= 2, 'device lists');
    expect(shadow(el).querySelector('.room')!.textContent).to.equal('Room climate-42');
    await expect(el).to.be.accessible();
    el.remove();
  });

  it('tells of a clear intent to join (focus in the name field, the pointer on Join), not of its showing', async () => {
    const el = await fixture<Un75Lobby>(html`<un75-lobby name="Lena"></un75-lobby>`);
    let intents = 0;
    el.addEventListener('un75-lobby-intent', () => intents++);
    const join = shadow(el).querySelector('[part="join"]')!;
    for (const label of shadow(el).querySelectorAll('label')) label.dispatchEvent(new PointerEvent('pointerover', { bubbles: true, composed: true }));
    expect(intents).to.equal(0, 'the screen shown, a pointer about it');
    join.dispatchEvent(new PointerEvent('pointerenter'));
    expect(intents).to.equal(1);
    shadow(el).querySelector('input')!.focus();
    expect(intents).to.equal(2);
    // A pointer moving over Join: once a second at most.
    for (let i = 0; i < 5; i++) join.dispatchEvent(new PointerEvent('pointermove', { bubbles: true }));
    expect(intents).to.equal(3);
    el.remove();
  });

  it("says that speech goes to the server when it will, in the visitor's language", async () => {
    const el = await fixture<Un75Lobby>(html`<un75-lobby room="r" server-recognition lang="fr"></un75-lobby>`);
    expect(shadow(el).querySelector('[part="consent"]')!.textContent).to.equal('Votre voix est envoyée au serveur pour les sous-titres.');
    await expect(el).to.be.accessible();
    el.serverRecognition = false;
    await el.updateComplete;
    expect(shadow(el).querySelector('[part="consent"]')).to.equal(null);
    el.remove();
  });

  it('shows how loud the microphone hears the visitor, and nothing while it is off', async () => {
    const el = await fixture<Un75Lobby>(html`<un75-lobby lang="ar"></un75-lobby>`);
    const meter = () => shadow(el).querySelector<HTMLMeterElement>('meter[part="level"]');
    // The fake microphone beeps once a second.
    await until(() => (meter()?.value ?? 0) > 0.05, 'the meter to move with the sound', 15000);
    expect(meter()!.getAttribute('aria-label')).to.equal('مستوى الميكروفون');
    await expect(el).to.be.accessible();
    shadow(el).querySelector<HTMLButtonElement>('.preview-toggles button')!.click(); // the microphone off
    await el.updateComplete;
    expect(meter()!.value).to.equal(0);
    el.remove();
  });

  it('does not join without a name: it focuses the field instead', async () => {
    const el = await fixture<Un75Lobby>(html`<un75-lobby></un75-lobby>`);
    let fired = false;
    el.addEventListener('un75-lobby-join', () => (fired = true));
    (shadow(el).querySelector('[part="join"]') as HTMLButtonElement).click();
    expect(fired).to.be.false;
    expect(shadow(el).activeElement).to.equal(shadow(el).querySelector('input'));
    el.remove();
  });

  it('a Join pressed before the camera has opened waits for it, and joins with camera and microphone', async () => {
    const el = await fixture<Un75Lobby>(html`<un75-lobby name="Quick"></un75-lobby>`);
    const join = oneEvent(el, 'un75-lobby-join');
    (shadow(el).querySelector('[part="join"]') as HTMLButtonElement).click();
    const { detail } = await join;
    expect(detail.media.stream.getTracks().map((t: MediaStreamTrack) => t.kind).sort()).to.deep.equal(['audio', 'video']);
    el.remove();
    detail.media.stream.getTracks().forEach((t: MediaStreamTrack) => t.stop());
  });

  it('turning the camera off in the preview releases it, and Join hands over the choices and media', async () => {
    const el = await fixture<Un75Lobby>(html`<un75-lobby name="Chen"></un75-lobby>`);
    await until(() => Boolean(previewStream(el)?.getVideoTracks().length), 'the camera preview');
    const cameraTrack = previewStream(el)!.getVideoTracks()[0]!;
    const cameraButton = shadow(el).querySelector<HTMLButtonElement>('button[aria-label="Camera"]')!;
    expect(cameraButton.getAttribute('aria-pressed')).to.equal('true');
    cameraButton.click();
    await el.updateComplete;
    expect(cameraButton.getAttribute('aria-pressed')).to.equal('false');
    await until(() => cameraTrack.readyState === 'ended', 'the camera to be released');

    const micButton = shadow(el).querySelector<HTMLButtonElement>('button[aria-label="Microphone"]')!;
    micButton.click();
    const join = oneEvent(el, 'un75-lobby-join');
    (shadow(el).querySelector('[part="join"]') as HTMLButtonElement).click();
    const { detail } = await join;
    expect(detail.name).to.equal('Chen');
    expect(detail.cameraEnabled).to.be.false;
    expect(detail.micEnabled).to.be.false;
    const audio = detail.media.stream.getAudioTracks()[0]!;
    expect(audio.enabled).to.be.false;
    // Handed over: leaving the lobby must not stop what the call now uses.
    el.remove();
    expect(audio.readyState).to.equal('live');
    audio.stop();
  });
});
