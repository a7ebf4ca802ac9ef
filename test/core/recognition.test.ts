import { expect } from '@open-wc/testing';
import { RecognitionError, WebSpeechRecognizer, type RecognitionResult } from '../../src/core/recognition.js';
import { microphoneTrack, tick, until } from './caption-fakes.js';

/**
 * A Web Speech API recognition object whose events the test fires, standing in for the browser's
 * (which needs a cloud service or a downloaded model, neither of which this machine has).
 */
class FakeRecognition extends EventTarget {
  static instances: FakeRecognition[] = [];
  /** What a new session does when started. */
  static onStart: (r: FakeRecognition) => void = (r) => r.fire('start');
  static availableAnswer: string | undefined;
  static available?: (options: { langs: string[]; processLocally?: boolean }) => Promise<string>;

  lang = '';
  continuous = false;
  interimResults = false;
  maxAlternatives = 0;
  processLocally = false;
  track: MediaStreamTrack | undefined;
  stopped = false;

  start(track?: MediaStreamTrack) {
    this.track = track;
    FakeRecognition.instances.push(this);
    setTimeout(() => FakeRecognition.onStart(this));
  }
  stop() {
    this.stopped = true;
    setTimeout(() => this.fire('end'));
  }
  abort() {
    this.stop();
  }
  fire(type: string, props: Record<string, unknown> = {}) {
    this.dispatchEvent(Object.assign(new Event(type), props));
  }
  /** Results as the API gives them: the whole list so far, and where the new ones start. */
  results(list: [string, boolean][], resultIndex = 0) {
    const results = list.map(([transcript, isFinal]) => Object.assign([{ transcript }], { isFinal }));
    this.fire('result', { results, resultIndex });
  }
  error(error: string) {
    this.fire('error', { error, message: '' });
    this.fire('end');
  }
}

const last = () => FakeRecognition.instances.at(-1)!;

describe('WebSpeechRecognizer', () => {
  let track: MediaStreamTrack;
  let results: RecognitionResult[];
  let failures: RecognitionError[];

  beforeEach(async () => {
    FakeRecognition.instances = [];
    FakeRecognition.onStart = (r) => r.fire('start');
    delete FakeRecognition.available;
    track = await microphoneTrack();
    results = [];
    failures = [];
  });
  afterEach(() => track.stop());

  const options = (language = 'fr-FR') => ({
    language,
    track,
    emit: (r: RecognitionResult) => results.push(r),
    fail: (e: RecognitionError) => failures.push(e),
  });

  it('is the browser API in this Chromium', () => {
    expect(WebSpeechRecognizer.isSupported()).to.be.true;
  });

  it('runs continuous recognition with interim results on the given track', async () => {
    const recognizer = new WebSpeechRecognizer({ recognition: FakeRecognition });
    await recognizer.start(options());
    expect(last()).to.include({ lang: 'fr-FR', continuous: true, interimResults: true });
    expect(last().track).to.equal(track);
    recognizer.stop();
  });

  it('emits interim results and final ones', async () => {
    const recognizer = new WebSpeechRecognizer({ recognition: FakeRecognition });
    await recognizer.start(options());
    last().results([['Bonjour', false]]);
    last().results([['Bonjour à', false]]);
    last().results([['Bonjour à tous', true]]);
    last().results([['Bonjour à tous', true], ['Merci', false]], 1);
    expect(results).to.deep.equal([
      { text: 'Bonjour', final: false },
      { text: 'Bonjour à', final: false },
      { text: 'Bonjour à tous', final: true },
      { text: 'Merci', final: false },
    ]);
    recognizer.stop();
  });

  it('restarts when the browser ends the session on silence, and not after stop()', async () => {
    const recognizer = new WebSpeechRecognizer({ recognition: FakeRecognition });
    await recognizer.start(options());
    last().error('no-speech');
    await until(() => FakeRecognition.instances.length === 2);
    last().results([['encore', true]]);
    expect(results).to.deep.equal([{ text: 'encore', final: true }]);
    recognizer.stop();
    await tick(50);
    expect(FakeRecognition.instances).to.have.length(2);
    expect(last().stopped).to.be.true;
    expect(failures).to.deep.equal([]);
  });

  it('delivers the final words said just before stop()', async () => {
    const recognizer = new WebSpeechRecognizer({ recognition: FakeRecognition });
    await recognizer.start(options());
    const session = last();
    recognizer.stop();
    session.results([['dernier mot', true]]);
    expect(results).to.deep.equal([{ text: 'dernier mot', final: true }]);
  });

  it('settles start() when stopped before the session started', async () => {
    FakeRecognition.onStart = () => {}; // the browser never says it started
    const recognizer = new WebSpeechRecognizer({ recognition: FakeRecognition });
    const started = recognizer.start(options());
    await until(() => FakeRecognition.instances.length === 1);
    recognizer.stop();
    await started;
    expect(last().stopped).to.be.true;
  });

  it('rejects start() when permission is refused', async () => {
    FakeRecognition.onStart = (r) => r.error('not-allowed');
    const recognizer = new WebSpeechRecognizer({ recognition: FakeRecognition });
    let error: unknown;
    await recognizer.start(options()).catch((e: unknown) => (error = e));
    expect(error).to.be.instanceOf(RecognitionError);
    expect((error as RecognitionError).reason).to.equal('not-allowed');
    await tick(20);
    expect(FakeRecognition.instances).to.have.length(1);
  });

  it('fails when a running recognition loses its microphone', async () => {
    const recognizer = new WebSpeechRecognizer({ recognition: FakeRecognition });
    await recognizer.start(options());
    last().error('audio-capture');
    expect(failures.map((f) => f.reason)).to.deep.equal(['no-microphone']);
    await tick(20);
    expect(FakeRecognition.instances).to.have.length(1);
  });

  it('gives up after sessions keep ending without results (service unreachable)', async () => {
    FakeRecognition.onStart = (r) => {
      r.fire('start');
      r.error('network');
    };
    const recognizer = new WebSpeechRecognizer({ recognition: FakeRecognition, maxFruitlessRestarts: 2 });
    await recognizer.start(options());
    await until(() => failures.length === 1);
    expect(failures[0]!.reason).to.equal('network');
    expect(FakeRecognition.instances).to.have.length(3);
  });

  it('refuses a language the browser says it cannot recognise', async () => {
    FakeRecognition.available = async ({ langs }) => (langs[0] === 'tlh' ? 'unavailable' : 'available');
    const recognizer = new WebSpeechRecognizer({ recognition: FakeRecognition });
    let error: unknown;
    await recognizer.start(options('tlh')).catch((e: unknown) => (error = e));
    expect((error as RecognitionError).reason).to.equal('language-not-supported');
    expect(FakeRecognition.instances).to.have.length(0);
  });

  it('recognises on this device where the browser has the language, through its service otherwise', async () => {
    // Chromium's answers: French downloaded on the device; English only through the service.
    FakeRecognition.available = async ({ langs, processLocally }) => (processLocally ? (langs[0] === 'fr-FR' ? 'available' : 'downloadable') : 'available');
    const recognizer = new WebSpeechRecognizer({ recognition: FakeRecognition });
    await recognizer.start(options('fr-FR'));
    expect(last().processLocally).to.equal(true);
    expect(recognizer.onDevice).to.equal(true);
    await recognizer.start(options('en-US'));
    expect(last().processLocally).to.equal(false);
    expect(recognizer.onDevice).to.equal(false);
    recognizer.stop();
    expect(recognizer.onDevice).to.equal(false);
  });

  it('says so in a browser without speech recognition', async () => {
    const recognizer = new WebSpeechRecognizer({ recognition: null });
    let error: unknown;
    await recognizer.start(options()).catch((e: unknown) => (error = e));
    expect((error as RecognitionError).reason).to.equal('unsupported');
  });

  it('stops when the microphone track ends', async () => {
    const recognizer = new WebSpeechRecognizer({ recognition: FakeRecognition });
    await recognizer.start(options());
    track.dispatchEvent(new Event('ended'));
    expect(last().stopped).to.be.true;
    last().fire('end');
    await tick(20);
    expect(FakeRecognition.instances).to.have.length(1);
  });
});
