import type { Generated } from 'kysely';

/**
 * Table types shared by SQLite and PostgreSQL. Times are ISO 8601 UTC strings (TEXT) in both, so
 * the two dialects return identical values and compare them identically. JSON is stored as TEXT.
 */
export interface IncidentTable {
  id: string;
  fingerprint: string;
  rule_id: string;
  provider: string;
  description: string;
  severity: string;
  redacted: string;
  source: string;
  status: string;
  closing_reason: string | null;
  discovered_at: string;
  exposure_from: string | null;
  exposure_until: string | null;
  aware_at: string | null;
  jurisdictions: string;
  contained_at: string | null;
  contained_by: string | null;
  malicious: number;
  public_title: string | null;
  public_text: string | null;
  contact_channel: string | null;
  affected_count: number;
  purged_at: string | null;
  details: string;
  created_at: string;
  updated_at: string;
}

export interface TimelineTable {
  seq: Generated<number>;
  incident_id: string;
  at: string;
  actor: string;
  action: string;
  details: string;
}

export interface PersonTable {
  id: string;
  /** HMAC of the organisation's customer id, when the import mapped one. */
  external_key: string | null;
  created_at: string;
}

export interface PersonEmailTable {
  email_hash: string;
  person_id: string;
  email_sealed: string;
  key_id: string;
  created_at: string;
}

export interface IncidentPersonTable {
  incident_id: string;
  person_id: string;
  import_id: string;
  added_at: string;
}

export interface ImportTable {
  id: string;
  incident_id: string;
  actor: string;
  started_at: string;
  finished_at: string | null;
  rows_read: number;
  rows_imported: number;
  rows_rejected: number;
  rows_duplicate: number;
  rows_unselected: number;
}

/**
 * One row per notice sent to a person. The campaign outbox (issue 5) mints these rows, each with a
 * reference code; the self-check and verification pages only read them.
 */
export interface NoticeTable {
  id: string;
  incident_id: string;
  person_id: string;
  email_hash: string;
  email_sealed: string;
  key_id: string;
  reference_code: string;
  language: string;
  channel: string;
  campaign_id: string | null;
  message_id: string | null;
  status: string;
  sent_at: string | null;
  created_at: string;
}

export interface ApiTokenTable {
  id: string;
  token_hash: string;
  name: string;
  role: string;
  created_at: string;
  revoked_at: string | null;
}

export interface AccessLogTable {
  seq: Generated<number>;
  at: string;
  actor: string;
  action: string;
  person_id: string | null;
  incident_id: string | null;
  details: string;
}

export interface Database {
  incidents: IncidentTable;
  timeline_events: TimelineTable;
  people: PersonTable;
  person_emails: PersonEmailTable;
  incident_people: IncidentPersonTable;
  people_imports: ImportTable;
  notices: NoticeTable;
  api_tokens: ApiTokenTable;
  access_log: AccessLogTable;
}
