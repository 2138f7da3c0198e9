import iconv from 'iconv-lite';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fixedClock } from '../src/clock.js';
import { hashEmail, openEmail } from '../src/crypto/email.js';
import { generateKeyring } from '../src/crypto/keys.js';
import { importPeople, type PeopleImportOptions } from '../src/people/import.js';
import type { OpenedStore } from '../src/store/open-store.js';
import { Store, type PersonDraft } from '../src/store/store.js';
import { postgresDatabase, sqliteDatabase } from './helpers/databases.js';
import { bytesOf, sampleDraft } from './helpers/fixtures.js';

const keyring = generateKeyring();
const clock = fixedClock('2026-11-25T21:00:00.000Z');

let opened: OpenedStore;
let store: Store;
let incidentId: string;
beforeEach(async () => {
  opened = await sqliteDatabase().open();
  store = opened.store;
  incidentId = (await store.createIncident(sampleDraft(), 'alice', clock.now().toISOString())).id;
});
afterEach(() => opened.close());

const options = (extra: Partial<PeopleImportOptions> = {}): PeopleImportOptions => ({
  incidentId,
  actor: 'alice',
  format: 'csv',
  keyring,
  clock,
  ...extra,
});

const personOf = (email: string) => store.findPersonByEmailHash(hashEmail(keyring, email));

describe('people import', () => {
  it('imports CSV with a column mapping, several addresses per person and normalization', async () => {
    const csv = [
      'customer,mail,mail2,signed_up',
      'c1, Ann@Example.COM ,ann@work.example,2024-02-01',
      'c2,bob@bücher.example,,2024-03-01',
      'c1,ann2@example.com,,2024-02-01',
      'c3,old@example.com,,2019-01-01',
    ].join('\r\n');
    const result = await importPeople(
      store,
      bytesOf(csv),
      options({
        mapping: {
          email: ['mail', 'mail2'],
          id: 'customer',
          select: { column: 'signed_up', after: '2024-01-01' },
        },
      }),
    );
    expect(result).toMatchObject({
      rowsRead: 4,
      rowsImported: 2,
      rowsDuplicate: 1,
      rowsUnselected: 1,
      rowsRejected: 0,
      affected: 2,
    });
    const ann = await personOf('ann@example.com');
    expect(ann).toBeDefined();
    expect(await personOf('ann2@example.com')).toBe(ann);
    expect(await personOf('ann@work.example')).toBe(ann);
    expect(await personOf('bob@xn--bcher-kva.example')).toBeDefined();
    expect(await personOf('old@example.com')).toBeUndefined();
    const sealed = await store.emailsOfPerson(ann!);
    expect(sealed.map((s) => s.sealed).join()).not.toContain('ann');
    expect(
      sealed.map((s) => openEmail(keyring, { keyId: s.keyId, value: s.sealed })).sort(),
    ).toEqual(['ann2@example.com', 'ann@example.com', 'ann@work.example']);
    expect((await store.getIncident(incidentId))?.affectedCount).toBe(2);
  });

  it('reads a UTF-8 BOM and Shift_JIS files', async () => {
    const header = 'メール,名前\n';
    const body = 'taro@example.jp,山田太郎\n';
    await importPeople(
      store,
      bytesOf('\uFEFF' + header.replace('メール', 'email') + body),
      options(),
    );
    expect(await personOf('taro@example.jp')).toBeDefined();

    const sjis = iconv.encode('email,名前\nhanako@example.jp,佐藤花子\n', 'cp932');
    // split inside a multi-byte character to prove the decoder is streaming-safe
    const result = await importPeople(
      store,
      bytesOf(sjis.subarray(0, 27), sjis.subarray(27)),
      options({ encoding: 'shift_jis' }),
    );
    expect(result.rowsImported).toBe(1);
    expect(await personOf('hanako@example.jp')).toBeDefined();
  });

  it('refuses a Shift_JIS file read as UTF-8 instead of importing mojibake', async () => {
    const sjis = iconv.encode('email,名前\nhanako@example.jp,佐藤花子\n', 'cp932');
    await expect(importPeople(store, bytesOf(sjis), options())).rejects.toMatchObject({
      code: 'LW_VALIDATION',
    });
  });

  it('reports bad rows by line number and imports the rest', async () => {
    const csv = [
      'email,name',
      'good@example.com,Good',
      'not-an-email,Bad',
      'x@example.com,"bad "quote" here"',
      'toomany@example.com,a,b',
      "'; DROP TABLE people; --@example.com,<script>alert(1)</script>",
      ',empty',
      'last@example.com,Last',
    ].join('\n');
    const result = await importPeople(store, bytesOf(csv), options());
    expect(result.rowsImported).toBe(2);
    expect(result.errors.map((e) => e.line)).toEqual([3, 4, 5, 6, 7]);
    expect(JSON.stringify(result.errors)).not.toContain('not-an-email');
    expect(await store.listIncidents()).toHaveLength(1);
  });

  it('stores SQL-shaped but valid addresses as data', async () => {
    const csv = `email\n"o'reilly@example.com"\n"robert');drop--@example.com"\n`;
    const result = await importPeople(store, bytesOf(csv), options());
    expect(result).toMatchObject({ rowsImported: 1, rowsRejected: 1 });
    expect(await personOf("o'reilly@example.com")).toBeDefined();
    expect((await store.listIncidents()).length).toBe(1);
    expect(await store.db.selectFrom('people').select('id').execute()).toHaveLength(1);
  });

  it('aborts a strict import without keeping anything', async () => {
    const csv = 'email\na@example.com\nb@example.com\nbroken\n';
    await expect(
      importPeople(store, bytesOf(csv), options({ strict: true, batchSize: 1 })),
    ).rejects.toMatchObject({
      code: 'LW_IMPORT_INVALID',
      message: expect.stringContaining('line 4'),
    });
    expect(await personOf('a@example.com')).toBeUndefined();
    expect((await store.getIncident(incidentId))?.affectedCount).toBe(0);
  });

  it('reports an unclosed quote and fails on a mapping that does not match the header', async () => {
    const result = await importPeople(
      store,
      bytesOf('email\nok@example.com\n"a@example.com\n'),
      options(),
    );
    expect(result).toMatchObject({
      rowsImported: 1,
      errors: [{ line: 3, message: 'malformed CSV: CSV_QUOTE_NOT_CLOSED' }],
    });
    await expect(
      importPeople(
        store,
        bytesOf('mail\na@example.com\n'),
        options({ mapping: { email: ['email'] } }),
      ),
    ).rejects.toMatchObject({
      code: 'LW_IMPORT_MAPPING',
      message: expect.stringContaining('email'),
    });
  });

  it('imports JSONL, reporting lines that are not objects', async () => {
    const jsonl =
      '{"email":"j1@example.com","id":7}\n[1]\n{oops\n\n{"email":"j2@example.com","id":7}\n';
    const result = await importPeople(
      store,
      bytesOf(jsonl),
      options({ format: 'jsonl', mapping: { email: ['email'], id: 'id' } }),
    );
    expect(result.errors).toEqual([
      { line: 2, message: 'expected a JSON object' },
      { line: 3, message: 'not valid JSON' },
    ]);
    expect(result).toMatchObject({ rowsImported: 1, rowsDuplicate: 1 });
    expect(await personOf('j2@example.com')).toBe(await personOf('j1@example.com'));
  });

  it('stops at a failed batch write and reports it, after the batches before it', async () => {
    class FailingStore extends Store {
      writes = 0;
      override transaction<T>(work: (store: Store) => Promise<T>): Promise<T> {
        return work(this);
      }
      override async addPeople(
        incident: string,
        importId: string,
        batch: PersonDraft[],
        now: string,
      ) {
        if (++this.writes === 2) throw new Error('disk full');
        return super.addPeople(incident, importId, batch, now);
      }
    }
    const failing = new FailingStore(store.db, store.dialect);
    const csv = 'email\n' + Array.from({ length: 5 }, (_, i) => `p${i}@example.com`).join('\n');
    await expect(importPeople(failing, bytesOf(csv), options({ batchSize: 2 }))).rejects.toThrow(
      'disk full',
    );
    expect(failing.writes).toBe(2);
    expect(await personOf('p1@example.com')).toBeDefined();
    expect(await personOf('p2@example.com')).toBeUndefined();
  });

  it('appends the import to the timeline without any address in it', async () => {
    await importPeople(store, bytesOf('email\nsecret.person@example.com\n'), options());
    const events = await store.timeline(incidentId);
    expect(events.at(-1)).toMatchObject({
      action: 'people.imported',
      details: { rowsImported: 1, affected: 1 },
    });
    expect(JSON.stringify(events)).not.toContain('secret.person');
  });
});

describe('strict import on PostgreSQL', () => {
  const pg = postgresDatabase();
  afterAll(() => pg.drop());

  it('rolls back every batch', async () => {
    const pgOpened = await pg.open();
    try {
      const pgStore = pgOpened.store;
      const id = (await pgStore.createIncident(sampleDraft(), 'alice', clock.now().toISOString()))
        .id;
      const csv = 'email\na@example.com\nb@example.com\nbroken\n';
      await expect(
        importPeople(pgStore, bytesOf(csv), {
          ...options({ strict: true, batchSize: 1 }),
          incidentId: id,
        }),
      ).rejects.toMatchObject({ code: 'LW_IMPORT_INVALID' });
      expect(
        await pgStore.findPersonByEmailHash(hashEmail(keyring, 'a@example.com')),
      ).toBeUndefined();
    } finally {
      await pgOpened.close();
    }
  });
});
