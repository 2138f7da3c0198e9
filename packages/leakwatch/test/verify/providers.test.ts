// Every built-in verify definition against a loopback imitation of its provider: documented
// success, documented rejection, rate limiting and garbage. Secrets are the rules' own examples.

import { readdirSync, readFileSync } from 'node:fs';
import { parse } from 'smol-toml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectVerifyChecks, type VerifyCheck } from '../../src/verify/checks.js';
import { verifyFindings, type VerifyOptions } from '../../src/verify/verify.js';
import {
  makeFinding,
  startFakeProvider,
  type FakeProvider,
  type FakeReply,
} from './fake-provider.js';
import { FIXTURES, type ProviderFixture } from './provider-fixtures.js';

interface RawRule {
  id: string;
  provider?: string;
  verify?: Record<string, unknown>;
  examples?: { secret: string }[];
  required?: { id: string }[];
}

const RULES_DIR = new URL('../../rules/', import.meta.url);

function loadRules(): RawRule[] {
  return readdirSync(RULES_DIR)
    .filter((f) => f.endsWith('.toml'))
    .flatMap(
      (f) =>
        (parse(readFileSync(new URL(f, RULES_DIR), 'utf8')) as { rules?: RawRule[] }).rules ?? [],
    );
}

const rules = loadRules();
const byId = new Map(rules.map((r) => [r.id, r]));
const collected = collectVerifyChecks(
  rules.map((r) => ({ ...r, source: `rules/${r.provider}.toml`, origin: 'builtin' as const })),
);
const checks = [...collected.checks.values()];

function exampleSecret(id: string): string {
  const secret = byId.get(id)?.examples?.[0]?.secret;
  if (!secret) throw new Error(`rule ${id} has no example`);
  return secret;
}

function partsOf(id: string): Record<string, string> {
  return Object.fromEntries((byId.get(id)?.required ?? []).map((p) => [p.id, exampleSecret(p.id)]));
}

/** Same length and alphabet, different value: what a rotated key looks like. */
function rotated(secret: string): string {
  const last = secret.at(-1) ?? 'a';
  const swap = /[0-9]/.test(last) ? (last === '1' ? '2' : '1') : last === 'b' ? 'c' : 'b';
  return `${secret.slice(0, -1)}${swap}`;
}

type Mode = 'normal' | 'rate-limited' | 'html' | 'odd-json';
let mode: Mode = 'normal';
let current:
  { fixture: ProviderFixture; secret: string; parts: Record<string, string> } | undefined;
let server: FakeProvider;

function answer(req: Parameters<ProviderFixture['auth']>[0]): FakeReply {
  if (mode === 'rate-limited')
    return { status: 429, headers: { 'retry-after': '3600' }, body: { message: 'rate limited' } };
  if (mode === 'html')
    return { status: 200, body: '<html><body>Please sign in to the network</body></html>' };
  if (mode === 'odd-json') return { status: 200, body: { unexpected: 'shape' } };
  if (!current) return { status: 500, body: 'no test running' };
  const { fixture, secret, parts } = current;
  const path = req.path.split('?')[0];
  const pathOk =
    typeof fixture.path === 'string' ? path === fixture.path : fixture.path.test(path ?? '');
  if (!pathOk || req.method !== (fixture.method ?? 'GET'))
    return { status: 404, body: { message: 'Not Found' } };
  return fixture.auth(req, secret, parts) ? fixture.live : fixture.invalid;
}

beforeAll(async () => {
  server = await startFakeProvider(answer);
});
afterAll(async () => {
  await server.close();
});

async function run(check: VerifyCheck, secret: string, parts: Record<string, string>) {
  const opts: VerifyOptions = {
    checks: new Map([[check.ruleId, check]]),
    version: '0.1.0',
    baseUrlOverrides: server.overrides(check.spec.hosts),
    perProviderRate: 1000,
    timeoutMs: 5000,
  };
  const finding = makeFinding(check.ruleId, secret, {
    parts: Object.entries(parts).map(([ruleId, s]) => ({ ruleId, secret: s })),
  });
  const [out] = await verifyFindings([finding], opts);
  return out?.verification;
}

describe('built-in verify definitions', () => {
  it('are valid, trusted and cover at least 40 providers', () => {
    expect(collected.errors).toEqual([]);
    expect(new Set(checks.map((c) => c.provider)).size).toBeGreaterThanOrEqual(40);
  });

  it('each have a loopback imitation of their provider', () => {
    expect(checks.map((c) => c.ruleId).filter((id) => !FIXTURES[id])).toEqual([]);
  });
});

describe.each(checks.map((c) => [c.ruleId, c] as const))('%s', (ruleId, check) => {
  const fixture = FIXTURES[ruleId];
  const secret = exampleSecret(ruleId);
  const parts = partsOf(ruleId);

  it.runIf(fixture)('is live for the documented success, with its identity', async () => {
    mode = 'normal';
    current = { fixture: fixture!, secret, parts };
    const before = server.requests.length;
    const v = await run(check, secret, parts);
    expect(v?.status, v?.reason ?? '').toBe('live');
    if (fixture!.identity) expect(v?.identity).toEqual(fixture!.identity);
    const sent = server.requests.slice(before);
    expect(sent).toHaveLength(1);
    expect(sent[0]?.host).toBe(check.spec.hosts[0]);
    expect(sent[0]?.headers['user-agent']).toBe(
      'leakwatch-verify/0.1.0 (+https://github.com/leakwatch/leakwatch)',
    );
  });

  it.runIf(fixture)('is invalid for a rotated credential', async () => {
    mode = 'normal';
    current = { fixture: fixture!, secret, parts };
    const v = await run(check, rotated(secret), parts);
    expect(v?.status, v?.reason ?? '').toBe('invalid');
  });

  it.each([
    ['rate-limited', 'rate limited (retry after 3600 s)'],
    ['html', 'unexpected response (HTTP 200)'],
    ['odd-json', 'unexpected response (HTTP 200)'],
  ] as const)('is unknown when the provider answers %s', async (m, reason) => {
    mode = m;
    const v = await run(check, secret, parts);
    expect(v).toMatchObject({ status: 'unknown', reason });
  });

  it('sends the secret to its allowlisted host and nowhere else', async () => {
    const urls: string[] = [];
    const spy: typeof fetch = async (input) => {
      urls.push(String(input));
      return new Response('{}', { status: 418 });
    };
    const finding = makeFinding(ruleId, secret, {
      parts: Object.entries(parts).map(([id, s]) => ({ ruleId: id, secret: s })),
    });
    await verifyFindings([finding], {
      checks: new Map([[ruleId, check]]),
      version: '0',
      fetch: spy,
    });
    expect(urls.length).toBe(1);
    const url = new URL(urls[0] ?? '');
    expect(url.protocol).toBe('https:');
    expect(check.spec.hosts).toContain(url.hostname);
  });
});
