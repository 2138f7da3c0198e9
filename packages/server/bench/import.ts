import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemClock } from '../src/clock.js';
import { generateKeyring } from '../src/crypto/keys.js';
import { importPeople } from '../src/people/import.js';
import { openStore } from '../src/store/open-store.js';
import { benchArgs, syntheticCsv } from './bench-support.js';

/**
 * Times a people import of synthetic rows (default 300,000) into a fresh SQLite file, or into the
 * PostgreSQL database given with --database (it must be empty of leakwatch tables or disposable).
 *   npx tsx packages/server/bench/import.ts [--rows 300000] [--database postgres://...]
 */
const args = benchArgs();
const rows = Number(args.rows ?? 300_000);
const dir = mkdtempSync(join(tmpdir(), 'lw-bench-'));
const opened = await openStore(args.database ?? join(dir, 'bench.sqlite'));
try {
  const store = opened.store;
  const incident = await store.createIncident(
    {
      fingerprint: `bench:${Date.now()}`,
      ruleId: 'bench',
      provider: 'bench',
      description: 'import benchmark',
      severity: 'low',
      redacted: '',
      source: 'manual',
      discoveredAt: new Date().toISOString(),
      exposureFrom: null,
      exposureUntil: null,
      details: {},
    },
    'bench',
    new Date().toISOString(),
  );
  let peakRss = 0;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 100);
  const started = performance.now();
  const result = await importPeople(store, syntheticCsv(rows), {
    incidentId: incident.id,
    actor: 'bench',
    format: 'csv',
    keyring: generateKeyring(),
    clock: systemClock,
    mapping: {
      email: ['email'],
      id: 'customer_no',
      select: { column: 'signed_up', after: '2024-01-01' },
    },
    ...(args.batch !== undefined && { batchSize: Number(args.batch) }),
  });
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
  const seconds = (performance.now() - started) / 1000;
  clearInterval(sampler);
  console.log(
    JSON.stringify({
      database: store.dialect,
      rows,
      imported: result.rowsImported,
      rejected: result.rowsRejected,
      seconds: Number(seconds.toFixed(2)),
      rowsPerSecond: Math.round(rows / seconds),
      peakRssMiB: Math.round(peakRss / 2 ** 20),
    }),
  );
} finally {
  await opened.close();
  rmSync(dir, { recursive: true, force: true });
}
