import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { run } from '../src/cli/run.js';
import { hashEmail, sealEmail } from '../src/crypto/email.js';
import {
  beginLookupKeyRotation,
  finishLookupKeyRotation,
  generateKeyring,
  parseKeyring,
  serializeKeyring,
  type Keyring,
} from '../src/crypto/keys.js';
import { findPersonByEmail, lookupPerson } from '../src/lookup.js';
import { rehashLookupKeys } from '../src/rotate-lookup-key.js';
import { openStore, type OpenedStore } from '../src/store/open-store.js';
import type { PersonDraft, Store } from '../src/store/store.js';
import { postgresDatabase, sqliteDatabase } from './helpers/databases.js';
import { sampleDraft, sampleReport } from './helpers/fixtures.js';

const now = '2026-11-25T21:00:00.000Z';

const draft = (keyring: Keyring, externalKey: string | null, ...emails: string[]): PersonDraft => ({
  externalKey,
  emails: emails.map((email) => {
    const sealed = sealEmail(keyring, email);
    return { hash: hashEmail(keyring, email), sealed: sealed.value, keyId: sealed.keyId };
  }),
});

describe('lookup key in the keyring', () => {
  it('starts a rotation with a new key id, keeps the old key until it finishes, and serializes both', () => {
    const keyring = generateKeyring();
    expect(keyring.hmacKeyId).toMatch(/^h[0-9a-f]{8}$/);
    const rotating = beginLookupKeyRotation(keyring);
    expect(rotating.hmacKeyId).not.toBe(keyring.hmacKeyId);
    expect(rotating.hmacKey.equals(keyring.hmacKey)).toBe(false);
    expect(rotating.previousHmac?.id).toBe(keyring.hmacKeyId);
    expect(rotating.previousHmac?.key.equals(keyring.hmacKey)).toBe(true);
    expect(rotating.currentKeyId).toBe(keyring.currentKeyId);
    expect(() => beginLookupKeyRotation(rotating)).toThrow(/unfinished/);

    const parsed = parseKeyring(serializeKeyring(rotating));
    expect(parsed.hmacKeyId).toBe(rotating.hmacKeyId);
    expect(parsed.previousHmac?.id).toBe(keyring.hmacKeyId);
    expect(parsed.previousHmac?.key.equals(keyring.hmacKey)).toBe(true);

    const finished = finishLookupKeyRotation(parsed);
    expect(finished.previousHmac).toBeUndefined();
    expect(JSON.parse(serializeKeyring(finished))).not.toHaveProperty('previousHmacKey');
  });

  it('reads key files written before lookup keys had ids, and refuses a half-written rotation', () => {
    const file = JSON.parse(serializeKeyring(generateKeyring()));
    delete file.hmacKeyId;
    expect(parseKeyring(JSON.stringify(file)).hmacKeyId).toBe('h0');
    expect(() => parseKeyring(JSON.stringify({ ...file, previousHmacKey: file.hmacKey }))).toThrow(
      /previousHmacKeyId/,
    );
  });
});

const pg = postgresDatabase();
afterAll(() => pg.drop());

describe.each([sqliteDatabase(), pg])('lookup-key rotation on $name', (database) => {
  let opened: OpenedStore;
  let store: Store;
  let keyring: Keyring;
  let incidentId: string;

  const addPeople = async (...people: PersonDraft[]) => {
    const importId = await store.startImport(incidentId, 'alice', now);
    await store.addPeople(incidentId, importId, people, now);
  };
  const personOf = async (keys: Keyring, email: string) =>
    (await findPersonByEmail(store, keys, email)).personId;
  const storedHashes = async () =>
    (await store.db.selectFrom('person_emails').select('email_hash').execute()).map(
      (r) => r.email_hash,
    );

  beforeEach(async () => {
    opened = await database.open();
    store = opened.store;
    keyring = generateKeyring();
    incidentId = (await store.createIncident(sampleDraft(), 'alice', now)).id;
  });
  afterEach(() => opened.close());

  it('recomputes every hash in batches; an interrupted run leaves lookups working and resumes', async () => {
    await addPeople(draft(keyring, 'c1', 'a1@example.com', 'a2@example.com'));
    await addPeople(draft(keyring, null, 'b1@example.com'));
    await addPeople(draft(keyring, null, 'c1@example.com'));
    await addPeople(draft(keyring, null, 'd1@example.com'));
    // The last person's address is sealed under a key this keyring lacks: its page fails.
    const foreign = generateKeyring();
    const sealed = sealEmail(foreign, 'e1@example.com');
    await addPeople({
      externalKey: null,
      emails: [
        { hash: hashEmail(keyring, 'e1@example.com'), sealed: sealed.value, keyId: sealed.keyId },
      ],
    });
    const a = (await personOf(keyring, 'a1@example.com')) as string;
    const notice = sealEmail(keyring, 'a1@example.com');
    await store.insertNotice({
      incidentId,
      personId: a,
      emailHash: hashEmail(keyring, 'a1@example.com'),
      emailSealed: notice.value,
      keyId: notice.keyId,
      referenceCode: 'ABCD-EFGH-JKMN-PQRS-T',
      language: 'en',
      channel: 'email',
      campaignId: null,
      messageId: null,
      status: 'sent',
      sentAt: now,
      createdAt: now,
    });
    const everyone = ['a1', 'a2', 'b1', 'c1', 'd1', 'e1'].map((n) => `${n}@example.com`);
    const before = await Promise.all(everyone.map((e) => personOf(keyring, e)));
    expect(before.every((id) => id !== undefined)).toBe(true);

    const rotating = beginLookupKeyRotation(keyring);
    await expect(rehashLookupKeys(store, rotating, 2)).rejects.toThrow(/key/);
    // Two pages (four people) were committed, the failing page was rolled back as a whole.
    const hashes = await storedHashes();
    for (const email of everyone.slice(0, 5)) {
      expect(hashes).toContain(hashEmail(rotating, email));
      expect(hashes).not.toContain(hashEmail(keyring, email));
    }
    expect(hashes).toContain(hashEmail(keyring, 'e1@example.com'));
    // Meanwhile a lookup finds every person, whichever key their row is under.
    expect(await Promise.all(everyone.map((e) => personOf(rotating, e)))).toEqual(before);
    expect(await personOf(keyring, 'a1@example.com')).toBeUndefined();

    rotating.encryptionKeys.set(sealed.keyId, foreign.encryptionKeys.get(sealed.keyId) as Buffer);
    expect(await rehashLookupKeys(store, rotating, 2)).toEqual({
      addresses: 1,
      notices: 1,
      conflicts: 0,
    });
    const done = finishLookupKeyRotation(rotating);
    expect(await Promise.all(everyone.map((e) => personOf(done, e)))).toEqual(before);
    expect((await storedHashes()).sort()).toEqual(everyone.map((e) => hashEmail(done, e)).sort());
    expect((await store.noticesOfPerson(a))[0]?.emailHash).toBe(hashEmail(done, 'a1@example.com'));
    // Customer-id keys are left alone: the id itself is not stored, so it cannot be re-hashed.
    expect(
      (await store.db.selectFrom('people').select('external_key').where('id', '=', a).execute())[0],
    ).toEqual({ external_key: 'c1' });

    const found = await lookupPerson(store, done, 'token:viewer', 'a1@example.com', now);
    expect(found.affected).toBe(true);
    expect((await store.accessLog())[0]?.details).toEqual({
      emailHash: hashEmail(done, 'a1@example.com'),
      found: true,
    });
    // Running again finds nothing left to do.
    expect(await rehashLookupKeys(store, rotating, 2)).toEqual({
      addresses: 0,
      notices: 0,
      conflicts: 0,
    });
    await expect(rehashLookupKeys(store, done)).rejects.toThrow(/no lookup-key rotation/);
  });

  it('merges an address re-imported for the same person and reports one taken by another', async () => {
    await addPeople(draft(keyring, 'cust-1', 'same@example.com'));
    await addPeople(draft(keyring, null, 'taken@example.com'));
    const same = (await personOf(keyring, 'same@example.com')) as string;
    const original = (await personOf(keyring, 'taken@example.com')) as string;
    const rotating = beginLookupKeyRotation(keyring);
    // Imports during the rotation hash with the new key only.
    await addPeople(draft(rotating, 'cust-1', 'same@example.com'));
    await addPeople(draft(rotating, null, 'taken@example.com'));
    const other = (await store.db
      .selectFrom('person_emails')
      .select('person_id')
      .where('email_hash', '=', hashEmail(rotating, 'taken@example.com'))
      .executeTakeFirst())!.person_id;
    expect(other).not.toBe(original);

    expect(await rehashLookupKeys(store, rotating)).toEqual({
      addresses: 1,
      notices: 0,
      conflicts: 1,
    });
    const hashes = await storedHashes();
    expect(hashes).toContain(hashEmail(rotating, 'same@example.com'));
    expect(hashes).not.toContain(hashEmail(keyring, 'same@example.com'));
    expect(await personOf(rotating, 'same@example.com')).toBe(same);
    // The conflicting row stays under the old key, so the old key must stay too.
    expect(hashes).toContain(hashEmail(keyring, 'taken@example.com'));
  });
});

describe('leakwatch-server keys rotate --lookup', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'lw-lookup-key-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const cli = async (env: Record<string, string>, ...argv: string[]) => {
    let stdout = '';
    let stderr = '';
    const code = await run(argv, {
      stdout: { write: (s: string) => (stdout += s) },
      stderr: { write: (s: string) => (stderr += s) },
      env: { LEAKWATCH_ACTOR: 'tester', ...env },
      cwd: dir,
    });
    return { code, stdout, stderr };
  };
  const keyFile = () => join(dir, 'leakwatch-data/keys.json');
  const readKeys = () => parseKeyring(readFileSync(keyFile(), 'utf8'));
  const lookupIn = async (keys: Keyring, email: string) => {
    const opened = await openStore(join(dir, 'leakwatch-data/leakwatch.sqlite'));
    try {
      return (await findPersonByEmail(opened.store, keys, email)).personId;
    } finally {
      await opened.close();
    }
  };

  it('replaces the lookup key, keeps the encryption keys, and resumes an unfinished rotation', async () => {
    writeFileSync(join(dir, 'report.json'), JSON.stringify(sampleReport()));
    const id = JSON.parse((await cli({}, 'incident', 'import', 'report.json', '--json')).stdout)
      .created[0] as string;
    writeFileSync(join(dir, 'p.jsonl'), '{"email":"a@example.com"}\n{"email":"b@example.com"}\n');
    expect((await cli({}, 'people', 'import', id, 'p.jsonl')).code).toBe(0);
    const before = readKeys();
    const person = await lookupIn(before, 'a@example.com');
    expect(person).toBeDefined();

    // Plain `keys rotate` still rotates only the encryption key.
    expect((await cli({}, 'keys', 'rotate')).code).toBe(0);
    const rekeyed = readKeys();
    expect(rekeyed.hmacKeyId).toBe(before.hmacKeyId);
    expect(rekeyed.hmacKey.equals(before.hmacKey)).toBe(true);

    const rotated = await cli({}, 'keys', 'rotate', '--lookup');
    expect(rotated.code).toBe(0);
    const after = readKeys();
    expect(rotated.stdout).toBe(
      `new lookup key ${after.hmacKeyId} (retired ${before.hmacKeyId}); recomputed 2 address hash(es) and 0 notice hash(es)\n`,
    );
    expect(after.hmacKey.equals(before.hmacKey)).toBe(false);
    expect(after.previousHmac).toBeUndefined();
    expect(after.currentKeyId).toBe(rekeyed.currentKeyId);
    expect(await lookupIn(after, 'a@example.com')).toBe(person);
    expect(await lookupIn(before, 'a@example.com')).toBeUndefined();

    // A rotation that stopped after writing the key file is resumed with the same new key.
    const unfinished = beginLookupKeyRotation(after);
    writeFileSync(keyFile(), serializeKeyring(unfinished));
    const resumed = await cli({}, 'keys', 'rotate', '--lookup');
    expect(resumed.stdout).toContain(
      `new lookup key ${unfinished.hmacKeyId} (retired ${after.hmacKeyId})`,
    );
    expect(readKeys().hmacKeyId).toBe(unfinished.hmacKeyId);
    expect(readKeys().previousHmac).toBeUndefined();
    expect(await lookupIn(readKeys(), 'b@example.com')).toBeDefined();
  });

  it('refuses keys from LEAKWATCH_KEYS, which it could not write back', async () => {
    const result = await cli(
      { LEAKWATCH_KEYS: serializeKeyring(generateKeyring()) },
      'keys',
      'rotate',
      '--lookup',
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('LW_KEYS');
  });
});
