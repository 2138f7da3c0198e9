// Installs leakwatch as a git pre-commit or pre-push hook. A hook that is already there is kept,
// renamed to <hook>.pre-leakwatch, and run first with the same arguments and input, so installing
// leakwatch never silently switches off a team's existing checks.
import { access, chmod, readFile, rename, writeFile } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import { GitError, gitText, type GitContext } from './git-cli.js';

export type HookKind = 'pre-commit' | 'pre-push';

/** First line after the shebang of every hook we write: how we recognise our own hook. */
export const HOOK_MARKER = '# leakwatch-hook v1';

export interface HookInstallResult {
  kind: HookKind;
  path: string;
  /** Where a previous, foreign hook now lives (it runs before leakwatch). */
  chained: string | null;
  /** True when an earlier leakwatch hook was rewritten. */
  updated: boolean;
}

export async function hooksDirectory(ctx: GitContext): Promise<string> {
  // --git-path honours core.hooksPath and linked worktrees.
  const path = (await gitText(ctx, ['rev-parse', '--git-path', 'hooks'])).trim();
  return isAbsolute(path) ? path : resolve(ctx.cwd, path);
}

/** `command` is a shell command line that runs leakwatch (already quoted for sh). */
export async function installHook(
  ctx: GitContext,
  kind: HookKind,
  command: string,
): Promise<HookInstallResult> {
  const dir = await hooksDirectory(ctx);
  const path = join(dir, kind);
  const chainPath = `${path}.pre-leakwatch`;
  const existing = await readFile(path, 'utf8').catch(() => null);
  const ours = existing !== null && existing.includes(HOOK_MARKER);
  let chained = await access(chainPath).then(
    () => chainPath,
    () => null,
  );
  if (existing !== null && !ours) {
    if (chained !== null) {
      throw new GitError(
        'LW_GIT_FAILED',
        `both ${path} and ${chainPath} exist; merge them by hand, then run this again`,
      );
    }
    await rename(path, chainPath);
    chained = chainPath;
  }
  await writeFile(path, hookScript(kind, command), { mode: 0o755 });
  await chmod(path, 0o755);
  return { kind, path, chained, updated: ours };
}

export function hookScript(kind: HookKind, command: string): string {
  const chain = `"$hook_dir/${kind}.pre-leakwatch"`;
  const header = [
    '#!/bin/sh',
    HOOK_MARKER,
    `# Installed by \`leakwatch hook install\`. A hook that was here before is kept as`,
    `# ${kind}.pre-leakwatch and runs first; leakwatch then blocks the ${kind === 'pre-push' ? 'push' : 'commit'} if it finds a secret.`,
    'hook_dir=$(dirname "$0")',
  ];
  if (kind === 'pre-commit') {
    return [
      ...header,
      `if [ -x ${chain} ]; then`,
      `  ${chain} "$@" || exit $?`,
      'fi',
      `exec ${command} git --staged`,
      '',
    ].join('\n');
  }
  // git writes the refs being pushed to the hook's stdin; both hooks need to read it.
  return [
    ...header,
    'input=$(mktemp "${TMPDIR:-/tmp}/leakwatch-pre-push.XXXXXX") || exit 1',
    'trap \'rm -f "$input"\' EXIT',
    'cat > "$input"',
    `if [ -x ${chain} ]; then`,
    `  ${chain} "$@" < "$input" || exit $?`,
    'fi',
    `${command} git --pre-push < "$input"`,
    '',
  ].join('\n');
}

/** Quotes words for a POSIX shell command line. */
export function shellCommand(words: readonly string[]): string {
  return words
    .map((word) =>
      /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`,
    )
    .join(' ');
}
