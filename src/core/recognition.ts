/**
 * Speech recognition at the speaker (design §5.1). Each participant recognises only their own
 * microphone, in their own language, so the cost grows with speakers and no server is involved.
 * Any engine can be plugged in through {@link SpeechRecognizer}; the default is the browser's
 * Web Speech API.
 */

export interface RecognitionResult {
  /** The whole text of the current segment: interim results replace each other, a final one closes it. */
  text: string;
  final: boolean;
}

export const RECOGNITION_FAILURES = ['unsupported', 'not-allowed', 'language-not-supported', 'no-microphone', 'network', 'error'] as const;
/** Why a recogniser cannot (or can no longer) produce captions. */
export type RecognitionFailure = (typeof RECOGNITION_FAILURES)[number];

/** Thrown (or passed to `fail`) by a recogniser that cannot work; the UI says why. */
export class RecognitionError extends Error {
  override name = 'RecognitionError';
  constructor(
    readonly reason: RecognitionFailure,
    message: string = reason,
  ) {
    super(message);
  }
}

export interface RecognizerStartOptions {
  /** BCP 47 tag of the language spoken into `track`. */
  language: string;
  /** The local microphone track. */
  track: MediaStreamTrack;
  /** Called with every interim and final result. */
  emit(result: RecognitionResult): void;
  /**
   * Optional for recognisers: called when recognition stops for good after a successful start
   * (permission withdrawn, service unreachable). Failing at start is done by throwing or rejecting.
   */
  fail?(error: RecognitionError): void;
}

/** The recogniser contract of design §5.1; `meeting.recognizer = …` accepts any implementation. */
export interface SpeechRecognizer {
  start(options: RecognizerStartOptions): void | Promise<void>;
  stop(): void;
}

/* The parts of the Web Speech API we use. TypeScript's DOM library does not declare it. */
interface WebSpeechAlternative {
  readonly transcript: string;
}
interface WebSpeechResult {
  readonly isFinal: boolean;
  readonly length: number;
  readonly [index: number]: WebSpeechAlternative;
}
interface WebSpeechResultEvent extends Event {
  readonly resultIndex: number;
  readonly results: { readonly length: number; readonly [index: number]: WebSpeechResult };
}
interface WebSpeechErrorEvent extends Event {
  readonly error: string;
  readonly message: string;
}
export interface WebSpeechRecognition extends EventTarget {
  lang: string;
  continuous: boolean;
  interimResults: boolean;
  maxAlternatives: number;
  /** Chrome 139+: recognise on this device only (the audio does not leave it). */
  processLocally?: boolean;
  start(track?: MediaStreamTrack): void;
  stop(): void;
  abort(): void;
}
export interface WebSpeechRecognitionConstructor {
  new (): WebSpeechRecognition;
  /** Chrome 139+: whether a language can be recognised, on device or by the browser's service. */
  available?(options: { langs: string[]; processLocally?: boolean }): Promise<string>;
}

/** The browser's recognition constructor, standard or prefixed, if it has one. */
export function webSpeechRecognition(): WebSpeechRecognitionConstructor | undefined {
  const g = globalThis as unknown as {
    SpeechRecognition?: WebSpeechRecognitionConstructor;
    webkitSpeechRecognition?: WebSpeechRecognitionConstructor;
  };
  return g.SpeechRecognition ?? g.webkitSpeechRecognition;
}

export interface WebSpeechRecognizerOptions {
  /** The constructor to use instead of the browser's (tests, polyfills); `null` for none. */
  recognition?: WebSpeechRecognitionConstructor | null;
  /** Consecutive starts that end without any result before we give up (a dead service, not silence). */
  maxFruitlessRestarts?: number;
}

/**
 * The default recogniser: the Web Speech API in continuous mode with interim results.
 *
 * Browsers end a recognition session on their own after silence or a minute or so of speech; we
 * restart it for as long as `stop()` has not been called. Errors that mean "this will never work"
 * (permission refused, unsupported language, no microphone) stop it and are reported; a browser
 * whose cloud service is unreachable keeps ending with `network`, which we report after a few
 * fruitless attempts.
 */
export class WebSpeechRecognizer implements SpeechRecognizer {
  static isSupported(): boolean {
    return webSpeechRecognition() !== undefined;
  }

  readonly #ctor: WebSpeechRecognitionConstructor | undefined;
  readonly #maxFruitlessRestarts: number;
  #recognition: WebSpeechRecognition | undefined;
  #running = false;
  #fruitless = 0;
  #lastError: string | undefined;
  #restartTimer: ReturnType<typeof setTimeout> | undefined;
  #options: RecognizerStartOptions | undefined;
  /** Counts start() and stop() calls, so a start overtaken by a stop gives up. */
  #attempt = 0;
  #settleStart: (() => void) | undefined;
  /** Speech is recognised on this device (`SpeechRecognition.available` said so for the language). */
  #local = false;
  readonly #onTrackEnded = () => this.stop();

  constructor(options: WebSpeechRecognizerOptions = {}) {
    this.#ctor = options.recognition === undefined ? webSpeechRecognition() : (options.recognition ?? undefined);
    this.#maxFruitlessRestarts = options.maxFruitlessRestarts ?? 5;
  }

  /** Whether the running recognition is on this device (the browser's model), not its cloud service. */
  get onDevice(): boolean {
    return this.#running && this.#local;
  }

  async start(options: RecognizerStartOptions): Promise<void> {
    this.stop();
    const attempt = ++this.#attempt;
    if (!this.#ctor) throw new RecognitionError('unsupported', 'this browser has no speech recognition');
    this.#local = false;
    if (this.#ctor.available) {
      // On this device where the browser has the language's model: the audio then stays here.
      const local = await this.#ctor.available({ langs: [options.language], processLocally: true }).catch(() => 'unavailable');
      if (attempt !== this.#attempt) return;
      this.#local = local === 'available';
      // Only "unavailable" is conclusive: "downloadable" still works through the browser's service.
      const state = this.#local ? local : await this.#ctor.available({ langs: [options.language] }).catch(() => 'available');
      if (state === 'unavailable') {
        throw new RecognitionError('language-not-supported', `no speech recognition for ${options.language}`);
      }
      // stop() (or another start()) while we asked: this start is void.
      if (attempt !== this.#attempt) return;
    }
    this.#options = options;
    this.#running = true;
    this.#fruitless = 0;
    options.track.addEventListener('ended', this.#onTrackEnded);
    // The first session's start-up errors (permission refused…) reject start() instead of fail();
    // a stop() before the session started resolves it.
    await new Promise<void>((resolve, reject) => {
      this.#settleStart = resolve;
      this.#open(resolve, reject);
    });
    this.#settleStart = undefined;
  }

  stop(): void {
    this.#attempt++;
    this.#running = false;
    this.#settleStart?.();
    this.#settleStart = undefined;
    clearTimeout(this.#restartTimer);
    this.#options?.track.removeEventListener('ended', this.#onTrackEnded);
    const recognition = this.#recognition;
    this.#recognition = undefined;
    // stop(), not abort(): the browser then delivers the final result of what was just said.
    try {
      recognition?.stop();
    } catch {
      // already stopped
    }
  }

  #open(onStarted?: () => void, onStartFailed?: (error: RecognitionError) => void): void {
    const options = this.#options;
    if (!this.#running || !options || !this.#ctor) return;
    const recognition = new this.#ctor();
    recognition.lang = options.language;
    recognition.continuous = true;
    recognition.interimResults = true;
    recognition.maxAlternatives = 1;
    if (this.#local) recognition.processLocally = true;
    this.#recognition = recognition;
    let gotResult = false;
    let settled = false;
    const settle = (error?: RecognitionError) => {
      if (settled) return;
      settled = true;
      if (!error) onStarted?.();
      else if (onStartFailed) onStartFailed(error);
      else options.fail?.(error);
    };

    recognition.addEventListener('start', () => settle());
    recognition.addEventListener('result', (event) => {
      if (recognition !== this.#recognition && this.#running) return;
      gotResult = true;
      this.#fruitless = 0;
      const { results, resultIndex } = event as WebSpeechResultEvent;
      let interim = '';
      for (let i = resultIndex; i < results.length; i++) {
        const result = results[i]!;
        const text = result[0]?.transcript.trim() ?? '';
        if (result.isFinal) {
          if (text) options.emit({ text, final: true });
        } else {
          interim += (interim ? ' ' : '') + text;
        }
      }
      if (interim) options.emit({ text: interim, final: false });
    });
    recognition.addEventListener('error', (event) => {
      const { error, message } = event as WebSpeechErrorEvent;
      this.#lastError = error;
      const fatal = fatalReason(error);
      if (!fatal) return; // no-speech, aborted, network…: `end` follows and decides
      const failure = new RecognitionError(fatal, message || error);
      this.#running = false;
      if (!settled) settle(failure);
      else options.fail?.(failure);
    });
    recognition.addEventListener('end', () => {
      if (recognition !== this.#recognition) return;
      if (!gotResult && this.#lastError !== 'no-speech') this.#fruitless++;
      const error = this.#lastError;
      this.#lastError = undefined;
      if (!this.#running) return;
      if (this.#fruitless > this.#maxFruitlessRestarts) {
        this.#running = false;
        const failure = new RecognitionError(error === 'network' ? 'network' : 'error', `recognition keeps ending (${error ?? 'no result'})`);
        if (!settled) settle(failure);
        else options.fail?.(failure);
        return;
      }
      settle();
      // Back off a little when sessions end without results, so a broken service is not hammered.
      const delay = this.#fruitless === 0 ? 0 : Math.min(2000, 100 * 2 ** this.#fruitless);
      this.#restartTimer = setTimeout(() => this.#open(), delay);
    });

    try {
      // Chrome 135+ recognises a given track; older browsers ignore the argument and use the default microphone.
      recognition.start(options.track);
    } catch (error) {
      this.#running = false;
      settle(new RecognitionError('error', error instanceof Error ? error.message : String(error)));
    }
  }
}

function fatalReason(error: string): RecognitionFailure | undefined {
  switch (error) {
    case 'not-allowed':
    case 'service-not-allowed':
      return 'not-allowed';
    case 'language-not-supported':
      return 'language-not-supported';
    case 'audio-capture':
      return 'no-microphone';
    default:
      return undefined;
  }
}
