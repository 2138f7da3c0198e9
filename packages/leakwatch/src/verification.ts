// Opt-in verification of a scan's findings (the library side of `--verify`).
import type { LoadedConfig } from './config/load.js';
import type { ScanResult } from './engine/types.js';
import { collectVerifyChecks, verifyFindings } from './verify/index.js';
import type { VerifyLogEntry } from './verify/index.js';
import { VERSION } from './version.js';

export interface VerifyRunOptions {
  now: () => Date;
  /** On-disk cache directory (none: in-run cache only). */
  cacheDir?: string;
  ttlMs?: number;
  concurrency?: number;
  perProviderRate?: number;
  timeoutMs?: number;
  log?: (entry: VerifyLogEntry) => void;
  fetch?: typeof fetch;
  /** Tests only: never read from any config file. */
  baseUrlOverrides?: Readonly<Record<string, string>>;
}

export interface VerifyRunResult {
  result: ScanResult;
  /** Rules whose verify definitions were ignored because they came from the scanned repository. */
  untrusted: string[];
}

/**
 * Checks every finding whose rule has a trusted verify definition and records live / invalid /
 * unknown on it; findings without a check are left unverified.
 */
export async function verifyResult(
  result: ScanResult,
  config: LoadedConfig,
  opts: VerifyRunOptions,
): Promise<VerifyRunResult> {
  const { checks, untrusted } = collectVerifyChecks(config.specs);
  const findings = await verifyFindings(result.findings, {
    checks,
    version: VERSION,
    now: opts.now,
    cacheDir: opts.cacheDir,
    ttlMs: opts.ttlMs,
    concurrency: opts.concurrency ?? 4,
    perProviderRate: opts.perProviderRate ?? 2,
    timeoutMs: opts.timeoutMs ?? 10_000,
    log: opts.log,
    fetch: opts.fetch,
    baseUrlOverrides: opts.baseUrlOverrides,
  });
  return { result: { ...result, findings }, untrusted };
}
