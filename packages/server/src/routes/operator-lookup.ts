import type { FastifyError, FastifyInstance, FastifyRequest } from 'fastify';
import type { AppContext } from '../context.js';
import { normalizeEmail } from '../crypto/email.js';
import { LwError, isLwError } from '../errors.js';
import { lookupPerson } from '../lookup.js';
import type { ApiToken } from '../store/store.js';
import { hashToken } from '../tokens.js';
import { isLanguage, type Language } from '../views/messages.js';
import { lookupMessages, operatorErrorPage, operatorLookupPage } from '../views/operator-lookup.js';
import { csrfFor, formBody, requireCsrf } from './public.js';

type LangParams = { Params: { lang: string } };

/**
 * The contact-centre lookup as an operator page (`/en/operator/lookup`, `/ja/operator/lookup`).
 * Authenticated like the campaign operator page (a Bearer operator token; admins and viewers may
 * look up), with the public forms' CSRF protection on the post. The lookup itself is the API's,
 * so each one lands in the access log with the address's hash, and the address is never logged.
 */
export const registerOperatorLookupRoutes = (app: FastifyInstance, ctx: AppContext): void => {
  const tokens = new WeakMap<FastifyRequest, ApiToken>();
  const languageOf = (request: FastifyRequest): Language => {
    const lang = (request.params as { lang?: string }).lang;
    return isLanguage(lang) ? lang : 'en';
  };

  app.register(async (scope) => {
    scope.addHook('onRequest', async (request) => {
      const match = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '');
      if (!match) throw new LwError('LW_UNAUTHENTICATED', 'send "Authorization: Bearer <token>"');
      const token = await ctx.store.findToken(hashToken(match[1] as string));
      if (!token || token.revokedAt)
        throw new LwError('LW_UNAUTHENTICATED', 'unknown or revoked token');
      tokens.set(request, token);
    });

    scope.setErrorHandler(async (raw: FastifyError | LwError, request, reply) => {
      const error = isLwError(raw)
        ? raw
        : raw.statusCode === 400 || raw.code === 'FST_ERR_CTP_BODY_TOO_LARGE'
          ? new LwError('LW_BAD_REQUEST', 'malformed form')
          : new LwError('LW_INTERNAL', 'internal error');
      if (error.code === 'LW_INTERNAL') request.log.error(raw, 'unhandled error');
      else request.log.info({ code: error.code }, 'request refused');
      const lang = languageOf(request);
      const text = lookupMessages[lang].errors;
      const message =
        error.code === 'LW_UNAUTHENTICATED'
          ? text.unauthenticated
          : error.code === 'LW_FORBIDDEN'
            ? text.forbidden
            : error.code === 'LW_CSRF' || error.code === 'LW_BAD_REQUEST'
              ? text.csrf
              : text.other;
      if (error.code === 'LW_UNAUTHENTICATED') reply.header('www-authenticate', 'Bearer');
      return reply
        .code(error.status)
        .type('text/html; charset=utf-8')
        .send(operatorErrorPage(lang, message));
    });

    scope.get<LangParams>('/:lang/operator/lookup', async (request, reply) => {
      const lang = languageOf(request);
      if (lang !== request.params.lang) throw new LwError('LW_NOT_FOUND', 'no such language');
      return reply
        .type('text/html; charset=utf-8')
        .send(operatorLookupPage(lang, csrfFor(ctx, request, reply)));
    });

    scope.post<LangParams>('/:lang/operator/lookup', async (request, reply) => {
      const lang = languageOf(request);
      if (lang !== request.params.lang) throw new LwError('LW_NOT_FOUND', 'no such language');
      const body = formBody(request);
      const csrf = requireCsrf(ctx, request, body);
      const normalized = typeof body.email === 'string' ? normalizeEmail(body.email) : null;
      if (!normalized) {
        return reply
          .code(400)
          .type('text/html; charset=utf-8')
          .send(operatorLookupPage(lang, csrf, { error: lookupMessages[lang].invalidEmail }));
      }
      const token = tokens.get(request);
      const result = await lookupPerson(
        ctx.store,
        ctx.keyring,
        `token:${token?.name ?? 'unknown'}`,
        normalized,
        ctx.clock.now().toISOString(),
      );
      return reply
        .type('text/html; charset=utf-8')
        .send(operatorLookupPage(lang, csrf, { result }));
    });
  });
};
