import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseBounce, recordBounce } from '../../src/campaign/bounces.js';
import {
  approveCampaign,
  campaignProgress,
  getCampaign,
  startCampaign,
} from '../../src/campaign/campaigns.js';
import { campaignEvidence, unreachableCount, unreachableCsv } from '../../src/campaign/exports.js';
import { campaignDb } from '../../src/campaign/schema.js';
import { createRawSender } from '../../src/campaign/sender.js';
import { runWorker } from '../../src/campaign/worker.js';
import { hashEmail, sealEmail } from '../../src/crypto/email.js';
import { generateKeyring } from '../../src/crypto/keys.js';
import type { OpenedStore } from '../../src/store/open-store.js';
import { sampleDraft } from '../helpers/fixtures.js';
import {
  draftCampaign,
  now,
  openCampaignStore,
  scratchPostgres,
  startReceiver,
} from './helpers.js';

const keyring = generateKeyring();
const later = (s: number) => new Date(Date.parse(now) + s * 1000).toISOString();

/** A DSN (RFC 3464) reporting a permanent failure of our notice `messageId`. */
const failureDsn = (noticeId: string, messageId: string, status: string) =>
  Buffer.from(
    [
      'From: MAILER-DAEMON@mx.example.com',
      `To: bounces+${noticeId}@example.org`,
      'Subject: Undelivered Mail Returned to Sender',
      'MIME-Version: 1.0',
      'Content-Type: multipart/report; report-type=delivery-status; boundary="R"',
      '',
      '--R',
      'Content-Type: message/delivery-status',
      '',
      'Reporting-MTA: dns; mx.example.com',
      '',
      'Action: failed',
      `Status: ${status}`,
      'Diagnostic-Code: smtp; 550 mailbox closed',
      '',
      '--R',
      'Content-Type: text/rfc822-headers',
      '',
      `Message-ID: ${messageId}`,
      '',
      '--R--',
      '',
    ].join('\r\n'),
  );

describe.each(['sqlite', 'postgres'] as const)('fallback to another address (%s)', (kind) => {
  let opened: OpenedStore;
  let drop: (() => Promise<void>) | undefined;
  beforeEach(async () => {
    if (kind === 'sqlite') opened = await openCampaignStore();
    else {
      const scratch = await scratchPostgres();
      drop = scratch.drop;
      opened = await openCampaignStore(scratch.url);
    }
  });
  afterEach(async () => {
    await opened.close();
    await drop?.();
  });

  const email = (address: string) => {
    const sealed = sealEmail(keyring, address);
    return { hash: hashEmail(keyring, address), sealed: sealed.value, keyId: sealed.keyId };
  };

  /**
   * People whose addresses were recorded one import after another, so their order on record is
   * the order given here (the first is the one a campaign starts with).
   */
  const seed = async (people: Record<string, string[]>) => {
    const incident = await opened.store.createIncident(sampleDraft(), 'tester', now);
    const importId = await opened.store.startImport(incident.id, 'tester', now);
    const depth = Math.max(...Object.values(people).map((a) => a.length));
    for (let round = 0; round < Math.max(1, depth); round++) {
      await opened.store.addPeople(
        incident.id,
        importId,
        Object.entries(people).map(([key, addresses]) => ({
          externalKey: key,
          emails: addresses.slice(0, round + 1).map(email),
        })),
        later(round),
      );
    }
    return incident.id;
  };

  const notices = (campaignId: string) =>
    campaignDb(opened.store)
      .selectFrom('campaign_outbox')
      .innerJoin('notices', 'notices.id', 'campaign_outbox.notice_id')
      .innerJoin('people', 'people.id', 'campaign_outbox.person_id')
      .select([
        'campaign_outbox.notice_id',
        'campaign_outbox.state',
        'campaign_outbox.follows',
        'notices.reference_code',
        'notices.message_id',
        'notices.email_hash',
        'people.external_key',
      ])
      .where('campaign_outbox.campaign_id', '=', campaignId)
      .execute();

  it('queues the next address after a 5xx or a DSN failure, once per address, and counts who is left', async () => {
    const incidentId = await seed({
      p1: ['p1@reject.example', 'p1@ok.example'],
      p2: ['p2@reject.example', 'p2@reject2.example', 'p2@ok.example'],
      p3: ['p3@reject.example'],
      p4: ['p4@ok.example', 'p4@later.example'],
      p5: [],
    });
    const campaign = await draftCampaign(opened.store, incidentId);
    await approveCampaign(opened.store, campaign.id, 'cli:bob', now);
    const started = await startCampaign(opened.store, keyring, campaign.id, 'cli:alice', now);
    expect(started).toMatchObject({ total: 4, withoutAddress: 1 });

    const receiver = await startReceiver({
      rcpt: (address) =>
        address.includes('@reject') ? { code: 550, message: '5.1.1 no such user' } : undefined,
    });
    const send = async () => {
      const sender = createRawSender({
        host: '127.0.0.1',
        port: receiver.port,
        from: 'security@example.org',
        ignoreTLS: true,
      });
      try {
        return await runWorker({
          store: opened.store,
          keyring,
          sender,
          campaignId: campaign.id,
          pollMs: 50,
        });
      } finally {
        await sender.close();
      }
    };
    try {
      expect(await send()).toMatchObject({ sent: 3, failed: 4, exit: 'completed' });
      expect(receiver.received.map((m) => m.to).sort()).toEqual([
        'p1@ok.example',
        'p2@ok.example',
        'p4@ok.example',
      ]);
      let rows = await notices(campaign.id);
      const byNotice = new Map(rows.map((r) => [r.notice_id, r]));
      const p2 = rows.filter((r) => r.external_key === 'p2');
      expect(p2.map((r) => r.state).sort()).toEqual(['failed', 'failed', 'sent']);
      // Each fallback names the notice it replaces and has its own code and Message-ID.
      const last = p2.find((r) => r.state === 'sent');
      const middle = byNotice.get(last?.follows as string);
      expect(middle?.email_hash).toBe(hashEmail(keyring, 'p2@reject2.example'));
      expect(byNotice.get(middle?.follows as string)?.follows).toBeNull();
      expect(new Set(rows.map((r) => r.reference_code)).size).toBe(rows.length);
      expect(new Set(rows.map((r) => r.message_id)).size).toBe(rows.length);
      const p1Received = receiver.received.find((m) => m.to === 'p1@ok.example');
      const p1Sent = rows.find((r) => r.external_key === 'p1' && r.state === 'sent');
      expect(p1Received?.messageId).toBe(p1Sent?.message_id);
      expect(p1Received?.text).toContain(p1Sent?.reference_code);
      expect(await unreachableCount(opened.store, campaign.id)).toEqual({
        byEmail: 1,
        withoutAddress: 1,
        total: 2,
      });

      // p4's accepted notice bounces later: the finished campaign reopens for p4's next address.
      const p4 = rows.find((r) => r.external_key === 'p4');
      const dsn = failureDsn(p4?.notice_id as string, p4?.message_id as string, '5.2.1');
      const parsed = await parseBounce(dsn);
      expect(parsed).not.toBeNull();
      if (!parsed) return;
      expect(await recordBounce(opened.store, dsn, parsed, 'mbox', later(10), keyring)).toBe(
        'recorded',
      );
      expect(await recordBounce(opened.store, dsn, parsed, 'mbox', later(11), keyring)).toBe(
        'duplicate',
      );
      expect((await getCampaign(opened.store, campaign.id)).state).toBe('running');
      expect(await send()).toMatchObject({ sent: 1, exit: 'completed' });
      expect(receiver.received.at(-1)?.to).toBe('p4@later.example');
      rows = await notices(campaign.id);
      expect(rows).toHaveLength(8);
      const progress = await campaignProgress(opened.store, campaign.id, new Date(later(20)));
      expect(progress).toMatchObject({ total: 8, sent: 4, failed: 4, bounced: 1, pending: 0 });

      // The second address bounces too: nothing is left to try, and p4 joins the postal list.
      const p4b = rows.find((r) => r.external_key === 'p4' && r.follows !== null);
      const dsn2 = failureDsn(p4b?.notice_id as string, p4b?.message_id as string, '5.1.1');
      const parsed2 = await parseBounce(dsn2);
      if (!parsed2) throw new Error('unparsed DSN');
      await recordBounce(opened.store, dsn2, parsed2, 'mbox', later(30), keyring);
      expect(await notices(campaign.id)).toHaveLength(8);
      expect((await getCampaign(opened.store, campaign.id)).state).toBe('completed');
      expect(await unreachableCount(opened.store, campaign.id)).toEqual({
        byEmail: 2,
        withoutAddress: 1,
        total: 3,
      });
      let csv = '';
      for await (const line of unreachableCsv(opened.store, keyring, campaign.id)) csv += line;
      const addresses = csv
        .trim()
        .split('\n')
        .slice(1)
        .map((l) => l.split(',')[2]);
      expect(addresses.sort()).toEqual([
        '',
        'p3@reject.example',
        'p4@later.example',
        'p4@ok.example',
      ]);

      const evidence = [];
      for await (const e of campaignEvidence(opened.store, campaign.id)) evidence.push(e);
      const follow = evidence.find((e) => e.noticeId === p4b?.notice_id);
      expect(follow).toMatchObject({ follows: p4?.notice_id, state: 'bounced' });
      expect(follow?.referenceCode).not.toBe(p4?.reference_code);
    } finally {
      await receiver.close();
    }
  });
});
