import { randomUUID } from 'node:crypto';
import { openEmail } from '../crypto/email.js';
import type { Keyring } from '../crypto/keys.js';
import { LwError } from '../errors.js';
import { mintReferenceCode } from '../reference-code.js';
import type { Store } from '../store/store.js';
import { campaignDb, type CampaignTable } from './schema.js';
import {
  campaignLanguageModes,
  campaignLanguages,
  parseNoticeContent,
  templateVersion,
  type CampaignLanguage,
  type CampaignLanguageMode,
  type NoticeContent,
} from './templates.js';

export const campaignStates = [
  'draft',
  'approved',
  'running',
  'paused',
  'completed',
  'cancelled',
] as const;
export type CampaignState = (typeof campaignStates)[number];

export interface CampaignSettings {
  /** The From address; its domain also names the Message-IDs. */
  from: string;
  /** Envelope sender base, `bounces@bounce.example.org`; each notice gets `bounces+<notice>@…` (VERP). */
  bounceAddress: string;
  /** Messages per second for the whole campaign, shared by every worker (a token bucket in the database). */
  rate: number;
  /** Messages per second per recipient domain, per worker. */
  domainRate: number;
  /** Messages in flight per recipient domain, per worker. */
  domainConcurrency: number;
  /** Attempts before a row that keeps getting temporary failures is given up as failed. */
  maxAttempts: number;
  /** In `auto` language mode, the language of people without a recognised preference (ja+en if unset). */
  defaultLanguage?: CampaignLanguage;
}

export const defaultSettings = (from: string): CampaignSettings => ({
  from,
  bounceAddress: `bounces@${domainOf(from)}`,
  rate: 100,
  domainRate: 50,
  domainConcurrency: 5,
  maxAttempts: 8,
});

export interface Campaign {
  id: string;
  incidentId: string;
  name: string;
  state: CampaignState;
  language: CampaignLanguageMode;
  template: NoticeContent;
  templateVersion: string;
  settings: CampaignSettings;
  createdBy: string;
  createdAt: string;
  approvedBy: string | null;
  approvedAt: string | null;
  startedAt: string | null;
  finishedAt: string | null;
  total: number;
}

export const domainOf = (address: string): string =>
  address.slice(address.lastIndexOf('@') + 1).toLowerCase();

/** A person's stored address, as the notice row keeps it (hash for lookups, sealed for sending). */
export interface StoredAddress {
  email_hash: string;
  email_sealed: string;
  key_id: string;
}

/**
 * The notice and its outbox row for one address: a fresh reference code and a Message-ID fixed for
 * every later attempt. `follows` links a fallback notice to the one that hard-bounced.
 */
export function noticeRows(
  campaign: Campaign,
  p: {
    personId: string;
    email: StoredAddress;
    address: string;
    language: string;
    now: string;
    follows: string | null;
  },
) {
  const id = randomUUID();
  const notice = {
    id,
    incident_id: campaign.incidentId,
    person_id: p.personId,
    email_hash: p.email.email_hash,
    email_sealed: p.email.email_sealed,
    key_id: p.email.key_id,
    reference_code: mintReferenceCode(),
    language: p.language,
    channel: 'email',
    campaign_id: campaign.id,
    message_id: `<${id}@${domainOf(campaign.settings.from)}>`,
    status: 'pending',
    sent_at: null,
    created_at: p.now,
  };
  const outbox = {
    notice_id: id,
    campaign_id: campaign.id,
    person_id: p.personId,
    domain: domainOf(p.address),
    state: 'pending',
    attempts: 0,
    available_at: p.now,
    lease_owner: null,
    template_version: campaign.templateVersion,
    content_hash: null,
    reply: null,
    failure: null,
    sent_at: null,
    updated_at: p.now,
    follows: p.follows,
  };
  return { notice, outbox };
}

/**
 * The language of one person's notice: in `auto` mode their preferred language from the people
 * import (`preferred`), or the campaign's default without one; otherwise the campaign's language.
 */
export const noticeLanguageOf = (
  campaign: Pick<Campaign, 'language' | 'settings'>,
  preferred: string | null | undefined,
): CampaignLanguage => {
  if (campaign.language !== 'auto') return campaign.language;
  if (preferred === 'ja' || preferred === 'en') return preferred;
  return campaign.settings.defaultLanguage ?? 'ja+en';
};

const versionLanguage = (language: CampaignLanguageMode, settings: CampaignSettings) =>
  language === 'auto' ? (`auto/${settings.defaultLanguage ?? 'ja+en'}` as const) : language;

const toCampaign = (row: CampaignTable): Campaign => ({
  id: row.id,
  incidentId: row.incident_id,
  name: row.name,
  state: row.state as CampaignState,
  language: row.language as CampaignLanguageMode,
  template: JSON.parse(row.template) as NoticeContent,
  templateVersion: row.template_version,
  settings: JSON.parse(row.settings) as CampaignSettings,
  createdBy: row.created_by,
  createdAt: row.created_at,
  approvedBy: row.approved_by,
  approvedAt: row.approved_at,
  startedAt: row.started_at,
  finishedAt: row.finished_at,
  total: row.total,
});

const validateSettings = (settings: CampaignSettings): void => {
  const errors: string[] = [];
  for (const key of ['from', 'bounceAddress'] as const) {
    if (!/^[^\s@<>]+@[a-z0-9.-]+\.[a-z]{2,}$/i.test(settings[key]))
      errors.push(`${key}: not an address`);
  }
  for (const key of ['rate', 'domainRate'] as const) {
    if (!(settings[key] > 0 && settings[key] <= 1_000_000))
      errors.push(`${key}: expected a positive number`);
  }
  for (const key of ['domainConcurrency', 'maxAttempts'] as const) {
    if (!(Number.isInteger(settings[key]) && settings[key] >= 1 && settings[key] <= 1000))
      errors.push(`${key}: expected 1-1000`);
  }
  if (
    settings.defaultLanguage !== undefined &&
    !campaignLanguages.includes(settings.defaultLanguage)
  ) {
    errors.push(`defaultLanguage: one of ${campaignLanguages.join(', ')}`);
  }
  if (errors.length > 0) throw new LwError('LW_VALIDATION', errors.join('; '), { errors });
};

export const getCampaign = async (store: Store, id: string): Promise<Campaign> => {
  const row = await campaignDb(store)
    .selectFrom('campaigns')
    .selectAll()
    .where('id', '=', id)
    .executeTakeFirst();
  if (!row) throw new LwError('LW_NOT_FOUND', `no campaign ${id}`);
  return toCampaign(row);
};

export const listCampaigns = async (store: Store, incidentId?: string): Promise<Campaign[]> => {
  let query = campaignDb(store)
    .selectFrom('campaigns')
    .selectAll()
    .orderBy('created_at')
    .orderBy('id');
  if (incidentId) query = query.where('incident_id', '=', incidentId);
  return (await query.execute()).map(toCampaign);
};

export const createCampaign = async (
  store: Store,
  input: {
    incidentId: string;
    name: string;
    language: CampaignLanguageMode;
    template: unknown;
    settings: CampaignSettings;
  },
  actor: string,
  now: string,
): Promise<Campaign> => {
  if (!campaignLanguageModes.includes(input.language)) {
    throw new LwError('LW_VALIDATION', `language: one of ${campaignLanguageModes.join(', ')}`);
  }
  const template = parseNoticeContent(input.template, input.language);
  validateSettings(input.settings);
  const incident = await store.getIncident(input.incidentId);
  if (!incident) throw new LwError('LW_NOT_FOUND', `no incident ${input.incidentId}`);
  const id = randomUUID();
  const version = templateVersion(template, versionLanguage(input.language, input.settings));
  await store.transaction(async (tx) => {
    await campaignDb(tx)
      .insertInto('campaigns')
      .values({
        id,
        incident_id: incident.id,
        name: input.name,
        state: 'draft',
        language: input.language,
        template: JSON.stringify(template),
        template_version: version,
        settings: JSON.stringify(input.settings),
        created_by: actor,
        created_at: now,
        approved_by: null,
        approved_at: null,
        approved_version: null,
        started_at: null,
        finished_at: null,
        total: 0,
        updated_at: now,
      })
      .execute();
    await tx.appendEvent(
      incident.id,
      actor,
      'campaign.created',
      { campaign: id, name: input.name, templateVersion: version },
      now,
    );
  });
  return getCampaign(store, id);
};

/**
 * Moves a campaign from one state to another only if it is still in `from` (two operators racing
 * get one winner), recording `action` on the incident timeline in the same transaction.
 */
const transition = async (
  store: Store,
  id: string,
  from: CampaignState[],
  to: CampaignState,
  actor: string,
  action: string,
  now: string,
  extra: Partial<CampaignTable> = {},
  details: Record<string, unknown> = {},
): Promise<Campaign> => {
  const campaign = await getCampaign(store, id);
  if (!from.includes(campaign.state)) {
    throw new LwError(
      'LW_INVALID_TRANSITION',
      `campaign ${id} is ${campaign.state}; ${action} needs ${from.join(' or ')}`,
    );
  }
  const done = await store.transaction(async (tx) => {
    const result = await campaignDb(tx)
      .updateTable('campaigns')
      .set({ ...extra, state: to, updated_at: now })
      .where('id', '=', id)
      .where('state', 'in', from)
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) !== 1) return false;
    await tx.appendEvent(campaign.incidentId, actor, action, { campaign: id, ...details }, now);
    return true;
  });
  if (!done) throw new LwError('LW_INVALID_TRANSITION', `campaign ${id} changed state meanwhile`);
  return getCampaign(store, id);
};

/** The second operator's approval: never by the creator, and bound to the exact template version. */
export const approveCampaign = async (
  store: Store,
  id: string,
  actor: string,
  now: string,
): Promise<Campaign> => {
  const campaign = await getCampaign(store, id);
  if (campaign.createdBy === actor) {
    throw new LwError(
      'LW_FORBIDDEN',
      'a campaign must be approved by a second operator, not by its creator',
    );
  }
  return transition(
    store,
    id,
    ['draft'],
    'approved',
    actor,
    'campaign.approved',
    now,
    { approved_by: actor, approved_at: now, approved_version: campaign.templateVersion },
    { templateVersion: campaign.templateVersion },
  );
};

export const pauseCampaign = (store: Store, id: string, actor: string, now: string) =>
  transition(store, id, ['running'], 'paused', actor, 'campaign.paused', now);

export const resumeCampaign = (store: Store, id: string, actor: string, now: string) =>
  transition(store, id, ['paused'], 'running', actor, 'campaign.resumed', now);

export const cancelCampaign = (store: Store, id: string, actor: string, now: string) =>
  transition(
    store,
    id,
    ['draft', 'approved', 'running', 'paused'],
    'cancelled',
    actor,
    'campaign.cancelled',
    now,
    {
      finished_at: now,
    },
  );

const insertChunk = 400;

/**
 * Starts an approved campaign: in ONE transaction, one notice + outbox row per affected person
 * (their first address on record), each with a freshly minted reference code and a stable
 * Message-ID. Either every person has a row or, on any error, none has.
 */
export const startCampaign = async (
  store: Store,
  keyring: Keyring,
  id: string,
  actor: string,
  now: string,
): Promise<{ campaign: Campaign; total: number; withoutAddress: number }> => {
  const campaign = await getCampaign(store, id);
  if (campaign.state !== 'approved') {
    throw new LwError(
      'LW_INVALID_TRANSITION',
      `campaign ${id} is ${campaign.state}; start needs an approved campaign`,
    );
  }
  const counts = await store.transaction(async (tx) => {
    const db = campaignDb(tx);
    const claimed = await db
      .updateTable('campaigns')
      .set({ state: 'running', started_at: now, updated_at: now })
      .where('id', '=', id)
      .where('state', '=', 'approved')
      .whereRef('approved_version', '=', 'template_version')
      .executeTakeFirst();
    if (Number(claimed.numUpdatedRows) !== 1) {
      throw new LwError(
        'LW_INVALID_TRANSITION',
        `campaign ${id} is not approved in its current version`,
      );
    }
    let total = 0;
    let withoutAddress = 0;
    const languages: Partial<Record<CampaignLanguage, number>> = {};
    let after = '';
    for (;;) {
      const people = await db
        .selectFrom('incident_people')
        .innerJoin('people', 'people.id', 'incident_people.person_id')
        .select(['incident_people.person_id', 'people.language'])
        .where('incident_people.incident_id', '=', campaign.incidentId)
        .where('incident_people.person_id', '>', after)
        .orderBy('incident_people.person_id')
        .limit(insertChunk)
        .execute();
      if (people.length === 0) break;
      after = (people[people.length - 1] as { person_id: string }).person_id;
      const ids = people.map((p) => p.person_id);
      const emails = await db
        .selectFrom('person_emails')
        .select(['person_id', 'email_hash', 'email_sealed', 'key_id'])
        .where('person_id', 'in', ids)
        .orderBy('person_id')
        .orderBy('created_at')
        .orderBy('email_hash')
        .execute();
      const first = new Map<string, (typeof emails)[number]>();
      for (const e of emails) if (!first.has(e.person_id)) first.set(e.person_id, e);
      const notices = [];
      const outbox = [];
      for (const { person_id: personId, language: preferred } of people) {
        const email = first.get(personId);
        if (!email) {
          withoutAddress++;
          continue;
        }
        const language = noticeLanguageOf(campaign, preferred);
        languages[language] = (languages[language] ?? 0) + 1;
        const address = openEmail(keyring, { keyId: email.key_id, value: email.email_sealed });
        const rows = noticeRows(campaign, {
          personId,
          email,
          address,
          language,
          now,
          follows: null,
        });
        notices.push(rows.notice);
        outbox.push(rows.outbox);
      }
      if (notices.length > 0) {
        await db.insertInto('notices').values(notices).execute();
        await db.insertInto('campaign_outbox').values(outbox).execute();
      }
      total += notices.length;
    }
    await db.updateTable('campaigns').set({ total }).where('id', '=', id).execute();
    await tx.appendEvent(
      campaign.incidentId,
      actor,
      'campaign.started',
      { campaign: id, total, withoutAddress, languages },
      now,
    );
    return { total, withoutAddress };
  });
  return { campaign: await getCampaign(store, id), ...counts };
};

export interface Progress {
  campaignId: string;
  state: CampaignState;
  total: number;
  sent: number;
  failed: number;
  bounced: number;
  pending: number;
  sending: number;
  /** Messages per second over the last minute. */
  rate: number;
  /** Seconds until every pending row is sent at the current rate; null when unknown. */
  etaSeconds: number | null;
  startedAt: string | null;
  finishedAt: string | null;
}

export const campaignProgress = async (store: Store, id: string, now: Date): Promise<Progress> => {
  const campaign = await getCampaign(store, id);
  const db = campaignDb(store);
  const rows = await db
    .selectFrom('campaign_outbox')
    .select(['state', (eb) => eb.fn.countAll<number>().as('n')])
    .where('campaign_id', '=', id)
    .groupBy('state')
    .execute();
  const by = new Map(rows.map((r) => [r.state, Number(r.n)]));
  const windowStart = new Date(now.getTime() - 60_000).toISOString();
  const recent = await db
    .selectFrom('campaign_outbox')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('campaign_id', '=', id)
    .where('sent_at', '>=', windowStart)
    .executeTakeFirstOrThrow();
  const startedMs = campaign.startedAt ? Date.parse(campaign.startedAt) : now.getTime();
  const window = Math.max(1, Math.min(60, (now.getTime() - startedMs) / 1000));
  const rate = Number(recent.n) / window;
  const pending = (by.get('pending') ?? 0) + (by.get('sending') ?? 0);
  return {
    campaignId: id,
    state: campaign.state,
    total: campaign.total,
    sent: (by.get('sent') ?? 0) + (by.get('bounced') ?? 0),
    failed: by.get('failed') ?? 0,
    bounced: by.get('bounced') ?? 0,
    pending: by.get('pending') ?? 0,
    sending: by.get('sending') ?? 0,
    rate: Math.round(rate * 10) / 10,
    etaSeconds: pending === 0 ? 0 : rate > 0 ? Math.ceil(pending / rate) : null,
    startedAt: campaign.startedAt,
    finishedAt: campaign.finishedAt,
  };
};

/**
 * Marks a running campaign completed once no row is pending or being sent, with the final counts
 * on the incident timeline. Safe to call from every worker: only one wins the state change.
 */
export const completeIfDone = async (store: Store, id: string, now: string): Promise<boolean> => {
  const db = campaignDb(store);
  const open = await db
    .selectFrom('campaign_outbox')
    .select('notice_id')
    .where('campaign_id', '=', id)
    .where('state', 'in', ['pending', 'sending'])
    .limit(1)
    .executeTakeFirst();
  if (open) return false;
  const progress = await campaignProgress(store, id, new Date(now));
  return store.transaction(async (tx) => {
    const result = await campaignDb(tx)
      .updateTable('campaigns')
      .set({ state: 'completed', finished_at: now, updated_at: now })
      .where('id', '=', id)
      .where('state', '=', 'running')
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) !== 1) return false;
    const campaign = await getCampaign(tx, id);
    await tx.appendEvent(
      campaign.incidentId,
      'campaign-worker',
      'campaign.completed',
      {
        campaign: id,
        sent: progress.sent,
        failed: progress.failed,
        bounced: progress.bounced,
      },
      now,
    );
    return true;
  });
};
