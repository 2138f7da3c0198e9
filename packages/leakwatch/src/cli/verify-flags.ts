import { appendFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { LoadedConfig } from '../config/load.js';
import type { ScanResult } from '../engine/types.js';
import { UsageError, write } from './context.js';
import type { CliContext } from './context.js';

/** Flags shared by `scan` and `git` for opt-in verification. */
export const VERIFY_OPTIONS = {
  verify: { type: 'boolean', default: false },
  'verify-cache': { type: 'string' },
  'verify-log': { type: 'string' },
  'fail-on': { type: 'string', default: 'any' },
} as const;

export interface VerifyFlagValues {
  verify?: boolean;
  'verify-cache'?: string | boolean;
  'verify-log'?: string;
  'fail-on'?: string;
}

export function checkFailOn(value: string | undefined): 'any' | 'live' {
  if (value === undefined || value === 'any') return 'any';
  if (value === 'live') return 'live';
  throw new UsageError(`--fail-on must be 'any' or 'live', not '${value}'`);
}

function cacheDir(values: VerifyFlagValues, ctx: CliContext): string | undefined {
  const flag = values['verify-cache'];
  if (flag === 'off' || flag === 'none') return undefined;
  if (typeof flag === 'string') return resolve(ctx.cwd, flag);
  const base = ctx.env.XDG_CACHE_HOME ?? (ctx.env.HOME ? join(ctx.env.HOME, '.cache') : undefined);
  return base ? join(base, 'leakwatch') : undefined;
}

/** Runs verification when --verify was given; otherwise returns the result unchanged. */
export async function applyVerifyFlags(
  result: ScanResult,
  config: LoadedConfig,
  values: VerifyFlagValues,
  ctx: CliContext,
): Promise<ScanResult> {
  if (!values.verify) {
    if (values['fail-on'] === 'live') throw new UsageError('--fail-on live needs --verify');
    return result;
  }
  // Loaded only when asked for: verification code is not on the start-up path of a plain scan.
  const { verifyResult } = await import('../verification.js');
  const logFile =
    values['verify-log'] !== undefined ? resolve(ctx.cwd, values['verify-log']) : undefined;
  const out = await verifyResult(result, config, {
    now: ctx.now,
    cacheDir: cacheDir(values, ctx),
    log: logFile ? (entry) => appendFileSync(logFile, `${JSON.stringify(entry)}\n`) : undefined,
  });
  if (out.untrusted.length > 0) {
    write(
      ctx.stderr,
      `warning: verification definitions from the scanned repository are ignored (rules: ${out.untrusted.join(', ')}); pass --config to trust a config`,
    );
  }
  return out.result;
}

/** Exit code for the findings: with --fail-on live, only live findings fail. */
export function findingsFail(result: ScanResult, failOn: 'any' | 'live'): boolean {
  if (failOn === 'live') return result.findings.some((f) => f.verification?.status === 'live');
  return result.findings.length > 0;
}
