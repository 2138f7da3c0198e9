import type { CompiledRule, RuleSet } from './compile.js';
import type { Allowlist, Provenance } from './types.js';

export interface AllowCandidate {
  secret: string;
  match: string;
  line: string;
  provenance: Provenance;
}

function pathOf(p: Provenance): string | undefined {
  return p.path;
}

function commitOf(p: Provenance): string | undefined {
  return p.kind === 'git' ? p.commit : undefined;
}

/** Does one allowlist allow this candidate? OR: any given criterion; AND: every given criterion. */
export function allowlistAllows(list: Allowlist, c: AllowCandidate): boolean {
  const results: boolean[] = [];
  if (list.regexes.length > 0) {
    const target =
      list.regexTarget === 'match' ? c.match : list.regexTarget === 'line' ? c.line : c.secret;
    results.push(list.regexes.some((re) => re.test(target)));
  }
  if (list.paths.length > 0) {
    const path = pathOf(c.provenance);
    results.push(path !== undefined && list.paths.some((re) => re.test(path)));
  }
  if (list.stopwords.length > 0) {
    const lower = c.secret.toLowerCase();
    results.push(list.stopwords.some((w) => lower.includes(w)));
  }
  if (list.commits.length > 0) {
    const commit = commitOf(c.provenance);
    results.push(commit !== undefined && list.commits.some((sha) => commit.startsWith(sha)));
  }
  if (results.length === 0) return false;
  return list.condition === 'AND' ? results.every(Boolean) : results.some(Boolean);
}

export function isAllowlisted(set: RuleSet, rule: CompiledRule, c: AllowCandidate): boolean {
  for (const list of rule.allowlists) if (allowlistAllows(list, c)) return true;
  for (const list of set.globalAllowlists) {
    if (list.targetRules.length > 0 && !list.targetRules.includes(rule.id)) continue;
    if (allowlistAllows(list, c)) return true;
  }
  return false;
}

/** Global path allowlists can skip a whole file before reading it. */
export function isPathAllowlisted(set: RuleSet, path: string): boolean {
  return set.globalAllowlists.some(
    (l) =>
      l.targetRules.length === 0 &&
      l.paths.length > 0 &&
      (l.condition === 'OR' ||
        (l.regexes.length === 0 && l.stopwords.length === 0 && l.commits.length === 0)) &&
      l.paths.some((re) => re.test(path)),
  );
}

const INLINE_ALLOW = /\b(?:leakwatch|gitleaks):allow\b/;

export function hasInlineAllow(line: string): boolean {
  return INLINE_ALLOW.test(line);
}
