import { ConfigError } from '../config/load.js';
import { formatIssue } from '../config/validate.js';
import { VERSION } from '../version.js';
import { baselineCommand } from './commands/baseline.js';
import { configCommand } from './commands/config.js';
import { gitCommand } from './commands/git.js';
import { hookCommand } from './commands/hook.js';
import { ignoreCommand } from './commands/ignore.js';
import { revokeCommand } from './commands/revoke.js';
import { rulesCommand } from './commands/rules.js';
import { scanCommand } from './commands/scan.js';
import { EXIT, UsageError, write } from './context.js';
import type { CliContext, Command } from './context.js';

const COMMANDS: Command[] = [
  scanCommand,
  gitCommand,
  hookCommand,
  baselineCommand,
  rulesCommand,
  configCommand,
  ignoreCommand,
  revokeCommand,
];

function help(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    `leakwatch ${VERSION} — find leaked credentials`,
    '',
    'usage: leakwatch <command> [options]',
    '',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'exit codes: 0 clean, 1 findings, 2 error',
  ].join('\n');
}

/** Runs the CLI and returns its exit code; never throws for user errors. */
export async function run(argv: string[], ctx: CliContext): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    write(name === undefined ? ctx.stderr : ctx.stdout, help());
    return name === undefined ? EXIT.error : EXIT.clean;
  }
  if (name === '--version' || name === '-V') {
    write(ctx.stdout, VERSION);
    return EXIT.clean;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    write(ctx.stderr, `leakwatch: unknown command '${name}'\n\n${help()}`);
    return EXIT.error;
  }
  if (args.includes('--help') || args.includes('-h')) {
    write(ctx.stdout, `usage: ${command.usage}`);
    return EXIT.clean;
  }
  try {
    return await command.run(args, ctx);
  } catch (e) {
    if (e instanceof UsageError) {
      write(ctx.stderr, `leakwatch ${name}: ${e.message}`);
      return EXIT.error;
    }
    if (e instanceof ConfigError) {
      for (const issue of e.issues) write(ctx.stderr, `error: ${formatIssue(issue)}`);
      return EXIT.error;
    }
    throw e;
  }
}
