import type { Generated, Kysely } from 'kysely';
import type { Database, PersonTable } from '../store/schema.js';
import type { Store } from '../store/store.js';

/** The campaign tables (migration 0100-campaign); times are ISO 8601 UTC strings as in the core. */
export interface CampaignTable {
  id: string;
  incident_id: string;
  name: string;
  state: string;
  language: string;
  /** The notice content (JSON, `NoticeContent`) as approved; immutable once approved. */
  template: string;
  template_version: string;
  /** JSON `CampaignSettings`. */
  settings: string;
  created_by: string;
  created_at: string;
  approved_by: string | null;
  approved_at: string | null;
  approved_version: string | null;
  started_at: string | null;
  finished_at: string | null;
  total: number;
  updated_at: string;
}

export interface OutboxTable {
  notice_id: string;
  campaign_id: string;
  person_id: string;
  domain: string;
  state: string;
  attempts: number;
  available_at: string;
  lease_owner: string | null;
  template_version: string;
  content_hash: string | null;
  reply: string | null;
  failure: string | null;
  sent_at: string | null;
  updated_at: string;
  /** The notice this one replaces after a hard bounce, null for a person's first notice. */
  follows: string | null;
}

export interface DomainTable {
  campaign_id: string;
  domain: string;
  paused_until: string;
  strikes: number;
  last_reply: string | null;
}

export interface BucketTable {
  name: string;
  tokens: number;
  updated_ms: number;
}

export interface BounceTable {
  seq: Generated<number>;
  dedupe_key: string;
  campaign_id: string;
  notice_id: string;
  person_id: string;
  received_at: string;
  source: string;
  action: string;
  status: string;
  diagnostic: string;
}

export interface CampaignDatabase extends Database {
  /** With the preferred notice language of migration 0101-person-language (`ja`, `en` or null). */
  people: PersonTable & { language: string | null };
  campaigns: CampaignTable;
  campaign_outbox: OutboxTable;
  campaign_domains: DomainTable;
  campaign_buckets: BucketTable;
  campaign_bounces: BounceTable;
}

/** The store's connection (or transaction) typed with the campaign tables too. */
export const campaignDb = (store: Store): Kysely<CampaignDatabase> =>
  store.db as unknown as Kysely<CampaignDatabase>;
