/**
 * Every error the server reports has a stable `LW_*` code. docs/errors.md documents each one and a
 * test keeps the two in sync, so adding a code here without documenting it fails the build.
 */
export const errorCodes = {
  LW_BAD_REQUEST: { status: 400, summary: 'The request body or parameters are malformed.' },
  LW_VALIDATION: { status: 400, summary: 'The input is well-formed but has invalid values.' },
  LW_REPORT_INVALID: {
    status: 400,
    summary: 'The uploaded document is not a leakwatch JSON report.',
  },
  LW_REPORT_VERSION: {
    status: 400,
    summary: 'The report has a schemaVersion this server does not read.',
  },
  LW_IMPORT_INVALID: {
    status: 400,
    summary: 'A people import had invalid rows and ran with --strict.',
  },
  LW_IMPORT_MAPPING: { status: 400, summary: 'The column mapping does not match the file header.' },
  LW_UNAUTHENTICATED: { status: 401, summary: 'The API token is missing, unknown or revoked.' },
  LW_FORBIDDEN: { status: 403, summary: 'The token\u2019s role may not perform this action.' },
  LW_CSRF: { status: 403, summary: 'A form was posted without a valid anti-forgery token.' },
  LW_NOT_FOUND: { status: 404, summary: 'No such incident, notice or route.' },
  LW_INVALID_TRANSITION: {
    status: 409,
    summary: 'The incident\u2019s status does not allow this action.',
  },
  LW_PAYLOAD_TOO_LARGE: { status: 413, summary: 'The request body exceeds the configured limit.' },
  LW_UNSUPPORTED_MEDIA: {
    status: 415,
    summary: 'The request has a content type this route does not accept.',
  },
  LW_RATE_LIMITED: {
    status: 429,
    summary: 'Too many requests from this client or for this address.',
  },
  LW_KEYS: {
    status: 500,
    summary: 'The encryption/HMAC keys are missing, malformed or do not match the data.',
  },
  LW_DATABASE: { status: 500, summary: 'The database could not be opened or migrated.' },
  LW_INTERNAL: { status: 500, summary: 'An unexpected error; details are in the server log.' },
  LW_USAGE: {
    status: 400,
    summary: 'leakwatch-server was called with unknown or missing arguments.',
  },
} as const;

export type ErrorCode = keyof typeof errorCodes;

export class LwError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly details: unknown;

  constructor(code: ErrorCode, message: string, details?: unknown) {
    super(message);
    this.name = 'LwError';
    this.code = code;
    this.status = errorCodes[code].status;
    this.details = details;
  }
}

export const isLwError = (value: unknown): value is LwError => value instanceof LwError;
