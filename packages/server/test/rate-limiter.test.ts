import { describe, expect, it } from 'vitest';
import { fixedClock } from '../src/clock.js';
import { createLogger, memorySink } from '../src/logger.js';
import { MailQueue } from '../src/mail/mail-queue.js';
import { RateLimiter } from '../src/rate-limiter.js';

describe('RateLimiter', () => {
  it('allows `limit` hits per key per window and starts over in the next window', () => {
    const clock = fixedClock('2026-11-25T00:00:00.000Z');
    const limiter = new RateLimiter(2, 60_000, clock);
    expect([limiter.hit('a'), limiter.hit('a'), limiter.hit('a'), limiter.hit('b')]).toEqual([
      true,
      true,
      false,
      true,
    ]);
    clock.advance(59_999);
    expect(limiter.hit('a')).toBe(false);
    clock.advance(1);
    expect(limiter.hit('a')).toBe(true);
  });
});

describe('MailQueue', () => {
  it('runs jobs after the caller returns, survives failures, and drops jobs beyond its capacity', async () => {
    const sink = memorySink();
    const queue = new MailQueue(createLogger(sink, 'info'), 1, 2);
    const done: string[] = [];
    queue.push(async () => void done.push('one'));
    queue.push(async () => {
      throw Object.assign(new Error('to a@example.com'), { code: 'EENVELOPE', responseCode: 550 });
    });
    queue.push(async () => void done.push('three'));
    expect(done).toEqual([]);
    await queue.drain();
    expect(done).toEqual(['one']);
    const lines = sink.lines.map((l) => JSON.parse(l));
    expect(lines.map((l) => l.msg)).toEqual(['mail queue full; dropping a job', 'mail job failed']);
    expect(lines[1]).toMatchObject({ code: 'EENVELOPE', smtp: 550 });
    expect(sink.text()).not.toContain('a@example.com');
  });
});
