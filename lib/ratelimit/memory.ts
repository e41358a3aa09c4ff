/**
 * The in-process sliding-window counters: the whole store in embedded mode (one
 * instance), and the fallback of the `local` tiers when the shared store fails.
 * Edge-safe.
 *
 * It weighs windows exactly as `@upstash/ratelimit`'s `slidingWindow` script does (the
 * current fixed window plus the previous one scaled by how much of it still overlaps),
 * so embedded mode and Redis admit the same requests and report the same resets.
 */

/** One counter's answer; the shape `@upstash/ratelimit` answers with. */
export interface LimitResult {
  success: boolean;
  limit: number;
  /** Requests still admitted in the window after this one. */
  remaining: number;
  /** Epoch ms at which the current fixed window ends. */
  reset: number;
}

interface Counter {
  window: number;
  current: number;
  previous: number;
  /** Epoch ms from which this counter weighs nothing: the end of the window after it. */
  expires: number;
}

export interface MemoryStoreOptions {
  /**
   * Most counters kept. Past it, counters of finished windows go first, then the oldest;
   * an evicted counter restarts at zero, which errs towards admitting. Bounds memory
   * when many addresses appear (an Edge isolate has little).
   * @default 10000
   */
  maxKeys?: number;
}

export class MemoryStore {
  readonly #counters = new Map<string, Counter>();
  readonly #maxKeys: number;

  constructor(options: MemoryStoreOptions = {}) {
    this.#maxKeys = options.maxKeys ?? 10_000;
  }

  /** Counts one request for `key` at `now` unless that would exceed `limit`. */
  hit(key: string, limit: number, windowMs: number, now: number): LimitResult {
    const window = Math.floor(now / windowMs);
    const reset = (window + 1) * windowMs;
    const counter = this.#counter(key, window, windowMs, now);
    const previous = Math.floor((1 - (now % windowMs) / windowMs) * counter.previous);
    if (previous + counter.current >= limit) {
      return { success: false, limit, remaining: 0, reset };
    }
    counter.current += 1;
    return { success: true, limit, remaining: limit - (previous + counter.current), reset };
  }

  /** How many counters are held; for tests of the bound. */
  get size(): number {
    return this.#counters.size;
  }

  #counter(key: string, window: number, windowMs: number, now: number): Counter {
    const held = this.#counters.get(key);
    if (held && held.window === window) return held;
    const counter: Counter = {
      window,
      current: 0,
      previous: held && held.window === window - 1 ? held.current : 0,
      expires: (window + 2) * windowMs,
    };
    // Re-inserting keeps the map ordered by when each counter last started a window.
    this.#counters.delete(key);
    this.#evict(now);
    this.#counters.set(key, counter);
    return counter;
  }

  #evict(now: number): void {
    if (this.#counters.size < this.#maxKeys) return;
    for (const [key, counter] of this.#counters) {
      if (counter.expires <= now) this.#counters.delete(key);
    }
    for (const key of this.#counters.keys()) {
      if (this.#counters.size < this.#maxKeys) break;
      this.#counters.delete(key);
    }
  }
}
