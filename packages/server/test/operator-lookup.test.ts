import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hashEmail, sealEmail } from '../src/crypto/email.js';
import { importPeople } from '../src/people/import.js';
import { mintReferenceCode } from '../src/reference-code.js';
import { startTestApp, type TestApp } from './helpers/app.js';
import { bytesOf, sampleDraft } from './helpers/fixtures.js';

let t: TestApp;
let incidentId: string;
let code: string;

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** Opens the form as an operator's browser would (token header), keeping its CSRF cookie. */
const session = async (token: string, lang = 'en') => {
  const res = await t.app.inject({
    method: 'GET',
    url: `/${lang}/operator/lookup`,
    headers: bearer(token),
  });
  expect(res.statusCode).toBe(200);
  return {
    page: res.body,
    cookie: String(res.headers['set-cookie']).split(';')[0] as string,
    csrf: /name="csrf" value="([^"]+)"/.exec(res.body)?.[1] as string,
  };
};

const lookup = async (
  email: string,
  options: { token?: string; lang?: string; csrf?: string; cookie?: string } = {},
) => {
  const token = options.token ?? t.viewerToken;
  const form = await session(token, options.lang);
  return t.app.inject({
    method: 'POST',
    url: `/${options.lang ?? 'en'}/operator/lookup`,
    headers: {
      ...bearer(token),
      cookie: options.cookie ?? form.cookie,
      'content-type': 'application/x-www-form-urlencoded',
    },
    payload: new URLSearchParams({ csrf: options.csrf ?? form.csrf, email }).toString(),
  });
};

const lookups = async () =>
  (await t.opened.store.accessLog()).filter((e) => e.action === 'person.lookup');

beforeEach(async () => {
  t = await startTestApp();
  const store = t.opened.store;
  const now = t.clock.now().toISOString();
  incidentId = (
    await store.createIncident(
      { ...sampleDraft(), description: 'Token in <script>alert(1)</script> config' },
      'alice',
      now,
    )
  ).id;
  await importPeople(store, bytesOf('email\ncaller.one@example.com\nother.two@example.com\n'), {
    incidentId,
    actor: 'alice',
    format: 'csv',
    keyring: t.keyring,
    clock: t.clock,
  });
  const hash = hashEmail(t.keyring, 'caller.one@example.com');
  const sealed = sealEmail(t.keyring, 'caller.one@example.com');
  code = mintReferenceCode();
  await store.insertNotice({
    incidentId,
    personId: (await store.findPersonByEmailHash(hash)) as string,
    emailHash: hash,
    emailSealed: sealed.value,
    keyId: sealed.keyId,
    referenceCode: code,
    language: 'en',
    channel: 'email',
    campaignId: null,
    messageId: '<m1@example.org>',
    status: 'sent',
    sentAt: '2026-11-26T10:00:00.000Z',
    createdAt: '2026-11-26T09:59:00.000Z',
  });
});

afterEach(() => t.close());

describe('operator lookup page', () => {
  it('requires a valid operator token; viewers and admins may use it', async () => {
    const none = await t.app.inject({ method: 'GET', url: '/en/operator/lookup' });
    expect(none.statusCode).toBe(401);
    expect(none.headers['content-type']).toMatch(/^text\/html/);
    expect(none.headers['www-authenticate']).toBe('Bearer');
    expect(none.body).toContain('Send an operator token');
    const bad = await t.app.inject({
      method: 'GET',
      url: '/en/operator/lookup',
      headers: bearer('lwt_not-a-real-token'),
    });
    expect(bad.statusCode).toBe(401);

    const unauthenticatedPost = await t.app.inject({
      method: 'POST',
      url: '/en/operator/lookup',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'email=caller.one%40example.com',
    });
    expect(unauthenticatedPost.statusCode).toBe(401);
    expect(await lookups()).toEqual([]);

    for (const token of [t.viewerToken, t.adminToken]) {
      const form = await session(token);
      expect(form.page).toContain('<h1>Contact-centre lookup</h1>');
      expect(form.cookie).toMatch(/^lw_csrf=/);
      expect(form.csrf).toMatch(/^[A-Za-z0-9_-]{43}$/);
    }
    const ja = await session(t.viewerToken, 'ja');
    expect(ja.page).toContain('<html lang="ja">');
    expect(ja.page).toContain('お問い合わせ窓口向け照会');

    const unknownLanguage = await t.app.inject({
      method: 'GET',
      url: '/fr/operator/lookup',
      headers: bearer(t.viewerToken),
    });
    expect(unknownLanguage.statusCode).toBe(404);
  });

  it('refuses a post without a valid CSRF token and looks nothing up', async () => {
    const forged = await lookup('caller.one@example.com', { csrf: 'x'.repeat(43) });
    expect(forged.statusCode).toBe(403);
    expect(forged.body).toContain('The form expired');
    expect(forged.body).not.toContain('caller.one');
    const noCookie = await lookup('caller.one@example.com', { cookie: '' });
    expect(noCookie.statusCode).toBe(403);
    expect(await lookups()).toEqual([]);
  });

  it('shows whether the person is affected, the incidents and the notices sent, and audits it', async () => {
    const hit = await lookup('  Caller.One@EXAMPLE.com ');
    expect(hit.statusCode).toBe(200);
    expect(hit.body).toMatch(/<span id="affected">Yes<\/span>/);
    expect(hit.body).toContain(incidentId);
    // Incident text is escaped, never markup.
    expect(hit.body).toContain('Token in &lt;script&gt;alert(1)&lt;/script&gt; config');
    expect(hit.body).not.toContain('<script>alert');
    expect(hit.body).toContain(`<code>${code}</code>`);
    expect(hit.body).toContain('26 November 2026 at 10:00 UTC');
    expect(hit.body).toMatch(/<td>sent<\/td>\s*<td>email<\/td>/);
    expect(hit.body).toContain('This lookup was recorded in the access log.');

    const miss = await lookup('nobody.here@example.com', { lang: 'ja' });
    expect(miss.statusCode).toBe(200);
    expect(miss.body).toContain('<span id="affected">なし');
    expect(miss.body).not.toContain('<table');

    // Exactly the API's audit entries: actor, action, person, and the address's hash only.
    const entries = await lookups();
    expect(entries.map((e) => [e.actor, e.personId !== null, e.details]).reverse()).toEqual([
      [
        'token:viewer-1',
        true,
        { emailHash: hashEmail(t.keyring, 'caller.one@example.com'), found: true },
      ],
      [
        'token:viewer-1',
        false,
        { emailHash: hashEmail(t.keyring, 'nobody.here@example.com'), found: false },
      ],
    ]);
    expect(JSON.stringify(entries)).not.toContain('example.com');

    const api = await t.app.inject({
      method: 'POST',
      url: '/api/v1/lookup',
      headers: bearer(t.adminToken),
      payload: { email: 'caller.one@example.com' },
    });
    const [fromApi] = await lookups();
    expect(api.statusCode).toBe(200);
    expect(fromApi?.details).toEqual(entries.at(-1)?.details);
  });

  it('answers an invalid address with the form and an error, without a lookup', async () => {
    const res = await lookup('not an address');
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('aria-invalid="true"');
    expect(res.body).toContain('role="alert"');
    expect(await lookups()).toEqual([]);
  });

  it('never logs the entered address, not even in a form the redactor would have to mask', async () => {
    await lookup('caller.one@example.com');
    await lookup('nobody.here@example.com');
    await lookup('not an address');
    await lookup('caller.one@example.com', { csrf: 'forged' });
    const logs = t.logs.text();
    expect(logs).toContain('"route":"/:lang/operator/lookup"');
    expect(logs).not.toMatch(/caller\.one|nobody\.here|not an address|not%20an/);
    expect(logs).not.toContain('[email]');
  });
});
