/**
 * Live captions of a meeting (design §5.1–5.3): the parts are put together here. Recognition of
 * one's own speech is in caption-speech.ts, ordering and translation of everyone's captions in
 * caption-lanes.ts, and the transcript in transcript.ts. Plain TypeScript: the elements render what
 * this service announces.
 */

import { parseCaptionMessage, parseCaptionStatusMessage } from '../protocol/captions.js';
import type { CaptionState } from '../protocol/captions.js';
import type { PeerMessageDetail, PeerMessaging } from './types.js';
import type { RecognitionFailure, SpeechRecognizer } from './recognition.js';
import { sharedCache } from './translation.js';
import { pairKey } from './language.js';
import type { AvailabilityChangeDetail, DownloadProgressDetail, Translator } from './translation.js';
import { exportTranscript, type ChatTranscriptLine } from './transcript.js';
import { CaptionSpeech } from './caption-speech.js';
import type { Caption, RecognitionState, TranscriptFormat } from './captions.types.js';

export type { Caption, CaptionNote, RecognitionState, TranscriptFormat } from './captions.types.js';

export interface CaptionServiceOptions {
  /** BCP 47 tag of what the local participant speaks. */
  spokenLanguage: string;
  /** BCP 47 tag captions are translated into; defaults to `spokenLanguage`. */
  listenLanguage?: string;
  /** Defaults to the Web Speech API where the browser has it; `null` for none. */
  recognizer?: SpeechRecognizer | null;
  /** Defaults to none (captions stay in their original language); `null` for none. */
  translator?: Translator | null;
  /** The local participant's name before the session knows it. */
  name?: string;
  /** How long an interim result must stay unchanged before it is translated (ms). */
  interimDelay?: number;
  /** A translation taking longer than this shows the original with a note (ms). */
  translationTimeout?: number;
}

export type TranslationDownload = DownloadProgressDetail;

export interface CaptionServiceEventMap {
  /** A caption was shown or updated, after translation. */
  caption: CustomEvent<{ caption: Caption }>;
  /** The local recognition state changed. */
  'recognition-state': CustomEvent<{ state: RecognitionState; reason?: RecognitionFailure }>;
  /** A remote speaker's caption state changed (e.g. they have no speech recognition). */
  'speaker-status': CustomEvent<{ id: string; state: CaptionState }>;
  /** A translation model download progressed or a pair's availability changed. */
  'translation-status': CustomEvent<{ from: string; to: string; loaded?: number; availability?: string }>;
  /** Anything the caption UI shows changed (captions, languages, states). */
  change: Event;
}

/**
 * Events: see {@link CaptionServiceEventMap}.
 */
export class CaptionService extends CaptionSpeech {
  #translator: Translator | undefined;
  readonly #name: string | undefined;
  readonly #downloads = new Map<string, TranslationDownload>();

  readonly #onPeerMessage = (event: Event) => this.#handlePeerMessage(event);
  readonly #onPeerConnected = (event: Event) => {
    const id = (event as CustomEvent<{ id?: unknown }>).detail?.id;
    if (typeof id !== 'string') return;
    this.restartOrder_(id);
    this.announceTo_(id);
  };
  readonly #onParticipantLeft = (event: Event) => {
    const id = (event as CustomEvent<{ participant?: { id?: unknown } }>).detail?.participant?.id;
    if (typeof id === 'string') this.forget_(id);
  };
  readonly #onTranslatorEvent = (event: Event) => this.#handleTranslatorEvent(event);

  constructor(messaging: PeerMessaging, options: CaptionServiceOptions) {
    super(messaging, options);
    this.#name = options.name;
    this.#setTranslator(options.translator ?? undefined);
    messaging.addEventListener('peer-message', this.#onPeerMessage);
    messaging.addEventListener('peer-connected', this.#onPeerConnected);
    messaging.addEventListener('participant-left', this.#onParticipantLeft);
  }

  /* ------------------------------------------------------------------ languages and engines */

  get listenLanguage(): string {
    return this.listen_;
  }

  /** Changing it re-translates the captions on screen; later ones arrive in the new language. */
  set listenLanguage(tag: string) {
    if (tag === this.listen_) return;
    this.listen_ = tag;
    this.retranslate_();
    this.changed_();
  }

  get translator(): Translator | undefined {
    return this.#translator;
  }

  set translator(translator: Translator | undefined) {
    if (translator === this.#translator) return;
    this.#setTranslator(translator ?? undefined);
    this.retranslate_();
  }

  #setTranslator(translator: Translator | undefined): void {
    if (this.#translator instanceof EventTarget) {
      this.#translator.removeEventListener('downloadprogress', this.#onTranslatorEvent);
      this.#translator.removeEventListener('availabilitychange', this.#onTranslatorEvent);
    }
    this.#translator = translator;
    this.cache_ = translator ? sharedCache(translator) : undefined;
    this.#downloads.clear();
    if (translator instanceof EventTarget) {
      translator.addEventListener('downloadprogress', this.#onTranslatorEvent);
      translator.addEventListener('availabilitychange', this.#onTranslatorEvent);
    }
  }

  /* ------------------------------------------------------------------------ what the UI reads */

  /** Translation models being downloaded, with their progress. */
  get translationDownloads(): TranslationDownload[] {
    return [...this.#downloads.values()];
  }

  /**
   * Starts downloading the models the captions on screen wait for. Call it from a user gesture:
   * browsers refuse model downloads otherwise.
   */
  async prepareTranslation(): Promise<void> {
    const translator = this.cache_;
    if (!translator) return;
    const pairs = new Map<string, [string, string]>();
    for (const caption of this.captions) {
      if (caption.note === 'translation-downloadable' || caption.note === 'translation-downloading') {
        pairs.set(pairKey(caption.lang, this.listen_), [caption.lang, this.listen_]);
      }
    }
    const results = await Promise.allSettled([...pairs.values()].map(([from, to]) => translator.prepare(from, to)));
    if (results.some((r) => r.status === 'fulfilled')) this.retranslate_((caption) => caption.note !== undefined, false);
  }

  /* -------------------------------------------------------------------------------- receiving */

  #handlePeerMessage(event: Event): void {
    const detail = (event as CustomEvent<PeerMessageDetail>).detail;
    const message = detail?.message;
    if (!message || typeof detail.from !== 'string') return;
    if (message.type !== 'caption' && message.type !== 'caption-status') return;
    try {
      if (message.type === 'caption') this.receive_(detail.from, parseCaptionMessage(message), false);
      else this.receiveStatus_(detail.from, parseCaptionStatusMessage(message));
    } catch (error) {
      console.warn(`un75: dropped a ${message.type} message from ${detail.from}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  protected nameOf_(id: string, self = false): string {
    if (self) return this.messaging_.participant(id)?.name ?? this.#name ?? id;
    return this.messaging_.participant(id)?.name ?? id;
  }

  #handleTranslatorEvent(event: Event): void {
    if (event.type === 'downloadprogress') {
      const detail = (event as CustomEvent<DownloadProgressDetail>).detail;
      const key = pairKey(detail.from, detail.to);
      if (detail.loaded >= 1) this.#downloads.delete(key);
      else this.#downloads.set(key, { ...detail });
      this.dispatchEvent(new CustomEvent('translation-status', { detail: { ...detail } }));
    } else {
      const detail = (event as CustomEvent<AvailabilityChangeDetail>).detail;
      if (detail.availability === 'available') {
        this.#downloads.delete(pairKey(detail.from, detail.to));
        // The model the captions waited for is here: translate what is on screen.
        this.retranslate_((caption) => caption.note !== undefined, false);
      }
      this.dispatchEvent(new CustomEvent('translation-status', { detail: { ...detail } }));
    }
    this.changed_();
  }

  /* ------------------------------------------------------------------------------- transcript */

  /**
   * Everything said so far, in its original languages or translated into `language`. Segments that
   * cannot be translated are given in their original language (and marked so in JSON). `chat`
   * (from ChatService.transcriptLines) is added to the JSON format.
   */
  transcript(format: TranscriptFormat = 'vtt', language?: string, chat?: readonly ChatTranscriptLine[]): Promise<string> {
    return exportTranscript(this.transcriptStore, format, language, this.cache_, this.timeout_, chat);
  }

  /* -------------------------------------------------------------------------------- lifecycle */

  /** Stops recognition and detaches from the session. */
  dispose(): void {
    if (this.disposed_) return;
    this.stop();
    this.disposed_ = true;
    this.messaging_.removeEventListener('peer-message', this.#onPeerMessage);
    this.messaging_.removeEventListener('peer-connected', this.#onPeerConnected);
    this.messaging_.removeEventListener('participant-left', this.#onParticipantLeft);
    this.#setTranslator(undefined);
    this.abortAll_();
  }
}
