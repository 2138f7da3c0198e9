import { sql, type Kysely } from 'kysely';
import { dialectOf, serialPrimaryKey } from '../dialect.js';

/**
 * Campaign tables (docs/campaign.md). The outbox extends the core `notices` table one-to-one:
 * the notice row carries the person's sealed address, reference code and Message-ID (what the
 * public verification page reads); the outbox row carries the delivery state that workers claim.
 */
export const up = async (db: Kysely<unknown>): Promise<void> => {
  await db.schema
    .createTable('campaigns')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('incident_id', 'text', (c) => c.notNull().references('incidents.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('language', 'text', (c) => c.notNull())
    .addColumn('template', 'text', (c) => c.notNull())
    .addColumn('template_version', 'text', (c) => c.notNull())
    .addColumn('settings', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('approved_by', 'text')
    .addColumn('approved_at', 'text')
    .addColumn('approved_version', 'text')
    .addColumn('started_at', 'text')
    .addColumn('finished_at', 'text')
    .addColumn('total', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('campaigns_incident').on('campaigns').column('incident_id').execute();

  await db.schema
    .createTable('campaign_outbox')
    // No foreign key to notices: the core's retention purge deletes notices, and must not be
    // blocked by the outbox; the trigger below removes the outbox row with its notice.
    .addColumn('notice_id', 'text', (c) => c.primaryKey())
    .addColumn('campaign_id', 'text', (c) => c.notNull().references('campaigns.id'))
    .addColumn('person_id', 'text', (c) => c.notNull())
    .addColumn('domain', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    // When the row may next be claimed: the retry time of a pending row, the lease expiry of a
    // row being sent (a crashed worker's rows become claimable again when it passes).
    .addColumn('available_at', 'text', (c) => c.notNull())
    .addColumn('lease_owner', 'text')
    .addColumn('template_version', 'text', (c) => c.notNull())
    .addColumn('content_hash', 'text')
    .addColumn('reply', 'text')
    .addColumn('failure', 'text')
    .addColumn('sent_at', 'text')
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('campaign_outbox_person', ['campaign_id', 'person_id'])
    .execute();
  await db.schema
    .createIndex('campaign_outbox_claim')
    .on('campaign_outbox')
    .columns(['campaign_id', 'state', 'available_at'])
    .execute();
  await db.schema
    .createIndex('campaign_outbox_sent')
    .on('campaign_outbox')
    .columns(['campaign_id', 'sent_at'])
    .execute();

  await db.schema
    .createTable('campaign_domains')
    .addColumn('campaign_id', 'text', (c) => c.notNull())
    .addColumn('domain', 'text', (c) => c.notNull())
    .addColumn('paused_until', 'text', (c) => c.notNull())
    .addColumn('strikes', 'integer', (c) => c.notNull())
    .addColumn('last_reply', 'text')
    .addPrimaryKeyConstraint('campaign_domains_pk', ['campaign_id', 'domain'])
    .execute();

  await db.schema
    .createTable('campaign_buckets')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('tokens', 'double precision', (c) => c.notNull())
    .addColumn('updated_ms', 'bigint', (c) => c.notNull())
    .execute();

  await serialPrimaryKey(db.schema.createTable('campaign_bounces'), db, 'seq')
    .addColumn('dedupe_key', 'text', (c) => c.notNull().unique())
    .addColumn('campaign_id', 'text', (c) => c.notNull())
    .addColumn('notice_id', 'text', (c) => c.notNull())
    .addColumn('person_id', 'text', (c) => c.notNull())
    .addColumn('received_at', 'text', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('diagnostic', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('campaign_bounces_notice')
    .on('campaign_bounces')
    .column('notice_id')
    .execute();

  // Retention: when the core purges an incident's notices, the delivery state and bounces of
  // those notices go with them (docs/campaign.md, "Retention").
  if (dialectOf(db) === 'postgres') {
    await sql`CREATE FUNCTION campaign_notice_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        DELETE FROM campaign_outbox WHERE notice_id = OLD.id;
        DELETE FROM campaign_bounces WHERE notice_id = OLD.id;
        RETURN OLD;
      END $$`.execute(db);
    await sql`CREATE TRIGGER campaign_notice_deleted AFTER DELETE ON notices
      FOR EACH ROW EXECUTE FUNCTION campaign_notice_deleted()`.execute(db);
  } else {
    await sql`CREATE TRIGGER campaign_notice_deleted AFTER DELETE ON notices BEGIN
      DELETE FROM campaign_outbox WHERE notice_id = OLD.id;
      DELETE FROM campaign_bounces WHERE notice_id = OLD.id;
    END`.execute(db);
  }
};
