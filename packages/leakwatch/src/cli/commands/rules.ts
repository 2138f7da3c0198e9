import { resolve } from 'node:path';
import { readFileSync } from 'node:fs';
import { loadBuiltinRules, loadConfig, parseConfigText } from '../../config/load.js';
import { formatIssue } from '../../config/validate.js';
import type { ConfigIssue } from '../../config/validate.js';
import { checkRuleExamples } from '../../engine/rule-check.js';
import type { AllowlistSpec, RuleSpec } from '../../engine/types.js';
import { renderRulesDoc } from '../../rules-doc.js';
import { parse } from '../args.js';
import { UsageError, write } from '../context.js';
import type { CliContext, Command } from '../context.js';

const USAGE =
  'leakwatch rules list [--config FILE] [--format text|json|markdown]\n       leakwatch rules check [FILE...]';

async function list(args: string[], ctx: CliContext): Promise<number> {
  const { values } = parse(
    args,
    { config: { type: 'string', short: 'c' }, format: { type: 'string', default: 'text' } },
    USAGE,
  );
  const cfg = loadConfig({ configPath: values.config, cwd: ctx.cwd, env: ctx.env });
  if (values.format === 'json') {
    const rows = cfg.specs.map((s) => ({
      id: s.id,
      provider: s.provider ?? null,
      severity: s.severity,
      description: s.description,
      keywords: s.keywords,
      references: s.references,
    }));
    write(ctx.stdout, JSON.stringify(rows, null, 2));
    return 0;
  }
  if (values.format === 'markdown') {
    ctx.stdout.write(renderRulesDoc(cfg.specs));
    return 0;
  }
  if (values.format !== 'text')
    throw new UsageError(`--format must be text, json or markdown, not '${values.format}'`);
  const width = Math.max(...cfg.specs.map((s) => s.id.length), 2);
  for (const s of cfg.specs)
    write(ctx.stdout, `${s.id.padEnd(width)}  ${s.severity.padEnd(8)}  ${s.description}`);
  write(ctx.stderr, `${cfg.specs.length} rules`);
  return 0;
}

async function check(args: string[], ctx: CliContext): Promise<number> {
  const { positionals } = parse(args, {}, USAGE);
  const issues: ConfigIssue[] = [];
  const warnings: ConfigIssue[] = [];
  let specs: RuleSpec[] = [];
  let allowlists: { spec: AllowlistSpec; source: string }[] = [];
  if (positionals.length === 0) {
    const b = loadBuiltinRules();
    specs = b.specs;
    allowlists = b.allowlists;
  } else {
    // Rules in the files under check may require rules defined by the built-ins.
    const builtins = loadBuiltinRules();
    for (const file of positionals) {
      const path = resolve(ctx.cwd, file);
      let text: string;
      try {
        text = readFileSync(path, 'utf8');
      } catch (e) {
        issues.push({
          source: path,
          field: '',
          message: `cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
        });
        continue;
      }
      const r = parseConfigText(text, file);
      issues.push(...r.errors);
      warnings.push(...r.warnings);
      specs.push(...r.config.rules);
      allowlists.push(...r.config.allowlists);
    }
    const own = new Set(specs.map((s) => s.id));
    const needed = specs.flatMap((s) => s.required.map((p) => p.id)).filter((id) => !own.has(id));
    specs = [...specs, ...builtins.specs.filter((s) => needed.includes(s.id))];
  }
  for (const w of warnings) write(ctx.stderr, `warning: ${formatIssue(w)}`);
  if (issues.length > 0) {
    for (const i of issues) write(ctx.stderr, `error: ${formatIssue(i)}`);
    return 2;
  }
  const problems = checkRuleExamples(specs, allowlists);
  for (const p of problems) write(ctx.stdout, `${p.source}: rule '${p.ruleId}': ${p.message}`);
  const examples = specs.reduce((n, s) => n + s.examples.length + s.negatives.length, 0);
  write(
    ctx.stderr,
    `${specs.length} rules, ${examples} examples and negatives checked, ${problems.length} problem(s)`,
  );
  return problems.length > 0 ? 1 : 0;
}

export const rulesCommand: Command = {
  name: 'rules',
  summary: 'list rules, or check rule files (examples must match, negatives must not)',
  usage: USAGE,
  async run(args, ctx) {
    const [sub, ...rest] = args;
    if (sub === 'list') return list(rest, ctx);
    if (sub === 'check') return check(rest, ctx);
    throw new UsageError(`unknown subcommand '${sub ?? ''}'\n\nusage: ${USAGE}`);
  },
};
