import { runGit } from './git-cli.js';
import type { GitContext } from './git-cli.js';

export interface RepositoryInfo {
  uri?: string;
  revisionId?: string;
  branch?: string;
}

/**
 * A remote URL fit for a report: credentials removed (https://user:token@host/x -> https://host/x)
 * and scp-style remotes turned into URIs (git@host:org/x.git -> ssh://host/org/x.git).
 */
export function reportableRemote(url: string): string {
  const scp = /^[^/@:]+@([^/:]+):(?!\/)(.*)$/.exec(url);
  if (scp) return `ssh://${scp[1]}/${scp[2]}`;
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@]*@/i, '$1');
}

async function output(ctx: GitContext, args: string[]): Promise<string | undefined> {
  const r = await runGit(ctx, args);
  const text = r.stdout.toString('utf8').trim();
  return r.code === 0 && text !== '' ? text : undefined;
}

/** What SARIF's versionControlProvenance needs: the origin URL, HEAD's sha and branch. */
export async function repositoryInfo(ctx: GitContext): Promise<RepositoryInfo> {
  const [uri, revisionId, branch] = await Promise.all([
    output(ctx, ['config', '--get', 'remote.origin.url']),
    output(ctx, ['rev-parse', '--verify', '-q', 'HEAD']),
    output(ctx, ['symbolic-ref', '--short', '-q', 'HEAD']),
  ]);
  const info: RepositoryInfo = {};
  if (uri) info.uri = reportableRemote(uri);
  if (revisionId) info.revisionId = revisionId;
  if (branch) info.branch = branch;
  return info;
}
