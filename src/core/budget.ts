import { CHAT_BUDGET } from '../protocol/chat.js';

/**
 * Budgets for what other people's browsers send (design §5, docs/security.md): a token bucket per
 * sender and per kind of message. Everything a peer sends is hostile until validated and budgeted;
 * a message over budget is dropped and counted, never shown.
 */

/** A sustained rate with a burst allowance. */
export interface Rate {
  /** Messages that may arrive at once after a quiet spell. */
  burst: number;
  /** Messages per second allowed in the long run. */
  perSecond: number;
}

/** One token bucket. `now` is in milliseconds (performance.now() or a test clock). */
export class TokenBucket {
  #tokens: number;
  #at: number;

  constructor(
    readonly rate: Rate,
    now: number,
  ) {
    this.#tokens = rate.burst;
    this.#at = now;
  }

  #refill(now: number) {
    const elapsed = Math.max(0, now - this.#at);
    this.#tokens = Math.min(this.rate.burst, this.#tokens + (elapsed * this.rate.perSecond) / 1000);
    this.#at = now;
  }

  /** Takes one token if there is one. */
  take(now: number): boolean {
    this.#refill(now);
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }

  /** Milliseconds until a token is available (0 when one is). */
  wait(now: number): number {
    this.#refill(now);
    return this.#tokens >= 1 ? 0 : Math.ceil(((1 - this.#tokens) * 1000) / this.rate.perSecond);
  }
}

/**
 * Data-channel message kinds and what one person may send of each. A real speaker's recogniser
 * sends a few interim updates a second and a final every few seconds; an interpreter announces
 * its channel when it goes on air, swaps or coughs; a screen share is announced when it starts and
 * stops. Anything else (kinds a newer version may add) shares the `other` budget.
 */
export const PEER_MESSAGE_RATES: Readonly<Record<string, Rate>> = {
  caption: { burst: 20, perSecond: 8 },
  'caption-status': { burst: 5, perSecond: 1 },
  channel: { burst: 10, perSecond: 2 },
  screen: { burst: 5, perSecond: 1 },
  /** How a receiver shows our video (view-hints.ts): on resize, scroll, hide; senders stay within it. */
  view: { burst: 8, perSecond: 2 },
  /** A person typing (src/protocol/chat.ts); a history once per link. */
  chat: CHAT_BUDGET.chat,
  'chat-history': CHAT_BUDGET['chat-history'],
  other: { burst: 20, perSecond: 5 },
};

/**
 * Everything one person may send, all kinds together: a little more than the sum of the kinds'
 * rates. It is checked before a message is even parsed, so that a flood costs the listener as
 * little as possible per message (reading the kind would mean parsing it first); what it refuses
 * is counted as `flood`.
 */
export const PEER_TOTAL_RATE: Rate = { burst: 80, perSecond: 22 };

/**
 * How far over its total budget a sender may go before it counts as flooding: refusals a sender may
 * run up (100 at once, 10 a second after that) while the budget drops them one by one. Past it the
 * listener cuts the sender's link for a cool-down (`MeshCall.suspend`): the browser delivers every
 * message as a task of its own, so a flood that goes on would keep the listener's timers and
 * rendering waiting however little each refused message costs. An honest page never gets a single
 * message refused (a speaker sends a few captions a second, chat and announcements less).
 */
export const PEER_FLOOD_TOLERANCE: Rate = { burst: 100, perSecond: 10 };

/**
 * Why messages were refused that never had a kind: over the sender's total budget (not parsed),
 * too large, or not JSON.
 */
export type DropReason = 'flood' | 'oversized' | 'malformed';

/** What was refused from peers, per kind (or reason), since the session started. */
export interface PeerStats {
  dropped: Record<string, number>;
}

/** Token buckets per sender and kind, with counts of what they refused. */
export class PeerBudget {
  readonly #buckets = new Map<string, Map<string, TokenBucket>>();
  readonly #totals = new Map<string, TokenBucket>();
  readonly #strikes = new Map<string, TokenBucket>();
  readonly #total: Rate;
  readonly #tolerance: Rate;
  readonly #dropped = new Map<string, number>();
  readonly #rates: Readonly<Record<string, Rate>>;
  readonly #now: () => number;

  constructor(
    rates: Readonly<Record<string, Rate>> = PEER_MESSAGE_RATES,
    now: () => number = () => performance.now(),
    total: Rate = PEER_TOTAL_RATE,
    tolerance: Rate = PEER_FLOOD_TOLERANCE,
  ) {
    if (!rates.other) throw new TypeError('a budget needs an "other" rate');
    this.#rates = rates;
    this.#now = now;
    this.#total = total;
    this.#tolerance = tolerance;
  }

  /**
   * True if `sender` may send one more message of any kind now: the check made before parsing.
   * Counts the drop as `flood` otherwise.
   */
  admit(sender: string): boolean {
    const now = this.#now();
    let bucket = this.#totals.get(sender);
    if (!bucket) this.#totals.set(sender, (bucket = new TokenBucket(this.#total, now)));
    if (bucket.take(now)) return true;
    this.count('flood');
    return false;
  }

  /**
   * Called for a message `admit` refused: true when `sender` has run up more refusals than
   * PEER_FLOOD_TOLERANCE allows, that is when it is flooding rather than over its budget for a moment.
   */
  flooding(sender: string): boolean {
    const now = this.#now();
    let bucket = this.#strikes.get(sender);
    if (!bucket) this.#strikes.set(sender, (bucket = new TokenBucket(this.#tolerance, now)));
    return !bucket.take(now);
  }

  /** The kind a message type is budgeted as: its own if it has a rate, else `other`. */
  kindOf(type: string): string {
    return Object.hasOwn(this.#rates, type) ? type : 'other';
  }

  /** True if `sender` may send one more message of `type` now; counts the drop otherwise. */
  allow(sender: string, type: string): boolean {
    const kind = this.kindOf(type);
    let buckets = this.#buckets.get(sender);
    if (!buckets) this.#buckets.set(sender, (buckets = new Map()));
    let bucket = buckets.get(kind);
    const now = this.#now();
    if (!bucket) buckets.set(kind, (bucket = new TokenBucket(this.#rates[kind]!, now)));
    if (bucket.take(now)) return true;
    this.count(kind);
    return false;
  }

  /** Counts a message refused before it had a kind. */
  count(reason: string): void {
    this.#dropped.set(reason, (this.#dropped.get(reason) ?? 0) + 1);
  }

  /** The sender left: its buckets go with it (it starts afresh if it comes back). */
  forget(sender: string): void {
    this.#buckets.delete(sender);
    this.#totals.delete(sender);
    this.#strikes.delete(sender);
  }

  get stats(): PeerStats {
    return { dropped: Object.fromEntries(this.#dropped) };
  }
}

/**
 * A fixed number of slots for work in flight (translation requests): `acquire` resolves with a
 * release function once a slot is free, first come first served, or rejects if `signal` aborts
 * while waiting.
 */
export class Slots {
  #free: number;
  readonly #queue: (() => void)[] = [];

  constructor(readonly size: number) {
    this.#free = size;
  }

  async acquire(signal?: AbortSignal): Promise<() => void> {
    signal?.throwIfAborted();
    if (this.#free > 0) {
      this.#free--;
      return this.#releaser();
    }
    await new Promise<void>((resolve, reject) => {
      const grant = () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      };
      const onAbort = () => {
        const index = this.#queue.indexOf(grant);
        if (index >= 0) this.#queue.splice(index, 1);
        reject(signal!.reason);
      };
      this.#queue.push(grant);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
    return this.#releaser();
  }

  #releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.#queue.shift();
      // The slot goes straight to the next in line, or back to the pool.
      if (next) next();
      else this.#free++;
    };
  }
}
