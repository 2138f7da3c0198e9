import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { approveCampaign, campaignProgress, startCampaign } from '../../src/campaign/campaigns.js';
import { generateKeyring, serializeKeyring } from '../../src/crypto/keys.js';
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

/**
 * Crash tests: real worker processes are SIGKILLed mid-campaign and restarted; then we count on
 * the receiving SMTP server. Every person must have their notice, each person's copies must carry
 * one Message-ID, and extra copies must stay within kills × batch size (the documented window).
 */
const serverDir = join(import.meta.dirname, '..', '..');
const keyring = generateKeyring();
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const spawnWorker = (
  database: string,
  campaignId: string,
  port: number,
  extra: string[] = [],
): ChildProcess => {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      'test/campaign/worker-process.ts',
      'campaign',
      'work',
      campaignId,
      '--database',
      database,
      '--smtp',
      `smtp://127.0.0.1:${port}?tls=off`,
      '--connections',
      '4',
      '--batch',
      String(batch),
      '--in-flight',
      '10',
      '--lease-ms',
      '3000',
      '--poll-ms',
      '100',
      '--flush-ms',
      '10',
      ...extra,
    ],
    {
      cwd: serverDir,
      env: { ...process.env, LEAKWATCH_KEYS: serializeKeyring(keyring) },
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  cleanups.push(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  Object.assign(child, { stderrText: () => stderr });
  return child;
};

const batch = 40;

const exited = (child: ChildProcess): Promise<number | null> =>
  new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve(child.exitCode);
    else child.once('exit', (code) => resolve(code));
  });

const until = async (condition: () => boolean, timeoutMs = 30_000): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 5));
  }
};

const seed = async (opened: OpenedStore, people: number, rate: number) => {
  const addresses = Array.from({ length: people }, (_, i) => `p${i}@d${i % 7}.example`);
  const incidentId = await seedIncident(opened.store, keyring, addresses);
  const campaign = await draftCampaign(opened.store, incidentId, {
    rate,
    domainRate: 10_000,
    domainConcurrency: 20,
  });
  await approveCampaign(opened.store, campaign.id, 'cli:bob', now);
  await startCampaign(opened.store, keyring, campaign.id, 'cli:alice', now);
  return { addresses, campaignId: campaign.id };
};

const audit = (addresses: string[], received: ReceivedMessage[], kills: number) => {
  const byPerson = new Map<string, ReceivedMessage[]>();
  for (const m of received) byPerson.set(m.to, [...(byPerson.get(m.to) ?? []), m]);
  const missing = addresses.filter((a) => !byPerson.has(a));
  const twoIds = [...byPerson].filter(
    ([, copies]) => new Set(copies.map((c) => c.messageId)).size !== 1,
  );
  const extra = received.length - byPerson.size;
  expect(missing).toEqual([]);
  expect(twoIds).toEqual([]);
  // A resent copy is the same message, byte for byte (fixed Date, boundary from the Message-ID).
  const differing = [...byPerson].filter(
    ([, copies]) => new Set(copies.map((c) => c.raw)).size !== 1,
  );
  expect(differing).toEqual([]);
  expect(extra).toBeLessThanOrEqual(kills * batch);
  return extra;
};

describe('crash safety (worker processes killed with SIGKILL)', () => {
  it('SQLite: two kills mid-campaign, restart, and nobody is lost or gets two Message-IDs', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lw-crash-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const database = join(dir, 'leakwatch.sqlite');
    const opened = await openCampaignStore(database);
    cleanups.push(() => opened.close());
    const receiver = await startReceiver({ delayMs: 2 });
    cleanups.push(() => receiver.close());
    const people = 600;
    const { addresses, campaignId } = await seed(opened, people, 5_000);

    let kills = 0;
    for (const killAt of [150, 350]) {
      const worker = spawnWorker(database, campaignId, receiver.port);
      await until(() => receiver.received.length >= killAt || worker.exitCode !== null);
      expect(worker.exitCode).toBeNull();
      worker.kill('SIGKILL');
      await exited(worker);
      kills++;
    }
    const last = spawnWorker(database, campaignId, receiver.port);
    expect(await exited(last)).toBe(0);

    audit(addresses, receiver.received, kills);
    const progress = await campaignProgress(opened.store, campaignId, new Date());
    expect(progress).toMatchObject({
      state: 'completed',
      sent: people,
      failed: 0,
      pending: 0,
      sending: 0,
    });
  });

  it('PostgreSQL: three workers share one campaign and one rate; one is killed; nothing is lost', async () => {
    const pgDb = await scratchPostgres();
    cleanups.push(() => pgDb.drop());
    const opened = await openCampaignStore(pgDb.url);
    cleanups.push(() => opened.close());
    const receiver = await startReceiver({ delayMs: 1 });
    cleanups.push(() => receiver.close());
    const people = 900;
    const rate = 600;
    const { addresses, campaignId } = await seed(opened, people, rate);

    const workers = [0, 1, 2].map((i) =>
      spawnWorker(pgDb.url, campaignId, receiver.port, ['--worker-id', `w${i}`]),
    );
    const started = Date.now();
    await until(() => receiver.received.length >= 300);
    workers[0]?.kill('SIGKILL');
    const codes = await Promise.all(workers.map(exited));
    const seconds = (Date.now() - started) / 1000;
    expect(codes.slice(1)).toEqual([0, 0]);

    audit(addresses, receiver.received, 1);
    // One token bucket for all workers: the campaign cannot outrun its rate (plus one burst).
    expect(receiver.received.length).toBeLessThanOrEqual(rate * seconds + rate);
    const senders = new Set(
      (
        await opened.store.db
          .selectFrom('notices')
          .select('status')
          .where('campaign_id', '=', campaignId)
          .execute()
      ).map((r) => r.status),
    );
    expect([...senders]).toEqual(['sent']);
    const progress = await campaignProgress(opened.store, campaignId, new Date());
    expect(progress).toMatchObject({ state: 'completed', sent: people, pending: 0, sending: 0 });
  });
});
