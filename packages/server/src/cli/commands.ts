import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { systemClock } from '../clock.js';
import { writeKeyFile } from '../config.js';
import { addEncryptionKey } from '../crypto/keys.js';
import { LwError } from '../errors.js';
import { serverExtensions } from '../extensions.js';
import { applyLifecycle } from '../incidents/lifecycle.js';
import {
  buildRegulatorReport,
  computeDeadlines,
  formatRegulatorMarkdown,
} from '../incidents/legal-clocks.js';
import { parseReport } from '../incidents/report.js';
import {
  closingReasons,
  incidentStatuses,
  type ClosingReason,
  type Incident,
  type IncidentStatus,
} from '../incidents/types.js';
import { serve } from '../main.js';
import { importPeople } from '../people/import.js';
import { rekeyStore } from '../rekey.js';
import { rotateLookupKey } from './rotate-lookup-key.js';
import { purgeClosedIncidents } from '../retention.js';
import type { Role } from '../store/store.js';
import { createApiToken } from '../tokens.js';
import { storeOptions, withContext } from './context.js';
import type { CliIo } from './io.js';

/**
 * Subcommands by name. Each parses its own flags and returns an exit code. Extensions
 * (src/extensions.ts) add theirs, e.g. the campaign module's `campaign start|pause|resume|status`.
 */
export type Command = (argv: string[], io: CliIo) => Promise<number>;

const now = () => systemClock.now().toISOString();
const actorOf = (io: CliIo) => `cli:${io.env.LEAKWATCH_ACTOR ?? io.env.USER ?? 'operator'}`;
const print = (io: CliIo, value: unknown) => io.stdout.write(JSON.stringify(value, null, 2) + '\n');

const required = (value: string | undefined, what: string): string => {
  if (value === undefined || value === '') throw new LwError('LW_USAGE', `missing ${what}`);
  return value;
};

const incidentLine = (i: Incident): string =>
  [
    i.id,
    i.status.padEnd(9),
    i.severity.padEnd(8),
    i.provider.padEnd(10),
    i.redacted,
    i.description,
  ].join('  ');

const incidentCommand: Command = async (argv, io) => {
  const [sub, ...rest] = argv;
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      ...storeOptions,
      status: { type: 'string' },
      fingerprint: { type: 'string' },
      provider: { type: 'string' },
      description: { type: 'string' },
      redacted: { type: 'string' },
      severity: { type: 'string' },
      how: { type: 'string' },
      reason: { type: 'string' },
      note: { type: 'string' },
      'aware-at': { type: 'string' },
      jurisdiction: { type: 'string' },
      malicious: { type: 'boolean' },
      'public-title': { type: 'string' },
      'public-text-file': { type: 'string' },
      contact: { type: 'string' },
      format: { type: 'string' },
    },
  });
  return withContext(values, io, async ({ store, jurisdictions }) => {
    switch (sub) {
      case 'import': {
        const file = required(positionals[0], 'REPORT.json');
        let json: unknown;
        try {
          json = JSON.parse(await readFile(resolve(io.cwd, file), 'utf8'));
        } catch (error) {
          throw new LwError(
            'LW_REPORT_INVALID',
            `cannot read ${file}: ${(error as Error).message}`,
          );
        }
        const result = await store.importIncidents(parseReport(json), actorOf(io), now());
        if (values.json)
          print(io, {
            created: result.created.map((i) => i.id),
            existing: result.existing.map((i) => i.id),
          });
        else
          io.stdout.write(
            `${result.created.length} incident(s) created, ${result.existing.length} already known\n`,
          );
        return 0;
      }
      case 'create': {
        const incident = await store.createIncident(
          {
            fingerprint: required(values.fingerprint, '--fingerprint'),
            ruleId: 'manual',
            provider: required(values.provider, '--provider'),
            description: required(values.description, '--description'),
            severity: values.severity ?? 'high',
            redacted: values.redacted ?? '',
            source: 'manual',
            discoveredAt: now(),
            exposureFrom: null,
            exposureUntil: null,
            details: {},
          },
          actorOf(io),
          now(),
        );
        io.stdout.write(
          values.json ? JSON.stringify(incident, null, 2) + '\n' : `${incident.id}\n`,
        );
        return 0;
      }
      case 'list': {
        const status = values.status;
        if (status !== undefined && !incidentStatuses.includes(status as IncidentStatus)) {
          throw new LwError('LW_USAGE', `--status: one of ${incidentStatuses.join(', ')}`);
        }
        const incidents = await store.listIncidents(
          status ? { status: status as IncidentStatus } : {},
        );
        if (values.json) print(io, incidents);
        else for (const i of incidents) io.stdout.write(incidentLine(i) + '\n');
        return 0;
      }
      case 'show': {
        const incident = await store.getIncident(required(positionals[0], 'INCIDENT'));
        if (!incident) throw new LwError('LW_NOT_FOUND', `no incident ${positionals[0]}`);
        print(io, {
          ...incident,
          deadlines: computeDeadlines(incident, jurisdictions, systemClock.now()),
        });
        return 0;
      }
      case 'timeline': {
        const id = required(positionals[0], 'INCIDENT');
        if (!(await store.getIncident(id))) throw new LwError('LW_NOT_FOUND', `no incident ${id}`);
        const events = await store.timeline(id);
        if (values.json) print(io, events);
        else
          for (const e of events)
            io.stdout.write(`${e.at}  ${e.actor}  ${e.action}  ${JSON.stringify(e.details)}\n`);
        return 0;
      }
      case 'set': {
        const id = required(positionals[0], 'INCIDENT');
        const patch: Parameters<typeof store.updateIncident>[1] = {};
        if (values['aware-at'] !== undefined) {
          if (Number.isNaN(Date.parse(values['aware-at'])))
            throw new LwError('LW_USAGE', '--aware-at: not a time');
          patch.awareAt = new Date(values['aware-at']).toISOString();
        }
        if (values.jurisdiction !== undefined) {
          const ids = values.jurisdiction.split(',').map((s) => s.trim());
          const unknown = ids.filter((j) => !jurisdictions.some((d) => d.id === j));
          if (unknown.length > 0)
            throw new LwError('LW_USAGE', `unknown jurisdiction(s): ${unknown.join(', ')}`);
          patch.jurisdictions = ids;
        }
        if (values.malicious !== undefined) patch.malicious = values.malicious;
        if (values['public-title'] !== undefined) patch.publicTitle = values['public-title'];
        if (values['public-text-file'] !== undefined) {
          patch.publicText = await readFile(resolve(io.cwd, values['public-text-file']), 'utf8');
        }
        if (values.contact !== undefined) patch.contactChannel = values.contact;
        if (Object.keys(patch).length === 0) throw new LwError('LW_USAGE', 'nothing to set');
        const done = await store.updateIncident(
          id,
          patch,
          {
            actor: actorOf(io),
            action: 'incident.updated',
            details: { fields: Object.keys(patch) },
          },
          now(),
        );
        if (!done) throw new LwError('LW_NOT_FOUND', `no incident ${id}`);
        return 0;
      }
      case 'contain':
      case 'notify':
      case 'close': {
        const id = required(positionals[0], 'INCIDENT');
        const note = values.note === undefined ? {} : { note: values.note };
        if (sub === 'contain' && values.how !== 'revoked' && values.how !== 'rotated') {
          throw new LwError('LW_USAGE', '--how revoked|rotated');
        }
        if (sub === 'close' && !closingReasons.includes(values.reason as ClosingReason)) {
          throw new LwError('LW_USAGE', `--reason ${closingReasons.join('|')}`);
        }
        const incident = await applyLifecycle(
          store,
          id,
          sub === 'contain'
            ? { action: 'contain', how: values.how as 'revoked' | 'rotated', ...note }
            : sub === 'close'
              ? { action: 'close', reason: values.reason as ClosingReason, ...note }
              : { action: 'notify', ...note },
          actorOf(io),
          now(),
        );
        io.stdout.write(`${incident.id} ${incident.status}\n`);
        return 0;
      }
      case 'report': {
        const incident = await store.getIncident(required(positionals[0], 'INCIDENT'));
        if (!incident) throw new LwError('LW_NOT_FOUND', `no incident ${positionals[0]}`);
        const report = buildRegulatorReport(
          incident,
          await store.timeline(incident.id),
          await store.noticesOfIncidentCount(incident.id),
          jurisdictions,
          systemClock.now(),
        );
        if (values.format === 'markdown') io.stdout.write(formatRegulatorMarkdown(report));
        else print(io, report);
        return 0;
      }
      default:
        throw new LwError(
          'LW_USAGE',
          'incident import|create|list|show|timeline|set|contain|notify|close|report',
        );
    }
  });
};

const peopleCommand: Command = async (argv, io) => {
  const [sub, ...rest] = argv;
  if (sub !== 'import') throw new LwError('LW_USAGE', 'people import INCIDENT FILE|- [options]');
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      ...storeOptions,
      format: { type: 'string' },
      encoding: { type: 'string' },
      email: { type: 'string' },
      id: { type: 'string' },
      'select-column': { type: 'string' },
      'select-after': { type: 'string' },
      language: { type: 'string' },
      strict: { type: 'boolean' },
    },
  });
  const incidentId = required(positionals[0], 'INCIDENT');
  const file = required(positionals[1], 'FILE (or - for stdin)');
  const format =
    values.format ?? (file.endsWith('.jsonl') || file.endsWith('.ndjson') ? 'jsonl' : 'csv');
  if (format !== 'csv' && format !== 'jsonl') throw new LwError('LW_USAGE', '--format csv|jsonl');
  const encoding = values.encoding ?? 'utf-8';
  if (encoding !== 'utf-8' && encoding !== 'shift_jis')
    throw new LwError('LW_USAGE', '--encoding utf-8|shift_jis');
  if ((values['select-column'] === undefined) !== (values['select-after'] === undefined)) {
    throw new LwError('LW_USAGE', '--select-column and --select-after go together');
  }
  const input =
    file === '-'
      ? io.stdin
      : createReadStream(resolve(io.cwd, file), { highWaterMark: 256 * 1024 });
  if (!input) throw new LwError('LW_USAGE', 'no stdin');
  return withContext(values, io, async ({ store, keyring }) => {
    const result = await importPeople(store, input, {
      incidentId,
      actor: actorOf(io),
      format,
      encoding,
      strict: values.strict ?? false,
      keyring,
      clock: systemClock,
      mapping: {
        email: (values.email ?? 'email')
          .split(',')
          .map((c) => c.trim())
          .filter(Boolean),
        ...(values.id !== undefined && { id: values.id }),
        ...(values.language !== undefined && { language: values.language }),
        ...(values['select-column'] !== undefined && {
          select: { column: values['select-column'], after: values['select-after'] as string },
        }),
      },
    });
    if (values.json) print(io, result);
    else {
      io.stdout.write(
        `read ${result.rowsRead} row(s): ${result.rowsImported} imported, ${result.rowsDuplicate} duplicate, ` +
          `${result.rowsUnselected} not selected, ${result.rowsRejected} rejected; ${result.affected} people affected\n`,
      );
      for (const e of result.errors) io.stderr.write(`line ${e.line}: ${e.message}\n`);
      if (result.languagesUnrecognised > 0) {
        io.stderr.write(
          `warning: ${result.languagesUnrecognised} row(s) with no recognised language (ja/en); those people get the campaign's default language\n`,
        );
      }
    }
    return result.rowsRejected > 0 ? 1 : 0;
  });
};

const tokenCommand: Command = async (argv, io) => {
  const [sub, ...rest] = argv;
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: { ...storeOptions, name: { type: 'string' }, role: { type: 'string' } },
  });
  return withContext(values, io, async ({ store }) => {
    if (sub === 'create') {
      const role = values.role ?? 'admin';
      if (role !== 'admin' && role !== 'viewer')
        throw new LwError('LW_USAGE', '--role admin|viewer');
      const { token, record } = await createApiToken(
        store,
        required(values.name, '--name'),
        role as Role,
        now(),
      );
      io.stderr.write(
        `created ${record.role} token ${record.id} ("${record.name}"); it is shown once:\n`,
      );
      io.stdout.write(token + '\n');
      return 0;
    }
    if (sub === 'revoke') {
      const id = required(positionals[0], 'TOKEN-ID');
      if (!(await store.revokeToken(id, now())))
        throw new LwError('LW_NOT_FOUND', `no active token ${id}`);
      io.stdout.write(`revoked ${id}\n`);
      return 0;
    }
    throw new LwError(
      'LW_USAGE',
      'token create --name NAME [--role admin|viewer] | token revoke TOKEN-ID',
    );
  });
};

const keysCommand: Command = async (argv, io) => {
  const [sub, ...rest] = argv;
  if (sub !== 'rotate') throw new LwError('LW_USAGE', 'keys rotate [--lookup]');
  const { values } = parseArgs({
    args: rest,
    options: { ...storeOptions, lookup: { type: 'boolean' } },
  });
  return withContext(values, io, async ({ store, keyring, keySource, locations }) => {
    if (keySource !== 'file') {
      throw new LwError(
        'LW_KEYS',
        'keys come from LEAKWATCH_KEYS; rotate them in a key file first (--key-file)',
      );
    }
    if (values.lookup) return rotateLookupKey(store, keyring, locations.keyFile, io);
    const next = addEncryptionKey(keyring);
    writeKeyFile(locations.keyFile, next);
    const count = await rekeyStore(store, next);
    io.stdout.write(`new key ${next.currentKeyId}; re-encrypted ${count} address(es)\n`);
    return 0;
  });
};

const purgeCommand: Command = async (argv, io) => {
  const { values } = parseArgs({
    args: argv,
    options: { ...storeOptions, 'older-than-days': { type: 'string' } },
  });
  const days = Number(required(values['older-than-days'], '--older-than-days N'));
  if (!Number.isFinite(days) || days < 0)
    throw new LwError('LW_USAGE', '--older-than-days: expected a number');
  return withContext(values, io, async ({ store }) => {
    const purged = await purgeClosedIncidents(store, days, systemClock.now(), actorOf(io));
    if (values.json) print(io, purged);
    else io.stdout.write(`purged people's data of ${purged.length} closed incident(s)\n`);
    return 0;
  });
};

export const commands: Record<string, Command> = Object.assign(
  {
    serve,
    incident: incidentCommand,
    people: peopleCommand,
    token: tokenCommand,
    keys: keysCommand,
    purge: purgeCommand,
  },
  ...serverExtensions.map((e) => e.commands ?? {}),
);

export const usage = `usage: leakwatch-server <command> [options]

  serve                      run the service (default: 127.0.0.1:8080, data in ./leakwatch-data)
  token create --name N [--role admin|viewer]   create an API token (printed once)
  token revoke TOKEN-ID
  incident import REPORT.json | create | list | show ID | timeline ID | contain ID |
           notify ID | close ID --reason R | report ID [--format markdown]
  incident set ID [--aware-at TIME] [--jurisdiction gdpr,appi] [--malicious]
           [--public-title T --public-text-file F --contact C]   (publishes /notices/ID)
  people import INCIDENT FILE|- [--format csv|jsonl] [--encoding shift_jis] [--email COL,...]
           [--id COL] [--select-column COL --select-after DATE] [--language COL] [--strict]
  keys rotate                add an encryption key and re-encrypt every stored address
  keys rotate --lookup       replace the lookup (HMAC) key and recompute every stored lookup hash
  purge --older-than-days N  delete people's data of incidents closed N days ago (counts stay)
${serverExtensions.map((e) => e.usage ?? '').join('')}
Common options: --data-dir DIR, --database URL (postgres://... or an SQLite file), --key-file FILE,
  --jurisdictions FILE (extra legal deadlines, JSON), --json
`;
