/**
 * Hits per bucket in a sliding window, O(1) per check and bounded in memory.
 *
 * Each bucket keeps two counters: the current fixed window and the one before it; the hits "in
 * the last `windowMs`" are estimated as `current + previous × (the part of the previous window
 * still inside the sliding one)`, the approach Cloudflare and most gateway limiters use. It never
 * lets a burst at a window boundary double the limit, as a plain fixed window does, and it needs
 * no per-hit timestamps, so an attacker's hits cost the same whatever the limit.
 *
 * Buckets idle for two windows are dropped by a sweep that runs at most once a window, so a churn
 * of hostile addresses or keys cannot grow memory past what two windows of them hold.
 *
 * @example
 * ```ts
 * const attempts = new RateWindow({ limit: 60, windowMs: 60_000 });
 * const wait = attempts.hit("203.0.113.7");  // undefined: allowed; a number: seconds to wait
 * ```
 */
export class RateWindow {
  readonly limit: number;
  readonly windowMs: number;
  private readonly buckets = new Map<string, Bucket>();
  private nextSweep = 0;

  constructor(options: { readonly limit: number; readonly windowMs: number }) {
    checkWindow(options.limit, options.windowMs);
    this.limit = options.limit;
    this.windowMs = options.windowMs;
  }

  /** Records a hit; `undefined` when it is within the limit, else the seconds until one is free (the hit is not counted). */
  hit(bucket: string, now = Date.now()): number | undefined {
    const wait = this.hitMs(bucket, now);
    return wait === undefined ? undefined : Math.max(1, Math.ceil(wait / 1000));
  }

  /**
   * Records a hit; `undefined` when it is within the limit, else the milliseconds until one is
   * free (the hit is not counted).
   */
  hitMs(key: string, now = Date.now()): number | undefined {
    if (now >= this.nextSweep) this.sweep(now);
    let bucket = this.buckets.get(key);
    if (!bucket) {
      bucket = newBucket(now, this.windowMs);
      this.buckets.set(key, bucket);
    }
    return hitBucket(bucket, this.limit, this.windowMs, now);
  }

  /** Buckets held now (for tests and figures). */
  get size(): number {
    return this.buckets.size;
  }

  forget(bucket: string): void {
    this.buckets.delete(bucket);
  }

  private sweep(now: number): void {
    const stale = now - 2 * this.windowMs;
    for (const [key, bucket] of this.buckets) if (bucket.start <= stale) this.buckets.delete(key);
    this.nextSweep = now + this.windowMs;
  }
}

/** One sliding-window counter: the current fixed window's start and hits, and the previous window's hits. */
export interface Bucket {
  start: number;
  current: number;
  previous: number;
}

/** Throws when a window could never admit anything sensible: a negative limit, or no length. */
export function checkWindow(limit: number, windowMs: number): void {
  if (!(limit >= 0) || !(windowMs > 0)) throw new RangeError(`a rate window needs limit >= 0 and windowMs > 0 (got limit ${limit}, windowMs ${windowMs})`);
}

/** An empty bucket for the window `now` falls in. */
export function newBucket(now: number, windowMs: number): Bucket {
  return { start: now - (now % windowMs), current: 0, previous: 0 };
}

/**
 * Records a hit in one bucket (see {@link RateWindow}); `undefined` when within `limit`, else the
 * milliseconds until one is free (the hit is not counted). For counters kept outside a window's
 * map, one per connection say.
 */
export function hitBucket(bucket: Bucket, limit: number, windowMs: number, now: number): number | undefined {
  const start = now - (now % windowMs);
  if (bucket.start !== start) {
    bucket.previous = bucket.start === start - windowMs ? bucket.current : 0;
    bucket.current = 0;
    bucket.start = start;
  }
  const overlap = 1 - (now - start) / windowMs;
  if (bucket.current + bucket.previous * overlap + 1 <= limit) {
    bucket.current++;
    return undefined;
  }
  if (bucket.current + 1 > limit) {
    // Full already in this window: wait for it to end, then for its weight to fall far enough.
    const toEnd = start + windowMs - now;
    const decay = limit >= 1 ? Math.max(0, 1 - (limit - 1) / bucket.current) : 1;
    return Math.ceil(toEnd + decay * windowMs);
  }
  // Only the previous window's (linearly falling) weight is in the way.
  return Math.max(1, Math.ceil(windowMs * (overlap - (limit - bucket.current - 1) / bucket.previous)));
}
