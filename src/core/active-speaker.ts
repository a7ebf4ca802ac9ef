/**
 * Who has the floor, for the speaker view (design §5.5, docs/chat.md). It follows the sessions'
 * speaking events (SpeakingDetector: on/off, with its own short hold) with hysteresis so the big
 * tile does not flicker:
 * - someone must speak for `takeoverMs` (1 s) without a break to take the floor from a silent
 *   current speaker, or from nobody;
 * - the current speaker keeps the floor through pauses, however long, until someone else qualifies;
 * - if both talk at once, the other takes over only after `interruptMs` (3 s) of unbroken speech;
 * - speech before the floor last changed hands does not count, so two people talking at once
 *   swap at most every `interruptMs`.
 * The clock is injected so tests script time instead of waiting on it.
 */

import { TypedEventTarget } from './typed-event-target.js';

export interface Clock {
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const realClock: Clock = {
  now: () => performance.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

export interface ActiveSpeakerOptions {
  clock?: Clock;
  /** Unbroken speech needed to take the floor from a silent speaker (ms). */
  takeoverMs?: number;
  /** Unbroken speech needed to take the floor while the current speaker also talks (ms). */
  interruptMs?: number;
}

export interface ActiveSpeakerEventMap {
  /** The floor changed hands; `id` is undefined when the speaker left and nobody qualifies. */
  change: CustomEvent<{ id: string | undefined }>;
}

export class ActiveSpeaker extends TypedEventTarget<ActiveSpeakerEventMap> {
  readonly #clock: Clock;
  readonly #takeover: number;
  readonly #interrupt: number;
  /** Who is speaking now, and since when. */
  readonly #since = new Map<string, number>();
  #current: string | undefined;
  /** When the floor last changed hands: speech before that does not count towards the next change. */
  #changedAt = Number.NEGATIVE_INFINITY;
  #timer: unknown;

  constructor(options: ActiveSpeakerOptions = {}) {
    super();
    this.#clock = options.clock ?? realClock;
    this.#takeover = options.takeoverMs ?? 1000;
    this.#interrupt = Math.max(this.#takeover, options.interruptMs ?? 3000);
  }

  /** Who has the floor. */
  get current(): string | undefined {
    return this.#current;
  }

  /** Feeds one speaking on/off event. */
  setSpeaking(id: string, speaking: boolean): void {
    if (speaking && !this.#since.has(id)) this.#since.set(id, this.#clock.now());
    else if (!speaking) this.#since.delete(id);
    this.#evaluate();
  }

  /** Someone left: they no longer speak, and lose the floor at once. */
  remove(id: string): void {
    this.#since.delete(id);
    if (this.#current === id) {
      this.#current = undefined;
      this.#changedAt = Number.NEGATIVE_INFINITY;
      this.#evaluate();
      if (this.#current === undefined) this.dispatchEvent(new CustomEvent('change', { detail: { id: undefined } }));
    } else this.#evaluate();
  }

  /**
   * Follows a session's `speaking` and `participant-left` events. Returns a function that stops.
   */
  watch(session: EventTarget): () => void {
    const onSpeaking = (event: Event) => {
      const detail = (event as CustomEvent<{ id?: unknown; speaking?: unknown }>).detail;
      if (typeof detail?.id === 'string') this.setSpeaking(detail.id, detail.speaking === true);
    };
    const onLeft = (event: Event) => {
      const id = (event as CustomEvent<{ participant?: { id?: unknown } }>).detail?.participant?.id;
      if (typeof id === 'string') this.remove(id);
    };
    session.addEventListener('speaking', onSpeaking);
    session.addEventListener('participant-left', onLeft);
    return () => {
      session.removeEventListener('speaking', onSpeaking);
      session.removeEventListener('participant-left', onLeft);
      this.dispose();
    };
  }

  dispose(): void {
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #evaluate(): void {
    this.dispose();
    const now = this.#clock.now();
    const currentTalks = this.#current !== undefined && this.#since.has(this.#current);
    const needed = currentTalks ? this.#interrupt : this.#takeover;
    // The challenger is whoever has spoken longest without a break.
    let challenger: string | undefined;
    let start = Number.POSITIVE_INFINITY;
    for (const [id, since] of this.#since) {
      if (id !== this.#current && since < start) [challenger, start] = [id, since];
    }
    start = Math.max(start, this.#changedAt);
    if (challenger === undefined) return;
    const due = start + needed;
    if (now >= due) {
      this.#current = challenger;
      this.#changedAt = now;
      this.dispatchEvent(new CustomEvent('change', { detail: { id: challenger } }));
      this.#evaluate();
      return;
    }
    this.#timer = this.#clock.setTimeout(() => {
      this.#timer = undefined;
      this.#evaluate();
    }, due - now);
  }
}
