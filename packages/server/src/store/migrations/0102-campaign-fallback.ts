import { sql, type Kysely } from 'kysely';
import { dialectOf } from '../dialect.js';

/**
 * Fallback notices (docs/campaign.md, "Fallback to another address"): a person may now have
 * several outbox rows in one campaign, each later one naming the notice it follows. The
 * one-row-per-person constraint becomes one *first* row per person and at most one follower per
 * notice. (Which addresses were tried is read from the notices' address hashes, which a lookup-key
 * rotation keeps current; a copy here would go stale.) SQLite cannot drop a table constraint, so
 * there the outbox is rebuilt (with the notices trigger, which names it).
 */
export const up = async (db: Kysely<unknown>): Promise<void> => {
  if (dialectOf(db) === 'postgres') {
    await sql`ALTER TABLE campaign_outbox DROP CONSTRAINT campaign_outbox_person`.execute(db);
    await db.schema.alterTable('campaign_outbox').addColumn('follows', 'text').execute();
  } else {
    await sql`DROP TRIGGER campaign_notice_deleted`.execute(db);
    await db.schema
      .createTable('campaign_outbox_next')
      .addColumn('notice_id', 'text', (c) => c.primaryKey())
      .addColumn('campaign_id', 'text', (c) => c.notNull().references('campaigns.id'))
      .addColumn('person_id', 'text', (c) => c.notNull())
      .addColumn('domain', 'text', (c) => c.notNull())
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('available_at', 'text', (c) => c.notNull())
      .addColumn('lease_owner', 'text')
      .addColumn('template_version', 'text', (c) => c.notNull())
      .addColumn('content_hash', 'text')
      .addColumn('reply', 'text')
      .addColumn('failure', 'text')
      .addColumn('sent_at', 'text')
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .addColumn('follows', 'text')
      .execute();
    const columns = sql.raw(
      'notice_id, campaign_id, person_id, domain, state, attempts, available_at, lease_owner, ' +
        'template_version, content_hash, reply, failure, sent_at, updated_at',
    );
    await sql`INSERT INTO campaign_outbox_next (${columns})
      SELECT ${columns} FROM campaign_outbox`.execute(db);
    await db.schema.dropTable('campaign_outbox').execute();
    await sql`ALTER TABLE campaign_outbox_next RENAME TO campaign_outbox`.execute(db);
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
    await sql`CREATE TRIGGER campaign_notice_deleted AFTER DELETE ON notices BEGIN
      DELETE FROM campaign_outbox WHERE notice_id = OLD.id;
      DELETE FROM campaign_bounces WHERE notice_id = OLD.id;
    END`.execute(db);
  }
  await db.schema
    .createIndex('campaign_outbox_first')
    .on('campaign_outbox')
    .columns(['campaign_id', 'person_id'])
    .unique()
    .where(sql.ref('follows'), 'is', null)
    .execute();
  // A failed notice is followed at most once, whoever records its failure (worker or bounce).
  await db.schema
    .createIndex('campaign_outbox_follows')
    .on('campaign_outbox')
    .column('follows')
    .unique()
    .execute();
  await db.schema
    .createIndex('campaign_outbox_person')
    .on('campaign_outbox')
    .columns(['campaign_id', 'person_id'])
    .execute();
};
