import { hashEmail } from './crypto/email.js';
import type { Keyring } from './crypto/keys.js';
import type { Incident } from './incidents/types.js';
import type { Notice, Store } from './store/store.js';

/**
 * The lookup hashes of a normalized address: under the current key, and under the key being
 * retired while a lookup-key rotation is under way (until it finishes, a row may carry either).
 */
export const emailLookupHashes = (keyring: Keyring, normalized: string): string[] => {
  const current = hashEmail(keyring, normalized);
  if (!keyring.previousHmac) return [current];
  return [current, hashEmail({ ...keyring, hmacKey: keyring.previousHmac.key }, normalized)];
};

/**
 * The person with this address, whichever lookup key their row is under. One indexed read for a
 * hit and a miss alike, so the public self-check keeps doing the same work either way.
 */
export const findPersonByEmail = async (
  store: Store,
  keyring: Keyring,
  normalized: string,
): Promise<{ hash: string; personId: string | undefined }> => {
  const hashes = emailLookupHashes(keyring, normalized);
  const row = await store.db
    .selectFrom('person_emails')
    .select('person_id')
    .where('email_hash', 'in', hashes)
    .executeTakeFirst();
  return { hash: hashes[0] as string, personId: row?.person_id };
};

export interface LookupResult {
  affected: boolean;
  incidents: Incident[];
  notices: Notice[];
}

/**
 * The contact-centre lookup shared by the JSON API and the operator page: every call, hit or
 * miss, is written to the access log with the address's hash only, never the address.
 */
export const lookupPerson = async (
  store: Store,
  keyring: Keyring,
  actor: string,
  normalized: string,
  now: string,
): Promise<LookupResult> => {
  const { hash, personId } = await findPersonByEmail(store, keyring, normalized);
  await store.logAccess({
    at: now,
    actor,
    action: 'person.lookup',
    personId: personId ?? null,
    incidentId: null,
    details: { emailHash: hash, found: personId !== undefined },
  });
  if (!personId) return { affected: false, incidents: [], notices: [] };
  const incidents = await store.incidentsOfPerson(personId);
  const notices = await store.noticesOfPerson(personId);
  return { affected: incidents.length > 0, incidents, notices };
};
