import { spawn, type ChildProcess } from 'node:child_process';
import { createReadStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import {
  approveCampaign,
  campaignProgress,
  createCampaign,
  defaultSettings,
  startCampaign,
} from '../src/campaign/campaigns.js';
import { systemClock } from '../src/clock.js';
import { generateKeyring, serializeKeyring } from '../src/crypto/keys.js';
import { importPeople } from '../src/people/import.js';
import { openStore } from '../src/store/open-store.js';
import { syntheticCsv } from './bench-support.js';

/**
 * The campaign benchmark (run by hand, never in the test suite): N notices (default 300,000) from
 * a fresh SQLite file to a loopback SMTP sink in another process, with the worker SIGKILLed twice
 * along the way and restarted. Prints messages/s, total time and the audit from the receiving
 * side: people missing, people with two distinct Message-IDs, extra copies.
 *   npx tsx packages/server/bench/campaign.ts [--people 300000] [--kills 2] [--batch 500]
 */
const flag = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const people = flag('people', 300_000);
const kills = flag('kills', 2);
const batch = flag('batch', 500);
const inFlight = flag('in-flight', 64);
const connections = flag('connections', 8);
const serverDir = join(import.meta.dirname, '..');
const dir = mkdtempSync(join(tmpdir(), 'lw-campaign-bench-'));
const database = join(dir, 'bench.sqlite');
const sinkFile = join(dir, 'received.tsv');
const keyring = generateKeyring();
const now = () => new Date().toISOString();
const t0 = Date.now();

const opened = await openStore(database);
const store = opened.store;
const incident = await store.createIncident(
  {
    fingerprint: `bench:${Date.now()}`,
    ruleId: 'bench',
    provider: 'bench',
    description: 'campaign benchmark',
    severity: 'low',
    redacted: '',
    source: 'manual',
    discoveredAt: now(),
    exposureFrom: null,
    exposureUntil: null,
    details: {},
  },
  'bench',
  now(),
);
await importPeople(store, syntheticCsv(people), {
  incidentId: incident.id,
  actor: 'bench',
  format: 'csv',
  keyring,
  clock: systemClock,
  mapping: { email: ['email'], id: 'customer_no' },
});
const tSeeded = Date.now();
const text = {
  subject: 'Important notice about your account',
  whatHappened: 'An access key for our customer database was published by mistake.',
  dataInvolved: 'Your email address and order history.',
  when: 'From 1 December 2017 to 25 November 2026.',
  whatWeAreDoing: 'We revoked the key and reviewed every access made with it.',
  whatYouCanDo: 'Be careful with messages that claim to come from us.',
  contact: 'Contact centre 0120-000-000, weekdays 9:00-17:00.',
};
const campaign = await createCampaign(
  store,
  {
    incidentId: incident.id,
    name: 'bench',
    language: 'en',
    template: { organisation: 'Example Corp', officialSite: 'example.org', texts: { en: text } },
    settings: {
      ...defaultSettings('security@example.org'),
      rate: 100_000,
      domainRate: 100_000,
      domainConcurrency: 64,
    },
  },
  'bench:alice',
  now(),
);
await approveCampaign(store, campaign.id, 'bench:bob', now());
const started = await startCampaign(store, keyring, campaign.id, 'bench:alice', now());
const tStarted = Date.now();

const sink = spawn(process.execPath, ['--import', 'tsx', 'bench/campaign-sink.ts', sinkFile], {
  cwd: serverDir,
  stdio: ['ignore', 'pipe', 'inherit'],
});
let received = 0;
const port = await new Promise<number>((resolve, reject) => {
  sink.once('exit', (code) => reject(new Error(`the SMTP sink exited early (${code})`)));
  createInterface({ input: sink.stdout }).on('line', (line) => {
    const [what, value] = line.split(' ');
    if (what === 'port') resolve(Number(value));
    else received = Number(value);
  });
});

const worker = (): ChildProcess =>
  spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      'test/campaign/worker-process.ts',
      'campaign',
      'work',
      campaign.id,
      '--database',
      database,
      '--smtp',
      `smtp://127.0.0.1:${port}?tls=off`,
      '--connections',
      String(connections),
      '--batch',
      String(batch),
      '--in-flight',
      String(inFlight),
    ],
    {
      cwd: serverDir,
      env: { ...process.env, LEAKWATCH_KEYS: serializeKeyring(keyring) },
      stdio: ['ignore', 'ignore', 'ignore'],
    },
  );
const exited = (child: ChildProcess) =>
  new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

const tSend = Date.now();
for (let k = 1; k <= kills; k++) {
  const child = worker();
  const killAt = Math.floor((people * k) / (kills + 1));
  while (received < killAt && child.exitCode === null) await new Promise((r) => setTimeout(r, 20));
  child.kill('SIGKILL');
  await exited(child);
  process.stderr.write(`killed the worker at ${received} received\n`);
}
const last = worker();
const code = await exited(last);
const tDone = Date.now();
sink.kill('SIGTERM');
await exited(sink);

const byPerson = new Map<string, string>();
let copies = 0;
let twoIds = 0;
for await (const line of createInterface({ input: createReadStream(sinkFile) })) {
  const [to, id] = line.split('\t') as [string, string];
  copies++;
  const seen = byPerson.get(to);
  if (seen === undefined) byPerson.set(to, id);
  else if (seen !== id) twoIds++;
}
const progress = await campaignProgress(store, campaign.id, new Date());
await opened.close();
rmSync(dir, { recursive: true, force: true });
const sendSeconds = (tDone - tSend) / 1000;
process.stdout.write(
  JSON.stringify(
    {
      people,
      kills,
      workerExit: code,
      seedSeconds: (tSeeded - t0) / 1000,
      startSeconds: (tStarted - tSeeded) / 1000,
      outboxRows: started.total,
      sendSeconds,
      messagesPerSecond: Math.round(people / sendSeconds),
      totalSeconds: (tDone - t0) / 1000,
      receivedCopies: copies,
      distinctPeople: byPerson.size,
      missing: people - byPerson.size,
      peopleWithTwoMessageIds: twoIds,
      extraCopies: copies - byPerson.size,
      final: {
        state: progress.state,
        sent: progress.sent,
        failed: progress.failed,
        pending: progress.pending,
      },
    },
    null,
    2,
  ) + '\n',
);
