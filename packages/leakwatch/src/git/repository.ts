import { readFile, stat } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import { GitError, runGit, classifyGitFailure, type GitContext } from './git-cli.js';
import { checkGitVersion } from './git-version.js';

export interface RepositoryInfo {
  ctx: GitContext;
  gitDir: string;
  bare: boolean;
  shallow: boolean;
  /** Commits whose parents were cut off by a shallow clone. */
  shallowCommits: Set<string>;
}

/** Checks the directory, the git version and the repository, in that order of likely mistakes. */
export async function openRepository(ctx: GitContext): Promise<RepositoryInfo> {
  const dir = await stat(ctx.cwd).catch(() => null);
  if (!dir?.isDirectory()) {
    throw new GitError('LW_GIT_NOT_A_REPO', `${ctx.cwd}: no such directory`);
  }
  await checkGitVersion(ctx);
  const args = [
    'rev-parse',
    '--absolute-git-dir',
    '--is-bare-repository',
    '--is-shallow-repository',
  ];
  const result = await runGit(ctx, args);
  if (result.code !== 0) {
    const error = classifyGitFailure(args, result.stderr);
    if (error.code === 'LW_GIT_NOT_A_REPO') {
      throw new GitError('LW_GIT_NOT_A_REPO', `${ctx.cwd} is not a git repository`);
    }
    throw error;
  }
  const [gitDirLine = '', bareLine = '', shallowLine = ''] = result.stdout
    .toString('utf8')
    .split('\n');
  const gitDir = isAbsolute(gitDirLine) ? gitDirLine : resolve(ctx.cwd, gitDirLine);
  const shallow = shallowLine.trim() === 'true';
  const shallowCommits = new Set<string>();
  if (shallow) {
    const text = await readFile(resolve(gitDir, 'shallow'), 'utf8').catch(() => '');
    for (const line of text.split('\n')) if (line.trim()) shallowCommits.add(line.trim());
  }
  return { ctx, gitDir, bare: bareLine.trim() === 'true', shallow, shallowCommits };
}
