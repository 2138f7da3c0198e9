import { PostgresAdapter, type CreateTableBuilder, type Kysely } from 'kysely';

export type DialectName = 'sqlite' | 'postgres';

export const dialectOf = (db: Kysely<unknown>): DialectName =>
  db.getExecutor().adapter instanceof PostgresAdapter ? 'postgres' : 'sqlite';

/**
 * The one DDL difference between the two databases that the schema needs: an ever-increasing
 * integer key (append-only logs are ordered by it, not by timestamps that can tie).
 */
export const serialPrimaryKey = <T extends string>(
  builder: CreateTableBuilder<T, never>,
  db: Kysely<unknown>,
  column: string,
): CreateTableBuilder<T, string> =>
  dialectOf(db) === 'postgres'
    ? builder.addColumn(column, 'bigserial', (c) => c.primaryKey())
    : builder.addColumn(column, 'integer', (c) => c.primaryKey().autoIncrement());
