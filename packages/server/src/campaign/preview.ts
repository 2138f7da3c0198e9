import { createHash } from 'node:crypto';
import { hashEmail, normalizeEmail, openEmail } from '../crypto/email.js';
import type { Keyring } from '../crypto/keys.js';
import { LwError } from '../errors.js';
import type { Mailer } from '../mail/mailer.js';
import type { Store } from '../store/store.js';
import type { Campaign } from './campaigns.js';
import { domainOf, noticeLanguageOf } from './campaigns.js';
import { campaignDb } from './schema.js';
import {
  contentHash,
  renderNotice,
  type CampaignLanguage,
  type RenderedNotice,
} from './templates.js';

/** Stands in for the reference code before the campaign starts (codes are minted at start). */
export const placeholderCode = 'XXXX-XXXX-XXXX-XXXX-X';

/**
 * One person's message exactly as it will be (or was) sent: after the start it carries the code of
 * that person's outbox row. Reading a person's notice is a read of personal data, so it is
 * written to the access log.
 */
export const previewNotice = async (
  store: Store,
  keyring: Keyring,
  campaign: Campaign,
  who: { personId?: string; email?: string },
  actor: string,
  now: string,
): Promise<
  RenderedNotice & { personId: string; referenceCode: string; language: CampaignLanguage }
> => {
  let personId = who.personId;
  if (who.email !== undefined) {
    const normalized = normalizeEmail(who.email);
    if (!normalized) throw new LwError('LW_VALIDATION', 'not a valid email address');
    personId = await store.findPersonByEmailHash(hashEmail(keyring, normalized));
  }
  const db = campaignDb(store);
  const member =
    personId &&
    (await db
      .selectFrom('incident_people')
      .select('person_id')
      .where('incident_id', '=', campaign.incidentId)
      .where('person_id', '=', personId)
      .executeTakeFirst());
  if (!personId || !member)
    throw new LwError('LW_NOT_FOUND', 'no such person in this campaign\u2019s incident');
  const notice = await db
    .selectFrom('notices')
    .select(['reference_code', 'language'])
    .where('campaign_id', '=', campaign.id)
    .where('person_id', '=', personId)
    // After a fallback (fallback.ts) a person has several notices: show the latest.
    .orderBy('created_at', 'desc')
    .orderBy('id')
    .executeTakeFirst();
  await store.logAccess({
    at: now,
    actor,
    action: 'campaign.preview',
    personId,
    incidentId: campaign.incidentId,
    details: { campaign: campaign.id },
  });
  const referenceCode = notice?.reference_code ?? placeholderCode;
  const preferred = await db
    .selectFrom('people')
    .select('language')
    .where('id', '=', personId)
    .executeTakeFirst();
  const language =
    (notice?.language as CampaignLanguage | undefined) ??
    noticeLanguageOf(campaign, preferred?.language);
  return {
    ...renderNotice(campaign.template, language, referenceCode),
    personId,
    referenceCode,
    language,
  };
};

export interface DryRunResult {
  people: number;
  rendered: number;
  withoutAddress: number;
  undecryptable: number;
  bytes: number;
  domains: { domain: string; people: number }[];
  /** Hash of every rendered message in person order: two dry runs of one template agree. */
  digest: string;
}

/**
 * Renders every person's message without sending or writing anything (apart from a timeline
 * entry), to catch problems before the start: undecryptable addresses, people without one, size.
 */
export const dryRun = async (
  store: Store,
  keyring: Keyring,
  campaign: Campaign,
): Promise<DryRunResult> => {
  const db = campaignDb(store);
  const digest = createHash('sha256');
  const domains = new Map<string, number>();
  const result = { people: 0, rendered: 0, withoutAddress: 0, undecryptable: 0, bytes: 0 };
  let after = '';
  for (;;) {
    const people = await db
      .selectFrom('incident_people')
      .innerJoin('people', 'people.id', 'incident_people.person_id')
      .select(['incident_people.person_id', 'people.language'])
      .where('incident_people.incident_id', '=', campaign.incidentId)
      .where('incident_people.person_id', '>', after)
      .orderBy('incident_people.person_id')
      .limit(1000)
      .execute();
    if (people.length === 0) break;
    after = (people[people.length - 1] as { person_id: string }).person_id;
    const emails = await db
      .selectFrom('person_emails')
      .select(['person_id', 'email_sealed', 'key_id'])
      .where(
        'person_id',
        'in',
        people.map((p) => p.person_id),
      )
      .orderBy('person_id')
      .orderBy('created_at')
      .orderBy('email_hash')
      .execute();
    const first = new Map<string, (typeof emails)[number]>();
    for (const e of emails) if (!first.has(e.person_id)) first.set(e.person_id, e);
    for (const { person_id: personId, language } of people) {
      result.people++;
      const email = first.get(personId);
      if (!email) {
        result.withoutAddress++;
        continue;
      }
      let address: string;
      try {
        address = openEmail(keyring, { keyId: email.key_id, value: email.email_sealed });
      } catch {
        result.undecryptable++;
        continue;
      }
      const rendered = renderNotice(
        campaign.template,
        noticeLanguageOf(campaign, language),
        placeholderCode,
      );
      result.rendered++;
      result.bytes += Buffer.byteLength(rendered.text) + Buffer.byteLength(rendered.html);
      digest.update(contentHash(rendered));
      const domain = domainOf(address);
      domains.set(domain, (domains.get(domain) ?? 0) + 1);
    }
  }
  return {
    ...result,
    domains: [...domains]
      .map(([domain, n]) => ({ domain, people: n }))
      .sort((a, b) => b.people - a.people || a.domain.localeCompare(b.domain)),
    digest: digest.digest('hex'),
  };
};

/**
 * Sends the notice to test recipients (the operators' own inboxes) before approval or start, marked
 * as a test in the subject and without a real reference code.
 */
export const sendTestNotices = async (
  store: Store,
  mailer: Mailer,
  campaign: Campaign,
  recipients: string[],
  actor: string,
  now: string,
): Promise<{ to: string; reply: string }[]> => {
  // In `auto` mode the operators see the message of people without a preference.
  const rendered = renderNotice(
    campaign.template,
    noticeLanguageOf(campaign, undefined),
    placeholderCode,
  );
  const out: { to: string; reply: string }[] = [];
  for (const to of recipients) {
    const normalized = normalizeEmail(to);
    if (!normalized)
      throw new LwError('LW_VALIDATION', 'a test recipient is not a valid email address');
    const result = await mailer.send({
      to: normalized,
      subject: `[TEST] ${rendered.subject}`,
      text: rendered.text,
      html: rendered.html,
    });
    out.push({ to: normalized, reply: result.response });
  }
  await store.appendEvent(
    campaign.incidentId,
    actor,
    'campaign.test-sent',
    { campaign: campaign.id, recipients: out.length },
    now,
  );
  return out;
};
