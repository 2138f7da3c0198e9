import { randomBytes } from 'node:crypto';
import { LwError } from '../errors.js';

/**
 * Key material for personal data. The HMAC key makes email lookups possible without storing the
 * address; the AES keys (several, by id, so old rows stay readable after a re-key) protect the copy
 * used for sending. Serialized as JSON in a key file or in the LEAKWATCH_KEYS env var.
 */
export interface Keyring {
  /** The current lookup key: every new hash is made with it. */
  hmacKey: Buffer;
  hmacKeyId: string;
  /**
   * The lookup key being retired while `keys rotate --lookup` recomputes the stored hashes: lookups
   * try both until the rotation finishes and drops it.
   */
  previousHmac?: { id: string; key: Buffer };
  /** AES-256 keys by id; `currentKeyId` encrypts, every id decrypts. */
  encryptionKeys: Map<string, Buffer>;
  currentKeyId: string;
  /** Signs CSRF tokens; independent of the data keys so it can be rotated freely. */
  formKey: Buffer;
}

interface KeyFile {
  version: 1;
  hmacKey: string;
  /** Absent in files written before lookup keys could be rotated. */
  hmacKeyId?: string;
  previousHmacKey?: string;
  previousHmacKeyId?: string;
  formKey: string;
  currentKeyId: string;
  encryptionKeys: Record<string, string>;
}

const decodeKey = (value: unknown, what: string): Buffer => {
  if (typeof value !== 'string') throw new LwError('LW_KEYS', `${what} is missing`);
  const key = Buffer.from(value, 'base64');
  if (key.length !== 32) throw new LwError('LW_KEYS', `${what} must be 32 bytes, base64-encoded`);
  return key;
};

const newKeyId = (): string => `k${randomBytes(4).toString('hex')}`;
const newHmacKeyId = (): string => `h${randomBytes(4).toString('hex')}`;
/** The id given to the lookup key of a key file that predates lookup-key ids. */
const legacyHmacKeyId = 'h0';

export const generateKeyring = (): Keyring => {
  const id = newKeyId();
  return {
    hmacKey: randomBytes(32),
    hmacKeyId: newHmacKeyId(),
    formKey: randomBytes(32),
    currentKeyId: id,
    encryptionKeys: new Map([[id, randomBytes(32)]]),
  };
};

/** Adds a fresh encryption key and makes it current; the old keys stay for decryption. */
export const addEncryptionKey = (keyring: Keyring): Keyring => {
  const id = newKeyId();
  const encryptionKeys = new Map(keyring.encryptionKeys);
  encryptionKeys.set(id, randomBytes(32));
  return { ...keyring, encryptionKeys, currentKeyId: id };
};

/**
 * Starts a lookup-key rotation: a fresh HMAC key becomes current and the old one is kept as
 * `previousHmac` until every stored hash is recomputed. Refused while a rotation is unfinished.
 */
export const beginLookupKeyRotation = (keyring: Keyring): Keyring => {
  if (keyring.previousHmac) {
    throw new LwError('LW_KEYS', `a lookup-key rotation to ${keyring.hmacKeyId} is unfinished`);
  }
  return {
    ...keyring,
    hmacKey: randomBytes(32),
    hmacKeyId: newHmacKeyId(),
    previousHmac: { id: keyring.hmacKeyId, key: keyring.hmacKey },
  };
};

/** Drops the retired lookup key once no stored hash depends on it. */
export const finishLookupKeyRotation = (keyring: Keyring): Keyring => {
  const next = { ...keyring };
  delete next.previousHmac;
  return next;
};

export const serializeKeyring = (keyring: Keyring): string => {
  const file: KeyFile = {
    version: 1,
    hmacKey: keyring.hmacKey.toString('base64'),
    hmacKeyId: keyring.hmacKeyId,
    ...(keyring.previousHmac && {
      previousHmacKey: keyring.previousHmac.key.toString('base64'),
      previousHmacKeyId: keyring.previousHmac.id,
    }),
    formKey: keyring.formKey.toString('base64'),
    currentKeyId: keyring.currentKeyId,
    encryptionKeys: Object.fromEntries(
      [...keyring.encryptionKeys].map(([id, key]) => [id, key.toString('base64')]),
    ),
  };
  return JSON.stringify(file, null, 2) + '\n';
};

export const parseKeyring = (text: string): Keyring => {
  let raw: Partial<KeyFile>;
  try {
    raw = JSON.parse(text) as Partial<KeyFile>;
  } catch {
    throw new LwError('LW_KEYS', 'the key file is not valid JSON');
  }
  if (raw.version !== 1) throw new LwError('LW_KEYS', 'unsupported key file version');
  const entries = Object.entries(raw.encryptionKeys ?? {});
  if (entries.length === 0) throw new LwError('LW_KEYS', 'no encryption keys');
  const encryptionKeys = new Map(
    entries.map(([id, key]) => [id, decodeKey(key, `encryption key ${id}`)]),
  );
  const currentKeyId = raw.currentKeyId ?? '';
  if (!encryptionKeys.has(currentKeyId)) {
    throw new LwError('LW_KEYS', `currentKeyId "${currentKeyId}" is not among the encryption keys`);
  }
  const hmacKeyId = raw.hmacKeyId ?? legacyHmacKeyId;
  const previousId = raw.previousHmacKeyId;
  if (
    (raw.previousHmacKey === undefined) !== (previousId === undefined) ||
    previousId === hmacKeyId
  )
    throw new LwError('LW_KEYS', 'previousHmacKey needs its own previousHmacKeyId');
  return {
    hmacKey: decodeKey(raw.hmacKey, 'hmacKey'),
    hmacKeyId,
    ...(previousId !== undefined && {
      previousHmac: { id: previousId, key: decodeKey(raw.previousHmacKey, 'previousHmacKey') },
    }),
    formKey: decodeKey(raw.formKey, 'formKey'),
    currentKeyId,
    encryptionKeys,
  };
};
