// Core vocabulary shared by every layer (see docs/architecture.md).

export type Severity = 'critical' | 'high' | 'medium' | 'low';

export const SEVERITIES: readonly Severity[] = ['critical', 'high', 'medium', 'low'];

/** Where bytes came from. */
export type Provenance =
  | { kind: 'file'; path: string }
  | { kind: 'stdin'; path?: string }
  | {
      kind: 'git';
      repo: string;
      /** blob sha, or commit/tag sha for messages */
      object: string;
      objectType: 'blob' | 'commit' | 'tag';
      /** a path the blob was seen under (blobs only) */
      path?: string;
      commit?: string;
    };

/** A piece of bytes to scan, with where it came from. */
export interface Chunk {
  bytes: Uint8Array;
  provenance: Provenance;
  /** Byte offset of `bytes` inside the whole object (large files are read in overlapping chunks). */
  offset?: number;
  /** 1-based line number of the first byte of `bytes` inside the whole object. */
  firstLine?: number;
}

export type RegexTarget = 'secret' | 'match' | 'line';

export interface Allowlist {
  description?: string;
  condition: 'OR' | 'AND';
  regexTarget: RegexTarget;
  regexes: RegExp[];
  paths: RegExp[];
  stopwords: string[];
  commits: string[];
  /** Global allowlists only: restrict to these rule ids (empty = all rules). */
  targetRules: string[];
}

export interface RequiredPart {
  id: string;
  withinLines?: number;
  withinColumns?: number;
}

export interface RuleExample {
  text: string;
  secret: string;
}

/** A rule as loaded from TOML, before compilation. */
export interface RuleSpec {
  id: string;
  description: string;
  regex?: string;
  secretGroup?: number;
  keywords: string[];
  entropy?: number;
  path?: string;
  tags: string[];
  allowlists: AllowlistSpec[];
  required: RequiredPart[];
  provider?: string;
  severity: Severity;
  examples: RuleExample[];
  negatives: string[];
  references: string[];
  revoke?: string;
  validate?: string;
  window?: number;
  verify?: Record<string, unknown>;
  /** Where the rule was defined, for error messages. */
  source: string;
  /**
   * builtin: shipped with leakwatch; user: named by --config or LEAKWATCH_CONFIG; repository: found
   * in the scanned tree. Only builtin and user rules may carry verification requests.
   */
  origin?: 'builtin' | 'user' | 'repository';
}

export interface AllowlistSpec {
  description?: string;
  condition?: 'OR' | 'AND';
  regexTarget?: RegexTarget;
  regexes?: string[];
  paths?: string[];
  stopwords?: string[];
  commits?: string[];
  targetRules?: string[];
}

/** One occurrence of a rule's secret at one location. */
export interface Match {
  ruleId: string;
  secret: string;
  /** The whole regex match. */
  match: string;
  provenance: Provenance;
  /** Byte offsets in the whole object. */
  start: number;
  end: number;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  /** The line holding the match start (truncated), for snippets and `line` allowlists. */
  lineText: string;
  /** Set when the secret was found inside an encoded string (base64, url, json-escape). */
  encoding?: string;
  entropy: number;
}

export interface Location {
  path?: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  snippet: string;
  encoding?: string;
  commit?: string;
  blob?: string;
  objectType?: 'blob' | 'commit' | 'tag';
}

export interface FindingPart {
  ruleId: string;
  secret: string;
  location: Location;
}

/** One secret (rule + secret) with all of its locations. */
export interface Finding {
  fingerprint: string;
  ruleId: string;
  provider: string;
  description: string;
  severity: Severity;
  secret: string;
  entropy: number;
  locations: Location[];
  parts: FindingPart[];
  references: string[];
  revoke?: string;
  git?: GitProvenance;
  verification?: Verification;
}

export interface GitIdentity {
  name: string;
  email: string;
}

export interface GitProvenance {
  introduced: {
    commit: string;
    author: GitIdentity;
    authorDate: string;
    committerDate: string;
    datesDisagree: boolean;
    atShallowBoundary: boolean;
  };
  paths: string[];
  removedIn: string[];
  presentAtRefs: string[];
  reachable: boolean;
  exposure: {
    from: string;
    removedFromAllTipsAt: string | null;
    stillAtTips: string[];
    days: number;
  };
}

export type VerificationStatus = 'live' | 'invalid' | 'unknown';

export interface Verification {
  status: VerificationStatus;
  reason: string | null;
  identity?: Record<string, unknown>;
  checkedAt: string;
}

export interface ScanError {
  code: string;
  path?: string;
  message: string;
}

export interface ScanSummary {
  findings: number;
  bySeverity: Record<Severity, number>;
  filesScanned: number;
  bytesScanned: number;
  skipped: { binary: number; tooLarge: number; unreadable: number; ignored: number };
  allowlisted: number;
  baselined: number;
  durationMs: number;
}

export interface ScanResult {
  schemaVersion: 1;
  /** git scans: the scanned repository (origin URL without credentials, HEAD, branch). */
  repository?: { uri?: string; revisionId?: string; branch?: string };
  tool: { name: 'leakwatch'; version: string };
  command: string;
  scannedAt: string;
  targets: string[];
  summary: ScanSummary;
  findings: Finding[];
  errors: ScanError[];
  staleIgnores: string[];
}
