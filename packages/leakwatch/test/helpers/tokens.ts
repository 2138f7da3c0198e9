import { base62, crc32 } from '../../src/engine/checksum.js';

/** A FAKE GitHub-format token with a valid checksum, deterministic per seed. */
export function fakeGithubToken(seed: number, prefix = 'ghp_'): string {
  const alphabet = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
  let s = seed * 7919 + 17;
  let random = '';
  for (let i = 0; i < 30; i++) {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    random += alphabet[s % 62];
  }
  return `${prefix}${random}${base62(crc32(random), 6)}`;
}
