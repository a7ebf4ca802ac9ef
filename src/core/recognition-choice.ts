/**
 * The recogniser a meeting uses unless given one (design §5.1, `recognition="auto|browser|server"`):
 * decided at every start, since what the server offers is known only once in the room and the
 * spoken language may change. Server recognition is loaded only when used.
 */
import { asrLanguageKey } from '../protocol/asr.js';
import type { RecognitionMode } from './captions.types.js';
import { RecognitionError, WebSpeechRecognizer, type RecognizerStartOptions, type SpeechRecognizer } from './recognition.js';

/** What the choice needs of the session: what the server offers, and tokens for its streams. */
export interface AsrSource {
  readonly asrLanguages: readonly string[] | undefined;
  readonly asrUrl: string;
  asrToken(language: string): Promise<string>;
}

export class ChosenRecognizer implements SpeechRecognizer {
  #current: SpeechRecognizer | undefined;
  #attempt = 0;

  constructor(
    readonly mode: Exclude<RecognitionMode, 'off'>,
    readonly source: AsrSource,
    /** Called each time the person's speech is about to go to the server (the UI tells them). */
    readonly toServer: () => void = () => {},
  ) {}

  async start(options: RecognizerStartOptions): Promise<void> {
    this.stop();
    const attempt = this.#attempt;
    const offered = this.source.asrLanguages;
    const served = offered && asrLanguageKey(offered, options.language) !== undefined;
    if (this.mode === 'server' || (this.mode === 'auto' && served)) {
      // (Messages are the reasons: the UI says why in its own words, and bytes count here.)
      if (!served) throw new RecognitionError(offered ? 'language-not-supported' : 'unsupported');
      const { ServerRecognizer } = await import('./server-recognition.js');
      if (attempt !== this.#attempt) return;
      this.#current = new ServerRecognizer(this.source.asrUrl, (language) => this.source.asrToken(language));
      this.toServer();
    } else {
      if (!WebSpeechRecognizer.isSupported()) throw new RecognitionError('unsupported');
      this.#current = new WebSpeechRecognizer();
    }
    return this.#current.start(options);
  }

  stop(): void {
    this.#attempt++;
    this.#current?.stop();
    this.#current = undefined;
  }
}
