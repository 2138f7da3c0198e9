// Which rules may be verified. A verify definition decides where a secret is sent, so it is
// honoured only from built-in rules or a config the user named (--config, LEAKWATCH_CONFIG),
// never from a config found inside the scanned repository (docs/decisions/0050).

import type { RuleSpec } from '../engine/types.js';
import { partsUsed, validateVerifySpec, type VerifySpec } from './spec.js';

/** Set by the config loader on every rule: built-in, --config/LEAKWATCH_CONFIG, or found in the repository. */
export type RuleOrigin = NonNullable<RuleSpec['origin']>;

export type VerifiableRule = Pick<RuleSpec, 'id' | 'provider' | 'verify' | 'source' | 'origin'> &
  Partial<Pick<RuleSpec, 'required'>>;

export interface VerifyCheck {
  ruleId: string;
  provider: string;
  spec: VerifySpec;
}

export interface CollectedChecks {
  checks: Map<string, VerifyCheck>;
  /** Validation errors of trusted definitions (the config validator reports these too). */
  errors: string[];
  /** Ids of rules whose verify definition was ignored because of where it came from. */
  untrusted: string[];
}

export function isTrustedOrigin(origin: RuleOrigin | undefined): boolean {
  return origin === 'builtin' || origin === 'user';
}

export function collectVerifyChecks(rules: readonly VerifiableRule[]): CollectedChecks {
  const out: CollectedChecks = { checks: new Map(), errors: [], untrusted: [] };
  for (const rule of rules) {
    if (rule.verify === undefined) continue;
    if (!isTrustedOrigin(rule.origin)) {
      out.untrusted.push(rule.id);
      continue;
    }
    const where = `${rule.source}: rule ${rule.id}`;
    const { spec, errors } = validateVerifySpec(rule.verify, where);
    out.errors.push(...errors);
    const required = new Set((rule.required ?? []).map((p) => p.id));
    const unbound = spec ? partsUsed(spec).filter((id) => !required.has(id)) : [];
    for (const id of unbound) {
      out.errors.push(`${where}: verify: uses {{part:${id}}} but the rule does not require ${id}`);
    }
    if (spec && unbound.length === 0) {
      out.checks.set(rule.id, {
        ruleId: rule.id,
        provider: rule.provider ?? rule.id.split('.')[0] ?? rule.id,
        spec,
      });
    }
  }
  return out;
}
