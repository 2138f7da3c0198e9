import { randomBytes } from 'node:crypto';
import { LwError } from '../errors.js';

/**
 * Key material for personal data. The HMAC key makes email lookups possible without storing the
 * address; the AES keys (several, by id, so old rows stay readable after a re-key) protect the copy
 * used for sending. Serialized as JSON in a key file or in the LEAKWATCH_KEYS env var.
 */
export interface Keyring {
  hmacKey: Buffer;
  /** AES-256 keys by id; `currentKeyId` encrypts, every id decrypts. */
  encryptionKeys: Map<string, Buffer>;
  currentKeyId: string;
  /** Signs CSRF tokens; independent of the data keys so it can be rotated freely. */
  formKey: Buffer;
}

interface KeyFile {
  version: 1;
  hmacKey: string;
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

export const generateKeyring = (): Keyring => {
  const id = newKeyId();
  return {
    hmacKey: randomBytes(32),
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

export const serializeKeyring = (keyring: Keyring): string => {
  const file: KeyFile = {
    version: 1,
    hmacKey: keyring.hmacKey.toString('base64'),
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
  return {
    hmacKey: decodeKey(raw.hmacKey, 'hmacKey'),
    formKey: decodeKey(raw.formKey, 'formKey'),
    currentKeyId,
    encryptionKeys,
  };
};
