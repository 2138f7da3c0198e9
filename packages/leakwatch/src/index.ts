// The public API of the `leakwatch` package. Everything else is internal.
export { scan, DEFAULT_MAX_FILE_SIZE } from './scan.js';
export type { ScanOptions, Progress } from './scan.js';
export { loadConfig, loadBuiltinRules, parseConfigText, ConfigError } from './config/load.js';
export type { LoadedConfig, LoadOptions } from './config/load.js';
export type { ConfigIssue } from './config/validate.js';
export {
  formatReport,
  formatJson,
  formatSarif,
  formatCsv,
  formatText,
  redactSecret,
  FORMATS,
} from './report/index.js';
export type { Format } from './report/index.js';
export { run } from './cli/main.js';
export type { CliContext } from './cli/context.js';
export type {
  Chunk,
  Finding,
  FindingPart,
  GitProvenance,
  Location,
  Match,
  Provenance,
  RuleSpec,
  ScanError,
  ScanResult,
  ScanSummary,
  Severity,
  Verification,
  VerificationStatus,
} from './engine/types.js';
export { VERSION } from './version.js';

/** The JSON report's schemaVersion this build writes (and the server ingests). */
export const REPORT_SCHEMA_VERSION = 1;
