import { createHash } from 'node:crypto';

/**
 * Builds a notice as one ready-to-send RFC 5322 message (multipart/alternative, text + HTML, UTF-8,
 * base64 bodies). Composing it here rather than letting nodemailer build MIME per message is what
 * makes the campaign fast (one buffer per message instead of hundreds of small writes), and the
 * boundary is derived from the Message-ID, so a copy resent after a crash is byte-identical.
 */
export interface NoticeMessage {
  from: string;
  to: string;
  subject: string;
  text: string;
  html: string;
  messageId: string;
  /** RFC 5322 date, fixed per campaign. */
  date: string;
  headers?: Record<string, string>;
}

const base64Lines = (text: string): string => {
  const encoded = Buffer.from(text, 'utf8').toString('base64');
  const lines: string[] = [];
  for (let i = 0; i < encoded.length; i += 76) lines.push(encoded.slice(i, i + 76));
  return lines.join('\r\n');
};

/** RFC 2047 encoded words, each under the 75-character limit, split on character boundaries. */
export const encodeHeaderText = (value: string): string => {
  if (/^[\x20-\x7e]*$/.test(value)) return value;
  const words: string[] = [];
  let current = '';
  for (const char of value) {
    if (Buffer.byteLength(current + char, 'utf8') > 45) {
      words.push(current);
      current = '';
    }
    current += char;
  }
  if (current) words.push(current);
  return words.map((w) => `=?UTF-8?B?${Buffer.from(w, 'utf8').toString('base64')}?=`).join('\r\n ');
};

const safeHeader = (value: string): string => value.replace(/[\r\n]+/g, ' ');

export const buildNoticeMessage = (m: NoticeMessage): Buffer => {
  const boundary = `lw-${createHash('sha256').update(m.messageId).digest('hex').slice(0, 32)}`;
  const headers = [
    `From: ${safeHeader(m.from)}`,
    `To: ${safeHeader(m.to)}`,
    `Subject: ${encodeHeaderText(safeHeader(m.subject))}`,
    `Message-ID: ${safeHeader(m.messageId)}`,
    `Date: ${safeHeader(m.date)}`,
    'MIME-Version: 1.0',
    ...Object.entries(m.headers ?? {}).map(([k, v]) => `${k}: ${safeHeader(v)}`),
    `Content-Type: multipart/alternative; boundary="${boundary}"`,
  ];
  return Buffer.from(
    [
      ...headers,
      '',
      `--${boundary}`,
      'Content-Type: text/plain; charset=utf-8',
      'Content-Transfer-Encoding: base64',
      '',
      base64Lines(m.text),
      `--${boundary}`,
      'Content-Type: text/html; charset=utf-8',
      'Content-Transfer-Encoding: base64',
      '',
      base64Lines(m.html),
      `--${boundary}--`,
      '',
    ].join('\r\n'),
    'utf8',
  );
};
