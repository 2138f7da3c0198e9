// Runs the liveness checks for a scan's findings: one check per fingerprint, bounded
// concurrency, per-provider spacing, timeouts, caches, and a log line for every request.
// Nothing here throws because of the network: every failure is an `unknown` with a reason.

import type { Finding, Verification } from '../engine/types.js';
import { loadDiskCache, saveDiskCache } from './cache.js';
import type { VerifyCheck } from './checks.js';
import { ProviderGate, Semaphore } from './limiter.js';
import { buildRequest, RequestBuildError, type BuiltRequest } from './request.js';
import { evaluateResponse, retryAfterSeconds, type Outcome } from './response.js';

export const PROJECT_URL = 'https://github.com/leakwatch/leakwatch';

/** Distinct so that access-log analysis can tell leakwatch's checks from an attacker's use. */
export function verifyUserAgent(version: string): string {
  return `leakwatch-verify/${version} (+${PROJECT_URL})`;
}

export interface VerifyLogEntry {
  /** When the request started (or the cache was read). */
  time: string;
  event: 'request' | 'cache-hit' | 'cache-error';
  provider: string;
  ruleId: string;
  fingerprint: string;
  /** The provider's host (the real one, also when a test override redirected the request). */
  host?: string;
  method?: string;
  attempt?: number;
  httpStatus?: number;
  status?: Verification['status'];
  reason?: string | null;
  durationMs?: number;
}

export interface VerifyOptions {
  /** Trusted checks by rule id, from collectVerifyChecks. */
  checks: ReadonlyMap<string, VerifyCheck>;
  /** leakwatch's version, for the User-Agent. */
  version: string;
  fetch?: typeof fetch;
  /**
   * Tests only: host -> base URL (e.g. { 'api.github.com': 'http://127.0.0.1:4000/gh' }). The
   * allowlist check runs on the real URL first; this is never read from a config file.
   */
  baseUrlOverrides?: Readonly<Record<string, string>>;
  /** Requests in flight at once (default 4). */
  concurrency?: number;
  /** Requests per second per provider (default 2). */
  perProviderRate?: number;
  /** Per request, including reading the answer (default 10 s). */
  timeoutMs?: number;
  /** Directory of the on-disk cache; no disk cache without it. */
  cacheDir?: string;
  /** How long a cached live/invalid result is reused (default 24 h). */
  ttlMs?: number;
  /** Retry once after a 429 whose Retry-After is at most this (default 5 s). */
  maxRetryAfterMs?: number;
  now?: () => Date;
  log?: (entry: VerifyLogEntry) => void;
}

const MAX_BODY_BYTES = 256 * 1024;
const DAY_MS = 24 * 60 * 60 * 1000;
const DEFAULT_RETRY_AFTER_S = 60;

async function readLimited(res: Response): Promise<string> {
  if (!res.body) return '';
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    size += value.byteLength;
    if (size >= MAX_BODY_BYTES) {
      await reader.cancel();
      break;
    }
  }
  return Buffer.concat(chunks).subarray(0, MAX_BODY_BYTES).toString('utf8');
}

function networkReason(err: unknown, timedOut: boolean, timeoutMs: number): string {
  if (timedOut) return `timeout after ${timeoutMs} ms`;
  // Only a code or an error name: messages can quote the URL, and a URL can hold the secret.
  const cause = (err as { cause?: { code?: unknown } } | null)?.cause;
  const code = typeof cause?.code === 'string' ? cause.code : undefined;
  const name = err instanceof Error ? err.name : 'Error';
  return `network error (${code ?? name})`;
}

function overrideUrl(url: URL, overrides: Readonly<Record<string, string>> | undefined): string {
  const base = overrides?.[url.hostname];
  if (base === undefined) return url.href;
  return `${base.replace(/\/+$/, '')}${url.pathname}${url.search}`;
}

export interface Verifier {
  /** Returns copies of the findings with `verification` set. */
  verify(findings: readonly Finding[]): Promise<Finding[]>;
  /** Writes the on-disk cache (if any). */
  flush(): Promise<void>;
}

export function createVerifier(opts: VerifyOptions): Verifier {
  const doFetch = opts.fetch ?? fetch;
  const now = opts.now ?? (() => new Date());
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const ttlMs = opts.ttlMs ?? DAY_MS;
  const maxRetryAfterMs = opts.maxRetryAfterMs ?? 5_000;
  const userAgent = verifyUserAgent(opts.version);
  const semaphore = new Semaphore(Math.max(1, opts.concurrency ?? 4));
  const gate = new ProviderGate(opts.perProviderRate ?? 2);
  const memo = new Map<string, Promise<Verification>>();
  const conclusive = new Map<string, Verification>();
  let disk: Promise<Map<string, Verification>> | undefined;

  const log = (entry: Omit<VerifyLogEntry, 'time'> & { time?: string }): void =>
    opts.log?.({ ...entry, time: entry.time ?? now().toISOString() });

  const diskCache = (): Promise<Map<string, Verification>> => {
    if (!opts.cacheDir) return Promise.resolve(new Map());
    disk ??= loadDiskCache(opts.cacheDir, now().getTime(), ttlMs);
    return disk;
  };

  async function send(
    check: VerifyCheck,
    finding: Finding,
    req: BuiltRequest,
    attempt: number,
  ): Promise<Outcome & { retryAfter?: number }> {
    const blocked = gate.blockedFor(check.provider);
    if (blocked > maxRetryAfterMs) {
      return {
        status: 'unknown',
        reason: `rate limited (retry after ${Math.ceil(blocked / 1000)} s)`,
      };
    }
    await gate.acquire(check.provider);
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, timeoutMs);
    const startedAt = now().toISOString();
    const started = performance.now();
    let httpStatus: number | undefined;
    let outcome: Outcome & { retryAfter?: number };
    try {
      const init: RequestInit = {
        method: req.method,
        headers: req.headers,
        redirect: 'manual',
        signal: controller.signal,
      };
      if (req.body !== undefined) init.body = req.body;
      const res = await doFetch(overrideUrl(req.url, opts.baseUrlOverrides), init);
      httpStatus = res.status;
      const body = await readLimited(res);
      if (res.status === 429) {
        const seconds = retryAfterSeconds(res.headers, now().getTime());
        const wait = seconds ?? DEFAULT_RETRY_AFTER_S;
        gate.block(check.provider, performance.now() + wait * 1000);
        outcome = { status: 'unknown', reason: `rate limited (retry after ${wait} s)` };
        if (seconds !== undefined) outcome.retryAfter = seconds;
      } else {
        outcome = evaluateResponse(check.spec, { status: res.status, headers: res.headers, body });
      }
    } catch (err) {
      outcome = { status: 'unknown', reason: networkReason(err, timedOut, timeoutMs) };
    } finally {
      clearTimeout(timer);
    }
    log({
      time: startedAt,
      event: 'request',
      provider: check.provider,
      ruleId: check.ruleId,
      fingerprint: finding.fingerprint,
      host: req.url.hostname,
      method: req.method,
      attempt,
      ...(httpStatus === undefined ? {} : { httpStatus }),
      status: outcome.status,
      reason: outcome.reason,
      durationMs: Math.round(performance.now() - started),
    });
    return outcome;
  }

  async function check(finding: Finding): Promise<Verification> {
    const checkFor = opts.checks.get(finding.ruleId);
    if (!checkFor) {
      return {
        status: 'unknown',
        reason: `no trusted verification check for ${finding.ruleId}`,
        checkedAt: now().toISOString(),
      };
    }
    const hit = (await diskCache()).get(finding.fingerprint);
    if (hit) {
      log({
        event: 'cache-hit',
        provider: checkFor.provider,
        ruleId: finding.ruleId,
        fingerprint: finding.fingerprint,
        status: hit.status,
      });
      return hit;
    }
    let req: BuiltRequest;
    try {
      req = buildRequest(checkFor.spec, finding, { userAgent, date: now() });
    } catch (err) {
      const reason = err instanceof RequestBuildError ? err.message : 'could not build the request';
      return { status: 'unknown', reason, checkedAt: now().toISOString() };
    }
    let outcome = await semaphore.run(() => send(checkFor, finding, req, 1));
    if (outcome.retryAfter !== undefined && outcome.retryAfter * 1000 <= maxRetryAfterMs) {
      // The gate holds the provider until Retry-After has passed. Signatures carry a
      // timestamp, so the retry is a freshly built request.
      const retry = buildRequest(checkFor.spec, finding, { userAgent, date: now() });
      outcome = await semaphore.run(() => send(checkFor, finding, retry, 2));
    }
    const result: Verification = {
      status: outcome.status,
      reason: outcome.reason,
      checkedAt: now().toISOString(),
    };
    if (outcome.identity) result.identity = outcome.identity;
    if (result.status !== 'unknown') conclusive.set(finding.fingerprint, result);
    return result;
  }

  return {
    async verify(findings) {
      const results = findings.map((f) => {
        let pending = memo.get(f.fingerprint);
        if (!pending) {
          pending = check(f);
          memo.set(f.fingerprint, pending);
        }
        return pending;
      });
      const verifications = await Promise.all(results);
      return findings.map((f, i) => ({ ...f, verification: verifications[i] }));
    },
    async flush() {
      if (!opts.cacheDir || conclusive.size === 0) return;
      const merged = new Map(await diskCache());
      for (const [fp, v] of conclusive) merged.set(fp, v);
      try {
        await saveDiskCache(opts.cacheDir, merged, now().getTime(), ttlMs);
      } catch (err) {
        log({
          event: 'cache-error',
          provider: '',
          ruleId: '',
          fingerprint: '',
          reason: err instanceof Error ? err.message : String(err),
        });
      }
    },
  };
}

/** Verifies every finding (deduplicated by fingerprint) and writes the disk cache. */
export async function verifyFindings(
  findings: readonly Finding[],
  opts: VerifyOptions,
): Promise<Finding[]> {
  const verifier = createVerifier(opts);
  const out = await verifier.verify(findings);
  await verifier.flush();
  return out;
}
