// Pure config validation: takes a parsed TOML document and returns every error and warning at once,
// each naming the source file, the rule and the field.
import { compileAllowlist, compileRule, RuleCompileError } from '../engine/compile.js';
import { SEVERITIES } from '../engine/types.js';
import type {
  AllowlistSpec,
  RequiredPart,
  RuleExample,
  RuleSpec,
  Severity,
} from '../engine/types.js';

export interface ConfigIssue {
  source: string;
  line?: number;
  ruleId?: string;
  field: string;
  message: string;
}

export interface ExtendSpec {
  useDefault: boolean;
  path?: string;
  disabledRules: string[];
}

export interface ConfigDoc {
  rules: RuleSpec[];
  allowlists: { spec: AllowlistSpec; source: string }[];
  extend: ExtendSpec;
}

export interface ValidationResult {
  config: ConfigDoc;
  errors: ConfigIssue[];
  warnings: ConfigIssue[];
}

/** Optional hook to validate a rule's `verify` table (supplied by the verify module). */
export type VerifyValidator = (raw: unknown, where: string) => string[];

const TOP_KEYS = [
  'title',
  'description',
  'minVersion',
  'extend',
  'rules',
  'allowlist',
  'allowlists',
];
const EXTEND_KEYS = ['useDefault', 'path', 'url', 'disabledRules'];
const RULE_KEYS = [
  'id',
  'description',
  'regex',
  'secretGroup',
  'entropy',
  'keywords',
  'path',
  'tags',
  'allowlist',
  'allowlists',
  'required',
  'skipReport',
  'provider',
  'severity',
  'examples',
  'negatives',
  'references',
  'revoke',
  'validate',
  'window',
  'verify',
];
const ALLOWLIST_KEYS = [
  'description',
  'condition',
  'regexTarget',
  'regexes',
  'paths',
  'stopwords',
  'commits',
  'targetRules',
];
const REQUIRED_KEYS = ['id', 'withinLines', 'withinColumns'];

function levenshtein(a: string, b: string): number {
  const dp = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = dp[0] as number;
    dp[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = dp[j] as number;
      dp[j] = Math.min(
        (dp[j] as number) + 1,
        (dp[j - 1] as number) + 1,
        prev + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
      prev = tmp;
    }
  }
  return dp[b.length] as number;
}

export function didYouMean(key: string, known: readonly string[]): string {
  let best: string | undefined;
  let bestScore = Infinity;
  for (const k of known) {
    const d = levenshtein(key.toLowerCase(), k.toLowerCase());
    if (d < bestScore) {
      bestScore = d;
      best = k;
    }
  }
  return best !== undefined && bestScore <= Math.max(2, Math.floor(key.length / 3))
    ? ` (did you mean '${best}'?)`
    : '';
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

class Collector {
  readonly errors: ConfigIssue[] = [];
  readonly warnings: ConfigIssue[] = [];
  constructor(
    readonly source: string,
    private readonly ruleLines: readonly number[],
  ) {}

  at(ruleIndex?: number): number | undefined {
    return ruleIndex === undefined ? undefined : this.ruleLines[ruleIndex];
  }

  error(field: string, message: string, ruleId?: string, ruleIndex?: number): void {
    this.errors.push({ source: this.source, line: this.at(ruleIndex), ruleId, field, message });
  }

  warn(field: string, message: string, ruleId?: string, ruleIndex?: number): void {
    this.warnings.push({ source: this.source, line: this.at(ruleIndex), ruleId, field, message });
  }

  unknownKeys(
    obj: Record<string, unknown>,
    known: readonly string[],
    where: string,
    ruleId?: string,
    ruleIndex?: number,
  ): void {
    for (const key of Object.keys(obj)) {
      if (!known.includes(key))
        this.warn(
          `${where}${key}`,
          `unknown key '${key}'${didYouMean(key, known)}`,
          ruleId,
          ruleIndex,
        );
    }
  }
}

function stringList(
  c: Collector,
  v: unknown,
  field: string,
  ruleId?: string,
  ri?: number,
): string[] {
  if (v === undefined) return [];
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) {
    c.error(field, 'must be a list of strings', ruleId, ri);
    return [];
  }
  return v as string[];
}

function optString(
  c: Collector,
  v: unknown,
  field: string,
  ruleId?: string,
  ri?: number,
): string | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'string') {
    c.error(field, 'must be a string', ruleId, ri);
    return undefined;
  }
  return v;
}

function optNumber(
  c: Collector,
  v: unknown,
  field: string,
  ruleId?: string,
  ri?: number,
  integer = false,
): number | undefined {
  if (v === undefined) return undefined;
  const n = typeof v === 'bigint' ? Number(v) : v;
  if (typeof n !== 'number' || Number.isNaN(n) || (integer && !Number.isInteger(n)) || n < 0) {
    c.error(field, `must be a non-negative ${integer ? 'integer' : 'number'}`, ruleId, ri);
    return undefined;
  }
  return n;
}

function allowlistSpec(
  c: Collector,
  raw: unknown,
  where: string,
  global: boolean,
  ruleId?: string,
  ri?: number,
): AllowlistSpec | undefined {
  if (!isObject(raw)) {
    c.error(where, 'must be a table', ruleId, ri);
    return undefined;
  }
  c.unknownKeys(
    raw,
    global ? ALLOWLIST_KEYS : ALLOWLIST_KEYS.filter((k) => k !== 'targetRules'),
    `${where}.`,
    ruleId,
    ri,
  );
  const condition = optString(c, raw.condition, `${where}.condition`, ruleId, ri)?.toUpperCase();
  if (condition !== undefined && condition !== 'OR' && condition !== 'AND') {
    c.error(`${where}.condition`, `must be "OR" or "AND", not '${condition}'`, ruleId, ri);
  }
  const regexTarget = optString(c, raw.regexTarget, `${where}.regexTarget`, ruleId, ri);
  if (regexTarget !== undefined && !['secret', 'match', 'line'].includes(regexTarget)) {
    c.error(
      `${where}.regexTarget`,
      `must be "secret", "match" or "line", not '${regexTarget}'`,
      ruleId,
      ri,
    );
  }
  const spec: AllowlistSpec = {
    description: optString(c, raw.description, `${where}.description`, ruleId, ri),
    condition: condition === 'AND' ? 'AND' : 'OR',
    regexTarget: (regexTarget as AllowlistSpec['regexTarget']) ?? 'secret',
    regexes: stringList(c, raw.regexes, `${where}.regexes`, ruleId, ri),
    paths: stringList(c, raw.paths, `${where}.paths`, ruleId, ri),
    stopwords: stringList(c, raw.stopwords, `${where}.stopwords`, ruleId, ri),
    commits: stringList(c, raw.commits, `${where}.commits`, ruleId, ri),
  };
  if (global) spec.targetRules = stringList(c, raw.targetRules, `${where}.targetRules`, ruleId, ri);
  try {
    compileAllowlist(spec, c.source, ruleId ?? where);
  } catch (e) {
    if (e instanceof RuleCompileError) c.error(`${where}: ${e.field}`, e.reason, ruleId, ri);
    else throw e;
  }
  return spec;
}

function examplesOf(
  c: Collector,
  v: unknown,
  field: string,
  ruleId: string,
  ri: number,
): RuleExample[] {
  if (v === undefined) return [];
  if (!Array.isArray(v)) {
    c.error(field, 'must be a list of { text, secret } tables', ruleId, ri);
    return [];
  }
  const out: RuleExample[] = [];
  v.forEach((e, i) => {
    if (!isObject(e) || typeof e.text !== 'string' || typeof e.secret !== 'string') {
      c.error(`${field}[${i}]`, 'must be a table { text = "...", secret = "..." }', ruleId, ri);
      return;
    }
    out.push({ text: e.text, secret: e.secret });
  });
  return out;
}

function ruleSpec(
  c: Collector,
  raw: unknown,
  ri: number,
  verify?: VerifyValidator,
): RuleSpec | undefined {
  const where = `rules[${ri}]`;
  if (!isObject(raw)) {
    c.error(where, 'must be a table', undefined, ri);
    return undefined;
  }
  const id = typeof raw.id === 'string' && raw.id.length > 0 ? raw.id : undefined;
  if (!id) c.error(`${where}.id`, 'every rule needs a non-empty string id', undefined, ri);
  const rid = id ?? `#${ri}`;
  c.unknownKeys(raw, RULE_KEYS, '', rid, ri);
  const regex = optString(c, raw.regex, 'regex', rid, ri);
  const path = optString(c, raw.path, 'path', rid, ri);
  if (regex === undefined && path === undefined)
    c.error('regex', 'a rule needs a regex, a path, or both', rid, ri);
  const severity = (optString(c, raw.severity, 'severity', rid, ri) ?? 'high') as Severity;
  if (!SEVERITIES.includes(severity))
    c.error('severity', `must be one of ${SEVERITIES.join(', ')}, not '${severity}'`, rid, ri);

  const allowlists: AllowlistSpec[] = [];
  if (raw.allowlist !== undefined) {
    const a = allowlistSpec(c, raw.allowlist, 'allowlist', false, rid, ri);
    if (a) allowlists.push(a);
  }
  if (raw.allowlists !== undefined) {
    if (!Array.isArray(raw.allowlists))
      c.error('allowlists', 'must be an array of tables ([[rules.allowlists]])', rid, ri);
    else
      raw.allowlists.forEach((a, i) => {
        const s = allowlistSpec(c, a, `allowlists[${i}]`, false, rid, ri);
        if (s) allowlists.push(s);
      });
  }
  const required: RequiredPart[] = [];
  if (raw.required !== undefined) {
    if (!Array.isArray(raw.required))
      c.error('required', 'must be an array of tables ([[rules.required]])', rid, ri);
    else
      raw.required.forEach((r, i) => {
        if (!isObject(r) || typeof r.id !== 'string') {
          c.error(`required[${i}]`, 'needs an id', rid, ri);
          return;
        }
        c.unknownKeys(r, REQUIRED_KEYS, `required[${i}].`, rid, ri);
        const part: RequiredPart = { id: r.id };
        const wl = optNumber(c, r.withinLines, `required[${i}].withinLines`, rid, ri, true);
        const wc = optNumber(c, r.withinColumns, `required[${i}].withinColumns`, rid, ri, true);
        if (wl !== undefined) part.withinLines = wl;
        if (wc !== undefined) part.withinColumns = wc;
        required.push(part);
      });
  }
  const tags = stringList(c, raw.tags, 'tags', rid, ri);
  if (raw.skipReport === true) tags.push('part-only');
  else if (raw.skipReport !== undefined && raw.skipReport !== false)
    c.error('skipReport', 'must be true or false', rid, ri);

  const spec: RuleSpec = {
    id: rid,
    description: optString(c, raw.description, 'description', rid, ri) ?? rid,
    regex,
    secretGroup: optNumber(c, raw.secretGroup, 'secretGroup', rid, ri, true),
    keywords: stringList(c, raw.keywords, 'keywords', rid, ri),
    entropy: optNumber(c, raw.entropy, 'entropy', rid, ri),
    path,
    tags,
    allowlists,
    required,
    provider: optString(c, raw.provider, 'provider', rid, ri),
    severity,
    examples: examplesOf(c, raw.examples, 'examples', rid, ri),
    negatives: stringList(c, raw.negatives, 'negatives', rid, ri),
    references: stringList(c, raw.references, 'references', rid, ri),
    revoke: optString(c, raw.revoke, 'revoke', rid, ri),
    validate: optString(c, raw.validate, 'validate', rid, ri),
    window: optNumber(c, raw.window, 'window', rid, ri, true),
    source: c.source,
  };
  if (raw.verify !== undefined) {
    if (!isObject(raw.verify)) c.error('verify', 'must be a table ([rules.verify])', rid, ri);
    else {
      spec.verify = raw.verify;
      for (const msg of verify ? verify(raw.verify, `${c.source}: rule '${rid}'`) : [])
        c.error('verify', msg, rid, ri);
    }
  }
  if (c.errors.some((e) => e.ruleId === rid)) return undefined;
  try {
    const compiled = compileRule(spec);
    if (compiled.regex && spec.secretGroup !== undefined && spec.secretGroup > 0) {
      const groups =
        new RegExp(`${compiled.regex.source}|`, compiled.regex.flags.replace('g', '')).exec('')
          ?.length ?? 1;
      if (spec.secretGroup >= groups) {
        c.error(
          'secretGroup',
          `is ${spec.secretGroup} but the regex has only ${groups - 1} capture group(s)`,
          rid,
          ri,
        );
        return undefined;
      }
    }
  } catch (e) {
    if (e instanceof RuleCompileError) {
      c.error(e.field, e.reason, rid, ri);
      return undefined;
    }
    throw e;
  }
  return spec;
}

/**
 * Validates one parsed config document (gitleaks schema + leakwatch fields). `ruleLines[i]` is the
 * line of the i-th `[[rules]]` header, for messages.
 */
export function validateConfig(
  doc: unknown,
  source: string,
  ruleLines: readonly number[] = [],
  verify?: VerifyValidator,
): ValidationResult {
  const c = new Collector(source, ruleLines);
  const config: ConfigDoc = {
    rules: [],
    allowlists: [],
    extend: { useDefault: false, disabledRules: [] },
  };
  if (!isObject(doc)) {
    c.error('', 'the config must be a TOML table');
    return { config, errors: c.errors, warnings: c.warnings };
  }
  c.unknownKeys(doc, TOP_KEYS, '');
  if (doc.extend !== undefined) {
    if (!isObject(doc.extend)) c.error('extend', 'must be a table ([extend])');
    else {
      c.unknownKeys(doc.extend, EXTEND_KEYS, 'extend.');
      if (doc.extend.useDefault !== undefined && typeof doc.extend.useDefault !== 'boolean')
        c.error('extend.useDefault', 'must be true or false');
      if (doc.extend.url !== undefined)
        c.error(
          'extend.url',
          'remote configs are not fetched; download the file and use extend.path',
        );
      config.extend = {
        useDefault: doc.extend.useDefault === true,
        path: optString(c, doc.extend.path, 'extend.path'),
        disabledRules: stringList(c, doc.extend.disabledRules, 'extend.disabledRules'),
      };
    }
  }
  if (doc.rules !== undefined) {
    if (!Array.isArray(doc.rules)) c.error('rules', 'must be an array of tables ([[rules]])');
    else {
      const ids = new Set<string>();
      doc.rules.forEach((raw, i) => {
        const spec = ruleSpec(c, raw, i, verify);
        if (!spec) return;
        if (ids.has(spec.id)) c.error('id', `duplicate rule id '${spec.id}'`, spec.id, i);
        ids.add(spec.id);
        config.rules.push(spec);
      });
    }
  }
  if (doc.allowlist !== undefined) {
    const a = allowlistSpec(c, doc.allowlist, 'allowlist', true);
    if (a) config.allowlists.push({ spec: a, source });
  }
  if (doc.allowlists !== undefined) {
    if (!Array.isArray(doc.allowlists))
      c.error('allowlists', 'must be an array of tables ([[allowlists]])');
    else
      doc.allowlists.forEach((raw, i) => {
        const a = allowlistSpec(c, raw, `allowlists[${i}]`, true);
        if (a) config.allowlists.push({ spec: a, source });
      });
  }
  return { config, errors: c.errors, warnings: c.warnings };
}

export function formatIssue(i: ConfigIssue): string {
  const where = `${i.source}${i.line !== undefined ? `:${i.line}` : ''}`;
  const rule = i.ruleId ? ` rule '${i.ruleId}'` : '';
  const field = i.field ? ` ${i.field}:` : '';
  return `${where}:${rule}${field} ${i.message}`;
}
