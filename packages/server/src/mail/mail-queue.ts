import type { FastifyBaseLogger } from 'fastify';

/**
 * Runs mail jobs after the HTTP response has been sent, a few at a time, so a request's timing
 * never depends on whether (or how slowly) a message goes out. Bounded: when full, new jobs are
 * dropped with a warning rather than growing memory under a flood.
 */
export class MailQueue {
  private readonly jobs: (() => Promise<void>)[] = [];
  private running = 0;
  private idle: (() => void)[] = [];

  constructor(
    private readonly logger: FastifyBaseLogger,
    private readonly concurrency = 4,
    private readonly capacity = 10_000,
  ) {}

  push(job: () => Promise<void>): void {
    if (this.jobs.length >= this.capacity) {
      this.logger.warn({ code: 'LW_RATE_LIMITED' }, 'mail queue full; dropping a job');
      return;
    }
    this.jobs.push(job);
    setImmediate(() => this.pump());
  }

  /** Resolves when every queued job has finished (tests and graceful shutdown). */
  async drain(): Promise<void> {
    if (this.running === 0 && this.jobs.length === 0) return;
    await new Promise<void>((resolve) => this.idle.push(resolve));
  }

  private pump(): void {
    while (this.running < this.concurrency && this.jobs.length > 0) {
      const job = this.jobs.shift() as () => Promise<void>;
      this.running++;
      job()
        .catch((error: unknown) => {
          const e = error as { code?: string; responseCode?: number };
          this.logger.error(
            { code: e.code ?? 'LW_INTERNAL', smtp: e.responseCode },
            'mail job failed',
          );
        })
        .finally(() => {
          this.running--;
          this.pump();
          if (this.running === 0 && this.jobs.length === 0)
            for (const resolve of this.idle.splice(0)) resolve();
        });
    }
  }
}
