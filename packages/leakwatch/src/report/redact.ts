import type { Finding, Location, ScanResult } from '../engine/types.js';

/**
 * A preview that identifies a secret without disclosing it: a documented prefix (or the first few
 * characters of a long token) and the length. Short secrets such as passwords show nothing.
 */
export function redactSecret(secret: string): string {
  const len = [...secret].length;
  if (len < 16) return `****[${len} chars]`;
  const prefix = /^[A-Za-z0-9]{1,8}[_-]/.exec(secret)?.[0] ?? secret.slice(0, 4);
  return `${prefix}****[${len} chars]`;
}

const LONG_TOKEN = /[A-Za-z0-9+/=_-]{16,}/g;

function redactSnippet(snippet: string, secrets: readonly string[], encoded: boolean): string {
  let out = snippet;
  for (const s of secrets) if (s.length > 0) out = out.split(s).join(redactSecret(s));
  // An encoded location's snippet holds the secret in encoded form: mask long tokens wholesale.
  if (encoded) out = out.replace(LONG_TOKEN, '****');
  return out;
}

function redactLocation(loc: Location, secrets: readonly string[]): Location {
  return { ...loc, snippet: redactSnippet(loc.snippet, secrets, loc.encoding !== undefined) };
}

/** The finding as reports show it: raw secrets replaced unless redaction is off. */
export interface ReportedFinding extends Omit<Finding, 'secret' | 'parts'> {
  redacted: string;
  secret?: string;
  parts: { ruleId: string; redacted: string; secret?: string; location: Location }[];
}

export function presentFinding(f: Finding, redact: boolean): ReportedFinding {
  const secrets = [f.secret, ...f.parts.map((p) => p.secret)];
  const { secret, parts, ...rest } = f;
  const out: ReportedFinding = {
    ...rest,
    redacted: redactSecret(secret),
    locations: redact ? f.locations.map((l) => redactLocation(l, secrets)) : f.locations,
    parts: parts.map((p) => ({
      ruleId: p.ruleId,
      redacted: redactSecret(p.secret),
      ...(redact ? {} : { secret: p.secret }),
      location: redact ? redactLocation(p.location, secrets) : p.location,
    })),
  };
  if (!redact) out.secret = secret;
  return out;
}

export interface ReportOptions {
  redact: boolean;
}

export function presentResult(
  r: ScanResult,
  redact: boolean,
): Omit<ScanResult, 'findings'> & { findings: ReportedFinding[] } {
  return { ...r, findings: r.findings.map((f) => presentFinding(f, redact)) };
}
