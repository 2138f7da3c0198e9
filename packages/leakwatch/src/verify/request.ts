// Turns a VerifySpec and a finding into one concrete HTTP request. The secret is substituted
// only into the path, query, headers and body, always encoded for where it lands, so no value
// can move the request to another host; the host is checked again after rendering.

import type { Finding } from '../engine/types.js';
import { signSigV4 } from './sigv4.js';
import type { VerifySpec } from './spec.js';

export interface BuiltRequest {
  method: string;
  url: URL;
  headers: Record<string, string>;
  body?: string;
}

export class RequestBuildError extends Error {}

type Values = (name: string) => string;

function valuesFor(finding: Pick<Finding, 'secret' | 'parts'>): Values {
  return (name) => {
    if (name === 'secret') return finding.secret;
    const id = name.slice('part:'.length);
    const part = finding.parts.find((p) => p.ruleId === id);
    if (!part) throw new RequestBuildError(`missing part ${id}`);
    return part.secret;
  };
}

function render(template: string, values: Values, encode: (s: string) => string = (s) => s) {
  return template.replace(/\{\{([^{}]*)\}\}/g, (_, name: string) => encode(values(name.trim())));
}

/**
 * Percent-encodes everything that could end a path segment or the path (`/ ? # % \`, spaces,
 * controls, non-ASCII) and keeps the sub-delimiters, `:` and `@` that RFC 3986 allows in a
 * segment, as tokens such as Telegram's `<id>:<secret>` are matched literally by providers.
 */
function encodePathPart(text: string): string {
  return encodeURIComponent(text).replace(/%(?:24|26|2B|2C|3A|3B|3D|40)/g, (m) =>
    decodeURIComponent(m),
  );
}

function renderJson(value: unknown, values: Values): unknown {
  if (typeof value === 'string') return render(value, values);
  if (Array.isArray(value)) return value.map((v) => renderJson(v, values));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, renderJson(v, values)]));
  }
  return value;
}

function headerSafe(name: string, value: string): string {
  // A value with CR/LF/NUL would be rejected by fetch, or worse, split the header block.
  if (/[\r\n\0]/.test(value)) throw new RequestBuildError(`value for header ${name} is not valid`);
  return value;
}

export function buildRequest(
  spec: VerifySpec,
  finding: Pick<Finding, 'secret' | 'parts'>,
  opts: { userAgent: string; date: Date },
): BuiltRequest {
  const values = valuesFor(finding);
  const url = new URL(render(spec.url, values, encodePathPart));
  for (const [key, template] of Object.entries(spec.query)) {
    url.searchParams.set(key, render(template, values));
  }
  if (url.protocol !== 'https:' || !spec.hosts.includes(url.hostname) || url.port !== '') {
    throw new RequestBuildError(`host ${url.host} is not allowlisted`);
  }
  const headers: Record<string, string> = {};
  for (const [name, template] of Object.entries(spec.headers)) {
    headers[name.toLowerCase()] = headerSafe(name, render(template, values));
  }
  let body: string | undefined;
  if (spec.form) {
    const form = new URLSearchParams();
    for (const [k, v] of Object.entries(spec.form)) form.set(k, render(v, values));
    body = form.toString();
    headers['content-type'] ??= 'application/x-www-form-urlencoded; charset=utf-8';
  } else if (spec.json !== undefined) {
    body = JSON.stringify(renderJson(spec.json, values));
    headers['content-type'] ??= 'application/json';
  } else if (spec.body !== undefined) {
    body = render(spec.body, values);
  }
  if (spec.basicAuth) {
    const user = render(spec.basicAuth.username, values);
    const pass = render(spec.basicAuth.password, values);
    headers.authorization = `Basic ${Buffer.from(`${user}:${pass}`, 'utf8').toString('base64')}`;
  }
  if (spec.sign) {
    const toSign: Record<string, string> = {};
    if (headers['content-type']) toSign['content-type'] = headers['content-type'];
    const signed = signSigV4({
      method: spec.method,
      url,
      headers: toSign,
      body: body ?? '',
      accessKeyId: headerSafe('authorization', render(spec.sign.accessKeyId, values)),
      secretAccessKey: render(spec.sign.secretAccessKey, values),
      region: spec.sign.region,
      service: spec.sign.service,
      date: opts.date,
    });
    Object.assign(headers, signed);
  }
  headers['user-agent'] = opts.userAgent;
  const built: BuiltRequest = { method: spec.method, url, headers };
  if (body !== undefined) built.body = body;
  return built;
}
