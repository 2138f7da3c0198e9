import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GitError } from '../../git/git-cli.js';
import { installHook, shellCommand, type HookKind } from '../../git/hook-install.js';
import { openRepository } from '../../git/repository.js';
import { parse } from '../args.js';
import { UsageError, write } from '../context.js';
import type { CliContext, Command } from '../context.js';

const USAGE = `leakwatch hook install [--pre-commit] [--pre-push] [--command CMD] [REPO]
  Installs git hooks that stop a commit (--pre-commit, the default) or a push (--pre-push) that
  adds a secret. An existing hook is kept as <hook>.pre-leakwatch and runs first.
      --command CMD   how the hook starts leakwatch (default: this node and this leakwatch, by
                      absolute path; e.g. --command "npx --no-install leakwatch")`;

/** The bin next to this build, run by the node running now: works without leakwatch on PATH. */
function defaultCommand(): string {
  const bin = fileURLToPath(new URL('../../../bin/leakwatch.js', import.meta.url));
  return shellCommand([process.execPath, bin]);
}

export const hookCommand: Command = {
  name: 'hook',
  summary: 'install git pre-commit / pre-push hooks that block secrets',
  usage: USAGE,
  async run(args: string[], ctx: CliContext): Promise<number> {
    const [action, ...rest] = args;
    if (action !== 'install')
      throw new UsageError(`unknown action '${action ?? ''}'\n\nusage: ${USAGE}`);
    const { values, positionals } = parse(
      rest,
      {
        'pre-commit': { type: 'boolean', default: false },
        'pre-push': { type: 'boolean', default: false },
        command: { type: 'string' },
      },
      USAGE,
    );
    if (positionals.length > 1)
      throw new UsageError(`expected at most one repository\n\nusage: ${USAGE}`);
    if (values.command !== undefined && values.command.trim() === '')
      throw new UsageError('--command must not be empty');
    const kinds: HookKind[] = [];
    if (values['pre-commit'] || !values['pre-push']) kinds.push('pre-commit');
    if (values['pre-push']) kinds.push('pre-push');
    const gitCtx = { cwd: resolve(ctx.cwd, positionals[0] ?? '.'), env: ctx.env };
    try {
      await openRepository(gitCtx);
      for (const kind of kinds) {
        const result = await installHook(gitCtx, kind, values.command ?? defaultCommand());
        const chained = result.chained ? ` (runs the previous hook first: ${result.chained})` : '';
        write(
          ctx.stdout,
          `${result.updated ? 'updated' : 'installed'} ${kind} hook: ${result.path}${chained}`,
        );
      }
      return 0;
    } catch (error) {
      if (error instanceof GitError) {
        write(ctx.stderr, `leakwatch hook: ${error.message} (${error.code})`);
        return 2;
      }
      throw error;
    }
  },
};
