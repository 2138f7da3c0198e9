// How each provider's documented API takes a credential and what it answers, for the loopback
// imitation in providers.test.ts. Bodies follow the providers' API references (trimmed).

import { signSigV4 } from '../../src/verify/sigv4.js';
import type { FakeReply, RecordedRequest } from './fake-provider.js';

/** Does this request carry `secret` (and `parts`) the way the provider documents? */
export type AuthCheck = (
  req: RecordedRequest,
  secret: string,
  parts: Record<string, string>,
) => boolean;

export interface ProviderFixture {
  method?: 'GET' | 'POST';
  /** Request path without the query. */
  path: string | RegExp;
  auth: AuthCheck;
  live: FakeReply;
  invalid: FakeReply;
  identity?: Record<string, unknown>;
}

const header =
  (name: string, prefix = ''): AuthCheck =>
  (req, secret) =>
    req.headers[name.toLowerCase()] === `${prefix}${secret}`;
const bearer = header('authorization', 'Bearer ');
const basicUser: AuthCheck = (req, secret) =>
  req.headers.authorization === `Basic ${Buffer.from(`${secret}:`).toString('base64')}`;
const query =
  (name: string): AuthCheck =>
  (req, secret) =>
    new URL(req.path, 'http://x').searchParams.get(name) === secret;
const form =
  (name: string): AuthCheck =>
  (req, secret) =>
    new URLSearchParams(req.body).get(name) === secret;

/** Recomputes the SigV4 signature as STS does, from the secret it knows. */
const awsSigV4: AuthCheck = (req, secret, parts) => {
  const keyId = parts['aws.access-key-id'] ?? '';
  const stamp = String(req.headers['x-amz-date'] ?? '');
  const date = new Date(
    `${stamp.slice(0, 4)}-${stamp.slice(4, 6)}-${stamp.slice(6, 8)}T${stamp.slice(9, 11)}:${stamp.slice(11, 13)}:${stamp.slice(13, 15)}Z`,
  );
  if (Number.isNaN(date.getTime())) return false;
  const expected = signSigV4({
    method: req.method,
    url: new URL(`https://sts.amazonaws.com${req.path}`),
    headers: { 'content-type': String(req.headers['content-type'] ?? '') },
    body: req.body,
    accessKeyId: keyId,
    secretAccessKey: secret,
    region: 'us-east-1',
    service: 'sts',
    date,
  });
  return req.headers.authorization === expected.authorization;
};

const json = (status: number, body: object, headers?: Record<string, string>): FakeReply =>
  headers ? { status, body, headers } : { status, body };

const unauthorized = json(401, { error: 'unauthorized', message: 'Invalid credentials' });
const models = json(200, { object: 'list', data: [{ id: 'model-1', object: 'model' }] });

const githubUser: ProviderFixture = {
  path: '/user',
  auth: bearer,
  live: json(
    200,
    { login: 'octocat', id: 583231, type: 'User' },
    { 'x-oauth-scopes': 'repo, read:org' },
  ),
  invalid: json(401, {
    message: 'Bad credentials',
    documentation_url: 'https://docs.github.com/rest',
  }),
  identity: { user: 'octocat', account: '583231', scopes: ['repo', 'read:org'] },
};
const openaiModels: ProviderFixture = {
  path: '/v1/models',
  auth: bearer,
  live: models,
  invalid: json(401, {
    error: {
      message: 'Incorrect API key provided',
      type: 'invalid_request_error',
      code: 'invalid_api_key',
    },
  }),
};
const huggingface: ProviderFixture = {
  path: '/api/whoami-v2',
  auth: bearer,
  live: json(200, {
    type: 'user',
    name: 'julien',
    auth: { type: 'access_token', accessToken: { displayName: 'ci', role: 'read' } },
  }),
  invalid: json(401, { error: 'Invalid credentials in Authorization header' }),
  identity: { user: 'julien', tokenName: 'ci', scopes: ['read'] },
};
const airtable: ProviderFixture = {
  path: '/v0/meta/whoami',
  auth: bearer,
  live: json(200, { id: 'usrL2PNC5o3H4lBEi', scopes: ['data.records:read', 'schema.bases:read'] }),
  invalid: json(401, {
    error: { type: 'AUTHENTICATION_REQUIRED', message: 'Authentication required' },
  }),
  identity: { user: 'usrL2PNC5o3H4lBEi', scopes: ['data.records:read', 'schema.bases:read'] },
};
const doppler: ProviderFixture = {
  path: '/v3/me',
  auth: bearer,
  live: json(200, {
    workplace: { name: 'Acme', slug: 'acme' },
    type: 'service_token',
    name: 'ci-token',
  }),
  invalid: json(401, { messages: ['Invalid Auth token'], success: false }),
  identity: { organization: 'Acme', tokenName: 'ci-token' },
};
const heroku: ProviderFixture = {
  path: '/account',
  auth: bearer,
  live: json(200, { id: '01234567-89ab-cdef-0123-456789abcdef', email: 'u@example.com' }),
  invalid: json(401, { id: 'unauthorized', message: 'Invalid credentials provided.' }),
  identity: { account: '01234567-89ab-cdef-0123-456789abcdef' },
};
const netlify: ProviderFixture = {
  path: '/api/v1/user',
  auth: bearer,
  live: json(200, { id: '5f1d', slug: 'jane', email: 'j@example.com' }),
  invalid: json(401, { code: 401, message: 'Access Denied: Invalid token' }),
  identity: { account: '5f1d', user: 'jane' },
};
const notion: ProviderFixture = {
  path: '/v1/users/me',
  auth: bearer,
  live: json(200, {
    object: 'user',
    id: '16d84278-ab0e-484c-9bdd-b35da3bd8905',
    type: 'bot',
    bot: { workspace_name: 'Acme' },
  }),
  invalid: json(401, {
    object: 'error',
    status: 401,
    code: 'unauthorized',
    message: 'API token is invalid.',
  }),
  identity: { user: '16d84278-ab0e-484c-9bdd-b35da3bd8905', organization: 'Acme' },
};
const shippo: ProviderFixture = {
  path: '/addresses',
  auth: header('authorization', 'ShippoToken '),
  live: json(200, { next: null, previous: null, results: [] }),
  invalid: json(401, { detail: 'Invalid token.' }),
};
const vercel: ProviderFixture = {
  path: '/v2/user',
  auth: bearer,
  live: json(200, {
    user: { id: 'AEIIDYVk59zbFF2Sxfyxxmua', username: 'jane', email: 'j@example.com' },
  }),
  invalid: json(403, {
    error: { code: 'forbidden', message: 'Not authorized', invalidToken: true },
  }),
  identity: { account: 'AEIIDYVk59zbFF2Sxfyxxmua', user: 'jane' },
};
const easypost: ProviderFixture = {
  path: '/v2/addresses',
  auth: basicUser,
  live: json(200, { addresses: [], has_more: false }),
  invalid: json(401, { error: { code: 'APIKEY.INVALID', message: 'Invalid API Key' } }),
};
const facebook: ProviderFixture = {
  path: '/me',
  auth: query('access_token'),
  live: json(200, { id: '10158291', name: 'Jane Doe' }),
  invalid: json(400, {
    error: { message: 'Invalid OAuth access token.', type: 'OAuthException', code: 190 },
  }),
  identity: { account: '10158291', user: 'Jane Doe' },
};
const duffel: ProviderFixture = {
  path: '/air/airlines',
  auth: bearer,
  live: json(200, {
    data: [{ id: 'arl_00001876aqC8c5umZmrRds', iata_code: 'BA' }],
    meta: { limit: 1 },
  }),
  invalid: json(401, {
    errors: [{ code: 'invalid_authorization_header', type: 'authentication_error' }],
  }),
};
const dopplerIds = ['personal-token', 'service-token', 'cli-token', 'service-account-token'];
const mapbox: ProviderFixture = {
  path: '/tokens/v2',
  auth: query('access_token'),
  live: json(200, {
    code: 'TokenValid',
    token: { usage: 'sk', user: 'jane', scopes: ['styles:read', 'fonts:read'] },
  }),
  invalid: json(401, { code: 'TokenInvalid' }),
  identity: { user: 'jane', scopes: ['styles:read', 'fonts:read'] },
};
const linear = (auth: AuthCheck): ProviderFixture => ({
  method: 'POST',
  path: '/graphql',
  auth,
  live: json(200, {
    data: { viewer: { id: 'b9e3-11', name: 'Jane' }, organization: { name: 'Acme' } },
  }),
  invalid: json(400, {
    errors: [
      {
        message: 'Authentication required, not authenticated',
        extensions: { code: 'AUTHENTICATION_ERROR' },
      },
    ],
  }),
  identity: { user: 'b9e3-11', organization: 'Acme' },
});

const basicPair =
  (partId: string): AuthCheck =>
  (req, secret, parts) =>
    req.headers.authorization ===
    `Basic ${Buffer.from(`${parts[partId] ?? ''}:${secret}`).toString('base64')}`;
const slack: ProviderFixture = {
  method: 'POST',
  path: '/api/auth.test',
  auth: bearer,
  live: json(
    200,
    {
      ok: true,
      url: 'https://acme.slack.com/',
      team: 'Acme',
      user: 'ci-bot',
      team_id: 'T12345',
      user_id: 'U12345',
    },
    { 'x-oauth-scopes': 'chat:write,channels:read' },
  ),
  invalid: json(200, { ok: false, error: 'invalid_auth' }),
  identity: {
    account: 'T12345',
    organization: 'Acme',
    user: 'ci-bot',
    scopes: ['chat:write', 'channels:read'],
  },
};
const stripe: ProviderFixture = {
  path: '/v1/account',
  auth: basicUser,
  live: json(200, { id: 'acct_1032D82eZvKYlo2C', object: 'account', country: 'US' }),
  invalid: json(401, {
    error: { message: 'Invalid API Key provided: sk_live_****', type: 'invalid_request_error' },
  }),
  identity: { account: 'acct_1032D82eZvKYlo2C' },
};
const digitalocean: ProviderFixture = {
  path: '/v2/account',
  auth: bearer,
  live: json(200, {
    account: {
      uuid: 'b6fr89dbf6d9156cace5f3c78dc9851d957381ef',
      status: 'active',
      team: { name: 'Acme' },
    },
  }),
  invalid: json(401, { id: 'Unauthorized', message: 'Unable to authenticate you' }),
  identity: { account: 'b6fr89dbf6d9156cace5f3c78dc9851d957381ef', organization: 'Acme' },
};
const npm: ProviderFixture = {
  path: '/-/whoami',
  auth: bearer,
  live: json(200, { username: 'jane' }),
  invalid: json(401, { error: 'Unauthorized' }),
  identity: { user: 'jane' },
};
const sentry: ProviderFixture = {
  path: '/api/0/organizations/',
  auth: bearer,
  live: { status: 200, body: [{ id: '2', slug: 'acme', name: 'Acme' }] as unknown as object },
  invalid: json(401, { detail: 'Invalid token' }),
  identity: { organization: 'acme' },
};
const flutterwave: ProviderFixture = {
  path: '/v3/balances',
  auth: bearer,
  live: json(200, { status: 'success', message: 'Wallet balances fetched', data: [] }),
  invalid: json(401, { status: 'error', message: 'Invalid authorization key', data: null }),
};
const scaleway: ProviderFixture = {
  path: '/account/v3/projects',
  auth: header('x-auth-token'),
  live: json(200, {
    total_count: 1,
    projects: [{ id: 'p-1', organization_id: 'org-9', name: 'default' }],
  }),
  invalid: json(401, { message: 'authentication is denied', type: 'denied_authentication' }),
  identity: { organization: 'org-9' },
};
const ibm: ProviderFixture = {
  path: '/v1/apikeys/details',
  auth: header('iam-apikey'),
  live: json(200, { id: 'ApiKey-1', name: 'ci', iam_id: 'IBMid-123', account_id: 'abc123' }),
  invalid: json(400, {
    errorCode: 'BXNIM0415E',
    errorMessage: 'Provided API key could not be found.',
  }),
  identity: { account: 'abc123', user: 'IBMid-123', tokenName: 'ci' },
};
const clerk: ProviderFixture = {
  path: '/v1/jwks',
  auth: bearer,
  live: json(200, { keys: [{ kid: 'ins_1', kty: 'RSA' }] }),
  invalid: json(401, {
    errors: [{ code: 'authentication_invalid', message: 'Unauthorized request' }],
  }),
};

export const FIXTURES: Record<string, ProviderFixture> = {
  'github.pat-classic': githubUser,
  'github.oauth-token': githubUser,
  'github.user-to-server-token': githubUser,
  'github.pat-fine-grained': githubUser,
  'github.server-to-server-token': {
    path: '/installation/repositories',
    auth: bearer,
    live: json(200, { total_count: 3, repositories: [] }),
    invalid: json(401, { message: 'Bad credentials' }),
  },
  'gitlab.personal-access-token': {
    path: '/api/v4/personal_access_tokens/self',
    auth: header('private-token'),
    live: json(200, {
      id: 4,
      name: 'ci',
      revoked: false,
      scopes: ['api', 'read_user'],
      user_id: 3,
      active: true,
    }),
    invalid: json(401, { message: '401 Unauthorized' }),
    identity: { user: '3', tokenName: 'ci', scopes: ['api', 'read_user'] },
  },
  'gitlab.runner-authentication-token': {
    method: 'POST',
    path: '/api/v4/runners/verify',
    auth: form('token'),
    live: json(200, { id: 12345, token: 'glrt-redacted', token_expires_at: null }),
    invalid: json(403, { message: '403 Forbidden' }),
    identity: { account: '12345' },
  },
  'gitlab.ci-job-token': {
    path: '/api/v4/job',
    auth: header('job-token'),
    live: json(200, { id: 8, status: 'running', user: { username: 'root' } }),
    invalid: json(401, { message: '401 Unauthorized' }),
    identity: { account: '8', user: 'root' },
  },
  'openai.project-key': openaiModels,
  'openai.service-account-key': openaiModels,
  'openai.legacy-user-key': openaiModels,
  'openai.admin-key': {
    path: '/v1/organization/projects',
    auth: bearer,
    live: json(200, {
      object: 'list',
      data: [{ id: 'proj_abc', name: 'Default' }],
      has_more: true,
    }),
    invalid: json(401, { error: { code: 'invalid_api_key' } }),
  },
  'anthropic.api-key': {
    path: '/v1/models',
    auth: (req, s) =>
      req.headers['x-api-key'] === s && req.headers['anthropic-version'] === '2023-06-01',
    live: json(200, { data: [{ id: 'claude-x', type: 'model' }], has_more: false }),
    invalid: json(401, {
      type: 'error',
      error: { type: 'authentication_error', message: 'invalid x-api-key' },
    }),
  },
  'anthropic.admin-key': {
    path: '/v1/organizations/users',
    auth: header('x-api-key'),
    live: json(200, { data: [{ id: 'user_01', type: 'user', role: 'admin' }], has_more: true }),
    invalid: json(401, { type: 'error', error: { type: 'authentication_error' } }),
  },
  'huggingface.user-access-token': huggingface,
  'huggingface.org-api-token': huggingface,
  'airtable.personal-access-token': airtable,
  'airtable.legacy-api-key': airtable,
  'asana.personal-access-token': {
    path: '/api/1.0/users/me',
    auth: bearer,
    live: json(200, { data: { gid: '12345', name: 'Jane', resource_type: 'user' } }),
    invalid: json(401, { errors: [{ message: 'Not Authorized' }] }),
    identity: { user: '12345' },
  },
  'aws.secret-access-key': {
    method: 'POST',
    path: '/',
    auth: awsSigV4,
    live: {
      status: 200,
      headers: { 'content-type': 'text/xml' },
      body: '<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult><Arn>arn:aws:iam::123456789012:user/Alice</Arn><UserId>AIDAEXAMPLEUSERID</UserId><Account>123456789012</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>01234567-89ab-cdef-0123-456789abcdef</RequestId></ResponseMetadata></GetCallerIdentityResponse>',
    },
    invalid: {
      status: 403,
      headers: { 'content-type': 'text/xml' },
      body: '<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>SignatureDoesNotMatch</Code><Message>The request signature we calculated does not match the signature you provided.</Message></Error></ErrorResponse>',
    },
    identity: { account: '123456789012', user: 'arn:aws:iam::123456789012:user/Alice' },
  },
  'buildkite.api-access-token': {
    path: '/v2/access-token',
    auth: bearer,
    live: json(200, {
      uuid: 'b63254c0-3271-4a98-8270-7cfbd6c2f14e',
      scopes: ['read_builds', 'read_user'],
    }),
    invalid: json(401, {
      message: 'Authentication required. Please supply a valid API Access Token',
    }),
    identity: {
      tokenName: 'b63254c0-3271-4a98-8270-7cfbd6c2f14e',
      scopes: ['read_builds', 'read_user'],
    },
  },
  'circleci.personal-api-token': {
    path: '/api/v2/me',
    auth: header('circle-token'),
    live: json(200, { id: '6d3c2e6a-0000-4000-8000-000000000000', login: 'jane', name: 'Jane' }),
    invalid: json(401, { message: 'You must log in first.' }),
    identity: { user: 'jane', account: '6d3c2e6a-0000-4000-8000-000000000000' },
  },
  'cohere.api-key': {
    method: 'POST',
    path: '/v1/check-api-key',
    auth: bearer,
    live: json(200, { valid: true, organization_id: 'org-1', owner_id: 'user-1' }),
    invalid: json(401, { message: 'invalid api token' }),
    identity: { organization: 'org-1', user: 'user-1' },
  },
  'contentful.personal-access-token': {
    path: '/users/me',
    auth: bearer,
    live: json(200, { sys: { type: 'User', id: '7BslKh9TdKGOK41VmLDjFZ' }, firstName: 'Jane' }),
    invalid: json(401, {
      sys: { type: 'Error', id: 'AccessTokenInvalid' },
      message: 'The access token you sent could not be found or is invalid.',
    }),
    identity: { user: '7BslKh9TdKGOK41VmLDjFZ' },
  },
  'deepseek.api-key': {
    path: '/models',
    auth: bearer,
    live: models,
    invalid: json(401, {
      error: {
        message: 'Authentication Fails, Your api key is invalid',
        type: 'authentication_error',
      },
    }),
  },
  ...Object.fromEntries(dopplerIds.map((k) => [`doppler.${k}`, doppler])),
  'dropbox.short-lived-access-token': {
    method: 'POST',
    path: '/2/users/get_current_account',
    auth: bearer,
    live: json(200, {
      account_id: 'dbid:AAH4f99T0taONIb-OurWxbNQ6ywGRopQngc',
      email: 'j@example.com',
    }),
    invalid: json(401, {
      error_summary: 'invalid_access_token/...',
      error: { '.tag': 'invalid_access_token' },
    }),
    identity: { account: 'dbid:AAH4f99T0taONIb-OurWxbNQ6ywGRopQngc' },
  },
  'elevenlabs.api-key': {
    path: '/v1/user',
    auth: header('xi-api-key'),
    live: json(200, { user_id: 'u_123', subscription: { tier: 'free' } }),
    invalid: json(401, { detail: { status: 'invalid_api_key', message: 'Invalid API key' } }),
    identity: { user: 'u_123' },
  },
  'figma.personal-access-token': {
    path: '/v1/me',
    auth: header('x-figma-token'),
    live: json(200, { id: '1234', handle: 'jane', email: 'j@example.com', img_url: '' }),
    invalid: json(403, { status: 403, err: 'Invalid token' }),
    identity: { account: '1234', user: 'jane' },
  },
  'groq.api-key': {
    path: '/openai/v1/models',
    auth: bearer,
    live: models,
    invalid: json(401, {
      error: { message: 'Invalid API Key', type: 'invalid_request_error', code: 'invalid_api_key' },
    }),
  },
  'heroku.api-key': heroku,
  'heroku.legacy-api-key': heroku,
  'hubspot.private-app-token': {
    path: '/account-info/v3/details',
    auth: bearer,
    live: json(200, { portalId: 62515, accountType: 'STANDARD', timeZone: 'US/Eastern' }),
    invalid: json(401, {
      status: 'error',
      message: 'Authentication credentials not found.',
      category: 'INVALID_AUTHENTICATION',
    }),
    identity: { account: '62515' },
  },
  'linear.api-key': linear(header('authorization')),
  'linear.oauth-token': linear(bearer),
  'mapbox.secret-token': mapbox,
  'mapbox.temporary-token': mapbox,
  'mistral.api-key': { path: '/v1/models', auth: bearer, live: models, invalid: unauthorized },
  'netlify.personal-access-token': netlify,
  'netlify.legacy-access-token': netlify,
  'notion.integration-token': notion,
  'notion.legacy-integration-token': notion,
  'pinecone.api-key': {
    path: '/indexes',
    auth: header('api-key'),
    live: json(200, { indexes: [] }),
    invalid: json(401, {
      error: { code: 'UNAUTHENTICATED', message: 'Invalid API Key' },
      status: 401,
    }),
  },
  'postman.api-key': {
    path: '/me',
    auth: header('x-api-key'),
    live: json(200, { user: { id: 12345678, username: 'jane', fullName: 'Jane' } }),
    invalid: json(401, { error: { name: 'AuthenticationError', message: 'Invalid API Key.' } }),
    identity: { account: '12345678', user: 'jane' },
  },
  'render.api-key': {
    path: '/v1/owners',
    auth: bearer,
    live: {
      status: 200,
      body: [
        { owner: { id: 'tea-cjm4', name: 'Acme', type: 'team' }, cursor: 'abc' },
      ] as unknown as object,
    },
    invalid: json(401, { message: 'unauthorized' }),
    identity: { account: 'tea-cjm4', organization: 'Acme' },
  },
  'replicate.api-token': {
    path: '/v1/account',
    auth: bearer,
    live: json(200, { type: 'user', username: 'jane', name: 'Jane', github_url: null }),
    invalid: json(401, {
      title: 'Unauthenticated',
      detail: 'You did not pass a valid authentication token',
      status: 401,
    }),
    identity: { user: 'jane' },
  },
  'shippo.live-api-token': shippo,
  'shippo.test-api-token': shippo,
  'supabase.personal-access-token': {
    path: '/v1/organizations',
    auth: bearer,
    live: { status: 200, body: [{ id: 'abcdefghijklmnop', name: 'Acme' }] as unknown as object },
    invalid: json(401, { message: 'Unauthorized' }),
    identity: { organization: 'Acme' },
  },
  'typeform.personal-access-token': {
    path: '/me',
    auth: bearer,
    live: json(200, { alias: 'Jane', email: 'j@example.com', language: 'en' }),
    invalid: json(403, {
      code: 'AUTHENTICATION_FAILED',
      description: 'Authentication credentials not found on the Request Headers',
    }),
    identity: { user: 'Jane' },
  },
  'vercel.personal-access-token': vercel,
  'vercel.integration-token': vercel,
  'vercel.app-access-token': vercel,
  'vercel.api-key': vercel,
  'vercel.legacy-access-token': vercel,
  'xai.api-key': {
    path: '/v1/api-key',
    auth: bearer,
    live: json(200, {
      redacted_api_key: 'xai-...b14o',
      name: 'My API Key',
      team_id: '5ea6f6bd-7815-4b8a-9135-28b2d7ba6722',
      acls: ['api-key:model:*', 'api-key:endpoint:*'],
      api_key_blocked: false,
      api_key_disabled: false,
      team_blocked: false,
    }),
    invalid: json(400, {
      code: 'Client specified an invalid argument',
      error: 'Incorrect API key provided',
    }),
    identity: {
      tokenName: 'My API Key',
      organization: '5ea6f6bd-7815-4b8a-9135-28b2d7ba6722',
      scopes: ['api-key:model:*', 'api-key:endpoint:*'],
    },
  },
  'duffel.live-access-token': duffel,
  'duffel.test-access-token': duffel,
  'easypost.production-api-key': easypost,
  'easypost.test-api-key': easypost,
  'facebook.access-token': facebook,
  'facebook.graph-url-token': facebook,
  'frameio.developer-token': {
    path: '/v2/me',
    auth: bearer,
    live: json(200, { id: 'f1e2d3c4', account_id: 'a9b8c7d6', name: 'Jane' }),
    invalid: json(401, { code: 401, errors: [{ detail: 'Unauthorized' }] }),
    identity: { user: 'f1e2d3c4', account: 'a9b8c7d6' },
  },
  'launchdarkly.api-access-token': {
    path: '/api/v2/caller-identity',
    auth: header('authorization'),
    live: json(200, { accountId: '5f2a', tokenName: 'ci', tokenKind: 'auth', authKind: 'token' }),
    invalid: json(401, { code: 'unauthorized', message: 'Invalid account ID header' }),
    identity: { account: '5f2a', tokenName: 'ci' },
  },
  'lob.live-api-key': {
    path: '/v1/addresses',
    auth: basicUser,
    live: json(200, { data: [], object: 'list', count: 0 }),
    invalid: json(401, {
      error: { message: 'Your API key is not valid.', status_code: 401, code: 'unauthorized' },
    }),
  },
  'prefect.api-key': {
    path: '/api/me/',
    auth: bearer,
    live: json(200, { id: '3b9d', handle: 'jane', email: 'j@example.com' }),
    invalid: json(401, { detail: 'Invalid authentication credentials' }),
    identity: { account: '3b9d', user: 'jane' },
  },
  'readme.api-key': {
    path: '/api/v1',
    auth: basicUser,
    live: json(200, { name: 'Acme Docs', subdomain: 'acme', baseUrl: 'https://docs.example.com' }),
    invalid: json(401, { error: 'APIKEY_NOTFOUND', message: "We couldn't find your API key." }),
    identity: { organization: 'Acme Docs' },
  },
  'snyk.api-token': {
    path: '/rest/self',
    auth: header('authorization', 'token '),
    live: json(200, {
      data: {
        id: '55a348e2-c3ad-4bbc-b40e-9b232d1f4121',
        type: 'user',
        attributes: { username: 'jane' },
      },
    }),
    invalid: json(401, { errors: [{ status: '401', detail: 'Unauthorized' }] }),
    identity: { account: '55a348e2-c3ad-4bbc-b40e-9b232d1f4121', user: 'jane' },
  },
  'travis.api-token': {
    path: '/user',
    auth: header('authorization', 'token '),
    live: json(200, { '@type': 'user', id: 4321, login: 'jane' }),
    invalid: json(403, {
      '@type': 'error',
      error_type: 'login_required',
      error_message: 'access denied',
    }),
    identity: { account: '4321', user: 'jane' },
  },
  'twitter.bearer-token': {
    path: '/2/users/by/username/XDevelopers',
    auth: bearer,
    live: json(200, { data: { id: '2244994945', name: 'Developers', username: 'XDevelopers' } }),
    invalid: json(401, {
      title: 'Unauthorized',
      type: 'about:blank',
      status: 401,
      detail: 'Unauthorized',
    }),
  },
  'gcp.api-key': {
    path: '/v1beta/models',
    auth: header('x-goog-api-key'),
    live: json(200, { models: [{ name: 'models/gemini-x' }], nextPageToken: 'n' }),
    invalid: json(400, {
      error: {
        code: 400,
        message: 'API key not valid. Please pass a valid API key.',
        status: 'INVALID_ARGUMENT',
        details: [{ reason: 'API_KEY_INVALID' }],
      },
    }),
  },
  'slack.bot-token': slack,
  'slack.user-token': slack,
  'slack.legacy-workspace-token': slack,
  'stripe.secret-key': stripe,
  'stripe.restricted-key': stripe,
  'stripe.test-secret-key': stripe,
  'sendgrid.api-key': {
    path: '/v3/scopes',
    auth: bearer,
    live: json(200, { scopes: ['mail.send', 'alerts.read'] }),
    invalid: json(401, { errors: [{ field: null, message: 'authorization required' }] }),
    identity: { scopes: ['mail.send', 'alerts.read'] },
  },
  'twilio.auth-token': {
    path: /^\/2010-04-01\/Accounts\/AC[0-9a-f]{32}\.json$/,
    auth: basicPair('twilio.account-sid'),
    live: json(200, { sid: 'AC-placeholder', friendly_name: 'Acme prod', status: 'active' }),
    invalid: json(401, { code: 20003, message: 'Authenticate', status: 401 }),
    identity: { account: 'AC-placeholder', user: 'Acme prod' },
  },
  'digitalocean.personal-access-token': digitalocean,
  'digitalocean.oauth-access-token': digitalocean,
  'discord.bot-token': {
    path: '/api/v10/users/@me',
    auth: header('authorization', 'Bot '),
    live: json(200, { id: '80351110224678912', username: 'acme-bot', bot: true }),
    invalid: json(401, { message: '401: Unauthorized', code: 0 }),
    identity: { account: '80351110224678912', user: 'acme-bot' },
  },
  'npm.access-token': npm,
  'npm.legacy-auth-token': npm,
  'telegram.bot-token': {
    path: /^\/bot[^/]+\/getMe$/,
    auth: (req, secret) => req.path === `/bot${secret}/getMe`,
    live: json(200, { ok: true, result: { id: 123456789, is_bot: true, username: 'acme_bot' } }),
    invalid: json(401, { ok: false, error_code: 401, description: 'Unauthorized' }),
    identity: { account: '123456789', user: 'acme_bot' },
  },
  'sentry.org-auth-token': sentry,
  'sentry.user-auth-token': sentry,
  'pulumi.access-token': {
    path: '/api/user',
    auth: header('authorization', 'token '),
    live: json(200, { name: 'Jane', githubLogin: 'jane', avatarUrl: '' }),
    invalid: json(401, {
      code: 401,
      message: 'Unauthorized: No credentials provided or are invalid.',
    }),
    identity: { user: 'jane' },
  },
  'terraform.cloud-api-token': {
    path: '/api/v2/account/details',
    auth: bearer,
    live: json(200, {
      data: { id: 'user-V3R563qtJNcExAkN', type: 'users', attributes: { username: 'jane' } },
    }),
    invalid: json(401, { errors: [{ status: '401', title: 'unauthorized' }] }),
    identity: { account: 'user-V3R563qtJNcExAkN', user: 'jane' },
  },
  'brevo.api-key': {
    path: '/v3/account',
    auth: header('api-key'),
    live: json(200, { email: 'ops@example.com', companyName: 'Acme', plan: [] }),
    invalid: json(401, { code: 'unauthorized', message: 'Key not found' }),
    identity: { organization: 'Acme' },
  },
  'postmark.server-token': {
    path: '/server',
    auth: header('x-postmark-server-token'),
    live: json(200, { ID: 1, Name: 'Production', ApiTokens: [] }),
    invalid: json(401, {
      ErrorCode: 10,
      Message: 'No Account or Server API tokens were supplied in the HTTP headers.',
    }),
    identity: { account: '1', tokenName: 'Production' },
  },
  'postmark.account-token': {
    path: '/servers',
    auth: header('x-postmark-account-token'),
    live: json(200, { TotalCount: 1, Servers: [{ ID: 1, Name: 'Production' }] }),
    invalid: json(401, { ErrorCode: 10, Message: 'Request does not contain a valid API token.' }),
  },
  'hetzner.cloud-api-token': {
    path: '/v1/servers',
    auth: bearer,
    live: json(200, { servers: [], meta: { pagination: { page: 1 } } }),
    invalid: json(401, { error: { code: 'unauthorized', message: 'unable to authenticate' } }),
  },
  'linode.personal-access-token': {
    path: '/v4/profile',
    auth: bearer,
    live: json(200, { uid: 1234, username: 'jane', email: 'j@example.com' }),
    invalid: json(401, { errors: [{ reason: 'Invalid Token' }] }),
    identity: { user: 'jane', account: '1234' },
  },
  'vultr.api-key': {
    path: '/v2/account',
    auth: bearer,
    live: json(200, {
      account: {
        name: 'Jane',
        email: 'j@example.com',
        acls: ['manage_users', 'billing'],
        balance: 0,
      },
    }),
    invalid: json(401, { error: 'Invalid API token.', status: 401 }),
    identity: { user: 'Jane', scopes: ['manage_users', 'billing'] },
  },
  'fastly.api-token': {
    path: '/tokens/self',
    auth: header('fastly-key'),
    live: json(200, {
      id: '5Yo3XXnrQpjc20u0ybrf2g',
      user_id: '4y5K5trZocEAQYkesWlk7M',
      customer_id: 'x4xCwxxJA81wpfjbs9ck',
      name: 'ci',
      scope: 'global:read',
    }),
    invalid: json(401, { msg: 'Provided credentials are missing or invalid' }),
    identity: {
      account: 'x4xCwxxJA81wpfjbs9ck',
      user: '4y5K5trZocEAQYkesWlk7M',
      tokenName: 'ci',
      scopes: ['global:read'],
    },
  },
  'intercom.access-token': {
    path: '/me',
    auth: bearer,
    live: json(200, {
      type: 'admin',
      id: '991267460',
      app: { type: 'app', id_code: 'this_is_an_id', name: 'Acme' },
    }),
    invalid: json(401, {
      type: 'error.list',
      errors: [{ code: 'unauthorized', message: 'Access Token Invalid' }],
    }),
    identity: { user: '991267460', account: 'this_is_an_id', organization: 'Acme' },
  },
  'pagerduty.api-key': {
    path: '/abilities',
    auth: header('authorization', 'Token token='),
    live: json(200, { abilities: ['sso', 'teams'] }),
    invalid: json(401, { error: { message: 'Authentication failed', code: 2006 } }),
  },
  'rubygems.api-key': {
    path: '/api/v1/gems.json',
    auth: header('authorization'),
    live: { status: 200, body: [{ name: 'acme', downloads: 12 }] as unknown as object },
    invalid: {
      status: 401,
      body: 'Access Denied. Please sign up for an account at https://rubygems.org',
    },
  },
  'cloudflare.api-token': {
    path: '/client/v4/user/tokens/verify',
    auth: bearer,
    live: json(200, {
      success: true,
      errors: [],
      messages: [],
      result: { id: 'ed17574386854bf78a67040be0a770b0', status: 'active' },
    }),
    invalid: json(401, {
      success: false,
      errors: [{ code: 1000, message: 'Invalid API Token' }],
      messages: [],
      result: null,
    }),
    identity: { tokenName: 'ed17574386854bf78a67040be0a770b0' },
  },
  'gocardless.access-token': {
    path: '/creditors',
    auth: bearer,
    live: json(200, { creditors: [{ id: 'CR123', name: 'Acme Ltd' }], meta: { limit: 1 } }),
    invalid: json(401, {
      error: { type: 'invalid_api_usage', code: 401, message: 'Access token not found' },
    }),
    identity: { account: 'CR123', organization: 'Acme Ltd' },
  },
  'paystack.secret-key': {
    path: '/balance',
    auth: bearer,
    live: json(200, {
      status: true,
      message: 'Balances retrieved',
      data: [{ currency: 'NGN', balance: 0 }],
    }),
    invalid: json(401, { status: false, message: 'Invalid key' }),
  },
  'flutterwave.secret-key': flutterwave,
  'flutterwave.test-secret-key': flutterwave,
  'razorpay.key-secret': {
    path: '/v1/payments',
    auth: basicPair('razorpay.key-id'),
    live: json(200, { entity: 'collection', count: 0, items: [] }),
    invalid: json(401, {
      error: { code: 'BAD_REQUEST_ERROR', description: 'Authentication failed' },
    }),
  },
  'mailchimp.transactional-api-key': {
    method: 'POST',
    path: '/api/1.0/users/ping2',
    auth: (req, secret) => (JSON.parse(req.body || '{}') as { key?: string }).key === secret,
    live: json(200, { PING: 'PONG!' }),
    invalid: json(500, {
      status: 'error',
      code: -1,
      name: 'Invalid_Key',
      message: 'Invalid API key',
    }),
  },
  'vonage.api-secret': {
    path: '/account/get-balance',
    auth: (req, secret, parts) => {
      const q = new URL(req.path, 'http://x').searchParams;
      return q.get('api_secret') === secret && q.get('api_key') === parts['vonage.api-key'];
    },
    live: json(200, { value: 10.28, autoReload: false }),
    invalid: json(401, {
      type: 'https://developer.nexmo.com/api-errors#unauthorized',
      title: 'Invalid credentials supplied',
    }),
  },
  'scaleway.secret-key': scaleway,
  'scaleway.config-secret-key': scaleway,
  'ibm.cloud-api-key': ibm,
  'ibm.service-credentials-api-key': ibm,
  'azure.devops-pat': {
    path: '/_apis/profile/profiles/me',
    auth: (req, secret) =>
      req.headers.authorization === `Basic ${Buffer.from(`:${secret}`).toString('base64')}`,
    live: json(200, { id: 'a2e5a7c1-0000-4000-8000-000000000001', displayName: 'Jane' }),
    invalid: {
      status: 203,
      headers: { 'content-type': 'text/html' },
      body: '<html>Sign in to your account</html>',
    },
    identity: { user: 'a2e5a7c1-0000-4000-8000-000000000001' },
  },
  'mailjet.secret-key': {
    path: '/v3/REST/apikey',
    auth: basicPair('mailjet.api-key'),
    live: json(200, { Count: 1, Data: [{ IsActive: true }], Total: 1 }),
    invalid: { status: 401, body: '' },
  },
  'elastic.cloud-api-key': {
    path: '/api/v1/deployments',
    auth: header('authorization', 'ApiKey '),
    live: json(200, { deployments: [] }),
    invalid: json(401, {
      errors: [{ code: 'root.unauthenticated', message: 'The supplied authentication is invalid' }],
    }),
  },
  'clerk.secret-key': clerk,
  'clerk.test-secret-key': clerk,
  'coinbase.commerce-api-key': {
    path: '/charges',
    auth: header('x-cc-api-key'),
    live: json(200, { pagination: { total: 0 }, data: [] }),
    invalid: json(401, { error: { type: 'authorization_error', message: 'No such API key.' } }),
  },
};
