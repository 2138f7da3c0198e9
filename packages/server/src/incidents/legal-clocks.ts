import type { Incident, TimelineEvent } from './types.js';

/**
 * Notification deadlines counted from the moment the organisation became aware of the breach
 * (`awareAt`), not from when the scanner found the secret: that is the moment the laws count from.
 */
export interface Obligation {
  id: string;
  label: string;
  /** Hours after awareAt. */
  hours: number;
  /** Replaces `hours` when the incident is marked malicious (APPI's 60-day final report). */
  maliciousHours?: number;
  /** An earlier target within the legal limit, shown alongside it. */
  targetHours?: number;
}

export interface Jurisdiction {
  id: string;
  name: string;
  obligations: Obligation[];
}

const day = 24;

export const defaultJurisdictions: Jurisdiction[] = [
  {
    id: 'gdpr',
    name: 'EU GDPR',
    // Art. 33(1): notify the supervisory authority without undue delay and, where feasible, within 72 hours.
    obligations: [
      { id: 'authority', label: 'Notify the supervisory authority (Art. 33)', hours: 72 },
    ],
  },
  {
    id: 'appi',
    name: 'Japan APPI',
    // PPC rules: a preliminary report "promptly" (the PPC's guidance reads this as about 3-5 days) and a
    // final report within 30 days, or 60 days when the leak was caused by an unauthorised act.
    obligations: [
      {
        id: 'preliminary',
        label: 'Preliminary report to the PPC',
        hours: 5 * day,
        targetHours: 3 * day,
      },
      { id: 'final', label: 'Final report to the PPC', hours: 30 * day, maliciousHours: 60 * day },
    ],
  },
];

/**
 * Reads extra jurisdictions (a JSON array of `Jurisdiction`) and returns them after the defaults;
 * an entry with a default's id replaces it. Collects every problem instead of stopping at the first.
 */
export const parseJurisdictions = (
  input: unknown,
): { jurisdictions: Jurisdiction[]; errors: string[] } => {
  const errors: string[] = [];
  const extra: Jurisdiction[] = [];
  if (!Array.isArray(input))
    return { jurisdictions: defaultJurisdictions, errors: ['expected a JSON array'] };
  input.forEach((raw, i) => {
    const j = raw as Partial<Jurisdiction>;
    if (typeof j?.id !== 'string' || !/^[a-z0-9-]+$/.test(j.id))
      errors.push(`[${i}].id: lowercase letters, digits, -`);
    if (typeof j?.name !== 'string') errors.push(`[${i}].name: expected a string`);
    if (!Array.isArray(j?.obligations) || j.obligations.length === 0) {
      errors.push(`[${i}].obligations: expected a non-empty array`);
      return;
    }
    j.obligations.forEach((o, k) => {
      const at = `[${i}].obligations[${k}]`;
      if (typeof o?.id !== 'string') errors.push(`${at}.id: expected a string`);
      if (typeof o?.label !== 'string') errors.push(`${at}.label: expected a string`);
      for (const key of ['hours', 'maliciousHours', 'targetHours'] as const) {
        const value = o?.[key];
        if ((key === 'hours' || value !== undefined) && !(typeof value === 'number' && value > 0)) {
          errors.push(`${at}.${key}: expected a positive number of hours`);
        }
      }
    });
    extra.push(j as Jurisdiction);
  });
  if (errors.length > 0) return { jurisdictions: defaultJurisdictions, errors };
  const ids = new Set(extra.map((j) => j.id));
  return {
    jurisdictions: [...defaultJurisdictions.filter((j) => !ids.has(j.id)), ...extra],
    errors,
  };
};

export interface Deadline {
  jurisdiction: string;
  obligation: string;
  label: string;
  dueAt: string;
  targetAt: string | null;
  msLeft: number;
  overdue: boolean;
  timeLeft: string;
}

const addHours = (iso: string, hours: number): string =>
  new Date(Date.parse(iso) + hours * 3_600_000).toISOString();

/** "2d 5h left", "3h 12m left", "overdue by 1d 2h". */
export const formatDuration = (ms: number): string => {
  const abs = Math.abs(ms);
  const days = Math.floor(abs / 86_400_000);
  const hours = Math.floor((abs % 86_400_000) / 3_600_000);
  const minutes = Math.floor((abs % 3_600_000) / 60_000);
  const text = days > 0 ? `${days}d ${hours}h` : `${hours}h ${minutes}m`;
  return ms >= 0 ? `${text} left` : `overdue by ${text}`;
};

export const computeDeadlines = (
  incident: Pick<Incident, 'awareAt' | 'jurisdictions' | 'malicious'>,
  jurisdictions: Jurisdiction[],
  now: Date,
): Deadline[] => {
  if (!incident.awareAt) return [];
  const awareAt = incident.awareAt;
  return incident.jurisdictions.flatMap((id) => {
    const jurisdiction = jurisdictions.find((j) => j.id === id);
    if (!jurisdiction) return [];
    return jurisdiction.obligations.map((o) => {
      const hours =
        incident.malicious && o.maliciousHours !== undefined ? o.maliciousHours : o.hours;
      const dueAt = addHours(awareAt, hours);
      const msLeft = Date.parse(dueAt) - now.getTime();
      return {
        jurisdiction: id,
        obligation: o.id,
        label: o.label,
        dueAt,
        targetAt: o.targetHours === undefined ? null : addHours(awareAt, o.targetHours),
        msLeft,
        overdue: msLeft < 0,
        timeLeft: formatDuration(msLeft),
      };
    });
  });
};

export interface RegulatorReport {
  incident: {
    id: string;
    fingerprint: string;
    provider: string;
    description: string;
    severity: string;
    status: string;
    closingReason: string | null;
    redactedSecret: string;
    malicious: boolean;
  };
  dates: {
    exposureFrom: string | null;
    exposureUntil: string | null;
    discoveredAt: string;
    awareAt: string | null;
    containedAt: string | null;
  };
  containment: { by: string | null; how: string | null };
  affected: { people: number; noticesSent: number };
  deadlines: Deadline[];
  timeline: { at: string; actor: string; action: string }[];
  generatedAt: string;
}

export const buildRegulatorReport = (
  incident: Incident,
  timeline: TimelineEvent[],
  noticesSent: number,
  jurisdictions: Jurisdiction[],
  now: Date,
): RegulatorReport => ({
  incident: {
    id: incident.id,
    fingerprint: incident.fingerprint,
    provider: incident.provider,
    description: incident.description,
    severity: incident.severity,
    status: incident.status,
    closingReason: incident.closingReason,
    redactedSecret: incident.redacted,
    malicious: incident.malicious,
  },
  dates: {
    exposureFrom: incident.exposureFrom,
    exposureUntil: incident.exposureUntil,
    discoveredAt: incident.discoveredAt,
    awareAt: incident.awareAt,
    containedAt: incident.containedAt,
  },
  containment: { by: incident.containedBy, how: incident.details.containment?.how ?? null },
  affected: { people: incident.affectedCount, noticesSent },
  deadlines: computeDeadlines(incident, jurisdictions, now),
  timeline: timeline.map((e) => ({ at: e.at, actor: e.actor, action: e.action })),
  generatedAt: now.toISOString(),
});

const cell = (value: string | number | boolean | null): string =>
  value === null ? '—' : String(value).replace(/\|/g, '\\|').replace(/\n/g, ' ');

export const formatRegulatorMarkdown = (report: RegulatorReport): string => {
  const { incident, dates } = report;
  const lines = [
    `# Breach report: ${cell(incident.description)}`,
    '',
    `Generated ${report.generatedAt}.`,
    '',
    '| Field | Value |',
    '| --- | --- |',
    `| Incident | ${cell(incident.id)} |`,
    `| Credential | ${cell(incident.provider)} (${cell(incident.redactedSecret)}) |`,
    `| Severity | ${cell(incident.severity)} |`,
    `| Status | ${cell(incident.status)}${incident.closingReason ? ` (${cell(incident.closingReason)})` : ''} |`,
    `| Caused by an unauthorised act | ${incident.malicious ? 'yes' : 'no'} |`,
    `| Exposed from | ${cell(dates.exposureFrom)} |`,
    `| Exposed until | ${cell(dates.exposureUntil)} |`,
    `| Discovered | ${cell(dates.discoveredAt)} |`,
    `| Organisation aware | ${cell(dates.awareAt)} |`,
    `| Contained | ${cell(dates.containedAt)} by ${cell(report.containment.by)} (${cell(report.containment.how)}) |`,
    `| People affected | ${report.affected.people} |`,
    `| Notices sent | ${report.affected.noticesSent} |`,
    '',
    '## Deadlines',
    '',
  ];
  if (report.deadlines.length === 0)
    lines.push('No jurisdiction chosen or awareness time not set.');
  else {
    lines.push('| Jurisdiction | Obligation | Due | Time left |', '| --- | --- | --- | --- |');
    for (const d of report.deadlines) {
      lines.push(`| ${cell(d.jurisdiction)} | ${cell(d.label)} | ${d.dueAt} | ${d.timeLeft} |`);
    }
  }
  lines.push('', '## Timeline', '', '| Time | Actor | Action |', '| --- | --- | --- |');
  for (const e of report.timeline) lines.push(`| ${e.at} | ${cell(e.actor)} | ${cell(e.action)} |`);
  return lines.join('\n') + '\n';
};
