// The `examples`/`negatives` contract of a rule: each example yields exactly its secret, no
// negative yields anything. Used by `leakwatch rules check` and by the test over all built-ins.
import { compileRules } from './compile.js';
import { buildFindings } from './findings.js';
import { matchChunk } from './match.js';
import { translateRegex } from './regex.js';
import type { AllowlistSpec, RuleSpec } from './types.js';

export interface RuleProblem {
  ruleId: string;
  source: string;
  message: string;
}

const encoder = new TextEncoder();

function ruleWithParts(spec: RuleSpec, all: ReadonlyMap<string, RuleSpec>): RuleSpec[] {
  const out = [spec];
  for (const part of spec.required) {
    const p = all.get(part.id);
    if (p && !out.includes(p)) out.push(p);
  }
  return out;
}

/** Checks every rule's examples and negatives against the rule alone (plus the parts it requires). */
export function checkRuleExamples(
  specs: readonly RuleSpec[],
  allowlists: readonly { spec: AllowlistSpec; source: string }[] = [],
): RuleProblem[] {
  const problems: RuleProblem[] = [];
  const all = new Map(specs.map((s) => [s.id, s]));
  for (const spec of specs) {
    const report = (message: string): void => {
      problems.push({ ruleId: spec.id, source: spec.source, message });
    };
    for (const part of spec.required) {
      if (!all.has(part.id)) report(`requires unknown rule '${part.id}'`);
    }
    let set;
    try {
      set = compileRules(ruleWithParts(spec, all), allowlists);
    } catch (e) {
      report((e as Error).message);
      continue;
    }
    const run = (text: string): string[] => {
      const matches = matchChunk(set, {
        bytes: encoder.encode(text),
        provenance: { kind: 'file', path: spec.path ? exampleFileName(spec.path) : 'example.txt' },
      });
      return buildFindings(set, matches, () => 'x')
        .filter((f) => f.ruleId === spec.id)
        .map((f) => f.secret);
    };
    spec.examples.forEach((ex, i) => {
      const secrets = run(ex.text);
      if (secrets.length === 0)
        report(`examples[${i}] does not match (expected secret '${ex.secret}')`);
      else if (secrets.length > 1)
        report(
          `examples[${i}] yields ${secrets.length} secrets (${secrets.join(', ')}), expected one`,
        );
      else if (secrets[0] !== ex.secret)
        report(`examples[${i}] yields '${secrets[0]}', expected '${ex.secret}'`);
    });
    spec.negatives.forEach((text, i) => {
      const secrets = run(text);
      if (secrets.length > 0) report(`negatives[${i}] matches: '${secrets[0]}'`);
    });
  }
  return problems;
}

/**
 * Path-scoped rules need a file name their path regex accepts; a few common shapes are tried so that
 * examples for e.g. `\.env$` or `id_rsa$` rules are checked under a plausible name.
 */
function exampleFileName(pathPattern: string): string {
  const candidates = [
    'example.txt',
    '.env',
    'config.yml',
    'settings.py',
    'id_rsa',
    'application.properties',
    'config.json',
    'main.tf',
    '.npmrc',
    '.pypirc',
    'credentials',
    '.git-credentials',
    'Dockerfile',
    '.dockercfg',
    'config.xml',
  ];
  let re: RegExp;
  try {
    const t = translateRegex(pathPattern);
    re = new RegExp(t.source, t.flags.replace('g', ''));
  } catch {
    return 'example.txt';
  }
  return candidates.find((c) => re.test(c)) ?? 'example.txt';
}
