#!/usr/bin/env node
// Makes FAKE tokens in a provider's real format (valid checksum) for rule examples and fixtures.
// usage: node scripts/make-token.mjs github ghp_     (also: npm npm_)
import { randomInt } from 'node:crypto';

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const table = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
const crc32 = (s) => {
  let crc = 0xffffffff;
  for (const ch of s) crc = table[(crc ^ ch.charCodeAt(0)) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
};
const enc = (v) => {
  let out = '';
  while (v > 0) {
    out = BASE62[v % 62] + out;
    v = Math.floor(v / 62);
  }
  return out.padStart(6, '0');
};

const [kind, prefix] = process.argv.slice(2);
if (!['github', 'npm'].includes(kind ?? '') || !prefix) {
  process.stderr.write('usage: make-token.mjs github|npm PREFIX\n');
  process.exit(2);
}
const random = Array.from({ length: 30 }, () => BASE62[randomInt(62)]).join('');
process.stdout.write(`${prefix}${random}${enc(crc32(random))}\n`);
