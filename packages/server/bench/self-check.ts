import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp } from '../src/app.js';
import { systemClock } from '../src/clock.js';
import { formToken } from '../src/csrf.js';
import { generateKeyring } from '../src/crypto/keys.js';
import { createLogger } from '../src/logger.js';
import { createSmtpMailer } from '../src/mail/mailer.js';
import { importPeople } from '../src/people/import.js';
import { openStore } from '../src/store/open-store.js';
import { benchArgs, startSink, syntheticCsv } from './bench-support.js';

/**
 * Load on the self-check endpoint from a second process (wrk, apt package `wrk`), against SQLite
 * (default, a fresh file) or PostgreSQL (--database postgres://..., a disposable database).
 * Three runs: a mix of known and unknown addresses (this one also sends the answers: each known
 * address up to its per-address limit), then only known, then only unknown, to compare hit and miss
 * latency once no more mail is due. The per-IP limit is lifted so that the numbers measure real work, not 429s;
 * the per-address limit stays at its default, so each known address is mailed at most 3 times.
 *   npx tsx packages/server/bench/self-check.ts [--database URL] [--duration 10s] [--connections 32]
 */
const args = benchArgs();
const people = 10_000;
const dir = mkdtempSync(join(tmpdir(), 'lw-bench-'));
const opened = await openStore(args.database ?? join(dir, 'bench.sqlite'));
const sink = await startSink();
const keyring = generateKeyring();
const mailer = createSmtpMailer({
  host: '127.0.0.1',
  port: sink.port,
  from: 'bench@example.org',
  ignoreTLS: true,
  pool: true,
});
const app = buildApp({
  store: opened.store,
  mailer,
  clock: systemClock,
  logger: createLogger({ write: () => undefined }, 'silent'),
  keyring,
  rateLimits: { checkPerIp: Number.MAX_SAFE_INTEGER },
});

try {
  const now = new Date().toISOString();
  const incident = await opened.store.createIncident(
    {
      fingerprint: `bench:${Date.now()}`,
      ruleId: 'bench',
      provider: 'bench',
      description: 'benchmark',
      severity: 'low',
      redacted: '',
      source: 'manual',
      discoveredAt: now,
      exposureFrom: null,
      exposureUntil: null,
      details: {},
    },
    'bench',
    now,
  );
  await importPeople(opened.store, syntheticCsv(people), {
    incidentId: incident.id,
    actor: 'bench',
    format: 'csv',
    keyring,
    clock: systemClock,
    mapping: { email: ['email'], id: 'customer_no' },
  });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  const nonce = 'benchbenchbenchbenchbenc';
  const csrf = formToken(keyring.formKey, nonce);
  const body = (email: string) =>
    `csrf=${encodeURIComponent(csrf)}&email=${encodeURIComponent(email)}`;
  const known = Array.from({ length: 500 }, (_, i) =>
    body(`person${i * 7}@example${(i * 7) % 97}.com`),
  );
  const unknown = Array.from({ length: 500 }, (_, i) => body(`nobody${i}@example.net`));

  // wrk must run asynchronously: the server lives in this process and has to keep answering.
  const wrk = (argv: string[]) =>
    new Promise<string>((resolve, reject) => {
      const child = spawn('wrk', argv);
      let stdout = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.on('error', (error) =>
        reject(new Error(`wrk failed to run (apt-get install wrk): ${error.message}`)),
      );
      child.on('close', () => resolve(stdout));
    });
  const run = async (name: string, bodies: string[]) => {
    const script = join(dir, `${name}.lua`);
    writeFileSync(
      script,
      `wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Cookie"] = "lw_csrf=${nonce}"
local bodies = { ${bodies.map((b) => JSON.stringify(b)).join(', ')} }
local i = 0
request = function()
  i = i + 1
  return wrk.format(nil, nil, nil, bodies[(i % #bodies) + 1])
end
`,
    );
    const stdout = await wrk([
      '-t',
      args.threads ?? '1',
      '-c',
      args.connections ?? '32',
      '-d',
      args.duration ?? '10s',
      '--latency',
      '-s',
      script,
      `${url}/en/check`,
    ]);
    const out = { stdout };
    const rps = /Requests\/sec:\s+([\d.]+)/.exec(out.stdout)?.[1];
    const latency = (p: string) => new RegExp(`\\s${p}%\\s+([\\d.]+\\w+)`).exec(out.stdout)?.[1];
    const non2xx = /Non-2xx or 3xx responses: (\d+)/.exec(out.stdout)?.[1] ?? '0';
    console.log(
      JSON.stringify({
        run: name,
        database: opened.store.dialect,
        rps: Number(rps),
        p50: latency('50'),
        p99: latency('99'),
        non2xx: Number(non2xx),
      }),
    );
    // Let the answers of this run go out before the next run measures anything.
    await app.leakwatch.mailQueue.drain();
  };
  await run(
    'mixed',
    known.flatMap((k, i) => [k, unknown[i] as string]),
  );
  // Alternated, so that load from other processes does not favour one side.
  for (let round = 1; round <= 2; round++) {
    await run(`misses-${round}`, unknown);
    await run(`hits-${round}`, known);
  }
  await app.leakwatch.mailQueue.drain();
  console.log(JSON.stringify({ mailsDelivered: sink.received() }));
} finally {
  await app.close();
  await mailer.close();
  await sink.close();
  await opened.close();
  rmSync(dir, { recursive: true, force: true });
}
