import { describe, expect, it } from 'vitest';
import { buildRequest, RequestBuildError } from '../../src/verify/request.js';
import { retryAfterSeconds } from '../../src/verify/response.js';
import { validateVerifySpec, type VerifySpec } from '../../src/verify/spec.js';

function spec(raw: Record<string, unknown>): VerifySpec {
  const { spec: out, errors } = validateVerifySpec(
    {
      hosts: ['api.example.com'],
      live: { status: 200, jsonExists: 'id' },
      invalid: { status: 401 },
      ...raw,
    },
    't',
  );
  expect(errors).toEqual([]);
  return out!;
}

const opts = { userAgent: 'ua', date: new Date('2026-11-25T21:00:00Z') };
const finding = (secret: string) => ({ secret, parts: [] });

describe('buildRequest', () => {
  it('renders a form body and sets its content type', () => {
    const req = buildRequest(
      spec({
        method: 'POST',
        url: 'https://api.example.com/verify',
        form: { token: '{{secret}}', kind: 'a b' },
      }),
      finding('t&k=1'),
      opts,
    );
    expect(req.body).toBe('token=t%26k%3D1&kind=a+b');
    expect(req.headers['content-type']).toBe('application/x-www-form-urlencoded; charset=utf-8');
    expect(req.headers['user-agent']).toBe('ua');
  });

  it('renders JSON bodies value by value, so a secret cannot break out of its string', () => {
    const req = buildRequest(
      spec({
        method: 'POST',
        url: 'https://api.example.com/graphql',
        json: { query: 'q', vars: { key: '{{secret}}', n: 1 } },
      }),
      finding('a"}, "evil": {"'),
      opts,
    );
    expect(JSON.parse(req.body ?? '')).toEqual({
      query: 'q',
      vars: { key: 'a"}, "evil": {"', n: 1 },
    });
  });

  it('keeps `:` and `@` in path segments but encodes separators', () => {
    const req = buildRequest(
      spec({ url: 'https://api.example.com/bot{{secret}}/getMe' }),
      finding('123:AB/c?d#e'),
      opts,
    );
    expect(req.url.pathname).toBe('/bot123:AB%2Fc%3Fd%23e/getMe');
    expect(req.url.host).toBe('api.example.com');
  });

  it('refuses a secret that would split a header', () => {
    const s = spec({
      url: 'https://api.example.com/me',
      headers: { Authorization: 'Bearer {{secret}}' },
    });
    expect(() => buildRequest(s, finding('abc\r\nX-Evil: 1'), opts)).toThrow(RequestBuildError);
  });

  it('signs with SigV4 and never puts the secret in the request', () => {
    const req = buildRequest(
      spec({
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
        live: { status: 200, bodyContains: '<Account>' },
      }),
      {
        secret: 'SECRETsecretSECRETsecretSECRETsecret0000',
        parts: [
          {
            ruleId: 'aws.access-key-id',
            secret: 'AKIAQWERTYUIOPASDFGH',
            location: { line: 1, column: 1, endLine: 1, endColumn: 2, snippet: '' },
          },
        ],
      },
      opts,
    );
    expect(req.headers.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIAQWERTYUIOPASDFGH\/20261125\/us-east-1\/sts\/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=[0-9a-f]{64}$/,
    );
    expect(req.headers['x-amz-date']).toBe('20261125T210000Z');
    expect(JSON.stringify(req)).not.toContain('SECRETsecret');
  });
});

describe('retryAfterSeconds', () => {
  it.each([
    ['120', 120],
    ['Wed, 25 Nov 2026 21:01:00 GMT', 60],
    ['soon', undefined],
  ])('reads %j', (value, seconds) => {
    const headers = new Headers({ 'retry-after': value });
    expect(retryAfterSeconds(headers, Date.parse('2026-11-25T21:00:00Z'))).toBe(seconds);
  });
});
