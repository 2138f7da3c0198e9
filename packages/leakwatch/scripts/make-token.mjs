#!/usr/bin/env node
// Makes FAKE tokens in a provider's real format (valid checksum) for rule examples and fixtures.
// usage: node scripts/make-token.mjs github ghp_     (also: npm npm_)   — needs `npm run build`
import { randomInt } from 'node:crypto';
import { base62, crc32 } from '../dist/engine/checksum.js';

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const [kind, prefix] = process.argv.slice(2);
if (!['github', 'npm'].includes(kind ?? '') || !prefix) {
  process.stderr.write('usage: make-token.mjs github|npm PREFIX\n');
  process.exit(2);
}
const random = Array.from({ length: 30 }, () => BASE62[randomInt(62)]).join('');
process.stdout.write(`${prefix}${random}${base62(crc32(random), 6)}\n`);
