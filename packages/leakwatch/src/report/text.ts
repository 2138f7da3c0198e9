import type { ScanResult, Severity } from '../engine/types.js';
import { presentFinding } from './redact.js';
import type { ReportOptions } from './redact.js';

export interface TextOptions extends ReportOptions {
  color: boolean;
  /** How to describe a git exposure window; supplied by the git layer. */
  describeExposure?: (f: NonNullable<ScanResult['findings'][number]['git']>, now: Date) => string;
}

const COLORS: Record<Severity, string> = {
  critical: '\x1b[1;31m',
  high: '\x1b[31m',
  medium: '\x1b[33m',
  low: '\x1b[36m',
};

function size(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 ** 2) return `${(bytes / 1024).toFixed(1)} KiB`;
  if (bytes < 1024 ** 3) return `${(bytes / 1024 ** 2).toFixed(1)} MiB`;
  return `${(bytes / 1024 ** 3).toFixed(2)} GiB`;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** Human report, one block per finding (grouped: each secret once, with all its locations). */
export function formatText(result: ScanResult, opts: TextOptions): string {
  const c = (code: string, s: string): string => (opts.color ? `${code}${s}\x1b[0m` : s);
  const lines: string[] = [];
  const now = new Date(result.scannedAt);
  for (const raw of result.findings) {
    const f = presentFinding(raw, opts.redact);
    lines.push(
      `${c(COLORS[f.severity], f.severity.toUpperCase().padEnd(8))} ${c('\x1b[1m', f.ruleId)}  ${f.description}`,
    );
    lines.push(`  secret       ${opts.redact ? f.redacted : (f.secret ?? '')}`);
    for (const p of f.parts)
      lines.push(
        `  with ${p.ruleId.padEnd(7)} ${opts.redact ? p.redacted : (p.secret ?? '')} at ${p.location.path ?? '-'}:${p.location.line}`,
      );
    const shown = f.locations.slice(0, 10);
    shown.forEach((loc, i) => {
      const where =
        loc.objectType === 'commit' || loc.objectType === 'tag'
          ? `${loc.objectType === 'commit' ? 'commit message' : 'tag annotation'} ${(loc.blob ?? '').slice(0, 12)}:${loc.line}:${loc.column}`
          : `${loc.path ?? '(stdin)'}:${loc.line}:${loc.column}`;
      const extra = [
        loc.encoding ? `${loc.encoding}-encoded` : '',
        loc.commit && loc.objectType !== 'commit' ? `commit ${loc.commit.slice(0, 12)}` : '',
      ]
        .filter(Boolean)
        .join(', ');
      lines.push(`  ${i === 0 ? 'at' : '  '}           ${where}${extra ? ` (${extra})` : ''}`);
    });
    if (f.locations.length > shown.length)
      lines.push(`               … and ${f.locations.length - shown.length} more locations`);
    const snippet = shown[0]?.snippet.trim();
    if (snippet)
      lines.push(
        `  line         ${snippet.length > 160 ? `${snippet.slice(0, 157)}...` : snippet}`,
      );
    if (f.git) {
      const g = f.git.introduced;
      lines.push(
        `  introduced   ${g.commit.slice(0, 12)} by ${g.author.name} <${g.author.email}> on ${g.committerDate}${g.datesDisagree ? ` (author date ${g.authorDate})` : ''}${g.atShallowBoundary ? ' (at or before the shallow boundary)' : ''}`,
      );
      if (opts.describeExposure) lines.push(`  exposure     ${opts.describeExposure(f.git, now)}`);
    }
    if (f.verification) {
      const v = f.verification;
      const who = v.identity ? ` ${JSON.stringify(v.identity)}` : '';
      lines.push(
        `  verified     ${v.status.toUpperCase()}${v.reason ? ` (${v.reason})` : ''}${who}`,
      );
    }
    if (f.revoke && (!f.verification || f.verification.status === 'live'))
      lines.push(`  revoke       ${f.revoke}`);
    lines.push(`  fingerprint  ${f.fingerprint}`);
    lines.push('');
  }
  const s = result.summary;
  const sev = (['critical', 'high', 'medium', 'low'] as const)
    .filter((k) => s.bySeverity[k] > 0)
    .map((k) => `${s.bySeverity[k]} ${k}`);
  const skipped = Object.entries(s.skipped)
    .filter(([, n]) => n > 0)
    .map(([k, n]) => `${n} ${k === 'tooLarge' ? 'too large' : k}`);
  lines.push(
    `${s.findings === 0 ? 'No leaks found' : plural(s.findings, 'finding')}${sev.length ? ` (${sev.join(', ')})` : ''} in ${plural(s.filesScanned, result.command === 'git' ? 'object' : 'file')}, ${size(s.bytesScanned)}, ${s.durationMs} ms` +
      (skipped.length ? `; skipped ${skipped.join(', ')}` : '') +
      (s.allowlisted ? `; ${s.allowlisted} allowlisted` : '') +
      (s.baselined ? `; ${s.baselined} in baseline` : ''),
  );
  for (const e of result.errors.slice(0, 20)) lines.push(`warning: ${e.path ?? ''}: ${e.message}`);
  if (result.errors.length > 20)
    lines.push(`warning: … and ${result.errors.length - 20} more errors`);
  if (result.staleIgnores.length)
    lines.push(
      `${plural(result.staleIgnores.length, 'ignore/baseline entry')} matched nothing (stale): ${result.staleIgnores.slice(0, 5).join(', ')}${result.staleIgnores.length > 5 ? ', …' : ''}`,
    );
  return `${lines.join('\n')}\n`;
}
