import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { approveCampaign, startCampaign } from '../../src/campaign/campaigns.js';
import { createRawSender } from '../../src/campaign/sender.js';
import { runWorker } from '../../src/campaign/worker.js';
import { generateKeyring } from '../../src/crypto/keys.js';
import type { OpenedStore } from '../../src/store/open-store.js';
import {
  draftCampaign,
  now,
  openCampaignStore,
  scratchPostgres,
  seedIncident,
  startReceiver,
  type ReceivedMessage,
} from './helpers.js';

const keyring = generateKeyring();
const domainRate = 20;

const addresses = (n: number, domain: string) =>
  Array.from({ length: n }, (_, i) => `user${i}@${domain}`);

/**
 * Messages per second to `domain` as the receiving server saw them, after the bucket's initial
 * burst (one second's worth, sent at once): (count − burst) / (last − first).
 */
const steadyRate = (received: ReceivedMessage[], domain: string): number => {
  const times = received
    .filter((m) => m.to.endsWith(`@${domain}`))
    .map((m) => m.receivedAt)
    .sort((a, b) => a - b);
  const span = ((times.at(-1) ?? 0) - (times[0] ?? 0)) / 1000;
  return (times.length - domainRate) / span;
};

describe('per-domain rate with two workers on PostgreSQL', () => {
  let stores: OpenedStore[] = [];
  let drop: () => Promise<void>;
  let url: string;
  beforeEach(async () => {
    const scratch = await scratchPostgres();
    drop = scratch.drop;
    url = scratch.url;
    stores = [await openCampaignStore(url), await openCampaignStore(url)];
  });
  afterEach(async () => {
    for (const s of stores) await s.close();
    await drop();
  });

  const runTwoWorkers = async (sharedDomainRate: boolean | undefined) => {
    const [first] = stores as [OpenedStore, OpenedStore];
    const incidentId = await seedIncident(first.store, keyring, [
      ...addresses(80, 'example.com'),
      ...addresses(20, 'example.net'),
    ]);
    const campaign = await draftCampaign(first.store, incidentId, {
      rate: 10_000,
      domainRate,
      domainConcurrency: 10,
    });
    await approveCampaign(first.store, campaign.id, 'cli:bob', now);
    await startCampaign(first.store, keyring, campaign.id, 'cli:alice', now);
    const receiver = await startReceiver();
    try {
      const results = await Promise.all(
        stores.map(async (opened, i) => {
          const sender = createRawSender({
            host: '127.0.0.1',
            port: receiver.port,
            from: 'security@example.org',
            ignoreTLS: true,
            maxConnections: 4,
          });
          try {
            return await runWorker({
              store: opened.store,
              keyring,
              sender,
              campaignId: campaign.id,
              owner: `worker-${i}`,
              // Small batches, so both workers hold rows of the one big domain at once.
              batchSize: 20,
              maxInFlight: 10,
              pollMs: 50,
              ...(sharedDomainRate !== undefined && { sharedDomainRate }),
            });
          } finally {
            await sender.close();
          }
        }),
      );
      return { results, received: [...receiver.received] };
    } finally {
      await receiver.close();
    }
  };

  it('holds the combined rate per domain to the setting, measured on the receiving side', async () => {
    const { results, received } = await runTwoWorkers(undefined);
    expect(received).toHaveLength(100);
    expect(new Set(received.map((m) => m.to)).size).toBe(100);
    // Both workers took part; otherwise this would only measure one worker.
    for (const r of results) expect(r.sent).toBeGreaterThan(10);
    expect(results.reduce((n, r) => n + r.sent, 0)).toBe(100);
    const rate = steadyRate(received, 'example.com');
    expect(rate).toBeLessThanOrEqual(domainRate * 1.25);
    // Not starved either: the bucket is drawn down about as fast as it refills.
    expect(rate).toBeGreaterThan(domainRate * 0.5);
  });

  it('(control) per-worker limits let two workers exceed the setting', async () => {
    const { received } = await runTwoWorkers(false);
    expect(received).toHaveLength(100);
    expect(steadyRate(received, 'example.com')).toBeGreaterThan(domainRate * 1.5);
  });
});
