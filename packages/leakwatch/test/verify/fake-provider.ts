// A loopback HTTP server that plays one or more providers' APIs. Requests arrive as
// /<provider host>/<path>, so one server can stand in for every host of a test.

import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Finding } from '../../src/engine/types.js';

export interface RecordedRequest {
  method: string;
  host: string;
  /** Path and query as the provider would see them. */
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  at: number;
}

export interface FakeReply {
  status: number;
  headers?: Record<string, string>;
  body?: string | object;
  delayMs?: number;
}

export interface FakeProvider {
  requests: RecordedRequest[];
  base(host: string): string;
  overrides(hosts: readonly string[]): Record<string, string>;
  maxInFlight(): number;
  close(): Promise<void>;
}

export async function startFakeProvider(
  handler: (req: RecordedRequest) => FakeReply | Promise<FakeReply>,
): Promise<FakeProvider> {
  const requests: RecordedRequest[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const server = createServer((req, res) => {
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = req.url ?? '/';
      const slash = url.indexOf('/', 1);
      const recorded: RecordedRequest = {
        method: req.method ?? 'GET',
        host: slash === -1 ? url.slice(1) : url.slice(1, slash),
        path: slash === -1 ? '/' : url.slice(slash),
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        at: performance.now(),
      };
      requests.push(recorded);
      void Promise.resolve(handler(recorded)).then(async (reply) => {
        if (reply.delayMs) await new Promise((r) => setTimeout(r, reply.delayMs));
        const body = typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body ?? '');
        const type = typeof reply.body === 'string' ? 'text/plain' : 'application/json';
        res.writeHead(reply.status, { 'content-type': type, ...reply.headers });
        res.end(body);
        inFlight--;
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const base = (host: string): string => `http://127.0.0.1:${port}/${host}`;
  return {
    requests,
    base,
    overrides: (hosts) => Object.fromEntries(hosts.map((h) => [h, base(h)])),
    maxInFlight: () => maxInFlight,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export function makeFinding(
  ruleId: string,
  secret: string,
  extra: { fingerprint?: string; parts?: { ruleId: string; secret: string }[] } = {},
): Finding {
  return {
    fingerprint: extra.fingerprint ?? `${ruleId}:fp-${secret.length}-${secret.slice(-6)}`,
    ruleId,
    provider: ruleId.split('.')[0] ?? ruleId,
    description: ruleId,
    severity: 'high',
    secret,
    entropy: 4,
    locations: [{ path: 'app.env', line: 1, column: 1, endLine: 1, endColumn: 10, snippet: '' }],
    parts: (extra.parts ?? []).map((p) => ({
      ...p,
      location: { path: 'app.env', line: 2, column: 1, endLine: 2, endColumn: 10, snippet: '' },
    })),
    references: [],
  };
}
