/**
 * Per-recipient-domain limits inside one worker: messages in flight, messages per second, and a
 * pause after a temporary refusal (421/451), with exponential backoff and jitter so that many
 * workers do not come back at the same instant. The pause is also written to the database
 * (outbox.pauseDomain) so that other workers skip that domain while it lasts. On PostgreSQL the
 * per-domain rate is a token bucket in the database instead (the worker passes a null rate here),
 * shared by every worker; the concurrency limit stays per worker.
 */
interface DomainState {
  inFlight: number;
  tokens: number;
  refilledAt: number;
  pausedUntil: number;
  strikes: number;
}

export const backoffDelay = (
  baseMs: number,
  maxMs: number,
  strikes: number,
  random: () => number,
): number => {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.max(0, strikes - 1));
  // "Equal jitter": at least half the delay, so a backoff never collapses to nothing.
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
};

export class DomainThrottle {
  private readonly domains = new Map<string, DomainState>();

  constructor(
    /** null: no rate limit here (the database's shared per-domain bucket enforces it). */
    private readonly ratePerSecond: number | null,
    private readonly concurrency: number,
  ) {}

  private state(domain: string, nowMs: number): DomainState {
    let s = this.domains.get(domain);
    if (!s) {
      s = {
        inFlight: 0,
        tokens: Math.max(1, this.ratePerSecond ?? 1),
        refilledAt: nowMs,
        pausedUntil: 0,
        strikes: 0,
      };
      this.domains.set(domain, s);
    }
    return s;
  }

  /** 0 when a message to `domain` may start now, else the earliest time worth trying again. */
  readyAt(domain: string, nowMs: number): number | 'paused' {
    const s = this.state(domain, nowMs);
    if (s.pausedUntil > nowMs) return 'paused';
    if (s.inFlight >= this.concurrency) return nowMs + 5;
    if (this.ratePerSecond === null) return 0;
    const burst = Math.max(1, this.ratePerSecond);
    s.tokens = Math.min(burst, s.tokens + ((nowMs - s.refilledAt) * this.ratePerSecond) / 1000);
    s.refilledAt = nowMs;
    if (s.tokens < 1) return nowMs + Math.ceil(((1 - s.tokens) * 1000) / this.ratePerSecond);
    return 0;
  }

  pausedUntil(domain: string, nowMs: number): number {
    return this.state(domain, nowMs).pausedUntil;
  }

  start(domain: string, nowMs: number): void {
    const s = this.state(domain, nowMs);
    s.inFlight++;
    s.tokens -= 1;
  }

  finish(domain: string, ok: boolean): void {
    const s = this.domains.get(domain);
    if (!s) return;
    s.inFlight--;
    if (ok) s.strikes = 0;
  }

  /** Records a temporary refusal and returns how many strikes the domain has now. */
  strike(domain: string, nowMs: number): number {
    const s = this.state(domain, nowMs);
    s.strikes++;
    return s.strikes;
  }

  pause(domain: string, untilMs: number, nowMs: number): void {
    const s = this.state(domain, nowMs);
    s.pausedUntil = Math.max(s.pausedUntil, untilMs);
  }
}
