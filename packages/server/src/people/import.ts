import { parse } from 'csv-parse';
import { Readable } from 'node:stream';
import type { Clock } from '../clock.js';
import { hashEmail, hashIdentifier, normalizeEmail, sealEmail } from '../crypto/email.js';
import type { Keyring } from '../crypto/keys.js';
import { LwError } from '../errors.js';
import type { ImportCounts, PersonDraft, Store } from '../store/store.js';
import { decodeText, type InputEncoding } from './decode.js';
import { parsePreferredLanguage, storePreferredLanguages } from '../campaign/person-language.js';
import type { NoticeLanguage } from '../campaign/templates.js';

/**
 * Streaming import of affected people from CSV or JSONL. Rows are read, validated and written in
 * batches, so memory stays flat whatever the file size. Bad rows are reported by line number and
 * skipped; with `strict` the whole import runs in one transaction and any bad row rolls it back.
 * Error messages name the line and column, never the value: they end up in logs and terminals.
 */
export interface ColumnMapping {
  /** Columns (CSV header names or JSONL keys) holding addresses; a person may have several. */
  email: string[];
  /** The organisation's customer id, used to merge rows of the same person. */
  id?: string;
  /** Selection criteria: only rows whose date column is on/after `after` are imported. */
  select?: { column: string; after: string };
  /**
   * The person's preferred notice language (ja/en, ja-JP, en_US, …), for campaigns in `auto`
   * language mode. Unrecognised or empty cells are counted, not rejected: the person gets the
   * campaign's default language.
   */
  language?: string;
}

export interface PeopleImportOptions {
  incidentId: string;
  actor: string;
  format: 'csv' | 'jsonl';
  encoding?: InputEncoding;
  mapping?: ColumnMapping;
  strict?: boolean;
  keyring: Keyring;
  clock: Clock;
  batchSize?: number;
}

export interface RowError {
  line: number;
  message: string;
}

export interface PeopleImportResult extends ImportCounts {
  importId: string;
  affected: number;
  errors: RowError[];
  /** Rows whose language cell was not recognised (only with a language column mapped). */
  languagesUnrecognised: number;
}

const maxReportedErrors = 1000;

interface Row {
  line: number;
  get(column: string): string | undefined;
}

async function* csvRows(
  text: AsyncIterable<string>,
  errors: RowError[],
  headerOut: string[],
): AsyncGenerator<Row> {
  const parser = parse({
    bom: true,
    info: true,
    relax_column_count: false,
    skip_empty_lines: true,
    skip_records_with_error: true,
    on_skip: (err) => {
      const line = Number(err?.lines ?? 0);
      // One broken quote can make the parser skip twice on the same line; report the line once.
      if (err && errors.at(-1)?.line !== line)
        errors.push({ line, message: `malformed CSV: ${err.code}` });
      return undefined;
    },
  });
  const source = Readable.from(text);
  source.on('error', (error) => parser.destroy(error));
  source.pipe(parser);
  let index: Map<string, number> | undefined;
  try {
    for await (const { record, info } of parser as AsyncIterable<{
      record: string[];
      info: { lines: number };
    }>) {
      if (!index) {
        const header = record.map((h) => h.trim());
        headerOut.push(...header);
        index = new Map(header.map((name, i) => [name, i]));
        continue;
      }
      const columns = index;
      yield { line: info.lines, get: (column) => record[columns.get(column) ?? -1] };
    }
  } catch (error) {
    if (error instanceof LwError) throw error;
    const e = error as { code?: string; lines?: number; message: string };
    throw new LwError(
      'LW_IMPORT_INVALID',
      `malformed CSV at line ${e.lines ?? '?'}: ${e.code ?? e.message}`,
    );
  }
}

async function* jsonlRows(text: AsyncIterable<string>, errors: RowError[]): AsyncGenerator<Row> {
  let buffered = '';
  let line = 0;
  const toRow = (raw: string): Row | undefined => {
    line++;
    const trimmed = raw.replace(/^\uFEFF/, '').trim();
    if (trimmed === '') return undefined;
    let value: unknown;
    try {
      value = JSON.parse(trimmed);
    } catch {
      errors.push({ line, message: 'not valid JSON' });
      return undefined;
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      errors.push({ line, message: 'expected a JSON object' });
      return undefined;
    }
    const object = value as Record<string, unknown>;
    const at = line;
    return {
      line: at,
      get: (column) => {
        const cell = object[column];
        return typeof cell === 'string' || typeof cell === 'number' ? String(cell) : undefined;
      },
    };
  };
  for await (const piece of text) {
    buffered += piece;
    let newline: number;
    while ((newline = buffered.indexOf('\n')) >= 0) {
      const row = toRow(buffered.slice(0, newline));
      buffered = buffered.slice(newline + 1);
      if (row) yield row;
    }
  }
  if (buffered !== '') {
    const row = toRow(buffered);
    if (row) yield row;
  }
}

export const importPeople = async (
  store: Store,
  bytes: AsyncIterable<Uint8Array>,
  options: PeopleImportOptions,
): Promise<PeopleImportResult> => {
  const mapping: ColumnMapping = options.mapping ?? { email: ['email'] };
  if (mapping.email.length === 0)
    throw new LwError('LW_IMPORT_MAPPING', 'map at least one email column');
  const selectAfter = mapping.select ? Date.parse(mapping.select.after) : undefined;
  if (selectAfter !== undefined && Number.isNaN(selectAfter)) {
    throw new LwError('LW_VALIDATION', 'the selection date is not a valid date');
  }
  const incident = await store.getIncident(options.incidentId);
  if (!incident) throw new LwError('LW_NOT_FOUND', `no incident ${options.incidentId}`);

  const now = () => options.clock.now().toISOString();
  const batchSize = options.batchSize ?? 2000;
  const errors: RowError[] = [];
  const counts: ImportCounts = {
    rowsRead: 0,
    rowsImported: 0,
    rowsRejected: 0,
    rowsDuplicate: 0,
    rowsUnselected: 0,
  };
  const keyring = options.keyring;
  const languages = { unrecognised: 0 };

  const run = async (target: Store): Promise<string> => {
    const importId = await target.startImport(options.incidentId, options.actor, now());
    const header: string[] = [];
    const text = decodeText(bytes, options.encoding ?? 'utf-8');
    const rows = options.format === 'csv' ? csvRows(text, errors, header) : jsonlRows(text, errors);
    let batch: ImportedPerson[] = [];
    let checkedHeader = options.format !== 'csv';
    // One batch is written while the next one is read, hashed and encrypted; batches still reach
    // the database one after another, so each sees the people the previous one added.
    let inFlight: Promise<void> = Promise.resolve();
    let writeError: unknown;
    const flush = async (): Promise<void> => {
      const current = batch;
      batch = [];
      await inFlight;
      if (writeError) throw writeError;
      const write = async (s: Store) => {
        const result = await s.addPeople(options.incidentId, importId, current, now());
        if (mapping.language) await storePreferredLanguages(s, current);
        return result;
      };
      inFlight = (options.strict ? write(target) : target.transaction(write)).then(
        (result) => {
          counts.rowsImported += result.linked;
          counts.rowsDuplicate += result.duplicate;
        },
        (error: unknown) => {
          writeError = error;
        },
      );
    };
    try {
      for await (const row of rows) {
        if (!checkedHeader) {
          checkHeader(header, mapping);
          checkedHeader = true;
        }
        counts.rowsRead++;
        const person = toPerson(row, mapping, selectAfter, keyring, errors, languages);
        if (person === 'unselected') counts.rowsUnselected++;
        else if (person) {
          batch.push(person);
          if (batch.length >= batchSize) await flush();
        }
      }
      if (!checkedHeader) checkHeader(header, mapping);
      await flush();
      await inFlight;
      if (writeError) throw writeError;
    } finally {
      // Never leave a write running behind a failed read (strict mode would roll back under it).
      await inFlight;
    }
    // The parser reports malformed records as it reads ahead, so restore line order.
    errors.sort((a, b) => a.line - b.line);
    counts.rowsRejected = errors.length;
    if (options.strict && errors.length > 0) {
      throw new LwError(
        'LW_IMPORT_INVALID',
        `${errors.length} invalid row(s); nothing was imported (first: line ${errors[0]?.line}: ${errors[0]?.message})`,
        { errors: errors.slice(0, maxReportedErrors) },
      );
    }
    await target.finishImport(importId, counts, now());
    return importId;
  };

  const importId = options.strict ? await store.transaction(run) : await run(store);
  const affected = await store.refreshAffectedCount(options.incidentId, now());
  await store.appendEvent(
    options.incidentId,
    options.actor,
    'people.imported',
    { importId, ...counts, affected },
    now(),
  );
  return {
    importId,
    ...counts,
    affected,
    errors: errors.slice(0, maxReportedErrors),
    languagesUnrecognised: languages.unrecognised,
  };
};

type ImportedPerson = PersonDraft & { language?: NoticeLanguage };

const checkHeader = (header: string[], mapping: ColumnMapping): void => {
  const wanted = [...mapping.email, mapping.id, mapping.select?.column, mapping.language].filter(
    (c): c is string => !!c,
  );
  const missing = wanted.filter((c) => !header.includes(c));
  if (missing.length > 0) {
    throw new LwError('LW_IMPORT_MAPPING', `columns not in the header: ${missing.join(', ')}`);
  }
};

const toPerson = (
  row: Row,
  mapping: ColumnMapping,
  selectAfter: number | undefined,
  keyring: Keyring,
  errors: RowError[],
  languages: { unrecognised: number },
): ImportedPerson | 'unselected' | undefined => {
  if (mapping.select && selectAfter !== undefined) {
    const value = Date.parse(row.get(mapping.select.column)?.trim() ?? '');
    if (Number.isNaN(value)) {
      errors.push({ line: row.line, message: `column ${mapping.select.column}: not a date` });
      return undefined;
    }
    if (value < selectAfter) return 'unselected';
  }
  const emails: PersonDraft['emails'] = [];
  for (const column of mapping.email) {
    const raw = row.get(column)?.trim();
    if (!raw) continue;
    const normalized = normalizeEmail(raw);
    if (!normalized) {
      errors.push({ line: row.line, message: `column ${column}: not a valid email address` });
      return undefined;
    }
    const hash = hashEmail(keyring, normalized);
    if (emails.some((e) => e.hash === hash)) continue;
    const sealed = sealEmail(keyring, normalized);
    emails.push({ hash, sealed: sealed.value, keyId: sealed.keyId });
  }
  if (emails.length === 0) {
    errors.push({ line: row.line, message: 'no email address' });
    return undefined;
  }
  const id = mapping.id ? row.get(mapping.id)?.trim() : undefined;
  const person: ImportedPerson = {
    externalKey: id ? hashIdentifier(keyring, 'customer-id', id) : null,
    emails,
  };
  if (mapping.language) {
    const language = parsePreferredLanguage(row.get(mapping.language) ?? '');
    if (language) person.language = language;
    else languages.unrecognised++;
  }
  return person;
};
