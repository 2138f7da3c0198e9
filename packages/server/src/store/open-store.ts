import type { Migration } from 'kysely';
import { openDatabase } from './database.js';
import { Store } from './store.js';

export interface OpenedStore {
  store: Store;
  close(): Promise<void>;
}

/** Opens (and migrates) the database at `url` and wraps it in a Store. */
export const openStore = async (
  url: string,
  options: { migrations?: Record<string, Migration>; poolSize?: number } = {},
): Promise<OpenedStore> => {
  const opened = await openDatabase(url, options);
  return { store: new Store(opened.db, opened.dialect), close: opened.close };
};
