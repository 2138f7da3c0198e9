import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openStore, type OpenedStore } from '../../src/store/open-store.js';

/**
 * The two databases every store contract test runs on. PostgreSQL comes from LEAKWATCH_TEST_PG
 * (exported by `.ci/server-setup.sh`); each test file gets its own scratch database, dropped after.
 * There is no skip: without PostgreSQL these tests fail and say how to start it.
 */
const defaultPgUrl = 'postgres://leakwatch:leakwatch@127.0.0.1:5432/leakwatch';

export interface TestDatabase {
  name: 'sqlite' | 'postgres';
  open(): Promise<OpenedStore>;
}

const withDatabase = (url: string, database: string): string => {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
};

const adminQuery = async (sql: string): Promise<void> => {
  const client = new pg.Client({ connectionString: process.env.LEAKWATCH_TEST_PG ?? defaultPgUrl });
  try {
    await client.connect();
  } catch (error) {
    throw new Error(
      `PostgreSQL is not reachable (${(error as Error).message}); run "source .ci/server-setup.sh" to install and start it`,
      { cause: error },
    );
  }
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
};

export const postgresDatabase = (): TestDatabase & { drop(): Promise<void> } => {
  const created: string[] = [];
  return {
    name: 'postgres',
    open: async () => {
      const name = `lw_test_${randomBytes(6).toString('hex')}`;
      await adminQuery(`CREATE DATABASE ${name}`);
      created.push(name);
      return openStore(withDatabase(process.env.LEAKWATCH_TEST_PG ?? defaultPgUrl, name), {
        poolSize: 4,
      });
    },
    drop: async () => {
      for (const name of created.splice(0))
        await adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    },
  };
};

export const sqliteDatabase = (): TestDatabase => ({
  name: 'sqlite',
  open: () => openStore(':memory:'),
});
