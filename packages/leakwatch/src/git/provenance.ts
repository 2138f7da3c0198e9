// Attributes matched blobs to history after scanning (blob-first, see docs/decisions/0020): one
// streamed walk over the commit graph records, for the few blobs that matched, every commit that
// added them under a path and every commit that removed them, then picks the first introduction.
import type { Readable } from 'node:stream';
import type { GitIdentity, GitProvenance } from '../engine/types.js';
import { runGit, spawnGit, classifyGitFailure, type GitContext, type GitError } from './git-cli.js';
import { logArgs, parseCommitLog, type CommitRecord } from './commit-log.js';

export interface CommitInfo {
  sha: string;
  author: GitIdentity;
  authorTime: number;
  committerTime: number;
}

export interface BlobEvent {
  commit: CommitInfo;
  path: string;
}

export interface RemovalEvent extends BlobEvent {
  /** What the path held afterwards (all zeros when it was deleted). */
  replacedBy: string;
}

export interface BlobHistory {
  added: BlobEvent[];
  removed: RemovalEvent[];
}

export interface HistoryWalk {
  histories: Map<string, BlobHistory>;
  /** Metadata of the commits whose messages matched (they are their own introduction). */
  commits: Map<string, CommitInfo>;
  error?: GitError;
}

/**
 * Walks the commits selected by `revisions` (fed on stdin as shas and `^sha` exclusions; git does not
 * accept `--all`-like options there, so callers pass explicit tips).
 */
export async function walkHistory(
  ctx: GitContext,
  revisions: readonly string[],
  blobs: ReadonlySet<string>,
  commits: ReadonlySet<string>,
): Promise<HistoryWalk> {
  const walk: HistoryWalk = { histories: new Map(), commits: new Map() };
  if (revisions.length === 0 || (blobs.size === 0 && commits.size === 0)) return walk;
  const args = logArgs(['--stdin']);
  const child = spawnGit(ctx, args);
  let stderr = '';
  child.stderr.on(
    'data',
    (data: Buffer) => (stderr = (stderr + data.toString('utf8')).slice(-8192)),
  );
  child.stdin.on('error', () => undefined);
  child.stdin.end(`${revisions.join('\n')}\n`);
  const exited = new Promise<number>((resolve) =>
    child.on('close', (code) => resolve(code ?? 128)),
  );
  const keep = (change: { before: string[]; after: string }): boolean =>
    blobs.has(change.after) || change.before.some((sha) => blobs.has(sha));
  for await (const record of parseCommitLog(child.stdout as Readable, keep)) {
    recordCommit(walk, record, blobs, commits);
  }
  const code = await exited;
  if (code !== 0) walk.error = classifyGitFailure(args, stderr);
  return walk;
}

function recordCommit(
  walk: HistoryWalk,
  record: CommitRecord,
  blobs: ReadonlySet<string>,
  commits: ReadonlySet<string>,
): void {
  const info: CommitInfo = {
    sha: record.sha,
    author: record.author,
    authorTime: record.authorTime,
    committerTime: record.committerTime,
  };
  if (commits.has(record.sha)) walk.commits.set(record.sha, info);
  for (const change of record.changes) {
    if (blobs.has(change.after))
      historyOf(walk, change.after).added.push({ commit: info, path: change.path });
    for (const before of new Set(change.before)) {
      if (before !== change.after && blobs.has(before)) {
        historyOf(walk, before).removed.push({
          commit: info,
          path: change.path,
          replacedBy: change.after,
        });
      }
    }
  }
}

function historyOf(walk: HistoryWalk, blob: string): BlobHistory {
  let history = walk.histories.get(blob);
  if (!history) {
    history = { added: [], removed: [] };
    walk.histories.set(blob, history);
  }
  return history;
}

export type AncestorCheck = (ancestor: string, descendant: string) => Promise<boolean>;

export function gitAncestorCheck(ctx: GitContext): AncestorCheck {
  const cache = new Map<string, Promise<boolean>>();
  return (ancestor, descendant) => {
    const key = `${ancestor} ${descendant}`;
    let answer = cache.get(key);
    if (!answer) {
      answer = runGit(ctx, ['merge-base', '--is-ancestor', ancestor, descendant]).then(
        (r) => r.code === 0,
      );
      cache.set(key, answer);
    }
    return answer;
  };
}

/** Past this many distinct introducing commits, only the earliest by committer date compete. */
const MAX_CANDIDATES = 32;

/**
 * The first introduction: earliest in topological order (no other candidate is its ancestor); among
 * unrelated candidates the earlier committer date wins, then the smaller sha, so the answer never
 * depends on the order git happened to print commits in.
 */
export async function firstIntroduction(
  candidates: readonly CommitInfo[],
  isAncestor: AncestorCheck,
): Promise<CommitInfo | undefined> {
  const unique = [...new Map(candidates.map((c) => [c.sha, c])).values()]
    .sort(compareCommits)
    .slice(0, MAX_CANDIDATES);
  for (const candidate of unique) {
    let hasEarlier = false;
    for (const other of unique) {
      if (other.sha !== candidate.sha && (await isAncestor(other.sha, candidate.sha))) {
        hasEarlier = true;
        break;
      }
    }
    if (!hasEarlier) return candidate;
  }
  return unique[0];
}

export function compareCommits(a: CommitInfo, b: CommitInfo): number {
  return a.committerTime - b.committerTime || (a.sha < b.sha ? -1 : a.sha > b.sha ? 1 : 0);
}

const DAY_SECONDS = 86_400;

export interface ProvenanceInput {
  introduced: CommitInfo;
  paths: string[];
  removedIn: CommitInfo[];
  presentAtRefs: string[];
  reachable: boolean;
  shallowCommits: ReadonlySet<string>;
  now: Date;
}

/** Assembles the three exposure facts: introduction, removal from every tip, reachability. */
export function buildProvenance(input: ProvenanceInput): GitProvenance {
  const { introduced } = input;
  const removedIn = [...input.removedIn].sort(compareCommits);
  const stillAtTips = [...input.presentAtRefs].sort();
  const lastRemoval = removedIn.at(-1);
  const removedFromAllTipsAt =
    stillAtTips.length === 0 && lastRemoval ? isoTime(lastRemoval.committerTime) : null;
  // History keeps serving a secret after the file is deleted (Toyota's case), so a reachable secret
  // is exposed until now; an unreachable one until its last removal, when we know it.
  const endMs =
    input.reachable || removedFromAllTipsAt === null
      ? input.now.getTime()
      : Date.parse(removedFromAllTipsAt);
  const fromMs = introduced.committerTime * 1000;
  return {
    introduced: {
      commit: introduced.sha,
      author: introduced.author,
      authorDate: isoTime(introduced.authorTime),
      committerDate: isoTime(introduced.committerTime),
      // Rebases and cherry-picks legitimately move the committer date by hours; a day or more
      // apart means a back-dated or replayed commit, and git records no push time to settle it.
      datesDisagree: Math.abs(introduced.authorTime - introduced.committerTime) >= DAY_SECONDS,
      atShallowBoundary: input.shallowCommits.has(introduced.sha),
    },
    paths: input.paths,
    removedIn: [...new Set(removedIn.map((c) => c.sha))],
    presentAtRefs: stillAtTips,
    reachable: input.reachable,
    exposure: {
      from: isoTime(introduced.committerTime),
      removedFromAllTipsAt,
      stillAtTips,
      days: Math.max(0, Math.floor((endMs - fromMs) / (DAY_SECONDS * 1000))),
    },
  };
}

export function isoTime(unixSeconds: number): string {
  return new Date(unixSeconds * 1000).toISOString().replace('.000Z', 'Z');
}
