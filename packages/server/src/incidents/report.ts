import { LwError } from '../errors.js';
import type { IncidentDraft } from './types.js';

/**
 * Reads a leakwatch JSON report (docs/report-format.md) into incident drafts. It validates what the
 * server relies on, collecting every problem with its JSON path, and it drops `secret` (present
 * only with --no-redact) so that a raw secret can never reach the database.
 */
export const supportedSchemaVersion = 1;

const severities = new Set(['critical', 'high', 'medium', 'low']);

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const isIsoTime = (v: unknown): v is string =>
  typeof v === 'string' && !Number.isNaN(Date.parse(v));
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const strings = (v: unknown): string[] | undefined =>
  Array.isArray(v) && v.every((x) => typeof x === 'string') ? (v as string[]) : undefined;

export const parseReport = (input: unknown): IncidentDraft[] => {
  if (!isObject(input)) throw new LwError('LW_REPORT_INVALID', 'the report must be a JSON object');
  if (input.schemaVersion !== supportedSchemaVersion) {
    throw new LwError(
      'LW_REPORT_VERSION',
      `schemaVersion ${JSON.stringify(input.schemaVersion)} is not supported (this server reads ${supportedSchemaVersion})`,
    );
  }
  const errors: string[] = [];
  if (!isIsoTime(input.scannedAt)) errors.push('scannedAt: expected an ISO 8601 time');
  if (!Array.isArray(input.findings)) errors.push('findings: expected an array');
  if (errors.length > 0) throw new LwError('LW_REPORT_INVALID', errors.join('; '), { errors });

  const scannedAt = new Date(input.scannedAt as string).toISOString();
  const targets = strings(input.targets) ?? [];
  const drafts: IncidentDraft[] = [];
  (input.findings as unknown[]).forEach((finding, i) => {
    const at = `findings[${i}]`;
    if (!isObject(finding)) {
      errors.push(`${at}: expected an object`);
      return;
    }
    const fingerprint = str(finding.fingerprint);
    const ruleId = str(finding.ruleId);
    const redacted = str(finding.redacted);
    const severity = str(finding.severity);
    if (!fingerprint || !fingerprint.includes(':'))
      errors.push(`${at}.fingerprint: expected "<ruleId>:<hash>"`);
    if (!ruleId) errors.push(`${at}.ruleId: expected a string`);
    if (redacted === undefined) errors.push(`${at}.redacted: expected a string`);
    if (!severity || !severities.has(severity))
      errors.push(`${at}.severity: expected critical|high|medium|low`);
    if (!fingerprint || !ruleId || redacted === undefined || !severity || !severities.has(severity))
      return;

    const git = isObject(finding.git) ? finding.git : undefined;
    const exposure = git && isObject(git.exposure) ? git.exposure : undefined;
    const introduced = git && isObject(git.introduced) ? git.introduced : undefined;
    const verification = isObject(finding.verification) ? finding.verification : undefined;
    const locations = Array.isArray(finding.locations) ? finding.locations.filter(isObject) : [];
    const paths = strings(git?.paths) ?? [
      ...new Set(locations.map((l) => str(l.path)).filter((p) => p !== undefined)),
    ];
    const from =
      exposure && isIsoTime(exposure.from) ? new Date(exposure.from).toISOString() : null;
    const until =
      exposure && isIsoTime(exposure.removedFromAllTipsAt)
        ? new Date(exposure.removedFromAllTipsAt).toISOString()
        : null;

    drafts.push({
      fingerprint,
      ruleId,
      provider: str(finding.provider) ?? ruleId.split('.')[0] ?? ruleId,
      description: str(finding.description) ?? ruleId,
      severity,
      redacted,
      source: 'report',
      discoveredAt: scannedAt,
      exposureFrom: from,
      exposureUntil: until,
      details: {
        paths,
        targets,
        ...(introduced && str(introduced.commit) && { introducedCommit: str(introduced.commit) }),
        ...(exposure &&
          strings(exposure.stillAtTips) && { stillAtTips: strings(exposure.stillAtTips) }),
        ...(verification &&
          str(verification.status) && {
            verification: {
              status: str(verification.status) as string,
              checkedAt: str(verification.checkedAt) ?? null,
            },
          }),
        ...(str(finding.revoke) && { revoke: str(finding.revoke) }),
        ...(strings(finding.references) && { references: strings(finding.references) }),
      },
    });
  });
  if (errors.length > 0)
    throw new LwError('LW_REPORT_INVALID', errors.slice(0, 20).join('; '), { errors });
  return drafts;
};
