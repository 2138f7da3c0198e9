// The built-in rule set, as a whole and rule by rule (docs/rule-format.md, "conventions").
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadBuiltinRules } from '../src/config/load.js';
import { compileRules } from '../src/engine/compile.js';
import { guaranteedLiteralLength } from '../src/engine/regex.js';
import { checkRuleExamples } from '../src/engine/rule-check.js';
import { renderRulesDoc } from '../src/rules-doc.js';

const builtin = loadBuiltinRules();
const specs = builtin.specs;
const providerRules = specs.filter((s) => s.provider !== 'generic');

describe('built-in rules, one by one', () => {
  it.each(specs.map((s) => [s.id, s] as const))(
    '%s: examples yield exactly their secret, negatives nothing',
    (_id, spec) => {
      expect(
        checkRuleExamples(
          [spec, ...specs.filter((s) => spec.required.some((r) => r.id === s.id))],
          builtin.allowlists,
        ),
      ).toEqual([]);
    },
  );
});

describe('built-in rule set', () => {
  it('has at least 200 provider-specific rules', () => {
    expect(providerRules.length).toBeGreaterThanOrEqual(200);
  });

  it('compiles as one set', () => {
    expect(() => compileRules(specs, builtin.allowlists)).not.toThrow();
  });

  it('has unique, well-formed ids prefixed with the provider, which is the file name', () => {
    const ids = specs.map((s) => s.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const s of specs) {
      expect(s.id, s.id).toMatch(/^[a-z0-9]+(?:-[a-z0-9]+)*\.[a-z0-9]+(?:-[a-z0-9]+)*$/);
      expect(s.provider, s.id).toBe(s.id.split('.')[0]);
      expect(basename(s.source, '.toml'), s.id).toBe(s.provider);
    }
  });

  it('gives every rule keywords, a secret group, references, revoke guidance and >= 2 examples and negatives', () => {
    for (const s of specs) {
      expect(s.keywords.length, `${s.id} keywords`).toBeGreaterThan(0);
      for (const k of s.keywords) expect(k, `${s.id} keyword`).toBe(k.toLowerCase());
      expect(s.regex, `${s.id} regex`).toBeDefined();
      expect(
        /\((?!\?)|\(\?P?<\w+>/.test(s.regex ?? ''),
        `${s.id} needs a capture group for the secret`,
      ).toBe(true);
      expect(s.references.length, `${s.id} references`).toBeGreaterThan(0);
      for (const r of s.references) expect(r, `${s.id} reference`).toMatch(/^https:\/\//);
      expect(s.revoke, `${s.id} revoke`).toMatch(/https:\/\//);
      expect(s.examples.length, `${s.id} examples`).toBeGreaterThanOrEqual(2);
      expect(s.negatives.length, `${s.id} negatives`).toBeGreaterThanOrEqual(2);
    }
  });

  it('anchors every provider rule on a distinctive literal (>= 3 chars) or a checksum', () => {
    const weak = providerRules
      .filter((s) => s.validate === undefined && guaranteedLiteralLength(s.regex ?? '') < 3)
      .map((s) => s.id);
    expect(weak).toEqual([]);
  });

  it('keeps docs/rules.md in sync (regenerate: leakwatch rules list --format markdown > docs/rules.md)', () => {
    const doc = readFileSync(new URL('../../../docs/rules.md', import.meta.url), 'utf8');
    expect(doc).toBe(renderRulesDoc(specs));
  });
});
