import { openEmail, sealEmail } from './crypto/email.js';
import type { Keyring } from './crypto/keys.js';
import type { Store } from './store/store.js';

/**
 * Re-encrypts every stored address that is not under the keyring's current key, a page at a time
 * (each page in its own transaction, so an interrupted re-key resumes where it stopped).
 */
export const rekeyStore = async (
  store: Store,
  keyring: Keyring,
  pageSize = 500,
): Promise<number> => {
  let total = 0;
  for (;;) {
    const rows = await store.sealedNotUnder(keyring.currentKeyId, pageSize);
    if (rows.length === 0) return total;
    await store.transaction(async (tx) => {
      for (const row of rows) {
        const sealed = sealEmail(
          keyring,
          openEmail(keyring, { keyId: row.keyId, value: row.sealed }),
        );
        await tx.replaceSealed(row.table, row.id, sealed.value, sealed.keyId);
      }
    });
    total += rows.length;
  }
};
