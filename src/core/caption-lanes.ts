/**
 * The captions of every speaker, in order and translated for this listener (design §5.2): one lane
 * per speaker keeps that speaker's segments strictly in order while their translations are made,
 * and the most recent captions are kept for the overlay.
 */

import type { CaptionMessage, CaptionState, CaptionStatusMessage } from '../protocol/captions.js';
import { TranslationError, isAbortError, translationNote } from './translation.js';
import type { CachedTranslator } from './translation.js';
import { sameLanguage, translationTag } from './language.js';
import { Transcript } from './transcript.js';
import { Slots, TokenBucket, type Rate } from './budget.js';
import { TypedEventTarget } from './typed-event-target.js';
import type { Caption, CaptionNote } from './captions.types.js';
import type { CaptionServiceEventMap, CaptionServiceOptions } from './captions.js';

/** Captions kept for the overlay: enough for two lines of the longest layout plus bilingual mode. */
const SHOWN_LIMIT = 12;
/** Finished segment ids remembered per speaker, to drop late updates of a closed segment. */
const CLOSED_LIMIT = 64;

/** Segments a speaker may have open (not yet final) at once; a real speaker has one. Past it the oldest is closed. */
const OPEN_LIMIT = 4;
/**
 * Captions waiting in a speaker's lane for their translation. Past it the oldest waiting ones are
 * dropped from the overlay (finals stay in the transcript, in their original language).
 */
const LANE_LIMIT = 8;
/** Translation requests made for one speaker: a burst, then a couple a second (a real speaker needs fewer). */
const TRANSLATION_RATE: Rate = { burst: 3, perSecond: 2 };
/** Translation requests this listener has in flight at once, over all speakers. */
const IN_FLIGHT_LIMIT = 4;

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
  /** Translation requests this speaker's captions may still make (TRANSLATION_RATE). */
  translations: TokenBucket;
  state?: CaptionState;
  lang?: string;
}

/**
 * The receiving half of the caption service, which extends it: it shows captions as they become
 * ready (`change`, then `caption`) and keeps final segments in `transcriptStore`.
 */
export abstract class CaptionLanes extends TypedEventTarget<CaptionServiceEventMap> {
  readonly transcriptStore = new Transcript();
  /** The language captions are translated into. */
  protected listen_: string;
  /** The translator, cached; undefined when there is none. */
  protected cache_: CachedTranslator | undefined;
  readonly #interimDelay: number;
  protected readonly timeout_: number;
  readonly #speakers = new Map<string, Speaker>();
  #shown: Caption[] = [];
  readonly #requests = new Slots(IN_FLIGHT_LIMIT);

  constructor(options: CaptionServiceOptions) {
    super();
    this.listen_ = options.listenLanguage ?? options.spokenLanguage;
    this.#interimDelay = options.interimDelay ?? 300;
    this.timeout_ = options.translationTimeout ?? 8000;
  }

  /** A speaker's name, as the session knows it. */
  protected abstract nameOf_(id: string, self?: boolean): string;

  protected changed_(): void {
    this.dispatchEvent(new Event('change'));
  }

  /** Recent captions, oldest first, after translation. */
  get captions(): readonly Caption[] {
    return this.#shown;
  }

  /** A remote speaker's caption state, as they announced it. */
  speakerState(id: string): CaptionState | undefined {
    return this.#speakers.get(id)?.state;
  }

  /** Remote participants whose browser cannot caption them. */
  get speakersWithoutCaptions(): { id: string; name: string }[] {
    return [...this.#speakers.values()]
      .filter((speaker) => speaker.state === 'unavailable')
      .map((speaker) => ({ id: speaker.id, name: this.nameOf_(speaker.id) }));
  }

  /** A new data channel starts a new message order: the peer may be a reloaded page counting from 0. */
  protected restartOrder_(id: string): void {
    const speaker = this.#speakers.get(id);
    if (speaker) speaker.lastSeq = -1;
  }

  protected forget_(id: string): void {
    const speaker = this.#speakers.get(id);
    if (!speaker) return;
    speaker.lane.forEach((job) => job.controller.abort());
    this.#speakers.delete(id);
    this.changed_();
  }

  /** Records a speaker's announced caption state. */
  protected receiveStatus_(from: string, message: CaptionStatusMessage): void {
    const speaker = this.#speaker(from);
    if (speaker.state === message.state && speaker.lang === message.lang) return;
    speaker.state = message.state;
    speaker.lang = message.lang;
    this.dispatchEvent(new CustomEvent('speaker-status', { detail: { id: from, state: message.state } }));
    this.changed_();
  }

  protected receive_(from: string, message: CaptionMessage, self: boolean): void {
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
        speakerName: this.nameOf_(from, self),
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
      // Segments that never end (a broken or hostile sender) are closed, oldest first.
      for (const [id] of speaker.open) {
        if (speaker.open.size <= OPEN_LIMIT) break;
        speaker.open.delete(id);
        this.#close(speaker, id);
      }
    }
    Object.assign(segment, { lang: message.lang, text: message.text, final: message.final, seq: message.seq, t: message.t, end: now });
    if (message.final) {
      speaker.open.delete(message.id);
      this.#close(speaker, message.id);
      if (segment.text.trim()) {
        const { key, speakerId, speakerName, lang, text, start, end } = segment;
        this.transcriptStore.add({ key, speakerId, speakerName, lang, text, start, end });
      }
    }
    if (!segment.text.trim() && !segment.final) return;
    this.#enqueue(speaker, { ...segment });
  }

  /**
   * Translates again, for a new listen language or translator: pending captions are restarted in
   * place (keeping their order), and captions on screen that `which` selects are queued again.
   */
  protected retranslate_(which: (caption: Caption) => boolean = () => true, restartPending = true): void {
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

  protected abortAll_(): void {
    for (const speaker of this.#speakers.values()) speaker.lane.forEach((job) => job.controller.abort());
  }

  #speaker(id: string): Speaker {
    let speaker = this.#speakers.get(id);
    if (!speaker) {
      speaker = { id, lastSeq: -1, open: new Map(), closed: [], lane: [], translations: new TokenBucket(TRANSLATION_RATE, performance.now()) };
      this.#speakers.set(id, speaker);
    }
    return speaker;
  }

  /**
   * Each speaker has a lane of pending captions, shown strictly in order: a slow translation holds
   * back that speaker's later captions rather than being overtaken by them, and a newer version of
   * the same segment cancels the older one's translation.
   */
  #enqueue(speaker: Speaker, segment: Segment): void {
    for (const job of speaker.lane) {
      if (job.superseded) continue;
      // Only the newest interim is worth translating: it replaces every interim still waiting.
      if (job.segment.key === segment.key || (!segment.final && !job.segment.final && !job.result)) this.#drop(job);
    }
    speaker.lane.push(this.#startJob(speaker, segment));
    const waiting = speaker.lane.filter((job) => !job.superseded);
    for (const job of waiting.slice(0, Math.max(0, waiting.length - LANE_LIMIT))) this.#drop(job);
    this.#pump(speaker);
  }

  #drop(job: Job): void {
    job.superseded = true;
    job.controller.abort();
  }

  #close(speaker: Speaker, id: string): void {
    speaker.closed.push(id);
    if (speaker.closed.length > CLOSED_LIMIT) speaker.closed.shift();
  }

  #startJob(speaker: Speaker, segment: Segment): Job {
    const job: Job = { segment, to: this.listen_, controller: new AbortController(), superseded: false };
    const immediate = this.#immediateResult(segment, job.to);
    if (immediate) job.result = immediate;
    else
      void this.#translateJob(job, speaker).then((result) => {
        if (job.superseded) return;
        job.result = result;
        this.#pump(speaker);
      });
    return job;
  }

  /** A result known without waiting: no translation needed, none possible, or already cached. */
  #immediateResult(segment: Segment, to: string): Job['result'] | undefined {
    if (segment.self || sameLanguage(segment.lang, to) || !segment.text.trim()) return {};
    const cache = this.cache_;
    if (!cache) return { note: 'no-translator' };
    const cached = cache.peek(segment.text, segment.lang, to);
    if (cached !== undefined) return { translation: { lang: to, text: cached } };
    return undefined;
  }

  async #translateJob(job: Job, speaker: Speaker): Promise<Job['result']> {
    const { segment, to, controller } = job;
    const translator = this.cache_;
    if (!translator) return { note: 'no-translator' };
    try {
      // Interim text changes with every word; translate it only once it has rested a moment.
      if (!segment.final) await delay(this.#interimDelay, controller.signal);
      // Within the speaker's rate, and within the listener's requests in flight.
      while (!speaker.translations.take(performance.now())) await delay(speaker.translations.wait(performance.now()), controller.signal);
      const release = await this.#requests.acquire(controller.signal);
      const timer = setTimeout(() => controller.abort(new TranslationError('failed', 'translation timed out')), this.timeout_);
      try {
        const text = await translator.translate(segment.text, segment.lang, to, controller.signal);
        return { translation: { lang: to, text } };
      } finally {
        clearTimeout(timer);
        release();
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
    this.changed_();
    this.dispatchEvent(new CustomEvent('caption', { detail: { caption } }));
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
