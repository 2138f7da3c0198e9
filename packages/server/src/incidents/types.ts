export const incidentStatuses = ['open', 'contained', 'notified', 'closed'] as const;
export type IncidentStatus = (typeof incidentStatuses)[number];

export const closingReasons = [
  'resolved',
  'false-positive',
  'test-credential',
  'duplicate',
  'accepted-risk',
] as const;
export type ClosingReason = (typeof closingReasons)[number];

export interface IncidentDetails {
  paths?: string[];
  targets?: string[];
  introducedCommit?: string;
  stillAtTips?: string[];
  verification?: { status: string; checkedAt?: string | null };
  revoke?: string;
  references?: string[];
  containment?: { how: string; note?: string };
}

/** What an incident is made from: a report finding or an operator's hand entry. */
export interface IncidentDraft {
  fingerprint: string;
  ruleId: string;
  provider: string;
  description: string;
  severity: string;
  redacted: string;
  source: 'report' | 'manual';
  discoveredAt: string;
  exposureFrom: string | null;
  exposureUntil: string | null;
  details: IncidentDetails;
}

export interface Incident extends IncidentDraft {
  id: string;
  status: IncidentStatus;
  closingReason: ClosingReason | null;
  awareAt: string | null;
  jurisdictions: string[];
  malicious: boolean;
  containedAt: string | null;
  containedBy: string | null;
  publicTitle: string | null;
  publicText: string | null;
  contactChannel: string | null;
  affectedCount: number;
  purgedAt: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface TimelineEvent {
  seq: number;
  incidentId: string;
  at: string;
  actor: string;
  action: string;
  details: Record<string, unknown>;
}
