import { expect } from '@open-wc/testing';
import { CaptionService, type Caption } from '../../src/core/captions.js';
import { RecognitionError } from '../../src/core/recognition.js';
import { TranslationError } from '../../src/core/translation.js';
import { MAX_CAPTION_TEXT, parseCaptionMessage, parseCaptionStatusMessage, splitCaptionText } from '../../src/protocol/captions.js';
import { ControlledTranslator, FakeMessaging, ScriptedRecognizer, microphoneTrack, participant, tick, until } from './caption-fakes.js';

const caption = (over: Record<string, unknown> = {}) => ({ type: 'caption', id: 's1', seq: 0, lang: 'en', text: 'Hello', final: false, t: Date.now(), ...over });

function collect(service: CaptionService): Caption[] {
  const shown: Caption[] = [];
  service.addEventListener('caption', (e) => shown.push(e.detail.caption));
  return shown;
}

describe('caption messages', () => {
  it('accepts a well-formed caption and a status', () => {
    expect(parseCaptionMessage(caption({ text: 'Hi\u0007 there' }))).to.deep.include({ id: 's1', seq: 0, lang: 'en', text: 'Hi there', final: false });
    expect(parseCaptionStatusMessage({ type: 'caption-status', lang: 'ar', state: 'unavailable' })).to.deep.equal({
      type: 'caption-status',
      lang: 'ar',
      state: 'unavailable',
    });
  });

  for (const [what, bad] of [
    ['a missing id', { id: undefined }],
    ['an empty id', { id: '' }],
    ['a long id', { id: 'x'.repeat(65) }],
    ['a negative seq', { seq: -1 }],
    ['a fractional seq', { seq: 1.5 }],
    ['a string seq', { seq: '1' }],
    ['a bad language tag', { lang: 'en us<script>' }],
    ['too long a text', { text: 'a'.repeat(MAX_CAPTION_TEXT + 1) }],
    ['a text that is not a string', { text: { html: '<b>' } }],
    ['a non-boolean final', { final: 'yes' }],
    ['a time that is not a number', { t: 'now' }],
    ['an infinite time', { t: Infinity }],
  ] as const) {
    it(`refuses ${what}`, () => {
      expect(() => parseCaptionMessage(caption(bad))).to.throw(/"(id|seq|lang|text|final|t)"/);
    });
  }

  it('splits long text into valid pieces at spaces', () => {
    const words = Array.from({ length: 400 }, (_, i) => `word${i}`).join(' ');
    const pieces = splitCaptionText(words);
    expect(pieces.length).to.be.greaterThan(1);
    for (const piece of pieces) {
      expect(piece.length).to.be.at.most(MAX_CAPTION_TEXT);
      expect(piece).to.match(/^word\d+( word\d+)*$/);
    }
    expect(pieces.join(' ')).to.equal(words);
  });
});

describe('CaptionService: the speaker', () => {
  let messaging: FakeMessaging;
  let recognizer: ScriptedRecognizer;
  let service: CaptionService;

  beforeEach(() => {
    messaging = new FakeMessaging('me', 'Amina');
    recognizer = new ScriptedRecognizer();
    service = new CaptionService(messaging, { spokenLanguage: 'ar', listenLanguage: 'fr', recognizer, translator: null });
  });
  afterEach(() => service.dispose());

  it('starts the recogniser on the microphone track in the spoken language', async () => {
    const track = await microphoneTrack();
    await service.start(track);
    expect(recognizer.options?.language).to.equal('ar');
    expect(recognizer.options?.track).to.equal(track);
    expect(service.recognitionState).to.equal('active');
    expect(messaging.sentOfType('caption-status').at(-1)).to.deep.equal({ type: 'caption-status', lang: 'ar', state: 'active' });
    track.stop();
  });

  it('sends interim results and the final one as one segment, then starts a new segment', async () => {
    await service.start(await microphoneTrack());
    recognizer.say('مرحبا', false);
    recognizer.say('مرحبا بكم', false);
    recognizer.say('مرحبا بكم جميعا', true);
    recognizer.say('شكرا', true);
    const sent = messaging.sentOfType('caption').map((m) => parseCaptionMessage(m));
    expect(sent.map((m) => [m.text, m.final])).to.deep.equal([
      ['مرحبا', false],
      ['مرحبا بكم', false],
      ['مرحبا بكم جميعا', true],
      ['شكرا', true],
    ]);
    expect(sent.map((m) => m.seq)).to.deep.equal([0, 1, 2, 3]);
    expect(new Set(sent.slice(0, 3).map((m) => m.id)).size).to.equal(1);
    expect(sent[3]!.id).not.to.equal(sent[0]!.id);
    expect(sent.every((m) => m.lang === 'ar')).to.be.true;
  });

  it('shows its own speech untranslated and keeps it in the transcript', async () => {
    const shown = collect(service);
    await service.start(await microphoneTrack());
    recognizer.say('مرحبا بكم', true);
    expect(shown).to.have.length(1);
    expect(shown[0]).to.deep.include({ self: true, speakerName: 'Amina', text: 'مرحبا بكم', final: true });
    expect(shown[0]!.translation).to.be.undefined;
    expect(shown[0]!.note).to.be.undefined;
    expect(service.transcriptStore.entries.map((e) => e.text)).to.deep.equal(['مرحبا بكم']);
  });

  it('sends a final longer than a message in several valid segments', async () => {
    await service.start(await microphoneTrack());
    const long = Array.from({ length: 300 }, (_, i) => `كلمة${i}`).join(' ');
    recognizer.say(long, true);
    const sent = messaging.sentOfType('caption');
    expect(sent.length).to.be.greaterThan(1);
    for (const m of sent) expect(() => parseCaptionMessage(m)).not.to.throw();
    expect(new Set(sent.map((m) => m.id)).size).to.equal(sent.length);
  });

  it('pauses while the microphone is off and resumes after', async () => {
    const track = await microphoneTrack();
    await service.start(track);
    service.pause();
    expect(recognizer.stops).to.be.greaterThan(0);
    expect(service.recognitionState).to.equal('paused');
    expect(messaging.sentOfType('caption-status').at(-1)).to.include({ state: 'paused' });
    await service.resume();
    expect(recognizer.starts).to.equal(2);
    expect(service.recognitionState).to.equal('active');
    track.stop();
  });

  it('says captions are unavailable without a recogniser', async () => {
    const bare = new CaptionService(messaging, { spokenLanguage: 'ar', recognizer: null });
    await bare.start(await microphoneTrack());
    expect(bare.recognitionState).to.equal('unavailable');
    expect(bare.recognitionFailure).to.equal('unsupported');
    expect(messaging.sentOfType('caption-status').at(-1)).to.include({ state: 'unavailable' });
    bare.dispose();
  });

  it('says why when the recogniser refuses to start or fails later', async () => {
    recognizer.startError = new RecognitionError('not-allowed');
    await service.start(await microphoneTrack());
    expect(service.recognitionState).to.equal('unavailable');
    expect(service.recognitionFailure).to.equal('not-allowed');

    const other = new ScriptedRecognizer();
    service.recognizer = other;
    await until(() => service.recognitionState === 'active');
    other.options!.fail!(new RecognitionError('network'));
    expect(service.recognitionState).to.equal('unavailable');
    expect(service.recognitionFailure).to.equal('network');
  });

  it('tells a newly connected peer its caption state', async () => {
    await service.start(await microphoneTrack());
    messaging.dispatchEvent(new CustomEvent('peer-connected', { detail: { id: 'p2' } }));
    expect(messaging.sent.at(-1)).to.deep.equal({ message: { type: 'caption-status', lang: 'ar', state: 'active' }, to: 'p2' });
  });

  it('restarts recognition in a new spoken language', async () => {
    await service.start(await microphoneTrack());
    service.spokenLanguage = 'fr';
    await until(() => recognizer.starts === 2);
    expect(recognizer.options?.language).to.equal('fr');
    recognizer.say('Bonjour', true);
    expect(messaging.sentOfType('caption').at(-1)).to.include({ lang: 'fr', text: 'Bonjour' });
  });
});

describe('CaptionService: the listener', () => {
  let messaging: FakeMessaging;
  let translator: ControlledTranslator;
  let service: CaptionService;
  let warnings: unknown[][];
  const originalWarn = console.warn;

  beforeEach(() => {
    messaging = new FakeMessaging('me', 'Louise');
    messaging.people.set('p1', participant('p1', 'Amina', 'ar'));
    messaging.people.set('p2', participant('p2', 'John', 'en'));
    translator = new ControlledTranslator();
    service = new CaptionService(messaging, { spokenLanguage: 'fr', listenLanguage: 'fr', recognizer: null, translator, interimDelay: 20 });
    warnings = [];
    console.warn = (...args: unknown[]) => warnings.push(args);
  });
  afterEach(() => {
    console.warn = originalWarn;
    service.dispose();
  });

  it('translates a peer caption into the listen language, with the speaker name', async () => {
    const shown = collect(service);
    messaging.deliver('p2', caption({ text: 'Good morning', final: true }));
    await until(() => shown.length === 1);
    expect(shown[0]).to.deep.include({ speakerId: 'p2', speakerName: 'John', lang: 'en', text: 'Good morning', final: true });
    expect(shown[0]!.translation).to.deep.equal({ lang: 'fr', text: 'fr:Good morning' });
    expect(service.captions.map((c) => c.translation?.text)).to.deep.equal(['fr:Good morning']);
  });

  it('does not translate a caption already in the listen language', async () => {
    const shown = collect(service);
    messaging.deliver('p2', caption({ lang: 'fr-CA', text: 'Salut', final: true }));
    await until(() => shown.length === 1);
    expect(shown[0]!.translation).to.be.undefined;
    expect(translator.calls).to.have.length(0);
  });

  it('orders by seq and drops what is older than what it has shown', async () => {
    const shown = collect(service);
    messaging.deliver('p2', caption({ seq: 5, text: 'Hello everyone', final: false }));
    messaging.deliver('p2', caption({ seq: 4, text: 'Hello', final: false }));
    messaging.deliver('p2', caption({ seq: 5, text: 'Hello everyone again', final: false }));
    await tick(60);
    expect(service.captions).to.have.length(1);
    expect(service.captions[0]!.text).to.equal('Hello everyone');
    expect(shown.map((c) => c.text)).to.deep.equal(['Hello everyone']);
  });

  it('replaces interim results by the final one and ignores updates of a finished segment', async () => {
    messaging.deliver('p2', caption({ seq: 1, text: 'Good', final: false }));
    messaging.deliver('p2', caption({ seq: 2, text: 'Good morning', final: false }));
    messaging.deliver('p2', caption({ seq: 3, text: 'Good morning all', final: true }));
    messaging.deliver('p2', caption({ seq: 4, text: 'Good morning all, late', final: false }));
    await until(() => service.captions[0]?.final === true);
    await tick(60);
    expect(service.captions).to.have.length(1);
    expect(service.captions[0]).to.deep.include({ text: 'Good morning all', final: true });
    expect(service.captions[0]!.translation?.text).to.equal('fr:Good morning all');
    expect(service.transcriptStore.entries.map((e) => e.text)).to.deep.equal(['Good morning all']);
  });

  it('debounces interim results: only the one that rested is translated', async () => {
    for (let i = 0; i < 5; i++) messaging.deliver('p2', caption({ seq: i, text: `word `.repeat(i + 1).trim(), final: false }));
    await until(() => service.captions.length === 1);
    expect(translator.calls.map((c) => c.text)).to.deep.equal(['word word word word word']);
  });

  it('never lets a caption translation overtake the one before it', async () => {
    translator.hold = true;
    const shown = collect(service);
    messaging.deliver('p2', caption({ id: 'a', seq: 1, text: 'First sentence', final: true }));
    messaging.deliver('p2', caption({ id: 'b', seq: 2, text: 'Second sentence', final: true }));
    await until(() => translator.calls.length === 2);
    translator.release('Second sentence');
    await tick(20);
    expect(shown).to.have.length(0);
    translator.release('First sentence');
    await until(() => shown.length === 2);
    expect(shown.map((c) => c.translation?.text)).to.deep.equal(['fr:First sentence', 'fr:Second sentence']);
  });

  it('keeps speakers independent: a slow translation of one does not hold back another', async () => {
    translator.hold = true;
    const shown = collect(service);
    messaging.deliver('p2', caption({ id: 'a', seq: 1, text: 'Slow one', final: true }));
    messaging.deliver('p1', caption({ id: 'b', seq: 1, lang: 'ar', text: 'سريع', final: true }));
    await until(() => translator.calls.length === 2);
    translator.release('سريع');
    await until(() => shown.length === 1);
    expect(shown[0]!.speakerName).to.equal('Amina');
    translator.release('Slow one');
    await until(() => shown.length === 2);
  });

  it('shows the original with a note when the translator fails', async () => {
    const failing = new ControlledTranslator((text) => (text.includes('unavailable') ? new TranslationError('unavailable') : new Error('boom')));
    service.translator = failing;
    const shown = collect(service);
    messaging.deliver('p2', caption({ id: 'a', seq: 1, text: 'It breaks', final: true }));
    messaging.deliver('p2', caption({ id: 'b', seq: 2, text: 'unavailable pair', final: true }));
    await until(() => shown.length === 2);
    expect(shown[0]).to.deep.include({ text: 'It breaks', note: 'translation-failed' });
    expect(shown[0]!.translation).to.be.undefined;
    expect(shown[1]).to.deep.include({ note: 'translation-unavailable' });
  });

  it('shows the original with a note when there is no translator', async () => {
    service.translator = undefined;
    const shown = collect(service);
    messaging.deliver('p2', caption({ text: 'Hello', final: true }));
    await until(() => shown.length === 1);
    expect(shown[0]).to.deep.include({ text: 'Hello', note: 'no-translator' });
  });

  it('gives up on a translation that takes too long and shows the original', async () => {
    const slow = new CaptionService(messaging, { spokenLanguage: 'fr', recognizer: null, translator, translationTimeout: 50 });
    translator.hold = true;
    const shown = collect(slow);
    messaging.deliver('p2', caption({ text: 'Never answered', final: true }));
    await until(() => shown.length === 1);
    expect(shown[0]).to.deep.include({ text: 'Never answered', note: 'translation-failed' });
    slow.dispose();
  });

  it('re-translates what is on screen when the listen language changes', async () => {
    const shown = collect(service);
    messaging.deliver('p2', caption({ id: 'a', seq: 1, text: 'One', final: true }));
    messaging.deliver('p1', caption({ id: 'b', seq: 1, lang: 'ar', text: 'اثنان', final: true }));
    await until(() => shown.length === 2);
    service.listenLanguage = 'ar';
    await until(() => service.captions.every((c) => c.lang === 'ar' || c.translation?.lang === 'ar'));
    const byKey = Object.fromEntries(service.captions.map((c) => [c.id, c]));
    expect(byKey.a!.translation).to.deep.equal({ lang: 'ar', text: 'ar:One' });
    // Arabic speech shown to an Arabic listener: the original, no longer a translation.
    expect(byKey.b!.translation).to.be.undefined;
    expect(byKey.b!.text).to.equal('اثنان');
  });

  it('translates the same sentence only once (cache)', async () => {
    messaging.deliver('p2', caption({ id: 'a', seq: 1, text: 'Thank you', final: true }));
    messaging.deliver('p1', caption({ id: 'b', seq: 1, lang: 'en', text: 'Thank you', final: true }));
    await until(() => service.captions.length === 2 && service.captions.every((c) => c.translation));
    expect(translator.calls.filter((c) => c.text === 'Thank you')).to.have.length(1);
  });

  it('drops malformed messages with a warning and keeps working', async () => {
    const garbage: unknown[] = [
      null,
      'caption',
      { type: 'caption' },
      caption({ seq: -3 }),
      caption({ text: 'x'.repeat(5000) }),
      caption({ lang: '../../etc' }),
      { type: 'caption-status', lang: 'en', state: 'exploded' },
    ];
    for (const message of garbage) messaging.deliver('p2', message);
    messaging.dispatchEvent(new CustomEvent('peer-message', { detail: null }));
    messaging.deliver('p2', caption({ seq: 1, text: 'Still fine', final: true }));
    await until(() => service.captions.length === 1);
    expect(service.captions[0]!.text).to.equal('Still fine');
    expect(warnings).to.have.length(5);
    expect(String(warnings[0]![0])).to.match(/un75: dropped a caption message from p2/);
  });

  it('knows which speakers cannot be captioned', async () => {
    const statuses: string[] = [];
    service.addEventListener('speaker-status', (e) => statuses.push(`${e.detail.id}:${e.detail.state}`));
    messaging.deliver('p1', { type: 'caption-status', lang: 'ar', state: 'unavailable' });
    messaging.deliver('p2', { type: 'caption-status', lang: 'en', state: 'active' });
    expect(statuses).to.deep.equal(['p1:unavailable', 'p2:active']);
    expect(service.speakersWithoutCaptions).to.deep.equal([{ id: 'p1', name: 'Amina' }]);
    messaging.dispatchEvent(new CustomEvent('participant-left', { detail: { participant: participant('p1', 'Amina') } }));
    expect(service.speakersWithoutCaptions).to.deep.equal([]);
  });

  it('accepts a reloaded peer counting from zero again once its data channel reopens', async () => {
    messaging.deliver('p2', caption({ id: 'x-1', seq: 40, text: 'Before reload', final: true }));
    messaging.dispatchEvent(new CustomEvent('peer-connected', { detail: { id: 'p2' } }));
    messaging.deliver('p2', caption({ id: 'y-1', seq: 0, text: 'After reload', final: true }));
    await until(() => service.captions.length === 2);
    expect(service.captions.map((c) => c.text)).to.deep.equal(['Before reload', 'After reload']);
  });

  it('exports the transcript in the original and in a listened language', async () => {
    messaging.deliver('p2', caption({ id: 'a', seq: 1, text: 'Good morning', final: true }));
    messaging.deliver('p1', caption({ id: 'b', seq: 1, lang: 'ar', text: 'صباح الخير', final: true }));
    await until(() => service.captions.length === 2 && service.captions.every((c) => c.translation));
    const original = JSON.parse(await service.transcript('json')) as { segments: { text: string; lang: string; machineTranslated: boolean }[] };
    expect(original.segments.map((s) => [s.lang, s.text, s.machineTranslated])).to.deep.equal([
      ['en', 'Good morning', false],
      ['ar', 'صباح الخير', false],
    ]);
    const french = JSON.parse(await service.transcript('json', 'fr')) as { language: string; segments: { text: string; original?: { text: string } }[] };
    expect(french.language).to.equal('fr');
    expect(french.segments.map((s) => s.text)).to.deep.equal(['fr:Good morning', 'fr:صباح الخير']);
    expect(french.segments[1]!.original).to.deep.equal({ lang: 'ar', text: 'صباح الخير' });
    // Spanish was never shown: translated on demand.
    const spanish = await service.transcript('text', 'es');
    expect(spanish).to.match(/John: es:Good morning/);
    expect(translator.calls.filter((c) => c.to === 'es')).to.have.length(2);
  });
});

describe('CaptionService: two participants', () => {
  it('captions one in the other language, end to end over linked sessions', async () => {
    const speakerSide = new FakeMessaging('amina', 'Amina');
    const listenerSide = new FakeMessaging('louise', 'Louise');
    FakeMessaging.link(speakerSide, listenerSide);
    const recognizer = new ScriptedRecognizer();
    const speaker = new CaptionService(speakerSide, { spokenLanguage: 'ar', recognizer, translator: null });
    const listener = new CaptionService(listenerSide, {
      spokenLanguage: 'fr',
      recognizer: null,
      translator: new ControlledTranslator((text, _from, to) => (to === 'fr' && text === 'صباح الخير' ? 'Bonjour' : `?${text}`)),
    });
    const shown = collect(listener);
    await speaker.start(await microphoneTrack());
    await until(() => listener.speakerState('amina') === 'active');
    recognizer.say('صباح الخير', true);
    await until(() => shown.length === 1);
    expect(shown[0]).to.deep.include({ speakerName: 'Amina', lang: 'ar', text: 'صباح الخير' });
    expect(shown[0]!.translation).to.deep.equal({ lang: 'fr', text: 'Bonjour' });
    speaker.dispose();
    listener.dispose();
  });
});

describe('CaptionService: a flood from one speaker', () => {
  let messaging: FakeMessaging;
  let translator: ControlledTranslator;
  let service: CaptionService;

  beforeEach(() => {
    messaging = new FakeMessaging('me', 'Me');
    messaging.people.set('m', participant('m', 'Mallory'));
    messaging.people.set('s', participant('s', 'Sam'));
    translator = new ControlledTranslator();
    service = new CaptionService(messaging, { spokenLanguage: 'fr', listenLanguage: 'fr', recognizer: null, translator, interimDelay: 20 });
  });

  afterEach(() => service.dispose());

  it('translates only the newest of many interims, and keeps few segments open', async () => {
    for (let i = 0; i < 500; i++) messaging.deliver('m', caption({ id: `open-${i}`, seq: i, text: `never final ${i}` }));
    await until(() => service.captions.some((c) => c.text === 'never final 499' && c.translation !== undefined));
    await tick(100);
    expect(translator.calls.map((c) => c.text)).to.deep.equal(['never final 499']);
    // The oldest open segments were closed: their late updates are dropped.
    messaging.deliver('m', caption({ id: 'open-490', seq: 1000, text: 'late update', final: true }));
    await tick(50);
    expect(service.captions.some((c) => c.text === 'late update')).to.equal(false);
    expect(service.transcriptStore.entries).to.have.length(0);
  });

  it('makes a couple of translation requests a second per speaker and drops the oldest waiting captions', async () => {
    const started = performance.now();
    for (let i = 0; i < 300; i++) messaging.deliver('m', caption({ id: `f-${i}`, seq: i, text: `final ${i}`, final: true }));
    await until(() => service.captions.some((c) => c.text === 'final 299' && c.translation !== undefined), 15000);
    const seconds = (performance.now() - started) / 1000;
    const requested = translator.calls.filter((c) => c.text.startsWith('final')).length;
    expect(requested).to.be.at.most(3 + Math.ceil(2 * seconds), `${requested} requests in ${seconds.toFixed(1)} s`);
    // Everything said is in the transcript; the overlay got only the newest waiting captions.
    expect(service.transcriptStore.entries).to.have.length(300);
    const shown = service.captions.filter((c) => c.speakerId === 'm').map((c) => Number(c.text.split(' ')[1]));
    expect(Math.min(...shown)).to.be.greaterThan(280, 'the old waiting captions were dropped, not translated one by one');
  });

  it('has at most four translation requests in flight over all speakers', async () => {
    translator.hold = true;
    for (let i = 0; i < 6; i++) {
      messaging.people.set(`p${i}`, participant(`p${i}`, `P${i}`));
      messaging.deliver(`p${i}`, caption({ id: 'x', seq: 0, text: `from ${i}`, final: true }));
    }
    await until(() => translator.calls.length === 4);
    await tick(100);
    expect(translator.calls).to.have.length(4);
    translator.release('from 0');
    await until(() => translator.calls.length === 5);
    translator.release('from 1');
    await until(() => translator.calls.length === 6);
    expect(translator.calls.map((c) => c.text)).to.deep.equal([0, 1, 2, 3, 4, 5].map((i) => `from ${i}`));
    translator.hold = false;
    for (const i of [2, 3, 4, 5]) translator.release(`from ${i}`);
    await until(() => service.captions.filter((c) => c.translation).length === 6);
  });
});
