import { writeKeyFile } from '../config.js';
import { beginLookupKeyRotation, finishLookupKeyRotation, type Keyring } from '../crypto/keys.js';
import { LwError } from '../errors.js';
import { rehashLookupKeys } from '../rotate-lookup-key.js';
import type { Store } from '../store/store.js';
import type { CliIo } from './io.js';

/**
 * `keys rotate --lookup`: writes the key file with the new lookup key current and the old one kept
 * (so a crash leaves a file every process can look up with), recomputes the stored hashes, then
 * drops the old key. A run that finds a rotation already under way resumes it instead of starting
 * another.
 */
export const rotateLookupKey = async (
  store: Store,
  keyring: Keyring,
  keyFile: string,
  io: CliIo,
): Promise<number> => {
  const rotating = keyring.previousHmac ? keyring : beginLookupKeyRotation(keyring);
  if (rotating !== keyring) writeKeyFile(keyFile, rotating);
  const retiring = rotating.previousHmac?.id ?? '';
  const result = await rehashLookupKeys(store, rotating);
  if (result.conflicts > 0) {
    throw new LwError(
      'LW_KEYS',
      `${result.conflicts} address(es) were imported again under the new lookup key during the rotation for another person; key ${retiring} is kept until they are resolved`,
    );
  }
  writeKeyFile(keyFile, finishLookupKeyRotation(rotating));
  io.stdout.write(
    `new lookup key ${rotating.hmacKeyId} (retired ${retiring}); recomputed ${result.addresses} address hash(es) and ${result.notices} notice hash(es)\n`,
  );
  return 0;
};
