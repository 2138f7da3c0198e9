import { parseArgs } from 'node:util';
import { buildApp, defaultSite } from './app.js';
import { systemClock } from './clock.js';
import type { CliIo } from './cli/io.js';
import { loadJurisdictions, loadOrCreateKeyring, resolveLocations } from './config.js';
import { LwError } from './errors.js';
import { extensionMigrations, serverExtensions } from './extensions.js';
import { createLogger, type LogLevel } from './logger.js';
import { createSmtpMailer, type SmtpOptions } from './mail/mailer.js';
import { purgeClosedIncidents } from './retention.js';
import { openStore } from './store/open-store.js';

/**
 * `leakwatch-server serve`: reads flags and env, opens the store (creating the SQLite file and the
 * key file on first start), builds the app and listens until asked to stop. With no flags at all it
 * serves on 127.0.0.1:8080 from ./leakwatch-data.
 */
export const serveOptions = {
  'data-dir': { type: 'string' },
  database: { type: 'string' },
  'key-file': { type: 'string' },
  host: { type: 'string' },
  port: { type: 'string' },
  smtp: { type: 'string' },
  from: { type: 'string' },
  'site-name': { type: 'string' },
  contact: { type: 'string' },
  'official-site': { type: 'string' },
  'retention-days': { type: 'string' },
  jurisdictions: { type: 'string' },
  'trust-proxy': { type: 'boolean' },
  'log-level': { type: 'string' },
} as const;

export const parseSmtpUrl = (url: string, from: string): SmtpOptions => {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new LwError('LW_USAGE', `--smtp: not a URL: ${url}`);
  }
  if (parsed.protocol !== 'smtp:' && parsed.protocol !== 'smtps:') {
    throw new LwError('LW_USAGE', '--smtp: expected smtp://host:port or smtps://host:port');
  }
  const secure = parsed.protocol === 'smtps:';
  return {
    host: parsed.hostname,
    port: parsed.port ? Number(parsed.port) : secure ? 465 : 25,
    from,
    secure,
    ...(parsed.username && {
      user: decodeURIComponent(parsed.username),
      password: decodeURIComponent(parsed.password),
    }),
    ignoreTLS: parsed.searchParams.get('tls') === 'off',
    pool: true,
  };
};

export interface RunningServer {
  url: string;
  close(): Promise<void>;
}

export const startServer = async (argv: string[], io: CliIo): Promise<RunningServer> => {
  const { values } = parseArgs({
    args: argv,
    options: serveOptions,
    allowPositionals: false,
    strict: true,
  });
  const env = io.env;
  const locations = resolveLocations(
    { dataDir: values['data-dir'], database: values.database, keyFile: values['key-file'] },
    env,
    io.cwd,
  );
  const port = Number(values.port ?? env.LEAKWATCH_PORT ?? 8080);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new LwError('LW_USAGE', '--port: expected 0-65535');
  const host = values.host ?? env.LEAKWATCH_HOST ?? '127.0.0.1';
  const level = (values['log-level'] ?? env.LEAKWATCH_LOG_LEVEL ?? 'info') as LogLevel;
  const logger = createLogger(io.stdout, level);
  const { keyring } = loadOrCreateKeyring(locations.keyFile, env, (message) =>
    io.stderr.write(message + '\n'),
  );
  const from = values.from ?? env.LEAKWATCH_MAIL_FROM ?? 'security@localhost';
  const mailer = createSmtpMailer(
    parseSmtpUrl(values.smtp ?? env.LEAKWATCH_SMTP_URL ?? 'smtp://127.0.0.1:25', from),
  );
  const opened = await openStore(locations.database, {
    migrations: extensionMigrations(serverExtensions),
  });
  const app = buildApp({
    store: opened.store,
    mailer,
    clock: systemClock,
    logger,
    keyring,
    trustProxy: values['trust-proxy'] ?? env.LEAKWATCH_TRUST_PROXY === '1',
    extensions: serverExtensions,
    jurisdictions: loadJurisdictions(values.jurisdictions ?? env.LEAKWATCH_JURISDICTIONS, io.cwd),
    site: {
      name: values['site-name'] ?? env.LEAKWATCH_SITE_NAME ?? defaultSite.name,
      contact: values.contact ?? env.LEAKWATCH_CONTACT ?? defaultSite.contact,
      officialSite:
        values['official-site'] ?? env.LEAKWATCH_OFFICIAL_SITE ?? defaultSite.officialSite,
    },
  });

  const retentionDays = values['retention-days'] ?? env.LEAKWATCH_RETENTION_DAYS;
  let timer: NodeJS.Timeout | undefined;
  if (retentionDays !== undefined) {
    const days = Number(retentionDays);
    if (!Number.isFinite(days) || days < 0)
      throw new LwError('LW_USAGE', '--retention-days: expected a number');
    const sweep = () =>
      purgeClosedIncidents(opened.store, days, systemClock.now()).catch((error: unknown) =>
        logger.error({ code: (error as LwError).code ?? 'LW_INTERNAL' }, 'retention sweep failed'),
      );
    timer = setInterval(sweep, 3_600_000);
    timer.unref();
    void sweep();
  }

  const address = await app.listen({ host, port });
  if (!(await opened.store.hasActiveToken())) {
    io.stderr.write(
      'leakwatch-server: no API token yet; create the first admin token with ' +
        '"leakwatch-server token create --name NAME" (same --data-dir/--database).\n',
    );
  }
  io.stderr.write(
    `leakwatch-server: listening on ${address} (database: ${opened.store.dialect === 'sqlite' ? locations.database : 'postgres'})\n`,
  );
  return {
    url: address,
    close: async () => {
      if (timer) clearInterval(timer);
      await app.close();
      await mailer.close();
      await opened.close();
    },
  };
};

export const serve = async (argv: string[], io: CliIo): Promise<number> => {
  const server = await startServer(argv, io);
  const stop =
    io.stopSignal ??
    new Promise<void>((resolve) => {
      process.once('SIGINT', () => resolve());
      process.once('SIGTERM', () => resolve());
    });
  await stop;
  await server.close();
  return 0;
};
