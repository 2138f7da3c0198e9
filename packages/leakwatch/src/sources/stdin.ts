import type { Readable } from 'node:stream';
import type { SourceEvent } from './files.js';
import { toScannableText } from './text.js';

const CHUNK = 4 * 1024 * 1024;
const OVERLAP = 64 * 1024;

function concat(parts: Uint8Array[], total: number): Uint8Array {
  const out = new Uint8Array(total);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/**
 * Standard input (`leakwatch scan -`), streamed in overlapping chunks cut at line ends so that a
 * pipe of any size (e.g. `git log -p | leakwatch scan -`) is scanned in flat memory.
 */
export async function* stdinSource(
  stdin: Readable,
  chunkSize = CHUNK,
): AsyncGenerator<SourceEvent> {
  const provenance = { kind: 'stdin' as const };
  let parts: Uint8Array[] = [];
  let buffered = 0;
  let offset = 0;
  let line = 1;
  let first = true;
  const emit = (bytes: Uint8Array, consumed: number, last: boolean): SourceEvent => {
    const event: SourceEvent = {
      type: 'chunk',
      chunk: { bytes, provenance, offset, firstLine: line },
      bytes: consumed,
      last,
    };
    const done = bytes.subarray(0, consumed);
    for (let i = done.indexOf(10); i !== -1; i = done.indexOf(10, i + 1)) line++;
    offset += consumed;
    return event;
  };
  for await (const part of stdin) {
    const bytes =
      typeof part === 'string'
        ? new TextEncoder().encode(part)
        : new Uint8Array(part as Uint8Array);
    parts.push(bytes);
    buffered += bytes.length;
    if (buffered < chunkSize) continue;
    let all = concat(parts, buffered);
    if (first) {
      const text = toScannableText(all.subarray(0, 8192));
      if (text.kind === 'binary') {
        yield { type: 'skip', reason: 'binary', path: '-' };
        return;
      }
      first = false;
    }
    const cut = all.lastIndexOf(10);
    const end = cut > OVERLAP ? cut + 1 : all.length;
    const keepFrom = Math.max(0, end - OVERLAP);
    const nl = all.indexOf(10, keepFrom);
    const next = nl !== -1 && nl + 1 < end ? nl + 1 : keepFrom;
    const tail = all.slice(next);
    all = all.slice(0, end);
    // the chunk's buffer may be transferred to a worker: count and copy before yielding
    const event = emit(all, next, false);
    parts = [tail];
    buffered = tail.length;
    yield event;
  }
  const rest = concat(parts, buffered);
  const text = toScannableText(rest);
  if (first && text.kind === 'binary') {
    yield { type: 'skip', reason: 'binary', path: '-' };
    return;
  }
  yield emit(first && text.kind === 'text' ? text.bytes : rest, rest.length, true);
}
