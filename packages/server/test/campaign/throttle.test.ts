import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { backoffDelay, DomainThrottle } from '../../src/campaign/domain-throttle.js';
import { takeTokens } from '../../src/campaign/rate-bucket.js';
import type { OpenedStore } from '../../src/store/open-store.js';
import { openCampaignStore } from './helpers.js';

let opened: OpenedStore;
beforeEach(async () => {
  opened = await openCampaignStore();
});
afterEach(async () => opened.close());

describe('throttling', () => {
  it('the database token bucket grants at most its rate, refills with time, and never runs backwards', async () => {
    const take = (want: number, at: number) => takeTokens(opened.store, 'campaign:x', 10, want, at);
    expect(await take(25, 1_000)).toEqual({ granted: 10, waitMs: 0 });
    expect(await take(5, 1_000)).toEqual({ granted: 0, waitMs: 100 });
    expect(await take(5, 1_300)).toEqual({ granted: 3, waitMs: 0 });
    // A clock behind the last refill (another machine's) mints nothing.
    expect(await take(5, 500)).toMatchObject({ granted: 0 });
    expect(await take(100, 11_000)).toEqual({ granted: 10, waitMs: 0 });
    expect(await takeTokens(opened.store, 'campaign:y', 10, 4, 1_000)).toEqual({
      granted: 4,
      waitMs: 0,
    });
  });

  it('backs off exponentially with jitter, never below half the delay, up to a ceiling', () => {
    expect(backoffDelay(1_000, 60_000, 1, () => 0)).toBe(500);
    expect(backoffDelay(1_000, 60_000, 1, () => 1)).toBe(1_000);
    expect(backoffDelay(1_000, 60_000, 3, () => 0.5)).toBe(3_000);
    expect(backoffDelay(1_000, 60_000, 20, () => 1)).toBe(60_000);
  });

  it('limits messages in flight and per second per domain, and pauses a domain', () => {
    const throttle = new DomainThrottle(2, 1);
    expect(throttle.readyAt('a.example', 0)).toBe(0);
    throttle.start('a.example', 0);
    expect(throttle.readyAt('a.example', 0)).toBe(5);
    expect(throttle.readyAt('b.example', 0)).toBe(0);
    throttle.finish('a.example', true);
    throttle.start('a.example', 0);
    throttle.finish('a.example', true);
    // Two tokens used at t=0 with a rate of 2/s: the next one is due at 500 ms.
    expect(throttle.readyAt('a.example', 0)).toBe(500);
    expect(throttle.readyAt('a.example', 500)).toBe(0);
    throttle.pause('a.example', 10_000, 500);
    expect(throttle.readyAt('a.example', 9_999)).toBe('paused');
    expect(throttle.readyAt('a.example', 10_000)).toBe(0);
    expect(throttle.strike('a.example', 0)).toBe(1);
    expect(throttle.strike('a.example', 0)).toBe(2);
  });

  it('without a local rate (the shared bucket has it) limits only messages in flight', () => {
    const throttle = new DomainThrottle(null, 2);
    for (let i = 0; i < 50; i++) {
      expect(throttle.readyAt('a.example', 0)).toBe(0);
      throttle.start('a.example', 0);
      throttle.finish('a.example', true);
    }
    throttle.start('a.example', 0);
    throttle.start('a.example', 0);
    expect(throttle.readyAt('a.example', 0)).toBe(5);
  });
});
