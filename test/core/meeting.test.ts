// The headless Meeting, with no element: real signaling server (window.UN75_SIGNALING), real
// RTCPeerConnections between two meetings in one page, a scripted recogniser for captions.
import { expect } from '@open-wc/testing';
import { Meeting, type MeetingError, type MeetingOptions } from '../../src/core/index.js';
import type { Caption } from '../../src/core/captions.types.js';
import { ControlledTranslator, ScriptedRecognizer } from './caption-fakes.js';
import { SIGNALING, uniqueRoom, until } from '../components/helpers.js';

const open: Meeting[] = [];

function meeting(options: Omit<MeetingOptions, 'signalingUrl'>): Meeting {
  const m = new Meeting({ signalingUrl: SIGNALING, cameraOff: false, ...options });
  open.push(m);
  return m;
}

/** Every caption a meeting reports, latest state per caption id. */
function captionsOf(m: Meeting): Map<string, Caption> {
  const seen = new Map<string, Caption>();
  m.on('caption', (e) => seen.set(e.detail.caption.id, e.detail.caption));
  return seen;
}

describe('Meeting (headless core)', function () {
  this.timeout(30000);

  afterEach(async () => {
    for (const m of open.splice(0)) await m.leave();
  });

  it('recognition="server" on a server that recognises no speech: captions are unavailable, and "off" recognises nothing', async () => {
    const ana = meeting({ room: uniqueRoom('asr'), name: 'Ana', spokenLanguage: 'en', recognition: 'server' });
    await ana.join();
    await until(() => ana.captions?.recognitionState === 'unavailable', 'recognition to be unavailable');
    expect(ana.captions!.recognitionFailure).to.equal('unsupported');
    const bo = meeting({ room: uniqueRoom('asr'), name: 'Bo', spokenLanguage: 'en', recognition: 'off' });
    await bo.join();
    await until(() => bo.captions?.recognitionState === 'unavailable', 'recognition to be off');
    expect(bo.captions!.recognizer).to.equal(undefined);
  });

  it('two meetings in one room see each other, get each other\'s media and exchange translated captions', async () => {
    const room = uniqueRoom('core');
    const recognizer = new ScriptedRecognizer();
    const ana = meeting({ room, name: 'Ana', spokenLanguage: 'en', recognizer, translator: new ControlledTranslator() });
    const bo = meeting({ room, name: 'Bo', spokenLanguage: 'fr', listenLanguage: 'fr', recognizer: new ScriptedRecognizer(), translator: new ControlledTranslator() });
    const heard = captionsOf(bo);
    const joined: string[] = [];
    bo.on('participant-joined', (e) => joined.push(e.detail.participant.name));
    await ana.join();
    await bo.join();
    expect(ana.participants[0]!.isSelf).to.equal(true);
    await until(() => ana.participants.some((p) => p.name === 'Bo') && joined.includes('Ana'), 'both to list each other');
    const anaId = ana.session!.selfId!;
    const boId = bo.session!.selfId!;
    await until(() => Boolean(bo.streamsOf(anaId).camera?.getVideoTracks().length), "Ana's camera at Bo");
    await until(() => Boolean(ana.streamsOf(boId).camera?.getAudioTracks().length), "Bo's microphone at Ana");
    expect(ana.localStream!.getVideoTracks()).to.have.length(1);

    await until(() => recognizer.options !== undefined, "Ana's recognition to start");
    await until(() => bo.participants.find((p) => p.id === anaId)?.connectionState === 'connected', 'the link', 15000);
    // Captions travel on the data channel: say it until Bo's side has it (the channel may open later).
    await until(() => {
      if (!heard.size) recognizer.say('Good morning');
      return [...heard.values()].some((c) => c.translation?.text === 'fr:Good morning');
    }, 'the caption translated into French at Bo', 15000);
    const caption = [...heard.values()].find((c) => c.translation)!;
    expect(caption.speakerName).to.equal('Ana');
    expect(caption.lang).to.equal('en');
  });

  it('setLanguages is the one owner of language state: captions, published spoken language, event', async () => {
    const room = uniqueRoom('core-lang');
    const recognizer = new ScriptedRecognizer();
    const ana = meeting({ room, name: 'Ana', spokenLanguage: 'en', recognizer, translator: new ControlledTranslator() });
    const bo = meeting({ room, name: 'Bo', spokenLanguage: 'es', recognizer: new ScriptedRecognizer(), translator: new ControlledTranslator() });
    const heard = captionsOf(bo);
    await ana.join();
    await bo.join();
    const anaId = ana.session!.selfId!;
    await until(() => recognizer.options !== undefined, "Ana's recognition to start");
    await until(() => {
      if (!heard.size) recognizer.say('Hello');
      return [...heard.values()].some((c) => c.translation?.text === 'es:Hello');
    }, 'the caption in Spanish', 15000);

    const changes: unknown[] = [];
    bo.on('languages-change', (e) => changes.push(e.detail));
    bo.setLanguages({ listen: 'ar' });
    expect(bo.languages).to.deep.equal({ spoken: 'es', listen: 'ar', floorVolume: 0.2 });
    expect(changes).to.deep.equal([{ spoken: 'es', listen: 'ar', floorVolume: 0.2 }]);
    expect(bo.captions!.listenLanguage).to.equal('ar');
    expect(bo.interpretation!.listenLanguage).to.equal('ar');
    // What is on screen is translated again into the new language.
    await until(() => [...heard.values()].some((c) => c.translation?.text === 'ar:Hello'), 'the caption again, in Arabic');
    // The same languages again: nothing changes, no event.
    bo.setLanguages({ listen: 'ar' });
    expect(changes).to.have.length(1);

    // A new spoken language is recognised and published to the others.
    ana.setLanguages({ spoken: 'zh' });
    expect(ana.captions!.spokenLanguage).to.equal('zh');
    await until(() => bo.participants.find((p) => p.id === anaId)?.spokenLanguage === 'zh', "Ana's new language at Bo");
    // Out of range volumes are clamped.
    bo.setLanguages({ floorVolume: 3 });
    expect(bo.languages.floorVolume).to.equal(1);
    expect(bo.interpretation!.floorVolume).to.equal(1);
  });

  it('an interpreter is not captioned; the transcript stays readable after leaving', async () => {
    const room = uniqueRoom('core-booth');
    const booth = new ScriptedRecognizer();
    const ines = meeting({ room, name: 'Ines', joinAs: 'interpreter', interpreterLanguages: 'en fr', spokenLanguage: 'fr', recognizer: booth });
    const speaker = new ScriptedRecognizer();
    const sam = meeting({ room, name: 'Sam', spokenLanguage: 'en', recognizer: speaker });
    await ines.join();
    await sam.join();
    expect(ines.role).to.equal('interpreter');
    expect(ines.boothLanguages).to.deep.equal(['en', 'fr']);
    expect(ines.interpretation!.boothState?.from).to.equal('en');
    await until(() => speaker.options !== undefined, "Sam's recognition to start");
    expect(booth.starts).to.equal(0);
    speaker.say('Point of order');
    await sam.leave();
    await until(() => sam.session!.state === 'left', 'Sam to leave');
    expect(await sam.transcript('text')).to.contain('Point of order');
  });

  it('errors carry a code: a bad room and a missing name reject before anything is joined', async () => {
    const errors: MeetingError[] = [];
    const bad = meeting({ room: 'no spaces allowed', name: 'Ana' });
    bad.on('error', (e) => errors.push(e.detail));
    let thrown: unknown;
    await bad.join().catch((err: unknown) => (thrown = err));
    expect((thrown as MeetingError).code).to.equal('bad-room');
    expect(bad.session).to.equal(undefined);

    const nameless = meeting({ room: uniqueRoom('core-err'), name: '  ' });
    nameless.on('error', (e) => errors.push(e.detail));
    await nameless.join().catch(() => {});
    expect(errors.map((e) => e.code)).to.deep.equal(['bad-room', 'no-name']);
    expect(nameless.participants).to.deep.equal([]);
  });
});
