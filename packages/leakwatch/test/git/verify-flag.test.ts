import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, tempDir } from '../helpers/cli.js';

describe('leakwatch git --verify', () => {
  it('verifies history findings and applies --fail-on live', async () => {
    const dir = tempDir('lw-gitverify-');
    const env = {
      ...process.env,
      GIT_AUTHOR_NAME: 'A',
      GIT_AUTHOR_EMAIL: 'a@example.com',
      GIT_COMMITTER_NAME: 'A',
      GIT_COMMITTER_EMAIL: 'a@example.com',
    };
    const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, env });
    git('init', '-q');
    // A rule without a verify definition: verification must run and say so, without any request.
    writeFileSync(
      join(dir, 'rules.toml'),
      `[[rules]]\nid = "demo.key"\nregex = '''(DEMO-[0-9]{8})'''\nkeywords = ["demo-"]\n`,
    );
    writeFileSync(join(dir, 'a.txt'), 'key DEMO-12345678\n');
    git('add', 'a.txt');
    git('commit', '-qm', 'add');
    const json = await cli(
      [
        'git',
        '.',
        '--config',
        'rules.toml',
        '--verify',
        '--verify-cache',
        'off',
        '--format',
        'json',
      ],
      { cwd: dir },
    );
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout).findings[0].verification).toMatchObject({
      status: 'unknown',
      reason: 'no trusted verification check for demo.key',
    });
    const live = await cli(
      [
        'git',
        '.',
        '--config',
        'rules.toml',
        '--verify',
        '--verify-cache',
        'off',
        '--fail-on',
        'live',
        '-q',
      ],
      { cwd: dir },
    );
    expect(live.code).toBe(0);
  });
});
