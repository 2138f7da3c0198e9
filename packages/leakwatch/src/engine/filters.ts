// Small pure filters over findings: ignore files, baselines.
import type { Finding } from './types.js';

/** A `.gitleaksignore` line: `[commit:]path:ruleId:line` (position-keyed, as gitleaks writes it). */
export interface GitleaksIgnoreEntry {
  commit?: string;
  path: string;
  ruleId: string;
  line: number;
  raw: string;
}

export function parseGitleaksIgnore(text: string): GitleaksIgnoreEntry[] {
  const out: GitleaksIgnoreEntry[] = [];
  for (const rawLine of text.split(/\r?\n/)) {
    const raw = rawLine.trim();
    if (raw === '' || raw.startsWith('#')) continue;
    const m = /^(?:([0-9a-f]{7,64}):)?(.+):([^:]+):(\d+)$/.exec(raw);
    if (!m) continue;
    const entry: GitleaksIgnoreEntry = {
      path: m[2] as string,
      ruleId: m[3] as string,
      line: Number(m[4]),
      raw,
    };
    if (m[1]) entry.commit = m[1];
    out.push(entry);
  }
  return out;
}

/** Content-keyed ignore files: one fingerprint per line, `#` comments. */
export function parseFingerprintList(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((l) => l.replace(/#.*$/, '').trim())
    .filter((l) => l !== '');
}

export interface FilterOutcome {
  kept: Finding[];
  removed: number;
  /** entries of the ignore/baseline list that matched nothing */
  stale: string[];
}

export function filterByFingerprints(
  findings: readonly Finding[],
  fingerprints: ReadonlySet<string>,
): FilterOutcome {
  const used = new Set<string>();
  const kept = findings.filter((f) => {
    if (!fingerprints.has(f.fingerprint)) return true;
    used.add(f.fingerprint);
    return false;
  });
  return {
    kept,
    removed: findings.length - kept.length,
    stale: [...fingerprints].filter((f) => !used.has(f)),
  };
}

export function filterByGitleaksIgnore(
  findings: readonly Finding[],
  entries: readonly GitleaksIgnoreEntry[],
): FilterOutcome {
  const used = new Set<string>();
  const kept: Finding[] = [];
  for (const f of findings) {
    const locations = f.locations.filter((loc) => {
      const hit = entries.find(
        (e) =>
          e.ruleId === f.ruleId &&
          e.path === loc.path &&
          e.line === loc.line &&
          (e.commit === undefined || (loc.commit !== undefined && loc.commit.startsWith(e.commit))),
      );
      if (hit) used.add(hit.raw);
      return !hit;
    });
    if (locations.length > 0)
      kept.push(locations.length === f.locations.length ? f : { ...f, locations });
  }
  return {
    kept,
    removed: findings.length - kept.length,
    stale: entries.map((e) => e.raw).filter((r) => !used.has(r)),
  };
}
