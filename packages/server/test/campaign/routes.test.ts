import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/app.js';
import { campaignExtension } from '../../src/campaign/extension.js';
import { fixedClock } from '../../src/clock.js';
import { generateKeyring } from '../../src/crypto/keys.js';
import { createLogger, memorySink } from '../../src/logger.js';
import type { Mailer } from '../../src/mail/mailer.js';
import type { OpenedStore } from '../../src/store/open-store.js';
import { createApiToken } from '../../src/tokens.js';
import { draftCampaign, now, openCampaignStore, seedIncident } from './helpers.js';

const keyring = generateKeyring();
const mailer: Mailer = {
  from: 'security@example.org',
  send: async () => {
    throw new Error('no mail in these tests');
  },
  close: async () => undefined,
};
let opened: OpenedStore;
let app: FastifyInstance;
let admin: string;
let viewer: string;
let campaignId: string;

beforeEach(async () => {
  opened = await openCampaignStore();
  app = buildApp({
    store: opened.store,
    mailer,
    clock: fixedClock(now),
    logger: createLogger(memorySink(), 'info'),
    keyring,
    extensions: [campaignExtension],
  });
  await app.ready();
  admin = (await createApiToken(opened.store, 'admin-1', 'admin', now)).token;
  viewer = (await createApiToken(opened.store, 'viewer-1', 'viewer', now)).token;
  const incidentId = await seedIncident(opened.store, keyring, ['a@example.com', 'b@example.com']);
  campaignId = (await draftCampaign(opened.store, incidentId)).id;
});
afterEach(async () => {
  await app.close();
  await opened.close();
});

const as = (token: string) => ({ authorization: `Bearer ${token}` });

describe('campaign operator routes', () => {
  it('requires a token, lets viewers read and only admins act', async () => {
    expect((await app.inject({ url: `/api/v1/campaigns/${campaignId}` })).json()).toMatchObject({
      error: { code: 'LW_UNAUTHENTICATED' },
    });
    const read = await app.inject({ url: `/api/v1/campaigns/${campaignId}`, headers: as(viewer) });
    expect(read.statusCode).toBe(200);
    expect(read.json()).toMatchObject({
      id: campaignId,
      state: 'draft',
      progress: { total: 0, pending: 0 },
    });
    const refused = await app.inject({
      method: 'POST',
      url: `/api/v1/campaigns/${campaignId}/approve`,
      headers: as(viewer),
    });
    expect(refused.statusCode).toBe(403);
    const approved = await app.inject({
      method: 'POST',
      url: `/api/v1/campaigns/${campaignId}/approve`,
      headers: as(admin),
    });
    expect(approved.json()).toMatchObject({ state: 'approved', approvedBy: 'token:admin-1' });
    const again = await app.inject({
      method: 'POST',
      url: `/api/v1/campaigns/${campaignId}/approve`,
      headers: as(admin),
    });
    expect(again.json()).toMatchObject({ error: { code: 'LW_INVALID_TRANSITION' } });
    expect(
      (
        await app.inject({
          method: 'POST',
          url: `/api/v1/campaigns/${campaignId}/explode`,
          headers: as(admin),
        })
      ).statusCode,
    ).toBe(404);
    const list = await app.inject({ url: `/api/v1/campaigns`, headers: as(viewer) });
    expect(list.json().campaigns).toHaveLength(1);
    expect(JSON.stringify(list.json())).not.toContain('texts');
  });

  it('serves a progress page that works without JavaScript and escapes the campaign name', async () => {
    await opened.store.db
      .updateTable('campaigns' as never)
      .set({ name: '<b>Notice</b>' } as never)
      .execute();
    const page = await app.inject({
      url: `/operator/campaigns/${campaignId}`,
      headers: as(viewer),
    });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toContain('text/html');
    expect(page.body).toContain('<h1>Campaign: &lt;b&gt;Notice&lt;/b&gt;</h1>');
    expect(page.body).toContain('<progress id="done" max="100" value="0">');
    expect(page.body).not.toContain('<script');
    expect((await app.inject({ url: `/operator/campaigns/${campaignId}` })).statusCode).toBe(401);
  });
});
