import { AhoCorasick } from './aho-corasick.js';
import { VALIDATORS } from './checksum.js';
import { RegexError, translateRegex } from './regex.js';
import type { Allowlist, AllowlistSpec, RequiredPart, RuleSpec, Severity } from './types.js';

/** Bytes searched on each side of a keyword hit: keywords sit next to (or inside) their secrets. */
export const DEFAULT_WINDOW = 512;

export interface CompiledRule {
  id: string;
  description: string;
  provider: string;
  severity: Severity;
  generic: boolean;
  regex?: RegExp;
  /** 1-based group to report; undefined = first non-empty group, else the whole match. */
  secretGroup?: number;
  entropy?: number;
  path?: RegExp;
  validate?: (secret: string) => boolean;
  window: number;
  allowlists: Allowlist[];
  required: RequiredPart[];
  hasKeywords: boolean;
  references: string[];
  revoke?: string;
  spec: RuleSpec;
}

export interface RuleSet {
  rules: CompiledRule[];
  byId: Map<string, CompiledRule>;
  keywords: AhoCorasick;
  /** keyword index -> indexes of the rules that list it */
  keywordRules: number[][];
  /** rules with a regex and no keywords: run over the whole text */
  unkeyed: number[];
  /** rules with only a path */
  pathOnly: number[];
  globalAllowlists: Allowlist[];
  /** Rules that some composite rule requires: they must be matched even if only needed as parts. */
  partIds: Set<string>;
}

export class RuleCompileError extends Error {
  constructor(
    readonly source: string,
    readonly ruleId: string,
    readonly field: string,
    readonly reason: string,
  ) {
    super(`${source}: rule '${ruleId}': ${field}: ${reason}`);
  }
}

/** Compiles an RE2 pattern to a global JS RegExp, naming the rule and field on failure. */
export function compilePattern(
  pattern: string,
  source: string,
  ruleId: string,
  field: string,
): RegExp {
  try {
    const t = translateRegex(pattern);
    return new RegExp(t.source, t.flags);
  } catch (e) {
    const reason = e instanceof RegexError ? e.message : String(e);
    throw new RuleCompileError(source, ruleId, field, reason);
  }
}

export function compileAllowlist(spec: AllowlistSpec, source: string, owner: string): Allowlist {
  const nonGlobal = (re: RegExp): RegExp => new RegExp(re.source, re.flags.replace('g', ''));
  return {
    description: spec.description,
    condition: spec.condition ?? 'OR',
    regexTarget: spec.regexTarget ?? 'secret',
    regexes: (spec.regexes ?? []).map((r, i) =>
      nonGlobal(compilePattern(r, source, owner, `allowlist regexes[${i}]`)),
    ),
    paths: (spec.paths ?? []).map((r, i) =>
      nonGlobal(compilePattern(r, source, owner, `allowlist paths[${i}]`)),
    ),
    stopwords: (spec.stopwords ?? []).map((w) => w.toLowerCase()),
    commits: spec.commits ?? [],
    targetRules: spec.targetRules ?? [],
  };
}

export function compileRule(spec: RuleSpec): CompiledRule {
  const regex =
    spec.regex !== undefined
      ? compilePattern(spec.regex, spec.source, spec.id, 'regex')
      : undefined;
  const path =
    spec.path !== undefined ? compilePattern(spec.path, spec.source, spec.id, 'path') : undefined;
  let validate: CompiledRule['validate'];
  if (spec.validate !== undefined) {
    validate = VALIDATORS[spec.validate];
    if (!validate) {
      throw new RuleCompileError(
        spec.source,
        spec.id,
        'validate',
        `unknown validator '${spec.validate}' (known: ${Object.keys(VALIDATORS).join(', ')})`,
      );
    }
  }
  return {
    id: spec.id,
    description: spec.description,
    provider: spec.provider ?? 'custom',
    severity: spec.severity,
    generic: spec.provider === 'generic',
    regex,
    secretGroup: spec.secretGroup === 0 ? undefined : spec.secretGroup,
    entropy: spec.entropy,
    path: path ? new RegExp(path.source, path.flags.replace('g', '')) : undefined,
    validate,
    window: spec.window ?? DEFAULT_WINDOW,
    allowlists: spec.allowlists.map((a) => compileAllowlist(a, spec.source, spec.id)),
    required: spec.required,
    hasKeywords: spec.keywords.length > 0,
    references: spec.references,
    revoke: spec.revoke,
    spec,
  };
}

export function compileRules(
  specs: readonly RuleSpec[],
  globalAllowlists: readonly { spec: AllowlistSpec; source: string }[] = [],
): RuleSet {
  const rules = specs.map(compileRule);
  const byId = new Map(rules.map((r) => [r.id, r]));
  const keywordIndex = new Map<string, number>();
  const keywordRules: number[][] = [];
  const unkeyed: number[] = [];
  const pathOnly: number[] = [];
  rules.forEach((rule, i) => {
    if (!rule.regex) {
      if (rule.path) pathOnly.push(i);
      return;
    }
    if (rule.spec.keywords.length === 0) {
      unkeyed.push(i);
      return;
    }
    for (const kw of rule.spec.keywords) {
      const key = kw.toLowerCase();
      let k = keywordIndex.get(key);
      if (k === undefined) {
        k = keywordRules.length;
        keywordIndex.set(key, k);
        keywordRules.push([]);
      }
      const list = keywordRules[k] as number[];
      if (!list.includes(i)) list.push(i);
    }
  });
  const partIds = new Set(rules.flatMap((r) => r.required.map((p) => p.id)));
  return {
    rules,
    byId,
    keywords: new AhoCorasick([...keywordIndex.keys()]),
    keywordRules,
    unkeyed,
    pathOnly,
    globalAllowlists: globalAllowlists.map((a) =>
      compileAllowlist(a.spec, a.source, '[[allowlists]]'),
    ),
    partIds,
  };
}
