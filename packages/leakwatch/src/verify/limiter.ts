// Bounded concurrency for all checks and a minimum spacing per provider, so a repository with
// 300 leaked Slack tokens does not turn into a burst against slack.com.

export class Semaphore {
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly limit: number) {}

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.active >= this.limit) {
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    } else {
      this.active++;
    }
    try {
      return await task();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.active--;
    }
  }
}

const sleep = (ms: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

export class ProviderGate {
  private readonly nextSlot = new Map<string, number>();
  private readonly blocked = new Map<string, number>();
  private readonly intervalMs: number;

  /** `perSecond` requests per second per provider; `clock` is a monotonic millisecond clock. */
  constructor(
    perSecond: number,
    private readonly clock: () => number = () => performance.now(),
  ) {
    this.intervalMs = perSecond > 0 ? 1000 / perSecond : 0;
  }

  /** Waits for this provider's next slot. Slots are reserved in call order. */
  async acquire(provider: string): Promise<void> {
    const now = this.clock();
    const slot = Math.max(now, this.nextSlot.get(provider) ?? now);
    this.nextSlot.set(provider, slot + this.intervalMs);
    if (slot > now) await sleep(slot - now);
  }

  /** After a 429: no request to this provider before `untilMs` (clock time). */
  block(provider: string, untilMs: number): void {
    this.blocked.set(provider, Math.max(untilMs, this.blocked.get(provider) ?? 0));
    this.nextSlot.set(provider, Math.max(untilMs, this.nextSlot.get(provider) ?? 0));
  }

  /** Milliseconds this provider is still blocked for, or 0. */
  blockedFor(provider: string): number {
    return Math.max(0, (this.blocked.get(provider) ?? 0) - this.clock());
  }
}
