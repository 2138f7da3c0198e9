import { createWriteStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { systemClock } from '../clock.js';
import type { Command } from '../cli/commands.js';
import { storeOptions, withContext, type CommandContext } from '../cli/context.js';
import type { CliIo } from '../cli/io.js';
import { LwError } from '../errors.js';
import { createSmtpMailer } from '../mail/mailer.js';
import { parseSmtpUrl } from '../main.js';
import { importMbox, startBounceListener } from './bounces.js';
import {
  approveCampaign,
  campaignProgress,
  cancelCampaign,
  createCampaign,
  defaultSettings,
  getCampaign,
  listCampaigns,
  pauseCampaign,
  resumeCampaign,
  startCampaign,
  type CampaignSettings,
} from './campaigns.js';
import { campaignEvidence, unreachableCount, unreachableCsv } from './exports.js';
import { dryRun, previewNotice, sendTestNotices } from './preview.js';
import { formatProgress } from './progress-text.js';
import { createRawSender } from './sender.js';
import {
  campaignLanguageModes,
  campaignLanguages,
  sampleNoticeContent,
  type CampaignLanguage,
  type CampaignLanguageMode,
} from './templates.js';
import { runWorker, type WorkerStats } from './worker.js';

const now = () => systemClock.now().toISOString();
const actorOf = (io: CliIo) => `cli:${io.env.LEAKWATCH_ACTOR ?? io.env.USER ?? 'operator'}`;
const print = (io: CliIo, value: unknown) => io.stdout.write(JSON.stringify(value, null, 2) + '\n');
const isTty = (io: CliIo) => (io.stdout as { isTTY?: boolean }).isTTY === true;

const required = (value: string | undefined, what: string): string => {
  if (value === undefined || value === '') throw new LwError('LW_USAGE', `missing ${what}`);
  return value;
};

const numberFlag = (value: string | undefined, name: string): number | undefined => {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0)
    throw new LwError('LW_USAGE', `--${name}: expected a positive number`);
  return n;
};

// Built on use, not at import: this module and cli/context.ts import each other (through the
// extension registry), and `storeOptions` may not be initialised yet when this file loads.
const campaignOptions = () =>
  ({
    ...storeOptions,
    template: { type: 'string' },
    name: { type: 'string' },
    language: { type: 'string' },
    'default-language': { type: 'string' },
    from: { type: 'string' },
    'bounce-address': { type: 'string' },
    rate: { type: 'string' },
    'domain-rate': { type: 'string' },
    'domain-concurrency': { type: 'string' },
    'max-attempts': { type: 'string' },
    organisation: { type: 'string' },
    'official-site': { type: 'string' },
    person: { type: 'string' },
    email: { type: 'string' },
    html: { type: 'boolean' },
    to: { type: 'string', multiple: true },
    out: { type: 'string' },
    smtp: { type: 'string' },
    connections: { type: 'string' },
    batch: { type: 'string' },
    'in-flight': { type: 'string' },
    'lease-ms': { type: 'string' },
    'retry-ms': { type: 'string' },
    'backoff-ms': { type: 'string' },
    'poll-ms': { type: 'string' },
    'flush-ms': { type: 'string' },
    'dkim-domain': { type: 'string' },
    'dkim-selector': { type: 'string' },
    'dkim-key': { type: 'string' },
    'worker-id': { type: 'string' },
    detach: { type: 'boolean' },
    watch: { type: 'boolean' },
    host: { type: 'string' },
    port: { type: 'string' },
  }) as const;

type Values = ReturnType<
  typeof parseArgs<{
    args: string[];
    options: ReturnType<typeof campaignOptions>;
    allowPositionals: true;
  }>
>['values'];

const testMailer = (values: Values, io: CliIo, from: string) =>
  createSmtpMailer(
    parseSmtpUrl(values.smtp ?? io.env.LEAKWATCH_SMTP_URL ?? 'smtp://127.0.0.1:25', from),
  );

/** Runs one worker in this process until the campaign is done or paused, printing progress. */
const work = async (
  ctx: CommandContext,
  values: Values,
  io: CliIo,
  id: string,
): Promise<WorkerStats> => {
  const campaign = await getCampaign(ctx.store, id);
  const dkimFlags = [values['dkim-domain'], values['dkim-selector'], values['dkim-key']];
  if (dkimFlags.some((v) => v !== undefined) && !dkimFlags.every((v) => v !== undefined)) {
    throw new LwError('LW_USAGE', '--dkim-domain, --dkim-selector and --dkim-key go together');
  }
  const dkim = values['dkim-key'] !== undefined && {
    domainName: values['dkim-domain'] as string,
    keySelector: values['dkim-selector'] as string,
    privateKey: await readFile(resolve(io.cwd, values['dkim-key']), 'utf8'),
  };
  const sender = createRawSender({
    ...parseSmtpUrl(
      values.smtp ?? io.env.LEAKWATCH_SMTP_URL ?? 'smtp://127.0.0.1:25',
      campaign.settings.from,
    ),
    maxConnections: numberFlag(values.connections, 'connections') ?? 5,
    ...(dkim && { dkim }),
  });
  const abort = new AbortController();
  void io.stopSignal?.then(() => abort.abort());
  let lastPrint = 0;
  const tty = isTty(io);
  // On SQLite there is one worker, so a stable id lets a restarted worker take its rows back
  // at once instead of waiting for their leases to expire.
  const owner =
    values['worker-id'] ?? (ctx.store.dialect === 'sqlite' ? `${hostname()}:sqlite` : undefined);
  const report = async () => {
    const line = formatProgress(
      await campaignProgress(ctx.store, id, systemClock.now()),
      tty ? 30 : 0,
    );
    io.stderr.write(tty ? `\r${line}\u001b[K` : `${line}\n`);
  };
  try {
    const stats = await runWorker({
      store: ctx.store,
      keyring: ctx.keyring,
      sender,
      campaignId: id,
      ...(owner !== undefined && { owner }),
      ...(values.batch !== undefined && { batchSize: numberFlag(values.batch, 'batch') as number }),
      ...(values['in-flight'] !== undefined && {
        maxInFlight: numberFlag(values['in-flight'], 'in-flight') as number,
      }),
      ...(values['lease-ms'] !== undefined && {
        leaseMs: numberFlag(values['lease-ms'], 'lease-ms') as number,
      }),
      ...(values['retry-ms'] !== undefined && {
        retryMs: numberFlag(values['retry-ms'], 'retry-ms') as number,
      }),
      ...(values['backoff-ms'] !== undefined && {
        domainBackoffMs: numberFlag(values['backoff-ms'], 'backoff-ms') as number,
      }),
      ...(values['poll-ms'] !== undefined && {
        pollMs: numberFlag(values['poll-ms'], 'poll-ms') as number,
      }),
      ...(values['flush-ms'] !== undefined && {
        flushMs: numberFlag(values['flush-ms'], 'flush-ms') as number,
      }),
      signal: abort.signal,
      onTick: () => {
        if (Date.now() - lastPrint < (tty ? 500 : 5_000)) return;
        lastPrint = Date.now();
        void report();
      },
    });
    await report();
    if (tty) io.stderr.write('\n');
    return stats;
  } finally {
    await sender.close();
  }
};

const settingsFrom = (values: Values, io: CliIo): CampaignSettings => {
  const from = values.from ?? io.env.LEAKWATCH_MAIL_FROM ?? 'security@localhost.localdomain';
  const base = defaultSettings(from);
  return {
    ...base,
    bounceAddress: values['bounce-address'] ?? base.bounceAddress,
    rate: numberFlag(values.rate, 'rate') ?? base.rate,
    domainRate: numberFlag(values['domain-rate'], 'domain-rate') ?? base.domainRate,
    domainConcurrency:
      numberFlag(values['domain-concurrency'], 'domain-concurrency') ?? base.domainConcurrency,
    maxAttempts: numberFlag(values['max-attempts'], 'max-attempts') ?? base.maxAttempts,
    ...(values['default-language'] !== undefined && {
      defaultLanguage: values['default-language'] as CampaignLanguage,
    }),
  };
};

export const campaignUsage = `  campaign init-template [--organisation N --official-site S]   print a template to edit
  campaign create INCIDENT --template FILE [--name N] [--from ADDR]
           [--language ja|en|ja+en|auto [--default-language ja|en|ja+en]]
           [--bounce-address ADDR] [--rate N] [--domain-rate N] [--domain-concurrency N] [--max-attempts N]
  campaign list [INCIDENT] | show ID | status ID [--watch]
  campaign preview ID --person ID|--email ADDR [--html] | dry-run ID | test ID --to ADDR [--to ADDR]
  campaign approve ID        (a second operator: not the creator)
  campaign start ID | resume ID [--detach] [--smtp URL] [--connections N] [--batch N] [--in-flight N]
           [--dkim-domain D --dkim-selector S --dkim-key FILE.pem]
  campaign work ID [same worker options] [--worker-id ID]   another worker (PostgreSQL: any machine)
  campaign pause ID | cancel ID
  campaign bounces import FILE.mbox | bounces listen [--host H] [--port N]
  campaign unreachable ID [--out FILE.csv] | evidence ID [--person ID] [--out FILE.jsonl]
`;

export const campaignCommand: Command = async (argv, io) => {
  const [sub, ...rest] = argv;
  const { values, positionals } = parseArgs({
    args: rest,
    options: campaignOptions(),
    allowPositionals: true,
  });
  if (sub === 'init-template') {
    print(
      io,
      sampleNoticeContent(
        values.organisation ?? 'Example Corp',
        values['official-site'] ?? 'example.com',
      ),
    );
    return 0;
  }
  return withContext(values, io, async (ctx) => {
    const { store, keyring } = ctx;
    const id = () => required(positionals[0], 'CAMPAIGN');
    switch (sub) {
      case 'create': {
        const incidentId = required(positionals[0], 'INCIDENT');
        const file = required(values.template, '--template FILE');
        let template: unknown;
        try {
          template = JSON.parse(await readFile(resolve(io.cwd, file), 'utf8'));
        } catch (error) {
          throw new LwError('LW_VALIDATION', `cannot read ${file}: ${(error as Error).message}`);
        }
        const language = (values.language ?? 'ja+en') as CampaignLanguageMode;
        if (!campaignLanguageModes.includes(language))
          throw new LwError('LW_USAGE', `--language ${campaignLanguageModes.join('|')}`);
        const defaultLanguage = values['default-language'] as CampaignLanguage | undefined;
        if (defaultLanguage !== undefined && !campaignLanguages.includes(defaultLanguage))
          throw new LwError('LW_USAGE', `--default-language ${campaignLanguages.join('|')}`);
        if (defaultLanguage !== undefined && language !== 'auto')
          throw new LwError('LW_USAGE', '--default-language goes with --language auto');
        const campaign = await createCampaign(
          store,
          {
            incidentId,
            name: values.name ?? 'notice',
            language,
            template,
            settings: settingsFrom(values, io),
          },
          actorOf(io),
          now(),
        );
        io.stdout.write(
          values.json ? JSON.stringify(campaign, null, 2) + '\n' : `${campaign.id}\n`,
        );
        return 0;
      }
      case 'list': {
        const campaigns = await listCampaigns(store, positionals[0]);
        if (values.json) print(io, campaigns);
        else
          for (const c of campaigns)
            io.stdout.write(
              `${c.id}  ${c.state.padEnd(9)}  ${c.language.padEnd(5)}  ${c.total}  ${c.name}\n`,
            );
        return 0;
      }
      case 'show':
        print(io, await getCampaign(store, id()));
        return 0;
      case 'approve': {
        const campaign = await approveCampaign(store, id(), actorOf(io), now());
        io.stdout.write(`${campaign.id} approved (template ${campaign.templateVersion})\n`);
        return 0;
      }
      case 'preview': {
        const campaign = await getCampaign(store, id());
        const who =
          values.email !== undefined
            ? { email: values.email }
            : { personId: required(values.person, '--person ID or --email ADDRESS') };
        const notice = await previewNotice(store, keyring, campaign, who, actorOf(io), now());
        if (values.json) print(io, notice);
        else
          io.stdout.write(
            `Subject: ${notice.subject}\n\n${values.html ? notice.html : notice.text}`,
          );
        return 0;
      }
      case 'dry-run': {
        const campaign = await getCampaign(store, id());
        const result = await dryRun(store, keyring, campaign);
        await store.appendEvent(
          campaign.incidentId,
          actorOf(io),
          'campaign.dry-run',
          { campaign: campaign.id, rendered: result.rendered },
          now(),
        );
        if (values.json) print(io, result);
        else {
          io.stdout.write(
            `${result.people} people: ${result.rendered} rendered, ${result.withoutAddress} without address, ` +
              `${result.undecryptable} undecryptable; ${result.bytes} bytes; top domains: ` +
              result.domains
                .slice(0, 5)
                .map((d) => `${d.domain} ${d.people}`)
                .join(', ') +
              '\n',
          );
        }
        return result.undecryptable > 0 ? 1 : 0;
      }
      case 'test': {
        const campaign = await getCampaign(store, id());
        const recipients = values.to ?? [];
        if (recipients.length === 0) throw new LwError('LW_USAGE', 'missing --to ADDRESS');
        const mailer = testMailer(values, io, campaign.settings.from);
        try {
          const sent = await sendTestNotices(
            store,
            mailer,
            campaign,
            recipients,
            actorOf(io),
            now(),
          );
          io.stdout.write(`sent ${sent.length} test message(s)\n`);
        } finally {
          await mailer.close();
        }
        return 0;
      }
      case 'start':
      case 'resume': {
        const campaignId = id();
        if (sub === 'start') {
          const started = await startCampaign(store, keyring, campaignId, actorOf(io), now());
          io.stderr.write(
            `campaign ${campaignId}: ${started.total} notice(s) in the outbox` +
              (started.withoutAddress > 0
                ? `, ${started.withoutAddress} people without an address`
                : '') +
              '\n',
          );
        } else {
          await resumeCampaign(store, campaignId, actorOf(io), now());
        }
        if (values.detach) return 0;
        const stats = await work(ctx, values, io, campaignId);
        return stats.exit === 'completed' || stats.exit === 'paused' ? 0 : 1;
      }
      case 'work': {
        const stats = await work(ctx, values, io, id());
        if (values.json) print(io, stats);
        return stats.exit === 'stopped' || stats.exit === 'cancelled' ? 1 : 0;
      }
      case 'pause':
      case 'cancel': {
        const campaign =
          sub === 'pause'
            ? await pauseCampaign(store, id(), actorOf(io), now())
            : await cancelCampaign(store, id(), actorOf(io), now());
        io.stdout.write(`${campaign.id} ${campaign.state}\n`);
        return 0;
      }
      case 'status': {
        const campaignId = id();
        const tty = isTty(io);
        for (;;) {
          const progress = await campaignProgress(store, campaignId, systemClock.now());
          if (values.json) print(io, progress);
          else
            io.stdout.write(
              tty && values.watch
                ? `\r${formatProgress(progress, 30)}\u001b[K`
                : `${formatProgress(progress)}\n`,
            );
          if (
            !values.watch ||
            progress.state === 'completed' ||
            progress.state === 'cancelled' ||
            progress.state === 'paused'
          )
            break;
          await new Promise((r) => setTimeout(r, 1_000));
        }
        if (tty && values.watch) io.stdout.write('\n');
        return 0;
      }
      case 'bounces': {
        const [action, file] = positionals;
        if (action === 'import') {
          const data = await readFile(resolve(io.cwd, required(file, 'FILE.mbox')));
          const result = await importMbox(store, data, now(), keyring);
          if (values.json) print(io, result);
          else
            io.stdout.write(
              `${result.messages} message(s): ${result.recorded} bounce(s) recorded, ${result.duplicate} already known, ${result.unmatched} not about our notices\n`,
            );
          return 0;
        }
        if (action === 'listen') {
          const port = numberFlag(values.port, 'port') ?? 2525;
          const listener = await startBounceListener(store, {
            host: values.host ?? '127.0.0.1',
            port,
            keyring,
          });
          io.stderr.write(
            `leakwatch-server: receiving bounces on ${values.host ?? '127.0.0.1'}:${listener.port}\n`,
          );
          await (io.stopSignal ?? new Promise<void>(() => undefined));
          await listener.close();
          return 0;
        }
        throw new LwError(
          'LW_USAGE',
          'campaign bounces import FILE.mbox | campaign bounces listen [--port N]',
        );
      }
      case 'unreachable': {
        const campaign = await getCampaign(store, id());
        await store.logAccess({
          at: now(),
          actor: actorOf(io),
          action: 'campaign.unreachable-export',
          personId: null,
          incidentId: campaign.incidentId,
          details: { campaign: campaign.id },
        });
        await writeLines(io, values.out, unreachableCsv(store, keyring, campaign.id));
        const count = await unreachableCount(store, campaign.id);
        io.stderr.write(
          `${count.total} people unreachable by email (${count.byEmail} rejected or bounced at every address, ${count.withoutAddress} without an address)\n`,
        );
        return 0;
      }
      case 'evidence': {
        const campaign = await getCampaign(store, id());
        async function* lines() {
          for await (const e of campaignEvidence(store, campaign.id, values.person))
            yield JSON.stringify(e) + '\n';
        }
        await writeLines(io, values.out, lines());
        return 0;
      }
      default:
        throw new LwError('LW_USAGE', `usage:\n${campaignUsage}`);
    }
  });
};

const writeLines = async (
  io: CliIo,
  out: string | undefined,
  lines: AsyncIterable<string>,
): Promise<void> => {
  if (out === undefined) {
    for await (const line of lines) io.stdout.write(line);
    return;
  }
  const stream = createWriteStream(resolve(io.cwd, out), { mode: 0o600 });
  for await (const line of lines)
    if (!stream.write(line)) await new Promise<void>((r) => stream.once('drain', () => r()));
  await new Promise<void>((r, j) => stream.end((e?: Error | null) => (e ? j(e) : r())));
};
