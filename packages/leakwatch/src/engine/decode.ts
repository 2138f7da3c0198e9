// Secrets are often stored encoded: base64 in Kubernetes Secret manifests and Docker `auths`,
// JSON/URL escapes in notebooks and embedded configs. These helpers expose the plain text.

const B64 = new Int16Array(256).fill(-1);
for (const [i, c] of [
  ...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/',
].entries()) {
  B64[c.charCodeAt(0)] = i;
}
// base64url alphabet decodes to the same values
B64['-'.charCodeAt(0)] = 62;
B64['_'.charCodeAt(0)] = 63;

const MIN_RUN = 16;
const MAX_RUN = 64 * 1024;
const MAX_RUNS_PER_CHUNK = 10_000;

export interface Base64Run {
  start: number;
  end: number;
  decoded: Uint8Array;
}

function decodeRun(bytes: Uint8Array, start: number, end: number): Uint8Array {
  const out = new Uint8Array(Math.floor(((end - start) * 3) / 4));
  let acc = 0;
  let bits = 0;
  let o = 0;
  for (let i = start; i < end; i++) {
    const v = B64[bytes[i] as number] as number;
    acc = (acc << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >> bits) & 0xff;
    }
  }
  return out.subarray(0, o);
}

function mostlyText(b: Uint8Array): boolean {
  if (b.length < 8) return false;
  let printable = 0;
  for (const c of b) if ((c >= 32 && c < 127) || c === 9 || c === 10 || c === 13) printable++;
  return printable / b.length >= 0.95;
}

/**
 * Runs of base64 that decode to mostly printable text. A run must be long enough to hold a secret,
 * mix upper and lower case letters, and be a whole number of base64 quanta (or padded): plain
 * identifiers and hex hashes rarely pass all three.
 */
export function findBase64Runs(bytes: Uint8Array): Base64Run[] {
  const runs: Base64Run[] = [];
  const n = bytes.length;
  let i = 0;
  // Skip-ahead search: if the byte MIN_RUN-1 ahead cannot be base64, no long run starts before it.
  while (i + MIN_RUN <= n && runs.length < MAX_RUNS_PER_CHUNK) {
    const probe = i + MIN_RUN - 1;
    if (B64[bytes[probe] as number] === -1) {
      i = probe + 1;
      continue;
    }
    let start = probe;
    while (start > i && B64[bytes[start - 1] as number] !== -1) start--;
    let end = probe + 1;
    while (end < n && B64[bytes[end] as number] !== -1) end++;
    let pad = 0;
    while (end + pad < n && bytes[end + pad] === 61 && pad < 2) pad++;
    i = end + pad + 1;
    const len = end - start;
    if (len < MIN_RUN || len > MAX_RUN) continue;
    if (pad === 0 && len % 4 !== 0) continue;
    let upper = false;
    let lower = false;
    for (let k = start; k < end && !(upper && lower); k++) {
      const c = bytes[k] as number;
      if (c >= 65 && c <= 90) upper = true;
      else if (c >= 97 && c <= 122) lower = true;
    }
    if (!upper || !lower) continue;
    // Most long identifiers pass the checks above; their first 12 characters already decode to
    // binary noise, so look at those before decoding the whole run.
    if (end - start > 16 && !mostlyText(decodeRun(bytes, start, start + 12))) continue;
    const decoded = decodeRun(bytes, start, end);
    if (mostlyText(decoded)) runs.push({ start, end: end + pad, decoded });
  }
  return runs;
}

const JSON_ESCAPES: Record<string, string> = {
  n: '\n',
  r: '\r',
  t: '\t',
  b: '\b',
  f: '\f',
  '/': '/',
  '\\': '\\',
  '"': '"',
  "'": "'",
};

/** Undoes JSON/JS string escapes and URL percent-encoding; returns the input when there are none. */
const HEX = (c: number): boolean =>
  (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
const BEGIN = new TextEncoder().encode('-----BEGIN');

/**
 * Could any text in these bytes be JSON/JS- or URL-escaped in a way that hides a secret? Checked
 * once per chunk so that windows of plain source code skip the unescaping pass.
 */
export function mayContainEscapes(bytes: Uint8Array): boolean {
  for (let i = bytes.indexOf(92); i !== -1; i = bytes.indexOf(92, i + 1)) {
    const next = bytes[i + 1];
    if (next === 34 || next === 47 || next === 117 || next === 120) return true; // \" \/ \u \x
  }
  // %XX of a printable ASCII character (not %02x-style format strings)
  for (let i = bytes.indexOf(37); i !== -1; i = bytes.indexOf(37, i + 1)) {
    const hi = bytes[i + 1] ?? 0;
    if (hi >= 50 && hi <= 55 && HEX(bytes[i + 2] ?? 0)) return true;
  }
  // a PEM block inside a JSON string has escaped line breaks (\n)
  return indexOfSequence(bytes, BEGIN) !== -1 && bytes.indexOf(92) !== -1;
}

function indexOfSequence(bytes: Uint8Array, seq: Uint8Array): number {
  const first = seq[0] as number;
  for (let i = bytes.indexOf(first); i !== -1; i = bytes.indexOf(first, i + 1)) {
    let k = 1;
    while (k < seq.length && bytes[i + k] === seq[k]) k++;
    if (k === seq.length) return i;
  }
  return -1;
}

export function unescapeText(text: string): string {
  let out = text.replace(/\\(u[0-9A-Fa-f]{4}|x[0-9A-Fa-f]{2}|[nrtbf/\\"'])/g, (_, e: string) => {
    if (e[0] === 'u' || e[0] === 'x') return String.fromCharCode(parseInt(e.slice(1), 16));
    return JSON_ESCAPES[e] ?? e;
  });
  if (/%[2-7][0-9A-Fa-f]/.test(out)) {
    out = out.replace(/(?:%[2-7][0-9A-Fa-f])+/g, (seq) => {
      try {
        return decodeURIComponent(seq);
      } catch {
        return seq;
      }
    });
  }
  return out;
}
