// Checksum validators named by a rule's `validate` field. A candidate secret that fails its
// provider's documented checksum is not a real token (typos, truncations, made-up test values).

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

const CRC32_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

export function crc32(text: string): number {
  let crc = 0xffffffff;
  for (let i = 0; i < text.length; i++) {
    crc = (CRC32_TABLE[(crc ^ text.charCodeAt(i)) & 0xff] ?? 0) ^ (crc >>> 8);
  }
  return (crc ^ 0xffffffff) >>> 0;
}

export function base62(value: number, width: number): string {
  let out = '';
  let v = value;
  while (v > 0) {
    out = BASE62[v % 62] + out;
    v = Math.floor(v / 62);
  }
  return out.padStart(width, '0');
}

/**
 * GitHub's (and npm's) token scheme: `<prefix>_<30 base62 chars><6 base62 chars>`, the last six
 * being the CRC32 of the 30 random characters, base62-encoded and zero-padded.
 */
function base62Crc32Token(secret: string): boolean {
  const underscore = secret.lastIndexOf('_');
  const body = secret.slice(underscore + 1);
  if (body.length < 7) return false;
  const random = body.slice(0, -6);
  return base62(crc32(random), 6) === body.slice(-6);
}

function luhn(secret: string): boolean {
  const digits = secret.replace(/\D/g, '');
  if (digits.length < 2) return false;
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

export const VALIDATORS: Readonly<Record<string, (secret: string) => boolean>> = {
  'github-crc32': base62Crc32Token,
  'npm-crc32': base62Crc32Token,
  luhn,
};
