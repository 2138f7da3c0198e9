import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AppContext } from '../context.js';
import { LwError } from '../errors.js';
import type { ApiToken } from '../store/store.js';
import { hashToken } from '../tokens.js';
import { html } from '../views/html.js';
import {
  approveCampaign,
  campaignProgress,
  getCampaign,
  listCampaigns,
  pauseCampaign,
  resumeCampaign,
  type Campaign,
  type Progress,
} from './campaigns.js';
import { formatProgress } from './progress-text.js';

type IdParams = { Params: { id: string } };

const summary = (c: Campaign) => ({
  id: c.id,
  incidentId: c.incidentId,
  name: c.name,
  state: c.state,
  language: c.language,
  templateVersion: c.templateVersion,
  settings: c.settings,
  createdBy: c.createdBy,
  createdAt: c.createdAt,
  approvedBy: c.approvedBy,
  approvedAt: c.approvedAt,
  startedAt: c.startedAt,
  finishedAt: c.finishedAt,
  total: c.total,
});

/** The operator's progress page: server-rendered, refreshes itself without JavaScript. */
const progressPage = (campaign: Campaign, p: Progress): string => {
  const done =
    p.total === 0
      ? p.state === 'completed'
        ? 100
        : 0
      : Math.round(((p.sent + p.failed) / p.total) * 1000) / 10;
  const eta = p.etaSeconds === null ? 'unknown' : `${p.etaSeconds} s`;
  return html`<!DOCTYPE html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        ${p.state === 'running' ? html`<meta http-equiv="refresh" content="5" />` : ''}
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>Campaign ${campaign.name} – progress</title>
        <style>
          body {
            font-family: sans-serif;
            max-width: 50em;
            margin: 2em auto;
            padding: 0 1em;
            color: #1a1a1a;
          }
          progress {
            width: 100%;
            height: 1.5em;
          }
          th {
            text-align: left;
            padding-right: 2em;
          }
        </style>
      </head>
      <body>
        <main>
          <h1>Campaign: ${campaign.name}</h1>
          <p>
            State: <strong>${p.state}</strong> · template ${campaign.templateVersion} · language
            ${campaign.language}
          </p>
          <label for="done">Done: ${done}%</label>
          <progress id="done" max="100" value="${done}">${done}%</progress>
          <table>
            <caption>
              Delivery
            </caption>
            <tbody>
              <tr>
                <th scope="row">Total</th>
                <td>${p.total}</td>
              </tr>
              <tr>
                <th scope="row">Sent</th>
                <td>${p.sent}</td>
              </tr>
              <tr>
                <th scope="row">Failed</th>
                <td>${p.failed}</td>
              </tr>
              <tr>
                <th scope="row">Bounced</th>
                <td>${p.bounced}</td>
              </tr>
              <tr>
                <th scope="row">Pending</th>
                <td>${p.pending + p.sending}</td>
              </tr>
              <tr>
                <th scope="row">Rate</th>
                <td>${p.rate} messages/s</td>
              </tr>
              <tr>
                <th scope="row">ETA</th>
                <td>${eta}</td>
              </tr>
            </tbody>
          </table>
          <p><small>${formatProgress(p)}</small></p>
        </main>
      </body>
    </html> `.value;
};

/**
 * Operator routes for campaigns, token-authenticated like the core API (admins may act, viewers
 * only read): progress as JSON and as a page, pause/resume, and the second operator's approval.
 */
export const registerCampaignRoutes = (app: FastifyInstance, ctx: AppContext): void => {
  const now = () => ctx.clock.now().toISOString();
  const tokens = new WeakMap<FastifyRequest, ApiToken>();
  app.register(async (scope) => {
    scope.addHook('onRequest', async (request) => {
      const match = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '');
      if (!match) throw new LwError('LW_UNAUTHENTICATED', 'send "Authorization: Bearer <token>"');
      const token = await ctx.store.findToken(hashToken(match[1] as string));
      if (!token || token.revokedAt)
        throw new LwError('LW_UNAUTHENTICATED', 'unknown or revoked token');
      if (token.role !== 'admin' && request.method !== 'GET')
        throw new LwError('LW_FORBIDDEN', `the ${token.role} role may only read`);
      tokens.set(request, token);
    });
    const actor = (request: FastifyRequest) => `token:${tokens.get(request)?.name ?? 'unknown'}`;

    scope.get<{ Querystring: { incident?: string } }>('/api/v1/campaigns', async (request) => ({
      campaigns: (await listCampaigns(ctx.store, request.query.incident)).map(summary),
    }));
    scope.get<IdParams>('/api/v1/campaigns/:id', async (request) => {
      const campaign = await getCampaign(ctx.store, request.params.id);
      return {
        ...summary(campaign),
        progress: await campaignProgress(ctx.store, campaign.id, ctx.clock.now()),
      };
    });
    scope.post<IdParams & { Params: { action: string } }>(
      '/api/v1/campaigns/:id/:action',
      async (request) => {
        const { id, action } = request.params;
        const act = { approve: approveCampaign, pause: pauseCampaign, resume: resumeCampaign }[
          action
        ];
        if (!act) throw new LwError('LW_NOT_FOUND', `no action ${action}`);
        return summary(await act(ctx.store, id, actor(request), now()));
      },
    );
    scope.get<IdParams>('/operator/campaigns/:id', async (request, reply) => {
      const campaign = await getCampaign(ctx.store, request.params.id);
      const progress = await campaignProgress(ctx.store, campaign.id, ctx.clock.now());
      return reply.type('text/html; charset=utf-8').send(progressPage(campaign, progress));
    });
  });
};
