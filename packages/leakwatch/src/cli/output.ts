import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { ScanResult } from '../engine/types.js';
import { FORMATS, formatReport } from '../report/index.js';
import type { Format } from '../report/index.js';
import type { TextOptions } from '../report/text.js';
import { UsageError } from './context.js';
import type { CliContext } from './context.js';

export const REPORT_OPTIONS = {
  format: { type: 'string', short: 'f', default: 'text' },
  output: { type: 'string', short: 'o' },
  redact: { type: 'boolean', default: true },
  'exit-code': { type: 'string' },
  quiet: { type: 'boolean', short: 'q', default: false },
} as const;

export function checkFormat(value: string | undefined): Format {
  const f = value ?? 'text';
  if (!(FORMATS as readonly string[]).includes(f))
    throw new UsageError(`--format must be one of ${FORMATS.join(', ')}, not '${f}'`);
  return f as Format;
}

export function findingsExitCode(value: string | undefined): number {
  if (value === undefined) return 1;
  if (!/^\d+$/.test(value) || Number(value) > 255)
    throw new UsageError(`--exit-code must be a number from 0 to 255, not '${value}'`);
  return Number(value);
}

/** Writes the report to --output (atomically enough: whole string) or stdout. */
export async function emitReport(
  result: ScanResult,
  ctx: CliContext,
  o: {
    format: Format;
    output?: string;
    redact: boolean;
    quiet: boolean;
    describeExposure?: TextOptions['describeExposure'];
  },
): Promise<void> {
  const color =
    o.output === undefined &&
    Boolean((ctx.stdout as { isTTY?: boolean }).isTTY) &&
    ctx.env.NO_COLOR === undefined;
  const text = formatReport(result, o.format, {
    redact: o.redact,
    color,
    describeExposure: o.describeExposure,
  });
  if (o.output !== undefined) {
    await writeFile(resolve(ctx.cwd, o.output), text);
    if (!o.quiet && o.format !== 'text')
      ctx.stderr.write(
        formatReport(result, 'text', {
          redact: true,
          color: false,
          describeExposure: o.describeExposure,
        })
          .split('\n')
          .slice(-2)
          .join('\n'),
      );
    else if (!o.quiet) ctx.stderr.write(text);
    return;
  }
  if (o.quiet && o.format === 'text') return;
  ctx.stdout.write(text);
}
