import { createConnection } from 'node:net';
import nodemailer from 'nodemailer';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  parseBounce,
  importMbox,
  startBounceListener,
  splitMbox,
} from '../../src/campaign/bounces.js';
import { approveCampaign, campaignProgress, startCampaign } from '../../src/campaign/campaigns.js';
import { campaignEvidence, unreachableCsv } from '../../src/campaign/exports.js';
import { campaignDb } from '../../src/campaign/schema.js';
import { verpAddress } from '../../src/campaign/verp.js';
import { createRawSender } from '../../src/campaign/sender.js';
import { runWorker } from '../../src/campaign/worker.js';
import { generateKeyring } from '../../src/crypto/keys.js';
import type { OpenedStore } from '../../src/store/open-store.js';
import { draftCampaign, now, openCampaignStore, seedIncident, startReceiver } from './helpers.js';

const keyring = generateKeyring();
let opened: OpenedStore;
beforeEach(async () => {
  opened = await openCampaignStore();
});
afterEach(async () => opened.close());

/** An RFC 3464 delivery status notification as a receiving MTA would return it. */
const dsn = (opts: {
  to: string;
  noticeId: string;
  messageId: string;
  action: string;
  status: string;
  diagnostic: string;
}) =>
  [
    'From: MAILER-DAEMON@mx.example.com',
    `To: ${opts.to}`,
    'Subject: Undelivered Mail Returned to Sender',
    'Message-ID: <dsn-' + opts.noticeId + '-' + opts.status + '@mx.example.com>',
    'MIME-Version: 1.0',
    'Content-Type: multipart/report; report-type=delivery-status; boundary="B"',
    '',
    '--B',
    'Content-Type: text/plain; charset=us-ascii',
    '',
    'This is the mail system. Your message could not be delivered.',
    '',
    '--B',
    'Content-Type: message/delivery-status',
    '',
    'Reporting-MTA: dns; mx.example.com',
    '',
    'Final-Recipient: rfc822; someone@example.com',
    `Action: ${opts.action}`,
    `Status: ${opts.status}`,
    `Diagnostic-Code: smtp; ${opts.diagnostic}`,
    '',
    '--B',
    'Content-Type: text/rfc822-headers',
    '',
    'From: security@example.org',
    `Message-ID: ${opts.messageId}`,
    'Subject: Important notice about your account',
    '',
    '--B--',
    '',
  ].join('\r\n');

const sentCampaign = async (n: number) => {
  const receiver = await startReceiver();
  const addresses = Array.from({ length: n }, (_, i) => `user${i}@example.com`);
  const incidentId = await seedIncident(opened.store, keyring, addresses);
  const campaign = await draftCampaign(opened.store, incidentId);
  await approveCampaign(opened.store, campaign.id, 'cli:bob', now);
  await startCampaign(opened.store, keyring, campaign.id, 'cli:alice', now);
  const sender = createRawSender({
    host: '127.0.0.1',
    port: receiver.port,
    from: 'security@example.org',
    ignoreTLS: true,
  });
  await runWorker({ store: opened.store, keyring, sender, campaignId: campaign.id, pollMs: 20 });
  await sender.close();
  await receiver.close();
  const rows = await campaignDb(opened.store)
    .selectFrom('campaign_outbox')
    .innerJoin('notices', 'notices.id', 'campaign_outbox.notice_id')
    .select([
      'campaign_outbox.notice_id',
      'campaign_outbox.person_id',
      'notices.message_id',
      'notices.reference_code',
    ])
    .where('campaign_outbox.campaign_id', '=', campaign.id)
    .orderBy('notice_id')
    .execute();
  return { campaignId: campaign.id, rows };
};

describe('bounces', () => {
  it('parses a DSN and finds its notice by VERP address or by the quoted Message-ID', async () => {
    const noticeId = '0b9c6a8e-5d7f-4c1e-9a2b-3c4d5e6f7a8b';
    const raw = Buffer.from(
      dsn({
        to: verpAddress('bounces@example.org', noticeId),
        noticeId,
        messageId: '<x@y>',
        action: 'failed',
        status: '5.1.1',
        diagnostic: '550 5.1.1 User unknown',
      }),
    );
    expect(await parseBounce(raw)).toEqual({
      noticeId,
      action: 'failed',
      status: '5.1.1',
      diagnostic: 'smtp; 550 5.1.1 User unknown',
    });
    const byMessageId = Buffer.from(
      dsn({
        to: 'postmaster@example.org',
        noticeId: 'n',
        messageId: `<${noticeId}@example.org>`,
        action: 'delayed',
        status: '4.4.1',
        diagnostic: 'connection timed out',
      }),
    );
    expect(await parseBounce(byMessageId)).toMatchObject({
      noticeId,
      action: 'delayed',
      status: '4.4.1',
    });
    expect(
      await parseBounce(Buffer.from('From: a@b.example\r\nSubject: hello\r\n\r\nnot a bounce\r\n')),
    ).toBeNull();
  });

  it('receives DSNs on the built-in SMTP listener, marks the notice bounced and counts the person unreachable', async () => {
    const { campaignId, rows } = await sentCampaign(3);
    const listener = await startBounceListener(opened.store, { now: () => now });
    try {
      const target = rows[0] as (typeof rows)[number];
      const transport = nodemailer.createTransport({
        host: '127.0.0.1',
        port: listener.port,
        ignoreTLS: true,
      });
      const bounceTo = verpAddress('bounces@example.org', target.notice_id);
      await transport.sendMail({
        envelope: { from: '', to: bounceTo },
        raw: dsn({
          to: bounceTo,
          noticeId: target.notice_id,
          messageId: target.message_id ?? '',
          action: 'failed',
          status: '5.1.1',
          diagnostic: '550 5.1.1 User unknown',
        }),
      });
      // Mail for anything but a VERP address is refused at RCPT.
      await expect(
        transport.sendMail({
          envelope: { from: '', to: 'someone@example.org' },
          raw: 'Subject: x\r\n\r\nx\r\n',
        }),
      ).rejects.toMatchObject({
        responseCode: 550,
      });
      transport.close();

      const progress = await campaignProgress(opened.store, campaignId, new Date(now));
      expect(progress).toMatchObject({ sent: 3, bounced: 1, failed: 0 });
      const notices = await opened.store.noticesOfPerson(target.person_id);
      expect(notices[0]?.status).toBe('bounced');
      const evidence = [];
      for await (const e of campaignEvidence(opened.store, campaignId, target.person_id))
        evidence.push(e);
      expect(evidence).toMatchObject([
        {
          state: 'bounced',
          referenceCode: target.reference_code,
          bounces: [{ action: 'failed', status: '5.1.1', receivedAt: now }],
        },
      ]);
      let csv = '';
      for await (const line of unreachableCsv(opened.store, keyring, campaignId)) csv += line;
      expect(csv.split('\n').filter(Boolean)).toEqual([
        'person_id,customer_key_hash,email,reference_code,reason,last_reply',
        expect.stringMatching(
          new RegExp(
            `^${target.person_id},,user\\d@example.com,${target.reference_code},bounce 5.1.1,250 `,
          ),
        ),
      ]);
    } finally {
      await listener.close();
    }
  });

  it('imports an mbox of bounces idempotently, and ignores mail that is not about our notices', async () => {
    const { campaignId, rows } = await sentCampaign(4);
    const [a, b] = rows as [(typeof rows)[number], (typeof rows)[number]];
    const mbox = [
      'From MAILER-DAEMON Wed Nov 25 21:00:00 2026',
      dsn({
        to: verpAddress('bounces@example.org', a.notice_id),
        noticeId: a.notice_id,
        messageId: a.message_id ?? '',
        action: 'failed',
        status: '5.2.2',
        diagnostic: '552 mailbox full',
      }),
      'From MAILER-DAEMON Wed Nov 25 21:01:00 2026',
      dsn({
        to: 'bounces@example.org',
        noticeId: b.notice_id,
        messageId: b.message_id ?? '',
        action: 'delayed',
        status: '4.4.7',
        diagnostic: 'retrying',
      }),
      'From someone@example.net Wed Nov 25 21:02:00 2026',
      'From: someone@example.net\r\nSubject: out of office\r\n\r\n>From the beach.\r\n',
    ].join('\n');
    expect([...splitMbox(Buffer.from(mbox))].map((m) => m.toString('latin1')).at(-1)).toContain(
      '\nFrom the beach.',
    );
    expect(await importMbox(opened.store, Buffer.from(mbox), now)).toEqual({
      messages: 3,
      recorded: 2,
      duplicate: 0,
      unmatched: 1,
    });
    expect(await importMbox(opened.store, Buffer.from(mbox), now)).toEqual({
      messages: 3,
      recorded: 0,
      duplicate: 2,
      unmatched: 1,
    });
    // A delay is recorded with the person but does not make them unreachable.
    expect(await campaignProgress(opened.store, campaignId, new Date(now))).toMatchObject({
      sent: 4,
      bounced: 1,
    });
    const bounces = await campaignDb(opened.store)
      .selectFrom('campaign_bounces')
      .selectAll()
      .orderBy('seq')
      .execute();
    expect(bounces.map((x) => [x.person_id, x.action, x.status, x.source])).toEqual([
      [a.person_id, 'failed', '5.2.2', 'mbox'],
      [b.person_id, 'delayed', '4.4.7', 'mbox'],
    ]);
  });

  it('refuses an oversized message and records nothing', async () => {
    const listener = await startBounceListener(opened.store, { maxSize: 1000 });
    try {
      const transport = nodemailer.createTransport({
        host: '127.0.0.1',
        port: listener.port,
        ignoreTLS: true,
      });
      const to = verpAddress('bounces@example.org', '0b9c6a8e-5d7f-4c1e-9a2b-3c4d5e6f7a8b');
      await expect(
        transport.sendMail({
          envelope: { from: '', to },
          raw: `Subject: big\r\n\r\n${'x'.repeat(5000)}\r\n`,
        }),
      ).rejects.toMatchObject({ responseCode: 552 });
      transport.close();
      expect(
        await campaignDb(opened.store).selectFrom('campaign_bounces').selectAll().execute(),
      ).toEqual([]);
    } finally {
      await listener.close();
    }
  });

  it('survives a client that resets the connection', async () => {
    const listener = await startBounceListener(opened.store);
    try {
      await new Promise<void>((resolve) => {
        const socket = createConnection(listener.port, '127.0.0.1', () => socket.resetAndDestroy());
        socket.on('close', () => resolve());
        socket.on('error', () => undefined);
      });
      const transport = nodemailer.createTransport({
        host: '127.0.0.1',
        port: listener.port,
        ignoreTLS: true,
      });
      await expect(transport.verify()).resolves.toBe(true);
      transport.close();
    } finally {
      await listener.close();
    }
  });
});
