import { createWriteStream } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

/**
 * The benchmark's receiving side, in its own process: a loopback SMTP server that appends one line
 * per accepted message ("recipient<TAB>Message-ID") to the file given as argv[2], and prints its
 * port and then its running count on stdout for the driver.
 */
const out = createWriteStream(process.argv[2] as string, { flags: 'a' });
let received = 0;
const server = new SMTPServer({
  authOptional: true,
  disabledCommands: ['STARTTLS', 'AUTH'],
  logger: false,
  maxClients: 1000,
  onData(stream, session, callback) {
    let head = '';
    stream.on('data', (chunk: Buffer) => {
      if (head.length < 8192) head += chunk.toString('latin1');
    });
    stream.on('end', () => {
      const messageId = /^Message-ID:\s*(<[^>]+>)/im.exec(head)?.[1] ?? '-';
      for (const r of session.envelope.rcptTo) out.write(`${r.address}\t${messageId}\n`);
      received++;
      callback();
    });
  },
});
server.on('error', () => undefined);
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`port ${(server.server.address() as AddressInfo).port}\n`);
});
setInterval(() => process.stdout.write(`count ${received}\n`), 100);
process.on('SIGTERM', () => out.end(() => process.exit(0)));
