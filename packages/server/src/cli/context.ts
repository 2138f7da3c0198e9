import {
  loadJurisdictions,
  loadOrCreateKeyring,
  resolveLocations,
  type Locations,
} from '../config.js';
import type { Keyring } from '../crypto/keys.js';
import type { Jurisdiction } from '../incidents/legal-clocks.js';
import { extensionMigrations, serverExtensions } from '../extensions.js';
import { openStore } from '../store/open-store.js';
import type { Store } from '../store/store.js';
import type { CliIo } from './io.js';

/** Options every command that touches the database accepts. */
export const storeOptions = {
  'data-dir': { type: 'string' },
  database: { type: 'string' },
  'key-file': { type: 'string' },
  jurisdictions: { type: 'string' },
  json: { type: 'boolean' },
} as const;

export interface CommandContext {
  store: Store;
  keyring: Keyring;
  keySource: 'env' | 'file';
  locations: Locations;
  jurisdictions: Jurisdiction[];
  close(): Promise<void>;
}

export const openContext = async (
  flags: {
    'data-dir'?: string | undefined;
    database?: string | undefined;
    'key-file'?: string | undefined;
    jurisdictions?: string | undefined;
  },
  io: CliIo,
): Promise<CommandContext> => {
  const jurisdictions = loadJurisdictions(
    flags.jurisdictions ?? io.env.LEAKWATCH_JURISDICTIONS,
    io.cwd,
  );
  const locations = resolveLocations(
    { dataDir: flags['data-dir'], database: flags.database, keyFile: flags['key-file'] },
    io.env,
    io.cwd,
  );
  const { keyring, source } = loadOrCreateKeyring(locations.keyFile, io.env, (m) =>
    io.stderr.write(m + '\n'),
  );
  const opened = await openStore(locations.database, {
    migrations: extensionMigrations(serverExtensions),
  });
  return {
    store: opened.store,
    keyring,
    keySource: source,
    locations,
    jurisdictions,
    close: opened.close,
  };
};

export const withContext = async <T>(
  flags: Parameters<typeof openContext>[0],
  io: CliIo,
  work: (ctx: CommandContext) => Promise<T>,
): Promise<T> => {
  const ctx = await openContext(flags, io);
  try {
    return await work(ctx);
  } finally {
    await ctx.close();
  }
};
