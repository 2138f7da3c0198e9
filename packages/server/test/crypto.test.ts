import { describe, expect, it } from 'vitest';
import { hashEmail, maskEmail, normalizeEmail, openEmail, sealEmail } from '../src/crypto/email.js';
import {
  addEncryptionKey,
  generateKeyring,
  parseKeyring,
  serializeKeyring,
} from '../src/crypto/keys.js';
import { mintReferenceCode, parseReferenceCode, referenceCodeBits } from '../src/reference-code.js';

describe('normalizeEmail', () => {
  it.each([
    ['  Alice@Example.COM ', 'alice@example.com'],
    ['first.last+tag@gmail.com', 'first.last+tag@gmail.com'],
    ['user@bücher.example', 'user@xn--bcher-kva.example'],
    ['user@XN--BCHER-KVA.example', 'user@xn--bcher-kva.example'],
    ['e\u0301mile@example.com', '\u00e9mile@example.com'],
    ['山田@例え.jp', '山田@xn--r8jz45g.jp'],
  ])('%j -> %j', (input, expected) => {
    expect(normalizeEmail(input)).toBe(expected);
  });

  it.each([
    '',
    'plain',
    '@example.com',
    'a@',
    'a@b',
    'a b@example.com',
    'a@exa mple.com',
    'a@@example.com',
    'a@example..com',
    `${'x'.repeat(65)}@example.com`,
    "'; DROP TABLE people;--",
  ])('rejects %j', (input) => {
    expect(normalizeEmail(input)).toBeNull();
  });
});

describe('email sealing', () => {
  const keyring = generateKeyring();

  it('hashes deterministically per key and seals with a fresh IV', () => {
    expect(hashEmail(keyring, 'a@example.com')).toBe(hashEmail(keyring, 'a@example.com'));
    expect(hashEmail(generateKeyring(), 'a@example.com')).not.toBe(
      hashEmail(keyring, 'a@example.com'),
    );
    const one = sealEmail(keyring, 'a@example.com');
    const two = sealEmail(keyring, 'a@example.com');
    expect(one.value).not.toBe(two.value);
    expect(openEmail(keyring, one)).toBe('a@example.com');
  });

  it('detects tampering and a relabelled key id', () => {
    const sealed = sealEmail(keyring, 'a@example.com');
    const [iv, tag, body] = sealed.value.split('.');
    const flipped = Buffer.from(body!, 'base64url');
    flipped[0] = flipped[0]! ^ 1;
    expect(() =>
      openEmail(keyring, { ...sealed, value: [iv, tag, flipped.toString('base64url')].join('.') }),
    ).toThrow(expect.objectContaining({ code: 'LW_KEYS' }));
    const rotated = addEncryptionKey(keyring);
    expect(openEmail(rotated, sealed)).toBe('a@example.com');
    expect(() => openEmail(rotated, { ...sealed, keyId: rotated.currentKeyId })).toThrow(
      expect.objectContaining({ code: 'LW_KEYS' }),
    );
  });

  it('round-trips the key file and rejects broken ones', () => {
    const parsed = parseKeyring(serializeKeyring(keyring));
    expect(parsed.hmacKey.equals(keyring.hmacKey)).toBe(true);
    expect([...parsed.encryptionKeys.keys()]).toEqual([keyring.currentKeyId]);
    expect(() => parseKeyring('{')).toThrow(expect.objectContaining({ code: 'LW_KEYS' }));
    const bad = JSON.parse(serializeKeyring(keyring));
    bad.currentKeyId = 'missing';
    expect(() => parseKeyring(JSON.stringify(bad))).toThrow(/currentKeyId/);
  });

  it('masks addresses', () => {
    expect(maskEmail('john@example.com')).toBe('j***@example.com');
    expect(maskEmail('山田@example.jp')).toBe('山***@example.jp');
  });
});

describe('reference codes', () => {
  it('carry 80 random bits as 16 Crockford symbols plus a check symbol', () => {
    expect(referenceCodeBits).toBeGreaterThanOrEqual(80);
    const code = mintReferenceCode();
    expect(code).toMatch(
      /^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}-[0-9A-HJKMNP-TV-Z*~$=U]$/,
    );
    expect(new Set(Array.from({ length: 200 }, () => mintReferenceCode())).size).toBe(200);
  });

  it('encodes known bytes exactly', () => {
    const zero = mintReferenceCode((n) => Buffer.alloc(n));
    expect(zero).toBe('0000-0000-0000-0000-0');
    const ones = mintReferenceCode((n) => Buffer.alloc(n, 0xff));
    // 2^80 - 1 mod 37 = 33, the check alphabet's '~'
    expect(ones).toBe('ZZZZ-ZZZZ-ZZZZ-ZZZZ-~');
  });

  it('accepts what people type and rejects single-symbol errors and swaps', () => {
    const code = mintReferenceCode();
    expect(parseReferenceCode(code.toLowerCase().replace(/-/g, ' '))).toBe(code);
    expect(parseReferenceCode(code.replace(/0/g, 'O').replace(/1/g, 'I'))).toBe(code);
    const compact = code.replace(/-/g, '');
    const alphabet = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
    for (let i = 0; i < 16; i++) {
      const other = alphabet[(alphabet.indexOf(compact[i]!) + 7) % 32]!;
      expect(parseReferenceCode(compact.slice(0, i) + other + compact.slice(i + 1))).toBeNull();
      if (compact[i] !== compact[i + 1] && i < 15) {
        const swapped = compact.slice(0, i) + compact[i + 1] + compact[i] + compact.slice(i + 2);
        expect(parseReferenceCode(swapped)).toBeNull();
      }
    }
    expect(parseReferenceCode('')).toBeNull();
    expect(parseReferenceCode(code + 'X')).toBeNull();
  });
});
