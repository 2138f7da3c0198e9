import type { Store } from '../store/store.js';
import { campaignDb } from './schema.js';

/**
 * A token bucket kept in the database, so that every worker of a campaign — in several processes
 * or on several machines — draws from one rate. Workers take tokens in small chunks (one row
 * lock per chunk, not per message); the row is locked with FOR UPDATE on PostgreSQL, and SQLite
 * serialises writers anyway.
 */
export const takeTokens = async (
  store: Store,
  name: string,
  ratePerSecond: number,
  want: number,
  nowMs: number,
): Promise<{ granted: number; waitMs: number }> => {
  const burst = Math.max(1, ratePerSecond);
  return store.transaction(async (tx) => {
    const db = campaignDb(tx);
    const select = () => {
      const query = db
        .selectFrom('campaign_buckets')
        .select(['tokens', 'updated_ms'])
        .where('name', '=', name);
      return (tx.dialect === 'postgres' ? query.forUpdate() : query).executeTakeFirst();
    };
    let row = await select();
    if (!row) {
      await db
        .insertInto('campaign_buckets')
        .values({ name, tokens: burst, updated_ms: nowMs })
        .onConflict((oc) => oc.column('name').doNothing())
        .execute();
      row = await select();
    }
    const last = Number(row?.updated_ms ?? nowMs);
    // A clock that went backwards (another machine's) must not mint tokens.
    const elapsed = Math.max(0, nowMs - last);
    const available = Math.min(
      burst,
      Number(row?.tokens ?? burst) + (elapsed * ratePerSecond) / 1000,
    );
    const granted = Math.max(0, Math.min(want, Math.floor(available)));
    await db
      .updateTable('campaign_buckets')
      .set({ tokens: available - granted, updated_ms: Math.max(nowMs, last) })
      .where('name', '=', name)
      .execute();
    const waitMs = granted > 0 ? 0 : Math.ceil(((1 - available) * 1000) / ratePerSecond);
    return { granted, waitMs };
  });
};
