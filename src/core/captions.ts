/**
 * Live captions of a meeting (design §5.1–5.3): recognises the local speaker, sends caption
 * segments to every peer, receives theirs, keeps them in order, translates them for this listener
 * and keeps the transcript. Plain TypeScript: the elements render what it announces.
 */

import { parseCaptionMessage, parseCaptionStatusMessage, splitCaptionText, MAX_CAPTION_TEXT } from '../protocol/captions.js';
import type { CaptionMessage, CaptionState, CaptionStatusMessage } from '../protocol/captions.js';
import type { PeerMessageDetail, PeerMessaging } from './types.js';
import { RecognitionError, WebSpeechRecognizer } from './recognition.js';
import type { RecognitionFailure, RecognitionResult, SpeechRecognizer } from './recognition.js';
import { TranslationError, isAbortError, sameLanguage, sharedCache, translationNote, translationTag } from './translation.js';
import type { CachedTranslator } from './translation.js';
import type { AvailabilityChangeDetail, DownloadProgressDetail, Translator } from './translation.js';
import { Transcript, formatTranscript } from './transcript.js';
import { TypedEventTarget } from './typed-event-target.js';
import type { ChatTranscriptLine, TranscriptLine } from './transcript.js';
import type { Caption, CaptionNote, RecognitionState, TranscriptFormat } from './captions.types.js';

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

/** Captions kept for the overlay: enough for two lines of the longest layout plus bilingual mode. */
const SHOWN_LIMIT = 12;
/** Finished segment ids remembered per speaker, to drop late updates of a closed segment. */
const CLOSED_LIMIT = 64;

/** A segment as received, before translation: a Caption without its translation or note. */
type Segment = Omit<Caption, 'translation' | 'note'>;

interface Job {
  segment: Segment;
  to: string;
  controller: AbortController;
  superseded: boolean;
  result?: { translation?: { lang: string; text: string }; note?: CaptionNote };
}

interface Speaker {
  id: string;
  lastSeq: number;
  open: Map<string, Segment>;
  closed: string[];
  lane: Job[];
  state?: CaptionState;
  lang?: string;
}

const statusFor = (state: RecognitionState): CaptionState =>
  state === 'active' || state === 'starting' ? 'active' : state === 'unavailable' ? 'unavailable' : 'paused';


/**
 * Events: see {@link CaptionServiceEventMap}.
 */
export class CaptionService extends TypedEventTarget<CaptionServiceEventMap> {
  readonly transcriptStore = new Transcript();
  readonly #messaging: PeerMessaging;
  #spokenLanguage: string;
  #listenLanguage: string;
  #recognizer: SpeechRecognizer | undefined;
  #translator: Translator | undefined;
  #cache: CachedTranslator | undefined;
  readonly #name: string | undefined;
  readonly #interimDelay: number;
  readonly #translationTimeout: number;

  readonly #speakers = new Map<string, Speaker>();
  #shown: Caption[] = [];
  readonly #downloads = new Map<string, TranslationDownload>();

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
  #disposed = false;

  readonly #onPeerMessage = (event: Event) => this.#handlePeerMessage(event);
  readonly #onPeerConnected = (event: Event) => this.#handlePeerConnected(event);
  readonly #onParticipantLeft = (event: Event) => {
    const id = (event as CustomEvent<{ participant?: { id?: unknown } }>).detail?.participant?.id;
    if (typeof id === 'string') this.#forgetSpeaker(id);
  };
  readonly #onTranslatorEvent = (event: Event) => this.#handleTranslatorEvent(event);

  constructor(messaging: PeerMessaging, options: CaptionServiceOptions) {
    super();
    this.#messaging = messaging;
    this.#spokenLanguage = options.spokenLanguage;
    this.#listenLanguage = options.listenLanguage ?? options.spokenLanguage;
    this.#name = options.name;
    this.#interimDelay = options.interimDelay ?? 300;
    this.#translationTimeout = options.translationTimeout ?? 8000;
    this.#recognizer =
      options.recognizer === undefined ? (WebSpeechRecognizer.isSupported() ? new WebSpeechRecognizer() : undefined) : (options.recognizer ?? undefined);
    this.#setTranslator(options.translator ?? undefined);
    messaging.addEventListener('peer-message', this.#onPeerMessage);
    messaging.addEventListener('peer-connected', this.#onPeerConnected);
    messaging.addEventListener('participant-left', this.#onParticipantLeft);
  }

  /* ------------------------------------------------------------------ languages and engines */

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
    this.#changed();
  }

  get listenLanguage(): string {
    return this.#listenLanguage;
  }

  /** Changing it re-translates the captions on screen; later ones arrive in the new language. */
  set listenLanguage(tag: string) {
    if (tag === this.#listenLanguage) return;
    this.#listenLanguage = tag;
    this.#retranslate();
    this.#changed();
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

  get translator(): Translator | undefined {
    return this.#translator;
  }

  set translator(translator: Translator | undefined) {
    if (translator === this.#translator) return;
    this.#setTranslator(translator ?? undefined);
    this.#retranslate();
  }

  #setTranslator(translator: Translator | undefined): void {
    if (this.#translator instanceof EventTarget) {
      this.#translator.removeEventListener('downloadprogress', this.#onTranslatorEvent);
      this.#translator.removeEventListener('availabilitychange', this.#onTranslatorEvent);
    }
    this.#translator = translator;
    this.#cache = translator ? sharedCache(translator) : undefined;
    this.#downloads.clear();
    if (translator instanceof EventTarget) {
      translator.addEventListener('downloadprogress', this.#onTranslatorEvent);
      translator.addEventListener('availabilitychange', this.#onTranslatorEvent);
    }
  }

  /* ------------------------------------------------------------------------ what the UI reads */

  /** Recent captions, oldest first, after translation. */
  get captions(): readonly Caption[] {
    return this.#shown;
  }

  get recognitionState(): RecognitionState {
    return this.#state;
  }

  /** Why recognition is `unavailable`. */
  get recognitionFailure(): RecognitionFailure | undefined {
    return this.#failure;
  }

  /** A remote speaker's caption state, as they announced it. */
  speakerState(id: string): CaptionState | undefined {
    return this.#speakers.get(id)?.state;
  }

  /** Remote participants whose browser cannot caption them. */
  get speakersWithoutCaptions(): { id: string; name: string }[] {
    return [...this.#speakers.values()]
      .filter((speaker) => speaker.state === 'unavailable')
      .map((speaker) => ({ id: speaker.id, name: this.#nameOf(speaker.id) }));
  }

  /** Translation models being downloaded, with their progress. */
  get translationDownloads(): TranslationDownload[] {
    return [...this.#downloads.values()];
  }

  /**
   * Starts downloading the models the captions on screen wait for. Call it from a user gesture:
   * browsers refuse model downloads otherwise.
   */
  async prepareTranslation(): Promise<void> {
    const translator = this.#cache;
    if (!translator) return;
    const pairs = new Map<string, [string, string]>();
    for (const caption of this.#shown) {
      if (caption.note === 'translation-downloadable' || caption.note === 'translation-downloading') {
        pairs.set(`${translationTag(caption.lang)}>${translationTag(this.#listenLanguage)}`, [caption.lang, this.#listenLanguage]);
      }
    }
    const results = await Promise.allSettled([...pairs.values()].map(([from, to]) => translator.prepare(from, to)));
    if (results.some((r) => r.status === 'fulfilled')) this.#retranslate((caption) => caption.note !== undefined, false);
  }

  /* ------------------------------------------------------------------------------ recognition */

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
    const current = () => generation === this.#generation && !this.#disposed;
    try {
      await recognizer.start({
        language: this.#spokenLanguage,
        track,
        emit: (result) => {
          if (current()) this.#handleLocalResult(result);
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
    this.#changed();
  }

  #statusMessage(): CaptionStatusMessage {
    return { type: 'caption-status', lang: this.#spokenLanguage, state: statusFor(this.#state) };
  }

  #lastBroadcast: string | undefined;

  #broadcastStatus(): void {
    const message = this.#statusMessage();
    const key = `${message.lang} ${message.state}`;
    if (key === this.#lastBroadcast) return;
    this.#lastBroadcast = key;
    this.#messaging.sendToPeers(message);
  }

  #handleLocalResult(result: RecognitionResult): void {
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
      this.#messaging.sendToPeers(message);
      this.#receive(this.#selfKey, message, true);
    });
  }

  get #selfKey(): string {
    return this.#messaging.selfId ?? 'self';
  }

  /* -------------------------------------------------------------------------------- receiving */

  #handlePeerMessage(event: Event): void {
    const detail = (event as CustomEvent<PeerMessageDetail>).detail;
    const message = detail?.message;
    if (!message || typeof detail.from !== 'string') return;
    if (message.type !== 'caption' && message.type !== 'caption-status') return;
    try {
      if (message.type === 'caption') this.#receive(detail.from, parseCaptionMessage(message), false);
      else this.#receiveStatus(detail.from, parseCaptionStatusMessage(message));
    } catch (error) {
      console.warn(`un75: dropped a ${message.type} message from ${detail.from}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  #handlePeerConnected(event: Event): void {
    const id = (event as CustomEvent<{ id?: unknown }>).detail?.id;
    if (typeof id !== 'string') return;
    // A new data channel starts a new message order: the peer may be a reloaded page counting from 0.
    const speaker = this.#speakers.get(id);
    if (speaker) speaker.lastSeq = -1;
    if (this.#state !== 'idle') this.#messaging.sendToPeers(this.#statusMessage(), id);
  }

  #speaker(id: string): Speaker {
    let speaker = this.#speakers.get(id);
    if (!speaker) {
      speaker = { id, lastSeq: -1, open: new Map(), closed: [], lane: [] };
      this.#speakers.set(id, speaker);
    }
    return speaker;
  }

  #forgetSpeaker(id: string): void {
    const speaker = this.#speakers.get(id);
    if (!speaker) return;
    speaker.lane.forEach((job) => job.controller.abort());
    this.#speakers.delete(id);
    this.#changed();
  }

  #nameOf(id: string, self = false): string {
    if (self) return this.#messaging.participant(id)?.name ?? this.#name ?? id;
    return this.#messaging.participant(id)?.name ?? id;
  }

  #receiveStatus(from: string, message: CaptionStatusMessage): void {
    const speaker = this.#speaker(from);
    if (speaker.state === message.state && speaker.lang === message.lang) return;
    speaker.state = message.state;
    speaker.lang = message.lang;
    this.dispatchEvent(new CustomEvent('speaker-status', { detail: { id: from, state: message.state } }));
    this.#changed();
  }

  #receive(from: string, message: CaptionMessage, self: boolean): void {
    const speaker = this.#speaker(from);
    // Data channels are ordered, but a rebuilt link may replay or cross: never go backwards.
    if (message.seq <= speaker.lastSeq) return;
    speaker.lastSeq = message.seq;
    if (speaker.closed.includes(message.id)) return;
    const now = Date.now();
    let segment = speaker.open.get(message.id);
    if (!segment) {
      segment = {
        key: `${from}/${message.id}`,
        id: message.id,
        speakerId: from,
        speakerName: this.#nameOf(from, self),
        self,
        lang: message.lang,
        text: '',
        final: false,
        seq: message.seq,
        t: message.t,
        start: now,
        end: now,
      };
      speaker.open.set(message.id, segment);
    }
    Object.assign(segment, { lang: message.lang, text: message.text, final: message.final, seq: message.seq, t: message.t, end: now });
    if (message.final) {
      speaker.open.delete(message.id);
      speaker.closed.push(message.id);
      if (speaker.closed.length > CLOSED_LIMIT) speaker.closed.shift();
      if (segment.text.trim()) {
        const { key, speakerId, speakerName, lang, text, start, end } = segment;
        this.transcriptStore.add({ key, speakerId, speakerName, lang, text, start, end });
      }
    }
    if (!segment.text.trim() && !segment.final) return;
    this.#enqueue(speaker, { ...segment });
  }

  /* ------------------------------------------------------------------------------ translation */

  /**
   * Each speaker has a lane of pending captions, shown strictly in order: a slow translation holds
   * back that speaker's later captions rather than being overtaken by them, and a newer version of
   * the same segment cancels the older one's translation.
   */
  #enqueue(speaker: Speaker, segment: Segment): void {
    for (const job of speaker.lane) {
      if (job.segment.key === segment.key && !job.superseded) {
        job.superseded = true;
        job.controller.abort();
      }
    }
    speaker.lane.push(this.#startJob(speaker, segment));
    this.#pump(speaker);
  }

  #startJob(speaker: Speaker, segment: Segment): Job {
    const job: Job = { segment, to: this.#listenLanguage, controller: new AbortController(), superseded: false };
    const immediate = this.#immediateResult(segment, job.to);
    if (immediate) job.result = immediate;
    else
      void this.#translateJob(job).then((result) => {
        if (job.superseded) return;
        job.result = result;
        this.#pump(speaker);
      });
    return job;
  }

  /** A result known without waiting: no translation needed, none possible, or already cached. */
  #immediateResult(segment: Segment, to: string): Job['result'] | undefined {
    if (segment.self || sameLanguage(segment.lang, to) || !segment.text.trim()) return {};
    if (!this.#cache) return { note: 'no-translator' };
    const cached = this.#cache.peek(segment.text, segment.lang, to);
    if (cached !== undefined) return { translation: { lang: to, text: cached } };
    return undefined;
  }

  async #translateJob(job: Job): Promise<Job['result']> {
    const { segment, to, controller } = job;
    const translator = this.#cache;
    if (!translator) return { note: 'no-translator' };
    try {
      // Interim text changes with every word; translate it only once it has rested a moment.
      if (!segment.final) await delay(this.#interimDelay, controller.signal);
      const timer = setTimeout(() => controller.abort(new TranslationError('failed', 'translation timed out')), this.#translationTimeout);
      try {
        const text = await translator.translate(segment.text, segment.lang, to, controller.signal);
        return { translation: { lang: to, text } };
      } finally {
        clearTimeout(timer);
      }
    } catch (error) {
      if (job.superseded) return {};
      const reason = controller.signal.aborted ? controller.signal.reason : error;
      if (isAbortError(reason)) return {};
      return { note: translationNote(reason) };
    }
  }

  #pump(speaker: Speaker): void {
    while (speaker.lane.length) {
      const head = speaker.lane[0]!;
      if (head.superseded) {
        speaker.lane.shift();
        continue;
      }
      if (!head.result) return;
      speaker.lane.shift();
      this.#show(head);
    }
  }

  #show(job: Job): void {
    const { segment, result } = job;
    const caption: Caption = { ...segment };
    if (result?.translation) caption.translation = result.translation;
    if (result?.note) caption.note = result.note;
    if (segment.final && result?.translation) this.transcriptStore.setTranslation(segment.key, translationTag(result.translation.lang), result.translation.text);
    const index = this.#shown.findIndex((c) => c.key === caption.key);
    if (index >= 0) this.#shown = this.#shown.map((c, i) => (i === index ? caption : c));
    else this.#shown = [...this.#shown, caption].slice(-SHOWN_LIMIT);
    // `change` first: elements have requested their update by the time `caption` listeners run,
    // so a listener can await an element's updateComplete to see the caption on screen.
    this.#changed();
    this.dispatchEvent(new CustomEvent('caption', { detail: { caption } }));
  }

  /**
   * Translates again, for a new listen language or translator: pending captions are restarted in
   * place (keeping their order), and captions on screen that `which` selects are queued again.
   */
  #retranslate(which: (caption: Caption) => boolean = () => true, restartPending = true): void {
    const pending = new Set<string>();
    for (const speaker of this.#speakers.values()) {
      speaker.lane = speaker.lane.map((job) => {
        if (job.superseded || !restartPending) return job;
        job.superseded = true;
        job.controller.abort();
        return this.#startJob(speaker, job.segment);
      });
      speaker.lane.forEach((job) => pending.add(job.segment.key));
    }
    for (const caption of this.#shown) {
      if (caption.self || pending.has(caption.key) || !which(caption)) continue;
      const speaker = this.#speaker(caption.speakerId);
      const { translation: _translation, note: _note, ...segment } = caption;
      speaker.lane.push(this.#startJob(speaker, segment));
    }
    for (const speaker of this.#speakers.values()) this.#pump(speaker);
  }

  #handleTranslatorEvent(event: Event): void {
    if (event.type === 'downloadprogress') {
      const detail = (event as CustomEvent<DownloadProgressDetail>).detail;
      const key = `${translationTag(detail.from)}>${translationTag(detail.to)}`;
      if (detail.loaded >= 1) this.#downloads.delete(key);
      else this.#downloads.set(key, { ...detail });
      this.dispatchEvent(new CustomEvent('translation-status', { detail: { ...detail } }));
    } else {
      const detail = (event as CustomEvent<AvailabilityChangeDetail>).detail;
      if (detail.availability === 'available') {
        this.#downloads.delete(`${translationTag(detail.from)}>${translationTag(detail.to)}`);
        // The model the captions waited for is here: translate what is on screen.
        this.#retranslate((caption) => caption.note !== undefined, false);
      }
      this.dispatchEvent(new CustomEvent('translation-status', { detail: { ...detail } }));
    }
    this.#changed();
  }

  /* ------------------------------------------------------------------------------- transcript */

  /**
   * Everything said so far, in its original languages or translated into `language`. Segments that
   * cannot be translated are given in their original language (and marked so in JSON). `chat`
   * (from ChatService.transcriptLines) is added to the JSON format.
   */
  async transcript(format: TranscriptFormat = 'vtt', language?: string, chat?: readonly ChatTranscriptLine[]): Promise<string> {
    const entries = [...this.transcriptStore.entries];
    const lines = await Promise.all(
      entries.map(async (entry): Promise<TranscriptLine> => {
        const base = { speakerName: entry.speakerName, speakerId: entry.speakerId, start: entry.start, end: entry.end };
        const original = { ...base, lang: entry.lang, text: entry.text, machineTranslated: false };
        if (!language || sameLanguage(entry.lang, language)) return original;
        const target = translationTag(language);
        let text = this.transcriptStore.translation(entry.key, target);
        if (text === undefined && this.#cache) {
          const controller = new AbortController();
          const timer = setTimeout(() => controller.abort(), this.#translationTimeout);
          text = await this.#cache.translate(entry.text, entry.lang, language, controller.signal).catch(() => undefined);
          clearTimeout(timer);
          if (text !== undefined) this.transcriptStore.setTranslation(entry.key, target, text);
        }
        if (text === undefined) return original;
        return { ...base, lang: language, text, machineTranslated: true, original: { lang: entry.lang, text: entry.text } };
      }),
    );
    return formatTranscript(format, lines, { startedAt: this.transcriptStore.startedAt, language, chat });
  }

  /* -------------------------------------------------------------------------------- lifecycle */

  #changed(): void {
    this.dispatchEvent(new Event('change'));
  }

  /** Stops recognition and detaches from the session. */
  dispose(): void {
    if (this.#disposed) return;
    this.stop();
    this.#disposed = true;
    this.#messaging.removeEventListener('peer-message', this.#onPeerMessage);
    this.#messaging.removeEventListener('peer-connected', this.#onPeerConnected);
    this.#messaging.removeEventListener('participant-left', this.#onParticipantLeft);
    this.#setTranslator(undefined);
    for (const speaker of this.#speakers.values()) speaker.lane.forEach((job) => job.controller.abort());
  }
}

function delay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        reject(signal.reason);
      },
      { once: true },
    );
  });
}
