import nodemailer from 'nodemailer';

/**
 * The one way the server sends mail. The self-check answer uses it now; the campaign outbox
 * (src/campaign/) sends notices through the same interface, which is why a result carries the
 * SMTP server's reply and the Message-ID: they are the evidence of what was sent.
 */
export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
  html?: string;
  /** A stable Message-ID (`<id@domain>`) so that a retried send can be recognised downstream. */
  messageId?: string;
  /** SMTP envelope sender (a VERP bounce address, for instance); defaults to `from`. */
  envelopeFrom?: string;
  headers?: Record<string, string>;
}

export interface SendResult {
  messageId: string;
  response: string;
  accepted: string[];
  rejected: string[];
}

export interface Mailer {
  readonly from: string;
  send(mail: OutgoingMail): Promise<SendResult>;
  close(): Promise<void>;
}

export interface SmtpOptions {
  host: string;
  port: number;
  from: string;
  /** Implicit TLS (port 465); otherwise STARTTLS is used when the server offers it. */
  secure?: boolean;
  user?: string;
  password?: string;
  pool?: boolean;
  maxConnections?: number;
  dkim?: { domainName: string; keySelector: string; privateKey: string };
  /** For a loopback relay without TLS in tests and development. */
  ignoreTLS?: boolean;
  connectionTimeoutMs?: number;
}

/** Recipient lists as nodemailer reports them (strings or address objects), as plain strings. */
export const addresses = (list: unknown): string[] =>
  Array.isArray(list)
    ? list.map((a) => (typeof a === 'string' ? a : String((a as { address?: string }).address)))
    : [];

/** The connection settings shared by every SMTP transport of the server (mailer and campaigns). */
export const smtpConnectionOptions = (options: SmtpOptions) => ({
  host: options.host,
  port: options.port,
  secure: options.secure ?? false,
  ignoreTLS: options.ignoreTLS ?? false,
  ...(options.user !== undefined && {
    auth: { user: options.user, pass: options.password ?? '' },
  }),
  ...(options.dkim && { dkim: options.dkim }),
  connectionTimeout: options.connectionTimeoutMs ?? 10_000,
  greetingTimeout: options.connectionTimeoutMs ?? 10_000,
  socketTimeout: 30_000,
});

export const createSmtpMailer = (options: SmtpOptions): Mailer => {
  const transport = nodemailer.createTransport({
    ...smtpConnectionOptions(options),
    ...(options.pool && { pool: true, maxConnections: options.maxConnections ?? 5 }),
  });
  return {
    from: options.from,
    send: async (mail) => {
      const info = await transport.sendMail({
        from: options.from,
        to: mail.to,
        subject: mail.subject,
        text: mail.text,
        ...(mail.html !== undefined && { html: mail.html }),
        ...(mail.messageId !== undefined && { messageId: mail.messageId }),
        ...(mail.headers && { headers: mail.headers }),
        envelope: { from: mail.envelopeFrom ?? options.from, to: mail.to },
      });
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
