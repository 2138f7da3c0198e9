import { newId } from './ids.js';
import { sql, type Kysely, type Selectable, type Transaction } from 'kysely';
import type { Incident, IncidentDraft, IncidentStatus, TimelineEvent } from '../incidents/types.js';
import type { DialectName } from './dialect.js';
import type { Database, IncidentTable, NoticeTable } from './schema.js';

export type Role = 'admin' | 'viewer';

export interface ApiToken {
  id: string;
  name: string;
  role: Role;
  createdAt: string;
  revokedAt: string | null;
}

export interface Notice {
  id: string;
  incidentId: string;
  personId: string;
  emailHash: string;
  emailSealed: string;
  keyId: string;
  referenceCode: string;
  language: string;
  channel: string;
  campaignId: string | null;
  messageId: string | null;
  status: string;
  sentAt: string | null;
  createdAt: string;
}

export interface SealedEmailRow {
  hash: string;
  sealed: string;
  keyId: string;
}

/** One person of an import batch, already normalized, hashed and sealed by the importer. */
export interface PersonDraft {
  externalKey: string | null;
  emails: SealedEmailRow[];
}

export interface AccessEntry {
  seq: number;
  at: string;
  actor: string;
  action: string;
  personId: string | null;
  incidentId: string | null;
  details: Record<string, unknown>;
}

export interface ImportCounts {
  rowsRead: number;
  rowsImported: number;
  rowsRejected: number;
  rowsDuplicate: number;
  rowsUnselected: number;
}

const toIncident = (row: Selectable<IncidentTable>): Incident => ({
  id: row.id,
  fingerprint: row.fingerprint,
  ruleId: row.rule_id,
  provider: row.provider,
  description: row.description,
  severity: row.severity,
  redacted: row.redacted,
  source: row.source as Incident['source'],
  status: row.status as IncidentStatus,
  closingReason: row.closing_reason as Incident['closingReason'],
  discoveredAt: row.discovered_at,
  exposureFrom: row.exposure_from,
  exposureUntil: row.exposure_until,
  awareAt: row.aware_at,
  jurisdictions: JSON.parse(row.jurisdictions) as string[],
  malicious: row.malicious === 1,
  containedAt: row.contained_at,
  containedBy: row.contained_by,
  publicTitle: row.public_title,
  publicText: row.public_text,
  contactChannel: row.contact_channel,
  affectedCount: row.affected_count,
  purgedAt: row.purged_at,
  details: JSON.parse(row.details) as Incident['details'],
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

const toNotice = (row: Selectable<NoticeTable>): Notice => ({
  id: row.id,
  incidentId: row.incident_id,
  personId: row.person_id,
  emailHash: row.email_hash,
  emailSealed: row.email_sealed,
  keyId: row.key_id,
  referenceCode: row.reference_code,
  language: row.language,
  channel: row.channel,
  campaignId: row.campaign_id,
  messageId: row.message_id,
  status: row.status,
  sentAt: row.sent_at,
  createdAt: row.created_at,
});

/** Fields an operator may change on an incident; `null` clears a field. */
export type IncidentPatch = Partial<
  Pick<
    Incident,
    | 'status'
    | 'closingReason'
    | 'awareAt'
    | 'jurisdictions'
    | 'malicious'
    | 'containedAt'
    | 'containedBy'
    | 'publicTitle'
    | 'publicText'
    | 'contactChannel'
    | 'details'
  >
>;

// Rows per statement: at most 5 columns x 1,000 rows stays well under SQLite's (32,766) and
// PostgreSQL's (65,535) bound-parameter limits, and few statements per batch keep round trips low.
const rowsPerStatement = 1000;
const chunk = <T>(items: T[], size: number): T[][] => {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
};

/**
 * The data access layer: every query the server makes goes through here, and the same contract
 * tests run it on SQLite and PostgreSQL. `db` is public so the campaign module can query its own
 * tables (and these) with the same connection and inside the same transactions.
 */
export class Store {
  constructor(
    readonly db: Kysely<Database>,
    readonly dialect: DialectName,
  ) {}

  /** Runs `work` in one transaction with a Store bound to it; nothing is kept if it throws. */
  async transaction<T>(work: (store: Store) => Promise<T>): Promise<T> {
    if (this.db.isTransaction) return work(this);
    return this.db
      .transaction()
      .execute((tx: Transaction<Database>) => work(new Store(tx, this.dialect)));
  }

  // ---- incidents ---------------------------------------------------------------------------

  /**
   * Inserts one incident per draft unless its fingerprint is already known; re-importing the same
   * report is a no-op apart from one `report.reimported` timeline entry per existing incident.
   */
  async importIncidents(
    drafts: IncidentDraft[],
    actor: string,
    now: string,
  ): Promise<{ created: Incident[]; existing: Incident[] }> {
    return this.transaction(async (store) => {
      const created: Incident[] = [];
      const existing: Incident[] = [];
      for (const draft of drafts) {
        const known = await store.getIncidentByFingerprint(draft.fingerprint);
        if (known) {
          existing.push(known);
          await store.appendEvent(
            known.id,
            actor,
            'report.reimported',
            { discoveredAt: draft.discoveredAt },
            now,
          );
          continue;
        }
        created.push(await store.createIncident(draft, actor, now));
      }
      return { created, existing };
    });
  }

  async createIncident(draft: IncidentDraft, actor: string, now: string): Promise<Incident> {
    return this.transaction(async (store) => {
      const id = newId();
      await store.db
        .insertInto('incidents')
        .values({
          id,
          fingerprint: draft.fingerprint,
          rule_id: draft.ruleId,
          provider: draft.provider,
          description: draft.description,
          severity: draft.severity,
          redacted: draft.redacted,
          source: draft.source,
          status: 'open',
          closing_reason: null,
          discovered_at: draft.discoveredAt,
          exposure_from: draft.exposureFrom,
          exposure_until: draft.exposureUntil,
          aware_at: null,
          jurisdictions: '[]',
          contained_at: null,
          contained_by: null,
          malicious: 0,
          public_title: null,
          public_text: null,
          contact_channel: null,
          affected_count: 0,
          purged_at: null,
          details: JSON.stringify(draft.details),
          created_at: now,
          updated_at: now,
        })
        .execute();
      await store.appendEvent(
        id,
        actor,
        'incident.created',
        { source: draft.source, fingerprint: draft.fingerprint },
        now,
      );
      return (await store.getIncident(id)) as Incident;
    });
  }

  async getIncident(id: string): Promise<Incident | undefined> {
    const row = await this.db
      .selectFrom('incidents')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    return row && toIncident(row);
  }

  async getIncidentByFingerprint(fingerprint: string): Promise<Incident | undefined> {
    const row = await this.db
      .selectFrom('incidents')
      .selectAll()
      .where('fingerprint', '=', fingerprint)
      .executeTakeFirst();
    return row && toIncident(row);
  }

  async listIncidents(filter: { status?: IncidentStatus } = {}): Promise<Incident[]> {
    let query = this.db.selectFrom('incidents').selectAll().orderBy('created_at').orderBy('id');
    if (filter.status) query = query.where('status', '=', filter.status);
    return (await query.execute()).map(toIncident);
  }

  /**
   * Applies `patch` and records `action` on the timeline, atomically. With `expectStatus`, the
   * update only happens if the incident is still in that status (two operators racing to close
   * the same incident: one wins, the other gets `false`).
   */
  async updateIncident(
    id: string,
    patch: IncidentPatch,
    event: { actor: string; action: string; details: Record<string, unknown> },
    now: string,
    expectStatus?: IncidentStatus,
  ): Promise<boolean> {
    return this.transaction(async (store) => {
      let query = store.db
        .updateTable('incidents')
        .set({
          ...(patch.status !== undefined && { status: patch.status }),
          ...(patch.closingReason !== undefined && { closing_reason: patch.closingReason }),
          ...(patch.awareAt !== undefined && { aware_at: patch.awareAt }),
          ...(patch.jurisdictions !== undefined && {
            jurisdictions: JSON.stringify(patch.jurisdictions),
          }),
          ...(patch.malicious !== undefined && { malicious: patch.malicious ? 1 : 0 }),
          ...(patch.containedAt !== undefined && { contained_at: patch.containedAt }),
          ...(patch.containedBy !== undefined && { contained_by: patch.containedBy }),
          ...(patch.publicTitle !== undefined && { public_title: patch.publicTitle }),
          ...(patch.publicText !== undefined && { public_text: patch.publicText }),
          ...(patch.contactChannel !== undefined && { contact_channel: patch.contactChannel }),
          ...(patch.details !== undefined && { details: JSON.stringify(patch.details) }),
          updated_at: now,
        })
        .where('id', '=', id);
      if (expectStatus) query = query.where('status', '=', expectStatus);
      const result = await query.executeTakeFirst();
      if (Number(result.numUpdatedRows) !== 1) return false;
      await store.appendEvent(id, event.actor, event.action, event.details, now);
      return true;
    });
  }

  // ---- timeline (append-only: there is deliberately no update or delete) ---------------------

  async appendEvent(
    incidentId: string,
    actor: string,
    action: string,
    details: Record<string, unknown>,
    at: string,
  ): Promise<void> {
    await this.db
      .insertInto('timeline_events')
      .values({ incident_id: incidentId, actor, action, details: JSON.stringify(details), at })
      .execute();
  }

  async timeline(incidentId: string): Promise<TimelineEvent[]> {
    const rows = await this.db
      .selectFrom('timeline_events')
      .selectAll()
      .where('incident_id', '=', incidentId)
      .orderBy('seq')
      .execute();
    return rows.map((row) => ({
      seq: Number(row.seq),
      incidentId: row.incident_id,
      at: row.at,
      actor: row.actor,
      action: row.action,
      details: JSON.parse(row.details) as Record<string, unknown>,
    }));
  }

  // ---- people --------------------------------------------------------------------------------

  async startImport(incidentId: string, actor: string, now: string): Promise<string> {
    const id = newId();
    await this.db
      .insertInto('people_imports')
      .values({
        id,
        incident_id: incidentId,
        actor,
        started_at: now,
        finished_at: null,
        rows_read: 0,
        rows_imported: 0,
        rows_rejected: 0,
        rows_duplicate: 0,
        rows_unselected: 0,
      })
      .execute();
    return id;
  }

  async finishImport(importId: string, counts: ImportCounts, now: string): Promise<void> {
    await this.db
      .updateTable('people_imports')
      .set({
        finished_at: now,
        rows_read: counts.rowsRead,
        rows_imported: counts.rowsImported,
        rows_rejected: counts.rowsRejected,
        rows_duplicate: counts.rowsDuplicate,
        rows_unselected: counts.rowsUnselected,
      })
      .where('id', '=', importId)
      .execute();
  }

  /**
   * Adds a batch of people to an incident. A person already known by customer id or by any of
   * their addresses is reused (and gains the new addresses); a person already in the incident
   * counts as a duplicate. Returns how many were newly linked and how many were duplicates.
   */
  async addPeople(
    incidentId: string,
    importId: string,
    batch: PersonDraft[],
    now: string,
  ): Promise<{ linked: number; duplicate: number }> {
    if (batch.length === 0) return { linked: 0, duplicate: 0 };
    return this.transaction(async (store) => {
      // An import batch can be replayed (links are idempotent), so PostgreSQL need not wait for
      // the WAL flush of each one; a crash loses at most the last few batches, never consistency.
      if (store.dialect === 'postgres')
        await sql`set local synchronous_commit = off`.execute(store.db);
      const hashes = [...new Set(batch.flatMap((p) => p.emails.map((e) => e.hash)))];
      const keys = [...new Set(batch.flatMap((p) => (p.externalKey ? [p.externalKey] : [])))];
      const byHash = new Map<string, string>();
      for (const part of chunk(hashes, rowsPerStatement)) {
        const rows = await store.db
          .selectFrom('person_emails')
          .select(['email_hash', 'person_id'])
          .where(store.inList('email_hash', part))
          .execute();
        for (const row of rows) byHash.set(row.email_hash, row.person_id);
      }
      const byKey = new Map<string, string>();
      for (const part of chunk(keys, rowsPerStatement)) {
        const rows = await store.db
          .selectFrom('people')
          .select(['external_key', 'id'])
          .where(store.inList('external_key', part))
          .execute();
        for (const row of rows) if (row.external_key) byKey.set(row.external_key, row.id);
      }

      const newPeople: { id: string; external_key: string | null; created_at: string }[] = [];
      const newEmails: {
        email_hash: string;
        person_id: string;
        email_sealed: string;
        key_id: string;
        created_at: string;
      }[] = [];
      const personIds = new Set<string>();
      for (const person of batch) {
        let id =
          (person.externalKey ? byKey.get(person.externalKey) : undefined) ??
          person.emails.map((e) => byHash.get(e.hash)).find((found) => found !== undefined);
        if (!id) {
          id = newId();
          newPeople.push({ id, external_key: person.externalKey, created_at: now });
        }
        if (person.externalKey && !byKey.has(person.externalKey)) byKey.set(person.externalKey, id);
        for (const email of person.emails) {
          if (byHash.has(email.hash)) continue;
          byHash.set(email.hash, id);
          newEmails.push({
            email_hash: email.hash,
            person_id: id,
            email_sealed: email.sealed,
            key_id: email.keyId,
            created_at: now,
          });
        }
        personIds.add(id);
      }
      await store.bulkInsert('people', ['id', 'external_key', 'created_at'], newPeople);
      await store.bulkInsert(
        'person_emails',
        ['email_hash', 'person_id', 'email_sealed', 'key_id', 'created_at'],
        newEmails,
      );
      const links = [...personIds].map((personId) => ({
        incident_id: incidentId,
        person_id: personId,
        import_id: importId,
        added_at: now,
      }));
      const linked = await store.bulkInsert(
        'incident_people',
        ['incident_id', 'person_id', 'import_id', 'added_at'],
        links,
        ['incident_id', 'person_id'],
      );
      return { linked, duplicate: batch.length - linked };
    });
  }

  /** `column IN (values)`; one array parameter on PostgreSQL instead of one parameter per value. */
  private inList(column: string, values: string[]) {
    return this.dialect === 'postgres'
      ? sql<boolean>`${sql.ref(column)} = any(${values}::text[])`
      : sql<boolean>`${sql.ref(column)} in (${sql.join(values)})`;
  }

  /**
   * Inserts many rows of text columns, skipping conflicts on `conflictColumns` if given; returns how
   * many were inserted. On PostgreSQL the rows travel as one array per column through `unnest`: a
   * 1,000-row VALUES list is slow to parse and plan there, while SQLite handles VALUES lists well.
   */
  private async bulkInsert<T extends 'people' | 'person_emails' | 'incident_people'>(
    table: T,
    columns: string[],
    rows: Record<string, string | null>[],
    conflictColumns?: string[],
  ): Promise<number> {
    let inserted = 0;
    for (const part of chunk(rows, rowsPerStatement)) {
      if (this.dialect === 'postgres') {
        const arrays = columns.map((c) => sql`${part.map((row) => row[c] ?? null)}::text[]`);
        const conflict = conflictColumns
          ? sql` on conflict (${sql.join(conflictColumns.map((c) => sql.ref(c)))}) do nothing`
          : sql``;
        const result =
          await sql`insert into ${sql.table(table)} (${sql.join(columns.map((c) => sql.ref(c)))})
          select * from unnest(${sql.join(arrays)})${conflict}`.execute(this.db);
        inserted += Number(result.numAffectedRows ?? 0n);
      } else {
        let query = this.db.insertInto(table).values(part as never);
        if (conflictColumns)
          query = query.onConflict((oc) => oc.columns(conflictColumns as never).doNothing());
        const result = await query.executeTakeFirst();
        inserted += Number(result.numInsertedOrUpdatedRows ?? 0n);
      }
    }
    return inserted;
  }

  /** Recomputes the cached count shown on the incident (and kept after a purge). */
  async refreshAffectedCount(incidentId: string, now: string): Promise<number> {
    const row = await this.db
      .selectFrom('incident_people')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('incident_id', '=', incidentId)
      .executeTakeFirstOrThrow();
    const count = Number(row.n);
    await this.db
      .updateTable('incidents')
      .set({ affected_count: count, updated_at: now })
      .where('id', '=', incidentId)
      .execute();
    return count;
  }

  async findPersonByEmailHash(hash: string): Promise<string | undefined> {
    const row = await this.db
      .selectFrom('person_emails')
      .select('person_id')
      .where('email_hash', '=', hash)
      .executeTakeFirst();
    return row?.person_id;
  }

  async incidentsOfPerson(personId: string): Promise<Incident[]> {
    const rows = await this.db
      .selectFrom('incident_people')
      .innerJoin('incidents', 'incidents.id', 'incident_people.incident_id')
      .selectAll('incidents')
      .where('incident_people.person_id', '=', personId)
      .orderBy('incidents.created_at')
      .execute();
    return rows.map(toIncident);
  }

  async emailsOfPerson(personId: string): Promise<SealedEmailRow[]> {
    const rows = await this.db
      .selectFrom('person_emails')
      .select(['email_hash', 'email_sealed', 'key_id'])
      .where('person_id', '=', personId)
      .orderBy('created_at')
      .orderBy('email_hash')
      .execute();
    return rows.map((r) => ({ hash: r.email_hash, sealed: r.email_sealed, keyId: r.key_id }));
  }

  /**
   * Every sealed email (people and notices) not sealed with `currentKeyId`, in pages, so that a
   * re-key can re-encrypt them without loading the whole table.
   */
  async sealedNotUnder(
    currentKeyId: string,
    limit: number,
  ): Promise<{ table: 'person_emails' | 'notices'; id: string; sealed: string; keyId: string }[]> {
    const people = await this.db
      .selectFrom('person_emails')
      .select(['email_hash as id', 'email_sealed', 'key_id'])
      .where('key_id', '!=', currentKeyId)
      .limit(limit)
      .execute();
    if (people.length > 0) {
      return people.map((r) => ({
        table: 'person_emails',
        id: r.id,
        sealed: r.email_sealed,
        keyId: r.key_id,
      }));
    }
    const notices = await this.db
      .selectFrom('notices')
      .select(['id', 'email_sealed', 'key_id'])
      .where('key_id', '!=', currentKeyId)
      .limit(limit)
      .execute();
    return notices.map((r) => ({
      table: 'notices',
      id: r.id,
      sealed: r.email_sealed,
      keyId: r.key_id,
    }));
  }

  async replaceSealed(
    table: 'person_emails' | 'notices',
    id: string,
    sealed: string,
    keyId: string,
  ): Promise<void> {
    if (table === 'person_emails') {
      await this.db
        .updateTable('person_emails')
        .set({ email_sealed: sealed, key_id: keyId })
        .where('email_hash', '=', id)
        .execute();
    } else {
      await this.db
        .updateTable('notices')
        .set({ email_sealed: sealed, key_id: keyId })
        .where('id', '=', id)
        .execute();
    }
  }

  /**
   * Retention: removes the personal data tied to an incident (its links, its notices, and people
   * and addresses no other incident still needs), keeping the counts on the incident.
   */
  async purgePeople(
    incidentId: string,
    actor: string,
    now: string,
  ): Promise<{ people: number; notices: number }> {
    return this.transaction(async (store) => {
      const affected = await store.refreshAffectedCount(incidentId, now);
      const notices = await store.db
        .deleteFrom('notices')
        .where('incident_id', '=', incidentId)
        .executeTakeFirst();
      await store.db.deleteFrom('incident_people').where('incident_id', '=', incidentId).execute();
      await store.db
        .deleteFrom('person_emails')
        .where((eb) =>
          eb.not(
            eb.exists(
              eb
                .selectFrom('incident_people')
                .select('incident_id')
                .whereRef('incident_people.person_id', '=', 'person_emails.person_id'),
            ),
          ),
        )
        .where((eb) =>
          eb.not(
            eb.exists(
              eb
                .selectFrom('notices')
                .select('id')
                .whereRef('notices.person_id', '=', 'person_emails.person_id'),
            ),
          ),
        )
        .execute();
      await store.db
        .deleteFrom('people')
        .where((eb) =>
          eb.not(
            eb.exists(
              eb
                .selectFrom('incident_people')
                .select('incident_id')
                .whereRef('incident_people.person_id', '=', 'people.id'),
            ),
          ),
        )
        .where((eb) =>
          eb.not(
            eb.exists(
              eb.selectFrom('notices').select('id').whereRef('notices.person_id', '=', 'people.id'),
            ),
          ),
        )
        .execute();
      const noticeCount = Number(notices.numDeletedRows);
      await store.db
        .updateTable('incidents')
        .set({ purged_at: now, updated_at: now })
        .where('id', '=', incidentId)
        .execute();
      await store.appendEvent(
        incidentId,
        actor,
        'people.purged',
        { affected, notices: noticeCount },
        now,
      );
      return { people: affected, notices: noticeCount };
    });
  }

  // ---- notices -------------------------------------------------------------------------------

  async insertNotice(notice: Omit<Notice, 'id'> & { id?: string }): Promise<Notice> {
    const id = notice.id ?? newId();
    await this.db
      .insertInto('notices')
      .values({
        id,
        incident_id: notice.incidentId,
        person_id: notice.personId,
        email_hash: notice.emailHash,
        email_sealed: notice.emailSealed,
        key_id: notice.keyId,
        reference_code: notice.referenceCode,
        language: notice.language,
        channel: notice.channel,
        campaign_id: notice.campaignId,
        message_id: notice.messageId,
        status: notice.status,
        sent_at: notice.sentAt,
        created_at: notice.createdAt,
      })
      .execute();
    return { ...notice, id };
  }

  async findNoticeByCode(referenceCode: string): Promise<Notice | undefined> {
    const row = await this.db
      .selectFrom('notices')
      .selectAll()
      .where('reference_code', '=', referenceCode)
      .executeTakeFirst();
    return row && toNotice(row);
  }

  async noticesOfPerson(personId: string): Promise<Notice[]> {
    const rows = await this.db
      .selectFrom('notices')
      .selectAll()
      .where('person_id', '=', personId)
      .orderBy('created_at')
      .execute();
    return rows.map(toNotice);
  }

  async noticesOfIncidentCount(incidentId: string): Promise<number> {
    const row = await this.db
      .selectFrom('notices')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('incident_id', '=', incidentId)
      .where('sent_at', 'is not', null)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  // ---- API tokens and the access log ---------------------------------------------------------

  async insertToken(tokenHash: string, name: string, role: Role, now: string): Promise<ApiToken> {
    const id = newId();
    await this.db
      .insertInto('api_tokens')
      .values({ id, token_hash: tokenHash, name, role, created_at: now, revoked_at: null })
      .execute();
    return { id, name, role, createdAt: now, revokedAt: null };
  }

  async findToken(tokenHash: string): Promise<ApiToken | undefined> {
    const row = await this.db
      .selectFrom('api_tokens')
      .selectAll()
      .where('token_hash', '=', tokenHash)
      .executeTakeFirst();
    return (
      row && {
        id: row.id,
        name: row.name,
        role: row.role as Role,
        createdAt: row.created_at,
        revokedAt: row.revoked_at,
      }
    );
  }

  async hasActiveToken(): Promise<boolean> {
    const row = await this.db
      .selectFrom('api_tokens')
      .select('id')
      .where('revoked_at', 'is', null)
      .limit(1)
      .executeTakeFirst();
    return row !== undefined;
  }

  async revokeToken(id: string, now: string): Promise<boolean> {
    const result = await this.db
      .updateTable('api_tokens')
      .set({ revoked_at: now })
      .where('id', '=', id)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  async logAccess(entry: Omit<AccessEntry, 'seq'>): Promise<void> {
    await this.db
      .insertInto('access_log')
      .values({
        at: entry.at,
        actor: entry.actor,
        action: entry.action,
        person_id: entry.personId,
        incident_id: entry.incidentId,
        details: JSON.stringify(entry.details),
      })
      .execute();
  }

  async accessLog(limit = 1000): Promise<AccessEntry[]> {
    const rows = await this.db
      .selectFrom('access_log')
      .selectAll()
      .orderBy('seq', 'desc')
      .limit(limit)
      .execute();
    return rows.map((row) => ({
      seq: Number(row.seq),
      at: row.at,
      actor: row.actor,
      action: row.action,
      personId: row.person_id,
      incidentId: row.incident_id,
      details: JSON.parse(row.details) as Record<string, unknown>,
    }));
  }
}
