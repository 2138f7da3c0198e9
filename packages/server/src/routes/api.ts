import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Readable } from 'node:stream';
import type { AppContext } from '../context.js';
import { normalizeEmail } from '../crypto/email.js';
import { LwError } from '../errors.js';
import { applyLifecycle, type LifecycleAction } from '../incidents/lifecycle.js';
import {
  buildRegulatorReport,
  computeDeadlines,
  formatRegulatorMarkdown,
} from '../incidents/legal-clocks.js';
import { parseReport } from '../incidents/report.js';
import { lookupPerson } from '../lookup.js';
import {
  closingReasons,
  incidentStatuses,
  type Incident,
  type IncidentStatus,
} from '../incidents/types.js';
import { importPeople, type ColumnMapping } from '../people/import.js';
import type { IncidentPatch } from '../store/store.js';
import type { ApiToken } from '../store/store.js';
import { hashToken } from '../tokens.js';

type IdParams = { Params: { id: string } };

const object = (value: unknown): Record<string, unknown> => {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new LwError('LW_BAD_REQUEST', 'expected a JSON object');
  }
  return value as Record<string, unknown>;
};

const isoTime = (value: unknown, field: string): string => {
  if (typeof value !== 'string' || Number.isNaN(Date.parse(value))) {
    throw new LwError('LW_VALIDATION', `${field}: expected an ISO 8601 time`);
  }
  return new Date(value).toISOString();
};

const text = (value: unknown, field: string, max = 20_000): string | null => {
  if (value === null) return null;
  if (typeof value !== 'string' || value.length > max) {
    throw new LwError('LW_VALIDATION', `${field}: expected a string of at most ${max} characters`);
  }
  return value;
};

/** Bytes of a streamed upload, failing once more than `limit` bytes arrive. */
async function* limited(stream: Readable, limit: number): AsyncGenerator<Uint8Array> {
  let total = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    total += chunk.length;
    if (total > limit) {
      stream.destroy();
      throw new LwError('LW_PAYLOAD_TOO_LARGE', `the upload exceeds ${limit} bytes`);
    }
    yield chunk;
  }
}

export const registerApiRoutes = (app: FastifyInstance, ctx: AppContext): void => {
  const now = () => ctx.clock.now().toISOString();
  const tokens = new WeakMap<FastifyRequest, ApiToken>();

  const withDeadlines = (incident: Incident) => ({
    ...incident,
    deadlines: computeDeadlines(incident, ctx.jurisdictions, ctx.clock.now()),
  });

  app.register(
    async (api) => {
      // Uploads of people are streamed straight into the importer instead of being buffered.
      for (const type of [
        'text/csv',
        'application/x-ndjson',
        'application/jsonl',
        'application/octet-stream',
      ]) {
        api.addContentTypeParser(type, (_request, payload, done) => done(null, payload));
      }

      api.addHook('onRequest', async (request) => {
        const header = request.headers.authorization ?? '';
        const match = /^Bearer\s+(\S+)$/i.exec(header);
        if (!match) throw new LwError('LW_UNAUTHENTICATED', 'send "Authorization: Bearer <token>"');
        const token = await ctx.store.findToken(hashToken(match[1] as string));
        if (!token || token.revokedAt)
          throw new LwError('LW_UNAUTHENTICATED', 'unknown or revoked token');
        if (
          token.role !== 'admin' &&
          request.method !== 'GET' &&
          !request.url.startsWith('/api/v1/lookup')
        ) {
          throw new LwError('LW_FORBIDDEN', `the ${token.role} role may only read`);
        }
        tokens.set(request, token);
      });
      const actorOf = (request: FastifyRequest): string =>
        `token:${tokens.get(request)?.name ?? 'unknown'}`;
      const incidentOr404 = async (id: string): Promise<Incident> => {
        const incident = await ctx.store.getIncident(id);
        if (!incident) throw new LwError('LW_NOT_FOUND', `no incident ${id}`);
        return incident;
      };

      api.post('/incidents/import', async (request, reply) => {
        const drafts = parseReport(request.body);
        const result = await ctx.store.importIncidents(drafts, actorOf(request), now());
        return reply.code(result.created.length > 0 ? 201 : 200).send({
          created: result.created.map((i) => i.id),
          existing: result.existing.map((i) => i.id),
        });
      });

      api.post('/incidents', async (request, reply) => {
        const body = object(request.body);
        const fingerprint = text(body.fingerprint, 'fingerprint', 300);
        const provider = text(body.provider, 'provider', 100);
        const description = text(body.description, 'description', 1000);
        const redacted = text(body.redacted ?? '', 'redacted', 100) ?? '';
        if (!fingerprint || !provider || !description) {
          throw new LwError('LW_VALIDATION', 'fingerprint, provider and description are required');
        }
        if ('secret' in body)
          throw new LwError('LW_VALIDATION', 'never send the raw secret; send a redacted preview');
        if (await ctx.store.getIncidentByFingerprint(fingerprint)) {
          throw new LwError('LW_VALIDATION', 'an incident with this fingerprint exists');
        }
        const incident = await ctx.store.createIncident(
          {
            fingerprint,
            ruleId: text(body.ruleId ?? 'manual', 'ruleId', 200) ?? 'manual',
            provider,
            description,
            severity: typeof body.severity === 'string' ? body.severity : 'high',
            redacted,
            source: 'manual',
            discoveredAt:
              body.discoveredAt === undefined ? now() : isoTime(body.discoveredAt, 'discoveredAt'),
            exposureFrom: body.exposureFrom ? isoTime(body.exposureFrom, 'exposureFrom') : null,
            exposureUntil: body.exposureUntil ? isoTime(body.exposureUntil, 'exposureUntil') : null,
            details: {},
          },
          actorOf(request),
          now(),
        );
        return reply.code(201).send(withDeadlines(incident));
      });

      api.get<{ Querystring: { status?: string } }>('/incidents', async (request) => {
        const status = request.query.status;
        if (status !== undefined && !incidentStatuses.includes(status as IncidentStatus)) {
          throw new LwError(
            'LW_VALIDATION',
            `status must be one of ${incidentStatuses.join(', ')}`,
          );
        }
        const incidents = await ctx.store.listIncidents(
          status ? { status: status as IncidentStatus } : {},
        );
        return { incidents: incidents.map(withDeadlines) };
      });

      api.get<IdParams>('/incidents/:id', async (request) =>
        withDeadlines(await incidentOr404(request.params.id)),
      );

      api.patch<IdParams>('/incidents/:id', async (request) => {
        const incident = await incidentOr404(request.params.id);
        const body = object(request.body);
        const patch: IncidentPatch = {};
        if (body.awareAt !== undefined)
          patch.awareAt = body.awareAt === null ? null : isoTime(body.awareAt, 'awareAt');
        if (body.jurisdictions !== undefined) {
          const ids = body.jurisdictions;
          const known = ctx.jurisdictions.map((j) => j.id);
          if (!Array.isArray(ids) || !ids.every((id) => known.includes(id as string))) {
            throw new LwError(
              'LW_VALIDATION',
              `jurisdictions: each must be one of ${known.join(', ')}`,
            );
          }
          patch.jurisdictions = ids as string[];
        }
        if (body.malicious !== undefined) {
          if (typeof body.malicious !== 'boolean')
            throw new LwError('LW_VALIDATION', 'malicious: expected a boolean');
          patch.malicious = body.malicious;
        }
        if (body.publicTitle !== undefined)
          patch.publicTitle = text(body.publicTitle, 'publicTitle', 300);
        if (body.publicText !== undefined) patch.publicText = text(body.publicText, 'publicText');
        if (body.contactChannel !== undefined)
          patch.contactChannel = text(body.contactChannel, 'contactChannel', 1000);
        if (Object.keys(patch).length === 0)
          throw new LwError('LW_VALIDATION', 'nothing to change');
        await ctx.store.updateIncident(
          incident.id,
          patch,
          {
            actor: actorOf(request),
            action: 'incident.updated',
            details: { fields: Object.keys(patch) },
          },
          now(),
        );
        return withDeadlines(await incidentOr404(incident.id));
      });

      api.post<IdParams & { Body: unknown }>('/incidents/:id/:action', async (request) => {
        const { action } = request.params as { id: string; action: string };
        const body =
          request.body === undefined || request.body === null ? {} : object(request.body);
        const note = typeof body.note === 'string' ? body.note.slice(0, 2000) : undefined;
        let change: LifecycleAction;
        if (action === 'contain') {
          if (body.how !== 'revoked' && body.how !== 'rotated')
            throw new LwError('LW_VALIDATION', 'how: revoked or rotated');
          change = { action, how: body.how, ...(note !== undefined && { note }) };
        } else if (action === 'notify') {
          change = { action, ...(note !== undefined && { note }) };
        } else if (action === 'close') {
          if (!closingReasons.includes(body.reason as (typeof closingReasons)[number])) {
            throw new LwError(
              'LW_VALIDATION',
              `reason must be one of ${closingReasons.join(', ')}`,
            );
          }
          change = {
            action,
            reason: body.reason as (typeof closingReasons)[number],
            ...(note !== undefined && { note }),
          };
        } else if (action === 'purge') {
          const incident = await incidentOr404(request.params.id);
          if (incident.status !== 'closed')
            throw new LwError('LW_INVALID_TRANSITION', 'only a closed incident can be purged');
          return ctx.store.purgePeople(incident.id, actorOf(request), now());
        } else {
          throw new LwError('LW_NOT_FOUND', `no action ${action}`);
        }
        return withDeadlines(
          await applyLifecycle(ctx.store, request.params.id, change, actorOf(request), now()),
        );
      });

      api.get<IdParams>('/incidents/:id/timeline', async (request) => {
        await incidentOr404(request.params.id);
        return { events: await ctx.store.timeline(request.params.id) };
      });

      api.get<IdParams & { Querystring: { format?: string } }>(
        '/incidents/:id/regulator-report',
        async (request, reply) => {
          const incident = await incidentOr404(request.params.id);
          const noticesSent = await ctx.store.noticesOfIncidentCount(incident.id);
          const report = buildRegulatorReport(
            incident,
            await ctx.store.timeline(incident.id),
            noticesSent,
            ctx.jurisdictions,
            ctx.clock.now(),
          );
          if (request.query.format === 'markdown') {
            return reply.type('text/markdown; charset=utf-8').send(formatRegulatorMarkdown(report));
          }
          return report;
        },
      );

      api.post<IdParams & { Querystring: Record<string, string | undefined> }>(
        '/incidents/:id/people',
        { bodyLimit: ctx.uploadLimit },
        async (request) => {
          const query = request.query;
          const format =
            query.format ??
            (request.headers['content-type']?.startsWith('text/csv') ? 'csv' : 'jsonl');
          if (format !== 'csv' && format !== 'jsonl')
            throw new LwError('LW_VALIDATION', 'format: csv or jsonl');
          const encoding = query.encoding ?? 'utf-8';
          if (encoding !== 'utf-8' && encoding !== 'shift_jis')
            throw new LwError('LW_VALIDATION', 'encoding: utf-8 or shift_jis');
          const mapping: ColumnMapping = {
            email: (query.email ?? 'email')
              .split(',')
              .map((c) => c.trim())
              .filter(Boolean),
            ...(query.id && { id: query.id }),
            ...(query.language && { language: query.language }),
            ...(query.selectColumn &&
              query.selectAfter && {
                select: { column: query.selectColumn, after: query.selectAfter },
              }),
          };
          const body = request.body as Readable | undefined;
          if (!body || typeof (body as Readable).pipe !== 'function') {
            throw new LwError(
              'LW_UNSUPPORTED_MEDIA',
              'send the file as text/csv or application/x-ndjson',
            );
          }
          await incidentOr404(request.params.id);
          return importPeople(ctx.store, limited(body, ctx.uploadLimit), {
            incidentId: request.params.id,
            actor: actorOf(request),
            format,
            encoding,
            mapping,
            strict: query.strict === 'true',
            keyring: ctx.keyring,
            clock: ctx.clock,
          });
        },
      );

      /**
       * Contact-centre lookup: is this person affected, and what was sent to them when. Every call
       * is written to the access log, hit or miss, with the address's hash only.
       */
      api.post('/lookup', async (request) => {
        const body = object(request.body);
        const normalized = typeof body.email === 'string' ? normalizeEmail(body.email) : null;
        if (!normalized) throw new LwError('LW_VALIDATION', 'email: not a valid email address');
        const { affected, incidents, notices } = await lookupPerson(
          ctx.store,
          ctx.keyring,
          actorOf(request),
          normalized,
          now(),
        );
        return {
          affected,
          incidents: incidents.map((i) => ({
            id: i.id,
            description: i.description,
            publicTitle: i.publicTitle,
            status: i.status,
          })),
          notices: notices.map((n) => ({
            incidentId: n.incidentId,
            referenceCode: n.referenceCode,
            channel: n.channel,
            status: n.status,
            sentAt: n.sentAt,
          })),
        };
      });

      api.get('/access-log', async (request) => {
        if (tokens.get(request)?.role !== 'admin') throw new LwError('LW_FORBIDDEN', 'admins only');
        return { entries: await ctx.store.accessLog() };
      });
    },
    { prefix: '/api/v1' },
  );
};
