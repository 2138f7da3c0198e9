import { execFile } from 'node:child_process';
import { chmod, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import type { ScanResult } from '../../src/engine/types.js';
import { MIN_GIT_VERSION } from '../../src/git/git-version.js';
import { scanGitHistory } from '../../src/git/history-scan.js';
import {
  createFixtureRepo,
  fakeGithubToken,
  isolatedGitEnv,
  testHash,
  testConfig,
  type FixtureRepo,
} from './fixture-repo.js';

const run = promisify(execFile);
const NOW = new Date('2026-11-25T21:00:00Z');
const config = testConfig();
const cleanups: Array<() => Promise<void>> = [];

afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
});

async function fixture(): Promise<FixtureRepo> {
  const repo = await createFixtureRepo();
  cleanups.push(() => repo.cleanup());
  return repo;
}

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'leakwatch-bad-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

function scan(dir: string, env: Record<string, string>, gitPath?: string): Promise<ScanResult> {
  return scanGitHistory({
    repo: dir,
    env,
    config,
    hasher: testHash,
    now: () => NOW,
    mode: { kind: 'history' },
    ...(gitPath === undefined ? {} : { gitPath }),
  });
}

function looseObjectPath(repo: FixtureRepo, sha: string): string {
  return join(repo.dir, '.git', 'objects', sha.slice(0, 2), sha.slice(2));
}

describe('scanGitHistory: bad input', () => {
  it('refuses a directory that is not a git repository, and one that does not exist', async () => {
    const dir = await tempDir();
    const env = { ...isolatedGitEnv(dir), GIT_CEILING_DIRECTORIES: tmpdir() };
    await expect(scan(dir, env)).rejects.toMatchObject({
      code: 'LW_GIT_NOT_A_REPO',
      message: `${dir} is not a git repository`,
    });
    await expect(scan(join(dir, 'nope'), env)).rejects.toMatchObject({ code: 'LW_GIT_NOT_A_REPO' });
  });

  it('says so when git is missing or older than the minimum version', async () => {
    const dir = await tempDir();
    const env = isolatedGitEnv(dir);
    await expect(scan(dir, env, join(dir, 'no-such-git'))).rejects.toMatchObject({
      code: 'LW_GIT_NOT_FOUND',
    });
    const oldGit = join(dir, 'old-git');
    await writeFile(oldGit, '#!/bin/sh\necho "git version 2.9.5"\n');
    await chmod(oldGit, 0o755);
    await expect(scan(dir, env, oldGit)).rejects.toMatchObject({
      code: 'LW_GIT_TOO_OLD',
      message: `git 2.9.5 is too old: leakwatch needs git ${MIN_GIT_VERSION} or newer`,
    });
  });

  it('reports a corrupt object and scans the rest', async () => {
    const repo = await fixture();
    const good = fakeGithubToken('good');
    const bad = fakeGithubToken('corrupt');
    await repo.commit(
      'add',
      { 'a.txt': `${good}\n`, 'b.txt': `${bad}\n` },
      { date: '2024-01-01T00:00:00Z' },
    );
    const blob = await repo.git('rev-parse', 'HEAD:b.txt');
    const file = looseObjectPath(repo, blob);
    await chmod(file, 0o644);
    await writeFile(file, 'this is not zlib data');

    const result = await scan(repo.dir, repo.env);
    expect(result.findings.map((f) => f.secret)).toEqual([good]);
    expect(result.errors).toContainEqual(
      expect.objectContaining({
        code: expect.stringMatching(/^LW_GIT_(CORRUPT|MISSING)_OBJECT$/),
        message: expect.stringContaining(blob),
      }),
    );
    expect(result.summary.skipped.unreadable).toBe(1);
  });

  it('falls back to every object in the database when a pack is missing', async () => {
    const repo = await fixture();
    const lost = fakeGithubToken('in-lost-pack');
    const kept = fakeGithubToken('loose');
    await repo.commit('old', { 'old.txt': `${lost}\n` }, { date: '2024-01-01T00:00:00Z' });
    await repo.git('repack', '-a', '-d', '-q');
    await repo.commit('new', { 'new.txt': `${kept}\n` }, { date: '2024-02-01T00:00:00Z' });
    const packDir = join(repo.dir, '.git', 'objects', 'pack');
    for (const name of await readdir(packDir)) await rm(join(packDir, name));

    const result = await scan(repo.dir, repo.env);
    expect(result.findings.map((f) => f.secret)).toEqual([kept]);
    expect(result.errors[0]).toMatchObject({
      code: 'LW_GIT_MISSING_OBJECT',
      message: expect.stringContaining('history is incomplete'),
    });
  });

  it('reports a ref to a missing object and scans the other refs', async () => {
    const repo = await fixture();
    const token = fakeGithubToken('ok-ref');
    await repo.commit('add', { 'a.txt': `${token}\n` }, { date: '2024-01-01T00:00:00Z' });
    const missing = '1234567890123456789012345678901234567890';
    await writeFile(join(repo.dir, '.git', 'refs', 'heads', 'broken'), `${missing}\n`);

    const result = await scan(repo.dir, repo.env);
    expect(result.findings.map((f) => f.secret)).toEqual([token]);
    expect(result.errors).toEqual([
      {
        code: 'LW_GIT_MISSING_OBJECT',
        path: 'refs/heads/broken',
        message: `refs/heads/broken points to ${missing}, which is not in the repository`,
      },
    ]);
  });

  it('scans a consistent snapshot while the repository is being written to', async () => {
    const repo = await fixture();
    const token = fakeGithubToken('busy');
    const first = await repo.commit(
      'add',
      { 'a.txt': `${token}\n` },
      { date: '2024-01-01T00:00:00Z' },
    );
    const writer = (async () => {
      for (let i = 0; i < 15; i++) {
        await repo.commit(
          `busy ${i}`,
          { [`f${i}.txt`]: `${i}\n`, 'a.txt': i % 2 ? `${token}\n` : 'gone\n' },
          { date: `2024-02-${String(i + 1).padStart(2, '0')}T00:00:00Z` },
        );
      }
    })();
    const results = await Promise.all([scan(repo.dir, repo.env), scan(repo.dir, repo.env), writer]);
    for (const result of results.slice(0, 2) as ScanResult[]) {
      expect(result.errors).toEqual([]);
      expect(result.findings.map((f) => f.secret)).toEqual([token]);
      expect(result.findings[0]?.git?.introduced.commit).toBe(first);
    }
  });

  it("reports non-UTF-8 paths in git's escaped form and Latin-1 author names readably", async () => {
    const repo = await fixture();
    const token = fakeGithubToken('latin1');
    const name = Buffer.concat([
      Buffer.from(`${repo.dir}/caf`),
      Buffer.from([0xe9]),
      Buffer.from('.env'),
    ]);
    await writeFile(name, `T=${token}\n`);
    await repo.git('add', '-A');
    const tree = await repo.git('write-tree');
    const commitText = Buffer.concat([
      Buffer.from(`tree ${tree}\nauthor Ren`),
      Buffer.from([0xe9]),
      Buffer.from(' <rene@example.com> 1700000000 +0100\ncommitter Ren'),
      Buffer.from([0xe9]),
      Buffer.from(' <rene@example.com> 1700000000 +0100\n\nlatin-1 commit\n'),
    ]);
    const { stdout } = await new Promise<{ stdout: string }>((resolve, reject) => {
      const child = execFile(
        'git',
        ['hash-object', '-t', 'commit', '-w', '--stdin'],
        { cwd: repo.dir, env: repo.env },
        (error, out) => (error ? reject(error) : resolve({ stdout: out })),
      );
      child.stdin?.end(commitText);
    });
    await run('git', ['update-ref', 'refs/heads/main', stdout.trim()], {
      cwd: repo.dir,
      env: repo.env,
    });

    const result = await scan(repo.dir, repo.env);
    const finding = result.findings[0];
    expect(finding?.locations[0]?.path).toBe('caf\\351.env');
    expect(finding?.git?.paths).toEqual(['caf\\351.env']);
    expect(finding?.git?.introduced.author).toEqual({ name: 'René', email: 'rene@example.com' });
    expect(finding?.git?.introduced.committerDate).toBe('2023-11-14T22:13:20Z');
  });
});
