import { rm, writeFile } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { scanGitHistory, type GitScanMode } from '../../src/git/history-scan.js';
import type { Finding, ScanResult } from '../../src/engine/types.js';
import {
  createFixtureRepo,
  fakeGithubToken,
  testHash,
  testConfig,
  type FixtureRepo,
} from './fixture-repo.js';

const NOW = new Date('2026-11-25T21:00:00Z');
const DAY = 86_400_000;
const config = testConfig();
const repos: FixtureRepo[] = [];

afterEach(async () => {
  await Promise.all(repos.splice(0).map((repo) => repo.cleanup()));
});

async function fixture(): Promise<FixtureRepo> {
  const repo = await createFixtureRepo();
  repos.push(repo);
  return repo;
}

function scan(
  repo: FixtureRepo,
  mode: GitScanMode = { kind: 'history' },
  extra: { maxBlobBytes?: number; dir?: string } = {},
): Promise<ScanResult> {
  return scanGitHistory({
    repo: extra.dir ?? repo.dir,
    env: repo.env,
    config,
    hasher: testHash,
    now: () => NOW,
    mode,
    workers: false,
    ...(extra.maxBlobBytes === undefined ? {} : { maxBlobBytes: extra.maxBlobBytes }),
  });
}

function findingFor(result: ScanResult, secret: string): Finding {
  const found = result.findings.find((f) => f.secret === secret);
  if (!found)
    throw new Error(
      `no finding for ${secret}; got ${result.findings.map((f) => f.secret).join(', ')}`,
    );
  return found;
}

function daysSince(iso: string): number {
  return Math.floor((NOW.getTime() - Date.parse(iso)) / DAY);
}

describe('scanGitHistory: provenance', () => {
  it('attributes a secret added on a side branch and merged to the side-branch commit', async () => {
    const repo = await fixture();
    const token = fakeGithubToken('side-branch');
    await repo.commit('init', { 'README.md': 'hello\n' }, { date: '2020-01-01T00:00:00Z' });
    await repo.git('checkout', '-q', '-b', 'side');
    const side = await repo.commit(
      'add settings',
      { 'config/settings.py': `TOKEN = "${token}"\n` },
      { date: '2020-02-01T00:00:00Z' },
    );
    await repo.git('checkout', '-q', 'main');
    await repo.commit('docs', { 'docs.md': 'docs\n' }, { date: '2020-03-01T00:00:00Z' });
    await repo.gitAt('2020-04-01T00:00:00Z', 'merge', '-q', '--no-ff', 'side', '-m', 'merge side');

    const result = await scan(repo);
    expect(result.findings).toHaveLength(1);
    const git = findingFor(result, token).git;
    expect(git?.introduced).toMatchObject({
      commit: side,
      author: { name: 'Ada Example', email: 'ada@example.com' },
      committerDate: '2020-02-01T00:00:00Z',
      datesDisagree: false,
      atShallowBoundary: false,
    });
    expect(git?.paths).toEqual(['config/settings.py']);
    expect(git?.removedIn).toEqual([]);
    expect(git?.presentAtRefs).toEqual(['refs/heads/main', 'refs/heads/side']);
    expect(git?.reachable).toBe(true);
    expect(git?.exposure).toEqual({
      from: '2020-02-01T00:00:00Z',
      removedFromAllTipsAt: null,
      stillAtTips: ['refs/heads/main', 'refs/heads/side'],
      days: daysSince('2020-02-01T00:00:00Z'),
    });
    expect(findingFor(result, token).locations[0]).toMatchObject({
      path: 'config/settings.py',
      commit: side,
      line: 1,
      column: 10,
    });
  });

  it('keeps the first introduction and lists every removal when a secret is removed and re-added', async () => {
    const repo = await fixture();
    const token = fakeGithubToken('reintroduced');
    const first = await repo.commit(
      'add',
      { 'app.env': `GH=${token}\n` },
      { date: '2019-01-01T00:00:00Z' },
    );
    const removed = await repo.commit(
      'remove',
      { 'app.env': null },
      { date: '2019-06-01T00:00:00Z' },
    );
    await repo.commit('re-add', { 'app.env': `GH=${token}\n` }, { date: '2020-01-01T00:00:00Z' });
    const replaced = await repo.commit(
      'rotate',
      { 'app.env': 'GH=${GH_TOKEN}\n' },
      { date: '2020-06-01T00:00:00Z' },
    );

    const git = findingFor(await scan(repo), token).git;
    expect(git?.introduced.commit).toBe(first);
    expect(git?.removedIn).toEqual([removed, replaced]);
    expect(git?.presentAtRefs).toEqual([]);
    expect(git?.reachable).toBe(true);
    expect(git?.exposure).toEqual({
      from: '2019-01-01T00:00:00Z',
      removedFromAllTipsAt: '2020-06-01T00:00:00Z',
      stillAtTips: [],
      // Removing the file does not remove the secret from history: it is exposed until now.
      days: daysSince('2019-01-01T00:00:00Z'),
    });
  });

  it('follows a renamed file without calling the rename a removal', async () => {
    const repo = await fixture();
    const token = fakeGithubToken('renamed');
    const added = await repo.commit(
      'add',
      { 'old/settings.ini': `token=${token}\n` },
      { date: '2021-01-01T00:00:00Z' },
    );
    await repo.git('mv', 'old/settings.ini', 'new-settings.ini');
    const moved = await repo.commit('move', {}, { date: '2021-02-01T00:00:00Z' });

    const finding = findingFor(await scan(repo), token);
    expect(finding.git?.introduced.commit).toBe(added);
    expect(finding.git?.paths).toEqual(['old/settings.ini', 'new-settings.ini']);
    expect(finding.git?.removedIn).toEqual([]);
    expect(finding.git?.presentAtRefs).toEqual(['refs/heads/main']);
    expect(finding.git?.exposure).toEqual({
      from: '2021-01-01T00:00:00Z',
      removedFromAllTipsAt: null,
      stillAtTips: ['refs/heads/main'],
      days: daysSince('2021-01-01T00:00:00Z'),
    });
    expect(finding.locations.map((l) => [l.path, l.commit])).toEqual([
      ['new-settings.ini', moved],
      ['old/settings.ini', added],
    ]);
  });

  it('reports a secret that lives only on an unmerged branch', async () => {
    const repo = await fixture();
    const token = fakeGithubToken('unmerged');
    await repo.commit('init', { 'README.md': 'x\n' }, { date: '2022-01-01T00:00:00Z' });
    await repo.git('checkout', '-q', '-b', 'feature');
    const feature = await repo.commit(
      'wip',
      { 'wip.sh': `export GH_TOKEN=${token}\n` },
      { date: '2022-02-01T00:00:00Z' },
    );
    await repo.git('checkout', '-q', 'main');
    await repo.commit('more', { 'more.md': 'y\n' }, { date: '2022-03-01T00:00:00Z' });

    const git = findingFor(await scan(repo), token).git;
    expect(git?.introduced.commit).toBe(feature);
    expect(git?.paths).toEqual(['wip.sh']);
    expect(git?.presentAtRefs).toEqual(['refs/heads/feature']);
    expect(git?.exposure.days).toBe(daysSince('2022-02-01T00:00:00Z'));
    expect(git?.exposure.stillAtTips).toEqual(['refs/heads/feature']);
    expect(git?.exposure.removedFromAllTipsAt).toBeNull();
  });

  it('finds a secret in an unreachable commit of a deleted tag only with --include-unreachable', async () => {
    const repo = await fixture();
    const token = fakeGithubToken('deleted-tag');
    await repo.commit('init', { 'README.md': 'x\n' }, { date: '2022-01-01T00:00:00Z' });
    await repo.git('checkout', '-q', '--detach');
    const lost = await repo.commit(
      'release build',
      { 'build/creds.txt': `${token}\n` },
      { date: '2022-05-01T00:00:00Z' },
    );
    await repo.git('tag', 'v0-leak');
    await repo.git('checkout', '-q', 'main');
    await repo.git('tag', '-d', 'v0-leak');

    expect((await scan(repo)).findings).toEqual([]);
    const result = await scan(repo, { kind: 'history', includeUnreachable: true });
    const git = findingFor(result, token).git;
    expect(git?.introduced.commit).toBe(lost);
    expect(git?.paths).toEqual(['build/creds.txt']);
    expect(git?.reachable).toBe(false);
    expect(git?.presentAtRefs).toEqual([]);
    expect(git?.exposure).toEqual({
      from: '2022-05-01T00:00:00Z',
      removedFromAllTipsAt: null,
      stillAtTips: [],
      days: daysSince('2022-05-01T00:00:00Z'),
    });
  });

  it('orders by topology, not by a back-dated committer date, and flags disagreeing dates', async () => {
    const repo = await fixture();
    const token = fakeGithubToken('back-dated');
    const other = fakeGithubToken('author-date-disagrees');
    const parent = await repo.commit(
      'add',
      { 'a.txt': `${token}\n` },
      { date: '2021-01-01T00:00:00Z' },
    );
    await repo.commit(
      'copy, back-dated',
      { 'b.txt': `again ${token}\n` },
      { date: '2015-01-01T00:00:00Z' },
    );
    const replayed = await repo.commit(
      'replayed',
      { 'c.txt': `${other}\n` },
      { date: '2021-02-01T00:00:00Z', authorDate: '2010-07-01T00:00:00Z' },
    );

    const result = await scan(repo);
    expect(findingFor(result, token).git?.introduced.commit).toBe(parent);
    expect(findingFor(result, token).git?.paths).toEqual(['a.txt', 'b.txt']);
    expect(findingFor(result, token).git?.presentAtRefs).toEqual(['refs/heads/main']);
    expect(findingFor(result, token).git?.exposure.from).toBe('2021-01-01T00:00:00Z');
    const introduced = findingFor(result, other).git?.introduced;
    expect(introduced).toMatchObject({
      commit: replayed,
      authorDate: '2010-07-01T00:00:00Z',
      committerDate: '2021-02-01T00:00:00Z',
      datesDisagree: true,
    });
    expect(findingFor(result, other).git?.exposure.from).toBe('2021-02-01T00:00:00Z');
  });

  it('breaks ties between unrelated introductions by committer date, then sha', async () => {
    const repo = await fixture();
    const token = fakeGithubToken('tie');
    const base = await repo.commit(
      'init',
      { 'README.md': 'x\n' },
      { date: '2022-01-01T00:00:00Z' },
    );
    await repo.git('checkout', '-q', '-b', 'late');
    await repo.commit('late', { 'late.txt': `${token}\n` }, { date: '2022-03-01T00:00:00Z' });
    await repo.git('checkout', '-q', '-b', 'early', base);
    const early = await repo.commit(
      'early',
      { 'early.txt': `${token}\n` },
      { date: '2022-02-01T00:00:00Z' },
    );

    const git = findingFor(await scan(repo), token).git;
    expect(git?.introduced.commit).toBe(early);
    expect(git?.presentAtRefs).toEqual(['refs/heads/early', 'refs/heads/late']);
  });

  it('reports the same secret in two files as one finding with both locations', async () => {
    const repo = await fixture();
    const token = fakeGithubToken('two-files');
    const commit = await repo.commit(
      'add',
      { 'one/a.env': `TOKEN=${token}\n`, 'two/b.yaml': `github:\n  token: ${token}\n` },
      { date: '2023-01-01T00:00:00Z' },
    );
    const result = await scan(repo);
    expect(result.findings).toHaveLength(1);
    const finding = findingFor(result, token);
    expect(finding.locations.map((l) => [l.path, l.line, l.commit])).toEqual([
      ['one/a.env', 1, commit],
      ['two/b.yaml', 2, commit],
    ]);
    expect(finding.git?.paths.sort()).toEqual(['one/a.env', 'two/b.yaml']);
    expect(finding.git?.introduced.commit).toBe(commit);
    expect(finding.git?.presentAtRefs).toEqual(['refs/heads/main']);
    expect(finding.git?.exposure).toEqual({
      from: '2023-01-01T00:00:00Z',
      removedFromAllTipsAt: null,
      stillAtTips: ['refs/heads/main'],
      days: daysSince('2023-01-01T00:00:00Z'),
    });
  });

  it('skips large blobs unread and binaries, and counts both', async () => {
    const repo = await fixture();
    const token = fakeGithubToken('binary');
    const big = Buffer.alloc(2 * 1024 * 1024, 0x41);
    big.write(token, 1024);
    const small = Buffer.concat([Buffer.from([0, 1, 2, 3]), Buffer.from(` ${token} `)]);
    await repo.commit(
      'assets',
      { 'assets/big.bin': big, 'assets/small.bin': small },
      { date: '2023-01-01T00:00:00Z' },
    );

    const result = await scan(repo, { kind: 'history' }, { maxBlobBytes: 1024 * 1024 });
    expect(result.findings).toEqual([]);
    expect(result.summary.skipped.tooLarge).toBe(1);
    expect(result.summary.skipped.binary).toBe(1);
  });

  it('scans commit messages and tag annotations', async () => {
    const repo = await fixture();
    const inMessage = fakeGithubToken('message');
    const inTag = fakeGithubToken('tag');
    const commit = await repo.commit(
      `use ${inMessage} for CI`,
      { 'a.txt': 'a\n' },
      { date: '2023-03-01T00:00:00Z' },
    );
    await repo.gitAt('2023-04-01T00:00:00Z', 'tag', '-a', 'v1', '-m', `release token ${inTag}`);
    const tagSha = await repo.git('rev-parse', 'refs/tags/v1');

    const result = await scan(repo);
    const message = findingFor(result, inMessage);
    expect(message.locations[0]).toMatchObject({
      objectType: 'commit',
      blob: commit,
      commit,
      line: 1,
    });
    expect(message.git?.introduced.commit).toBe(commit);
    expect(message.git?.presentAtRefs).toEqual(['refs/heads/main', 'refs/tags/v1']);
    const tag = findingFor(result, inTag);
    expect(tag.locations[0]).toMatchObject({ objectType: 'tag', blob: tagSha });
    expect(tag.git?.introduced).toMatchObject({
      commit: tagSha,
      committerDate: '2023-04-01T00:00:00Z',
    });
    expect(tag.git?.presentAtRefs).toEqual(['refs/tags/v1']);
  });

  it('does not recurse into submodules (their entries name commits of another repository)', async () => {
    const repo = await fixture();
    const token = fakeGithubToken('beside-submodule');
    await repo.commit('init', { 'a.txt': `${token}\n` }, { date: '2023-01-01T00:00:00Z' });
    const elsewhere = '0123456789abcdef0123456789abcdef01234567';
    await repo.git('update-index', '--add', '--cacheinfo', `160000,${elsewhere},vendor/lib`);
    await repo.gitAt('2023-02-01T00:00:00Z', 'commit', '-q', '-m', 'add submodule');

    const result = await scan(repo);
    expect(result.errors).toEqual([]);
    expect(result.findings.map((f) => f.git?.paths)).toEqual([['a.txt']]);
  });

  it('says a secret was introduced at or before the boundary of a shallow clone', async () => {
    const repo = await fixture();
    const token = fakeGithubToken('shallow');
    await repo.commit('old', { 'old.txt': `${token}\n` }, { date: '2018-01-01T00:00:00Z' });
    await repo.commit('mid', { 'mid.txt': 'm\n' }, { date: '2019-01-01T00:00:00Z' });
    const tip = await repo.commit('tip', { 'tip.txt': 't\n' }, { date: '2020-01-01T00:00:00Z' });
    const clone = `${repo.dir}-shallow`;
    await repo.git('clone', '-q', '--bare', '--depth', '1', `file://${repo.dir}`, clone);
    try {
      const git = findingFor(await scan(repo, { kind: 'history' }, { dir: clone }), token).git;
      expect(git?.introduced).toMatchObject({ commit: tip, atShallowBoundary: true });
    } finally {
      await rm(clone, { recursive: true, force: true });
    }
  });
});

describe('scanGitHistory: CI and prevention modes', () => {
  it('--range reports only secrets not already reachable from the base', async () => {
    const repo = await fixture();
    const old = fakeGithubToken('range-old');
    const fresh = fakeGithubToken('range-new');
    const base = await repo.commit(
      'base',
      { 'config.env': `OLD=${old}\n` },
      { date: '2024-01-01T00:00:00Z' },
    );
    await repo.git('checkout', '-q', '-b', 'pr');
    await repo.commit(
      'edit near the old secret',
      { 'config.env': `OLD=${old}\nDEBUG=1\n` },
      { date: '2024-02-01T00:00:00Z' },
    );
    const adds = await repo.commit(
      'add a new one',
      { 'new.env': `NEW=${fresh}\n` },
      { date: '2024-02-02T00:00:00Z' },
    );

    const result = await scan(repo, { kind: 'range', base, head: 'pr' });
    expect(result.findings.map((f) => f.secret)).toEqual([fresh]);
    expect(findingFor(result, fresh).git?.introduced.commit).toBe(adds);
  });

  it('--staged scans the index against HEAD and ignores secrets HEAD already had', async () => {
    const repo = await fixture();
    const old = fakeGithubToken('staged-old');
    const fresh = fakeGithubToken('staged-new');
    await repo.commit('base', { 'config.env': `OLD=${old}\n` }, { date: '2024-01-01T00:00:00Z' });
    await writeFile(`${repo.dir}/config.env`, `OLD=${old}\nMORE=1\n`);
    await writeFile(`${repo.dir}/deploy.sh`, `curl -H "Authorization: token ${fresh}"\n`);
    await writeFile(`${repo.dir}/unstaged.txt`, `${fakeGithubToken('not-staged')}\n`);
    await repo.git('add', 'config.env', 'deploy.sh');

    const result = await scan(repo, { kind: 'staged' });
    expect(result.findings.map((f) => f.secret)).toEqual([fresh]);
    expect(findingFor(result, fresh).locations[0]).toMatchObject({ path: 'deploy.sh', line: 1 });
    expect(findingFor(result, fresh).git).toBeUndefined();
  });

  it('--staged works before the first commit', async () => {
    const repo = await fixture();
    const fresh = fakeGithubToken('unborn');
    await writeFile(`${repo.dir}/a.txt`, `${fresh}\n`);
    await repo.git('add', 'a.txt');
    expect((await scan(repo, { kind: 'staged' })).findings.map((f) => f.secret)).toEqual([fresh]);
  });

  it("--pre-push scans a new branch's commits that no remote has, and a known branch's new commits", async () => {
    const repo = await fixture();
    const published = fakeGithubToken('published');
    const pushed = fakeGithubToken('pushed');
    const later = fakeGithubToken('later');
    const c1 = await repo.commit(
      'published',
      { 'a.env': `A=${published}\n` },
      { date: '2024-01-01T00:00:00Z' },
    );
    await repo.git('update-ref', 'refs/remotes/origin/main', c1);
    await repo.git('checkout', '-q', '-b', 'feature');
    const c2 = await repo.commit(
      'feature',
      { 'b.env': `B=${pushed}\n` },
      { date: '2024-01-02T00:00:00Z' },
    );
    const zero = '0'.repeat(40);

    const newBranch = await scan(repo, {
      kind: 'pre-push',
      updates: [
        {
          localRef: 'refs/heads/feature',
          localSha: c2,
          remoteRef: 'refs/heads/feature',
          remoteSha: zero,
        },
      ],
    });
    expect(newBranch.findings.map((f) => f.secret)).toEqual([pushed]);

    await repo.git('update-ref', 'refs/remotes/origin/feature', c2);
    const c3 = await repo.commit(
      'more',
      { 'c.env': `C=${later}\n` },
      { date: '2024-01-03T00:00:00Z' },
    );
    const update = await scan(repo, {
      kind: 'pre-push',
      updates: [
        {
          localRef: 'refs/heads/feature',
          localSha: c3,
          remoteRef: 'refs/heads/feature',
          remoteSha: c2,
        },
      ],
    });
    expect(update.findings.map((f) => f.secret)).toEqual([later]);

    const deletion = await scan(repo, {
      kind: 'pre-push',
      updates: [
        { localRef: '(delete)', localSha: zero, remoteRef: 'refs/heads/feature', remoteSha: c2 },
      ],
    });
    expect(deletion.findings).toEqual([]);
  });

  it('--since limits the scan to blobs added by recent commits; --branch to one branch', async () => {
    const repo = await fixture();
    const old = fakeGithubToken('since-old');
    const fresh = fakeGithubToken('since-new');
    const other = fakeGithubToken('other-branch');
    await repo.commit('old', { 'old.env': `${old}\n` }, { date: '2020-01-01T00:00:00Z' });
    await repo.commit('new', { 'new.env': `${fresh}\n` }, { date: '2024-01-01T00:00:00Z' });
    await repo.git('checkout', '-q', '-b', 'other');
    await repo.commit('other', { 'other.env': `${other}\n` }, { date: '2024-02-01T00:00:00Z' });

    const since = await scan(repo, { kind: 'history', since: '2023-01-01' });
    expect(since.findings.map((f) => f.secret).sort()).toEqual([fresh, other].sort());
    const branch = await scan(repo, { kind: 'history', branch: 'main' });
    expect(branch.findings.map((f) => f.secret).sort()).toEqual([old, fresh].sort());
  });
});
