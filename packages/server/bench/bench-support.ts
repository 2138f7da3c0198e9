import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { SMTPServer } from 'smtp-server';

/** Shared by the benchmarks: flags and a loopback SMTP sink that discards what it accepts. */
export const benchArgs = () =>
  parseArgs({
    options: {
      database: { type: 'string' },
      rows: { type: 'string' },
      batch: { type: 'string' },
      duration: { type: 'string' },
      connections: { type: 'string' },
      threads: { type: 'string' },
    },
  }).values;

export const startSink = async (): Promise<{
  port: number;
  received: () => number;
  close(): Promise<void>;
}> => {
  let received = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, _session, callback) {
      stream.on('data', () => undefined);
      stream.on('end', () => {
        received++;
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.server.address() as AddressInfo).port,
    received: () => received,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
};

export async function* syntheticCsv(rows: number): AsyncGenerator<Uint8Array> {
  yield Buffer.from('customer_no,email,signed_up\n');
  const batch = 2000;
  for (let i = 0; i < rows; i += batch) {
    let chunk = '';
    for (let j = i; j < Math.min(rows, i + batch); j++) {
      chunk += `${j},person${j}@example${j % 97}.com,2024-0${1 + (j % 9)}-15\n`;
    }
    yield Buffer.from(chunk);
  }
}
