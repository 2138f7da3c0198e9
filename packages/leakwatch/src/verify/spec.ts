// The `[rules.verify]` table: a declarative liveness check (docs/verify.md). Validation is pure
// so the config validator can call it for every rule and collect every error in one pass.

export type HttpMethod = 'GET' | 'POST';

export type JsonScalar = string | number | boolean | null;

/** All given criteria must hold. */
export interface ResponseMatcher {
  status?: number[];
  /** Dot paths (`data.viewer.id`, `errors.0.code`) that must equal one of the listed values. */
  json?: Record<string, JsonScalar[]>;
  /** Dot paths that must hold a value other than null. */
  jsonExists?: string[];
  /** The body contains at least one of these strings. */
  bodyContains?: string[];
  /** The body parses as JSON of this type (for APIs that answer with a bare list). */
  jsonType?: 'object' | 'array';
}

export const IDENTITY_FIELDS = ['account', 'user', 'organization', 'scopes', 'tokenName'] as const;
export type IdentityField = (typeof IDENTITY_FIELDS)[number];

/** Where an identity value comes from: `json:<dot path>`, `header:<name>` or `xml:<element>`. */
export interface IdentitySource {
  from: 'json' | 'header' | 'xml';
  path: string;
}

export interface AwsSigV4Spec {
  scheme: 'aws-sigv4';
  accessKeyId: string;
  secretAccessKey: string;
  region: string;
  service: string;
}

export interface VerifySpec {
  hosts: string[];
  method: HttpMethod;
  url: string;
  headers: Record<string, string>;
  query: Record<string, string>;
  form?: Record<string, string>;
  json?: unknown;
  body?: string;
  basicAuth?: { username: string; password: string };
  sign?: AwsSigV4Spec;
  live: ResponseMatcher[];
  invalid: ResponseMatcher[];
  identity: Partial<Record<IdentityField, IdentitySource>>;
}

const KNOWN_KEYS = new Set([
  'hosts',
  'method',
  'url',
  'headers',
  'query',
  'form',
  'json',
  'body',
  'basicAuth',
  'sign',
  'live',
  'invalid',
  'identity',
]);
const MATCHER_KEYS = new Set(['status', 'json', 'jsonExists', 'bodyContains', 'jsonType']);
const PLACEHOLDER = /\{\{([^{}]*)\}\}/g;
const PART_ID = /^[a-z0-9-]+\.[a-z0-9-]+$/;
const HOSTNAME = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;
const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/;
// Headers the runtime sets itself; a definition may not override who we say we are.
const RESERVED_HEADERS = new Set(['host', 'user-agent', 'content-length', 'x-amz-date']);

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Placeholder names used in a template string: `secret` or `part:<ruleId>`. */
export function placeholdersIn(template: string): string[] {
  return [...template.matchAll(PLACEHOLDER)].map((m) => (m[1] ?? '').trim());
}

class Collector {
  readonly errors: string[] = [];
  usesSecret = false;
  constructor(private readonly where: string) {}

  error(field: string, message: string): void {
    if (this.where === '') this.errors.push(field ? `${field}: ${message}` : message);
    else this.errors.push(`${this.where}: verify${field ? `.${field}` : ''}: ${message}`);
  }

  template(field: string, value: unknown): string | undefined {
    if (typeof value !== 'string') {
      this.error(field, 'must be a string');
      return undefined;
    }
    // `}}` alone is fine (GraphQL: `{viewer{id}}`); a `{{` that is not a placeholder is a typo.
    if (value.replace(PLACEHOLDER, '').includes('{{')) {
      this.error(field, 'has an unbalanced placeholder');
    }
    for (const name of placeholdersIn(value)) {
      if (name === 'secret') this.usesSecret = true;
      else if (name.startsWith('part:') && PART_ID.test(name.slice(5))) continue;
      else
        this.error(field, `unknown placeholder {{${name}}} (use {{secret}} or {{part:<ruleId>}})`);
    }
    return value;
  }

  stringMap(field: string, value: unknown): Record<string, string> {
    if (value === undefined) return {};
    if (!isRecord(value)) {
      this.error(field, 'must be a table of strings');
      return {};
    }
    const out: Record<string, string> = {};
    for (const [key, item] of Object.entries(value)) {
      const text = this.template(`${field}.${key}`, item);
      if (text !== undefined) out[key] = text;
    }
    return out;
  }

  jsonTemplate(field: string, value: unknown): unknown {
    if (typeof value === 'string') return this.template(field, value);
    if (Array.isArray(value)) return value.map((v, i) => this.jsonTemplate(`${field}.${i}`, v));
    if (isRecord(value)) {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) out[k] = this.jsonTemplate(`${field}.${k}`, v);
      return out;
    }
    if (value === null || typeof value === 'number' || typeof value === 'boolean') return value;
    this.error(field, 'holds a value JSON cannot carry');
    return undefined;
  }
}

function validateHosts(c: Collector, raw: unknown): string[] {
  if (!Array.isArray(raw) || raw.length === 0) {
    c.error(
      'hosts',
      'is required: the API host(s) this check may contact, e.g. ["api.github.com"]',
    );
    return [];
  }
  const hosts: string[] = [];
  for (const host of raw) {
    if (typeof host !== 'string' || !HOSTNAME.test(host)) {
      c.error('hosts', `${JSON.stringify(host)} is not a lowercase DNS host name`);
    } else {
      hosts.push(host);
    }
  }
  return hosts;
}

function validateUrl(c: Collector, raw: unknown, hosts: string[]): string | undefined {
  const url = c.template('url', raw);
  if (url === undefined) return undefined;
  const origin = /^https:\/\/([^/?#]*)/.exec(url);
  if (!origin) {
    c.error('url', 'must start with https://');
    return undefined;
  }
  const authority = origin[1] ?? '';
  if (authority.includes('{{')) {
    c.error('url', 'the host may not contain placeholders');
    return undefined;
  }
  let parsed: URL;
  try {
    parsed = new URL(url.replace(PLACEHOLDER, 'x'));
  } catch {
    c.error('url', 'is not a valid URL');
    return undefined;
  }
  if (parsed.username || parsed.password || parsed.port) {
    c.error('url', 'may not carry credentials or a port');
  }
  if (!hosts.includes(parsed.hostname)) {
    c.error(
      'url',
      `host ${parsed.hostname} is not in verify.hosts (${hosts.join(', ') || 'none'})`,
    );
  }
  if (parsed.hash) c.error('url', 'may not have a #fragment');
  return url;
}

function validateHeaders(c: Collector, raw: unknown): Record<string, string> {
  const headers = c.stringMap('headers', raw);
  for (const name of Object.keys(headers)) {
    if (!HEADER_NAME.test(name)) c.error(`headers.${name}`, 'is not a valid header name');
    if (RESERVED_HEADERS.has(name.toLowerCase())) c.error(`headers.${name}`, 'is set by leakwatch');
  }
  return headers;
}

function asList<T>(value: T | T[]): T[] {
  return Array.isArray(value) ? value : [value];
}

function validateMatcher(c: Collector, field: string, raw: unknown): ResponseMatcher | undefined {
  if (!isRecord(raw)) {
    c.error(field, 'must be a table such as { status = [200], jsonExists = ["id"] }');
    return undefined;
  }
  if (Object.keys(raw).length === 0) {
    c.error(field, 'has no criteria');
    return undefined;
  }
  const matcher: ResponseMatcher = {};
  for (const key of Object.keys(raw)) {
    if (!MATCHER_KEYS.has(key)) c.error(`${field}.${key}`, 'is not a matcher field');
  }
  if (raw.status !== undefined) {
    const codes = asList(raw.status);
    if (!codes.every((s) => Number.isInteger(s) && (s as number) >= 100 && (s as number) <= 599)) {
      c.error(`${field}.status`, 'must be HTTP status codes');
    } else {
      matcher.status = codes as number[];
    }
  }
  if (raw.json !== undefined) {
    if (!isRecord(raw.json)) {
      c.error(`${field}.json`, 'must be a table of { "dot.path" = value or [values] }');
    } else {
      const json: Record<string, JsonScalar[]> = {};
      for (const [path, expected] of Object.entries(raw.json)) {
        const values = asList(expected);
        if (
          !values.every((v) => v === null || ['string', 'number', 'boolean'].includes(typeof v))
        ) {
          c.error(`${field}.json.${path}`, 'must be a scalar or a list of scalars');
        } else {
          json[path] = values as JsonScalar[];
        }
      }
      matcher.json = json;
    }
  }
  if (raw.jsonType !== undefined) {
    if (raw.jsonType !== 'object' && raw.jsonType !== 'array') {
      c.error(`${field}.jsonType`, 'must be "object" or "array"');
    } else {
      matcher.jsonType = raw.jsonType;
    }
  }
  for (const key of ['jsonExists', 'bodyContains'] as const) {
    if (raw[key] === undefined) continue;
    const values = asList(raw[key]);
    if (values.length === 0 || !values.every((v) => typeof v === 'string' && v.length > 0)) {
      c.error(`${field}.${key}`, 'must be a non-empty string or list of strings');
    } else {
      matcher[key] = values as string[];
    }
  }
  return matcher;
}

function validateMatchers(
  c: Collector,
  field: 'live' | 'invalid',
  raw: unknown,
): ResponseMatcher[] {
  if (raw === undefined) {
    c.error(field, 'is required');
    return [];
  }
  const items = Array.isArray(raw) ? raw : [raw];
  if (items.length === 0) c.error(field, 'is empty');
  const out: ResponseMatcher[] = [];
  items.forEach((item, i) => {
    const m = validateMatcher(c, Array.isArray(raw) ? `${field}.${i}` : field, item);
    if (!m) return;
    // A bare status proves nothing: captive portals and proxies answer 200 too.
    if (field === 'live' && !m.json && !m.jsonExists && !m.bodyContains && !m.jsonType) {
      c.error(
        field,
        'each live matcher needs a body criterion (json, jsonExists, jsonType or bodyContains)',
      );
    }
    if (m.status?.includes(429)) c.error(`${field}.status`, '429 always means "rate limited"');
    out.push(m);
  });
  return out;
}

function validateIdentity(c: Collector, raw: unknown): VerifySpec['identity'] {
  if (raw === undefined) return {};
  if (!isRecord(raw)) {
    c.error('identity', 'must be a table such as { user = "json:login" }');
    return {};
  }
  const out: VerifySpec['identity'] = {};
  for (const [key, value] of Object.entries(raw)) {
    if (!(IDENTITY_FIELDS as readonly string[]).includes(key)) {
      c.error(`identity.${key}`, `is not an identity field (${IDENTITY_FIELDS.join(', ')})`);
      continue;
    }
    const m = typeof value === 'string' ? /^(json|header|xml):(.+)$/.exec(value) : null;
    if (!m) {
      c.error(`identity.${key}`, 'must be "json:<path>", "header:<name>" or "xml:<element>"');
      continue;
    }
    out[key as IdentityField] = { from: m[1] as IdentitySource['from'], path: m[2] ?? '' };
  }
  return out;
}

function validateSign(c: Collector, raw: unknown): AwsSigV4Spec | undefined {
  if (raw === undefined) return undefined;
  if (!isRecord(raw) || raw.scheme !== 'aws-sigv4') {
    c.error('sign', 'only { scheme = "aws-sigv4", ... } is supported');
    return undefined;
  }
  const field = (name: string): string => {
    const value = c.template(`sign.${name}`, raw[name]);
    return value ?? '';
  };
  const spec: AwsSigV4Spec = {
    scheme: 'aws-sigv4',
    accessKeyId: field('accessKeyId'),
    secretAccessKey: field('secretAccessKey'),
    region: field('region'),
    service: field('service'),
  };
  if (!/^[a-z0-9-]+$/.test(spec.region) || !/^[a-z0-9-]+$/.test(spec.service)) {
    c.error('sign', 'region and service must be literal AWS names');
  }
  return spec;
}

/**
 * Validates a rule's raw `verify` table. `where` prefixes every error (file and rule id); with an
 * empty `where` the messages are bare (`url: ...`), for callers that add their own context.
 * Returns the normalized spec only when there are no errors.
 */
export function validateVerifySpec(
  raw: unknown,
  where: string,
): { spec?: VerifySpec; errors: string[] } {
  const c = new Collector(where);
  if (!isRecord(raw)) {
    c.error('', 'must be a table');
    return { errors: c.errors };
  }
  for (const key of Object.keys(raw)) {
    if (!KNOWN_KEYS.has(key)) c.error(key, 'is not a verify field');
  }
  const hosts = validateHosts(c, raw.hosts);
  const method = raw.method ?? 'GET';
  if (method !== 'GET' && method !== 'POST') {
    c.error('method', 'must be GET or POST (checks are read-only identity calls)');
  }
  const url = validateUrl(c, raw.url, hosts);
  const headers = validateHeaders(c, raw.headers);
  const query = c.stringMap('query', raw.query);
  const bodies = ['form', 'json', 'body'].filter((k) => raw[k] !== undefined);
  if (bodies.length > 1) c.error(bodies.join('/'), 'give at most one of form, json and body');
  if (bodies.length === 1 && method === 'GET')
    c.error(bodies[0] ?? 'body', 'needs method = "POST"');
  const form = raw.form === undefined ? undefined : c.stringMap('form', raw.form);
  const json = raw.json === undefined ? undefined : c.jsonTemplate('json', raw.json);
  const body = raw.body === undefined ? undefined : c.template('body', raw.body);
  let basicAuth: VerifySpec['basicAuth'];
  if (raw.basicAuth !== undefined) {
    const b = raw.basicAuth;
    if (!isRecord(b)) c.error('basicAuth', 'must be { username = "...", password = "..." }');
    else {
      basicAuth = {
        username: c.template('basicAuth.username', b.username) ?? '',
        password: c.template('basicAuth.password', b.password ?? '') ?? '',
      };
    }
  }
  const sign = validateSign(c, raw.sign);
  if (
    sign &&
    (basicAuth || Object.keys(headers).some((h) => h.toLowerCase() === 'authorization'))
  ) {
    c.error('sign', 'a signed request may not also set Authorization');
  }
  const live = validateMatchers(c, 'live', raw.live);
  const invalid = validateMatchers(c, 'invalid', raw.invalid);
  const identity = validateIdentity(c, raw.identity);
  if (!c.usesSecret) c.error('', 'never sends {{secret}}, so it cannot check it');

  if (c.errors.length > 0 || url === undefined) return { errors: c.errors };
  const spec: VerifySpec = {
    hosts,
    method: method as HttpMethod,
    url,
    headers,
    query,
    live,
    invalid,
    identity,
  };
  if (form) spec.form = form;
  if (json !== undefined) spec.json = json;
  if (body !== undefined) spec.body = body;
  if (basicAuth) spec.basicAuth = basicAuth;
  if (sign) spec.sign = sign;
  return { spec, errors: [] };
}

/** Rule ids referenced by `{{part:<id>}}` anywhere in the spec. */
export function partsUsed(spec: VerifySpec): string[] {
  const texts: string[] = [spec.url, ...Object.values(spec.headers), ...Object.values(spec.query)];
  if (spec.form) texts.push(...Object.values(spec.form));
  if (spec.json !== undefined) texts.push(JSON.stringify(spec.json));
  if (spec.body !== undefined) texts.push(spec.body);
  if (spec.basicAuth) texts.push(spec.basicAuth.username, spec.basicAuth.password);
  if (spec.sign) texts.push(spec.sign.accessKeyId, spec.sign.secretAccessKey);
  const ids = texts.flatMap(placeholdersIn).filter((n) => n.startsWith('part:'));
  return [...new Set(ids.map((n) => n.slice(5)))];
}

/** The config validator's `VerifyValidator` hook: bare messages, the caller adds file and rule. */
export function verifyTableErrors(raw: unknown): string[] {
  return validateVerifySpec(raw, '').errors;
}
