import { scryptSync } from 'node:crypto';
import type { SecretHasher } from './engine/findings.js';

/**
 * Fingerprints are shared in ignore and baseline files, so they must not give the secret away: a
 * plain hash of a short password can be brute-forced. scrypt (N=2^12, r=8) costs a few ms per secret
 * here — negligible per finding, prohibitive for guessing. Cached per run.
 */
export function createSecretHasher(): SecretHasher {
  const cache = new Map<string, string>();
  return (ruleId, secret) => {
    const key = `${ruleId}\u0000${secret}`;
    let h = cache.get(key);
    if (h === undefined) {
      h = scryptSync(secret, `leakwatch-fingerprint-v1:${ruleId}`, 18, {
        N: 1 << 12,
        r: 8,
        p: 1,
      }).toString('base64url');
      cache.set(key, h);
    }
    return h;
  };
}
