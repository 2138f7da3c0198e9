import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hashEmail, normalizeEmail, sealEmail } from '../src/crypto/email.js';
import { generateKeyring } from '../src/crypto/keys.js';
import { applyLifecycle } from '../src/incidents/lifecycle.js';
import type { IncidentDraft } from '../src/incidents/types.js';
import type { OpenedStore } from '../src/store/open-store.js';
import type { PersonDraft, Store } from '../src/store/store.js';
import { postgresDatabase, sqliteDatabase } from './helpers/databases.js';

const keyring = generateKeyring();
const now = '2026-11-25T21:00:00.000Z';

const draft = (n: number): IncidentDraft => ({
  fingerprint: `github.pat-classic:fp${n}`,
  ruleId: 'github.pat-classic',
  provider: 'github',
  description: 'GitHub personal access token (classic)',
  severity: 'high',
  redacted: 'ghp_Ab…(36)…9x',
  source: 'report',
  discoveredAt: now,
  exposureFrom: '2017-12-01T10:00:00.000Z',
  exposureUntil: null,
  details: { paths: ['config/settings.py'] },
});

const person = (externalKey: string | null, ...emails: string[]): PersonDraft => ({
  externalKey,
  emails: emails.map((raw) => {
    const normalized = normalizeEmail(raw) as string;
    const sealed = sealEmail(keyring, normalized);
    return { hash: hashEmail(keyring, normalized), sealed: sealed.value, keyId: sealed.keyId };
  }),
});

const pg = postgresDatabase();
afterAll(() => pg.drop());

describe.each([sqliteDatabase(), pg])('store contract on $name', (database) => {
  let opened: OpenedStore;
  let store: Store;
  beforeEach(async () => {
    opened = await database.open();
    store = opened.store;
  });
  afterEach(() => opened.close());

  it('imports incidents once per fingerprint and records re-imports on the timeline', async () => {
    const first = await store.importIncidents([draft(1), draft(2)], 'alice', now);
    expect(first.created).toHaveLength(2);
    const again = await store.importIncidents([draft(1), draft(3)], 'bob', now);
    expect(again.created.map((i) => i.fingerprint)).toEqual(['github.pat-classic:fp3']);
    expect(again.existing.map((i) => i.fingerprint)).toEqual(['github.pat-classic:fp1']);
    expect(await store.listIncidents()).toHaveLength(3);
    const id = again.existing[0]!.id;
    expect((await store.timeline(id)).map((e) => [e.actor, e.action])).toEqual([
      ['alice', 'incident.created'],
      ['bob', 'report.reimported'],
    ]);
  });

  it('round-trips every incident field', async () => {
    const { created } = await store.importIncidents([draft(1)], 'alice', now);
    const incident = created[0]!;
    expect(incident).toMatchObject({
      ...draft(1),
      status: 'open',
      closingReason: null,
      awareAt: null,
      jurisdictions: [],
      malicious: false,
      affectedCount: 0,
      createdAt: now,
    });
    await store.updateIncident(
      incident.id,
      { awareAt: '2026-11-26T00:00:00.000Z', jurisdictions: ['gdpr', 'appi'], malicious: true },
      { actor: 'alice', action: 'incident.updated', details: {} },
      now,
    );
    expect(await store.getIncident(incident.id)).toMatchObject({
      awareAt: '2026-11-26T00:00:00.000Z',
      jurisdictions: ['gdpr', 'appi'],
      malicious: true,
    });
  });

  it('moves through the lifecycle and refuses invalid transitions', async () => {
    const { created } = await store.importIncidents([draft(1)], 'alice', now);
    const id = created[0]!.id;
    await expect(
      applyLifecycle(store, id, { action: 'notify' }, 'alice', now),
    ).rejects.toMatchObject({
      code: 'LW_INVALID_TRANSITION',
    });
    const contained = await applyLifecycle(
      store,
      id,
      { action: 'contain', how: 'revoked' },
      'bob',
      now,
    );
    expect(contained).toMatchObject({ status: 'contained', containedBy: 'bob', containedAt: now });
    await applyLifecycle(store, id, { action: 'notify' }, 'bob', now);
    const closed = await applyLifecycle(
      store,
      id,
      { action: 'close', reason: 'resolved' },
      'carol',
      now,
    );
    expect(closed).toMatchObject({ status: 'closed', closingReason: 'resolved' });
    await expect(
      applyLifecycle(store, id, { action: 'close', reason: 'resolved' }, 'x', now),
    ).rejects.toMatchObject({
      code: 'LW_INVALID_TRANSITION',
    });
    expect((await store.timeline(id)).map((e) => `${e.actor}:${e.action}`)).toEqual([
      'alice:incident.created',
      'bob:incident.contained',
      'bob:incident.notified',
      'carol:incident.closed',
    ]);
  });

  it('lets only one of two racing updates win', async () => {
    const { created } = await store.importIncidents([draft(1)], 'alice', now);
    const id = created[0]!.id;
    const event = { actor: 'a', action: 'incident.closed', details: {} };
    const results = await Promise.all([
      store.updateIncident(id, { status: 'closed' }, event, now, 'open'),
      store.updateIncident(id, { status: 'closed' }, event, now, 'open'),
    ]);
    expect(results.sort()).toEqual([false, true]);
  });

  it('rolls a transaction back completely', async () => {
    await expect(
      store.transaction(async (tx) => {
        await tx.importIncidents([draft(1)], 'alice', now);
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await store.listIncidents()).toEqual([]);
  });

  it('merges people by customer id and by address, and links each once per incident', async () => {
    const [a, b] = (await store.importIncidents([draft(1), draft(2)], 'alice', now)).created;
    const importId = await store.startImport(a!.id, 'alice', now);
    const first = await store.addPeople(
      a!.id,
      importId,
      [
        person('c1', 'ann@example.com'),
        person('c1', 'ann.work@example.com'),
        person(null, 'bob@example.com'),
      ],
      now,
    );
    expect(first).toEqual({ linked: 2, duplicate: 1 });
    const again = await store.addPeople(
      a!.id,
      importId,
      [person(null, 'ANN.WORK@example.com ')],
      now,
    );
    expect(again).toEqual({ linked: 0, duplicate: 1 });
    await store.addPeople(b!.id, importId, [person(null, 'bob@example.com')], now);

    const ann = await store.findPersonByEmailHash(hashEmail(keyring, 'ann.work@example.com'));
    expect(ann).toBe(await store.findPersonByEmailHash(hashEmail(keyring, 'ann@example.com')));
    expect(await store.emailsOfPerson(ann!)).toHaveLength(2);
    const bob = await store.findPersonByEmailHash(hashEmail(keyring, 'bob@example.com'));
    expect((await store.incidentsOfPerson(bob!)).map((i) => i.id)).toEqual([a!.id, b!.id]);
    expect(await store.refreshAffectedCount(a!.id, now)).toBe(2);
  });

  it('purges people of an incident, keeping the count and people other incidents still need', async () => {
    const [a, b] = (await store.importIncidents([draft(1), draft(2)], 'alice', now)).created;
    const importId = await store.startImport(a!.id, 'alice', now);
    await store.addPeople(
      a!.id,
      importId,
      [person(null, 'ann@example.com'), person(null, 'bob@example.com')],
      now,
    );
    await store.addPeople(b!.id, importId, [person(null, 'bob@example.com')], now);
    const bob = (await store.findPersonByEmailHash(hashEmail(keyring, 'bob@example.com')))!;
    const annHash = hashEmail(keyring, 'ann@example.com');
    const ann = (await store.findPersonByEmailHash(annHash))!;
    await store.insertNotice({
      incidentId: a!.id,
      personId: ann,
      emailHash: annHash,
      emailSealed: 'x',
      keyId: keyring.currentKeyId,
      referenceCode: 'AAAA-BBBB-CCCC-DDDD-E',
      language: 'en',
      channel: 'email',
      campaignId: null,
      messageId: null,
      status: 'sent',
      sentAt: now,
      createdAt: now,
    });
    expect(await store.purgePeople(a!.id, 'retention', now)).toEqual({ people: 2, notices: 1 });
    expect(await store.findPersonByEmailHash(annHash)).toBeUndefined();
    expect(await store.findPersonByEmailHash(hashEmail(keyring, 'bob@example.com'))).toBe(bob);
    expect(await store.getIncident(a!.id)).toMatchObject({ affectedCount: 2, purgedAt: now });
    expect(await store.findNoticeByCode('AAAA-BBBB-CCCC-DDDD-E')).toBeUndefined();
  });

  it('stores tokens by hash, revokes them, and keeps an ordered access log', async () => {
    expect(await store.hasActiveToken()).toBe(false);
    const token = await store.insertToken('hash-1', 'first admin', 'admin', now);
    expect(await store.hasActiveToken()).toBe(true);
    expect(await store.findToken('hash-1')).toEqual(token);
    expect(await store.revokeToken(token.id, now)).toBe(true);
    expect(await store.revokeToken(token.id, now)).toBe(false);
    expect((await store.findToken('hash-1'))?.revokedAt).toBe(now);
    expect(await store.hasActiveToken()).toBe(false);
    for (const action of ['lookup', 'export']) {
      await store.logAccess({
        at: now,
        actor: 'op',
        action,
        personId: null,
        incidentId: null,
        details: { n: 1 },
      });
    }
    expect((await store.accessLog()).map((e) => e.action)).toEqual(['export', 'lookup']);
  });
});
