import type { ScanResult } from '../engine/types.js';
import { presentResult } from './redact.js';
import type { ReportOptions } from './redact.js';

/** The documented JSON report (docs/report-format.md, schemas/report.schema.json). */
export function formatJson(result: ScanResult, opts: ReportOptions): string {
  return `${JSON.stringify(presentResult(result, opts.redact), null, 2)}\n`;
}
