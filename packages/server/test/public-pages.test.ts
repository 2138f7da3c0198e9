import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hashEmail, sealEmail } from '../src/crypto/email.js';
import { importPeople } from '../src/people/import.js';
import { mintReferenceCode } from '../src/reference-code.js';
import { formSession, startTestApp, type TestApp } from './helpers/app.js';
import { bytesOf, sampleDraft } from './helpers/fixtures.js';

let t: TestApp;
let incidentId: string;
beforeEach(async () => {
  t = await startTestApp({ rateLimits: { checkPerIp: 5, checkPerAddress: 2, verifyPerIp: 4 } });
  const store = t.opened.store;
  const now = t.clock.now().toISOString();
  incidentId = (await store.createIncident(sampleDraft(), 'alice', now)).id;
  await store.updateIncident(
    incidentId,
    {
      publicTitle: 'Customer email addresses were exposed <b>since 2017</b>',
      publicText: 'A cloud setting exposed data.\n\nWe fixed it on 2026-11-20.',
      contactChannel: 'Call 0120-000-000',
    },
    { actor: 'alice', action: 'incident.updated', details: {} },
    now,
  );
  await importPeople(store, bytesOf('email\nmember@example.com\n'), {
    incidentId,
    actor: 'alice',
    format: 'csv',
    keyring: t.keyring,
    clock: t.clock,
  });
});
afterEach(() => t.close());

const post = (
  url: string,
  session: { cookie: string },
  form: Record<string, string>,
  ip = '10.0.0.1',
) =>
  t.app.inject({
    method: 'POST',
    url,
    remoteAddress: ip,
    headers: { cookie: session.cookie, 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams(form).toString(),
  });

describe('self-check page', () => {
  it('returns identical bytes for a known and an unknown address, and mails only the known one', async () => {
    const session = await formSession(t.app, '/en/check');
    const hit = await post('/en/check', session, {
      csrf: session.csrf,
      email: 'Member@Example.com',
    });
    const miss = await post('/en/check', session, {
      csrf: session.csrf,
      email: 'stranger@example.com',
    });
    expect(hit.statusCode).toBe(200);
    expect(miss.statusCode).toBe(200);
    expect(hit.rawPayload.equals(miss.rawPayload)).toBe(true);
    expect(hit.headers['set-cookie']).toBeUndefined();
    expect(hit.body).toContain('If this address is in our records, we have sent it a message.');

    await t.app.leakwatch.mailQueue.drain();
    expect(t.smtp.messages.map((m) => m.envelopeTo)).toEqual([['member@example.com']]);
    const mail = t.smtp.messages[0]!;
    expect(mail.subject).toContain('Example Corp');
    expect(mail.text).toContain('Customer email addresses were exposed <b>since 2017</b>');
    expect(mail.text).not.toMatch(/https?:\/\//);
    expect(t.logs.text()).not.toMatch(/member@|stranger@/i);
  });

  it('answers in Japanese', async () => {
    const session = await formSession(t.app, '/ja/check');
    const res = await post('/ja/check', session, {
      csrf: session.csrf,
      email: 'member@example.com',
    });
    expect(res.body).toContain('<html lang="ja">');
    expect(res.body).toContain('このアドレスが当社の記録にある場合は');
    await t.app.leakwatch.mailQueue.drain();
    expect(t.smtp.messages[0]?.text).toContain('以下のインシデントで影響を受けています');
  });

  it('refuses a post without the CSRF cookie or field', async () => {
    const session = await formSession(t.app, '/en/check');
    const noField = await post('/en/check', session, { email: 'member@example.com' });
    expect(noField.statusCode).toBe(403);
    expect(noField.body).toContain('The form expired');
    const otherCookie = await formSession(t.app, '/en/check');
    const mixed = await post('/en/check', otherCookie, {
      csrf: session.csrf,
      email: 'member@example.com',
    });
    expect(mixed.statusCode).toBe(403);
    await t.app.leakwatch.mailQueue.drain();
    expect(t.smtp.messages).toHaveLength(0);
  });

  it('limits posts per IP and answers per address', async () => {
    const session = await formSession(t.app, '/en/check');
    const statuses = [];
    for (let i = 0; i < 6; i++) {
      statuses.push(
        (await post('/en/check', session, { csrf: session.csrf, email: 'member@example.com' }))
          .statusCode,
      );
    }
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
    await t.app.leakwatch.mailQueue.drain();
    expect(t.smtp.messages).toHaveLength(2);
    expect(
      (await post('/en/check', session, { csrf: session.csrf, email: 'x@example.com' }, '10.0.0.2'))
        .statusCode,
    ).toBe(200);
  });

  it('re-renders the form with an accessible error for an invalid address, escaping nothing into markup', async () => {
    const session = await formSession(t.app, '/en/check');
    const res = await post('/en/check', session, {
      csrf: session.csrf,
      email: '"><script>alert(1)</script>',
    });
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('aria-invalid="true"');
    expect(res.body).not.toContain('<script>');
  });
});

describe('notice verification page', () => {
  const seedNotice = async (sentAt: string | null) => {
    const hash = hashEmail(t.keyring, 'member@example.com');
    const personId = (await t.opened.store.findPersonByEmailHash(hash)) as string;
    const sealed = sealEmail(t.keyring, 'member@example.com');
    const code = mintReferenceCode();
    await t.opened.store.insertNotice({
      incidentId,
      personId,
      emailHash: hash,
      emailSealed: sealed.value,
      keyId: sealed.keyId,
      referenceCode: code,
      language: 'en',
      channel: 'email',
      campaignId: null,
      messageId: null,
      status: sentAt ? 'sent' : 'pending',
      sentAt,
      createdAt: '2026-11-26T10:00:00.000Z',
    });
    return code;
  };

  it('confirms a genuine code (typed loosely) with date and masked address', async () => {
    const code = await seedNotice('2026-11-26T10:00:00.000Z');
    const session = await formSession(t.app, '/en/verify');
    const typed = code.toLowerCase().replace(/-/g, ' ').replace(/1/g, 'l').replace(/0/g, 'o');
    const res = await post('/en/verify', session, { csrf: session.csrf, code: typed });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('This notice is genuine');
    expect(res.body).toContain('26 November 2026 at 10:00 UTC');
    expect(res.body).toContain('m***@example.com');
    expect(res.body).not.toContain('member@');
    expect(res.body).toContain(
      'Customer email addresses were exposed &lt;b&gt;since 2017&lt;/b&gt;',
    );
  });

  it('explains an unknown, unsent or mistyped code', async () => {
    const unsent = await seedNotice(null);
    const session = await formSession(t.app, '/en/verify');
    const unknown = await post('/en/verify', session, {
      csrf: session.csrf,
      code: mintReferenceCode(),
    });
    expect(unknown.body).toContain('We did not send a notice with this code');
    expect(
      (await post('/en/verify', session, { csrf: session.csrf, code: unsent })).body,
    ).toContain('We did not send');
    const typo = unsent.slice(0, 3) + (unsent[3] === 'A' ? 'B' : 'A') + unsent.slice(4);
    const bad = await post('/en/verify', session, { csrf: session.csrf, code: typo });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('This is not a valid reference code');
    expect((await post('/en/verify', session, { csrf: session.csrf, code: 'x' })).statusCode).toBe(
      400,
    );
    expect((await post('/en/verify', session, { csrf: session.csrf, code: 'x' })).statusCode).toBe(
      429,
    );
  });
});

describe('notice page', () => {
  it('shows the public text, contact channel and phishing warning, escaped', async () => {
    const res = await t.app.inject({ method: 'GET', url: `/en/notices/${incidentId}` });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain(
      '<h1>Customer email addresses were exposed &lt;b&gt;since 2017&lt;/b&gt;</h1>',
    );
    expect(res.body).toContain('<p>We fixed it on 2026-11-20.</p>');
    expect(res.body).toContain('Call 0120-000-000');
    expect(res.body).toContain('Our notices contain no links and no attachments.');
    expect(res.headers['content-security-policy']).toContain("default-src 'none'");
    const ja = await t.app.inject({ method: 'GET', url: `/ja/notices/${incidentId}` });
    expect(ja.body).toContain('偽のお知らせにご注意ください');
  });

  it('answers 404 pages for unknown notices, languages and paths', async () => {
    for (const url of [
      '/en/notices/00000000-0000-0000-0000-000000000000',
      '/fr/check',
      '/en/notices/%27%3B',
      '/nope',
    ]) {
      const res = await t.app.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBe(404);
      expect(res.headers['content-type'], url).toContain('text/html');
    }
  });

  it('redirects / by Accept-Language', async () => {
    const res = await t.app.inject({
      method: 'GET',
      url: '/',
      headers: { 'accept-language': 'ja-JP,ja;q=0.9' },
    });
    expect(res.headers.location).toBe('/ja/');
  });
});
