// Decoding of bytes git hands us verbatim: paths and identities are not guaranteed to be UTF-8.

const utf8 = new TextDecoder('utf-8', { fatal: true });
const latin1 = new TextDecoder('latin1');

/** A path as UTF-8 when it is; otherwise git's own C-style octal escapes for the bad bytes. */
export function decodeGitPath(bytes: Uint8Array): string {
  try {
    return utf8.decode(bytes);
  } catch {
    let out = '';
    let i = 0;
    while (i < bytes.length) {
      const length = utf8SequenceLength(bytes, i);
      if (length > 0) {
        out += utf8.decode(bytes.subarray(i, i + length));
        i += length;
      } else {
        out += `\\${(bytes[i] ?? 0).toString(8).padStart(3, '0')}`;
        i += 1;
      }
    }
    return out;
  }
}

/** Names and emails from commits without an encoding header are usually Latin-1 when not UTF-8. */
export function decodeIdentity(bytes: Uint8Array): string {
  try {
    return utf8.decode(bytes);
  } catch {
    return latin1.decode(bytes);
  }
}

function utf8SequenceLength(bytes: Uint8Array, i: number): number {
  const first = bytes[i] ?? 0;
  const length =
    first < 0x80
      ? 1
      : first >= 0xc2 && first < 0xe0
        ? 2
        : first >= 0xe0 && first < 0xf0
          ? 3
          : first >= 0xf0 && first < 0xf5
            ? 4
            : 0;
  if (length <= 1) return length;
  if (i + length > bytes.length) return 0;
  try {
    utf8.decode(bytes.subarray(i, i + length));
    return length;
  } catch {
    return 0;
  }
}
