// Turns a list of git objects into the scanner's source events: blobs become chunks, commit
// messages and tag annotations become chunks, trees are passed over, oversized blobs are skipped
// without being read. Reads are issued ahead of the consumer (a window bounded in objects and bytes)
// so cat-file keeps streaming while the matcher works.
import type { Chunk } from '../engine/types.js';
import type { SourceEvent } from '../sources/files.js';
import type { GitError } from './git-cli.js';
import type { ObjectEntry } from './object-enumeration.js';
import type { ObjectReader, ObjectResult } from './object-reader.js';
import { decodeIdentity } from './text.js';
import type { CommitInfo } from './provenance.js';

export interface ObjectSourceOptions {
  repo: string;
  maxBlobBytes: number;
  scanMessages: boolean;
  /** Objects git could not give us (reported by the caller, which owns the error list). */
  onUnreadable: (entry: ObjectEntry, error: GitError) => void;
  /** Tag objects that were scanned, with their tagger (a tag's own "introduction"). */
  onTag?: (tag: CommitInfo) => void;
  signal?: AbortSignal;
}

const MAX_OBJECTS_AHEAD = 256;
const MAX_BYTES_AHEAD = 64 * 1024 * 1024;
/** git's own binary heuristic: a NUL in the first 8000 bytes. */
const BINARY_PROBE = 8000;

export async function* gitObjectEvents(
  entries: AsyncIterable<ObjectEntry>,
  reader: ObjectReader,
  opts: ObjectSourceOptions,
): AsyncGenerator<SourceEvent> {
  const ahead: { entry: ObjectEntry; result: Promise<ObjectResult> }[] = [];
  let bytesAhead = 0;
  const next = (): SourceEvent[] | Promise<SourceEvent[]> => {
    const head = ahead.shift();
    if (!head) return [];
    bytesAhead -= head.entry.size;
    return head.result.then((result) => toEvents(head.entry, result, opts));
  };
  for await (const entry of entries) {
    if (opts.signal?.aborted) throw opts.signal.reason ?? new Error('aborted');
    if (entry.type === 'tree') continue;
    if (entry.type !== 'blob' && !opts.scanMessages) continue;
    if (entry.type === 'blob' && entry.size > opts.maxBlobBytes) {
      yield { type: 'skip', reason: 'tooLarge', path: entry.path ?? entry.sha, bytes: entry.size };
      continue;
    }
    ahead.push({ entry, result: reader.read(entry.sha) });
    bytesAhead += entry.size;
    while (ahead.length >= MAX_OBJECTS_AHEAD || bytesAhead > MAX_BYTES_AHEAD) yield* await next();
  }
  while (ahead.length > 0) yield* await next();
}

function toEvents(
  entry: ObjectEntry,
  object: ObjectResult,
  opts: ObjectSourceOptions,
): SourceEvent[] {
  if (object.status !== 'ok' || !object.data) {
    if (object.status === 'missing') opts.onUnreadable(entry, object.error);
    return [];
  }
  const path = entry.path ?? object.sha;
  if (object.type === 'blob') {
    const bytes = textBytes(object.data);
    if (!bytes) return [{ type: 'skip', reason: 'binary', path }];
    const chunk: Chunk = {
      bytes,
      provenance: {
        kind: 'git',
        repo: opts.repo,
        object: object.sha,
        objectType: 'blob',
        ...(entry.path === undefined ? {} : { path: entry.path }),
      },
    };
    return [{ type: 'chunk', chunk, bytes: object.size, last: true }];
  }
  if (object.type !== 'commit' && object.type !== 'tag') return [];
  const split = object.data.indexOf('\n\n');
  if (split === -1) return [];
  if (object.type === 'tag') {
    const tagger = parseTagger(object.sha, object.data.subarray(0, split));
    if (tagger) opts.onTag?.(tagger);
  }
  // Lines count from the start of the message, as `git log` shows it. `last: false`: a message is
  // not a file, so it adds to the bytes scanned but not to the files count.
  const chunk: Chunk = {
    bytes: object.data.subarray(split + 2),
    provenance: {
      kind: 'git',
      repo: opts.repo,
      object: object.sha,
      objectType: object.type,
      ...(object.type === 'commit' ? { commit: object.sha } : {}),
    },
  };
  return [{ type: 'chunk', chunk, bytes: chunk.bytes.length, last: false }];
}

/** Text to scan, or null for a binary. UTF-16 text with a BOM is transcoded, as files are. */
function textBytes(data: Buffer): Uint8Array | null {
  const le = data[0] === 0xff && data[1] === 0xfe;
  const be = data[0] === 0xfe && data[1] === 0xff;
  if (le || be) {
    const body = Buffer.from(data.subarray(2, data.length - (data.length % 2)));
    if (be) body.swap16();
    return new TextEncoder().encode(new TextDecoder('utf-16le').decode(body));
  }
  return data.subarray(0, BINARY_PROBE).includes(0) ? null : data;
}

function parseTagger(sha: string, header: Buffer): CommitInfo | null {
  for (const line of header.toString('latin1').split('\n')) {
    const match = /^tagger (.*) <(.*)> (\d+) [+-]\d{4}$/.exec(line);
    if (!match) continue;
    const time = Number(match[3]);
    return {
      sha,
      author: {
        name: decodeIdentity(Buffer.from(match[1] ?? '', 'latin1')),
        email: decodeIdentity(Buffer.from(match[2] ?? '', 'latin1')),
      },
      authorTime: time,
      committerTime: time,
    };
  }
  return null;
}
