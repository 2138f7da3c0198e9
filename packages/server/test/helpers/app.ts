import type { FastifyInstance } from 'fastify';
import { buildApp, type AppOptions } from '../../src/app.js';
import { fixedClock } from '../../src/clock.js';
import { generateKeyring, type Keyring } from '../../src/crypto/keys.js';
import { createLogger, memorySink } from '../../src/logger.js';
import { createSmtpMailer } from '../../src/mail/mailer.js';
import type { OpenedStore } from '../../src/store/open-store.js';
import { createApiToken } from '../../src/tokens.js';
import { sqliteDatabase } from './databases.js';
import { startSmtpSink, type SmtpSink } from './smtp-sink.js';

export interface TestApp {
  app: FastifyInstance;
  opened: OpenedStore;
  smtp: SmtpSink;
  keyring: Keyring;
  clock: ReturnType<typeof fixedClock>;
  logs: ReturnType<typeof memorySink>;
  adminToken: string;
  viewerToken: string;
  close(): Promise<void>;
}

export const startTestApp = async (extra: Partial<AppOptions> = {}): Promise<TestApp> => {
  const opened = await sqliteDatabase().open();
  const smtp = await startSmtpSink();
  const keyring = generateKeyring();
  const clock = fixedClock('2026-11-25T21:00:00.000Z');
  const logs = memorySink();
  const mailer = createSmtpMailer({
    host: '127.0.0.1',
    port: smtp.port,
    from: 'security@example.org',
    ignoreTLS: true,
  });
  const app = buildApp({
    store: opened.store,
    mailer,
    clock,
    logger: createLogger(logs, 'info'),
    keyring,
    site: {
      name: 'Example Corp',
      contact: '0120-000-000 (9:00-17:00)',
      officialSite: 'example.org',
    },
    ...extra,
  });
  await app.ready();
  const now = clock.now().toISOString();
  const adminToken = (await createApiToken(opened.store, 'admin-1', 'admin', now)).token;
  const viewerToken = (await createApiToken(opened.store, 'viewer-1', 'viewer', now)).token;
  return {
    app,
    opened,
    smtp,
    keyring,
    clock,
    logs,
    adminToken,
    viewerToken,
    close: async () => {
      await app.close();
      await mailer.close();
      await smtp.close();
      await opened.close();
    },
  };
};

/** Fetches a form page and returns the cookie and the hidden CSRF field, as a browser would. */
export const formSession = async (
  app: FastifyInstance,
  url: string,
): Promise<{ cookie: string; csrf: string }> => {
  const res = await app.inject({ method: 'GET', url });
  const cookie = String(res.headers['set-cookie']).split(';')[0] as string;
  const csrf = /name="csrf" value="([^"]+)"/.exec(res.body)?.[1] as string;
  return { cookie, csrf };
};
