import { ConfigError } from '../config/load.js';
import { formatIssue } from '../config/validate.js';
import { VERSION } from '../version.js';
import { EXIT, UsageError, write } from './context.js';
import type { CliContext, Command } from './context.js';

/** Commands load on demand: start-up only pays for the one that runs. */
interface CommandEntry {
  name: string;
  summary: string;
  load: () => Promise<Command>;
}

const COMMANDS: CommandEntry[] = [
  {
    name: 'scan',
    summary: 'scan files and directories (or stdin with -) for credentials',
    load: async () => (await import('./commands/scan.js')).scanCommand,
  },
  {
    name: 'git',
    summary: 'scan a git history: every commit of every ref, or staged/range/pre-push changes',
    load: async () => (await import('./commands/git.js')).gitCommand,
  },
  {
    name: 'hook',
    summary: 'install leakwatch as a git pre-commit or pre-push hook',
    load: async () => (await import('./commands/hook.js')).hookCommand,
  },
  {
    name: 'baseline',
    summary: 'record current findings so that later scans report only new ones',
    load: async () => (await import('./commands/baseline.js')).baselineCommand,
  },
  {
    name: 'rules',
    summary: 'list rules, or check rule files (examples must match, negatives must not)',
    load: async () => (await import('./commands/rules.js')).rulesCommand,
  },
  {
    name: 'config',
    summary: 'show which config a scan would use and check it',
    load: async () => (await import('./commands/config.js')).configCommand,
  },
  {
    name: 'ignore',
    summary: 'convert a .gitleaksignore into content-keyed .leakwatchignore fingerprints',
    load: async () => (await import('./commands/ignore.js')).ignoreCommand,
  },
  {
    name: 'revoke',
    summary: "revoke found credentials through a provider's revocation API (after confirmation)",
    load: async () => (await import('./commands/revoke.js')).revokeCommand,
  },
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
  const entry = COMMANDS.find((c) => c.name === name);
  if (!entry) {
    write(ctx.stderr, `leakwatch: unknown command '${name}'\n\n${help()}`);
    return EXIT.error;
  }
  const command = await entry.load();
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
