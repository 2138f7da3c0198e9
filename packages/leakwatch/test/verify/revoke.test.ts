import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createRevokeCommand } from '../../src/cli/commands/revoke.js';
import type { CliContext } from '../../src/cli/context.js';
import { startFakeProvider, type FakeProvider, type FakeReply } from './fake-provider.js';

const PAT = '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';
const OAUTH = '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';
const INSTALLATION = 'ghs_IRAcChCbQPNRaBbmrc7GMPGKIe3AGX1LKT44';

function finding(ruleId: string, secret: string | undefined, status?: string) {
  return {
    fingerprint: `${ruleId}:fp-${secret?.slice(-4) ?? 'x'}`,
    ruleId,
    provider: ruleId.split('.')[0],
    redacted: `${(secret ?? 'xxxx').slice(0, 4)}…`,
    ...(secret ? { secret } : {}),
    revoke: `Delete it in the ${ruleId} settings (https://docs.example.com/revoke)`,
    locations: [{ path: 'config/app.env', line: 3, column: 1 }],
    ...(status
      ? { verification: { status, reason: null, checkedAt: '2026-11-25T21:00:00Z' } }
      : {}),
  };
}

function report(findings: object[]) {
  return JSON.stringify({
    schemaVersion: 1,
    tool: { name: 'leakwatch', version: '0.1.0' },
    findings,
  });
}

let server: FakeProvider;
let reply: FakeReply;
let dir: string;

beforeEach(async () => {
  reply = { status: 202, body: '' };
  server = await startFakeProvider(() => reply);
  dir = await mkdtemp(join(tmpdir(), 'lw-revoke-'));
});
afterEach(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

function context(opts: { isTTY?: boolean; stdin?: string } = {}) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: string[] = [];
  const err: string[] = [];
  stdout.on('data', (c) => out.push(String(c)));
  stderr.on('data', (c) => err.push(String(c)));
  const ctx: CliContext = {
    stdout,
    stderr,
    stdin: Readable.from(opts.stdin === undefined ? [] : [opts.stdin]),
    cwd: dir,
    env: {},
    isTTY: opts.isTTY ?? false,
    now: () => new Date('2026-11-25T21:00:00Z'),
  };
  return { ctx, out: () => out.join(''), err: () => err.join('') };
}

const command = () =>
  createRevokeCommand({ baseUrlOverrides: server.overrides(['api.github.com']) });

async function writeReport(findings: object[]): Promise<string> {
  const path = join(dir, 'report.json');
  await writeFile(path, report(findings));
  return 'report.json';
}

describe('leakwatch revoke', () => {
  it('submits GitHub tokens from a --no-redact report after --yes, unauthenticated', async () => {
    const file = await writeReport([
      finding('github.pat-classic', PAT, 'live'),
      finding('github.oauth-token', OAUTH, 'invalid'),
      finding('slack.bot-token', 'xoxb-2-3-abcdefabcdefabcdefabcdef', 'live'),
    ]);
    const { ctx, out } = context();
    expect(await command().run(['--report', file, '--yes'], ctx)).toBe(0);
    expect(server.requests).toHaveLength(1);
    const [req] = server.requests;
    expect(req).toMatchObject({
      method: 'POST',
      host: 'api.github.com',
      path: '/credentials/revoke',
    });
    expect(JSON.parse(req?.body ?? '')).toEqual({ credentials: [PAT, OAUTH] });
    expect(req?.headers.authorization).toBeUndefined();
    expect(req?.headers.accept).toBe('application/vnd.github+json');
    expect(req?.headers['user-agent']).toMatch(
      /^leakwatch-verify\/\d+\.\d+\.\d+ \(\+https:\/\/github\.com\/leakwatch\/leakwatch\)$/,
    );
    const text = out();
    expect(text).toContain('1 credential(s) have no public revocation API');
    expect(text).toContain('Delete it in the slack.bot-token settings');
    expect(text).toContain('revoked: github.pat-classic');
    expect(text).not.toContain(PAT);
  });

  it('filters by --live-only, --rule and --fingerprint', async () => {
    const file = await writeReport([
      finding('github.pat-classic', PAT, 'live'),
      finding('github.oauth-token', OAUTH, 'invalid'),
    ]);
    await command().run(['--report', file, '--yes', '--live-only'], context().ctx);
    await command().run(['--report', file, '--yes', '--rule', 'github.oauth-token'], context().ctx);
    await command().run(
      ['--report', file, '--yes', '--fingerprint', `github.pat-classic:fp-${PAT.slice(-4)}`],
      context().ctx,
    );
    expect(server.requests.map((r) => JSON.parse(r.body).credentials)).toEqual([
      [PAT],
      [OAUTH],
      [PAT],
    ]);
  });

  it('refuses a redacted report', async () => {
    const file = await writeReport([finding('github.pat-classic', undefined, 'live')]);
    await expect(command().run(['--report', file, '--yes'], context().ctx)).rejects.toThrow(
      /LW_REVOKE_REDACTED/,
    );
    expect(server.requests).toHaveLength(0);
  });

  it('refuses without --yes when nobody can confirm', async () => {
    const file = await writeReport([finding('github.pat-classic', PAT)]);
    await expect(command().run(['--report', file], context().ctx)).rejects.toThrow(/pass --yes/);
    expect(server.requests).toHaveLength(0);
  });

  it.each([
    ['revoke\n', 0, 1],
    ['yes\n', 1, 0],
    ['', 1, 0],
  ])('on a terminal, typing %j exits %i and sends %i request(s)', async (typed, code, sent) => {
    const file = await writeReport([finding('github.pat-classic', PAT)]);
    const { ctx, err } = context({ isTTY: true, stdin: typed });
    expect(await command().run(['--report', file], ctx)).toBe(code);
    expect(server.requests).toHaveLength(sent);
    expect(err()).toContain("Type 'revoke' to revoke 1 credential(s)");
  });

  it('sends nothing on --dry-run', async () => {
    const { ctx, out } = context();
    expect(await command().run(['--secret', PAT, '--dry-run'], ctx)).toBe(0);
    expect(out()).toContain('dry run: nothing sent');
    expect(server.requests).toHaveLength(0);
  });

  it('reads --secret - from stdin and leaves token types GitHub does not accept to the user', async () => {
    const { ctx, out } = context({ stdin: `${PAT}\n${INSTALLATION}\n\n` });
    expect(await command().run(['--secret', '-', '--yes'], ctx)).toBe(0);
    expect(JSON.parse(server.requests[0]?.body ?? '')).toEqual({ credentials: [PAT] });
    expect(out()).toContain('1 credential(s) have no public revocation API');
  });

  it('reports a refusal by GitHub and exits 1', async () => {
    reply = { status: 422, body: { message: 'Validation Failed' } };
    const { ctx, err } = context();
    expect(await command().run(['--secret', PAT, '--yes'], ctx)).toBe(1);
    expect(err()).toContain('validation failed, or the endpoint has been spammed (HTTP 422)');
  });

  it('reports a network failure without throwing', async () => {
    const closed = await startFakeProvider(() => reply);
    const base = closed.base('api.github.com');
    await closed.close();
    const { ctx, err } = context();
    const cmd = createRevokeCommand({ baseUrlOverrides: { 'api.github.com': base } });
    expect(await cmd.run(['--secret', PAT, '--yes'], ctx)).toBe(1);
    expect(err()).toContain('network error (ECONNREFUSED)');
  });

  it('needs exactly one of --report and --secret', async () => {
    await expect(command().run([], context().ctx)).rejects.toThrow(
      /either --report FILE or --secret/,
    );
  });
});
