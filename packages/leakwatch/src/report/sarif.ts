import type { Finding, ScanResult, Severity } from '../engine/types.js';
import { presentFinding } from './redact.js';
import type { ReportOptions } from './redact.js';

const LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = {
  critical: 'error',
  high: 'error',
  medium: 'warning',
  low: 'note',
};
/** GitHub code scanning reads `security-severity` (0-10) to rank security alerts. */
const SECURITY_SEVERITY: Record<Severity, string> = {
  critical: '9.5',
  high: '8.0',
  medium: '5.5',
  low: '3.0',
};

function uri(path: string | undefined): string {
  return (path ?? 'stdin').split('/').map(encodeURIComponent).join('/');
}

function ruleEntry(f: Finding) {
  return {
    id: f.ruleId,
    name: f.ruleId.replace(/[^A-Za-z0-9]+(.)/g, (_, c: string) => c.toUpperCase()),
    shortDescription: { text: f.description },
    fullDescription: { text: f.description },
    ...(f.references[0] ? { helpUri: f.references[0] } : {}),
    help: {
      text:
        f.revoke ??
        'Revoke or rotate this credential, then remove it from the code and its history.',
    },
    defaultConfiguration: { level: LEVEL[f.severity] },
    properties: {
      tags: ['security', 'secret', f.provider],
      'security-severity': SECURITY_SEVERITY[f.severity],
      precision: 'high',
    },
  };
}

/** SARIF 2.1.0, fit for GitHub code scanning upload. */
export function formatSarif(result: ScanResult, opts: ReportOptions): string {
  const rules: ReturnType<typeof ruleEntry>[] = [];
  const ruleIndex = new Map<string, number>();
  const results = result.findings.map((raw) => {
    const f = presentFinding(raw, opts.redact);
    let index = ruleIndex.get(f.ruleId);
    if (index === undefined) {
      index = rules.length;
      ruleIndex.set(f.ruleId, index);
      rules.push(ruleEntry(raw));
    }
    const where = f.git
      ? ` (introduced in ${f.git.introduced.commit.slice(0, 12)} on ${f.git.introduced.committerDate})`
      : '';
    return {
      ruleId: f.ruleId,
      ruleIndex: index,
      level: LEVEL[f.severity],
      message: { text: `${f.description}: ${opts.redact ? f.redacted : f.secret}${where}` },
      locations: f.locations.slice(0, 10).map((loc) => ({
        physicalLocation: {
          artifactLocation: { uri: uri(loc.path) },
          region: {
            startLine: loc.line,
            startColumn: loc.column,
            endLine: Math.max(loc.endLine, loc.line),
            endColumn:
              loc.endLine > loc.line ? loc.endColumn : Math.max(loc.endColumn, loc.column + 1),
            snippet: { text: loc.snippet },
          },
        },
        ...(loc.commit ? { properties: { commit: loc.commit, blob: loc.blob } } : {}),
      })),
      partialFingerprints: { 'leakwatch/v1': f.fingerprint },
      properties: {
        provider: f.provider,
        severity: f.severity,
        ...(f.verification ? { verification: f.verification.status } : {}),
        ...(f.git
          ? {
              introducedCommit: f.git.introduced.commit,
              datesDisagree: f.git.introduced.datesDisagree,
              presentAtRefs: f.git.presentAtRefs,
              reachable: f.git.reachable,
              exposure: f.git.exposure,
            }
          : {}),
      },
    };
  });
  const sarif = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'leakwatch',
            version: result.tool.version,
            semanticVersion: result.tool.version,
            informationUri: 'https://github.com/leakwatch/leakwatch',
            rules,
          },
        },
        ...(result.repository?.uri || result.repository?.revisionId
          ? {
              versionControlProvenance: [
                {
                  repositoryUri: result.repository.uri ?? 'file:///',
                  ...(result.repository.revisionId
                    ? { revisionId: result.repository.revisionId }
                    : {}),
                  ...(result.repository.branch ? { branch: result.repository.branch } : {}),
                },
              ],
            }
          : {}),
        invocations: [
          {
            executionSuccessful: result.errors.length === 0,
            startTimeUtc: result.scannedAt,
            toolExecutionNotifications: result.errors.map((e) => ({
              level: 'warning',
              message: { text: `${e.code}: ${e.message}` },
              ...(e.path
                ? { locations: [{ physicalLocation: { artifactLocation: { uri: uri(e.path) } } }] }
                : {}),
            })),
          },
        ],
        results,
      },
    ],
  };
  return `${JSON.stringify(sarif, null, 2)}\n`;
}
