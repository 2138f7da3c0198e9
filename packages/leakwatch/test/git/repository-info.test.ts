import { describe, expect, it } from 'vitest';
import { reportableRemote } from '../../src/git/repository-info.js';

describe('remote URLs in reports', () => {
  it.each([
    ['https://x-access-token:abc123@github.com/org/repo.git', 'https://github.com/org/repo.git'],
    ['https://github.com/org/repo.git', 'https://github.com/org/repo.git'],
    ['git@github.com:org/repo.git', 'ssh://github.com/org/repo.git'],
    ['ssh://git@example.com:2222/repo.git', 'ssh://example.com:2222/repo.git'],
    ['/srv/git/repo.git', '/srv/git/repo.git'],
  ])('%s -> %s', (input, expected) => {
    expect(reportableRemote(input)).toBe(expected);
  });
});

describe('SARIF version-control provenance of a git scan', () => {
  it('names the origin without credentials, HEAD and the branch', async () => {
    const { execFileSync } = await import('node:child_process');
    const { writeFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { cli, tempDir } = await import('../helpers/cli.js');
    const dir = tempDir('lw-vcp-');
    const git = (...args: string[]) =>
      execFileSync('git', args, {
        cwd: dir,
        env: {
          ...process.env,
          GIT_AUTHOR_NAME: 'A',
          GIT_AUTHOR_EMAIL: 'a@example.com',
          GIT_COMMITTER_NAME: 'A',
          GIT_COMMITTER_EMAIL: 'a@example.com',
          GIT_AUTHOR_DATE: '2024-01-01T00:00:00Z',
          GIT_COMMITTER_DATE: '2024-01-01T00:00:00Z',
        },
      })
        .toString()
        .trim();
    git('init', '-q', '-b', 'main');
    writeFileSync(join(dir, 'a.txt'), 'hello\n');
    git('add', 'a.txt');
    git('commit', '-qm', 'init');
    git('remote', 'add', 'origin', 'https://ci-bot:s3cretValue42@example.com/org/app.git');
    const r = await cli(['git', '.', '--format', 'sarif'], { cwd: dir });
    expect(r.code).toBe(0);
    const vcp = JSON.parse(r.stdout).runs[0].versionControlProvenance;
    expect(vcp).toEqual([
      {
        repositoryUri: 'https://example.com/org/app.git',
        revisionId: git('rev-parse', 'HEAD'),
        branch: 'main',
      },
    ]);
    expect(r.stdout).not.toContain('s3cretValue42');
  });
});
