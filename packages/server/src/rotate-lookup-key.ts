import { hashEmail, openEmail } from './crypto/email.js';
import type { Keyring } from './crypto/keys.js';
import { LwError } from './errors.js';
import type { Store } from './store/store.js';

export interface LookupRehashResult {
  /** Address rows (person_emails) whose lookup hash was recomputed under the new key. */
  addresses: number;
  /** Notices whose copy of the lookup hash was recomputed. */
  notices: number;
  /**
   * Rows left under the retiring key because the new hash is already taken by another person
   * (an import ran during the rotation). While any remain, the retiring key must not be dropped.
   */
  conflicts: number;
}

/**
 * Recomputes every stored lookup hash under the keyring's current HMAC key from the decrypted
 * address, a page at a time, each page in one transaction. Pages are keyed by the stable person
 * and notice ids, not by the hash being rewritten, and rows already under the new key are skipped,
 * so an interrupted run is simply run again. Lookups try both keys meanwhile (src/lookup.ts).
 */
export const rehashLookupKeys = async (
  store: Store,
  keyring: Keyring,
  pageSize = 500,
): Promise<LookupRehashResult> => {
  const previous = keyring.previousHmac;
  if (!previous) throw new LwError('LW_KEYS', 'no lookup-key rotation is under way');
  const oldHash = (address: string) => hashEmail({ ...keyring, hmacKey: previous.key }, address);
  const result: LookupRehashResult = {
    addresses: 0,
    notices: 0,
    conflicts: 0,
  };

  for (let cursor = ''; ;) {
    const ids = await store.transaction(async (tx) => {
      const page = (
        await tx.db
          .selectFrom('people')
          .select('id')
          .where('id', '>', cursor)
          .orderBy('id')
          .limit(pageSize)
          .execute()
      ).map((r) => r.id);
      if (page.length === 0) return page;
      const rows = await tx.db
        .selectFrom('person_emails')
        .select(['email_hash', 'person_id', 'email_sealed', 'key_id'])
        .where('person_id', 'in', page)
        .execute();
      for (const row of rows) {
        const address = openEmail(keyring, { keyId: row.key_id, value: row.email_sealed });
        const next = hashEmail(keyring, address);
        if (row.email_hash === next) continue;
        if (row.email_hash !== oldHash(address)) {
          throw new LwError('LW_KEYS', 'a stored lookup hash matches neither lookup key');
        }
        const taken = await tx.db
          .selectFrom('person_emails')
          .select('person_id')
          .where('email_hash', '=', next)
          .executeTakeFirst();
        if (taken?.person_id === row.person_id) {
          // The same address was re-imported for the same person under the new key already.
          await tx.db
            .deleteFrom('person_emails')
            .where('email_hash', '=', row.email_hash)
            .execute();
        } else if (taken) {
          result.conflicts += 1;
          continue;
        } else {
          await tx.db
            .updateTable('person_emails')
            .set({ email_hash: next })
            .where('email_hash', '=', row.email_hash)
            .execute();
        }
        result.addresses += 1;
      }
      return page;
    });
    if (ids.length === 0) break;
    cursor = ids[ids.length - 1] as string;
  }

  for (let cursor = ''; ;) {
    const last = await store.transaction(async (tx) => {
      const rows = await tx.db
        .selectFrom('notices')
        .select(['id', 'email_hash', 'email_sealed', 'key_id'])
        .where('id', '>', cursor)
        .orderBy('id')
        .limit(pageSize)
        .execute();
      for (const row of rows) {
        const address = openEmail(keyring, { keyId: row.key_id, value: row.email_sealed });
        const next = hashEmail(keyring, address);
        if (row.email_hash === next) continue;
        await tx.db
          .updateTable('notices')
          .set({ email_hash: next })
          .where('id', '=', row.id)
          .execute();
        result.notices += 1;
      }
      return rows.at(-1)?.id;
    });
    if (last === undefined) break;
    cursor = last;
  }
  return result;
};
