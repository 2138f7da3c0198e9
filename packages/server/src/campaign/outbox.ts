import { sql } from 'kysely';
import { openEmail } from '../crypto/email.js';
import type { Keyring } from '../crypto/keys.js';
import { hardFailureReasons, queueFallback } from './fallback.js';
import type { Store } from '../store/store.js';
import { campaignDb } from './schema.js';
import type { CampaignLanguage } from './templates.js';

/** One claimed outbox row, with what is needed to send it. */
export interface ClaimedRow {
  noticeId: string;
  personId: string;
  domain: string;
  attempts: number;
  address: string;
  referenceCode: string;
  messageId: string;
  /** The notice's language, fixed at start (the person's own in `auto` mode). */
  language: CampaignLanguage;
}

export type Outcome =
  | { kind: 'sent'; noticeId: string; reply: string; contentHash: string; at: string }
  | {
      kind: 'failed';
      noticeId: string;
      reply: string;
      reason: string;
      contentHash: string;
      at: string;
    }
  | { kind: 'retry'; noticeId: string; reply: string; availableAt: string; at: string }
  | { kind: 'release'; noticeId: string; availableAt: string; at: string };

/**
 * Rows whose lease ran out (their worker crashed or stalled) go back to pending. Some of them may
 * already have been accepted by the SMTP server: sending them again reuses their Message-ID —
 * the documented crash window. Returns how many rows were recovered.
 */
export const recoverExpiredLeases = async (
  store: Store,
  campaignId: string,
  now: string,
): Promise<number> => {
  const result = await campaignDb(store)
    .updateTable('campaign_outbox')
    .set({ state: 'pending', lease_owner: null, updated_at: now })
    .where('campaign_id', '=', campaignId)
    .where('state', '=', 'sending')
    .where('available_at', '<=', now)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
};

/**
 * Claims up to `limit` pending rows for `owner` until `leaseUntil`, skipping paused domains. On
 * PostgreSQL the inner SELECT takes row locks with SKIP LOCKED, so concurrent workers claim
 * disjoint rows without waiting for each other; on SQLite the statement runs under the single
 * writer lock. Either way a row is claimed by one worker at a time.
 */
export const claimRows = async (
  store: Store,
  keyring: Keyring,
  campaignId: string,
  owner: string,
  limit: number,
  now: string,
  leaseUntil: string,
): Promise<ClaimedRow[]> => {
  if (limit <= 0) return [];
  const db = campaignDb(store);
  const paused = (
    await db
      .selectFrom('campaign_domains')
      .select('domain')
      .where('campaign_id', '=', campaignId)
      .where('paused_until', '>', now)
      .execute()
  ).map((r) => r.domain);
  let candidates = db
    .selectFrom('campaign_outbox')
    .select('notice_id')
    .where('campaign_id', '=', campaignId)
    .where('state', '=', 'pending')
    .where('available_at', '<=', now)
    .limit(limit);
  if (paused.length > 0) candidates = candidates.where('domain', 'not in', paused);
  if (store.dialect === 'postgres') candidates = candidates.forUpdate().skipLocked();
  const claimed = await db
    .updateTable('campaign_outbox')
    .set({ state: 'sending', lease_owner: owner, available_at: leaseUntil, updated_at: now })
    .where('notice_id', 'in', candidates)
    .returning(['notice_id', 'person_id', 'domain', 'attempts'])
    .execute();
  if (claimed.length === 0) return [];
  const notices = new Map<
    string,
    {
      email_sealed: string;
      key_id: string;
      reference_code: string;
      message_id: string | null;
      language: string;
    }
  >();
  for (let i = 0; i < claimed.length; i += 500) {
    const rows = await db
      .selectFrom('notices')
      .select(['id', 'email_sealed', 'key_id', 'reference_code', 'message_id', 'language'])
      .where(
        'id',
        'in',
        claimed.slice(i, i + 500).map((r) => r.notice_id),
      )
      .execute();
    for (const row of rows) notices.set(row.id, row);
  }
  return claimed.map((row) => {
    const notice = notices.get(row.notice_id);
    if (!notice?.message_id) throw new Error(`outbox row ${row.notice_id} has no notice`);
    return {
      noticeId: row.notice_id,
      personId: row.person_id,
      domain: row.domain,
      attempts: row.attempts,
      address: openEmail(keyring, { keyId: notice.key_id, value: notice.email_sealed }),
      referenceCode: notice.reference_code,
      messageId: notice.message_id,
      language: notice.language as CampaignLanguage,
    };
  });
};

/** Extends the lease of every row `owner` is still sending, so a slow batch is not reclaimed. */
export const renewLeases = async (
  store: Store,
  campaignId: string,
  owner: string,
  leaseUntil: string,
): Promise<void> => {
  await campaignDb(store)
    .updateTable('campaign_outbox')
    .set({ available_at: leaseUntil })
    .where('campaign_id', '=', campaignId)
    .where('lease_owner', '=', owner)
    .where('state', '=', 'sending')
    .execute();
};

/**
 * Records the outcome of sends in one transaction. Apart from acceptances (recordSent), each
 * update is conditional on the row still being leased by `owner`: if the lease was lost (and
 * another worker took the row over), that worker's record wins and this one is dropped.
 */
export const recordOutcomes = async (
  store: Store,
  owner: string,
  outcomes: Outcome[],
  /** With a keyring, a hard failure queues a notice to the person's next address (fallback.ts). */
  keyring?: Keyring,
): Promise<void> => {
  if (outcomes.length === 0) return;
  await store.transaction(async (tx) => {
    const db = campaignDb(tx);
    const sent = outcomes.filter((o): o is Extract<Outcome, { kind: 'sent' }> => o.kind === 'sent');
    for (let i = 0; i < sent.length; i += 400) await recordSent(tx, sent.slice(i, i + 400));
    for (const o of outcomes) {
      const mine = db
        .updateTable('campaign_outbox')
        .where('notice_id', '=', o.noticeId)
        .where('state', '=', 'sending')
        .where('lease_owner', '=', owner);
      switch (o.kind) {
        case 'sent':
          break;
        case 'failed': {
          const changed = await mine
            .set((eb) => ({
              state: 'failed',
              lease_owner: null,
              attempts: eb('attempts', '+', 1),
              reply: o.reply,
              failure: o.reason,
              content_hash: o.contentHash,
              updated_at: o.at,
            }))
            .executeTakeFirst();
          if (Number(changed.numUpdatedRows) === 1) {
            await db
              .updateTable('notices')
              .set({ status: 'failed' })
              .where('id', '=', o.noticeId)
              .execute();
            if (keyring && hardFailureReasons.includes(o.reason))
              await queueFallback(tx, keyring, o.noticeId, o.at);
          }
          break;
        }
        case 'retry':
          await mine
            .set((eb) => ({
              state: 'pending',
              lease_owner: null,
              attempts: eb('attempts', '+', 1),
              reply: o.reply,
              available_at: o.availableAt,
              updated_at: o.at,
            }))
            .execute();
          break;
        case 'release':
          await mine
            .set({
              state: 'pending',
              lease_owner: null,
              available_at: o.availableAt,
              updated_at: o.at,
            })
            .execute();
          break;
      }
    }
  });
};

/**
 * Acceptances, the hot path, in two statements per chunk (UPDATE … FROM (VALUES …), which both
 * SQLite and PostgreSQL read; their VALUES columns are both named column1, column2, …). An
 * accepted message is recorded even if this worker's lease lapsed meanwhile: the row is done, and
 * whoever reclaimed it should find it so rather than send it again.
 */
const recordSent = async (tx: Store, sent: Extract<Outcome, { kind: 'sent' }>[]): Promise<void> => {
  const rows = sql.join(
    sent.map((o) => sql`(${o.noticeId}, ${o.reply}, ${o.contentHash}, ${o.at})`),
  );
  const updated = await sql<{ notice_id: string; sent_at: string }>`
    UPDATE campaign_outbox
       SET state = 'sent', lease_owner = NULL, attempts = attempts + 1,
           reply = v.column2, content_hash = v.column3, sent_at = v.column4, updated_at = v.column4
      FROM (VALUES ${rows}) AS v
     WHERE campaign_outbox.notice_id = v.column1 AND campaign_outbox.state IN ('pending', 'sending')
    RETURNING campaign_outbox.notice_id, campaign_outbox.sent_at`.execute(tx.db);
  if (updated.rows.length === 0) return;
  const notices = sql.join(updated.rows.map((r) => sql`(${r.notice_id}, ${r.sent_at})`));
  await sql`
    UPDATE notices SET status = 'sent', sent_at = v.column2
      FROM (VALUES ${notices}) AS v
     WHERE notices.id = v.column1`.execute(tx.db);
};

/** Shares a domain's backoff with every worker of the campaign. */
export const pauseDomain = async (
  store: Store,
  campaignId: string,
  domain: string,
  until: string,
  strikes: number,
  reply: string,
): Promise<void> => {
  await campaignDb(store)
    .insertInto('campaign_domains')
    .values({ campaign_id: campaignId, domain, paused_until: until, strikes, last_reply: reply })
    .onConflict((oc) =>
      oc
        .columns(['campaign_id', 'domain'])
        .doUpdateSet({ paused_until: until, strikes, last_reply: reply }),
    )
    .execute();
};

/**
 * A worker restarted under the same id (the default on SQLite, where there is only one) takes back
 * the rows its previous life was sending, without waiting for their leases to expire. Those rows
 * are exactly the crash window: some may have been accepted already, and are resent with their
 * own Message-ID.
 */
export const releaseOwnRows = async (
  store: Store,
  campaignId: string,
  owner: string,
  now: string,
): Promise<number> => {
  const result = await campaignDb(store)
    .updateTable('campaign_outbox')
    .set({ state: 'pending', lease_owner: null, available_at: now, updated_at: now })
    .where('campaign_id', '=', campaignId)
    .where('lease_owner', '=', owner)
    .where('state', '=', 'sending')
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
};
