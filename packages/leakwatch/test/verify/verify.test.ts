import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { collectVerifyChecks, type VerifyCheck } from '../../src/verify/checks.js';
import { CACHE_FILE } from '../../src/verify/cache.js';
import { validateVerifySpec } from '../../src/verify/spec.js';
import {
  createVerifier,
  verifyFindings,
  type VerifyLogEntry,
  type VerifyOptions,
} from '../../src/verify/verify.js';
import {
  makeFinding,
  startFakeProvider,
  type FakeProvider,
  type FakeReply,
} from './fake-provider.js';

const TOKEN = 'ghp_R7tWq2ZkP9xLm4VbN8cJd3FhY6sGa1Eu0Toi';

function checkFrom(ruleId: string, raw: Record<string, unknown>): VerifyCheck {
  const { spec, errors } = validateVerifySpec(raw, 'test');
  expect(errors).toEqual([]);
  return { ruleId, provider: ruleId.split('.')[0] ?? ruleId, spec: spec! };
}

const exampleCheck = checkFrom('example.token', {
  hosts: ['api.example.com'],
  url: 'https://api.example.com/user',
  headers: { Authorization: 'token {{secret}}' },
  live: { status: 200, jsonExists: 'login' },
  invalid: { status: [401, 403] },
  identity: { user: 'json:login', account: 'json:id', scopes: 'header:x-oauth-scopes' },
});
const otherCheck = checkFrom('other.token', {
  hosts: ['api.other.example'],
  url: 'https://api.other.example/me',
  headers: { 'X-Api-Key': '{{secret}}' },
  live: { status: 200, json: { ok: true } },
  invalid: { status: 401 },
});
const compositeCheck = checkFrom('pair.secret', {
  hosts: ['api.pair.example'],
  url: 'https://api.pair.example/accounts/{{part:pair.id}}.json',
  basicAuth: { username: '{{part:pair.id}}', password: '{{secret}}' },
  live: { status: 200, jsonExists: 'sid' },
  invalid: { status: 401 },
});

const live: FakeReply = {
  status: 200,
  headers: { 'x-oauth-scopes': 'repo, read:org' },
  body: { login: 'octocat', id: 583231 },
};

let server: FakeProvider;
let reply: (path: string) => FakeReply;
let logs: VerifyLogEntry[];
const clock = { t: Date.parse('2026-11-25T21:00:00Z') };

function options(extra: Partial<VerifyOptions> = {}): VerifyOptions {
  return {
    checks: new Map([exampleCheck, otherCheck, compositeCheck].map((c) => [c.ruleId, c])),
    version: '9.9.9',
    baseUrlOverrides: server.overrides([
      'api.example.com',
      'api.other.example',
      'api.pair.example',
    ]),
    concurrency: 4,
    perProviderRate: 1000,
    timeoutMs: 2000,
    ttlMs: 60_000,
    now: () => new Date(clock.t),
    log: (e) => logs.push(e),
    ...extra,
  };
}

beforeEach(async () => {
  logs = [];
  reply = () => live;
  server = await startFakeProvider((req) => reply(req.path));
});
afterEach(async () => {
  await server.close();
});

describe('verifyFindings: outcomes', () => {
  it('reports live with the identity, the distinct User-Agent and a log line', async () => {
    const [f] = await verifyFindings([makeFinding('example.token', TOKEN)], options());
    expect(f?.verification).toEqual({
      status: 'live',
      reason: null,
      identity: { user: 'octocat', account: '583231', scopes: ['repo', 'read:org'] },
      checkedAt: '2026-11-25T21:00:00.000Z',
    });
    const [req] = server.requests;
    expect(req?.host).toBe('api.example.com');
    expect(req?.path).toBe('/user');
    expect(req?.headers.authorization).toBe(`token ${TOKEN}`);
    expect(req?.headers['user-agent']).toBe(
      'leakwatch-verify/9.9.9 (+https://github.com/leakwatch/leakwatch)',
    );
    expect(logs).toEqual([
      expect.objectContaining({
        time: '2026-11-25T21:00:00.000Z',
        event: 'request',
        provider: 'example',
        fingerprint: f?.fingerprint,
        host: 'api.example.com',
        httpStatus: 200,
        status: 'live',
      }),
    ]);
    expect(JSON.stringify(logs)).not.toContain(TOKEN);
  });

  it.each([
    [
      'a documented rejection',
      { status: 401, body: { message: 'Bad credentials' } },
      'invalid',
      'rejected by the provider (HTTP 401)',
    ],
    [
      'an HTML page with 200',
      { status: 200, body: '<html>Sign in to the Wi-Fi</html>' },
      'unknown',
      'unexpected response (HTTP 200)',
    ],
    [
      'JSON without the expected field',
      { status: 200, body: { hello: 'world' } },
      'unknown',
      'unexpected response (HTTP 200)',
    ],
    ['a server error', { status: 503, body: 'oops' }, 'unknown', 'provider error (HTTP 503)'],
    [
      'a redirect',
      { status: 302, headers: { location: 'https://evil.example/' }, body: '' },
      'unknown',
      'redirect not followed (HTTP 302)',
    ],
    ['an unlisted status', { status: 418, body: {} }, 'unknown', 'unexpected response (HTTP 418)'],
  ] as const)('maps %s to %s', async (_name, answer, status, reason) => {
    reply = () => answer as FakeReply;
    const [f] = await verifyFindings([makeFinding('example.token', TOKEN)], options());
    expect(f?.verification?.status).toBe(status);
    expect(f?.verification?.reason).toBe(reason);
    expect(f?.verification?.identity).toBeUndefined();
    expect(server.requests).toHaveLength(1);
  });

  it('times out a slow provider as unknown', async () => {
    reply = () => ({ ...live, delayMs: 1000 });
    const [f] = await verifyFindings(
      [makeFinding('example.token', TOKEN)],
      options({ timeoutMs: 100 }),
    );
    expect(f?.verification).toMatchObject({ status: 'unknown', reason: 'timeout after 100 ms' });
  });

  it('turns a refused connection into unknown without throwing', async () => {
    const closed = await startFakeProvider(() => live);
    const url = closed.base('api.example.com');
    await closed.close();
    const [f] = await verifyFindings(
      [makeFinding('example.token', TOKEN)],
      options({ baseUrlOverrides: { 'api.example.com': url } }),
    );
    expect(f?.verification).toMatchObject({
      status: 'unknown',
      reason: 'network error (ECONNREFUSED)',
    });
  });

  it('says why a finding without a trusted check is not verified, without a request', async () => {
    const [f] = await verifyFindings([makeFinding('nobody.token', TOKEN)], options());
    expect(f?.verification).toMatchObject({
      status: 'unknown',
      reason: 'no trusted verification check for nobody.token',
    });
    expect(server.requests).toHaveLength(0);
  });

  it('fills {{part:...}} from the finding parts (encoded in the path) and needs them', async () => {
    reply = () => ({ status: 200, body: { sid: 'AC1' } });
    const [ok, missing] = await verifyFindings(
      [
        makeFinding('pair.secret', 's3cr3t-value', {
          parts: [{ ruleId: 'pair.id', secret: 'ID/1' }],
        }),
        makeFinding('pair.secret', 'other-value'),
      ],
      options(),
    );
    expect(ok?.verification?.status).toBe('live');
    expect(server.requests[0]?.path).toBe('/accounts/ID%2F1.json');
    expect(server.requests[0]?.headers.authorization).toBe(
      `Basic ${Buffer.from('ID/1:s3cr3t-value').toString('base64')}`,
    );
    expect(missing?.verification).toMatchObject({
      status: 'unknown',
      reason: 'missing part pair.id',
    });
    expect(server.requests).toHaveLength(1);
  });
});

describe('verifyFindings: rate limits', () => {
  it('retries once after a short Retry-After', async () => {
    let calls = 0;
    reply = () =>
      ++calls === 1 ? { status: 429, headers: { 'retry-after': '0' }, body: {} } : live;
    const [f] = await verifyFindings([makeFinding('example.token', TOKEN)], options());
    expect(f?.verification?.status).toBe('live');
    expect(server.requests).toHaveLength(2);
    expect(logs.map((l) => [l.attempt, l.httpStatus])).toEqual([
      [1, 429],
      [2, 200],
    ]);
  });

  it('gives up on a long Retry-After and stops calling that provider, not others', async () => {
    reply = (path) =>
      path === '/user'
        ? { status: 429, headers: { 'retry-after': '3600' }, body: {} }
        : { status: 200, body: { ok: true } };
    const out = await verifyFindings(
      [
        makeFinding('example.token', TOKEN),
        makeFinding('example.token', `${TOKEN.slice(0, -1)}X`),
        makeFinding('other.token', 'k-123456'),
      ],
      options({ concurrency: 1 }),
    );
    expect(out.map((f) => f.verification?.reason)).toEqual([
      'rate limited (retry after 3600 s)',
      'rate limited (retry after 3600 s)',
      null,
    ]);
    expect(out[2]?.verification?.status).toBe('live');
    expect(server.requests.map((r) => r.host)).toEqual(['api.example.com', 'api.other.example']);
  });

  it('spaces requests to one provider by perProviderRate', async () => {
    const findings = [0, 1, 2, 3].map((i) =>
      makeFinding('example.token', `${TOKEN.slice(0, -1)}${i}`),
    );
    await verifyFindings(findings, options({ perProviderRate: 10 }));
    const times = server.requests.map((r) => r.at);
    expect(times).toHaveLength(4);
    for (let i = 1; i < times.length; i++) {
      expect((times[i] ?? 0) - (times[i - 1] ?? 0)).toBeGreaterThanOrEqual(80);
    }
  });

  it('keeps at most `concurrency` requests in flight', async () => {
    reply = () => ({ ...live, delayMs: 80 });
    const findings = Array.from({ length: 6 }, (_, i) =>
      makeFinding('example.token', `${TOKEN.slice(0, -1)}${i}`),
    );
    await verifyFindings(findings, options({ concurrency: 2 }));
    expect(server.requests).toHaveLength(6);
    expect(server.maxInFlight()).toBe(2);
  });
});

describe('verifyFindings: dedupe and caches', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lw-verify-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('checks each fingerprint once and gives every copy the result', async () => {
    const a = makeFinding('example.token', TOKEN, { fingerprint: 'example.token:A' });
    const b = makeFinding('example.token', `${TOKEN.slice(0, -1)}Z`, {
      fingerprint: 'example.token:B',
    });
    const out = await verifyFindings([a, b, { ...a }], options());
    expect(server.requests).toHaveLength(2);
    expect(out.map((f) => f.verification?.status)).toEqual(['live', 'live', 'live']);
  });

  it('reuses in-run results across calls of one verifier', async () => {
    const verifier = createVerifier(options());
    await verifier.verify([makeFinding('example.token', TOKEN)]);
    const [again] = await verifier.verify([makeFinding('example.token', TOKEN)]);
    expect(again?.verification?.status).toBe('live');
    expect(server.requests).toHaveLength(1);
  });

  it('keeps conclusive results on disk for the TTL, keyed by fingerprint only', async () => {
    const finding = makeFinding('example.token', TOKEN);
    await verifyFindings([finding], options({ cacheDir: dir }));
    const text = await readFile(join(dir, CACHE_FILE), 'utf8');
    expect(text).not.toContain(TOKEN);
    expect(Object.keys(JSON.parse(text).entries)).toEqual([finding.fingerprint]);
    expect((await stat(join(dir, CACHE_FILE))).mode & 0o077).toBe(0);

    clock.t += 30_000;
    const [cached] = await verifyFindings([finding], options({ cacheDir: dir }));
    expect(cached?.verification).toMatchObject({
      status: 'live',
      checkedAt: '2026-11-25T21:00:00.000Z',
    });
    expect(server.requests).toHaveLength(1);
    expect(logs.at(-1)).toMatchObject({ event: 'cache-hit', fingerprint: finding.fingerprint });

    clock.t += 31_000;
    const [fresh] = await verifyFindings([finding], options({ cacheDir: dir }));
    expect(fresh?.verification?.checkedAt).toBe('2026-11-25T21:01:01.000Z');
    expect(server.requests).toHaveLength(2);
    clock.t = Date.parse('2026-11-25T21:00:00Z');
  });

  it('does not cache unknown results on disk', async () => {
    reply = () => ({ status: 500, body: 'down' });
    const finding = makeFinding('example.token', TOKEN);
    await verifyFindings([finding], options({ cacheDir: dir }));
    reply = () => live;
    const [again] = await verifyFindings([finding], options({ cacheDir: dir }));
    expect(again?.verification?.status).toBe('live');
    expect(server.requests).toHaveLength(2);
  });
});

describe('only the allowlisted host is ever contacted', () => {
  it('keeps a hostile secret inside the path and query of the allowlisted host', async () => {
    const seen: string[] = [];
    const stub: typeof fetch = async (input) => {
      seen.push(String(input));
      return new Response(JSON.stringify({ sid: 'x', login: 'x' }), { status: 200 });
    };
    const hostile = 'x@evil.example/../..?#%2F\\@evil.example';
    const telegramLike = checkFrom('path.token', {
      hosts: ['api.path.example'],
      url: 'https://api.path.example/bot{{secret}}/getMe',
      query: { key: '{{secret}}' },
      live: { status: 200, jsonExists: 'login' },
      invalid: { status: 401 },
    });
    const out = await verifyFindings(
      [
        makeFinding('path.token', hostile),
        makeFinding('pair.secret', hostile, { parts: [{ ruleId: 'pair.id', secret: hostile }] }),
      ],
      {
        checks: new Map([telegramLike, compositeCheck].map((c) => [c.ruleId, c])),
        version: '1',
        fetch: stub,
        perProviderRate: 1000,
      },
    );
    expect(out.map((f) => f.verification?.status)).toEqual(['live', 'live']);
    expect(seen.map((u) => new URL(u).host)).toEqual(['api.path.example', 'api.pair.example']);
  });
});

describe('collectVerifyChecks', () => {
  const verify = {
    hosts: ['api.example.com'],
    url: 'https://api.example.com/user',
    headers: { Authorization: 'token {{secret}}' },
    live: { status: 200, jsonExists: 'login' },
    invalid: { status: 401 },
  };

  it('honours definitions only from built-in rules and an explicit --config', () => {
    const out = collectVerifyChecks([
      { id: 'a.builtin', verify, source: 'rules/a.toml', origin: 'builtin' },
      { id: 'b.flag', verify, source: 'my.toml', origin: 'user' },
      { id: 'c.repo', verify, source: 'repo/.leakwatch.toml', origin: 'repository' },
      { id: 'd.unmarked', verify, source: '?' },
      { id: 'e.none', source: 'rules/e.toml', origin: 'builtin' },
    ]);
    expect([...out.checks.keys()]).toEqual(['a.builtin', 'b.flag']);
    expect(out.untrusted).toEqual(['c.repo', 'd.unmarked']);
    expect(out.errors).toEqual([]);
  });

  it('needs every {{part:...}} to be a required part of the rule', () => {
    const pair = { ...verify, headers: { Authorization: '{{part:a.id}}:{{secret}}' } };
    const out = collectVerifyChecks([
      { id: 'a.ok', verify: pair, source: 'a.toml', origin: 'builtin', required: [{ id: 'a.id' }] },
      { id: 'a.loose', verify: pair, source: 'a.toml', origin: 'builtin', required: [] },
    ]);
    expect([...out.checks.keys()]).toEqual(['a.ok']);
    expect(out.errors).toEqual([
      'a.toml: rule a.loose: verify: uses {{part:a.id}} but the rule does not require a.id',
    ]);
  });

  it('reports invalid trusted definitions with file and rule id', () => {
    const out = collectVerifyChecks([
      {
        id: 'a.bad',
        verify: { ...verify, url: 'https://evil.example/x' },
        source: 'rules/a.toml',
        origin: 'builtin',
      },
    ]);
    expect(out.checks.size).toBe(0);
    expect(out.errors).toEqual([
      'rules/a.toml: rule a.bad: verify.url: host evil.example is not in verify.hosts (api.example.com)',
    ]);
  });
});
