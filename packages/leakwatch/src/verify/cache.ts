// The on-disk verification cache. Keyed by fingerprint (rule id + slow hash of the secret), so
// the file never holds a secret; only conclusive results (live/invalid) are kept, for `ttlMs`.

import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Verification } from '../engine/types.js';

export const CACHE_FILE = 'verify-cache.json';

interface CacheFile {
  version: 1;
  entries: Record<string, Verification>;
}

function isFresh(v: Verification, nowMs: number, ttlMs: number): boolean {
  const at = Date.parse(v.checkedAt);
  return !Number.isNaN(at) && at <= nowMs && nowMs - at < ttlMs;
}

function isVerification(v: unknown): v is Verification {
  if (typeof v !== 'object' || v === null) return false;
  const r = v as Record<string, unknown>;
  return (
    (r.status === 'live' || r.status === 'invalid') &&
    typeof r.checkedAt === 'string' &&
    (r.reason === null || typeof r.reason === 'string')
  );
}

/** Fresh entries of the cache file; a missing or unreadable file is an empty cache. */
export async function loadDiskCache(
  dir: string,
  nowMs: number,
  ttlMs: number,
): Promise<Map<string, Verification>> {
  const out = new Map<string, Verification>();
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(join(dir, CACHE_FILE), 'utf8'));
  } catch {
    return out;
  }
  const entries = (parsed as Partial<CacheFile> | null)?.entries;
  if (typeof entries !== 'object' || entries === null) return out;
  for (const [fingerprint, v] of Object.entries(entries)) {
    if (isVerification(v) && isFresh(v, nowMs, ttlMs)) out.set(fingerprint, v);
  }
  return out;
}

/** Writes fresh conclusive entries atomically (temp file + rename), readable by the user only. */
export async function saveDiskCache(
  dir: string,
  entries: ReadonlyMap<string, Verification>,
  nowMs: number,
  ttlMs: number,
): Promise<void> {
  const file: CacheFile = { version: 1, entries: {} };
  for (const [fingerprint, v] of entries) {
    if (isVerification(v) && isFresh(v, nowMs, ttlMs)) file.entries[fingerprint] = v;
  }
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const tmp = join(dir, `${CACHE_FILE}.${randomBytes(6).toString('hex')}.tmp`);
  await writeFile(tmp, `${JSON.stringify(file, null, 2)}\n`, { mode: 0o600 });
  await rename(tmp, join(dir, CACHE_FILE));
}
