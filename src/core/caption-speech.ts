/**
 * Recognition of the local participant's own speech (design §5.1): runs the speech recogniser on
 * the microphone track in the spoken language, cuts results into caption messages for every peer,
 * and tells peers whether this person can be captioned at all (`caption-status`).
 */

import { splitCaptionText, MAX_CAPTION_TEXT } from '../protocol/captions.js';
import type { CaptionMessage, CaptionState, CaptionStatusMessage } from '../protocol/captions.js';
import type { PeerMessaging } from './types.js';
import { CaptionLanes } from './caption-lanes.js';
import { RecognitionError, WebSpeechRecognizer } from './recognition.js';
import type { CaptionServiceOptions } from './captions.js';
import type { RecognitionFailure, RecognitionResult, SpeechRecognizer } from './recognition.js';
import type { RecognitionState } from './captions.types.js';

const statusFor = (state: RecognitionState): CaptionState =>
  state === 'active' || state === 'starting' ? 'active' : state === 'unavailable' ? 'unavailable' : 'paused';

/**
 * The speaking half of the caption service, which extends it (the receiving half, lanes, is below).
 */
export abstract class CaptionSpeech extends CaptionLanes {
  protected readonly messaging_: PeerMessaging;
  #spokenLanguage: string;
  #recognizer: SpeechRecognizer | undefined;
  #track: MediaStreamTrack | undefined;
  #state: RecognitionState = 'idle';
  #failure: RecognitionFailure | undefined;
  /** Bumped on every recogniser start, so results of a replaced recogniser are ignored. */
  #generation = 0;
  #seq = 0;
  #segmentCounter = 0;
  /** Distinguishes this page's segment ids from a previous page of the same participant. */
  readonly #idPrefix = Math.random().toString(36).slice(2, 8);
  #openSegmentId: string | undefined;
  #lastBroadcast: string | undefined;
  protected disposed_ = false;

  constructor(messaging: PeerMessaging, options: CaptionServiceOptions) {
    super(options);
    this.messaging_ = messaging;
    this.#spokenLanguage = options.spokenLanguage;
    // Default: the Web Speech API where the browser has it; `null` for none.
    this.#recognizer =
      options.recognizer === undefined ? (WebSpeechRecognizer.isSupported() ? new WebSpeechRecognizer() : undefined) : (options.recognizer ?? undefined);
  }

  get spokenLanguage(): string {
    return this.#spokenLanguage;
  }

  /** Changing it restarts recognition in the new language. */
  set spokenLanguage(tag: string) {
    if (tag === this.#spokenLanguage) return;
    this.#spokenLanguage = tag;
    this.#openSegmentId = undefined;
    if (this.#state === 'active' || this.#state === 'starting' || this.#state === 'unavailable') void this.#startRecognizer();
    else this.#broadcastStatus();
    this.changed_();
  }

  get recognizer(): SpeechRecognizer | undefined {
    return this.#recognizer;
  }

  /** Replaces the recogniser; recognition continues with the new one if it was running. */
  set recognizer(recognizer: SpeechRecognizer | undefined) {
    if (recognizer === this.#recognizer) return;
    const running = this.#state === 'active' || this.#state === 'starting';
    this.#generation++;
    this.#recognizer?.stop();
    this.#recognizer = recognizer ?? undefined;
    if (running || this.#state === 'unavailable') void this.#startRecognizer();
  }

  get recognitionState(): RecognitionState {
    return this.#state;
  }

  /** Why recognition is `unavailable`. */
  get recognitionFailure(): RecognitionFailure | undefined {
    return this.#failure;
  }

  /**
   * Recognises `track` (the local microphone) in the spoken language and captions it for everyone.
   * With `paused` (the microphone starts off) it only remembers the track until `resume()`.
   */
  async start(track: MediaStreamTrack, paused = false): Promise<void> {
    this.#track = track;
    if (paused) {
      this.#generation++;
      this.#recognizer?.stop();
      if (this.#recognizer) this.#setState('paused');
      else this.#setState('unavailable', 'unsupported');
      return;
    }
    await this.#startRecognizer();
  }

  /** While the microphone is off: nothing is recognised, peers are told captions are paused. */
  pause(): void {
    if (this.#state !== 'active' && this.#state !== 'starting') return;
    // The generation is kept: the recogniser may still deliver the final words said before the pause.
    this.#recognizer?.stop();
    this.#setState('paused');
  }

  async resume(track = this.#track): Promise<void> {
    if (!track || this.#state === 'unavailable') return;
    if (this.#state === 'active' || this.#state === 'starting') return;
    this.#track = track;
    await this.#startRecognizer();
  }

  /** Stops recognition for good (leaving the meeting). */
  stop(): void {
    this.#generation++;
    this.#recognizer?.stop();
    this.#track = undefined;
    this.#openSegmentId = undefined;
    this.#setState('idle');
  }

  /** Tells a peer whose data channel just opened whether this person is captioned. */
  protected announceTo_(id: string): void {
    if (this.#state !== 'idle') this.messaging_.sendToPeers(this.#statusMessage(), id);
  }

  async #startRecognizer(): Promise<void> {
    const generation = ++this.#generation;
    const recognizer = this.#recognizer;
    const track = this.#track;
    if (!track) return;
    recognizer?.stop();
    this.#openSegmentId = undefined;
    if (!recognizer) {
      this.#setState('unavailable', 'unsupported');
      return;
    }
    this.#setState('starting');
    const current = () => generation === this.#generation && !this.disposed_;
    try {
      await recognizer.start({
        language: this.#spokenLanguage,
        track,
        emit: (result) => {
          if (current()) this.#handleResult(result);
        },
        fail: (error) => {
          if (current()) this.#setState('unavailable', error instanceof RecognitionError ? error.reason : 'error');
        },
      });
      if (current() && this.#state === 'starting') this.#setState('active');
    } catch (error) {
      if (current()) this.#setState('unavailable', error instanceof RecognitionError ? error.reason : 'error');
    }
  }

  #setState(state: RecognitionState, reason?: RecognitionFailure): void {
    if (state === this.#state && reason === this.#failure) return;
    this.#state = state;
    this.#failure = state === 'unavailable' ? (reason ?? 'error') : undefined;
    const detail: { state: RecognitionState; reason?: RecognitionFailure } = { state };
    if (this.#failure) detail.reason = this.#failure;
    this.dispatchEvent(new CustomEvent('recognition-state', { detail }));
    this.#broadcastStatus();
    this.changed_();
  }

  #statusMessage(): CaptionStatusMessage {
    return { type: 'caption-status', lang: this.#spokenLanguage, state: statusFor(this.#state) };
  }

  #broadcastStatus(): void {
    const message = this.#statusMessage();
    const key = `${message.lang} ${message.state}`;
    if (key === this.#lastBroadcast) return;
    this.#lastBroadcast = key;
    this.messaging_.sendToPeers(message);
  }

  #handleResult(result: RecognitionResult): void {
    if (!result || typeof result.text !== 'string') return;
    const text = result.text.replace(/\s+/g, ' ').trim();
    const final = result.final === true;
    if (!text && !final) return;
    const lang = this.#spokenLanguage;
    // An interim longer than a message only needs its end on screen; a final is sent whole, in pieces.
    const pieces = final ? splitCaptionText(text) : [text.slice(-MAX_CAPTION_TEXT)];
    pieces.forEach((piece, index) => {
      const id = index === 0 && this.#openSegmentId ? this.#openSegmentId : `${this.#idPrefix}-${++this.#segmentCounter}`;
      this.#openSegmentId = final ? undefined : id;
      const message: CaptionMessage = { type: 'caption', id, seq: this.#seq++, lang, text: piece, final, t: Date.now() };
      this.messaging_.sendToPeers(message);
      this.receive_(this.messaging_.selfId ?? 'self', message, true);
    });
  }
}
