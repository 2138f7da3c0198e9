// git's pre-push hook protocol: one line per ref being pushed on stdin,
// "<local ref> SP <local sha> SP <remote ref> SP <remote sha>"; all-zero shas mean "none".

export interface PushUpdate {
  localRef: string;
  localSha: string;
  remoteRef: string;
  remoteSha: string;
}

export function parsePrePushInput(text: string): PushUpdate[] {
  const updates: PushUpdate[] = [];
  for (const line of text.split('\n')) {
    const fields = line.trim().split(/\s+/);
    if (fields.length !== 4) continue;
    const [localRef = '', localSha = '', remoteRef = '', remoteSha = ''] = fields;
    if (!/^[0-9a-f]{40,64}$/.test(localSha) || !/^[0-9a-f]{40,64}$/.test(remoteSha)) continue;
    updates.push({ localRef, localSha, remoteRef, remoteSha });
  }
  return updates;
}

export function isNullSha(sha: string): boolean {
  return /^0+$/.test(sha);
}

/**
 * Revisions (for `rev-list --stdin`) naming the commits a push would publish: each pushed commit,
 * minus the remote's old tip (when we have it) and minus everything on any remote-tracking ref, so
 * a new branch, or a branch rebased onto an already published one, is only checked for its own
 * commits.
 */
export function pushRevisions(
  updates: readonly PushUpdate[],
  remoteTips: readonly string[],
  exists: (sha: string) => boolean,
): string[] {
  const include = new Set<string>();
  const exclude = new Set<string>();
  for (const update of updates) {
    if (isNullSha(update.localSha)) continue;
    include.add(update.localSha);
    if (!isNullSha(update.remoteSha) && exists(update.remoteSha)) exclude.add(update.remoteSha);
  }
  for (const tip of remoteTips) exclude.add(tip);
  if (include.size === 0) return [];
  return [...include, ...[...exclude].map((sha) => `^${sha}`)];
}
