import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hashEmail, sealEmail } from '../src/crypto/email.js';
import { mintReferenceCode } from '../src/reference-code.js';
import { startTestApp, type TestApp } from './helpers/app.js';
import { sampleReport } from './helpers/fixtures.js';

let t: TestApp;
beforeEach(async () => {
  t = await startTestApp();
});
afterEach(() => t.close());

const call = (
  method: 'GET' | 'POST' | 'PATCH',
  url: string,
  body?: unknown,
  token = t.adminToken,
  headers = {},
) =>
  t.app.inject({
    method,
    url,
    headers: { authorization: `Bearer ${token}`, ...headers },
    ...(body !== undefined &&
      (typeof body === 'string' || Buffer.isBuffer(body)
        ? { payload: body }
        : { payload: body as object })),
  });

const importReport = async () => {
  const res = await call('POST', '/api/v1/incidents/import', sampleReport());
  return (res.json() as { created: string[] }).created[0] as string;
};

describe('operator API', () => {
  it('rejects missing, unknown and revoked tokens, and viewers that write', async () => {
    const none = await t.app.inject({ method: 'GET', url: '/api/v1/incidents' });
    expect(none.statusCode).toBe(401);
    expect(none.json()).toMatchObject({ error: { code: 'LW_UNAUTHENTICATED' } });
    expect((await call('GET', '/api/v1/incidents', undefined, 'lwt_nope')).statusCode).toBe(401);
    const write = await call('POST', '/api/v1/incidents/import', sampleReport(), t.viewerToken);
    expect(write.json()).toMatchObject({ error: { code: 'LW_FORBIDDEN' } });
    expect((await call('GET', '/api/v1/incidents', undefined, t.viewerToken)).statusCode).toBe(200);
    const viewer = await t.opened.store.db
      .selectFrom('api_tokens')
      .select('id')
      .where('name', '=', 'viewer-1')
      .executeTakeFirstOrThrow();
    await t.opened.store.revokeToken(viewer.id, t.clock.now().toISOString());
    expect((await call('GET', '/api/v1/incidents', undefined, t.viewerToken)).statusCode).toBe(401);
    const stored = await t.opened.store.db.selectFrom('api_tokens').select('token_hash').execute();
    expect(JSON.stringify(stored)).not.toContain(t.adminToken.slice(4));
  });

  it('imports a report idempotently and never stores the raw secret', async () => {
    const first = await call('POST', '/api/v1/incidents/import', sampleReport());
    expect(first.statusCode).toBe(201);
    const again = await call('POST', '/api/v1/incidents/import', sampleReport());
    expect(again.statusCode).toBe(200);
    expect(again.json()).toEqual({ created: [], existing: first.json().created });
    const incident = (await call('GET', `/api/v1/incidents/${first.json().created[0]}`)).json();
    expect(incident).toMatchObject({
      provider: 'github',
      redacted: 'ghp_Ab…(36)…9x',
      discoveredAt: '2026-11-25T20:00:00.000Z',
      exposureFrom: '2017-12-01T10:00:00.000Z',
      status: 'open',
    });
    const everything = JSON.stringify(
      await t.opened.store.db.selectFrom('incidents').selectAll().execute(),
    );
    expect(everything).not.toContain('Ab12Ab12');
    expect(t.logs.text()).not.toContain('Ab12Ab12');
  });

  it.each([
    ['a non-object', [1, 2], 'LW_REPORT_INVALID'],
    ['another schema version', { ...sampleReport(), schemaVersion: 2 }, 'LW_REPORT_VERSION'],
    [
      'a finding without fingerprint',
      { ...sampleReport(), findings: [{ ruleId: 'x', severity: 'high', redacted: '' }] },
      'LW_REPORT_INVALID',
    ],
  ])('refuses %s', async (_name, body, code) => {
    const res = await call('POST', '/api/v1/incidents/import', body);
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe(code);
  });

  it('answers malformed JSON and oversized bodies with coded errors', async () => {
    const bad = await call('POST', '/api/v1/incidents/import', '{"schemaVersion":', undefined, {
      'content-type': 'application/json',
    });
    expect(bad.json()).toMatchObject({ error: { code: 'LW_BAD_REQUEST' } });
    const small = await startTestApp({ bodyLimit: 1000 });
    try {
      const res = await small.app.inject({
        method: 'POST',
        url: '/api/v1/incidents/import',
        headers: {
          authorization: `Bearer ${small.adminToken}`,
          'content-type': 'application/json',
        },
        payload: JSON.stringify({ pad: 'x'.repeat(5000) }),
      });
      expect(res.statusCode).toBe(413);
      expect(res.json().error.code).toBe('LW_PAYLOAD_TOO_LARGE');
    } finally {
      await small.close();
    }
  });

  it('runs the lifecycle, keeps the timeline and computes legal clocks', async () => {
    const id = await importReport();
    const patched = await call('PATCH', `/api/v1/incidents/${id}`, {
      awareAt: '2026-11-25T09:00:00+09:00',
      jurisdictions: ['gdpr', 'appi'],
    });
    expect(patched.json().awareAt).toBe('2026-11-25T00:00:00.000Z');
    expect(
      patched
        .json()
        .deadlines.map((d: { obligation: string; dueAt: string; timeLeft: string }) => [
          d.obligation,
          d.dueAt,
          d.timeLeft,
        ]),
    ).toEqual([
      ['authority', '2026-11-28T00:00:00.000Z', '2d 3h left'],
      ['preliminary', '2026-11-30T00:00:00.000Z', '4d 3h left'],
      ['final', '2026-12-25T00:00:00.000Z', '29d 3h left'],
    ]);
    const malicious = await call('PATCH', `/api/v1/incidents/${id}`, { malicious: true });
    expect(malicious.json().deadlines[2].dueAt).toBe('2027-01-24T00:00:00.000Z');

    expect((await call('POST', `/api/v1/incidents/${id}/notify`, {})).json().error.code).toBe(
      'LW_INVALID_TRANSITION',
    );
    expect(
      (await call('POST', `/api/v1/incidents/${id}/contain`, { how: 'rotated' })).json().status,
    ).toBe('contained');
    expect(
      (await call('POST', `/api/v1/incidents/${id}/close`, { reason: 'nope' })).json().error.code,
    ).toBe('LW_VALIDATION');
    expect(
      (await call('POST', `/api/v1/incidents/${id}/close`, { reason: 'test-credential' })).json()
        .status,
    ).toBe('closed');
    const events = (await call('GET', `/api/v1/incidents/${id}/timeline`)).json().events;
    expect(events.map((e: { action: string; actor: string }) => `${e.actor} ${e.action}`)).toEqual([
      'token:admin-1 incident.created',
      'token:admin-1 incident.updated',
      'token:admin-1 incident.updated',
      'token:admin-1 incident.contained',
      'token:admin-1 incident.closed',
    ]);

    const json = (await call('GET', `/api/v1/incidents/${id}/regulator-report`)).json();
    expect(json).toMatchObject({
      incident: { status: 'closed', closingReason: 'test-credential' },
      containment: { how: 'rotated' },
    });
    const md = await call('GET', `/api/v1/incidents/${id}/regulator-report?format=markdown`);
    expect(md.headers['content-type']).toContain('text/markdown');
    expect(md.body).toContain('| Organisation aware | 2026-11-25T00:00:00.000Z |');
    expect(md.body).toContain('| appi | Final report to the PPC | 2027-01-24T00:00:00.000Z |');
  });

  it('creates an incident by hand and refuses a raw secret', async () => {
    const body = {
      fingerprint: 'manual:1',
      provider: 'aws',
      description: 'AWS key pasted in chat',
      redacted: 'AKIA…',
    };
    const res = await call('POST', '/api/v1/incidents', body);
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ source: 'manual', status: 'open' });
    const secret = await call('POST', '/api/v1/incidents', {
      ...body,
      fingerprint: 'manual:2',
      secret: 'x',
    });
    expect(secret.json().error.code).toBe('LW_VALIDATION');
  });

  it('streams a people upload, and the contact-centre lookup is audited without the address', async () => {
    const id = await importReport();
    const csv = 'mail,customer\nann@example.com,1\n<script>@x,2\nbob@example.com,3\n';
    const up = await call(
      'POST',
      `/api/v1/incidents/${id}/people?email=mail&id=customer`,
      csv,
      t.adminToken,
      {
        'content-type': 'text/csv',
      },
    );
    expect(up.statusCode).toBe(200);
    expect(up.json()).toMatchObject({ rowsImported: 2, rowsRejected: 1, errors: [{ line: 3 }] });

    const annHash = hashEmail(t.keyring, 'ann@example.com');
    const personId = (await t.opened.store.findPersonByEmailHash(annHash)) as string;
    const sealed = sealEmail(t.keyring, 'ann@example.com');
    const code = mintReferenceCode();
    await t.opened.store.insertNotice({
      incidentId: id,
      personId,
      emailHash: annHash,
      emailSealed: sealed.value,
      keyId: sealed.keyId,
      referenceCode: code,
      language: 'en',
      channel: 'email',
      campaignId: null,
      messageId: '<m1@example.org>',
      status: 'sent',
      sentAt: '2026-11-26T10:00:00.000Z',
      createdAt: '2026-11-26T10:00:00.000Z',
    });

    const hit = await call('POST', '/api/v1/lookup', { email: ' Ann@Example.com' }, t.viewerToken);
    expect(hit.json()).toMatchObject({
      affected: true,
      incidents: [{ id }],
      notices: [{ referenceCode: code, sentAt: '2026-11-26T10:00:00.000Z', status: 'sent' }],
    });
    const miss = await call(
      'POST',
      '/api/v1/lookup',
      { email: 'nobody@example.com' },
      t.viewerToken,
    );
    expect(miss.json()).toEqual({ affected: false, incidents: [], notices: [] });

    expect((await call('GET', '/api/v1/access-log', undefined, t.viewerToken)).statusCode).toBe(
      403,
    );
    const log = (await call('GET', '/api/v1/access-log')).json().entries;
    expect(
      log.map((e: { actor: string; action: string; details: { found: boolean } }) => [
        e.actor,
        e.action,
        e.details.found,
      ]),
    ).toEqual([
      ['token:viewer-1', 'person.lookup', false],
      ['token:viewer-1', 'person.lookup', true],
    ]);
    expect(JSON.stringify(log)).not.toContain('example.com');
    expect(t.logs.text()).not.toMatch(/ann@|bob@|nobody@/);
  });

  it('refuses an oversized people upload and an unknown content type', async () => {
    const small = await startTestApp({ uploadLimit: 100 });
    try {
      const id = (
        await small.app.inject({
          method: 'POST',
          url: '/api/v1/incidents/import',
          headers: { authorization: `Bearer ${small.adminToken}` },
          payload: sampleReport(),
        })
      ).json().created[0];
      const big = 'email\n' + 'someone@example.com\n'.repeat(50);
      const res = await small.app.inject({
        method: 'POST',
        url: `/api/v1/incidents/${id}/people`,
        payload: big,
        headers: { authorization: `Bearer ${small.adminToken}`, 'content-type': 'text/csv' },
      });
      expect(res.statusCode).toBe(413);
      expect(res.json().error.code).toBe('LW_PAYLOAD_TOO_LARGE');
      const xml = await small.app.inject({
        method: 'POST',
        url: `/api/v1/incidents/${id}/people`,
        payload: '<a/>',
        headers: { authorization: `Bearer ${small.adminToken}`, 'content-type': 'application/xml' },
      });
      expect(xml.json().error.code).toBe('LW_UNSUPPORTED_MEDIA');
    } finally {
      await small.close();
    }
  });

  it('answers junk input on every write route with a coded 4xx, never a crash', async () => {
    const id = await importReport();
    const junk: [string, string, unknown][] = [
      ['PATCH', `/api/v1/incidents/${id}`, []],
      ['PATCH', `/api/v1/incidents/${id}`, { awareAt: 'yesterday' }],
      ['PATCH', `/api/v1/incidents/${id}`, { jurisdictions: 'gdpr' }],
      ['PATCH', `/api/v1/incidents/${id}`, { malicious: 'yes' }],
      ['PATCH', `/api/v1/incidents/${id}`, { publicTitle: 'x'.repeat(301) }],
      ['PATCH', `/api/v1/incidents/${id}`, {}],
      ['POST', `/api/v1/incidents/${id}/contain`, { how: 'magic' }],
      ['POST', `/api/v1/incidents/${id}/explode`, {}],
      ['POST', '/api/v1/incidents', { fingerprint: 7 }],
      ['POST', '/api/v1/incidents', 'null'],
      ['POST', '/api/v1/lookup', { email: ['a@example.com'] }],
      ['POST', '/api/v1/lookup', '{"__proto__":{"admin":true}}'],
      ['POST', '/api/v1/incidents/import', { schemaVersion: 1, scannedAt: 'never', findings: {} }],
      ['GET', '/api/v1/incidents?status=%00', undefined],
    ];
    for (const [method, url, body] of junk) {
      const res = await call(
        method as 'GET',
        url,
        body,
        t.adminToken,
        typeof body === 'string' ? { 'content-type': 'application/json' } : {},
      );
      expect(res.statusCode, `${method} ${url} ${JSON.stringify(body)}`).toBeGreaterThanOrEqual(
        400,
      );
      expect(res.statusCode, `${method} ${url}`).toBeLessThan(500);
      expect(res.json().error.code, `${method} ${url}`).toMatch(/^LW_[A-Z_]+$/);
    }
    expect(t.logs.text()).not.toContain('"level":"error"');
  });

  it('answers unknown routes and ids with LW_NOT_FOUND, and SQL-shaped ids do nothing', async () => {
    expect((await call('GET', '/api/v1/nope')).json().error.code).toBe('LW_NOT_FOUND');
    const res = await call('GET', `/api/v1/incidents/${encodeURIComponent("1' OR '1'='1")}`);
    expect(res.json().error.code).toBe('LW_NOT_FOUND');
  });
});
