// Streams `git log --raw -z` (or `git diff --raw -z`) output into commit records without holding the
// whole log: tokens are NUL-terminated and read positionally, so any byte in a path or a name is safe.
import type { Readable } from 'node:stream';
import { decodeGitPath, decodeIdentity } from './text.js';

export interface RawChange {
  /** Blob before the change, one per parent compared (combined diffs of merges have several). */
  before: string[];
  /** Blob after the change (all zeros when the path was deleted). */
  after: string;
  path: string;
  status: string;
  mode: string;
}

export interface CommitRecord {
  sha: string;
  parents: string[];
  author: { name: string; email: string };
  /** Unix seconds. */
  authorTime: number;
  committerTime: number;
  changes: RawChange[];
}

const COMMIT_MARK = 0x01;
/** Header fields after `%H %P`, in LOG_FORMAT order. */
const HEADER_FIELDS = 4;

/** The `--format` that `parseCommitLog` reads. */
export const LOG_FORMAT = '--format=%x01%H %P%x00%an%x00%ae%x00%at%x00%ct';

/** Arguments for a history walk whose output `parseCommitLog` understands. */
export function logArgs(extra: string[]): string[] {
  // --root: a root (or shallow-boundary) commit adds every file it has.
  // -c: merges show only paths that differ from every parent (an "evil merge" adding new content).
  return [
    'log',
    '--raw',
    '-z',
    '--no-abbrev',
    '--no-renames',
    '--root',
    '-c',
    LOG_FORMAT,
    ...extra,
  ];
}

async function* tokens(stream: Readable): AsyncGenerator<Buffer> {
  let carry: Buffer[] = [];
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    let start = 0;
    for (;;) {
      const nul = chunk.indexOf(0, start);
      if (nul === -1) break;
      const piece = chunk.subarray(start, nul);
      if (carry.length > 0) {
        carry.push(piece);
        yield Buffer.concat(carry);
        carry = [];
      } else {
        yield piece;
      }
      start = nul + 1;
    }
    if (start < chunk.length) carry.push(Buffer.from(chunk.subarray(start)));
  }
  if (carry.length > 0) yield Buffer.concat(carry);
}

/**
 * Parses commit records. `keep` can drop changes early (only blobs of interest), which keeps memory
 * small on commits that touch many files.
 */
export async function* parseCommitLog(
  stream: Readable,
  keep: (change: RawChange) => boolean = () => true,
): AsyncGenerator<CommitRecord> {
  let record: CommitRecord | null = null;
  let headerLeft = 0;
  let headerValues: Buffer[] = [];
  let meta: string | null = null;
  for await (const raw of tokens(stream)) {
    if (headerLeft > 0) {
      headerValues.push(raw);
      headerLeft -= 1;
      if (headerLeft === 0 && record) {
        const [name, email, authorTime, committerTime] = headerValues;
        record.author = {
          name: decodeIdentity(name ?? Buffer.alloc(0)),
          email: decodeIdentity(email ?? Buffer.alloc(0)),
        };
        record.authorTime = Number((authorTime ?? '').toString());
        record.committerTime = Number((committerTime ?? '').toString());
      }
      continue;
    }
    if (meta !== null) {
      const change = parseMeta(meta, decodeGitPath(raw));
      meta = null;
      if (change && record && keep(change)) record.changes.push(change);
      continue;
    }
    const token = stripNewlines(raw);
    if (token.length === 0) continue;
    if (token[0] === COMMIT_MARK) {
      if (record) yield record;
      const [sha = '', ...parents] = token
        .subarray(1)
        .toString('latin1')
        .split(' ')
        .filter(Boolean);
      record = {
        sha,
        parents,
        author: { name: '', email: '' },
        authorTime: 0,
        committerTime: 0,
        changes: [],
      };
      headerLeft = HEADER_FIELDS;
      headerValues = [];
      continue;
    }
    if (token[0] === 0x3a) meta = token.toString('latin1');
  }
  if (record) yield record;
}

/** Parses `git diff --raw -z` output (no commit headers), e.g. the staged changes. */
export async function collectRawChanges(stream: Readable): Promise<RawChange[]> {
  const changes: RawChange[] = [];
  let meta: string | null = null;
  for await (const raw of tokens(stream)) {
    if (meta !== null) {
      const change = parseMeta(meta, decodeGitPath(raw));
      meta = null;
      if (change) changes.push(change);
      continue;
    }
    const token = stripNewlines(raw);
    if (token[0] === 0x3a) meta = token.toString('latin1');
  }
  return changes;
}

function stripNewlines(token: Buffer): Buffer {
  let start = 0;
  while (start < token.length && token[start] === 0x0a) start += 1;
  return start === 0 ? token : token.subarray(start);
}

/** ":100644 100644 <old> <new> M" or, for merges, "::100644 100644 100644 <p1> <p2> <new> MM". */
function parseMeta(meta: string, path: string): RawChange | null {
  let colons = 0;
  while (meta[colons] === ':') colons += 1;
  const fields = meta.slice(colons).split(' ');
  const modes = fields.slice(0, colons + 1);
  const shas = fields.slice(colons + 1, 2 * colons + 2);
  const status = fields[2 * colons + 2] ?? '';
  const after = shas[colons];
  const mode = modes[colons] ?? '';
  if (after === undefined || shas.length !== colons + 1) return null;
  // Submodule entries name commits of another repository; they are not blobs here.
  if (mode === '160000' || modes.every((m) => m === '160000' || m === '000000')) return null;
  return { before: shas.slice(0, colons), after, path, status, mode };
}
