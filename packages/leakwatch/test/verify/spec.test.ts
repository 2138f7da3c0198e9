import { describe, expect, it } from 'vitest';
import { partsUsed, validateVerifySpec, verifyTableErrors } from '../../src/verify/spec.js';

const base = {
  hosts: ['api.github.com'],
  url: 'https://api.github.com/user',
  headers: { Authorization: 'Bearer {{secret}}', Accept: 'application/vnd.github+json' },
  live: { status: 200, jsonExists: 'login' },
  invalid: [{ status: 401 }, { status: 403, bodyContains: 'Bad credentials' }],
  identity: { user: 'json:login', scopes: 'header:X-OAuth-Scopes' },
};

describe('validateVerifySpec', () => {
  it('normalizes a valid definition', () => {
    const { spec, errors } = validateVerifySpec(base, 'rules/github.toml: rule github.pat-classic');
    expect(errors).toEqual([]);
    expect(spec).toEqual({
      hosts: ['api.github.com'],
      method: 'GET',
      url: 'https://api.github.com/user',
      headers: { Authorization: 'Bearer {{secret}}', Accept: 'application/vnd.github+json' },
      query: {},
      live: [{ status: [200], jsonExists: ['login'] }],
      invalid: [{ status: [401] }, { status: [403], bodyContains: ['Bad credentials'] }],
      identity: {
        user: { from: 'json', path: 'login' },
        scopes: { from: 'header', path: 'X-OAuth-Scopes' },
      },
    });
  });

  it('accepts a signed composite definition and lists its parts', () => {
    const { spec, errors } = validateVerifySpec(
      {
        hosts: ['sts.amazonaws.com'],
        method: 'POST',
        url: 'https://sts.amazonaws.com/',
        form: { Action: 'GetCallerIdentity', Version: '2011-06-15' },
        sign: {
          scheme: 'aws-sigv4',
          accessKeyId: '{{part:aws.access-key-id}}',
          secretAccessKey: '{{secret}}',
          region: 'us-east-1',
          service: 'sts',
        },
        live: { status: 200, bodyContains: '<GetCallerIdentityResult>' },
        invalid: { status: 403, bodyContains: ['InvalidClientTokenId', 'SignatureDoesNotMatch'] },
        identity: { account: 'xml:Account', user: 'xml:Arn' },
      },
      'x',
    );
    expect(errors).toEqual([]);
    expect(partsUsed(spec!)).toEqual(['aws.access-key-id']);
  });

  it.each([
    [
      'a host outside the allowlist',
      { url: 'https://evil.example/user' },
      'verify.url: host evil.example is not in verify.hosts (api.github.com)',
    ],
    [
      'a templated host',
      { url: 'https://{{secret}}.github.com/user' },
      'verify.url: the host may not contain placeholders',
    ],
    ['plain http', { url: 'http://api.github.com/user' }, 'verify.url: must start with https://'],
    [
      'a port',
      { url: 'https://api.github.com:8443/user' },
      'verify.url: may not carry credentials or a port',
    ],
    [
      'userinfo',
      { url: 'https://u:p@api.github.com/user' },
      'verify.url: may not carry credentials or a port',
    ],
    [
      'no hosts',
      { hosts: [] },
      'verify.hosts: is required: the API host(s) this check may contact, e.g. ["api.github.com"]',
    ],
    [
      'a wildcard host',
      { hosts: ['*.github.com'] },
      'verify.hosts: "*.github.com" is not a lowercase DNS host name',
    ],
    [
      'an unknown placeholder',
      { headers: { Authorization: 'Bearer {{token}}' } },
      'verify.headers.Authorization: unknown placeholder {{token}} (use {{secret}} or {{part:<ruleId>}})',
    ],
    [
      'no secret at all',
      { headers: { Accept: 'x' } },
      'verify: never sends {{secret}}, so it cannot check it',
    ],
    [
      'a status-only live matcher',
      { live: { status: 200 } },
      'verify.live: each live matcher needs a body criterion (json, jsonExists, jsonType or bodyContains)',
    ],
    [
      '429 as a matcher',
      { invalid: { status: [401, 429] } },
      'verify.invalid.status: 429 always means "rate limited"',
    ],
    [
      'a write method',
      { method: 'DELETE' },
      'verify.method: must be GET or POST (checks are read-only identity calls)',
    ],
    ['an unknown field', { follow: true }, 'verify.follow: is not a verify field'],
    [
      'our own User-Agent',
      { headers: { Authorization: '{{secret}}', 'User-Agent': 'curl' } },
      'verify.headers.User-Agent: is set by leakwatch',
    ],
    ['a body on GET', { json: { token: '{{secret}}' } }, 'verify.json: needs method = "POST"'],
    [
      'an unknown identity field',
      { identity: { password: 'json:password' } },
      'verify.identity.password: is not an identity field (account, user, organization, scopes, tokenName)',
    ],
    [
      'a bad identity source',
      { identity: { user: 'login' } },
      'verify.identity.user: must be "json:<path>", "header:<name>" or "xml:<element>"',
    ],
    ['an empty matcher', { invalid: {} }, 'verify.invalid: has no criteria'],
    ['a missing invalid', { invalid: undefined }, 'verify.invalid: is required'],
  ])('rejects %s', (_name, patch, message) => {
    const { spec, errors } = validateVerifySpec({ ...base, ...patch }, 'f.toml: rule r.x');
    expect(spec).toBeUndefined();
    expect(errors).toContain(`f.toml: rule r.x: ${message}`);
  });

  it('collects every error, not just the first', () => {
    const { errors } = validateVerifySpec({ url: 'http://x', live: {}, extra: 1 }, 'w');
    expect(errors.length).toBeGreaterThanOrEqual(5);
  });

  it('gives bare messages to the config validator hook', () => {
    expect(verifyTableErrors({ ...base, url: 'https://evil.example/user' })).toEqual([
      'url: host evil.example is not in verify.hosts (api.github.com)',
    ]);
    expect(verifyTableErrors(base)).toEqual([]);
  });

  it('rejects a non-table', () => {
    expect(validateVerifySpec('GET https://x', 'w').errors).toEqual(['w: verify: must be a table']);
  });
});
