import { loadConfig } from '../../config/load.js';
import { formatIssue } from '../../config/validate.js';
import { checkRuleExamples } from '../../engine/rule-check.js';
import { parse } from '../args.js';
import { UsageError, write } from '../context.js';
import type { Command } from '../context.js';

const USAGE = 'leakwatch config check [--config FILE] [PATH]';

/** Loads the config a scan of PATH would use and reports every problem (exit 2) or a summary. */
export const configCommand: Command = {
  name: 'config',
  summary: 'show which config a scan would use and check it',
  usage: USAGE,
  async run(args, ctx) {
    const [sub, ...rest] = args;
    if (sub !== 'check')
      throw new UsageError(`unknown subcommand '${sub ?? ''}'\n\nusage: ${USAGE}`);
    const { values, positionals } = parse(rest, { config: { type: 'string', short: 'c' } }, USAGE);
    const cfg = loadConfig({
      configPath: values.config,
      cwd: ctx.cwd,
      env: ctx.env,
      root: positionals[0] ?? '.',
    });
    for (const w of cfg.warnings) write(ctx.stderr, `warning: ${formatIssue(w)}`);
    const own = cfg.specs.filter((s) => s.origin !== 'builtin');
    const problems = checkRuleExamples(own, cfg.allowlists);
    for (const p of problems)
      write(ctx.stderr, `error: ${p.source}: rule '${p.ruleId}': ${p.message}`);
    const from = cfg.origin.path ? `${cfg.origin.path} (${cfg.origin.kind})` : 'built-in rules';
    write(
      ctx.stdout,
      `config: ${from}\nrules: ${cfg.specs.length} (${own.length} own, ${cfg.specs.length - own.length} built-in)\nallowlists: ${cfg.allowlists.length}\nwarnings: ${cfg.warnings.length}`,
    );
    return problems.length > 0 ? 2 : 0;
  },
};
