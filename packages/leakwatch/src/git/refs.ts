import { GitError, gitText, runGit, type GitContext } from './git-cli.js';

export interface GitRef {
  /** Full ref name (`refs/heads/main`), or `HEAD` when it is detached. */
  name: string;
  sha: string;
}

/**
 * Every ref (branches, tags, remotes, notes, stash) and a detached HEAD. Only names and object ids
 * are asked for: asking git for the object type would make one ref to a missing object fail the
 * whole listing, and we want to report that ref and go on.
 */
export async function listRefs(ctx: GitContext): Promise<GitRef[]> {
  const text = await gitText(ctx, ['for-each-ref', '--format=%(objectname) %(refname)']);
  const refs: GitRef[] = [];
  for (const line of text.split('\n')) {
    const space = line.indexOf(' ');
    if (space > 0) refs.push({ sha: line.slice(0, space), name: line.slice(space + 1) });
  }
  const head = await runGit(ctx, ['symbolic-ref', '-q', 'HEAD']);
  if (head.code !== 0) {
    const detached = await runGit(ctx, ['rev-parse', '-q', '--verify', 'HEAD']);
    const sha = detached.stdout.toString('utf8').trim();
    if (detached.code === 0 && sha) refs.push({ name: 'HEAD', sha });
  }
  return refs;
}

/** Resolves a revision to a full object id, with a clear error when it does not exist. */
export async function resolveRevision(ctx: GitContext, revision: string): Promise<string> {
  if (revision.startsWith('-')) {
    throw new GitError('LW_GIT_BAD_REVISION', `"${revision}" is not a revision`);
  }
  const result = await runGit(ctx, ['rev-parse', '-q', '--verify', `${revision}^{commit}`]);
  const sha = result.stdout.toString('utf8').trim();
  if (result.code !== 0 || !sha) {
    throw new GitError('LW_GIT_BAD_REVISION', `unknown revision "${revision}"`);
  }
  return sha;
}
