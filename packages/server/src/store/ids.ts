import { randomBytesFromPool } from '../crypto/random-pool.js';

let lastMs = 0;
let counter = 0;

/**
 * Time-ordered UUID-shaped ids (the UUIDv7 layout: 48-bit milliseconds, then a counter and random
 * bits). Rows inserted together get neighbouring keys, so a 300k-row import appends to the primary
 * key and link indexes instead of writing into random B-tree pages.
 */
export const newId = (now = Date.now()): string => {
  if (now === lastMs) counter++;
  else {
    lastMs = now;
    counter = 0;
  }
  const bytes = randomBytesFromPool(16);
  bytes.writeUIntBE(now, 0, 6);
  bytes.writeUInt16BE(0x7000 | (counter & 0x0fff), 6);
  bytes[8] = 0x80 | ((counter >> 12) & 0x3f);
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
};
