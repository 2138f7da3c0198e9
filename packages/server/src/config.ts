import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { generateKeyring, parseKeyring, serializeKeyring, type Keyring } from './crypto/keys.js';
import { LwError } from './errors.js';
import {
  defaultJurisdictions,
  parseJurisdictions,
  type Jurisdiction,
} from './incidents/legal-clocks.js';

/**
 * Where the server keeps its state, resolved in a documented order: flag, then env, then the
 * default data directory `./leakwatch-data` (docs/server.md). Used by main.ts and the CLI, which
 * pass in the env they read; nothing here reads `process`.
 */
export interface Locations {
  dataDir: string;
  database: string;
  keyFile: string;
}

export const resolveLocations = (
  flags: {
    dataDir?: string | undefined;
    database?: string | undefined;
    keyFile?: string | undefined;
  },
  env: Record<string, string | undefined>,
  cwd: string,
): Locations => {
  const dataDir = resolve(cwd, flags.dataDir ?? env.LEAKWATCH_DATA_DIR ?? 'leakwatch-data');
  return {
    dataDir,
    database: flags.database ?? env.LEAKWATCH_DATABASE_URL ?? join(dataDir, 'leakwatch.sqlite'),
    keyFile: resolve(cwd, flags.keyFile ?? env.LEAKWATCH_KEY_FILE ?? join(dataDir, 'keys.json')),
  };
};

/**
 * The keyring from LEAKWATCH_KEYS (the key file's JSON, for deployments that inject secrets as
 * env) or the key file; on first start a key file is generated (mode 0600) and `notice` says so.
 */
export const loadOrCreateKeyring = (
  keyFile: string,
  env: Record<string, string | undefined>,
  notice: (message: string) => void,
): { keyring: Keyring; source: 'env' | 'file' } => {
  if (env.LEAKWATCH_KEYS) return { keyring: parseKeyring(env.LEAKWATCH_KEYS), source: 'env' };
  if (existsSync(keyFile))
    return { keyring: parseKeyring(readFileSync(keyFile, 'utf8')), source: 'file' };
  const keyring = generateKeyring();
  writeKeyFile(keyFile, keyring);
  notice(
    `leakwatch-server: generated new keys in ${keyFile}. Back this file up and keep it secret: ` +
      'without it the stored addresses can neither be looked up nor decrypted.',
  );
  return { keyring, source: 'file' };
};

export const writeKeyFile = (keyFile: string, keyring: Keyring): void => {
  mkdirSync(dirname(keyFile), { recursive: true, mode: 0o700 });
  writeFileSync(keyFile, serializeKeyring(keyring), { mode: 0o600 });
  chmodSync(keyFile, 0o600);
};

/** The built-in jurisdictions plus those in the JSON file `file` (flag or LEAKWATCH_JURISDICTIONS). */
export const loadJurisdictions = (file: string | undefined, cwd: string): Jurisdiction[] => {
  if (file === undefined) return defaultJurisdictions;
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(resolve(cwd, file), 'utf8'));
  } catch (error) {
    throw new LwError(
      'LW_VALIDATION',
      `cannot read jurisdictions from ${file}: ${(error as Error).message}`,
    );
  }
  const { jurisdictions, errors } = parseJurisdictions(json);
  if (errors.length > 0) throw new LwError('LW_VALIDATION', `${file}: ${errors.join('; ')}`);
  return jurisdictions;
};
