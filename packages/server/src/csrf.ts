import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Stateless double-submit CSRF protection that works without JavaScript: a random nonce in an
 * HttpOnly SameSite=Strict cookie, and HMAC(formKey, nonce) in a hidden form field. A forged
 * cross-site post has neither the cookie nor a way to compute the field.
 */
export const csrfCookie = 'lw_csrf';

export const newNonce = (): string => randomBytes(18).toString('base64url');

export const isNonce = (value: string | undefined): value is string =>
  value !== undefined && /^[A-Za-z0-9_-]{24}$/.test(value);

export const formToken = (formKey: Buffer, nonce: string): string =>
  createHmac('sha256', formKey).update(`csrf\0${nonce}`).digest('base64url');

export const checkFormToken = (
  formKey: Buffer,
  nonce: string | undefined,
  token: unknown,
): boolean => {
  if (!isNonce(nonce) || typeof token !== 'string') return false;
  const expected = Buffer.from(formToken(formKey, nonce));
  const given = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
};

export const parseCookies = (header: string | undefined): Map<string, string> => {
  const cookies = new Map<string, string>();
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0) cookies.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  return cookies;
};
