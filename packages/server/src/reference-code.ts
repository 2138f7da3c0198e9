import { randomBytes } from 'node:crypto';

/**
 * Notice reference codes: 80 random bits as 16 Crockford base32 symbols plus one check symbol
 * (value mod 37, Crockford's check alphabet), printed in groups of four: XXXX-XXXX-XXXX-XXXX-C.
 * Crockford's alphabet has no I, L, O or U, and readers map I/L to 1 and O to 0, so a code read out
 * over the phone or retyped from paper survives; the check symbol catches a single wrong symbol or
 * a swap of adjacent ones before the database is asked.
 */
const alphabet = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const checkAlphabet = alphabet + '*~$=U';
export const referenceCodeBits = 80;
const symbols = referenceCodeBits / 5;

const checkSymbol = (body: string): string => {
  let remainder = 0;
  for (const char of body) remainder = (remainder * 32 + alphabet.indexOf(char)) % 37;
  return checkAlphabet[remainder] as string;
};

export const mintReferenceCode = (random: (size: number) => Buffer = randomBytes): string => {
  const bytes = random(referenceCodeBits / 8);
  let bits = 0n;
  for (const byte of bytes) bits = (bits << 8n) | BigInt(byte);
  let body = '';
  for (let i = symbols - 1; i >= 0; i--) body += alphabet[Number((bits >> BigInt(i * 5)) & 31n)];
  return formatReferenceCode(body + checkSymbol(body));
};

const formatReferenceCode = (compact: string): string =>
  `${compact.slice(0, 4)}-${compact.slice(4, 8)}-${compact.slice(8, 12)}-${compact.slice(12, 16)}-${compact.slice(16)}`;

/**
 * Canonical form of what a person typed, or null if it cannot be a code of ours (wrong length,
 * foreign symbols, bad check symbol).
 */
export const parseReferenceCode = (input: string): string | null => {
  const compact = input
    .toUpperCase()
    .replace(/[\s-]/g, '')
    .replace(/[IL]/g, '1')
    .replace(/O/g, '0');
  if (compact.length !== symbols + 1) return null;
  const body = compact.slice(0, symbols);
  if (![...body].every((c) => alphabet.includes(c))) return null;
  if (checkSymbol(body) !== compact.slice(symbols)) return null;
  return formatReferenceCode(compact);
};
