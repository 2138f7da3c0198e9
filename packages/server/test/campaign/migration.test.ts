import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, SqliteDialect, sql } from 'kysely';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { campaignDb } from '../../src/campaign/schema.js';
import { hashEmail, sealEmail } from '../../src/crypto/email.js';
import { generateKeyring } from '../../src/crypto/keys.js';
import * as core0001 from '../../src/store/migrations/0001-core.js';
import * as campaign0100 from '../../src/store/migrations/0100-campaign.js';
import type { Database } from '../../src/store/schema.js';
import { Store } from '../../src/store/store.js';
import { sampleDraft } from '../helpers/fixtures.js';
import { now, openCampaignStore, scratchPostgres } from './helpers.js';

const keyring = generateKeyring();

/**
 * A store as it was before migrations 0101/0102 (a campaign already started, one outbox row per
 * person), opened again by the current code: the rows must survive with the new constraints, and
 * the retention trigger must still remove them with their notice.
 */
describe.each(['sqlite', 'postgres'] as const)('upgrading a campaign store (%s)', (kind) => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  it('keeps outbox rows through 0101-person-language and 0102-campaign-fallback', async () => {
    let url: string;
    let db: Kysely<Database>;
    if (kind === 'sqlite') {
      const dir = mkdtempSync(join(tmpdir(), 'lw-campaign-migration-'));
      cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
      url = join(dir, 'store.db');
      db = new Kysely<Database>({ dialect: new SqliteDialect({ database: new SQLite(url) }) });
    } else {
      const scratch = await scratchPostgres();
      cleanups.push(scratch.drop);
      url = scratch.url;
      db = new Kysely<Database>({
        dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: url, max: 2 }) }),
      });
    }
    const old = new Migrator({
      db,
      provider: {
        getMigrations: async () => ({ '0001-core': core0001, '0100-campaign': campaign0100 }),
      },
      migrationTableName: 'leakwatch_migrations',
      migrationLockTableName: 'leakwatch_migrations_lock',
    });
    expect((await old.migrateToLatest()).error).toBeUndefined();
    const store = new Store(db, kind);
    const incident = await store.createIncident(sampleDraft(), 'tester', now);
    const importId = await store.startImport(incident.id, 'tester', now);
    const sealed = sealEmail(keyring, 'old@example.com');
    const emailHash = hashEmail(keyring, 'old@example.com');
    await store.addPeople(
      incident.id,
      importId,
      [
        {
          externalKey: null,
          emails: [{ hash: emailHash, sealed: sealed.value, keyId: sealed.keyId }],
        },
      ],
      now,
    );
    const personId = (await store.findPersonByEmailHash(emailHash)) as string;
    await sql`INSERT INTO campaigns (id, incident_id, name, state, language, template,
        template_version, settings, created_by, created_at, total, updated_at)
      VALUES ('c1', ${incident.id}, 'old', 'running', 'en', '{}', 'v1', '{}', 'a', ${now}, 1, ${now})`.execute(
      db,
    );
    await sql`INSERT INTO notices (id, incident_id, person_id, email_hash, email_sealed, key_id,
        reference_code, language, channel, campaign_id, message_id, status, sent_at, created_at)
      VALUES ('n1', ${incident.id}, ${personId}, ${emailHash}, ${sealed.value}, ${sealed.keyId},
        'CODE', 'en', 'email', 'c1', '<n1@example.org>', 'sent', ${now}, ${now})`.execute(db);
    await sql`INSERT INTO campaign_outbox (notice_id, campaign_id, person_id, domain, state,
        attempts, available_at, template_version, reply, sent_at, updated_at)
      VALUES ('n1', 'c1', ${personId}, 'example.com', 'sent', 1, ${now}, 'v1', '250 ok', ${now}, ${now})`.execute(
      db,
    );
    await db.destroy();

    const opened = await openCampaignStore(url);
    cleanups.push(() => opened.close());
    const cdb = campaignDb(opened.store);
    expect(
      await cdb.selectFrom('campaign_outbox').selectAll().where('notice_id', '=', 'n1').execute(),
    ).toEqual([
      expect.objectContaining({
        state: 'sent',
        reply: '250 ok',
        person_id: personId,
        follows: null,
      }),
    ]);
    expect(
      await cdb.selectFrom('people').select('language').where('id', '=', personId).execute(),
    ).toEqual([{ language: null }]);
    // A second first notice for the person is refused, as is a second follower of one notice.
    const row = (noticeId: string, follows: string | null) => ({
      notice_id: noticeId,
      campaign_id: 'c1',
      person_id: personId,
      domain: 'example.com',
      state: 'pending',
      attempts: 0,
      available_at: now,
      lease_owner: null,
      template_version: 'v1',
      content_hash: null,
      reply: null,
      failure: null,
      sent_at: null,
      updated_at: now,
      follows,
    });
    await expect(
      cdb.insertInto('campaign_outbox').values(row('n2', null)).execute(),
    ).rejects.toThrow();
    await cdb.insertInto('campaign_outbox').values(row('n3', 'n1')).execute();
    await expect(
      cdb.insertInto('campaign_outbox').values(row('n4', 'n1')).execute(),
    ).rejects.toThrow();
    // The retention trigger still follows the notices.
    await cdb.deleteFrom('notices').where('id', '=', 'n1').execute();
    const left = await cdb.selectFrom('campaign_outbox').select('notice_id').execute();
    expect(left.map((r) => r.notice_id)).toEqual(['n3']);
  });
});
