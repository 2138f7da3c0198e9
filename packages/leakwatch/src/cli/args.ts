import { parseArgs } from 'node:util';
import type { ParseArgsConfig } from 'node:util';
import { UsageError } from './context.js';

type Options = NonNullable<ParseArgsConfig['options']>;
type Parsed<O extends Options> = ReturnType<
  typeof parseArgs<{
    args: string[];
    options: O;
    allowPositionals: true;
    strict: true;
    allowNegative: true;
  }>
>;

/** node:util parseArgs with errors turned into UsageError (exit code 2, no stack trace). */
export function parse<O extends Options>(args: string[], options: O, usage: string): Parsed<O> {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true, allowNegative: true });
  } catch (e) {
    throw new UsageError(`${(e as Error).message}\n\nusage: ${usage}`);
  }
}

export function intOption(value: string | undefined, name: string, min = 0): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) < min)
    throw new UsageError(`--${name} must be a whole number >= ${min}, not '${value}'`);
  return Number(value);
}

const SIZE = /^(\d+(?:\.\d+)?)\s*(b|k|kb|kib|m|mb|mib|g|gb|gib)?$/i;

/** Parses sizes like 10MB, 512k, 2G (binary multiples). */
export function sizeOption(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const m = SIZE.exec(value.trim());
  if (!m) throw new UsageError(`--${name} must be a size like 10MB or 512k, not '${value}'`);
  const unit = (m[2] ?? 'b').toLowerCase()[0] as string;
  const mult = unit === 'k' ? 1024 : unit === 'm' ? 1024 ** 2 : unit === 'g' ? 1024 ** 3 : 1;
  return Math.floor(Number(m[1]) * mult);
}
