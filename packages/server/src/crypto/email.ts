import { createCipheriv, createDecipheriv, createHmac } from 'node:crypto';
import { domainToASCII } from 'node:url';
import { LwError } from '../errors.js';
import type { Keyring } from './keys.js';
import { randomBytesFromPool } from './random-pool.js';

/**
 * Normalizes an address for lookup: trim, Unicode NFC, lowercase, IDNA (punycode) domain. No
 * provider-specific folding (dots or +tags in Gmail): a person typing their address must find
 * exactly what the organisation has on record, and folding would merge different people.
 * Returns null when the value is not a plausible address.
 */
export const normalizeEmail = (input: string): string | null => {
  const value = input.trim().normalize('NFC').toLowerCase();
  if (value.length > 320) return null;
  const at = value.lastIndexOf('@');
  if (at <= 0 || at === value.length - 1) return null;
  const local = value.slice(0, at);
  const domain = domainToASCII(value.slice(at + 1));
  if (local.length > 64 || /[\s<>()[\]\\,;:"@]/u.test(local)) return null;
  if (domain === '' || !domain.includes('.') || domain.startsWith('.') || domain.endsWith('.'))
    return null;
  if (!/^[a-z0-9.-]+$/.test(domain) || domain.includes('..')) return null;
  return `${local}@${domain}`;
};

/** The lookup key of a normalized address: HMAC-SHA256 under the keyring's HMAC key. */
export const hashEmail = (keyring: Keyring, normalized: string): string =>
  createHmac('sha256', keyring.hmacKey).update(normalized, 'utf8').digest('base64url');

/** Same construction for other personal identifiers (customer ids) used only for matching. */
export const hashIdentifier = (keyring: Keyring, kind: string, value: string): string =>
  createHmac('sha256', keyring.hmacKey).update(`${kind}\0${value}`, 'utf8').digest('base64url');

export interface Sealed {
  keyId: string;
  /** base64url(iv) . base64url(tag) . base64url(ciphertext) */
  value: string;
}

export const sealEmail = (keyring: Keyring, normalized: string): Sealed => {
  const key = keyring.encryptionKeys.get(keyring.currentKeyId);
  if (!key) throw new LwError('LW_KEYS', 'the current encryption key is missing');
  const iv = randomBytesFromPool(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  // The key id is authenticated too, so a row cannot be silently re-labelled with another key.
  cipher.setAAD(Buffer.from(keyring.currentKeyId, 'utf8'));
  const body = Buffer.concat([cipher.update(normalized, 'utf8'), cipher.final()]);
  const value = [iv, cipher.getAuthTag(), body].map((b) => b.toString('base64url')).join('.');
  return { keyId: keyring.currentKeyId, value };
};

export const openEmail = (keyring: Keyring, sealed: Sealed): string => {
  const key = keyring.encryptionKeys.get(sealed.keyId);
  if (!key) throw new LwError('LW_KEYS', `no encryption key with id ${sealed.keyId}`);
  const [iv, tag, body] = sealed.value.split('.').map((part) => Buffer.from(part, 'base64url'));
  if (!iv || !tag || !body) throw new LwError('LW_KEYS', 'malformed encrypted value');
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, iv);
    decipher.setAAD(Buffer.from(sealed.keyId, 'utf8'));
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(body), decipher.final()]).toString('utf8');
  } catch {
    throw new LwError('LW_KEYS', `cannot decrypt with key ${sealed.keyId}`);
  }
};

/** j***@example.com: enough for a person to recognise their own address, not to learn another's. */
export const maskEmail = (normalized: string): string => {
  const at = normalized.lastIndexOf('@');
  const local = normalized.slice(0, at);
  const first = [...local][0] ?? '';
  return `${first}***${normalized.slice(at)}`;
};
