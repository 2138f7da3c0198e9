import { parseConfigText } from '../../src/config/load.js';
import { compileRules } from '../../src/engine/compile.js';
import type { RuleSet } from '../../src/engine/compile.js';
import { buildFindings } from '../../src/engine/findings.js';
import { matchChunk } from '../../src/engine/match.js';
import type { Finding, Match } from '../../src/engine/types.js';

/** Compiles a TOML config text (must be valid) into a RuleSet. */
export function ruleSetFrom(toml: string): RuleSet {
  const r = parseConfigText(toml, 'test.toml');
  if (r.errors.length > 0)
    throw new Error(r.errors.map((e) => `${e.field}: ${e.message}`).join('\n'));
  return compileRules(r.config.rules, r.config.allowlists);
}

export function matchText(set: RuleSet, text: string, path = 'file.txt'): Match[] {
  return matchChunk(set, {
    bytes: new TextEncoder().encode(text),
    provenance: { kind: 'file', path },
  });
}

export function findText(set: RuleSet, text: string, path = 'file.txt'): Finding[] {
  return buildFindings(set, matchText(set, text, path), (id, s) => `${id}|${s}`);
}

export function secrets(set: RuleSet, text: string, path?: string): string[] {
  return findText(set, text, path).map((f) => f.secret);
}
