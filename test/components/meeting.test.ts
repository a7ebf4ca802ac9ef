import { aTimeout, expect, fixture, html, oneEvent } from '@open-wc/testing';
import '../../src/components/meeting/un75-meeting.js';
import type { Un75Meeting } from '../../src/components/meeting/meeting.js';
import { LOCALES, UN_LANGUAGES } from '../../src/i18n/localize.js';
import { joined, shadow, SIGNALING, uniqueRoom, until } from './helpers.js';
import '../../src/components/language-picker/un75-language-picker.js';
import type { Un75LanguagePicker } from '../../src/components/language-picker/language-picker.js';
import { ControlledTranslator, ScriptedRecognizer } from '../core/caption-fakes.js';

const lobbyOf = (meeting: Un75Meeting) => shadow(meeting).querySelector('un75-lobby')!;
const tilesOf = (meeting: Un75Meeting) =>
  [...shadow(shadow(meeting).querySelector('un75-video-grid')!).querySelectorAll('un75-participant-tile')];
const button = (meeting: Un75Meeting, part: string) =>
  shadow(shadow(meeting).querySelector('un75-controls')!).querySelector<HTMLButtonElement>(`[part~="${part}"]`)!;

describe('<un75-meeting>', () => {
  it('shows an accessible pre-join screen that asks for a name', async () => {
    const el = await fixture<Un75Meeting>(html`<un75-meeting room=${uniqueRoom()} signaling=${SIGNALING}></un75-meeting>`);
    const lobby = lobbyOf(el);
    await lobby.updateComplete;
    expect(shadow(lobby).querySelector('input[name="name"]')).to.exist;
    expect(shadow(lobby).querySelector('[part="join"]')!.textContent!.trim()).to.equal('Join');
    await expect(el).to.be.accessible();
  });

  for (const code of UN_LANGUAGES) {
    it(`speaks ${code} when the page does, ${LOCALES[code].$dir}`, async () => {
      const wrapper = await fixture(html`<div lang=${code}><un75-meeting room="r" signaling=${SIGNALING}></un75-meeting></div>`);
      const el = wrapper.querySelector('un75-meeting')!;
      await el.updateComplete;
      const lobby = lobbyOf(el);
      await lobby.updateComplete;
      expect(shadow(lobby).querySelector('[part="join"]')!.textContent!.trim()).to.equal(LOCALES[code].join);
      const base = shadow(el).querySelector('[part="base"]')!;
      expect(getComputedStyle(base).direction).to.equal(LOCALES[code].$dir);
      await expect(el).to.be.accessible();
    });
  }

  it('follows a change of the lang attribute at run time', async () => {
    const el = await fixture<Un75Meeting>(html`<un75-meeting lang="en" room="r" signaling=${SIGNALING}></un75-meeting>`);
    el.setAttribute('lang', 'fr');
    await aTimeout(0);
    await el.updateComplete;
    await lobbyOf(el).updateComplete;
    expect(shadow(lobbyOf(el)).querySelector('[part="join"]')!.textContent!.trim()).to.equal('Rejoindre');
  });

  it('joins by keyboard alone: type a name, press Enter', async () => {
    const el = await fixture<Un75Meeting>(html`<un75-meeting room=${uniqueRoom('kbd')} signaling=${SIGNALING}></un75-meeting>`);
    const lobby = lobbyOf(el);
    await lobby.updateComplete;
    const input = shadow(lobby).querySelector('input')!;
    input.focus();
    input.value = 'Farid';
    const joinedEvent = oneEvent(el, 'un75-joined');
    input.form!.requestSubmit();
    const { detail } = await joinedEvent;
    expect(detail.selfId).to.be.a('string');
    expect(el.participants.map((p) => p.name)).to.deep.equal(['Farid']);
    await el.leave();
  });

  it('the pre-join screen asks which language one listens in and speaks, and the call starts in them', async () => {
    const el = await fixture<Un75Meeting>(html`<un75-meeting room=${uniqueRoom('langs')} signaling=${SIGNALING} lang="fr" spoken-language="en"></un75-meeting>`);
    const lobby = lobbyOf(el);
    await lobby.updateComplete;
    const picker = () => shadow(el).querySelector<Un75LanguagePicker>('un75-language-picker[slot="languages"]');
    const select = (which: string) => shadow(picker()!).querySelector<HTMLSelectElement>(`[part~="${which}-picker"]`);
    await until(() => Boolean(select('listen') && select('spoken')), 'the language choice, once the call code is loaded', 20000);
    expect(select('spoken')!.value).to.equal('en');
    const choose = (which: string, tag: string) => {
      const s = select(which)!;
      s.value = tag;
      s.dispatchEvent(new Event('change', { bubbles: true }));
    };
    choose('spoken', 'es');
    choose('listen', 'ar');
    expect([el.spokenLanguage, el.listenLanguage]).to.deep.equal(['es', 'ar']);
    await expect(el).to.be.accessible();
    const input = shadow(lobby).querySelector('input')!;
    input.value = 'Lucía';
    const joinedEvent = oneEvent(el, 'un75-joined');
    input.form!.requestSubmit();
    await joinedEvent;
    expect(el.participants.find((p) => p.isSelf)!.spokenLanguage).to.equal('es');
    expect(el.core!.languages.listen).to.equal('ar');
    await el.leave();
  });

  it('with recognition="auto", the pre-join screen says speech goes to the server once the server says it recognises the spoken language', async () => {
    const asrSignaling = (window as unknown as { UN75_ASR_SIGNALING: string }).UN75_ASR_SIGNALING;
    const el = await fixture<Un75Meeting>(html`<un75-meeting room=${uniqueRoom('consent')} signaling=${asrSignaling} lang="fr" spoken-language="fr-CA"></un75-meeting>`);
    const lobby = lobbyOf(el);
    await lobby.updateComplete;
    const consent = () => shadow(lobby).querySelector('[part="consent"]');
    expect(consent(), 'nothing is known of the server before the visitor means to join').to.equal(null);
    // The name field focused: the socket opens ahead, and the server's hello says it recognises French.
    shadow(lobby).querySelector('input')!.focus();
    await until(() => consent() !== null, 'the notice that speech goes to the server', 20000);
    expect(consent()!.textContent).to.equal('Votre voix est envoyée au serveur pour les sous-titres.');
    await expect(el).to.be.accessible();
    // Speaking a language the server does not recognise: the browser's own recogniser would be used.
    el.spokenLanguage = 'es';
    await lobby.updateComplete;
    await el.updateComplete;
    expect(consent(), 'Spanish is not recognised by this server').to.equal(null);
  });

  it('renders the call ahead under the pre-join screen, not displayed nor read, and joins into those same elements', async () => {
    const el = await fixture<Un75Meeting>(html`<un75-meeting room=${uniqueRoom('ahead')} signaling=${SIGNALING}></un75-meeting>`);
    const part = (name: string) => shadow(el).querySelector<HTMLElement>(`[part~="${name}"]`);
    await until(() => part('stage') !== null && part('controls') !== null, 'the call rendered ahead once its code is loaded');
    const [stage, controls] = [part('stage')!, part('controls')!];
    for (const rendered of [stage, controls]) expect(rendered.getClientRects().length).to.equal(0, 'not even laid out');
    expect(lobbyOf(el).checkVisibility()).to.equal(true, 'the pre-join screen is what shows');
    await expect(el).to.be.accessible();
    const lobby = lobbyOf(el);
    await lobby.updateComplete;
    const input = shadow(lobby).querySelector('input')!;
    input.value = 'Amara';
    const joinedEvent = oneEvent(el, 'un75-joined');
    input.form!.requestSubmit();
    await joinedEvent;
    await el.updateComplete;
    expect(part('stage')).to.equal(stage, 'the same elements, not rendered again');
    expect(part('controls')).to.equal(controls);
    for (const shown of [stage, controls]) expect(shown.checkVisibility({ visibilityProperty: true })).to.equal(true);
    await el.leave();
  });

  it('refuses to join without a valid room, with a visible message and un75-error', async () => {
    const el = await fixture<Un75Meeting>(html`<un75-meeting room="no spaces allowed" name="X" signaling=${SIGNALING}></un75-meeting>`);
    const error = oneEvent(el, 'un75-error');
    el.join().catch(() => {});
    expect((await error).detail.code).to.equal('bad-room');
    await el.updateComplete;
    expect(shadow(el).querySelector('[part="notices"]')!.textContent).to.contain('No room given');
  });

  describe('camera and microphone on the way in', () => {
    /** Records every stream the page gets from getUserMedia (the real one, with fake devices). */
    let streams: MediaStream[];
    let original: MediaDevices['getUserMedia'];
    beforeEach(() => {
      streams = [];
      original = navigator.mediaDevices.getUserMedia;
      navigator.mediaDevices.getUserMedia = async function (constraints) {
        const stream = await original.call(this, constraints);
        streams.push(stream);
        return stream;
      };
    });
    afterEach(() => {
      navigator.mediaDevices.getUserMedia = original;
    });
    const ids = (tracks: MediaStreamTrack[]) => tracks.map((t) => t.id).sort();

    it('autojoin asks once for camera and microphone, and the call sends what it got', async () => {
      const el = await fixture<Un75Meeting>(html`<un75-meeting autojoin room=${uniqueRoom('once')} name="Amina" signaling=${SIGNALING}></un75-meeting>`);
      await joined(el);
      expect(streams.length).to.equal(1);
      expect(ids(el.localStream!.getTracks())).to.deep.equal(ids(streams[0]!.getTracks()));
      expect(el.localStream!.getTracks().map((t) => `${t.kind} ${t.readyState}`).sort()).to.deep.equal(['audio live', 'video live']);
      await el.leave();
      expect(streams[0]!.getTracks().every((t) => t.readyState === 'ended')).to.equal(true);
    });

    it('joining from the pre-join screen takes over its preview without asking again', async () => {
      const el = await fixture<Un75Meeting>(html`<un75-meeting room=${uniqueRoom('preview')} name="Boris" signaling=${SIGNALING}></un75-meeting>`);
      const lobby = lobbyOf(el);
      await until(() => streams.length === 1 && Boolean(shadow(lobby).querySelector('video')?.srcObject), 'the preview');
      const joinedEvent = oneEvent(el, 'un75-joined');
      shadow(lobby).querySelector<HTMLButtonElement>('[part="join"]')!.click();
      await joinedEvent;
      expect(streams.length).to.equal(1);
      expect(ids(el.localStream!.getTracks())).to.deep.equal(ids(streams[0]!.getTracks()));
      await el.leave();
    });

    it('a join refused before anything was joined releases the camera and microphone it had started', async () => {
      const el = await fixture<Un75Meeting>(html`<un75-meeting autojoin room="no spaces allowed" name="X" signaling=${SIGNALING}></un75-meeting>`);
      await until(() => streams.length >= 1, 'the camera asked for');
      await until(() => streams[0]!.getTracks().every((t) => t.readyState === 'ended'), 'the camera released', 20000);
      expect(streams[0]!.getTracks().length).to.be.greaterThan(0);
      // Back at the pre-join screen, which opens its own preview.
      await el.updateComplete;
      expect(lobbyOf(el)).to.exist;
    });
  });

  it('while waiting to be let in, the in-call screen is not shown (nor read out), and is once admitted', async () => {
    const room = uniqueRoom('wait');
    const host = await fixture<Un75Meeting>(html`<un75-meeting autojoin join-as="host" room=${room} name="Hana" signaling=${SIGNALING}></un75-meeting>`);
    await joined(host);
    await host.toggleLock(true);
    await until(() => host.core?.locked === true, 'the room locked');
    const guest = document.createElement('un75-meeting') as Un75Meeting;
    Object.assign(guest, { room, name: 'Gabriel', signaling: SIGNALING, autojoin: true });
    const waiting = oneEvent(guest, 'un75-waiting-room');
    host.parentElement!.append(guest);
    try {
      await waiting;
      await guest.updateComplete;
      const part = (name: string) => shadow(guest).querySelector<HTMLElement>(`[part~="${name}"]`);
      expect(part('waiting')?.checkVisibility()).to.equal(true);
      for (const name of ['stage', 'controls']) expect(part(name)?.checkVisibility() ?? false).to.equal(false, `${name} hidden`);
      await expect(guest).to.be.accessible();
      await until(() => host.waiting.length === 1, 'the guest in the host’s waiting list');
      const admitted = oneEvent(guest, 'un75-joined');
      await host.admit(host.waiting[0]!.id);
      await admitted;
      await guest.updateComplete;
      expect(part('waiting')).to.equal(null);
      for (const name of ['stage', 'controls']) expect(part(name)!.checkVisibility()).to.equal(true, `${name} shown`);
      await until(() => tilesOf(guest).length === 2, 'both tiles');
    } finally {
      await guest.leave();
      guest.remove();
      await host.leave();
    }
  });

  it('while the camera starts, the call is laid out but neither shown nor read; at joined it shows, and the people already there are not announced', async () => {
    const room = uniqueRoom('early');
    const host = await fixture<Un75Meeting>(html`<un75-meeting autojoin room=${room} name="Hana" signaling=${SIGNALING}></un75-meeting>`);
    await joined(host);
    // The guest's camera answers only when the test says so: until then the guest is joining.
    let answer!: () => void;
    const asked = new Promise<void>((resolve) => (answer = resolve));
    const original = navigator.mediaDevices.getUserMedia;
    navigator.mediaDevices.getUserMedia = async function (constraints) {
      await asked;
      return original.call(this, constraints);
    };
    const guest = document.createElement('un75-meeting') as Un75Meeting;
    Object.assign(guest, { room, name: 'Gabriel', signaling: SIGNALING, autojoin: true });
    host.parentElement!.append(guest);
    const part = (name: string) => shadow(guest).querySelector<HTMLElement>(`[part~="${name}"]`);
    try {
      await until(() => part('stage') !== null && part('controls') !== null, 'the call rendered while the camera starts');
      expect(guest.core?.session?.state, 'still joining').to.equal('joining');
      for (const name of ['stage', 'controls']) expect(part(name)!.checkVisibility({ visibilityProperty: true })).to.equal(false, `${name} not shown yet`);
      expect(part('joining')!.checkVisibility({ visibilityProperty: true })).to.equal(true);
      await expect(guest).to.be.accessible();
      const joinedEvent = oneEvent(guest, 'un75-joined');
      answer();
      await joinedEvent;
      await guest.updateComplete;
      expect(part('joining')).to.equal(null);
      for (const name of ['stage', 'controls']) expect(part(name)!.checkVisibility({ visibilityProperty: true })).to.equal(true, `${name} shown`);
      const toasts = shadow(guest).querySelector('un75-toasts')!;
      await toasts.updateComplete;
      expect(shadow(toasts).textContent, 'no notice that Hana, already there, joined').to.not.contain('Hana');
      await until(() => tilesOf(guest).length === 2, 'both tiles');
    } finally {
      navigator.mediaDevices.getUserMedia = original;
      await guest.leave();
      guest.remove();
      await host.leave();
    }
  });

  it('fires un75-error and shows why when the signaling server cannot be reached', async () => {
    const el = await fixture<Un75Meeting>(html`<un75-meeting room="r" name="X" signaling="ws://127.0.0.1:9/signal"></un75-meeting>`);
    const error = oneEvent(el, 'un75-error');
    const left = oneEvent(el, 'un75-left');
    el.join().catch(() => {});
    expect((await error).detail.code).to.equal('unreachable');
    expect((await left).detail.reason).to.equal('unreachable');
    await el.updateComplete;
    expect(shadow(el).querySelector('[part="notices"]')!.textContent).to.contain('The connection to the server was lost.');
  });

  describe('two meetings in one room, with real peer connections', () => {
    let a: Un75Meeting;
    let b: Un75Meeting;

    beforeEach(async () => {
      const room = uniqueRoom('pair');
      const wrapper = await fixture(html`<div>
        <un75-meeting id="a" autojoin room=${room} name="Amina" signaling=${SIGNALING}></un75-meeting>
        <un75-meeting id="b" autojoin room=${room} name="Boris" signaling=${SIGNALING}></un75-meeting>
      </div>`);
      a = wrapper.querySelector('#a')!;
      b = wrapper.querySelector('#b')!;
      await Promise.all([joined(a), joined(b)]);
      await until(() => a.participants.length === 2 && b.participants.length === 2, 'both to see each other');
    });

    afterEach(async () => {
      await a.leave();
      await b.leave();
    });

    it('each sees the other with video playing, and the in-call screen is accessible', async () => {
      await until(
        () => a.participants.every((p) => p.connectionState === 'connected'),
        'the link to be connected',
      );
      await a.updateComplete;
      const remote = tilesOf(a).find((t) => t.participant?.name === 'Boris')!;
      const video = shadow(remote).querySelector('video')!;
      await until(() => video.videoWidth > 0 && video.currentTime > 0, 'remote video to play', 15000);
      // Chromium's fake microphone beeps every second: the level meter must light the speaker's tile.
      await until(() => remote.hasAttribute('speaking'), 'the speaking outline from the audio level', 10000);
      await expect(a).to.be.accessible();
    });

    it('the microphone button mutes, says so with aria-pressed, and the other side sees it', async () => {
      await a.updateComplete;
      await shadow(a).querySelector('un75-controls')!.updateComplete;
      const mic = button(a, 'mic');
      expect(mic.getAttribute('aria-pressed')).to.equal('true');
      mic.click();
      await a.updateComplete;
      await shadow(a).querySelector('un75-controls')!.updateComplete;
      expect(mic.getAttribute('aria-pressed')).to.equal('false');
      expect(a.localStream!.getAudioTracks()[0]!.enabled).to.be.false;
      await until(() => b.participants.find((p) => p.name === 'Amina')?.micEnabled === false, 'Boris to see Amina muted');
    });

    it('toggleCamera(false) releases the camera and toggleCamera() brings it back', async () => {
      expect(await a.toggleCamera(false)).to.be.false;
      expect(a.localStream!.getVideoTracks()).to.have.length(0);
      await until(() => b.participants.find((p) => p.name === 'Amina')?.cameraEnabled === false, 'camera off seen by Boris');
      expect(await a.toggleCamera()).to.be.true;
      expect(a.localStream!.getVideoTracks()[0]!.readyState).to.equal('live');
      await until(() => b.participants.find((p) => p.name === 'Amina')?.cameraEnabled === true, 'camera on seen by Boris');
    });

    it('a change of spoken language reaches the other side', async () => {
      a.spokenLanguage = 'ar';
      await until(() => b.participants.find((p) => p.name === 'Amina')?.spokenLanguage === 'ar', 'Boris to see Amina speaks Arabic');
      expect(a.participants.find((p) => p.isSelf)!.spokenLanguage).to.equal('ar');
    });

    it('raising a hand shows on the other side', async () => {
      await a.toggleHand(true);
      await until(() => b.participants.find((p) => p.name === 'Amina')?.handRaised === true, 'hand seen by Boris');
      await b.updateComplete;
      const tile = tilesOf(b).find((t) => t.participant?.name === 'Amina')!;
      await tile.updateComplete;
      expect(shadow(tile).querySelector('[part="hand"]')!.getAttribute('aria-label')).to.equal('Hand raised');
    });

    it('caps each link’s video within the upload budget and pauses it while the other side hides its tile', async () => {
      await until(() => (a.session!.videoBitrateCaps()[0] ?? 0) > 0, 'a cap to be set');
      // One link: at most the 1.5 Mbit/s a sender ever uses, less for the tile Boris draws it in.
      const cap = a.session!.videoBitrateCaps()[0]!;
      expect(cap).to.be.at.most(1_500_000).and.at.least(60_000);
      await b.updateComplete;
      const tile = tilesOf(b).find((t) => t.participant?.name === 'Amina')!;
      const toBoris = () => a.session!.videoEncodings().find((e) => e.to === b.session!.selfId);
      await until(() => toBoris()?.active === true, 'video to Boris');
      // Boris's tile of Amina is hidden (display: none): her browser stops sending him video…
      tile.style.display = 'none';
      await until(() => toBoris()?.active === false, 'the link paused', 15000);
      // …and sends it again once the tile is back.
      tile.style.display = '';
      await until(() => toBoris()?.active === true, 'the link resumed', 15000);
    });

    it('removing the element leaves the room and stops camera and microphone', async () => {
      const tracks = b.localStream!.getTracks();
      const left = oneEvent(b, 'un75-left');
      b.remove();
      expect((await left).detail.reason).to.equal('removed');
      expect(tracks.every((t) => t.readyState === 'ended')).to.be.true;
      await until(() => a.participants.length === 1, 'Amina to see Boris gone');
    });
  });

  it('an outer language picker bound with for, placed before the meeting exists, drives it like the inner one', async () => {
    const room = uniqueRoom('outer-picker');
    const wrapper = await fixture<HTMLDivElement>(html`<div><un75-language-picker for="m"></un75-language-picker></div>`);
    const picker = wrapper.querySelector<Un75LanguagePicker>('un75-language-picker')!;
    const choose = async (which: 'listen' | 'spoken', tag: string) => {
      await picker.updateComplete;
      const select = shadow(picker).querySelector<HTMLSelectElement>(`[part~="${which}-picker"]`)!;
      select.value = tag;
      select.dispatchEvent(new Event('change'));
    };
    // Someone already in the room, whose captions the meeting shows and who sees its spoken language.
    const speaker = new ScriptedRecognizer();
    const other = document.createElement('un75-meeting');
    Object.assign(other, { room, signaling: SIGNALING, name: 'Omar', spokenLanguage: 'en', recognizer: speaker, autojoin: true });
    wrapper.append(other);
    await joined(other);
    // The meeting appears later.
    const m = document.createElement('un75-meeting');
    Object.assign(m, { id: 'm', room, signaling: SIGNALING, name: 'Mia', spokenLanguage: 'en', listenLanguage: 'en', recognizer: new ScriptedRecognizer(), translator: new ControlledTranslator() });
    m.autojoin = true;
    wrapper.append(m);
    await joined(m);
    const mId = m.core!.session!.selfId!;
    await until(() => other.participants.some((p) => p.id === mId), 'Omar to see Mia');
    await picker.updateComplete;
    expect(shadow(picker).querySelector<HTMLSelectElement>('[part~="listen-picker"]')!.value).to.equal('en');

    const channel = oneEvent(m, 'un75-channel-change');
    await choose('listen', 'fr');
    expect((await channel).detail.listenLanguage).to.equal('fr');
    expect(m.core!.languages.listen).to.equal('fr');
    expect(m.core!.captions!.listenLanguage).to.equal('fr');
    expect(m.core!.interpretation!.listenLanguage).to.equal('fr');
    // The element's properties follow what was chosen outside it.
    await until(() => m.listenLanguage === 'fr', 'the listen-language property to follow');
    // Captions arrive translated into the language chosen in the outer picker.
    const captions: string[] = [];
    m.addEventListener('un75-caption', (e) => captions.push(e.detail.caption.translation?.text ?? ''));
    await until(() => speaker.options !== undefined, "Omar's recognition to start");
    await until(() => {
      if (!captions.length) speaker.say('Welcome');
      return captions.includes('fr:Welcome');
    }, 'the caption in French', 15000);

    // The spoken language chosen outside is recognised and published to the others.
    await choose('spoken', 'ar');
    expect(m.core!.captions!.spokenLanguage).to.equal('ar');
    await until(() => other.participants.find((p) => p.id === mId)?.spokenLanguage === 'ar', "Omar to see Mia's new language");
    expect(m.spokenLanguage).to.equal('ar');
    await m.leave();
    await other.leave();
  });
});
