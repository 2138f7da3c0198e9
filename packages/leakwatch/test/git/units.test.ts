import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import type { GitProvenance } from '../../src/engine/types.js';
import { collectRawChanges, parseCommitLog } from '../../src/git/commit-log.js';
import { formatExposure, formatSpan } from '../../src/git/exposure-text.js';
import { compareVersions, parseGitVersion } from '../../src/git/git-version.js';
import { ObjectReader } from '../../src/git/object-reader.js';
import { parsePrePushInput, pushRevisions } from '../../src/git/pre-push.js';
import { decodeGitPath, decodeIdentity } from '../../src/git/text.js';
import { createFixtureRepo, isolatedGitEnv, type FixtureRepo } from './fixture-repo.js';

const A = 'a'.repeat(40);
const B = 'b'.repeat(40);
const C = 'c'.repeat(40);
const Z = '0'.repeat(40);
const cleanups: Array<() => Promise<void>> = [];

afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
});

describe('git version', () => {
  it.each([
    ['git version 2.39.5', [2, 39, 5]],
    ['git version 2.20.1.windows.1', [2, 20, 1]],
    ['git version 2.45.0 (Apple Git-154)', [2, 45, 0]],
    ['git version 3.0', [3, 0, 0]],
    ['not git', null],
  ])('parses %j', (text, version) => {
    expect(parseGitVersion(text)).toEqual(version);
  });

  it('compares versions numerically', () => {
    expect(compareVersions([2, 9, 0], [2, 20, 0])).toBeLessThan(0);
    expect(compareVersions([2, 20, 0], [2, 20, 0])).toBe(0);
    expect(compareVersions([3, 0, 0], [2, 99, 9])).toBeGreaterThan(0);
  });
});

describe('pre-push input', () => {
  it('reads one update per line and ignores anything else', () => {
    const text = `refs/heads/main ${A} refs/heads/main ${B}\nrefs/heads/new ${C} refs/heads/new ${Z}\ngarbage line\n\n`;
    expect(parsePrePushInput(text)).toEqual([
      { localRef: 'refs/heads/main', localSha: A, remoteRef: 'refs/heads/main', remoteSha: B },
      { localRef: 'refs/heads/new', localSha: C, remoteRef: 'refs/heads/new', remoteSha: Z },
    ]);
  });

  it('excludes the remote tip when known, and every remote-tracking tip', () => {
    const update = { localRef: 'refs/heads/x', localSha: A, remoteRef: 'refs/heads/x' };
    expect(pushRevisions([{ ...update, remoteSha: B }], [C], () => true)).toEqual([
      A,
      `^${B}`,
      `^${C}`,
    ]);
    expect(pushRevisions([{ ...update, remoteSha: Z }], [B, C], () => true)).toEqual([
      A,
      `^${B}`,
      `^${C}`,
    ]);
    expect(pushRevisions([{ ...update, remoteSha: B }], [C], () => false)).toEqual([A, `^${C}`]);
    expect(pushRevisions([{ ...update, localSha: Z, remoteSha: B }], [C], () => true)).toEqual([]);
  });
});

describe('exposure text', () => {
  const base: GitProvenance = {
    introduced: {
      commit: A,
      author: { name: 'A', email: 'a@example.com' },
      authorDate: '2017-02-01T00:00:00Z',
      committerDate: '2017-02-01T00:00:00Z',
      datesDisagree: false,
      atShallowBoundary: false,
    },
    paths: ['a'],
    removedIn: [],
    presentAtRefs: ['refs/heads/feature', 'refs/heads/main', 'refs/heads/old'],
    reachable: true,
    exposure: {
      from: '2017-02-01T00:00:00Z',
      removedFromAllTipsAt: null,
      stillAtTips: ['refs/heads/feature', 'refs/heads/main', 'refs/heads/old'],
      days: 0,
    },
  };
  const now = new Date('2021-11-15T00:00:00Z');

  it('names the default branch first and counts the others', () => {
    expect(formatExposure(base, now)).toBe(
      'exposed 4 years 9 months, still present on main and 2 other branches',
    );
  });

  it('says when the secret left every tip but stays in history', () => {
    const git = {
      ...base,
      exposure: { ...base.exposure, stillAtTips: [], removedFromAllTipsAt: '2018-03-04T00:00:00Z' },
    };
    expect(formatExposure(git, now)).toBe(
      'exposed 4 years 9 months, removed from every ref tip on 2018-03-04 but still reachable in history',
    );
    expect(formatExposure({ ...git, reachable: false }, now)).toBe(
      'exposed 1 year 1 month, removed from every ref tip on 2018-03-04 and only in unreachable objects',
    );
  });

  it('says "at least" at a shallow boundary and names mixed refs', () => {
    const git = {
      ...base,
      introduced: { ...base.introduced, atShallowBoundary: true },
      exposure: {
        ...base.exposure,
        stillAtTips: ['refs/tags/v1', 'refs/remotes/origin/main', 'refs/heads/dev'],
      },
    };
    expect(formatExposure(git, now)).toBe(
      'exposed at least 4 years 9 months, still present on dev and 2 other refs',
    );
  });

  it.each([
    ['2021-01-01T00:00:00Z', '2021-01-01T05:00:00Z', 'less than a day'],
    ['2021-01-01T00:00:00Z', '2021-01-06T00:00:00Z', '5 days'],
    ['2021-01-31T00:00:00Z', '2021-03-01T00:00:00Z', '1 month 1 day'],
    ['2020-02-29T00:00:00Z', '2021-02-28T00:00:00Z', '1 year'],
    ['2019-05-10T00:00:00Z', '2021-05-10T00:00:00Z', '2 years'],
  ])('spans %s .. %s as %s', (from, to, text) => {
    expect(formatSpan(new Date(from), new Date(to))).toBe(text);
  });
});

describe('text decoding', () => {
  it('keeps UTF-8 paths and escapes invalid bytes as git does', () => {
    expect(decodeGitPath(Buffer.from('dir/naïve.txt'))).toBe('dir/naïve.txt');
    expect(decodeGitPath(Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x2f, 0xc3, 0xa9]))).toBe(
      'caf\\351/é',
    );
  });

  it('reads identities as UTF-8, else Latin-1', () => {
    expect(decodeIdentity(Buffer.from('Zoë'))).toBe('Zoë');
    expect(decodeIdentity(Buffer.from([0x5a, 0x6f, 0xeb]))).toBe('Zoë');
  });
});

describe('raw log parsing', () => {
  it('reads commits, combined merge entries and paths with any byte in them', async () => {
    const nul = '\u0000';
    const text =
      `\u0001${A} ${B} ${C}${nul}Ann${nul}ann@example.com${nul}100${nul}200${nul}${nul}` +
      `\n::100644 100644 100644 ${B} ${C} ${A} MM${nul}weird\u0001name.txt${nul}` +
      `\u0001${B}${nul}Bob${nul}bob@example.com${nul}50${nul}60${nul}` +
      `\n:000000 100644 ${Z} ${C} A${nul}new.txt${nul}:160000 160000 ${A} ${B} M${nul}submodule${nul}`;
    const records = [];
    for await (const record of parseCommitLog(Readable.from([Buffer.from(text)])))
      records.push(record);
    expect(records).toEqual([
      {
        sha: A,
        parents: [B, C],
        author: { name: 'Ann', email: 'ann@example.com' },
        authorTime: 100,
        committerTime: 200,
        changes: [
          { before: [B, C], after: A, path: 'weird\u0001name.txt', status: 'MM', mode: '100644' },
        ],
      },
      {
        sha: B,
        parents: [],
        author: { name: 'Bob', email: 'bob@example.com' },
        authorTime: 50,
        committerTime: 60,
        changes: [{ before: [Z], after: C, path: 'new.txt', status: 'A', mode: '100644' }],
      },
    ]);
  });

  it('reads `git diff --raw -z` split across chunks', async () => {
    const text = `:100644 100644 ${A} ${B} M\u0000dir/a.txt\u0000`;
    const chunks = [Buffer.from(text.slice(0, 30)), Buffer.from(text.slice(30))];
    expect(await collectRawChanges(Readable.from(chunks))).toEqual([
      { before: [A], after: B, path: 'dir/a.txt', status: 'M', mode: '100644' },
    ]);
  });
});

describe('ObjectReader', () => {
  async function repoWithFile(): Promise<FixtureRepo> {
    const repo = await createFixtureRepo();
    cleanups.push(() => repo.cleanup());
    await repo.commit('one', { 'a.txt': 'hello\n' }, { date: '2024-01-01T00:00:00Z' });
    return repo;
  }

  it('reads objects by sha and by rev:path, and reports missing ones without failing', async () => {
    const repo = await repoWithFile();
    const reader = new ObjectReader(
      { cwd: repo.dir, env: repo.env },
      { mode: 'contents', maxInFlight: 2 },
    );
    cleanups.push(() => reader.close());
    const blob = await repo.git('rev-parse', 'HEAD:a.txt');
    const results = await Promise.all([
      reader.read(blob),
      reader.read('HEAD:a.txt'),
      reader.read(B),
      reader.read('HEAD:nope'),
    ]);
    expect(results.map((r) => r.status)).toEqual(['ok', 'ok', 'missing', 'missing']);
    const first = results[0];
    if (first?.status !== 'ok' || !first.data) throw new Error('expected data');
    expect(first.data.toString()).toBe('hello\n');
    // Chunks are transferred to worker threads: a view into Node's shared pool would break others.
    expect(first.data.byteOffset).toBe(0);
    expect(first.data.buffer.byteLength).toBe(first.data.length);
    expect(results[2]).toMatchObject({ name: B, error: { code: 'LW_GIT_MISSING_OBJECT' } });
  });

  it('reports the object cat-file died on and replays the rest on a new process', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'leakwatch-fake-git-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    // A cat-file that answers one request, then dies on the next (as on a corrupt pack).
    const fake = join(dir, 'git');
    await writeFile(
      fake,
      '#!/bin/sh\nread name\nprintf "%s blob 2\\nhi\\n" "$name"\nread name\necho "fatal: bad packed object $name" >&2\nexit 128\n',
    );
    await chmod(fake, 0o755);
    const reader = new ObjectReader(
      { cwd: dir, env: isolatedGitEnv(dir), gitPath: fake },
      { mode: 'contents' },
    );
    cleanups.push(() => reader.close());
    const [a, b, c] = await Promise.all([reader.read(A), reader.read(B), reader.read(C)]);
    expect(a).toMatchObject({ status: 'ok', sha: A });
    expect(b).toMatchObject({
      status: 'missing',
      error: {
        code: 'LW_GIT_CORRUPT_OBJECT',
        message: `object ${B}: fatal: bad packed object ${B}`,
      },
    });
    expect(c).toMatchObject({ status: 'ok', sha: C });
  });
});
