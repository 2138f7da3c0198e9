import { randomFillSync } from 'node:crypto';

/**
 * CSPRNG bytes drawn from a refilled 64 KiB pool: a bulk import needs two small random values per
 * row (an AES-GCM IV, an id), and one call per value costs more than the encryption itself.
 * Every byte is used once; the pool is refilled from the OS CSPRNG when exhausted.
 */
const pool = Buffer.alloc(64 * 1024);
let offset = pool.length;

export const randomBytesFromPool = (size: number): Buffer => {
  if (size > pool.length) throw new RangeError('request larger than the random pool');
  if (offset + size > pool.length) {
    randomFillSync(pool);
    offset = 0;
  }
  const out = Buffer.from(pool.subarray(offset, offset + size));
  offset += size;
  return out;
};
