import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, SqliteDialect, type Migration } from 'kysely';
import pg from 'pg';
import { LwError } from '../errors.js';
import type { DialectName } from './dialect.js';
import * as core0001 from './migrations/0001-core.js';
import * as campaign0100 from './migrations/0100-campaign.js';
import * as personLanguage0101 from './migrations/0101-person-language.js';
import * as campaignFallback0102 from './migrations/0102-campaign-fallback.js';
import type { Database } from './schema.js';

/**
 * Migrations by name, applied in name order: the core schema uses 00xx, the campaign module
 * (src/campaign/) 01xx. Both are listed here, because Kysely refuses to open a database whose
 * history holds a migration the caller did not pass: every entry point must know all of them.
 */
export const coreMigrations: Record<string, Migration> = {
  '0001-core': core0001,
  // Listed here rather than only through an extension: Kysely refuses to open a database whose
  // history has a migration the caller did not pass, so every open must know this one.
  '0100-campaign': campaign0100,
  '0101-person-language': personLanguage0101,
  '0102-campaign-fallback': campaignFallback0102,
};

export interface OpenedDatabase {
  db: Kysely<Database>;
  dialect: DialectName;
  close(): Promise<void>;
}

// PostgreSQL returns int8 (bigserial keys, count(*)) as strings; every such value here fits a JS
// number, and returning numbers keeps both dialects' results identical.
const pgTypes = {
  getTypeParser: (oid: number, format?: string) =>
    oid === 20 ? (value: string) => Number(value) : pg.types.getTypeParser(oid, format as 'text'),
};

/** `url` is a postgres:// URL or a path to an SQLite file (":memory:" for tests). */
export const openDatabase = async (
  url: string,
  options: { migrations?: Record<string, Migration>; poolSize?: number } = {},
): Promise<OpenedDatabase> => {
  let db: Kysely<Database>;
  let dialect: DialectName;
  try {
    if (/^postgres(ql)?:\/\//.test(url)) {
      const pool = new pg.Pool({
        connectionString: url,
        max: options.poolSize ?? 10,
        types: pgTypes,
      });
      db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
      dialect = 'postgres';
    } else {
      // The directory is private: the database holds sealed addresses and their lookup hashes.
      if (url !== ':memory:') mkdirSync(dirname(url), { recursive: true, mode: 0o700 });
      const sqlite = new SQLite(url);
      // WAL lets readers (the public pages) proceed while an import writes; foreign keys are off
      // by default in SQLite and on in PostgreSQL, so turn them on to make both behave the same.
      sqlite.pragma('journal_mode = WAL');
      sqlite.pragma('synchronous = NORMAL');
      sqlite.pragma('foreign_keys = ON');
      sqlite.pragma('busy_timeout = 5000');
      // A 64 MiB page cache keeps the indexes of a 300k-person import in memory.
      sqlite.pragma('cache_size = -65536');
      db = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
      dialect = 'sqlite';
    }
    await migrate(db, { ...coreMigrations, ...options.migrations });
  } catch (error) {
    if (error instanceof LwError) throw error;
    throw new LwError('LW_DATABASE', `cannot open database: ${(error as Error).message}`);
  }
  return { db, dialect, close: () => db.destroy() };
};

const migrate = async (
  db: Kysely<Database>,
  migrations: Record<string, Migration>,
): Promise<void> => {
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => migrations },
    migrationTableName: 'leakwatch_migrations',
    migrationLockTableName: 'leakwatch_migrations_lock',
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new LwError('LW_DATABASE', `migration ${failed} failed: ${(error as Error).message}`);
  }
};
