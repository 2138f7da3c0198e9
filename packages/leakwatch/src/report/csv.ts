import type { ScanResult } from '../engine/types.js';
import { presentFinding } from './redact.js';
import type { ReportOptions } from './redact.js';

const COLUMNS = [
  'fingerprint',
  'rule_id',
  'provider',
  'severity',
  'secret',
  'path',
  'line',
  'column',
  'encoding',
  'commit',
  'introduced_commit',
  'introduced_at',
  'author_email',
  'verification',
];

function cell(v: string | number | undefined | null): string {
  const s = v === undefined || v === null ? '' : String(v);
  // Quote fields that need it; prefix formula-looking values so spreadsheets do not execute them.
  const safe = /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** One row per location (RFC 4180). */
export function formatCsv(result: ScanResult, opts: ReportOptions): string {
  const rows = [COLUMNS.join(',')];
  for (const raw of result.findings) {
    const f = presentFinding(raw, opts.redact);
    for (const loc of f.locations) {
      rows.push(
        [
          f.fingerprint,
          f.ruleId,
          f.provider,
          f.severity,
          opts.redact ? f.redacted : f.secret,
          loc.path,
          loc.line,
          loc.column,
          loc.encoding,
          loc.commit,
          f.git?.introduced.commit,
          f.git?.introduced.committerDate,
          f.git?.introduced.author.email,
          f.verification?.status,
        ]
          .map(cell)
          .join(','),
      );
    }
  }
  return `${rows.join('\r\n')}\r\n`;
}
