import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { graphAncestorCheck } from '../../src/git/commit-graph.js';
import { gitAncestorCheck } from '../../src/git/provenance.js';
import { tempDir } from '../helpers/cli.js';

describe('in-memory ancestry', () => {
  it('agrees with git merge-base --is-ancestor on every pair of a history with branches and merges', async () => {
    const dir = tempDir('lw-graph-');
    let n = 0;
    const env = {
      ...process.env,
      GIT_AUTHOR_NAME: 'A',
      GIT_AUTHOR_EMAIL: 'a@example.com',
      GIT_COMMITTER_NAME: 'A',
      GIT_COMMITTER_EMAIL: 'a@example.com',
    };
    const git = (...args: string[]) =>
      execFileSync('git', args, { cwd: dir, env }).toString().trim();
    const commit = (): string => {
      const file = `f${n++}.txt`;
      writeFileSync(join(dir, file), 'x\n');
      git('add', file);
      git('commit', '-qm', `c${n}`);
      return git('rev-parse', 'HEAD');
    };
    git('init', '-q', '-b', 'main');
    const shas = [commit(), commit()];
    git('checkout', '-q', '-b', 'side');
    shas.push(commit(), commit());
    git('checkout', '-q', 'main');
    shas.push(commit());
    git('merge', '-q', '--no-ff', '-m', 'merge', 'side');
    shas.push(git('rev-parse', 'HEAD'));
    git('checkout', '-q', '-b', 'other', shas[1] as string);
    shas.push(commit());
    const ctx = { cwd: dir, env: process.env };
    const fast = graphAncestorCheck(ctx);
    const slow = gitAncestorCheck(ctx);
    let related = 0;
    for (const a of shas) {
      for (const d of shas) {
        const expected = await slow(a, d);
        if (expected && a !== d) related++;
        expect(await fast(a, d), `${a.slice(0, 7)} ancestor of ${d.slice(0, 7)}`).toBe(expected);
      }
    }
    expect(related).toBeGreaterThan(10);
  });
});
