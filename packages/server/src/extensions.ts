import type { FastifyInstance } from 'fastify';
import type { Migration } from 'kysely';
import { campaignExtension } from './campaign/extension.js';
import type { Command } from './cli/commands.js';
import type { AppContext } from './context.js';

/**
 * How a module plugs into the server without editing its core files: its own migrations (named
 * 01xx-… so they sort after the core's 00xx-…), its routes, and its CLI subcommands. The campaign
 * module (src/campaign/) registers itself in `serverExtensions` below.
 */
export interface ServerExtension {
  name: string;
  migrations?: Record<string, Migration>;
  routes?: (app: FastifyInstance, ctx: AppContext) => void;
  commands?: Record<string, Command>;
  /** Lines for `leakwatch-server --help` describing its subcommands. */
  usage?: string;
}

export const serverExtensions: ServerExtension[] = [campaignExtension];

export const extensionMigrations = (extensions: ServerExtension[]): Record<string, Migration> =>
  Object.assign({}, ...extensions.map((e) => e.migrations ?? {}));
