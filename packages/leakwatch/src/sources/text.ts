// Decides whether bytes are text, and turns UTF-16 text into UTF-8 so that rules see it.

export type ScannableText =
  { kind: 'text'; bytes: Uint8Array; transcoded?: 'utf-16le' | 'utf-16be' } | { kind: 'binary' };

const SNIFF = 8192;
const encoder = new TextEncoder();

function utf16Endianness(b: Uint8Array): 'utf-16le' | 'utf-16be' | undefined {
  if (b.length >= 2 && b[0] === 0xff && b[1] === 0xfe) return 'utf-16le';
  if (b.length >= 2 && b[0] === 0xfe && b[1] === 0xff) return 'utf-16be';
  // Without a BOM: ASCII-range UTF-16 has a NUL in every other byte and almost none elsewhere.
  const n = Math.min(b.length, SNIFF) & ~1;
  if (n < 16) return undefined;
  let evenNul = 0;
  let oddNul = 0;
  for (let i = 0; i < n; i += 2) {
    if (b[i] === 0) evenNul++;
    if (b[i + 1] === 0) oddNul++;
  }
  const half = n / 2;
  if (oddNul > half * 0.6 && evenNul < half * 0.05) return 'utf-16le';
  if (evenNul > half * 0.6 && oddNul < half * 0.05) return 'utf-16be';
  return undefined;
}

/** Text as UTF-8 bytes (UTF-16 transcoded), or binary when a NUL remains in the first 8 KiB. */
export function toScannableText(bytes: Uint8Array): ScannableText {
  const utf16 = utf16Endianness(bytes);
  if (utf16) {
    const text = new TextDecoder(utf16).decode(bytes);
    return { kind: 'text', bytes: encoder.encode(text), transcoded: utf16 };
  }
  const head = bytes.subarray(0, SNIFF);
  if (head.indexOf(0) !== -1) return { kind: 'binary' };
  return { kind: 'text', bytes };
}
