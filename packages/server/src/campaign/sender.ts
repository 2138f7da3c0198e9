import nodemailer from 'nodemailer';
import { addresses, smtpConnectionOptions } from '../mail/mailer.js';
import type { SmtpOptions, SendResult } from '../mail/mailer.js';

/**
 * The campaign's SMTP transport: nodemailer with pooled connections (and DKIM signing when a key
 * is configured), sending messages that are already composed (mime.ts). The core Mailer builds
 * MIME itself; a raw send is what it lacks, hence this small sibling.
 */
export interface RawSender {
  send(message: { envelopeFrom: string; to: string; raw: Buffer }): Promise<SendResult>;
  close(): Promise<void>;
}

export const createRawSender = (options: SmtpOptions): RawSender => {
  const transport = nodemailer.createTransport({
    ...smtpConnectionOptions(options),
    pool: true,
    maxConnections: options.maxConnections ?? 5,
    // Unlimited messages per connection: reconnecting every 100 messages (the default) costs
    // a handshake for nothing on a relay we trust.
    maxMessages: Infinity,
    // No silent retries inside nodemailer (it requeues a message whose connection closed): every
    // failure reaches the worker, which records the attempt and applies the domain's backoff.
    maxRequeues: 0,
  });
  return {
    send: async ({ envelopeFrom, to, raw }) => {
      const info = await transport.sendMail({ envelope: { from: envelopeFrom, to: [to] }, raw });
      return {
        messageId: String(info.messageId),
        response: String(info.response),
        accepted: addresses(info.accepted),
        rejected: addresses(info.rejected),
      };
    },
    close: async () => {
      transport.close();
    },
  };
};
