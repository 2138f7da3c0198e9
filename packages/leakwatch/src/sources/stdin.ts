import type { Readable } from 'node:stream';
import type { SourceEvent } from './files.js';
import { toScannableText } from './text.js';

/** Standard input as one chunk (`leakwatch scan -`). */
export async function* stdinSource(stdin: Readable, maxBytes: number): AsyncGenerator<SourceEvent> {
  const parts: Uint8Array[] = [];
  let total = 0;
  for await (const part of stdin) {
    const bytes =
      typeof part === 'string'
        ? new TextEncoder().encode(part)
        : new Uint8Array(part as Uint8Array);
    total += bytes.length;
    if (total > maxBytes) {
      yield { type: 'skip', reason: 'tooLarge', path: '-', bytes: total };
      return;
    }
    parts.push(bytes);
  }
  const all = new Uint8Array(total);
  let o = 0;
  for (const p of parts) {
    all.set(p, o);
    o += p.length;
  }
  const text = toScannableText(all);
  if (text.kind === 'binary') {
    yield { type: 'skip', reason: 'binary', path: '-', bytes: total };
    return;
  }
  yield {
    type: 'chunk',
    chunk: { bytes: text.bytes, provenance: { kind: 'stdin' } },
    bytes: total,
    last: true,
  };
}
