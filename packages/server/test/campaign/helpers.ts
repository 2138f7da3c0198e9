import { randomBytes } from 'node:crypto';
import type { AddressInfo, Socket } from 'node:net';
import { simpleParser } from 'mailparser';
import pg from 'pg';
import { SMTPServer, type SMTPServerSession } from 'smtp-server';
import { hashEmail, sealEmail } from '../../src/crypto/email.js';
import type { Keyring } from '../../src/crypto/keys.js';
import type { Store } from '../../src/store/store.js';
import type { NoticeContent } from '../../src/campaign/templates.js';
import {
  createCampaign,
  defaultSettings,
  type CampaignSettings,
} from '../../src/campaign/campaigns.js';
import { openStore, type OpenedStore } from '../../src/store/open-store.js';
import { sampleDraft } from '../helpers/fixtures.js';

export const now = '2026-11-25T21:00:00.000Z';

/** A store (with the campaign tables, as every store has): SQLite in memory, or a file/postgres URL. */
export const openCampaignStore = (url = ':memory:', poolSize = 4): Promise<OpenedStore> =>
  openStore(url, { poolSize });

/**
 * A scratch PostgreSQL database from LEAKWATCH_TEST_PG (set by .ci/server-setup.sh), dropped by
 * `drop()`. Without PostgreSQL the test fails and says how to start it: there is no skip.
 */
export const scratchPostgres = async (): Promise<{ url: string; drop(): Promise<void> }> => {
  const base =
    process.env.LEAKWATCH_TEST_PG ?? 'postgres://leakwatch:leakwatch@127.0.0.1:5432/leakwatch';
  const name = `lw_campaign_${randomBytes(6).toString('hex')}`;
  const admin = async (statement: string) => {
    const client = new pg.Client({ connectionString: base });
    try {
      await client.connect();
    } catch (error) {
      throw new Error(
        `PostgreSQL is not reachable (${(error as Error).message}); run "source .ci/server-setup.sh"`,
        { cause: error },
      );
    }
    try {
      await client.query(statement);
    } finally {
      await client.end();
    }
  };
  await admin(`CREATE DATABASE ${name}`);
  const url = new URL(base);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
};

export const noticeContent = (): NoticeContent => ({
  organisation: 'Example Corp',
  officialSite: 'example.org',
  texts: {
    en: {
      subject: 'Important notice about your account',
      whatHappened: 'An access key for our customer database was published by mistake.',
      dataInvolved: 'Your email address and order history.',
      when: 'From 1 December 2017 to 25 November 2026.',
      whatWeAreDoing: 'We revoked the key and reviewed every access made with it.',
      whatYouCanDo: 'Be careful with messages that claim to come from us.',
      contact: 'Contact centre 0120-000-000, weekdays 9:00-17:00.',
    },
    ja: {
      subject: '【重要】お客様情報に関するお知らせ',
      whatHappened: '顧客データベースのアクセスキーが誤って公開されていました。',
      dataInvolved: 'メールアドレスと注文履歴',
      when: '2017年12月1日から2026年11月25日まで',
      whatWeAreDoing: 'キーを無効化し、すべてのアクセスを調査しました。',
      whatYouCanDo: '当社を装うメールにご注意ください。',
      contact: 'お客様窓口 0120-000-000（平日9時〜17時）',
    },
  },
});

/** An incident with one person per address (addresses in order), linked by a single import. */
export const seedIncident = async (
  store: Store,
  keyring: Keyring,
  addresses: string[],
  n = 1,
): Promise<string> => {
  const incident = await store.createIncident(sampleDraft(n), 'tester', now);
  const importId = await store.startImport(incident.id, 'tester', now);
  for (let i = 0; i < addresses.length; i += 1000) {
    await store.addPeople(
      incident.id,
      importId,
      addresses.slice(i, i + 1000).map((address) => {
        const sealed = sealEmail(keyring, address);
        return {
          externalKey: null,
          emails: [
            { hash: hashEmail(keyring, address), sealed: sealed.value, keyId: sealed.keyId },
          ],
        };
      }),
      now,
    );
  }
  return incident.id;
};

export const draftCampaign = async (
  store: Store,
  incidentId: string,
  settings: Partial<CampaignSettings> = {},
  language: 'en' | 'ja' | 'ja+en' = 'en',
) =>
  createCampaign(
    store,
    {
      incidentId,
      name: 'first notice',
      language,
      template: noticeContent(),
      settings: {
        ...defaultSettings('security@example.org'),
        rate: 10_000,
        domainRate: 10_000,
        domainConcurrency: 50,
        ...settings,
      },
    },
    'cli:alice',
    now,
  );

export interface ReceivedMessage {
  to: string;
  from: string;
  messageId: string;
  subject: string;
  /** The decoded plain-text body. */
  text: string;
  raw: string;
  /** When the receiving side had the whole message (ms since the epoch). */
  receivedAt: number;
}

export interface Behaviour {
  /** A reply to RCPT TO for this address, e.g. { code: 550, message: 'no such user' }. */
  rcpt?: (
    address: string,
    session: SMTPServerSession,
  ) => { code: number; message: string } | undefined;
  /** Drops the connection during DATA (before the final dot is acknowledged). */
  dropData?: (to: string[]) => boolean;
  /** Milliseconds before acknowledging each message (a slower receiving server). */
  delayMs?: number;
}

/**
 * A real SMTP server on 127.0.0.1 that records what it accepted (raw, with the Message-ID),
 * optionally misbehaving per recipient.
 */
export const startReceiver = async (behaviour: Behaviour = {}) => {
  const received: ReceivedMessage[] = [];
  const sockets = new Map<number, Socket>();
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    maxClients: 200,
    onRcptTo(address, session, callback) {
      const reply = behaviour.rcpt?.(address.address, session);
      if (reply) {
        const error = Object.assign(new Error(reply.message), { responseCode: reply.code });
        return callback(error);
      }
      callback();
    },
    onData(stream, session, callback) {
      const to = session.envelope.rcptTo.map((r) => r.address);
      if (behaviour.dropData?.(to)) {
        // Cut the TCP connection in the middle of the message body, as a crashing relay would.
        stream.once('data', () => sockets.get(session.remotePort)?.destroy());
        stream.resume();
        stream.on('end', () => callback(new Error('dropped')));
        stream.on('error', () => undefined);
        return;
      }
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const receivedAt = Date.now();
        const raw = Buffer.concat(chunks).toString('utf8');
        const messageId = /^Message-ID:\s*(<[^>]+>)/im.exec(raw)?.[1] ?? '';
        const from = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
        void simpleParser(raw).then((parsed) => {
          for (const address of to) {
            received.push({
              to: address,
              from,
              messageId,
              subject: parsed.subject ?? '',
              text: parsed.text ?? '',
              raw,
              receivedAt,
            });
          }
          if (behaviour.delayMs) setTimeout(() => callback(), behaviour.delayMs);
          else callback();
        });
      });
    },
  });
  // Killed clients reset their connections; that is the point of the crash tests, not an error.
  server.on('error', () => undefined);
  server.server.on('connection', (socket) => {
    socket.on('error', () => undefined);
    const remotePort = socket.remotePort ?? 0;
    sockets.set(remotePort, socket);
    socket.on('close', () => sockets.delete(remotePort));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return {
    port,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets.values()) s.destroy();
        server.close(() => resolve());
      }),
  };
};
