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
    return this.tokens + ((now - this.last) / 1000) * this.perSecond >= this.burst;
  }

  /** Takes `cost` tokens if there are enough; returns false (and takes nothing) otherwise. */
  take(cost = 1, now = Date.now()): boolean {
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.perSecond);
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

/** The limits of one connection: frames, bytes, and how many offences it has left. */
export class ConnectionLimiter {
  private readonly frames: TokenBucket;
  private readonly bytes: TokenBucket;
  private readonly offences: TokenBucket;

  constructor(options: RateLimitOptions) {
    this.frames = new TokenBucket(options.burst, options.messagesPerSecond);
    this.bytes = new TokenBucket(options.burstBytes, options.bytesPerSecond);
    this.offences = new TokenBucket(options.strikes, options.strikes / 10);
  }

  /** Accounts one incoming frame of `size` bytes. */
  admit(size: number): Verdict {
    const now = Date.now();
    if (this.frames.take(1, now) && this.bytes.take(size, now)) return 'ok';
    return this.offend(now);
  }

  /** Records an invalid frame; repeat offenders are disconnected. */
  offend(now = Date.now()): Verdict {
    return this.offences.take(1, now) ? 'throttled' : 'disconnect';
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
