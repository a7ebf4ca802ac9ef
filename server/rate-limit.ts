/** What a bucket of `burst` tokens refilled at `perSecond` holds `elapsedMs` after it held `tokens`. */
function refilled(tokens: number, elapsedMs: number, burst: number, perSecond: number): number {
  return Math.min(burst, tokens + (elapsedMs / 1000) * perSecond);
}

/**
 * A token bucket: `burst` tokens at most, refilled continuously at `perSecond`. Used per connection,
 * so one flooding client only ever spends its own budget and never delays the rest of its room.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly burst: number,
    private readonly perSecond: number,
    now = Date.now(),
  ) {
    this.tokens = burst;
    this.last = now;
  }

  /** Whether the bucket has refilled completely (it is then the same as a new one). */
  full(now = Date.now()): boolean {
    return refilled(this.tokens, now - this.last, this.burst, this.perSecond) >= this.burst;
  }

  /** Takes `cost` tokens if there are enough; returns false (and takes nothing) otherwise. */
  take(cost = 1, now = Date.now()): boolean {
    this.tokens = refilled(this.tokens, now - this.last, this.burst, this.perSecond);
    this.last = now;
    if (this.tokens < cost) return false;
    this.tokens -= cost;
    return true;
  }
}

export interface RateLimitOptions {
  /** Sustained frames per second a client may send. */
  messagesPerSecond: number;
  /** Frames a client may send at once above the sustained rate (an offer plus a gust of ICE candidates). */
  burst: number;
  /** Sustained bytes per second a client may send. */
  bytesPerSecond: number;
  /** Bytes a client may send at once. */
  burstBytes: number;
  /**
   * Dropped or invalid frames a client may cause before it is disconnected; refilled at a tenth
   * of this per second, so a client that is briefly too fast is throttled and a flooder is cut off.
   */
  strikes: number;
}

/**
 * 20 signals a second for as long as negotiation lasts is normal for a mesh of eight (trickled ICE
 * candidates to seven peers), so the sustained rate leaves more than twice that, and the burst
 * covers a full renegotiation with every peer at once.
 */
export const DEFAULT_RATE_LIMIT: RateLimitOptions = {
  messagesPerSecond: 50,
  burst: 200,
  bytesPerSecond: 256 * 1024,
  burstBytes: 1024 * 1024,
  strikes: 100,
};

export type Verdict = 'ok' | 'throttled' | 'disconnect';

/**
 * The limits of one connection: frames, bytes, and how many offences it has left. Three token
 * buckets in one object refilled together (one per connection of tens of thousands: the buckets'
 * own objects would cost some 200 bytes each connection).
 */
export class ConnectionLimiter {
  private frames: number;
  private bytes: number;
  private offences: number;
  private last = Date.now();

  constructor(private readonly options: RateLimitOptions) {
    this.frames = options.burst;
    this.bytes = options.burstBytes;
    this.offences = options.strikes;
  }

  /** Accounts one incoming frame of `size` bytes. */
  admit(size: number): Verdict {
    this.refill(Date.now());
    if (this.frames >= 1 && this.bytes >= size) {
      this.frames -= 1;
      this.bytes -= size;
      return 'ok';
    }
    // As two buckets checked in turn: a frame refused for its bytes still spends its frame token.
    if (this.frames >= 1) this.frames -= 1;
    return this.strike();
  }

  /** Records an invalid frame; repeat offenders are disconnected. */
  offend(now = Date.now()): Verdict {
    this.refill(now);
    return this.strike();
  }

  private strike(): Verdict {
    if (this.offences < 1) return 'disconnect';
    this.offences -= 1;
    return 'throttled';
  }

  private refill(now: number): void {
    const elapsed = now - this.last;
    this.last = now;
    const o = this.options;
    this.frames = refilled(this.frames, elapsed, o.burst, o.messagesPerSecond);
    this.bytes = refilled(this.bytes, elapsed, o.burstBytes, o.bytesPerSecond);
    this.offences = refilled(this.offences, elapsed, o.strikes, o.strikes / 10);
  }
}

/**
 * At most one log line per `intervalMs`; the lines held back meanwhile are counted in the next one.
 * A client (or an outage) that makes every frame fail must not be able to flood the log.
 */
export class LogThrottle {
  private last = -Infinity;
  private held = 0;

  constructor(
    private readonly log: (line: string) => void,
    private readonly intervalMs = 1000,
  ) {}

  write(line: string, now = Date.now()): void {
    if (now - this.last < this.intervalMs) {
      this.held++;
      return;
    }
    this.last = now;
    const held = this.held;
    this.held = 0;
    this.log(held ? `${line} (and ${held} similar lines held back)` : line);
  }
}
