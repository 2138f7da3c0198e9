import type { Clock } from './clock.js';

/**
 * Fixed-window counters in process memory. One window's counters are dropped wholesale when the
 * next window starts, so memory is bounded by the keys seen within one window. Several server
 * processes each count on their own (documented in docs/server.md).
 */
export class RateLimiter {
  private counts = new Map<string, number>();
  private windowStart: number;

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    private readonly clock: Clock,
  ) {
    this.windowStart = clock.now().getTime();
  }

  /** Counts one attempt for `key`; false once the key is over its limit in this window. */
  hit(key: string): boolean {
    const now = this.clock.now().getTime();
    if (now - this.windowStart >= this.windowMs) {
      this.counts = new Map();
      this.windowStart = now;
    }
    const count = (this.counts.get(key) ?? 0) + 1;
    this.counts.set(key, count);
    return count <= this.limit;
  }
}
