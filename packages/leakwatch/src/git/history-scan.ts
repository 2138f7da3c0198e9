// Orchestrates a git scan: pick the objects (the whole history, or what a range, a push or the index
// adds), read each unique one once through a long-lived cat-file reader, match (inline, then worker
// threads), and only then attribute the matched blobs to history. See docs/git.md and
// docs/decisions/0020-blob-first-history-scanning.md.
import { resolve } from 'node:path';
import type { LoadedConfig } from '../config/load.js';
import { parseFingerprintList, parseGitleaksIgnore } from '../engine/filters.js';
import type { SecretHasher } from '../engine/findings.js';
import type { Finding, Match, ScanError, ScanResult } from '../engine/types.js';
import { finishScan, matchSource, type ScanStats } from '../scan.js';
import type { SourceEvent } from '../sources/files.js';
import { collectRawChanges, logArgs, parseCommitLog, type RawChange } from './commit-log.js';
import { GitError, runGit, spawnGit, type GitContext } from './git-cli.js';
import {
  enumerateAll,
  enumerateReachable,
  type EnumerationIssue,
  type ObjectEntry,
} from './object-enumeration.js';
import { graphAncestorCheck } from './commit-graph.js';
import { repositoryInfo } from './repository-info.js';
import { ObjectReader } from './object-reader.js';
import { gitObjectEvents } from './object-source.js';
import { isNullSha, pushRevisions, type PushUpdate } from './pre-push.js';
import {
  buildProvenance,
  compareCommits,
  firstIntroduction,
  walkHistory,
  type CommitInfo,
  type HistoryWalk,
} from './provenance.js';
import { listRefs, resolveRevision, type GitRef } from './refs.js';
import { openRepository, type RepositoryInfo } from './repository.js';
import { findBlobsAtTips } from './tip-presence.js';

export type GitScanMode =
  | { kind: 'history'; branch?: string; since?: string; includeUnreachable?: boolean }
  /** Only what `head` adds on top of `base` (a push or a pull request). */
  | { kind: 'range'; base: string; head: string }
  /** The index against HEAD (pre-commit). */
  | { kind: 'staged' }
  /** The commits a push would publish (git's pre-push hook input). */
  | { kind: 'pre-push'; updates: PushUpdate[] };

export interface GitScanProgress {
  /** Objects listed so far (trees included). */
  objects: number;
  /** Objects in the database for whole-history scans (an upper bound), exact for the other modes. */
  objectsTotal: number | null;
  bytes: number;
  elapsedMs: number;
}

export interface GitScanOptions {
  /** Repository directory (work tree or bare). */
  repo: string;
  env: Record<string, string | undefined>;
  gitPath?: string;
  config: LoadedConfig;
  now: () => Date;
  mode: GitScanMode;
  /** Blobs larger than this are skipped unread and counted as too large. */
  maxBlobBytes?: number;
  /** Scan commit messages and tag annotations (default true). */
  scanMessages?: boolean;
  threads?: number;
  /** For tests and benchmarks: force (true) or forbid (false) worker threads. */
  workers?: boolean;
  hasher?: SecretHasher;
  baseline?: ReadonlySet<string>;
  /** Fingerprints and .gitleaksignore entries to honour (the CLI reads them; see ignoreFilesAt). */
  ignores?: IgnoreLists;
  onProgress?: (progress: GitScanProgress) => void;
  signal?: AbortSignal;
}

export interface IgnoreLists {
  fingerprints: Set<string>;
  gitleaks: ReturnType<typeof parseGitleaksIgnore>;
}

export const DEFAULT_MAX_BLOB_BYTES = 10 * 1024 * 1024;

interface Run {
  opts: GitScanOptions;
  ctx: GitContext;
  repo: RepositoryInfo;
  reader: ObjectReader;
  info: ObjectReader;
  errors: ScanError[];
  unreadable: number;
  tags: Map<string, CommitInfo>;
  objectsTotal: number | null;
  /** Objects listed so far, trees included, to compare with objectsTotal. */
  objectsSeen: number;
  started: number;
}

interface Matched {
  matches: Match[];
  allowlisted: number;
  stats: ScanStats;
}

export async function scanGitHistory(opts: GitScanOptions): Promise<ScanResult> {
  const startedAt = opts.now();
  const ctx: GitContext = { cwd: resolve(opts.repo), env: opts.env, gitPath: opts.gitPath };
  const repo = await openRepository(ctx);
  const run: Run = {
    opts,
    ctx,
    repo,
    reader: new ObjectReader(ctx, { mode: 'contents' }),
    info: new ObjectReader(ctx, { mode: 'info' }),
    errors: [],
    unreadable: 0,
    tags: new Map(),
    objectsTotal: null,
    objectsSeen: 0,
    started: Date.now(),
  };
  try {
    const { matched, attribution } =
      opts.mode.kind === 'history'
        ? await scanWholeHistory(run, opts.mode)
        : await scanChanges(run, opts.mode);
    matched.stats.errors.push(...run.errors);
    matched.stats.skipped.unreadable += run.unreadable;
    const result = await finishScan({
      command: 'git',
      targets: [opts.repo],
      startedAt,
      now: opts.now,
      config: opts.config,
      matches: attribution ? expandLocations(matched.matches, attribution.walk) : matched.matches,
      allowlisted: matched.allowlisted,
      stats: matched.stats,
      hasher: opts.hasher,
      ignoreFingerprints: opts.ignores?.fingerprints,
      gitleaksIgnore: opts.ignores?.gitleaks,
      baseline: opts.baseline,
      decorate: attribution
        ? (findings) => attachProvenance(run, findings, attribution)
        : undefined,
    });
    return { ...result, repository: await repositoryInfo(ctx) };
  } finally {
    await Promise.all([run.reader.close(), run.info.close()]);
  }
}

interface Attribution {
  walk: HistoryWalk;
  refs: readonly GitRef[];
  atTips: Map<string, string[]>;
  /** null: everything scanned is reachable. */
  reachable: ReadonlySet<string> | null;
}

// ---------------------------------------------------------------------------------------------
// Whole history

async function scanWholeHistory(
  run: Run,
  mode: Extract<GitScanMode, { kind: 'history' }>,
): Promise<{ matched: Matched; attribution: Attribution }> {
  const { ctx } = run;
  const refs = await existingRefs(run);
  const tips = mode.branch
    ? [await resolveRevision(ctx, mode.branch)]
    : [...new Set(refs.map((ref) => ref.sha))];
  if (mode.since !== undefined) {
    const changes = await collectCommitChanges(ctx, tips, [`--since=${mode.since}`]);
    const matched = await matchObjects(run, changeEntries(run, changes.added, changes.commits));
    return { matched, attribution: await attribute(run, refs, matched.matches, tips, null) };
  }
  run.objectsTotal = await countObjects(ctx);
  // A missing commit makes `rev-list --objects` stop half-way; find out first and fall back to
  // reading every object in the database so the rest of the history is still scanned.
  const walkable = await runGit(ctx, ['rev-list', '--stdin'], `${tips.join('\n')}\n`);
  const degraded = walkable.code !== 0;
  if (degraded) {
    const reason = walkable.stderr.trim().split('\n').at(-1) ?? 'rev-list failed';
    addError(
      run,
      'LW_GIT_MISSING_OBJECT',
      undefined,
      `history is incomplete (${reason}); scanning every object in the database instead`,
    );
  }
  const issue: EnumerationIssue = { missing: [] };
  const everything = mode.includeUnreachable === true || degraded;
  const listed = everything ? enumerateAll(ctx, issue) : enumerateReachable(ctx, tips, issue);
  const commits: string[] = [];
  async function* entries(): AsyncGenerator<ObjectEntry> {
    for await (const entry of listed) {
      if (everything && entry.type === 'commit') commits.push(entry.sha);
      yield entry;
    }
  }
  const matched = await matchObjects(run, entries());
  for (const sha of issue.missing) {
    addError(run, 'LW_GIT_MISSING_OBJECT', sha, `object ${sha} is referenced but missing`);
    run.unreadable += 1;
  }
  if (issue.error) addError(run, issue.error.code, undefined, issue.error.message);
  let reachable: Set<string> | null = null;
  if (mode.includeUnreachable === true && !degraded) {
    reachable = await reachableAmong(ctx, tips, new Set(matched.matches.map(objectOf)));
  }
  const walkTips = everything ? [...new Set([...tips, ...commits])] : tips;
  return { matched, attribution: await attribute(run, refs, matched.matches, walkTips, reachable) };
}

/** Refs whose objects exist; a ref to a missing object is reported and left out. */
async function existingRefs(run: Run): Promise<GitRef[]> {
  const refs = await listRefs(run.ctx);
  const checked = await Promise.all(
    refs.map(async (ref) => ({ ref, object: await run.info.read(ref.sha) })),
  );
  const ok: GitRef[] = [];
  for (const { ref, object } of checked) {
    if (object.status === 'ok') ok.push(ref);
    else
      addError(
        run,
        'LW_GIT_MISSING_OBJECT',
        ref.name,
        `${ref.name} points to ${ref.sha}, which is not in the repository`,
      );
  }
  return ok;
}

async function countObjects(ctx: GitContext): Promise<number | null> {
  const result = await runGit(ctx, ['count-objects', '-v']);
  if (result.code !== 0) return null;
  let total = 0;
  for (const line of result.stdout.toString('utf8').split('\n')) {
    const [key, value] = line.split(': ');
    if (key === 'count' || key === 'in-pack') total += Number(value);
  }
  return total;
}

async function reachableAmong(
  ctx: GitContext,
  tips: readonly string[],
  objects: ReadonlySet<string>,
): Promise<Set<string>> {
  const found = new Set<string>();
  for await (const entry of enumerateReachable(ctx, tips, { missing: [] })) {
    if (objects.has(entry.sha)) found.add(entry.sha);
  }
  return found;
}

// ---------------------------------------------------------------------------------------------
// Ranges, pushes and the index: scan what is added, minus secrets the base already had

interface ChangeSet {
  /** New blob -> a path it was added under. */
  added: Map<string, string>;
  /** Blobs the changes replaced or deleted (what the base had at those paths). */
  replaced: Map<string, string>;
  commits: string[];
}

async function scanChanges(
  run: Run,
  mode: Exclude<GitScanMode, { kind: 'history' }>,
): Promise<{ matched: Matched; attribution: Attribution | null }> {
  const { ctx } = run;
  if (mode.kind === 'staged') {
    const changes = await stagedChanges(ctx);
    const matched = await matchChanges(run, changes);
    return { matched, attribution: null };
  }
  const refs = await existingRefs(run);
  let revisions: string[];
  if (mode.kind === 'range') {
    const base = await resolveRevision(ctx, mode.base);
    const head = await resolveRevision(ctx, mode.head);
    revisions = [head, `^${base}`];
  } else {
    const remoteTips = refs
      .filter((ref) => ref.name.startsWith('refs/remotes/'))
      .map((ref) => ref.sha);
    const present = new Set<string>();
    for (const update of mode.updates) {
      if (!isNullSha(update.remoteSha) && (await run.info.read(update.remoteSha)).status === 'ok')
        present.add(update.remoteSha);
    }
    revisions = pushRevisions(mode.updates, remoteTips, (sha) => present.has(sha));
  }
  const changes: ChangeSet =
    revisions.length === 0
      ? { added: new Map(), replaced: new Map(), commits: [] }
      : await collectCommitChanges(ctx, revisions, []);
  const matched = await matchChanges(run, changes);
  return { matched, attribution: await attribute(run, refs, matched.matches, revisions, null) };
}

/** Matches the added blobs, dropping secrets the replaced blobs already held (an edit near an old secret is not a new leak). */
async function matchChanges(run: Run, changes: ChangeSet): Promise<Matched> {
  const base = await matchObjects(run, changeEntries(run, changes.replaced, []), false);
  const known = new Set(base.matches.map(secretKey));
  const matched = await matchObjects(run, changeEntries(run, changes.added, changes.commits));
  if (known.size > 0) matched.matches = matched.matches.filter((m) => !known.has(secretKey(m)));
  return matched;
}

async function stagedChanges(ctx: GitContext): Promise<ChangeSet> {
  const hasHead = (await runGit(ctx, ['rev-parse', '-q', '--verify', 'HEAD^{commit}'])).code === 0;
  const args = [
    'diff',
    '--cached',
    '--raw',
    '-z',
    '--no-abbrev',
    '--no-renames',
    ...(hasHead ? ['HEAD'] : []),
  ];
  const child = spawnGit(ctx, args);
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
  child.stdin.end();
  const exit = new Promise<number>((done) => child.on('close', (code) => done(code ?? 128)));
  const changes = await collectRawChanges(child.stdout);
  if ((await exit) !== 0)
    throw new GitError('LW_GIT_FAILED', `git diff --cached: ${stderr.trim()}`);
  const set: ChangeSet = { added: new Map(), replaced: new Map(), commits: [] };
  for (const change of changes) addChange(set, change);
  return set;
}

async function collectCommitChanges(
  ctx: GitContext,
  revisions: readonly string[],
  extraArgs: readonly string[],
): Promise<ChangeSet> {
  const args = logArgs([...extraArgs, '--stdin']);
  const child = spawnGit(ctx, args);
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString('utf8')).slice(-8192)));
  child.stdin.on('error', () => undefined);
  child.stdin.end(`${revisions.join('\n')}\n`);
  const exit = new Promise<number>((done) => child.on('close', (code) => done(code ?? 128)));
  const set: ChangeSet = { added: new Map(), replaced: new Map(), commits: [] };
  for await (const record of parseCommitLog(child.stdout)) {
    set.commits.push(record.sha);
    for (const change of record.changes) addChange(set, change);
  }
  if ((await exit) !== 0) throw new GitError('LW_GIT_FAILED', `git log: ${stderr.trim()}`);
  // A blob the range both adds and later replaces is the range's own, not the base's.
  for (const sha of set.added.keys()) set.replaced.delete(sha);
  return set;
}

function addChange(set: ChangeSet, change: RawChange): void {
  if (!isNullSha(change.after) && !set.added.has(change.after))
    set.added.set(change.after, change.path);
  for (const before of change.before) {
    if (!isNullSha(before) && !set.replaced.has(before)) set.replaced.set(before, change.path);
  }
}

async function* changeEntries(
  run: Run,
  blobs: ReadonlyMap<string, string>,
  commits: readonly string[],
): AsyncGenerator<ObjectEntry> {
  run.objectsTotal = blobs.size + (run.opts.scanMessages === false ? 0 : commits.length);
  const checks = [...blobs].map(([sha, path]) => ({ sha, path, object: run.info.read(sha) }));
  for (const { sha, path, object } of checks) {
    const result = await object;
    if (result.status !== 'ok') {
      addError(run, result.error.code, path, result.error.message);
      run.unreadable += 1;
      continue;
    }
    yield { sha, type: result.type, size: result.size, path };
  }
  for (const sha of commits) yield { sha, type: 'commit', size: 0 };
}

function secretKey(m: Match): string {
  return `${m.ruleId}\u0000${m.secret}`;
}

function objectOf(m: Match): string {
  return m.provenance.kind === 'git' ? m.provenance.object : '';
}

// ---------------------------------------------------------------------------------------------
// Reading and matching

async function matchObjects(
  run: Run,
  entries: AsyncIterable<ObjectEntry>,
  report = true,
): Promise<Matched> {
  const { opts } = run;
  async function* counted(): AsyncGenerator<ObjectEntry> {
    for await (const entry of entries) {
      if (report) run.objectsSeen += 1;
      yield entry;
    }
  }
  const events: AsyncIterable<SourceEvent> = gitObjectEvents(counted(), run.reader, {
    repo: run.ctx.cwd,
    maxBlobBytes: opts.maxBlobBytes ?? DEFAULT_MAX_BLOB_BYTES,
    scanMessages: opts.scanMessages !== false,
    onUnreadable: (entry, error) => {
      if (!report) return;
      addError(run, error.code, entry.path ?? entry.sha, error.message);
      run.unreadable += 1;
    },
    onTag: (tag) => run.tags.set(tag.sha, tag),
    signal: opts.signal,
  });
  const onProgress = report ? opts.onProgress : undefined;
  return matchSource(events, opts.config, {
    threads: opts.threads,
    workers: opts.workers,
    onProgress:
      onProgress &&
      ((p) =>
        onProgress({
          objects: run.objectsSeen,
          objectsTotal: run.objectsTotal,
          bytes: p.bytes,
          elapsedMs: Date.now() - run.started,
        })),
  });
}

function addError(run: Run, code: string, path: string | undefined, message: string): void {
  run.errors.push(path === undefined ? { code, message } : { code, path, message });
}

// ---------------------------------------------------------------------------------------------
// Provenance

async function attribute(
  run: Run,
  refs: readonly GitRef[],
  matches: readonly Match[],
  walkRevisions: readonly string[],
  reachable: ReadonlySet<string> | null,
): Promise<Attribution> {
  const blobs = new Set<string>();
  const commits = new Set<string>();
  for (const m of matches) {
    if (m.provenance.kind !== 'git') continue;
    if (m.provenance.objectType === 'blob') blobs.add(m.provenance.object);
    else if (m.provenance.objectType === 'commit') commits.add(m.provenance.object);
  }
  const walk = await walkHistory(run.ctx, walkRevisions, blobs, commits);
  if (walk.error)
    addError(run, walk.error.code, undefined, `history walk incomplete: ${walk.error.message}`);
  const atTips = await findBlobsAtTips(run.reader, refs, blobs);
  return { walk, refs, atTips, reachable };
}

/** One location per path a matched blob was added under, each with the first commit that did. */
function expandLocations(matches: readonly Match[], walk: HistoryWalk): Match[] {
  const out: Match[] = [];
  for (const m of matches) {
    const p = m.provenance;
    const added =
      p.kind === 'git' && p.objectType === 'blob' ? walk.histories.get(p.object)?.added : undefined;
    if (p.kind !== 'git' || !added || added.length === 0) {
      out.push(m);
      continue;
    }
    const firstByPath = new Map<string, CommitInfo>();
    for (const event of added) {
      const seen = firstByPath.get(event.path);
      if (!seen || compareCommits(event.commit, seen) < 0)
        firstByPath.set(event.path, event.commit);
    }
    for (const [path, commit] of firstByPath)
      out.push({ ...m, provenance: { ...p, path, commit: commit.sha } });
  }
  return out;
}

async function attachProvenance(
  run: Run,
  findings: Finding[],
  attribution: Attribution,
): Promise<void> {
  const { walk, refs, atTips, reachable } = attribution;
  const isAncestor = graphAncestorCheck(run.ctx);
  const containing = new Map<string, Promise<string[]>>();
  const refsContaining = (sha: string): Promise<string[]> => {
    let answer = containing.get(sha);
    if (!answer) {
      answer = runGit(run.ctx, ['for-each-ref', '--format=%(refname)', `--contains=${sha}`]).then(
        (r) => (r.code === 0 ? r.stdout.toString('utf8').split('\n').filter(Boolean) : []),
      );
      containing.set(sha, answer);
    }
    return answer;
  };
  for (const finding of findings) {
    const own = new Set<string>();
    const candidates: CommitInfo[] = [];
    const present = new Set<string>();
    let isReachable = false;
    for (const location of finding.locations) {
      const object = location.blob;
      if (object === undefined) continue;
      isReachable ||= reachable === null || reachable.has(object);
      if (location.objectType === 'blob') {
        own.add(object);
        for (const event of walk.histories.get(object)?.added ?? []) candidates.push(event.commit);
        for (const ref of atTips.get(object) ?? []) present.add(ref);
      } else if (location.objectType === 'commit') {
        const commit = walk.commits.get(object);
        if (commit) candidates.push(commit);
        for (const ref of await refsContaining(object)) present.add(ref);
      } else if (location.objectType === 'tag') {
        const tag = run.tags.get(object);
        if (tag) candidates.push(tag);
        for (const ref of refs) if (ref.sha === object) present.add(ref.name);
      }
    }
    const introduced = await firstIntroduction(candidates, isAncestor);
    if (!introduced) continue;
    const adds = [...own].flatMap((blob) => walk.histories.get(blob)?.added ?? []);
    adds.sort(
      (a, b) =>
        Number(b.commit.sha === introduced.sha) - Number(a.commit.sha === introduced.sha) ||
        compareCommits(a.commit, b.commit),
    );
    const paths = [...new Set(adds.map((event) => event.path))];
    const addedIn = new Set(adds.map((event) => event.commit.sha));
    const removedIn: CommitInfo[] = [];
    for (const blob of own) {
      for (const event of walk.histories.get(blob)?.removed ?? []) {
        // Replacing a version of a file that holds the secret by another that still holds it is an
        // edit, and deleting it where the same commit adds it elsewhere is a rename: neither removes.
        if (!own.has(event.replacedBy) && !addedIn.has(event.commit.sha))
          removedIn.push(event.commit);
      }
    }
    finding.git = buildProvenance({
      introduced,
      paths,
      removedIn,
      presentAtRefs: [...present],
      reachable: isReachable,
      shallowCommits: run.repo.shallowCommits,
      now: run.opts.now(),
    });
  }
}

/**
 * Ignore lists as committed at `revision` (in --range mode: the base, so a pull request cannot
 * ignore its own secret) or, without a revision, from the work tree root.
 */
export async function ignoreFilesAt(
  repo: string,
  env: Record<string, string | undefined>,
  revision: string,
): Promise<IgnoreLists> {
  const reader = new ObjectReader({ cwd: resolve(repo), env }, { mode: 'contents' });
  try {
    const [own, gitleaks] = await Promise.all([
      reader.read(`${revision}:.leakwatchignore`),
      reader.read(`${revision}:.gitleaksignore`),
    ]);
    const text = (r: typeof own): string =>
      r.status === 'ok' && r.data ? r.data.toString('utf8') : '';
    return {
      fingerprints: new Set(parseFingerprintList(text(own))),
      gitleaks: parseGitleaksIgnore(text(gitleaks)),
    };
  } finally {
    await reader.close();
  }
}
