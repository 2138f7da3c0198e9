import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import type { ServerExtension } from '../src/extensions.js';
import { extensionMigrations } from '../src/extensions.js';
import { openStore, type OpenedStore } from '../src/store/open-store.js';
import { startTestApp, type TestApp } from './helpers/app.js';

/** The contract the campaign module builds on: its migrations run after the core's, its routes mount. */
const campaignLike: ServerExtension = {
  name: 'campaign-like',
  migrations: {
    '0100-campaign-like': {
      up: async (db) => {
        await db.schema
          .createTable('campaign_like')
          .addColumn('incident_id', 'text', (c) => c.notNull().references('incidents.id'))
          .execute();
      },
    },
  },
  routes: (app, ctx) => {
    app.get('/api/v1/campaign-like', async () => ({
      incidents: (await ctx.store.listIncidents()).length,
    }));
  },
};

let opened: OpenedStore | undefined;
let t: TestApp | undefined;
afterEach(async () => {
  await opened?.close();
  await t?.close();
});

describe('server extensions', () => {
  it('apply their migrations after the core schema and mount their routes', async () => {
    opened = await openStore(':memory:', { migrations: extensionMigrations([campaignLike]) });
    const rows = await sql<{
      name: string;
    }>`select name from leakwatch_migrations order by name`.execute(opened.store.db);
    const names = rows.rows.map((r) => r.name);
    expect(names[0]).toBe('0001-core');
    // Name order: after the core's 00xx, among the campaign range's 01xx.
    expect(names.indexOf('0100-campaign-like')).toBeGreaterThan(names.indexOf('0001-core'));

    t = await startTestApp({ extensions: [campaignLike] });
    const res = await t.app.inject({ method: 'GET', url: '/api/v1/campaign-like' });
    expect(res.json()).toEqual({ incidents: 0 });
  });
});
