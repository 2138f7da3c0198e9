import type { ExpressionBuilder } from 'kysely';
import { openEmail } from '../crypto/email.js';
import type { Keyring } from '../crypto/keys.js';
import type { Store } from '../store/store.js';
import { campaignDb, type CampaignDatabase } from './schema.js';

const csvField = (value: string | number | null): string => {
  const text = value === null ? '' : String(value);
  // Leading =, +, -, @ would be formulas in a spreadsheet; prefix them so they stay text.
  const safe = /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
};

/**
 * People of the campaign who cannot be reached by email (permanently rejected or bounced at every
 * address tried, or with no address on record), as CSV for a postal mailing — one line per address
 * that failed, with the address so the organisation can match its customer records. A person whose
 * fallback notice (fallback.ts) is pending or was accepted is not listed. Pages through the outbox
 * so memory stays flat; yields CSV lines.
 */
export async function* unreachableCsv(
  store: Store,
  keyring: Keyring,
  campaignId: string,
): AsyncGenerator<string> {
  yield 'person_id,customer_key_hash,email,reference_code,reason,last_reply\n';
  const db = campaignDb(store);
  let after = '';
  for (;;) {
    const rows = await db
      .selectFrom('campaign_outbox')
      .innerJoin('notices', 'notices.id', 'campaign_outbox.notice_id')
      .innerJoin('people', 'people.id', 'campaign_outbox.person_id')
      .select([
        'campaign_outbox.notice_id',
        'campaign_outbox.person_id',
        'campaign_outbox.state',
        'campaign_outbox.failure',
        'campaign_outbox.reply',
        'notices.reference_code',
        'notices.email_sealed',
        'notices.key_id',
        'people.external_key',
      ])
      .where('campaign_outbox.campaign_id', '=', campaignId)
      .where('campaign_outbox.state', 'in', ['failed', 'bounced'])
      .where((eb) => eb.not(eb.exists(liveNotice(eb))))
      .where('campaign_outbox.notice_id', '>', after)
      .orderBy('campaign_outbox.notice_id')
      .limit(1000)
      .execute();
    if (rows.length === 0) break;
    after = (rows[rows.length - 1] as { notice_id: string }).notice_id;
    for (const r of rows) {
      const email = openEmail(keyring, { keyId: r.key_id, value: r.email_sealed });
      const reason =
        r.state === 'bounced' ? (r.failure ?? 'bounced') : `rejected (${r.failure ?? 'failed'})`;
      yield (
        [r.person_id, r.external_key, email, r.reference_code, reason, r.reply]
          .map(csvField)
          .join(',') + '\n'
      );
    }
  }
  const campaign = await db
    .selectFrom('campaigns')
    .select('incident_id')
    .where('id', '=', campaignId)
    .executeTakeFirstOrThrow();
  const withoutAddress = await db
    .selectFrom('incident_people')
    .innerJoin('people', 'people.id', 'incident_people.person_id')
    .select(['people.id', 'people.external_key'])
    .where('incident_people.incident_id', '=', campaign.incident_id)
    .where((eb) =>
      eb.not(
        eb.exists(
          eb
            .selectFrom('person_emails')
            .select('email_hash')
            .whereRef('person_emails.person_id', '=', 'people.id'),
        ),
      ),
    )
    .execute();
  for (const p of withoutAddress)
    yield [p.id, p.external_key, '', '', 'no email address', ''].map(csvField).join(',') + '\n';
}

/** Another notice of the same person and campaign that is delivered or may still be. */
const liveNotice = (eb: ExpressionBuilder<CampaignDatabase, 'campaign_outbox'>) =>
  eb
    .selectFrom('campaign_outbox as other')
    .select('other.notice_id')
    .whereRef('other.campaign_id', '=', 'campaign_outbox.campaign_id')
    .whereRef('other.person_id', '=', 'campaign_outbox.person_id')
    .where('other.state', 'in', ['pending', 'sending', 'sent']);

/**
 * How many people the postal mailing (and a substitute public notice) must cover: people whose
 * every notice was rejected or bounced, and people with no address on record.
 */
export const unreachableCount = async (
  store: Store,
  campaignId: string,
): Promise<{ byEmail: number; withoutAddress: number; total: number }> => {
  const db = campaignDb(store);
  const failed = await db
    .selectFrom('campaign_outbox')
    .select((eb) => eb.fn.count<number>('campaign_outbox.person_id').distinct().as('n'))
    .where('campaign_outbox.campaign_id', '=', campaignId)
    .where('campaign_outbox.state', 'in', ['failed', 'bounced'])
    .where((eb) => eb.not(eb.exists(liveNotice(eb))))
    .executeTakeFirstOrThrow();
  const { incident_id: incidentId } = await db
    .selectFrom('campaigns')
    .select('incident_id')
    .where('id', '=', campaignId)
    .executeTakeFirstOrThrow();
  const without = await db
    .selectFrom('incident_people')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('incident_id', '=', incidentId)
    .where((eb) =>
      eb.not(
        eb.exists(
          eb
            .selectFrom('person_emails')
            .select('email_hash')
            .whereRef('person_emails.person_id', '=', 'incident_people.person_id'),
        ),
      ),
    )
    .executeTakeFirstOrThrow();
  const byEmail = Number(failed.n);
  const withoutAddress = Number(without.n);
  return { byEmail, withoutAddress, total: byEmail + withoutAddress };
};

export interface Evidence {
  noticeId: string;
  personId: string;
  referenceCode: string;
  messageId: string | null;
  templateVersion: string;
  /** The language the notice was rendered in: ja, en or ja+en. */
  language: string;
  /** The notice this one replaced after a hard bounce (a fallback address), else null. */
  follows: string | null;
  contentHash: string | null;
  state: string;
  attempts: number;
  sentAt: string | null;
  reply: string | null;
  failure: string | null;
  bounces: { receivedAt: string; action: string; status: string; diagnostic: string }[];
}

/**
 * For the regulator: what exactly was sent to each person (template version, hash of the rendered
 * message, when, the receiving server's reply, later bounces). No addresses: the person id and
 * reference code identify the notice.
 */
export async function* campaignEvidence(
  store: Store,
  campaignId: string,
  personId?: string,
): AsyncGenerator<Evidence> {
  const db = campaignDb(store);
  let after = '';
  for (;;) {
    let query = db
      .selectFrom('campaign_outbox')
      .innerJoin('notices', 'notices.id', 'campaign_outbox.notice_id')
      .select([
        'campaign_outbox.notice_id',
        'campaign_outbox.person_id',
        'campaign_outbox.template_version',
        'campaign_outbox.follows',
        'campaign_outbox.content_hash',
        'campaign_outbox.state',
        'campaign_outbox.attempts',
        'campaign_outbox.sent_at',
        'campaign_outbox.reply',
        'campaign_outbox.failure',
        'notices.reference_code',
        'notices.message_id',
        'notices.language',
      ])
      .where('campaign_outbox.campaign_id', '=', campaignId)
      .where('campaign_outbox.notice_id', '>', after)
      .orderBy('campaign_outbox.notice_id')
      .limit(1000);
    if (personId) query = query.where('campaign_outbox.person_id', '=', personId);
    const rows = await query.execute();
    if (rows.length === 0) return;
    after = (rows[rows.length - 1] as { notice_id: string }).notice_id;
    const bounces = await db
      .selectFrom('campaign_bounces')
      .selectAll()
      .where(
        'notice_id',
        'in',
        rows.map((r) => r.notice_id),
      )
      .orderBy('seq')
      .execute();
    for (const r of rows) {
      yield {
        noticeId: r.notice_id,
        personId: r.person_id,
        referenceCode: r.reference_code,
        messageId: r.message_id,
        templateVersion: r.template_version,
        language: r.language,
        follows: r.follows,
        contentHash: r.content_hash,
        state: r.state,
        attempts: r.attempts,
        sentAt: r.sent_at,
        reply: r.reply,
        failure: r.failure,
        bounces: bounces
          .filter((b) => b.notice_id === r.notice_id)
          .map((b) => ({
            receivedAt: b.received_at,
            action: b.action,
            status: b.status,
            diagnostic: b.diagnostic,
          })),
      };
    }
  }
}
