import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { maskEmail, normalizeEmail, openEmail } from '../crypto/email.js';
import { LwError } from '../errors.js';
import type { AppContext } from '../context.js';
import { checkFormToken, csrfCookie, formToken, isNonce, newNonce, parseCookies } from '../csrf.js';
import { findPersonByEmail } from '../lookup.js';
import { parseReferenceCode } from '../reference-code.js';
import { selfCheckEmail } from '../views/emails.js';
import { isLanguage, messages, type Language } from '../views/messages.js';
import {
  checkDonePage,
  checkPage,
  homePage,
  noticePage,
  verifyPage,
  verifyResultPage,
} from '../views/pages.js';

type LangParams = { Params: { lang: string } };

const languageOf = (request: FastifyRequest<LangParams>): Language => {
  const lang = request.params.lang;
  if (!isLanguage(lang)) throw new LwError('LW_NOT_FOUND', 'no such language');
  return lang;
};

/** The nonce of the CSRF cookie, setting a new cookie when the browser has none yet. */
export const csrfFor = (ctx: AppContext, request: FastifyRequest, reply: FastifyReply): string => {
  let nonce = parseCookies(request.headers.cookie).get(csrfCookie);
  if (!isNonce(nonce)) {
    nonce = newNonce();
    const secure = request.protocol === 'https' ? '; Secure' : '';
    reply.header(
      'set-cookie',
      `${csrfCookie}=${nonce}; Path=/; HttpOnly; SameSite=Strict${secure}`,
    );
  }
  return formToken(ctx.keyring.formKey, nonce);
};

export const requireCsrf = (
  ctx: AppContext,
  request: FastifyRequest,
  body: Record<string, unknown>,
): string => {
  const nonce = parseCookies(request.headers.cookie).get(csrfCookie);
  if (!checkFormToken(ctx.keyring.formKey, nonce, body.csrf))
    throw new LwError('LW_CSRF', 'missing or invalid form token');
  return formToken(ctx.keyring.formKey, nonce as string);
};

export const formBody = (request: FastifyRequest): Record<string, unknown> => {
  const body = request.body;
  if (typeof body !== 'object' || body === null)
    throw new LwError('LW_BAD_REQUEST', 'expected a form');
  return body as Record<string, unknown>;
};

const page = (reply: FastifyReply, status: number, body: string) =>
  reply.code(status).type('text/html; charset=utf-8').send(body);

export const registerPublicRoutes = (app: FastifyInstance, ctx: AppContext): void => {
  // The answer page is the same for every request in a language: render it once.
  const donePages = new Map<Language, string>();
  const donePage = (lang: Language): string => {
    let body = donePages.get(lang);
    if (body === undefined) {
      body = checkDonePage(lang, ctx.site);
      donePages.set(lang, body);
    }
    return body;
  };

  app.get('/', async (request, reply) => {
    const wantsJapanese = /^ja\b/i.test(request.headers['accept-language'] ?? '');
    return reply.redirect(wantsJapanese ? '/ja/' : '/en/', 303);
  });

  app.get<LangParams>('/:lang/', async (request, reply) => {
    const lang = languageOf(request);
    const incidents = (await ctx.store.listIncidents()).filter((i) => i.publicTitle);
    return page(reply, 200, homePage(lang, ctx.site, incidents));
  });

  app.get<LangParams>('/:lang/check', async (request, reply) => {
    const lang = languageOf(request);
    return page(reply, 200, checkPage(lang, ctx.site, csrfFor(ctx, request, reply)));
  });

  /**
   * The answer page never depends on whether the address is known: same status, same bytes, and
   * the only membership-dependent work (reading the person's incidents, sending) runs after the
   * response, in the mail queue. The lookup itself is one indexed read either way.
   */
  app.post<LangParams>('/:lang/check', async (request, reply) => {
    const lang = languageOf(request);
    const body = formBody(request);
    const csrf = requireCsrf(ctx, request, body);
    if (!ctx.limits.checkPerIp.hit(request.ip))
      throw new LwError('LW_RATE_LIMITED', 'too many checks from this client');
    const normalized = typeof body.email === 'string' ? normalizeEmail(body.email) : null;
    if (!normalized)
      return page(reply, 400, checkPage(lang, ctx.site, csrf, messages[lang].invalidEmail));
    const { hash, personId } = await findPersonByEmail(ctx.store, ctx.keyring, normalized);
    const allowed = ctx.limits.checkPerAddress.hit(hash);
    if (personId && allowed) {
      ctx.mailQueue.push(async () => {
        const incidents = await ctx.store.incidentsOfPerson(personId);
        const notices = await ctx.store.noticesOfPerson(personId);
        const mail = selfCheckEmail(lang, ctx.site, incidents, notices);
        await ctx.mailer.send({ to: normalized, ...mail });
        for (const incident of incidents) {
          await ctx.store.appendEvent(
            incident.id,
            'public',
            'self-check.answered',
            { language: lang },
            ctx.clock.now().toISOString(),
          );
        }
      });
    }
    return page(reply, 200, donePage(lang));
  });

  app.get<LangParams>('/:lang/verify', async (request, reply) => {
    const lang = languageOf(request);
    return page(reply, 200, verifyPage(lang, ctx.site, csrfFor(ctx, request, reply)));
  });

  app.post<LangParams>('/:lang/verify', async (request, reply) => {
    const lang = languageOf(request);
    const body = formBody(request);
    const csrf = requireCsrf(ctx, request, body);
    if (!ctx.limits.verifyPerIp.hit(request.ip))
      throw new LwError('LW_RATE_LIMITED', 'too many code checks from this client');
    const code = typeof body.code === 'string' ? parseReferenceCode(body.code) : null;
    if (!code)
      return page(reply, 400, verifyPage(lang, ctx.site, csrf, messages[lang].verifyBadFormat));
    const notice = await ctx.store.findNoticeByCode(code);
    if (!notice || !notice.sentAt)
      return page(reply, 200, verifyResultPage(lang, ctx.site, { kind: 'not-ours' }));
    const masked = maskEmail(
      openEmail(ctx.keyring, { keyId: notice.keyId, value: notice.emailSealed }),
    );
    const incident = await ctx.store.getIncident(notice.incidentId);
    return page(
      reply,
      200,
      verifyResultPage(lang, ctx.site, {
        kind: 'genuine',
        sentAt: notice.sentAt,
        masked,
        incident,
      }),
    );
  });

  app.get<{ Params: { lang: string; id: string } }>(
    '/:lang/notices/:id',
    async (request, reply) => {
      const lang = languageOf(request);
      const incident = /^[0-9a-f-]{36}$/.test(request.params.id)
        ? await ctx.store.getIncident(request.params.id)
        : undefined;
      if (!incident?.publicTitle) throw new LwError('LW_NOT_FOUND', 'no such notice');
      return page(reply, 200, noticePage(lang, ctx.site, incident));
    },
  );
};
