import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { approveCampaign, startCampaign } from '../../src/campaign/campaigns.js';
import {
  claimRows,
  recordOutcomes,
  recoverExpiredLeases,
  releaseOwnRows,
} from '../../src/campaign/outbox.js';
import { campaignDb } from '../../src/campaign/schema.js';
import { generateKeyring } from '../../src/crypto/keys.js';
import type { OpenedStore } from '../../src/store/open-store.js';
import { draftCampaign, now, openCampaignStore, seedIncident } from './helpers.js';

const keyring = generateKeyring();
let opened: OpenedStore;
let campaignId: string;
beforeEach(async () => {
  opened = await openCampaignStore();
  const incidentId = await seedIncident(opened.store, keyring, [
    'a@x.example',
    'b@x.example',
    'c@y.example',
  ]);
  campaignId = (await draftCampaign(opened.store, incidentId)).id;
  await approveCampaign(opened.store, campaignId, 'cli:bob', now);
  await startCampaign(opened.store, keyring, campaignId, 'cli:alice', now);
});
afterEach(async () => opened.close());

const at = (s: number) => new Date(Date.parse(now) + s * 1000).toISOString();
const row = (noticeId: string) =>
  campaignDb(opened.store)
    .selectFrom('campaign_outbox')
    .selectAll()
    .where('notice_id', '=', noticeId)
    .executeTakeFirstOrThrow();

describe('outbox claims and leases', () => {
  it('claims each row once until its lease expires, then lets another worker take it over', async () => {
    const a = await claimRows(opened.store, keyring, campaignId, 'A', 2, at(1), at(61));
    expect(a.map((r) => r.address).sort()).toEqual(['a@x.example', 'b@x.example']);
    const b = await claimRows(opened.store, keyring, campaignId, 'B', 10, at(2), at(62));
    expect(b.map((r) => r.address)).toEqual(['c@y.example']);
    expect(await claimRows(opened.store, keyring, campaignId, 'B', 10, at(3), at(63))).toEqual([]);
    // A crashed: nothing is recovered before its lease ends, everything after.
    expect(await recoverExpiredLeases(opened.store, campaignId, at(60))).toBe(0);
    expect(await recoverExpiredLeases(opened.store, campaignId, at(61))).toBe(2);
    const taken = await claimRows(opened.store, keyring, campaignId, 'B', 10, at(62), at(122));
    expect(taken.map((r) => r.messageId).sort()).toEqual(a.map((r) => r.messageId).sort());
  });

  it('records an acceptance even after the lease lapsed, and drops the late owner\u2019s other outcomes', async () => {
    const [first] = await claimRows(opened.store, keyring, campaignId, 'A', 1, at(1), at(61));
    const noticeId = first?.noticeId as string;
    await recoverExpiredLeases(opened.store, campaignId, at(70));
    await claimRows(opened.store, keyring, campaignId, 'B', 3, at(71), at(131));
    await recordOutcomes(opened.store, 'A', [
      { kind: 'sent', noticeId, reply: '250 2.0.0 queued as A1', contentHash: 'h', at: at(72) },
    ]);
    expect(await row(noticeId)).toMatchObject({
      state: 'sent',
      sent_at: at(72),
      reply: '250 2.0.0 queued as A1',
      lease_owner: null,
    });
    // B's later failure for the same row does not undo the delivery.
    await recordOutcomes(opened.store, 'B', [
      {
        kind: 'failed',
        noticeId,
        reply: '550 no',
        reason: 'permanent',
        contentHash: 'h',
        at: at(73),
      },
    ]);
    expect(await row(noticeId)).toMatchObject({ state: 'sent' });
    const notice = await opened.store.findNoticeByCode(first?.referenceCode as string);
    expect(notice).toMatchObject({ status: 'sent', sentAt: at(72) });
    // And a sent row is never claimed again.
    expect(await releaseOwnRows(opened.store, campaignId, 'B', at(74))).toBe(2);
    const again = await claimRows(opened.store, keyring, campaignId, 'C', 10, at(75), at(135));
    expect(again.map((r) => r.noticeId)).not.toContain(noticeId);
    expect(again).toHaveLength(2);
  });
});

describe('retention', () => {
  it('purging a closed incident\u2019s people removes its campaign delivery rows and bounces too', async () => {
    const db = campaignDb(opened.store);
    const [claimed] = await claimRows(opened.store, keyring, campaignId, 'A', 1, at(1), at(61));
    await recordOutcomes(opened.store, 'A', [
      {
        kind: 'sent',
        noticeId: claimed?.noticeId as string,
        reply: '250 ok',
        contentHash: 'h',
        at: at(2),
      },
    ]);
    await db
      .insertInto('campaign_bounces')
      .values({
        dedupe_key: 'k',
        campaign_id: campaignId,
        notice_id: claimed?.noticeId as string,
        person_id: claimed?.personId as string,
        received_at: at(3),
        source: 'mbox',
        action: 'failed',
        status: '5.1.1',
        diagnostic: 'unknown user',
      })
      .execute();
    const { incident_id: incidentId } = await db
      .selectFrom('campaigns')
      .select('incident_id')
      .where('id', '=', campaignId)
      .executeTakeFirstOrThrow();
    await opened.store.purgePeople(incidentId, 'retention', at(100));
    expect(await db.selectFrom('campaign_outbox').selectAll().execute()).toEqual([]);
    expect(await db.selectFrom('campaign_bounces').selectAll().execute()).toEqual([]);
    expect(await db.selectFrom('campaigns').select('total').execute()).toEqual([{ total: 3 }]);
  });
});
