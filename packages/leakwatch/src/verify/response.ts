// Maps a provider's answer to live / invalid / unknown and pulls out the non-secret identity.
// Anything the definition did not anticipate is `unknown`, never a guess.

import type { VerificationStatus } from '../engine/types.js';
import type { IdentitySource, ResponseMatcher, VerifySpec } from './spec.js';

export interface ProviderResponse {
  status: number;
  headers: Headers;
  body: string;
}

export interface Outcome {
  status: VerificationStatus;
  reason: string | null;
  identity?: Record<string, unknown>;
}

const NOT_JSON = Symbol('not json');

function parseJson(body: string): unknown {
  try {
    return JSON.parse(body) as unknown;
  } catch {
    return NOT_JSON;
  }
}

export function jsonPath(root: unknown, path: string): unknown {
  let node = root;
  for (const key of path.split('.')) {
    if (Array.isArray(node) && /^\d+$/.test(key)) node = node[Number(key)];
    else if (typeof node === 'object' && node !== null && Object.hasOwn(node, key)) {
      node = (node as Record<string, unknown>)[key];
    } else return undefined;
  }
  return node;
}

const XML_ENTITIES: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
};

function xmlElement(body: string, name: string): string | undefined {
  const escaped = name.replace(/[^A-Za-z0-9_-]/g, '');
  const m = new RegExp(`<${escaped}>([^<]{0,2048})</${escaped}>`).exec(body);
  return m?.[1]?.replace(/&(amp|lt|gt|quot|apos);/g, (_, e: string) => XML_ENTITIES[e] ?? '');
}

function matches(m: ResponseMatcher, res: ProviderResponse, json: () => unknown): boolean {
  if (m.status && !m.status.includes(res.status)) return false;
  if (m.bodyContains && !m.bodyContains.some((s) => res.body.includes(s))) return false;
  if (m.jsonType) {
    const doc = json();
    const type = Array.isArray(doc)
      ? 'array'
      : typeof doc === 'object' && doc !== null
        ? 'object'
        : '';
    if (type !== m.jsonType) return false;
  }
  if (m.jsonExists) {
    const doc = json();
    if (doc === NOT_JSON) return false;
    if (!m.jsonExists.every((p) => jsonPath(doc, p) !== undefined && jsonPath(doc, p) !== null)) {
      return false;
    }
  }
  if (m.json) {
    const doc = json();
    if (doc === NOT_JSON) return false;
    for (const [path, expected] of Object.entries(m.json)) {
      const actual = jsonPath(doc, path);
      if (!expected.some((e) => e === actual)) return false;
    }
  }
  return true;
}

function scalarText(value: unknown): string | undefined {
  if (typeof value === 'string') return value.slice(0, 256);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

function extract(
  field: string,
  src: IdentitySource,
  res: ProviderResponse,
  json: () => unknown,
): unknown {
  let raw: unknown;
  if (src.from === 'header') raw = res.headers.get(src.path) ?? undefined;
  else if (src.from === 'xml') raw = xmlElement(res.body, src.path);
  else {
    const doc = json();
    raw = doc === NOT_JSON ? undefined : jsonPath(doc, src.path);
  }
  if (field !== 'scopes') return scalarText(raw);
  if (Array.isArray(raw)) {
    return raw.map(scalarText).filter((s): s is string => s !== undefined);
  }
  const text = scalarText(raw);
  return text === undefined ? undefined : text.split(/[\s,]+/).filter(Boolean);
}

export function retryAfterSeconds(headers: Headers, nowMs: number): number | undefined {
  const value = headers.get('retry-after');
  if (value === null) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim());
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - nowMs) / 1000));
}

export function evaluateResponse(spec: VerifySpec, res: ProviderResponse): Outcome {
  let cached: unknown;
  const json = (): unknown => (cached ??= parseJson(res.body));
  if (res.status === 429) return { status: 'unknown', reason: 'rate limited (HTTP 429)' };
  if (spec.live.some((m) => matches(m, res, json))) {
    const identity: Record<string, unknown> = {};
    for (const [field, src] of Object.entries(spec.identity)) {
      const value = extract(field, src, res, json);
      if (value !== undefined) identity[field] = value;
    }
    return Object.keys(identity).length > 0
      ? { status: 'live', reason: null, identity }
      : { status: 'live', reason: null };
  }
  if (spec.invalid.some((m) => matches(m, res, json))) {
    return { status: 'invalid', reason: `rejected by the provider (HTTP ${res.status})` };
  }
  if (res.status >= 300 && res.status < 400) {
    return { status: 'unknown', reason: `redirect not followed (HTTP ${res.status})` };
  }
  if (res.status >= 500)
    return { status: 'unknown', reason: `provider error (HTTP ${res.status})` };
  return { status: 'unknown', reason: `unexpected response (HTTP ${res.status})` };
}
