import { GitError, gitText, type GitContext } from './git-cli.js';

/**
 * `rev-list --missing=print` needs 2.16; 2.20 (Dec 2018) is the oldest release whose raw-diff and
 * cat-file output we parse, and anything older is unsupported by git itself.
 */
export const MIN_GIT_VERSION = '2.20.0';

export type GitVersion = [number, number, number];

export function parseGitVersion(text: string): GitVersion | null {
  const match = /git version (\d+)\.(\d+)(?:\.(\d+))?/.exec(text);
  if (!match) return null;
  return [Number(match[1]), Number(match[2]), Number(match[3] ?? 0)];
}

export function compareVersions(a: GitVersion, b: GitVersion): number {
  for (let i = 0; i < 3; i++) {
    const diff = (a[i] ?? 0) - (b[i] ?? 0);
    if (diff !== 0) return diff;
  }
  return 0;
}

/** Throws LW_GIT_NOT_FOUND or LW_GIT_TOO_OLD with the minimum version in the message. */
export async function checkGitVersion(ctx: GitContext): Promise<GitVersion> {
  const text = await gitText({ ...ctx, cwd: ctx.cwd }, ['--version']);
  const version = parseGitVersion(text);
  const minimum = parseGitVersion(`git version ${MIN_GIT_VERSION}`);
  if (!version || !minimum) {
    throw new GitError('LW_GIT_TOO_OLD', `cannot read the git version from "${text.trim()}"`);
  }
  if (compareVersions(version, minimum) < 0) {
    throw new GitError(
      'LW_GIT_TOO_OLD',
      `git ${version.join('.')} is too old: leakwatch needs git ${MIN_GIT_VERSION} or newer`,
    );
  }
  return version;
}
