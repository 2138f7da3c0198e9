import type { CompiledRule, RuleSet } from './compile.js';
import type { Finding, FindingPart, Location, Match, Provenance, Severity } from './types.js';

/** Hashes a secret for its fingerprint; injected so the engine stays free of node:crypto. */
export type SecretHasher = (ruleId: string, secret: string) => string;

const SEVERITY_ORDER: Record<Severity, number> = { critical: 0, high: 1, medium: 2, low: 3 };

export function objectKey(p: Provenance): string {
  switch (p.kind) {
    case 'file':
      return `file:${p.path}`;
    case 'stdin':
      return `stdin:${p.path ?? '-'}`;
    case 'git':
      return `git:${p.object}:${p.path ?? ''}`;
  }
}

export function toLocation(m: Match): Location {
  const loc: Location = {
    line: m.line,
    column: m.column,
    endLine: m.endLine,
    endColumn: m.endColumn,
    snippet: m.lineText,
  };
  const p = m.provenance;
  if (p.path !== undefined) loc.path = p.path;
  if (m.encoding) loc.encoding = m.encoding;
  if (p.kind === 'git') {
    if (p.commit) loc.commit = p.commit;
    loc.blob = p.object;
    loc.objectType = p.objectType;
  }
  return loc;
}

function near(
  a: Match,
  b: Match,
  within: { withinLines?: number; withinColumns?: number },
): boolean {
  if (within.withinLines !== undefined && Math.abs(a.line - b.line) > within.withinLines)
    return false;
  if (within.withinColumns !== undefined && Math.abs(a.column - b.column) > within.withinColumns)
    return false;
  return true;
}

function distance(a: Match, b: Match): number {
  return Math.abs(a.line - b.line) * 10_000 + Math.abs(a.column - b.column);
}

function overlapsSpan(a: Match, b: Match): boolean {
  return a.start < b.end && b.start < a.end;
}

/**
 * Resolves composite rules (a match stands only with its required parts nearby, and then carries
 * them), removes generic matches that a provider rule explains, and drops parts consumed by a
 * composite from standalone reporting.
 */
export function resolveMatches(
  set: RuleSet,
  matches: readonly Match[],
): { kept: Match[]; parts: Map<Match, Match[]> } {
  const byObject = new Map<string, Match[]>();
  for (const m of matches) {
    const key = objectKey(m.provenance);
    let list = byObject.get(key);
    if (!list) byObject.set(key, (list = []));
    list.push(m);
  }
  const kept: Match[] = [];
  const parts = new Map<Match, Match[]>();
  for (const list of byObject.values()) {
    const consumed = new Set<Match>();
    const standing: Match[] = [];
    for (const m of list) {
      const rule = set.byId.get(m.ruleId) as CompiledRule;
      if (rule.required.length === 0) {
        standing.push(m);
        continue;
      }
      const found: Match[] = [];
      for (const req of rule.required) {
        let best: Match | undefined;
        for (const other of list) {
          if (other.ruleId !== req.id || other === m || !near(m, other, req)) continue;
          if (!best || distance(m, other) < distance(m, best)) best = other;
        }
        if (!best) break;
        found.push(best);
      }
      if (found.length !== rule.required.length) continue;
      found.forEach((p) => consumed.add(p));
      parts.set(m, found);
      standing.push(m);
    }
    const specific = standing.filter((m) => !(set.byId.get(m.ruleId) as CompiledRule).generic);
    const secretsBySpecific = new Set(specific.map((m) => m.secret));
    const keptGeneric: Match[] = [];
    for (const m of standing) {
      if (consumed.has(m)) continue;
      const rule = set.byId.get(m.ruleId) as CompiledRule;
      // A part that only exists to complete composites is not a finding of its own.
      if (rule.spec.tags.includes('part-only')) continue;
      if (rule.generic) {
        const explained =
          secretsBySpecific.has(m.secret) ||
          specific.some(
            (s) => overlapsSpan(s, m) || m.secret.includes(s.secret) || s.secret.includes(m.secret),
          ) ||
          [...consumed].some((p) => overlapsSpan(p, m) || p.secret === m.secret);
        if (explained) continue;
        // Two generic rules on the same value (e.g. `--password=X` read as a flag and as an
        // assignment) are one finding: the first rule in the set wins.
        if (keptGeneric.some((g) => g.secret === m.secret && overlapsSpan(g, m))) continue;
        keptGeneric.push(m);
      }
      kept.push(m);
    }
  }
  return { kept, parts };
}

/** Groups matches into one Finding per rule + secret, with every location, sorted for output. */
export function buildFindings(
  set: RuleSet,
  matches: readonly Match[],
  hash: SecretHasher,
): Finding[] {
  const { kept, parts } = resolveMatches(set, matches);
  const groups = new Map<string, { rule: CompiledRule; matches: Match[] }>();
  for (const m of kept) {
    const key = `${m.ruleId}\u0000${m.secret}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { rule: set.byId.get(m.ruleId) as CompiledRule, matches: [] }));
    g.matches.push(m);
  }
  const findings: Finding[] = [];
  for (const { rule, matches: ms } of groups.values()) {
    const first = ms[0] as Match;
    const seen = new Set<string>();
    const locations: Location[] = [];
    for (const m of ms) {
      const loc = toLocation(m);
      const key = `${loc.path}\u0000${loc.blob ?? ''}\u0000${loc.commit ?? ''}\u0000${loc.line}\u0000${loc.column}`;
      if (seen.has(key)) continue;
      seen.add(key);
      locations.push(loc);
    }
    locations.sort(compareLocations);
    const partList: FindingPart[] = [];
    const partSeen = new Set<string>();
    for (const m of ms) {
      for (const p of parts.get(m) ?? []) {
        const k = `${p.ruleId}\u0000${p.secret}`;
        if (partSeen.has(k)) continue;
        partSeen.add(k);
        partList.push({ ruleId: p.ruleId, secret: p.secret, location: toLocation(p) });
      }
    }
    const finding: Finding = {
      fingerprint: `${rule.id}:${hash(rule.id, first.secret)}`,
      ruleId: rule.id,
      provider: rule.provider,
      description: rule.description,
      severity: rule.severity,
      secret: first.secret,
      entropy: Math.round(first.entropy * 1000) / 1000,
      locations,
      parts: partList,
      references: rule.references,
    };
    if (rule.revoke !== undefined) finding.revoke = rule.revoke;
    findings.push(finding);
  }
  return findings.sort(compareFindings);
}

function compareLocations(a: Location, b: Location): number {
  return (a.path ?? '').localeCompare(b.path ?? '') || a.line - b.line || a.column - b.column;
}

export function compareFindings(a: Finding, b: Finding): number {
  return (
    SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] ||
    compareLocations(a.locations[0] as Location, b.locations[0] as Location) ||
    a.ruleId.localeCompare(b.ruleId)
  );
}
