import type { IncidentDraft } from '../../src/incidents/types.js';

export const sampleDraft = (n = 1, discoveredAt = '2026-11-25T21:00:00.000Z'): IncidentDraft => ({
  fingerprint: `github.pat-classic:fp${n}`,
  ruleId: 'github.pat-classic',
  provider: 'github',
  description: 'GitHub personal access token (classic)',
  severity: 'high',
  redacted: 'ghp_Ab…(36)…9x',
  source: 'report',
  discoveredAt,
  exposureFrom: '2017-12-01T10:00:00.000Z',
  exposureUntil: null,
  details: { paths: ['config/settings.py'] },
});

export async function* bytesOf(...parts: (string | Buffer)[]): AsyncGenerator<Uint8Array> {
  for (const part of parts) yield typeof part === 'string' ? Buffer.from(part, 'utf8') : part;
}

/** A leakwatch JSON report (docs/report-format.md) with one git finding; `secret` as with --no-redact. */
export const sampleReport = (fingerprints = ['github.pat-classic:3q2-7wAbCdEf']) => ({
  schemaVersion: 1,
  tool: { name: 'leakwatch', version: '0.1.0' },
  command: 'git',
  scannedAt: '2026-11-25T20:00:00.000Z',
  targets: ['examples/leaky-app'],
  summary: { findings: fingerprints.length },
  findings: fingerprints.map((fingerprint) => ({
    fingerprint,
    ruleId: 'github.pat-classic',
    provider: 'github',
    description: 'GitHub personal access token (classic)',
    severity: 'high',
    redacted: 'ghp_Ab…(36)…9x',
    // Built at run time so the repository never contains a token-shaped literal.
    secret: 'ghp_' + 'Ab12'.repeat(9),
    locations: [{ path: 'config/settings.py', line: 12, column: 15 }],
    git: {
      introduced: { commit: 'a'.repeat(40), authorDate: '2017-12-01T10:00:00Z' },
      paths: ['config/settings.py'],
      exposure: {
        from: '2017-12-01T10:00:00Z',
        removedFromAllTipsAt: null,
        stillAtTips: ['refs/heads/main'],
        days: 3282,
      },
    },
    verification: { status: 'live', reason: null, checkedAt: '2026-11-25T20:00:01.000Z' },
  })),
  errors: [],
});
