import formbody from '@fastify/formbody';
import Fastify, {
  LogController,
  type FastifyBaseLogger,
  type FastifyError,
  type FastifyInstance,
} from 'fastify';
import type { Clock } from './clock.js';
import type { AppContext } from './context.js';
import type { Keyring } from './crypto/keys.js';
import { LwError, isLwError } from './errors.js';
import type { ServerExtension } from './extensions.js';
import { defaultJurisdictions, type Jurisdiction } from './incidents/legal-clocks.js';
import { MailQueue } from './mail/mail-queue.js';
import type { Mailer } from './mail/mailer.js';
import { RateLimiter } from './rate-limiter.js';
import { registerApiRoutes } from './routes/api.js';
import { registerOperatorLookupRoutes } from './routes/operator-lookup.js';
import { registerPublicRoutes } from './routes/public.js';
import type { Store } from './store/store.js';
import { isLanguage, messages, type Language } from './views/messages.js';
import { errorPage, type SiteInfo } from './views/pages.js';

export interface RateLimitOptions {
  /** Self-check posts per client IP per window. */
  checkPerIp?: number;
  /** Self-check answers per address per window (extra posts get the same page, and no mail). */
  checkPerAddress?: number;
  /** Reference-code checks per client IP per window. */
  verifyPerIp?: number;
  windowMs?: number;
}

export interface AppOptions {
  store: Store;
  mailer: Mailer;
  clock: Clock;
  logger: FastifyBaseLogger;
  keyring: Keyring;
  site?: SiteInfo;
  jurisdictions?: Jurisdiction[];
  rateLimits?: RateLimitOptions;
  /** Largest JSON or form body, in bytes. */
  bodyLimit?: number;
  /** Largest people upload (streamed), in bytes. */
  uploadLimit?: number;
  /** Trust X-Forwarded-For from a reverse proxy for client IPs (rate limits). */
  trustProxy?: boolean;
  /** Modules whose routes are registered next to the core ones (src/extensions.ts). */
  extensions?: ServerExtension[];
}

declare module 'fastify' {
  interface FastifyInstance {
    leakwatch: AppContext;
  }
}

export const defaultSite: SiteInfo = {
  name: 'leakwatch',
  contact: 'Contact centre: see the official website',
  officialSite: 'the official website',
};

const securityHeaders = {
  'content-security-policy':
    "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cache-control': 'no-store',
};

const lwErrorOf = (error: FastifyError | LwError): LwError => {
  if (isLwError(error)) return error;
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new LwError('LW_PAYLOAD_TOO_LARGE', 'the request body is too large');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new LwError('LW_UNSUPPORTED_MEDIA', 'unsupported content type');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new LwError('LW_BAD_REQUEST', 'the request body is not valid');
  }
  if (error.statusCode === 400 || error.validation)
    return new LwError('LW_BAD_REQUEST', 'malformed request');
  return new LwError('LW_INTERNAL', 'internal error');
};

const publicMessage = (lang: Language, error: LwError): string => {
  const t = messages[lang];
  switch (error.code) {
    case 'LW_CSRF':
      return t.formExpired;
    case 'LW_RATE_LIMITED':
      return t.tooMany;
    case 'LW_NOT_FOUND':
      return t.notFound;
    default:
      return t.internalError;
  }
};

export const buildApp = (options: AppOptions): FastifyInstance => {
  const windowMs = options.rateLimits?.windowMs ?? 10 * 60_000;
  const context: AppContext = {
    store: options.store,
    mailer: options.mailer,
    clock: options.clock,
    logger: options.logger,
    keyring: options.keyring,
    site: options.site ?? defaultSite,
    jurisdictions: options.jurisdictions ?? defaultJurisdictions,
    mailQueue: new MailQueue(options.logger),
    limits: {
      checkPerIp: new RateLimiter(options.rateLimits?.checkPerIp ?? 20, windowMs, options.clock),
      checkPerAddress: new RateLimiter(
        options.rateLimits?.checkPerAddress ?? 3,
        windowMs,
        options.clock,
      ),
      verifyPerIp: new RateLimiter(options.rateLimits?.verifyPerIp ?? 30, windowMs, options.clock),
    },
    uploadLimit: options.uploadLimit ?? 512 * 1024 * 1024,
  };

  const app = Fastify({
    loggerInstance: options.logger,
    // Fastify's request log prints the URL; ours (below) prints the route pattern, never values.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: options.bodyLimit ?? 10 * 1024 * 1024,
    trustProxy: options.trustProxy ?? false,
    routerOptions: { ignoreTrailingSlash: false },
  });
  app.decorate('leakwatch', context);
  app.register(formbody, { bodyLimit: 16 * 1024 });

  app.addHook('onSend', async (_request, reply) => {
    reply.headers(securityHeaders);
  });
  app.addHook('onResponse', async (request, reply) => {
    request.log.info(
      {
        method: request.method,
        route: request.routeOptions.url ?? 'unmatched',
        status: reply.statusCode,
        ms: Math.round(reply.elapsedTime),
      },
      'request',
    );
  });
  app.addHook('onClose', async () => {
    await context.mailQueue.drain();
  });

  app.setNotFoundHandler(async () => {
    throw new LwError('LW_NOT_FOUND', 'no such route');
  });

  app.setErrorHandler(async (raw: FastifyError | LwError, request, reply) => {
    const error = lwErrorOf(raw);
    if (error.code === 'LW_INTERNAL') request.log.error(raw, 'unhandled error');
    else request.log.info({ code: error.code }, 'request refused');
    const url = request.url;
    if (url.startsWith('/api/')) {
      return reply.code(error.status).send({
        error: {
          code: error.code,
          message: error.message,
          ...(error.details !== undefined && { details: error.details }),
        },
      });
    }
    const first = url.split('/')[1];
    const lang: Language = isLanguage(first) ? first : 'en';
    return reply
      .code(error.status)
      .type('text/html; charset=utf-8')
      .send(errorPage(lang, context.site, publicMessage(lang, error)));
  });

  registerPublicRoutes(app, context);
  registerApiRoutes(app, context);
  registerOperatorLookupRoutes(app, context);
  for (const extension of options.extensions ?? []) extension.routes?.(app, context);
  return app;
};
