import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { Keyring } from '../crypto/keys.js';
import type { Store } from '../store/store.js';
import { completeIfDone, getCampaign, type Campaign } from './campaigns.js';
import { backoffDelay, DomainThrottle } from './domain-throttle.js';
import {
  claimRows,
  pauseDomain,
  recordOutcomes,
  recoverExpiredLeases,
  releaseOwnRows,
  renewLeases,
  type ClaimedRow,
  type Outcome,
} from './outbox.js';
import { takeTokens } from './rate-bucket.js';
import { buildNoticeMessage } from './mime.js';
import type { RawSender } from './sender.js';
import { classifySendError, oneLine } from './smtp-reply.js';
import { contentHash, renderNotice } from './templates.js';
import { verpAddress } from './verp.js';

export interface WorkerOptions {
  store: Store;
  keyring: Keyring;
  sender: RawSender;
  campaignId: string;
  /** Names this worker in leases; unique per process. */
  owner?: string;
  /**
   * Most rows this worker holds at once (claimed, in flight or sent but not yet recorded). It is
   * the bound of the crash window: a SIGKILL can resend at most this many messages.
   */
  batchSize?: number;
  maxInFlight?: number;
  leaseMs?: number;
  /** How often sent rows are committed; smaller shrinks the crash window, larger saves writes. */
  flushMs?: number;
  pollMs?: number;
  /** Backoff of a domain after a 4xx reply: base and ceiling of the exponential delay. */
  domainBackoffMs?: number;
  maxBackoffMs?: number;
  /** Delay before retrying a row whose connection failed. */
  retryMs?: number;
  /**
   * Draw the per-domain rate from a bucket in the database shared by every worker (default on
   * PostgreSQL, where several workers run) rather than from this worker's memory.
   */
  sharedDomainRate?: boolean;
  now?: () => number;
  random?: () => number;
  signal?: AbortSignal;
  onTick?: (stats: WorkerStats) => void;
}

export interface WorkerStats {
  owner: string;
  claimed: number;
  sent: number;
  failed: number;
  retried: number;
  recovered: number;
  exit?: 'completed' | 'paused' | 'cancelled' | 'stopped';
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });

const rfc2822 = (iso: string): string => new Date(iso).toUTCString().replace('GMT', '+0000');

export const defaultWorkerId = (): string => `${hostname()}:${randomBytes(4).toString('hex')}`;

/**
 * Sends a campaign's outbox until it is done, paused or cancelled, or `signal` aborts. Several
 * workers may run against one campaign (PostgreSQL); each claims its own rows.
 */
export const runWorker = async (options: WorkerOptions): Promise<WorkerStats> => {
  const { store, keyring, sender, campaignId, signal } = options;
  const owner = options.owner ?? defaultWorkerId();
  const batchSize = options.batchSize ?? 200;
  const maxInFlight = Math.min(options.maxInFlight ?? 20, batchSize);
  const leaseMs = options.leaseMs ?? 60_000;
  const flushMs = options.flushMs ?? 50;
  const pollMs = options.pollMs ?? 1_000;
  const domainBackoffMs = options.domainBackoffMs ?? 30_000;
  const maxBackoffMs = options.maxBackoffMs ?? 30 * 60_000;
  const retryMs = options.retryMs ?? 10_000;
  const nowMs = options.now ?? Date.now;
  const random = options.random ?? Math.random;
  const iso = (ms = nowMs()) => new Date(ms).toISOString();

  let campaign: Campaign = await getCampaign(store, campaignId);
  const sharedDomainRate = options.sharedDomainRate ?? store.dialect === 'postgres';
  const throttle = new DomainThrottle(
    sharedDomainRate ? null : campaign.settings.domainRate,
    campaign.settings.domainConcurrency,
  );
  // Shared per-domain rate: tokens taken from the domain's bucket row and not yet used, and when
  // an empty bucket is worth asking again.
  const domainTokens = new Map<string, number>();
  const domainRetryAt = new Map<string, number>();
  const stats: WorkerStats = { owner, claimed: 0, sent: 0, failed: 0, retried: 0, recovered: 0 };
  stats.recovered += await releaseOwnRows(store, campaignId, owner, iso());
  const queue: ClaimedRow[] = [];
  let inFlight = 0;
  let outcomes: Outcome[] = [];
  let flushing = 0;
  let tokens = 0;
  // The main loop sleeps until something changes (a send finished, a flush committed) or `ms`.
  let wakeUp: (() => void) | undefined;
  const wake = () => {
    const resume = wakeUp;
    wakeUp = undefined;
    resume?.();
  };
  const waitForWake = (ms: number) =>
    new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        if (wakeUp === done) wakeUp = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal?.addEventListener('abort', done, { once: true });
      wakeUp = done;
    });

  let writes = Promise.resolve();
  const flush = (): Promise<void> => {
    const batch = outcomes;
    if (batch.length === 0) return writes;
    outcomes = [];
    flushing += batch.length;
    writes = writes
      .then(() => recordOutcomes(store, owner, batch, keyring))
      .finally(() => {
        flushing -= batch.length;
        wake();
      });
    return writes;
  };
  let failure: unknown;
  const flushTimer = setInterval(() => {
    flush().catch((error: unknown) => (failure ??= error));
  }, flushMs);
  // Renewals do not queue behind result writes: a slow flush must not let leases lapse (a lapsed
  // lease lets another worker send the same rows again).
  let renewing = false;
  const leaseTimer = setInterval(
    () => {
      if (renewing) return;
      renewing = true;
      renewLeases(store, campaignId, owner, iso(nowMs() + leaseMs))
        .catch((error: unknown) => (failure ??= error))
        .finally(() => (renewing = false));
    },
    Math.max(100, leaseMs / 3),
  );

  const settle = (outcome: Outcome) => {
    outcomes.push(outcome);
    if (outcomes.length >= 200) flush().catch((error: unknown) => (failure ??= error));
  };

  const send = async (row: ClaimedRow): Promise<void> => {
    const rendered = renderNotice(campaign.template, row.language, row.referenceCode);
    const hash = contentHash(rendered);
    let ok = false;
    try {
      const result = await sender.send({
        envelopeFrom: verpAddress(campaign.settings.bounceAddress, row.noticeId),
        to: row.address,
        raw: buildNoticeMessage({
          from: campaign.settings.from,
          to: row.address,
          subject: rendered.subject,
          text: rendered.text,
          html: rendered.html,
          messageId: row.messageId,
          // A fixed Date keeps a copy resent after a crash identical to the first.
          date: rfc2822(campaign.startedAt ?? campaign.createdAt),
        }),
      });
      const at = iso();
      if (result.accepted.length === 0) {
        stats.failed++;
        settle({
          kind: 'failed',
          noticeId: row.noticeId,
          reply: oneLine(result.response),
          reason: 'rejected',
          contentHash: hash,
          at,
        });
      } else {
        ok = true;
        stats.sent++;
        settle({
          kind: 'sent',
          noticeId: row.noticeId,
          reply: oneLine(result.response),
          contentHash: hash,
          at,
        });
      }
    } catch (error) {
      const failureKind = classifySendError(error);
      const now = nowMs();
      if (failureKind.kind === 'permanent') {
        stats.failed++;
        settle({
          kind: 'failed',
          noticeId: row.noticeId,
          reply: failureKind.reply,
          reason: 'permanent',
          contentHash: hash,
          at: iso(now),
        });
      } else if (row.attempts + 1 >= campaign.settings.maxAttempts) {
        stats.failed++;
        settle({
          kind: 'failed',
          noticeId: row.noticeId,
          reply: failureKind.reply,
          reason: `gave up after ${row.attempts + 1} attempts`,
          contentHash: hash,
          at: iso(now),
        });
      } else {
        stats.retried++;
        let until = now + backoffDelay(retryMs, maxBackoffMs, row.attempts + 1, random);
        if (failureKind.domainWide) {
          const strikes = throttle.strike(row.domain, now);
          until = now + backoffDelay(domainBackoffMs, maxBackoffMs, strikes, random);
          throttle.pause(row.domain, until, now);
          writes = writes
            .then(() =>
              pauseDomain(store, campaignId, row.domain, iso(until), strikes, failureKind.reply),
            )
            .catch((e: unknown) => {
              failure ??= e;
            });
        }
        settle({
          kind: 'retry',
          noticeId: row.noticeId,
          reply: failureKind.reply,
          availableAt: iso(until),
          at: iso(now),
        });
      }
    } finally {
      throttle.finish(row.domain, ok);
      inFlight--;
      wake();
    }
  };

  let lastStateCheck = nowMs();
  let drained = false;
  try {
    for (;;) {
      if (failure) throw failure;
      options.onTick?.(stats);
      if (nowMs() - lastStateCheck >= pollMs) {
        campaign = await getCampaign(store, campaignId);
        lastStateCheck = nowMs();
      }
      const stopping = signal?.aborted === true || campaign.state !== 'running';
      if (stopping) {
        stats.exit = signal?.aborted
          ? 'stopped'
          : campaign.state === 'paused'
            ? 'paused'
            : campaign.state === 'cancelled'
              ? 'cancelled'
              : 'completed';
        break;
      }
      const held = queue.length + inFlight + outcomes.length + flushing;
      if (!drained && queue.length < maxInFlight && held < batchSize) {
        const now = nowMs();
        stats.recovered += await recoverExpiredLeases(store, campaignId, iso(now));
        const rows = await claimRows(
          store,
          keyring,
          campaignId,
          owner,
          batchSize - held,
          iso(now),
          iso(now + leaseMs),
        );
        stats.claimed += rows.length;
        queue.push(...rows);
        if (rows.length === 0) drained = true;
      }
      if (queue.length === 0) {
        if (inFlight > 0 || outcomes.length + flushing > 0) {
          await flush();
          if (inFlight > 0) await waitForWake(pollMs);
          continue;
        }
        await flush();
        if (await completeIfDone(store, campaignId, iso())) {
          stats.exit = 'completed';
          break;
        }
        await sleep(Math.min(pollMs, 250), signal);
        drained = false;
        continue;
      }
      if (inFlight >= maxInFlight) {
        await waitForWake(pollMs);
        continue;
      }
      const now = nowMs();
      let pick = -1;
      let nextTry = Infinity;
      for (let i = 0; i < queue.length; i++) {
        const row = queue[i] as ClaimedRow;
        const ready = throttle.readyAt(row.domain, now);
        if (ready === 'paused') {
          // Handed back at once: another worker (or this one, later) takes it after the pause.
          queue.splice(i--, 1);
          settle({
            kind: 'release',
            noticeId: row.noticeId,
            availableAt: iso(throttle.pausedUntil(row.domain, now)),
            at: iso(now),
          });
          continue;
        }
        const emptyUntil = sharedDomainRate ? (domainRetryAt.get(row.domain) ?? 0) : 0;
        if (ready === 0 && emptyUntil <= now) {
          pick = i;
          break;
        }
        nextTry = Math.min(nextTry, ready === 0 ? emptyUntil : ready);
      }
      if (pick < 0) {
        await waitForWake(Math.max(1, Math.min(pollMs, nextTry - now)));
        continue;
      }
      const pickedDomain = (queue[pick] as ClaimedRow).domain;
      if (sharedDomainRate && (domainTokens.get(pickedDomain) ?? 0) < 1) {
        const rate = campaign.settings.domainRate;
        const waiting = queue.filter((r) => r.domain === pickedDomain).length;
        const grant = await takeTokens(
          store,
          `campaign:${campaignId}:domain:${pickedDomain}`,
          rate,
          Math.max(1, Math.min(waiting, Math.ceil(rate / 10))),
          nowMs(),
        );
        if (grant.granted > 0) domainTokens.set(pickedDomain, grant.granted);
        else domainRetryAt.set(pickedDomain, nowMs() + Math.max(1, grant.waitMs));
        continue;
      }
      if (tokens < 1) {
        const want = Math.max(1, Math.min(queue.length, Math.ceil(campaign.settings.rate / 10)));
        const grant = await takeTokens(
          store,
          `campaign:${campaignId}`,
          campaign.settings.rate,
          want,
          nowMs(),
        );
        tokens += grant.granted;
        if (tokens < 1) {
          await sleep(Math.max(1, grant.waitMs), signal);
          continue;
        }
      }
      tokens--;
      if (sharedDomainRate)
        domainTokens.set(pickedDomain, (domainTokens.get(pickedDomain) ?? 0) - 1);
      const [row] = queue.splice(pick, 1) as [ClaimedRow];
      throttle.start(row.domain, now);
      inFlight++;
      void send(row);
    }
  } finally {
    while (inFlight > 0) await waitForWake(pollMs);
    for (const row of queue.splice(0))
      settle({ kind: 'release', noticeId: row.noticeId, availableAt: iso(), at: iso() });
    clearInterval(flushTimer);
    clearInterval(leaseTimer);
    await flush();
    await writes;
  }
  if (failure) throw failure;
  return stats;
};
