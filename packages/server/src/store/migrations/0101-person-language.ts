import type { Kysely } from 'kysely';

/**
 * A person's preferred notice language (`ja` or `en`), captured at people import when a column is
 * mapped to it (docs/campaign.md, "Languages"). Nullable and unused by the core: on the `people`
 * row so that the core's retention purge removes it with the person.
 */
export const up = async (db: Kysely<unknown>): Promise<void> => {
  await db.schema.alterTable('people').addColumn('language', 'text').execute();
};
