import { openEmail } from '../crypto/email.js';
import type { Keyring } from '../crypto/keys.js';
import type { Store } from '../store/store.js';
import { getCampaign, noticeRows } from './campaigns.js';
import { campaignDb } from './schema.js';

/** Failure reasons that mean "this address will never take the notice" (5xx), not "try later". */
export const hardFailureReasons = ['permanent', 'rejected'];

/**
 * After a hard failure of notice `noticeId` (a 5xx reply, or a DSN with Action: failed), queues a
 * new notice to the person's next stored address not yet tried in this campaign: a new reference
 * code and Message-ID, `follows` naming the failed notice. Runs in the caller's transaction, the
 * one that records the failure, so the failure and its fallback are committed together. A person
 * gets at most one notice per address, and a notice at most one follower (a unique index); with
 * no address left, nothing is queued
 * and the person counts as unreachable by email. A completed campaign is reopened (a worker must
 * run again); a cancelled one gets no fallback. Returns the new notice id, or null.
 */
export const queueFallback = async (
  tx: Store,
  keyring: Keyring,
  noticeId: string,
  now: string,
): Promise<string | null> => {
  const db = campaignDb(tx);
  const failed = await db
    .selectFrom('campaign_outbox')
    .innerJoin('notices', 'notices.id', 'campaign_outbox.notice_id')
    .select(['campaign_outbox.campaign_id', 'campaign_outbox.person_id', 'notices.language'])
    .where('campaign_outbox.notice_id', '=', noticeId)
    .executeTakeFirst();
  if (!failed) return null;
  const campaign = await getCampaign(tx, failed.campaign_id);
  if (campaign.state === 'cancelled') return null;
  const tried = (
    await db
      .selectFrom('campaign_outbox')
      .innerJoin('notices', 'notices.id', 'campaign_outbox.notice_id')
      .select('notices.email_hash')
      .where('campaign_outbox.campaign_id', '=', campaign.id)
      .where('campaign_outbox.person_id', '=', failed.person_id)
      .execute()
  ).map((r) => r.email_hash);
  let candidates = db
    .selectFrom('person_emails')
    .select(['email_hash', 'email_sealed', 'key_id'])
    .where('person_id', '=', failed.person_id)
    .orderBy('created_at')
    .orderBy('email_hash')
    .limit(1);
  if (tried.length > 0) candidates = candidates.where('email_hash', 'not in', tried);
  const next = await candidates.executeTakeFirst();
  if (!next) return null;
  const address = openEmail(keyring, { keyId: next.key_id, value: next.email_sealed });
  const rows = noticeRows(campaign, {
    personId: failed.person_id,
    email: next,
    address,
    language: failed.language,
    now,
    follows: noticeId,
  });
  const id = rows.notice.id;
  await db.insertInto('notices').values(rows.notice).execute();
  await db.insertInto('campaign_outbox').values(rows.outbox).execute();
  await db
    .updateTable('campaigns')
    .set((eb) => ({ total: eb('total', '+', 1), updated_at: now }))
    .where('id', '=', campaign.id)
    .execute();
  if (campaign.state === 'completed') {
    const reopened = await db
      .updateTable('campaigns')
      .set({ state: 'running', finished_at: null })
      .where('id', '=', campaign.id)
      .where('state', '=', 'completed')
      .executeTakeFirst();
    if (Number(reopened.numUpdatedRows) === 1) {
      await tx.appendEvent(
        campaign.incidentId,
        'campaign-worker',
        'campaign.reopened',
        { campaign: campaign.id, reason: 'fallback address queued after a bounce' },
        now,
      );
    }
  }
  return id;
};
