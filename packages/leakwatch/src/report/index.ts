import type { ScanResult } from '../engine/types.js';
import { formatCsv } from './csv.js';
import { formatJson } from './json.js';
import { formatSarif } from './sarif.js';
import { formatText } from './text.js';
import type { TextOptions } from './text.js';

export const FORMATS = ['text', 'json', 'sarif', 'csv'] as const;
export type Format = (typeof FORMATS)[number];

export function formatReport(result: ScanResult, format: Format, opts: TextOptions): string {
  switch (format) {
    case 'json':
      return formatJson(result, opts);
    case 'sarif':
      return formatSarif(result, opts);
    case 'csv':
      return formatCsv(result, opts);
    case 'text':
      return formatText(result, opts);
  }
}

export { formatCsv, formatJson, formatSarif, formatText };
export { redactSecret } from './redact.js';
