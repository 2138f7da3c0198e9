// Orchestration of a file scan: source -> matching (inline, then workers once the work is big
// enough) -> findings -> ignore and baseline filters -> ScanResult.
import { readFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import type { LoadedConfig } from './config/load.js';
import { isPathAllowlisted } from './engine/allowlist.js';
import { buildFindings } from './engine/findings.js';
import type { SecretHasher } from './engine/findings.js';
import {
  filterByFingerprints,
  filterByGitleaksIgnore,
  parseFingerprintList,
  parseGitleaksIgnore,
} from './engine/filters.js';
import { SEVERITIES } from './engine/types.js';
import type { Chunk, Finding, Match, ScanError, ScanResult, ScanSummary } from './engine/types.js';
import { createSecretHasher } from './fingerprint.js';
import { inlineMatcher, poolMatcher } from './match-pool.js';
import type { Matcher } from './match-pool.js';
import { fileSource } from './sources/files.js';
import type { SourceEvent } from './sources/files.js';
import { stdinSource } from './sources/stdin.js';
import { VERSION } from './version.js';

export const DEFAULT_MAX_FILE_SIZE = 10 * 1024 * 1024;
/** Below this many bytes, starting workers costs more than it saves. */
const POOL_THRESHOLD = 4 * 1024 * 1024;
const BATCH_BYTES = 1024 * 1024;
const BATCH_CHUNKS = 128;

export interface Progress {
  files: number;
  bytes: number;
  findings?: number;
  elapsedMs: number;
}

export interface ScanOptions {
  /** Files and directories; '-' reads standard input. */
  paths: string[];
  cwd: string;
  config: LoadedConfig;
  now: () => Date;
  stdin?: Readable;
  threads?: number;
  maxFileSize?: number;
  noIgnore?: boolean;
  followSymlinks?: boolean;
  /** Extra fingerprints to suppress (e.g. from --baseline); stale ones are reported. */
  baseline?: ReadonlySet<string>;
  /** Read .leakwatchignore and .gitleaksignore from each scanned directory root (default true). */
  useIgnoreFiles?: boolean;
  onProgress?: (p: Progress) => void;
  signal?: AbortSignal;
  hasher?: SecretHasher;
  /** For tests and benchmarks: force (true) or forbid (false) worker threads. */
  workers?: boolean;
  chunkSize?: number;
}

export interface ScanStats {
  files: number;
  bytes: number;
  skipped: ScanSummary['skipped'];
  errors: ScanError[];
}

/**
 * Feeds source events to a matcher, switching from inline matching to a worker pool once the
 * bytes seen pass a threshold; returns every match.
 */
export async function matchSource(
  events: AsyncIterable<SourceEvent>,
  config: LoadedConfig,
  opts: {
    threads?: number;
    workers?: boolean;
    onProgress?: (p: { files: number; bytes: number }) => void;
  },
): Promise<{ matches: Match[]; allowlisted: number; stats: ScanStats }> {
  const stats: ScanStats = {
    files: 0,
    bytes: 0,
    skipped: { binary: 0, tooLarge: 0, unreadable: 0, ignored: 0 },
    errors: [],
  };
  const threads = opts.threads ?? Math.max(1, availableParallelism());
  const inline = inlineMatcher(config.ruleSet);
  let pool: Matcher | undefined;
  let batch: Chunk[] = [];
  let batchBytes = 0;
  const flush = async (): Promise<void> => {
    if (batch.length === 0) return;
    const chunks = batch;
    batch = [];
    batchBytes = 0;
    await (pool ?? inline).submit(chunks);
  };
  try {
    for await (const ev of events) {
      if (ev.type === 'chunk') {
        if (ev.last) stats.files++;
        stats.bytes += ev.bytes;
        if (
          !pool &&
          opts.workers !== false &&
          (opts.workers === true || (threads > 1 && stats.bytes > POOL_THRESHOLD))
        ) {
          pool = poolMatcher({ specs: config.specs, allowlists: config.allowlists }, threads);
        }
        batch.push(ev.chunk);
        batchBytes += ev.chunk.bytes.length;
        if (!pool || batchBytes >= BATCH_BYTES || batch.length >= BATCH_CHUNKS) await flush();
        opts.onProgress?.({ files: stats.files, bytes: stats.bytes });
      } else if (ev.type === 'skip') {
        stats.skipped[ev.reason]++;
      } else {
        stats.skipped.unreadable++;
        stats.errors.push({
          code: 'LW_READ',
          path: ev.path,
          message: `${ev.code}: ${ev.message.replace(/^[A-Z]+: /, '')}`,
        });
      }
    }
    await flush();
    const a = await inline.drain();
    const b = pool ? await pool.drain() : { matches: [], allowlisted: 0 };
    return {
      matches: [...a.matches, ...b.matches],
      allowlisted: a.allowlisted + b.allowlisted,
      stats,
    };
  } finally {
    await pool?.close();
  }
}

/** .leakwatchignore fingerprints and .gitleaksignore entries found in these directories. */
export async function readIgnoreFiles(
  roots: string[],
): Promise<{ fingerprints: Set<string>; gitleaks: ReturnType<typeof parseGitleaksIgnore> }> {
  const fingerprints = new Set<string>();
  const gitleaks: ReturnType<typeof parseGitleaksIgnore> = [];
  for (const root of roots) {
    try {
      for (const f of parseFingerprintList(await readFile(join(root, '.leakwatchignore'), 'utf8')))
        fingerprints.add(f);
    } catch {
      // no ignore file
    }
    try {
      gitleaks.push(...parseGitleaksIgnore(await readFile(join(root, '.gitleaksignore'), 'utf8')));
    } catch {
      // no ignore file
    }
  }
  return { fingerprints, gitleaks };
}

export interface FinishOptions {
  command: string;
  targets: string[];
  startedAt: Date;
  now: () => Date;
  config: LoadedConfig;
  matches: Match[];
  allowlisted: number;
  stats: ScanStats;
  hasher?: SecretHasher;
  ignoreFingerprints?: ReadonlySet<string>;
  gitleaksIgnore?: ReturnType<typeof parseGitleaksIgnore>;
  baseline?: ReadonlySet<string>;
  decorate?: (findings: Finding[]) => void | Promise<void>;
}

/** Turns matches into the final, filtered ScanResult (shared by file and git scans). */
export async function finishScan(o: FinishOptions): Promise<ScanResult> {
  const hasher = o.hasher ?? createSecretHasher();
  let findings = buildFindings(o.config.ruleSet, o.matches, hasher);
  let ignored = 0;
  const staleIgnores: string[] = [];
  if (o.ignoreFingerprints && o.ignoreFingerprints.size > 0) {
    const r = filterByFingerprints(findings, o.ignoreFingerprints);
    findings = r.kept;
    ignored += r.removed;
    staleIgnores.push(...r.stale);
  }
  if (o.gitleaksIgnore && o.gitleaksIgnore.length > 0) {
    const r = filterByGitleaksIgnore(findings, o.gitleaksIgnore);
    findings = r.kept;
    ignored += r.removed;
    staleIgnores.push(...r.stale);
  }
  let baselined = 0;
  if (o.baseline) {
    const r = filterByFingerprints(findings, o.baseline);
    findings = r.kept;
    baselined = r.removed;
    staleIgnores.push(...r.stale);
  }
  await o.decorate?.(findings);
  const bySeverity = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as ScanSummary['bySeverity'];
  for (const f of findings) bySeverity[f.severity]++;
  return {
    schemaVersion: 1,
    tool: { name: 'leakwatch', version: VERSION },
    command: o.command,
    scannedAt: o.startedAt.toISOString(),
    targets: o.targets,
    summary: {
      findings: findings.length,
      bySeverity,
      filesScanned: o.stats.files,
      bytesScanned: o.stats.bytes,
      skipped: o.stats.skipped,
      allowlisted: o.allowlisted + ignored,
      baselined,
      durationMs: Math.max(0, o.now().getTime() - o.startedAt.getTime()),
    },
    findings,
    errors: o.stats.errors,
    staleIgnores,
  };
}

/** Scans files, directories and/or standard input. */
export async function scan(opts: ScanOptions): Promise<ScanResult> {
  const startedAt = opts.now();
  const maxFileSize = opts.maxFileSize ?? DEFAULT_MAX_FILE_SIZE;
  const set = opts.config.ruleSet;
  const filePaths = opts.paths.filter((p) => p !== '-');
  const useStdin = opts.paths.includes('-');
  async function* events(): AsyncGenerator<SourceEvent> {
    if (useStdin) {
      if (!opts.stdin) throw new Error('standard input requested but not available');
      yield* stdinSource(opts.stdin, opts.chunkSize);
    }
    if (filePaths.length > 0) {
      yield* fileSource(
        {
          paths: filePaths,
          cwd: opts.cwd,
          maxFileSize,
          noIgnore: opts.noIgnore,
          followSymlinks: opts.followSymlinks,
          chunkSize: opts.chunkSize,
          skipPath: (p) => isPathAllowlisted(set, p),
        },
        opts.signal,
      );
    }
  }
  const started = Date.now();
  const { matches, allowlisted, stats } = await matchSource(events(), opts.config, {
    threads: opts.threads,
    workers: opts.workers,
    onProgress:
      opts.onProgress && ((p) => opts.onProgress?.({ ...p, elapsedMs: Date.now() - started })),
  });
  const ignores =
    opts.useIgnoreFiles === false
      ? undefined
      : await readIgnoreFiles([
          ...new Set(filePaths.map((p) => resolve(opts.cwd, p)).concat(opts.cwd)),
        ]);
  return finishScan({
    command: 'scan',
    targets: opts.paths,
    startedAt,
    now: opts.now,
    config: opts.config,
    matches,
    allowlisted,
    stats,
    hasher: opts.hasher,
    ignoreFingerprints: ignores?.fingerprints,
    gitleaksIgnore: ignores?.gitleaks,
    baseline: opts.baseline,
  });
}
