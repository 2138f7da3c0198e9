import { createHash, randomBytes } from 'node:crypto';
import type { ApiToken, Role, Store } from './store/store.js';

/**
 * Operator API tokens: 256 random bits, shown once, stored as SHA-256. A fast hash is enough here
 * (unlike for passwords) because the token has full entropy: there is nothing to guess.
 */
export const tokenPrefix = 'lwt_';

export const hashToken = (token: string): string =>
  createHash('sha256').update(token, 'utf8').digest('hex');

export const createApiToken = async (
  store: Store,
  name: string,
  role: Role,
  now: string,
): Promise<{ token: string; record: ApiToken }> => {
  const token = tokenPrefix + randomBytes(32).toString('base64url');
  const record = await store.insertToken(hashToken(token), name, role, now);
  return { token, record };
};
