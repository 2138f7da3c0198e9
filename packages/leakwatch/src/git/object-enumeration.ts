// Lists the objects to scan with their type and size, without reading their contents: `rev-list
// --objects` piped straight into `cat-file --batch-check` (git to git: the pipe does not pass
// through Node), so Node only sees one short line per object and can skip trees and oversized blobs
// before any bytes are read.
import type { Readable } from 'node:stream';
import {
  classifyGitFailure,
  spawnGit,
  spawnGitFrom,
  type GitContext,
  type GitError,
} from './git-cli.js';
import type { ObjectType } from './object-reader.js';

export interface ObjectEntry {
  sha: string;
  type: ObjectType;
  size: number;
  /** A path the object was reached under (rev-list names blobs by one of their paths). */
  path?: string;
}

export interface EnumerationIssue {
  /** An object git listed but could not find or read. */
  missing: string[];
  /** The listing itself failed (e.g. a commit is missing); what was listed before stays valid. */
  error?: GitError;
}

const CHECK_FORMAT = '--batch-check=%(objectname) %(objecttype) %(objectsize) %(rest)';

/** Every object reachable from `revisions` (tips, `^exclusions`), each once. */
export function enumerateReachable(
  ctx: GitContext,
  revisions: readonly string[],
  issue: EnumerationIssue,
): AsyncGenerator<ObjectEntry> {
  const listArgs = ['rev-list', '--objects', '--missing=print', '--stdin'];
  const list = spawnGit(ctx, listArgs);
  const check = spawnGitFrom(ctx, ['cat-file', CHECK_FORMAT], list.stdout);
  // cat-file has its own copy of the pipe; ours would keep rev-list's 'close' from ever firing.
  list.stdout.destroy();
  let listErr = '';
  list.stderr.on('data', (d: Buffer) => (listErr = (listErr + d.toString('utf8')).slice(-8192)));
  check.stderr.resume();
  list.stdin.on('error', () => undefined);
  list.stdin.end(`${revisions.join('\n')}\n`);
  const listExit = new Promise<number>((resolve) =>
    list.on('close', (code) => resolve(code ?? 128)),
  );
  return readEntries(check.stdout, issue, async () => {
    const code = await listExit;
    if (code !== 0) issue.error = classifyGitFailure(listArgs, listErr);
  });
}

/** Every object in the database, reachable or not (`--include-unreachable`), in pack order. */
export function enumerateAll(
  ctx: GitContext,
  issue: EnumerationIssue,
): AsyncGenerator<ObjectEntry> {
  const args = ['cat-file', '--batch-all-objects', '--unordered', CHECK_FORMAT];
  const check = spawnGit(ctx, args);
  let stderr = '';
  check.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString('utf8')).slice(-8192)));
  check.stdin.end();
  const exit = new Promise<number>((resolve) => check.on('close', (code) => resolve(code ?? 128)));
  return readEntries(check.stdout, issue, async () => {
    if ((await exit) !== 0) issue.error = classifyGitFailure(args, stderr);
  });
}

async function* readEntries(
  stdout: Readable,
  issue: EnumerationIssue,
  finish: () => Promise<void>,
): AsyncGenerator<ObjectEntry> {
  let carry = '';
  for await (const chunk of stdout as AsyncIterable<Buffer>) {
    const text = carry + chunk.toString('utf8');
    const lines = text.split('\n');
    carry = lines.pop() ?? '';
    for (const line of lines) {
      const entry = parseCheckLine(line, issue);
      if (entry) yield entry;
    }
  }
  if (carry) {
    const entry = parseCheckLine(carry, issue);
    if (entry) yield entry;
  }
  await finish();
}

function parseCheckLine(line: string, issue: EnumerationIssue): ObjectEntry | null {
  const first = line.indexOf(' ');
  if (first === -1) return null;
  const sha = line.slice(0, first);
  const second = line.indexOf(' ', first + 1);
  if (second === -1) {
    // "<name> missing": rev-list prints absent objects as "?<sha>" with --missing=print.
    issue.missing.push(sha.replace(/^\?/, ''));
    return null;
  }
  const type = line.slice(first + 1, second) as ObjectType;
  const third = line.indexOf(' ', second + 1);
  const size = Number(line.slice(second + 1, third === -1 ? undefined : third));
  const rest = third === -1 ? '' : line.slice(third + 1);
  return rest && type === 'blob' ? { sha, type, size, path: rest } : { sha, type, size };
}
