// Providers with a public API that revokes a leaked credential without the owner's login.
// Built into code, not rule data: revocation is destructive, so no config may add or redirect
// it (docs/decisions/0052).

import { verifyUserAgent } from './verify.js';

export interface Revoker {
  provider: string;
  /** Human name of the API, shown before confirmation. */
  name: string;
  url: string;
  docs: string;
  /** Credentials per request. */
  batchSize: number;
  /** Whether this API accepts the credential (by its documented prefix). */
  accepts(secret: string): boolean;
  body(secrets: readonly string[]): string;
  headers: Record<string, string>;
  /** Reason for a non-accepted answer, by HTTP status. */
  explain(status: number): string;
}

// GitHub documents which token types the endpoint accepts; installation tokens (ghs_) are not
// among them. It refuses authenticated calls, so no Authorization header is ever sent.
const GITHUB: Revoker = {
  provider: 'github',
  name: "GitHub's credential revocation API",
  url: 'https://api.github.com/credentials/revoke',
  docs: 'https://docs.github.com/en/rest/credentials/revoke',
  batchSize: 1000,
  accepts: (secret) => /^(?:ghp_|gho_|ghu_|ghr_|github_pat_)[A-Za-z0-9_]+$/.test(secret),
  body: (secrets) => JSON.stringify({ credentials: secrets }),
  headers: {
    accept: 'application/vnd.github+json',
    'content-type': 'application/json',
    'x-github-api-version': '2022-11-28',
  },
  explain: (status) =>
    status === 422
      ? 'validation failed, or the endpoint has been spammed (HTTP 422)'
      : status === 403 || status === 429
        ? `rate limited: 60 requests per hour per client (HTTP ${status})`
        : `unexpected response (HTTP ${status})`,
};

export const REVOKERS: readonly Revoker[] = [GITHUB];

export function revokerFor(secret: string): Revoker | undefined {
  return REVOKERS.find((r) => r.accepts(secret));
}

export interface RevokeOptions {
  version: string;
  fetch?: typeof fetch;
  /** Tests only: host -> base URL. */
  baseUrlOverrides?: Readonly<Record<string, string>>;
  timeoutMs?: number;
}

export interface RevokeBatchResult {
  secrets: string[];
  accepted: boolean;
  httpStatus?: number;
  reason: string | null;
}

/** Submits the secrets in batches; never throws on network errors. */
export async function revokeSecrets(
  revoker: Revoker,
  secrets: readonly string[],
  opts: RevokeOptions,
): Promise<RevokeBatchResult[]> {
  const doFetch = opts.fetch ?? fetch;
  const target = new URL(revoker.url);
  const base = opts.baseUrlOverrides?.[target.hostname];
  const href = base === undefined ? target.href : `${base.replace(/\/+$/, '')}${target.pathname}`;
  const results: RevokeBatchResult[] = [];
  for (let i = 0; i < secrets.length; i += revoker.batchSize) {
    const batch = secrets.slice(i, i + revoker.batchSize);
    const signal = AbortSignal.timeout(opts.timeoutMs ?? 15_000);
    try {
      const res = await doFetch(href, {
        method: 'POST',
        headers: { ...revoker.headers, 'user-agent': verifyUserAgent(opts.version) },
        body: revoker.body(batch),
        redirect: 'manual',
        signal,
      });
      await res.arrayBuffer();
      const accepted = res.status === 202 || res.status === 200 || res.status === 204;
      results.push({
        secrets: batch,
        accepted,
        httpStatus: res.status,
        reason: accepted ? null : revoker.explain(res.status),
      });
    } catch (err) {
      const name = err instanceof Error ? err.name : 'Error';
      const code = (err as { cause?: { code?: unknown } }).cause?.code;
      results.push({
        secrets: batch,
        accepted: false,
        reason:
          name === 'TimeoutError'
            ? 'timeout'
            : `network error (${typeof code === 'string' ? code : name})`,
      });
    }
  }
  return results;
}
