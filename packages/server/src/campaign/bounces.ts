import { createHash } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import type { Keyring } from '../crypto/keys.js';
import type { Store } from '../store/store.js';
import { queueFallback } from './fallback.js';
import { campaignDb } from './schema.js';
import { oneLine } from './smtp-reply.js';
import { noticeIdFromVerp } from './verp.js';

/**
 * Bounces (delivery status notifications, RFC 3464) come back to the VERP return path of each
 * notice, either to the built-in SMTP listener or, when another mail system receives them, as an
 * mbox file to import. Each one is parsed, tied to its notice (by the VERP address, or by our
 * Message-ID quoted in the returned headers), and stored with the person; a permanent failure
 * marks the notice bounced, which makes the person count as unreachable by email.
 */
export interface ParsedBounce {
  noticeId: string;
  action: 'failed' | 'delayed' | 'delivered' | 'relayed' | 'expanded';
  status: string;
  diagnostic: string;
}

const uuid = /<([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})@/i;
const field = (text: string, name: string): string | undefined =>
  new RegExp(`^${name}:[ \\t]*(.*(?:\\r?\\n[ \\t].*)*)`, 'im')
    .exec(text)?.[1]
    ?.replace(/\r?\n[ \t]+/g, ' ')
    .trim();

export const parseBounce = async (
  raw: Buffer,
  envelopeRecipients: string[] = [],
): Promise<ParsedBounce | null> => {
  const mail = await simpleParser(raw, {
    keepDeliveryStatus: true,
    skipHtmlToText: true,
    skipTextLinks: true,
  });
  const headerText = raw.subarray(0, Math.min(raw.length, 64 * 1024)).toString('utf8');
  const parts = mail.attachments.map((a) => ({
    type: a.contentType.toLowerCase(),
    text: a.content.toString('utf8'),
  }));
  const statusPart = parts.find((p) => p.type === 'message/delivery-status')?.text;
  const returned =
    parts.find((p) => p.type === 'message/rfc822' || p.type === 'text/rfc822-headers')?.text ?? '';

  const noticeId =
    envelopeRecipients.map(noticeIdFromVerp).find((id) => id !== null) ??
    [
      field(headerText, 'X-Original-To'),
      field(headerText, 'Delivered-To'),
      mail.to ? JSON.stringify(mail.to) : undefined,
    ]
      .map((v) => (v ? noticeIdFromVerp(v) : null))
      .find((id) => id !== null) ??
    (uuid.exec(field(returned, 'Message-ID') ?? '')?.[1] ||
      uuid.exec(statusPart ?? '')?.[1] ||
      uuid.exec(headerText.slice(headerText.indexOf('\n\n')))?.[1]) ??
    null;
  if (!noticeId) return null;

  // Without a delivery-status part (some old MTAs), fall back to the text of the bounce.
  const text = statusPart ?? `${mail.text ?? ''}`;
  const status =
    field(text, 'Status') ?? /\b([245]\.\d{1,3}\.\d{1,3})\b/.exec(text)?.[1] ?? '5.0.0';
  const actionField = field(text, 'Action')?.toLowerCase();
  const action =
    (['failed', 'delayed', 'delivered', 'relayed', 'expanded'] as const).find(
      (a) => a === actionField,
    ) ?? (status.startsWith('4') ? 'delayed' : status.startsWith('2') ? 'delivered' : 'failed');
  const diagnostic = oneLine(field(text, 'Diagnostic-Code') ?? mail.subject ?? '');
  return {
    noticeId: noticeId.toLowerCase(),
    action,
    status: status.split(/\s/)[0] as string,
    diagnostic,
  };
};

/**
 * Stores one bounce (idempotently: the same DSN imported twice is one bounce) and, when it is a
 * permanent failure, marks the notice bounced and (given the keyring) queues a notice to the
 * person's next address. Returns 'unknown' for a bounce about no notice of ours.
 */
export const recordBounce = async (
  store: Store,
  raw: Buffer,
  bounce: ParsedBounce,
  source: 'smtp' | 'mbox',
  now: string,
  keyring?: Keyring,
): Promise<'recorded' | 'duplicate' | 'unknown'> =>
  store.transaction(async (tx) => {
    const db = campaignDb(tx);
    const row = await db
      .selectFrom('campaign_outbox')
      .select(['campaign_id', 'person_id', 'state'])
      .where('notice_id', '=', bounce.noticeId)
      .executeTakeFirst();
    if (!row) return 'unknown';
    const dedupeKey = createHash('sha256').update(raw).digest('hex');
    const inserted = await db
      .insertInto('campaign_bounces')
      .values({
        dedupe_key: dedupeKey,
        campaign_id: row.campaign_id,
        notice_id: bounce.noticeId,
        person_id: row.person_id,
        received_at: now,
        source,
        action: bounce.action,
        status: bounce.status,
        diagnostic: bounce.diagnostic,
      })
      .onConflict((oc) => oc.column('dedupe_key').doNothing())
      .executeTakeFirst();
    if (Number(inserted.numInsertedOrUpdatedRows ?? 0n) === 0) return 'duplicate';
    if (bounce.action === 'failed') {
      const bounced = await db
        .updateTable('campaign_outbox')
        .set({ state: 'bounced', failure: `bounce ${bounce.status}`, updated_at: now })
        .where('notice_id', '=', bounce.noticeId)
        .where('state', '=', 'sent')
        .executeTakeFirst();
      if (keyring && Number(bounced.numUpdatedRows) === 1)
        await queueFallback(tx, keyring, bounce.noticeId, now);
      await db
        .updateTable('notices')
        .set({ status: 'bounced' })
        .where('id', '=', bounce.noticeId)
        .execute();
    }
    return 'recorded';
  });

/** Splits an mbox (mboxo or mboxrd) into messages, undoing the ">From " quoting. */
export function* splitMbox(data: Buffer): Generator<Buffer> {
  const text = data.toString('latin1');
  const starts: number[] = [];
  const pattern = /^From .*$/gm;
  for (let m = pattern.exec(text); m; m = pattern.exec(text)) {
    if (m.index === 0 || text.slice(Math.max(0, m.index - 2), m.index).endsWith('\n'))
      starts.push(m.index);
  }
  for (let i = 0; i < starts.length; i++) {
    const start = text.indexOf('\n', starts[i] as number) + 1;
    const end = starts[i + 1] ?? text.length;
    yield Buffer.from(text.slice(start, end).replace(/^>(>*From )/gm, '$1'), 'latin1');
  }
}

export interface BounceImportResult {
  messages: number;
  recorded: number;
  duplicate: number;
  unmatched: number;
}

export const importMbox = async (
  store: Store,
  data: Buffer,
  now: string,
  keyring?: Keyring,
): Promise<BounceImportResult> => {
  const result: BounceImportResult = { messages: 0, recorded: 0, duplicate: 0, unmatched: 0 };
  for (const raw of splitMbox(data)) {
    result.messages++;
    const bounce = await parseBounce(raw);
    const outcome = bounce
      ? await recordBounce(store, raw, bounce, 'mbox', now, keyring)
      : 'unknown';
    if (outcome === 'recorded') result.recorded++;
    else if (outcome === 'duplicate') result.duplicate++;
    else result.unmatched++;
  }
  return result;
};

/**
 * The built-in bounce receiver: an SMTP server that accepts mail only for VERP addresses and
 * records each DSN. Meant to sit behind the MX of the bounce domain (or be that MX).
 */
export const startBounceListener = async (
  store: Store,
  options: {
    host?: string;
    port?: number;
    now?: () => string;
    maxSize?: number;
    /** Lets a permanent bounce queue a notice to the person's next address. */
    keyring?: Keyring;
  } = {},
): Promise<{ port: number; close(): Promise<void> }> => {
  const now = options.now ?? (() => new Date().toISOString());
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    logger: false,
    size: options.maxSize ?? 2 * 1024 * 1024,
    onRcptTo(address, _session, callback) {
      if (noticeIdFromVerp(address.address) === null) {
        return callback(
          Object.assign(new Error('5.1.1 not a bounce address'), { responseCode: 550 }),
        );
      }
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      let size = 0;
      const limit = options.maxSize ?? 2 * 1024 * 1024;
      stream.on('data', (c: Buffer) => {
        // Past the limit the rest is read and dropped: memory stays bounded whatever is sent.
        size += c.length;
        if (size <= limit) chunks.push(c);
      });
      stream.on('end', () => {
        if ((stream as { sizeExceeded?: boolean }).sizeExceeded) {
          return callback(Object.assign(new Error('5.3.4 message too big'), { responseCode: 552 }));
        }
        const raw = Buffer.concat(chunks);
        const rcpt = session.envelope.rcptTo.map((r) => r.address);
        parseBounce(raw, rcpt)
          .then((bounce) =>
            bounce ? recordBounce(store, raw, bounce, 'smtp', now(), options.keyring) : 'unknown',
          )
          .then(
            () => callback(),
            (error: unknown) => callback(error as Error),
          );
      });
    },
  });
  // Connection-level errors (a client resetting) concern one session, never the listener.
  server.on('error', () => undefined);
  await new Promise<void>((resolve) =>
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve),
  );
  const port = (server.server.address() as AddressInfo).port;
  return { port, close: () => new Promise((resolve) => server.close(() => resolve())) };
};
