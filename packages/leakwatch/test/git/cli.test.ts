import { execFile } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import Ajv from 'ajv';
import AjvDraft04 from 'ajv-draft-04';
import addFormats from 'ajv-formats';
import { afterEach, describe, expect, it } from 'vitest';
import { gitCommand } from '../../src/cli/commands/git.js';
import { hookCommand } from '../../src/cli/commands/hook.js';
import type { CliContext } from '../../src/cli/context.js';
import type { ScanResult } from '../../src/engine/types.js';
import { shellCommand } from '../../src/git/hook-install.js';
import { createFixtureRepo, fakeGithubToken, type FixtureRepo } from './fixture-repo.js';

const execFileAsync = promisify(execFile);
const NOW = new Date('2026-11-25T21:00:00Z');
const repos: FixtureRepo[] = [];
const extraDirs: string[] = [];

afterEach(async () => {
  await Promise.all(repos.splice(0).map((repo) => repo.cleanup()));
  await Promise.all(extraDirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

async function fixture(): Promise<FixtureRepo> {
  const repo = await createFixtureRepo();
  repos.push(repo);
  return repo;
}

interface Captured {
  code: number;
  stdout: string;
  stderr: string;
}

async function cli(
  command: typeof gitCommand,
  args: string[],
  repo: FixtureRepo,
  stdin = '',
): Promise<Captured> {
  let stdout = '';
  let stderr = '';
  const sink = (append: (text: string) => void): Writable =>
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        append(chunk.toString());
        done();
      },
    });
  const input = new PassThrough();
  input.end(stdin);
  const ctx: CliContext = {
    stdout: sink((t) => (stdout += t)),
    stderr: sink((t) => (stderr += t)),
    stdin: input,
    cwd: repo.dir,
    env: repo.env,
    isTTY: false,
    now: () => NOW,
  };
  const code = await command.run(args, ctx);
  return { code, stdout, stderr };
}

const RULES_TOML = `
[[rules]]
id = "test.canary"
description = "Test canary token"
regex = '''\\b(CANARY-[0-9]{8})\\b'''
keywords = ["canary-"]
severity = "high"
`;

describe('leakwatch git', () => {
  it('writes a JSON report with provenance and exits 1 on findings', async () => {
    const repo = await fixture();
    const token = fakeGithubToken('cli-json');
    const commit = await repo.commit(
      'add',
      { 'settings.py': `GITHUB_TOKEN = "${token}"\n` },
      { date: '2022-02-01T00:00:00Z' },
    );
    const { code, stdout } = await cli(gitCommand, ['--format', 'json'], repo);
    expect(code).toBe(1);
    const report = JSON.parse(stdout) as ScanResult;
    expect(report.command).toBe('git');
    expect(report.findings).toHaveLength(1);
    expect(report.findings[0]).toMatchObject({
      ruleId: 'github.pat-classic',
      locations: [{ path: 'settings.py', commit, line: 1 }],
      git: {
        introduced: { commit },
        presentAtRefs: ['refs/heads/main'],
        exposure: { from: '2022-02-01T00:00:00Z', days: 1758 },
      },
    });
    expect(JSON.stringify(report)).not.toContain(token);
  });

  it('writes JSON and SARIF that validate against the published schemas', async () => {
    const repo = await fixture();
    await repo.commit(
      `msg ${fakeGithubToken('schema-msg')}`,
      { 'a.env': `T=${fakeGithubToken('schema')}\n` },
      { date: '2022-02-01T00:00:00Z' },
    );
    await repo.gitAt(
      '2022-03-01T00:00:00Z',
      'tag',
      '-a',
      'v1',
      '-m',
      `tag ${fakeGithubToken('schema-tag')}`,
    );
    const json = JSON.parse(
      (await cli(gitCommand, ['--format', 'json'], repo)).stdout,
    ) as ScanResult;
    expect(json.findings).toHaveLength(3);
    const ajv = new Ajv.default({ allErrors: true, strict: false });
    addFormats.default(ajv);
    const schema = fileURLToPath(new URL('../../schemas/report.schema.json', import.meta.url));
    const validate = ajv.compile(JSON.parse(await readFile(schema, 'utf8')));
    expect(validate(json), JSON.stringify(validate.errors)).toBe(true);

    const sarif = JSON.parse((await cli(gitCommand, ['--format', 'sarif'], repo)).stdout) as {
      runs: { results: { partialFingerprints: Record<string, string> }[] }[];
    };
    const sarifSchema = fileURLToPath(
      new URL(
        '../../../../node_modules/@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json',
        import.meta.url,
      ),
    );
    const draft04 = new AjvDraft04.default({
      allErrors: true,
      strict: false,
      unicodeRegExp: false,
    });
    addFormats.default(draft04 as unknown as Ajv.default);
    const validateSarif = draft04.compile(JSON.parse(await readFile(sarifSchema, 'utf8')));
    expect(validateSarif(sarif), JSON.stringify(validateSarif.errors?.slice(0, 3))).toBe(true);
    expect(sarif.runs[0]?.results.map((r) => r.partialFingerprints['leakwatch/v1']).sort()).toEqual(
      json.findings.map((f) => f.fingerprint).sort(),
    );
  });

  it('describes the exposure window in the text report', async () => {
    const repo = await fixture();
    const token = fakeGithubToken('cli-text');
    await repo.commit('add', { 'a.env': `T=${token}\n` }, { date: '2022-02-01T00:00:00Z' });
    await repo.git('branch', 'release');
    const { code, stdout } = await cli(gitCommand, [], repo);
    expect(code).toBe(1);
    expect(stdout).toContain(
      'exposure     exposed 4 years 9 months, still present on main and release',
    );
  });

  it('scans initialised submodules only with --recurse-submodules, paths prefixed', async () => {
    const inner = await fixture();
    const token = fakeGithubToken('in-submodule');
    await inner.commit('inner', { 'conf/key.txt': `${token}\n` }, { date: '2021-01-01T00:00:00Z' });
    const outer = await fixture();
    await outer.commit('outer', { 'README.md': 'outer\n' }, { date: '2021-02-01T00:00:00Z' });
    await outer.git(
      '-c',
      'protocol.file.allow=always',
      'submodule',
      'add',
      '-q',
      inner.dir,
      'libs/inner',
    );
    await outer.gitAt('2021-03-01T00:00:00Z', 'commit', '-q', '-m', 'add submodule');

    expect((await cli(gitCommand, [], outer)).code).toBe(0);
    const { code, stdout } = await cli(
      gitCommand,
      ['--recurse-submodules', '--format', 'json'],
      outer,
    );
    expect(code).toBe(1);
    const report = JSON.parse(stdout) as ScanResult;
    expect(report.findings.map((f) => [f.locations[0]?.path, f.git?.paths])).toEqual([
      ['libs/inner/conf/key.txt', ['libs/inner/conf/key.txt']],
    ]);
    expect(report.targets).toHaveLength(2);
  });

  it('exits 2 with a message, not a stack trace, outside a repository or with a bad range', async () => {
    const repo = await fixture();
    await repo.commit('one', { 'a.txt': 'a\n' }, { date: '2022-02-01T00:00:00Z' });
    const elsewhere = await mkdtemp(join(tmpdir(), 'leakwatch-not-a-repo-'));
    extraDirs.push(elsewhere);
    const notRepo = await cli(gitCommand, [elsewhere], repo);
    expect(notRepo.code).toBe(2);
    expect(notRepo.stderr).toMatch(/^leakwatch git: .* \(LW_GIT_NOT_A_REPO\)\n$/);
    const badRange = await cli(gitCommand, ['--range', 'nope..HEAD'], repo);
    expect(badRange).toMatchObject({
      code: 2,
      stderr: 'leakwatch git: unknown revision "nope" (LW_GIT_BAD_REVISION)\n',
    });
    await expect(cli(gitCommand, ['--staged', '--range', 'a..b'], repo)).rejects.toThrow(
      'exclude each other',
    );
  });

  it('--range reads the config and ignore files from the base commit, not from the pull request', async () => {
    const repo = await fixture();
    const base = await repo.commit(
      'config',
      { 'leakwatch.toml': RULES_TOML },
      { date: '2024-01-01T00:00:00Z' },
    );
    await repo.git('checkout', '-q', '-b', 'pr');
    // The pull request switches the rule off, then adds the secret.
    await repo.commit(
      'sneaky',
      { 'leakwatch.toml': '[extend]\nuseDefault = true\n', 'app.cfg': 'key = CANARY-12345678\n' },
      { date: '2024-01-02T00:00:00Z' },
    );
    const canaries = (report: ScanResult): string[] =>
      report.findings
        .filter((f) => f.ruleId === 'test.canary')
        .map((f) => f.locations[0]?.path ?? '');

    const worktree = JSON.parse(
      (await cli(gitCommand, ['--format', 'json'], repo)).stdout,
    ) as ScanResult;
    expect(canaries(worktree)).toEqual([]);
    const range = await cli(gitCommand, ['--range', `${base}..pr`, '--format', 'json'], repo);
    expect(range.code).toBe(1);
    const report = JSON.parse(range.stdout) as ScanResult;
    expect(canaries(report)).toEqual(['app.cfg']);

    // Nor can it ignore its own finding.
    const fingerprint = report.findings.find((f) => f.ruleId === 'test.canary')?.fingerprint ?? '';
    await repo.commit(
      'ignore it',
      { '.leakwatchignore': `${fingerprint}\n` },
      { date: '2024-01-03T00:00:00Z' },
    );
    const again = JSON.parse(
      (await cli(gitCommand, ['--range', `${base}...pr`, '--format', 'json'], repo)).stdout,
    ) as ScanResult;
    expect(canaries(again)).toEqual(['app.cfg']);
    // A whole-history scan does honour the work tree's ignore file.
    const config = join(repo.dir, '.git', 'canary.toml');
    await writeFile(config, RULES_TOML);
    const whole = JSON.parse(
      (await cli(gitCommand, ['--config', config, '--format', 'json'], repo)).stdout,
    ) as ScanResult;
    expect(canaries(whole)).toEqual([]);
    expect(whole.summary.allowlisted).toBeGreaterThan(0);
  });
});

describe('leakwatch hook install', () => {
  const loader = fileURLToPath(
    new URL('../../../../node_modules/tsx/dist/loader.mjs', import.meta.url),
  );
  const entry = fileURLToPath(new URL('./hook-entry.ts', import.meta.url));
  const command = shellCommand([process.execPath, '--import', loader, entry]);

  it('blocks a commit that adds a secret, after running the hook that was already there', async () => {
    const repo = await fixture();
    await repo.commit('init', { 'README.md': 'hi\n' }, { date: '2024-01-01T00:00:00Z' });
    const hooks = join(repo.dir, '.git', 'hooks');
    await mkdir(hooks, { recursive: true });
    await writeFile(
      join(hooks, 'pre-commit'),
      '#!/bin/sh\necho ran >> "$(git rev-parse --git-dir)/previous-hook-ran"\n',
    );
    await chmod(join(hooks, 'pre-commit'), 0o755);

    const installed = await cli(hookCommand, ['install', '--command', command], repo);
    expect(installed).toMatchObject({ code: 0 });
    expect(installed.stdout).toContain(
      `installed pre-commit hook: ${join(hooks, 'pre-commit')} (runs the previous hook first: ${join(hooks, 'pre-commit.pre-leakwatch')})`,
    );
    const again = await cli(hookCommand, ['install', '--command', command], repo);
    expect(again.stdout).toContain('updated pre-commit hook');

    await writeFile(join(repo.dir, 'ok.txt'), 'fine\n');
    await repo.git('add', 'ok.txt');
    await repo.gitAt('2024-01-02T00:00:00Z', 'commit', '-q', '-m', 'clean');
    await writeFile(join(repo.dir, 'deploy.sh'), `TOKEN=${fakeGithubToken('hook-commit')}\n`);
    await repo.git('add', 'deploy.sh');
    const blocked = await repo
      .gitAt('2024-01-03T00:00:00Z', 'commit', '-q', '-m', 'leak')
      .catch((error: unknown) => error);
    expect(blocked).toMatchObject({
      code: 1,
      stderr: expect.stringContaining('github.pat-classic'),
    });
    expect(await repo.git('log', '--format=%s')).toBe('clean\ninit');
    expect(await readFile(join(repo.dir, '.git', 'previous-hook-ran'), 'utf8')).toBe('ran\nran\n');
  });

  it('blocks a push of a new branch whose commits add a secret', async () => {
    const repo = await fixture();
    await repo.commit('init', { 'README.md': 'hi\n' }, { date: '2024-01-01T00:00:00Z' });
    const remote = `${repo.dir}-remote.git`;
    extraDirs.push(remote);
    await execFileAsync('git', ['init', '-q', '--bare', remote], { env: repo.env });
    await repo.git('remote', 'add', 'origin', remote);
    await repo.git('push', '-q', 'origin', 'main');
    expect(
      (await cli(hookCommand, ['install', '--pre-push', '--command', command], repo)).code,
    ).toBe(0);

    await repo.git('checkout', '-q', '-b', 'feature');
    await repo.commit(
      'leak',
      { 'k.env': `K=${fakeGithubToken('hook-push')}\n` },
      { date: '2024-01-02T00:00:00Z' },
    );
    const blocked = (await repo
      .git('push', '-q', 'origin', 'feature')
      .catch((error: unknown) => error)) as { code: number; stdout: string; stderr: string };
    expect(blocked.code).toBe(1);
    expect(`${blocked.stdout}${blocked.stderr}`).toContain('github.pat-classic');
    const remoteBranches = await execFileAsync('git', ['for-each-ref', '--format=%(refname)'], {
      cwd: remote,
      env: repo.env,
    });
    expect(remoteBranches.stdout).toBe('refs/heads/main\n');

    await repo.git('checkout', '-q', 'main');
    await repo.commit('fine', { 'ok.txt': 'ok\n' }, { date: '2024-01-03T00:00:00Z' });
    await repo.git('push', '-q', 'origin', 'main');
  });
});
