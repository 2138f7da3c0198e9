import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  approveCampaign,
  createCampaign,
  defaultSettings,
  startCampaign,
} from '../../src/campaign/campaigns.js';
import { campaignEvidence } from '../../src/campaign/exports.js';
import { parsePreferredLanguage } from '../../src/campaign/person-language.js';
import { dryRun, previewNotice } from '../../src/campaign/preview.js';
import { campaignDb } from '../../src/campaign/schema.js';
import { createRawSender } from '../../src/campaign/sender.js';
import { runWorker } from '../../src/campaign/worker.js';
import { fixedClock } from '../../src/clock.js';
import { hashEmail } from '../../src/crypto/email.js';
import { generateKeyring } from '../../src/crypto/keys.js';
import { importPeople } from '../../src/people/import.js';
import type { OpenedStore } from '../../src/store/open-store.js';
import { startTestApp } from '../helpers/app.js';
import { bytesOf, sampleDraft } from '../helpers/fixtures.js';
import {
  noticeContent,
  now,
  openCampaignStore,
  scratchPostgres,
  startReceiver,
} from './helpers.js';

const keyring = generateKeyring();
const jaSubject = '【重要】お客様情報に関するお知らせ';
const enSubject = 'Important notice about your account';

describe('preferred language cells', () => {
  it('reads ja/en, locale tags and language names, and nothing else', () => {
    for (const cell of ['ja', 'JA', 'ja-JP', 'ja_JP.UTF-8', 'jpn', 'Japanese', '日本語', ' ja '])
      expect(parsePreferredLanguage(cell), cell).toBe('ja');
    for (const cell of ['en', 'EN', 'en-US', 'en_GB', 'en-Latn-US', 'eng', 'English', '英語'])
      expect(parsePreferredLanguage(cell), cell).toBe('en');
    for (const cell of ['', 'fr', 'fr-FR', 'zh_CN', 'jap', 'e', 'english please', 'ja;en'])
      expect(parsePreferredLanguage(cell), cell).toBeUndefined();
  });
});

describe('people upload through the API', () => {
  it('takes the language column as a mapping option', async () => {
    const t = await startTestApp();
    try {
      const incident = await t.opened.store.createIncident(sampleDraft(), 'tester', now);
      const up = await t.app.inject({
        method: 'POST',
        url: `/api/v1/incidents/${incident.id}/people?email=mail&language=lang`,
        payload: 'mail,lang\nann@example.com,EN\nkenji@example.jp,ja-JP\nx@example.net,??\n',
        headers: { authorization: `Bearer ${t.adminToken}`, 'content-type': 'text/csv' },
      });
      expect(up.statusCode).toBe(200);
      expect(up.json()).toMatchObject({ rowsImported: 3, languagesUnrecognised: 1 });
      const kenji = await t.opened.store.findPersonByEmailHash(
        hashEmail(t.keyring, 'kenji@example.jp'),
      );
      const row = await campaignDb(t.opened.store)
        .selectFrom('people')
        .select('language')
        .where('id', '=', kenji as string)
        .executeTakeFirst();
      expect(row?.language).toBe('ja');
    } finally {
      await t.close();
    }
  });
});

describe.each(['sqlite', 'postgres'] as const)('per-person notice language (%s)', (kind) => {
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

  const importWithLanguages = async () => {
    const { store } = opened;
    const incident = await store.createIncident(sampleDraft(), 'tester', now);
    const csv = [
      'mail,lang',
      'hanako@example.jp,ja-JP',
      'alice@example.com,en_US',
      'pierre@example.fr,fr',
      'nolang@example.net,',
    ].join('\n');
    const result = await importPeople(store, bytesOf(csv), {
      incidentId: incident.id,
      actor: 'tester',
      format: 'csv',
      keyring,
      clock: fixedClock(now),
      mapping: { email: ['mail'], language: 'lang' },
    });
    return { incidentId: incident.id, result };
  };

  const personId = async (address: string) =>
    (await opened.store.findPersonByEmailHash(hashEmail(keyring, address))) as string;

  it('stores the language with the person at import and counts unrecognised cells', async () => {
    const { result } = await importWithLanguages();
    expect(result).toMatchObject({ rowsImported: 4, rowsRejected: 0, languagesUnrecognised: 2 });
    const languages = await campaignDb(opened.store)
      .selectFrom('people')
      .select(['id', 'language'])
      .execute();
    const byId = new Map(languages.map((p) => [p.id, p.language]));
    expect(byId.get(await personId('hanako@example.jp'))).toBe('ja');
    expect(byId.get(await personId('alice@example.com'))).toBe('en');
    expect(byId.get(await personId('pierre@example.fr'))).toBeNull();
    expect(byId.get(await personId('nolang@example.net'))).toBeNull();
  });

  it('sends each person their language in auto mode, the default otherwise, and says so in the evidence', async () => {
    const { incidentId } = await importWithLanguages();
    const campaign = await createCampaign(
      opened.store,
      {
        incidentId,
        name: 'auto',
        language: 'auto',
        template: noticeContent(),
        settings: { ...defaultSettings('security@example.org'), rate: 1000, defaultLanguage: 'en' },
      },
      'cli:alice',
      now,
    );
    const preview = await previewNotice(
      opened.store,
      keyring,
      campaign,
      { email: 'hanako@example.jp' },
      'cli:alice',
      now,
    );
    expect(preview).toMatchObject({ language: 'ja', subject: jaSubject });
    const dry = await dryRun(opened.store, keyring, campaign);
    expect(dry).toMatchObject({ people: 4, rendered: 4 });

    await approveCampaign(opened.store, campaign.id, 'cli:bob', now);
    await startCampaign(opened.store, keyring, campaign.id, 'cli:alice', now);
    const receiver = await startReceiver();
    const sender = createRawSender({
      host: '127.0.0.1',
      port: receiver.port,
      from: 'security@example.org',
      ignoreTLS: true,
    });
    try {
      const stats = await runWorker({
        store: opened.store,
        keyring,
        sender,
        campaignId: campaign.id,
        pollMs: 50,
      });
      expect(stats).toMatchObject({ sent: 4, exit: 'completed' });
    } finally {
      await sender.close();
      await receiver.close();
    }
    const subjects = new Map(receiver.received.map((m) => [m.to, m]));
    expect(subjects.get('hanako@example.jp')?.subject).toBe(jaSubject);
    expect(subjects.get('hanako@example.jp')?.text).toContain('お客様の参照番号');
    expect(subjects.get('hanako@example.jp')?.text).not.toContain('Your reference code');
    for (const address of ['alice@example.com', 'pierre@example.fr', 'nolang@example.net']) {
      expect(subjects.get(address)?.subject, address).toBe(enSubject);
      expect(subjects.get(address)?.text).not.toContain('お客様の参照番号');
    }

    const evidence = [];
    for await (const e of campaignEvidence(opened.store, campaign.id)) evidence.push(e);
    const language = new Map(evidence.map((e) => [e.personId, e.language]));
    expect(language.get(await personId('hanako@example.jp'))).toBe('ja');
    expect(language.get(await personId('alice@example.com'))).toBe('en');
    expect(language.get(await personId('pierre@example.fr'))).toBe('en');
    expect(language.get(await personId('nolang@example.net'))).toBe('en');
    const started = (await opened.store.timeline(incidentId)).find(
      (e) => e.action === 'campaign.started',
    );
    expect(started?.details).toMatchObject({ languages: { ja: 1, en: 3 } });
  });

  it('needs both texts for auto mode, and a fixed-language campaign ignores preferences', async () => {
    const { incidentId } = await importWithLanguages();
    const enOnly = { ...noticeContent(), texts: { en: noticeContent().texts.en } };
    const settings = defaultSettings('security@example.org');
    await expect(
      createCampaign(
        opened.store,
        { incidentId, name: 'x', language: 'auto', template: enOnly, settings },
        'cli:alice',
        now,
      ),
    ).rejects.toMatchObject({ code: 'LW_VALIDATION', message: /texts\.ja: required/ });
    const fixed = await createCampaign(
      opened.store,
      { incidentId, name: 'en', language: 'en', template: enOnly, settings },
      'cli:alice',
      now,
    );
    await approveCampaign(opened.store, fixed.id, 'cli:bob', now);
    await startCampaign(opened.store, keyring, fixed.id, 'cli:alice', now);
    const languages = await campaignDb(opened.store)
      .selectFrom('notices')
      .select('language')
      .where('campaign_id', '=', fixed.id)
      .execute();
    expect(languages.map((n) => n.language)).toEqual(['en', 'en', 'en', 'en']);
  });
});
