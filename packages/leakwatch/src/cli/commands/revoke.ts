import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { VERSION } from '../../version.js';
import { revokeSecrets, revokerFor, type Revoker } from '../../verify/revoke.js';
import { parse } from '../args.js';
import { UsageError, write } from '../context.js';
import type { CliContext, Command } from '../context.js';

const USAGE =
  'leakwatch revoke --report FILE [--fingerprint FP]... [--rule ID]... [--live-only] [--dry-run] [--yes]\n' +
  '       leakwatch revoke --secret VALUE|- [--dry-run] [--yes]';

const CONFIRM_WORD = 'revoke';

interface Candidate {
  label: string;
  fingerprint?: string;
  secret: string;
  preview: string;
  where?: string;
  status?: string;
  guidance?: string;
}

interface ReportFinding {
  fingerprint?: unknown;
  ruleId?: unknown;
  secret?: unknown;
  redacted?: unknown;
  revoke?: unknown;
  verification?: { status?: unknown } | null;
  locations?: { path?: unknown; line?: unknown }[];
}

function preview(secret: string): string {
  return `${secret.slice(0, Math.min(6, Math.floor(secret.length / 3)))}…(${secret.length})`;
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

async function readReport(path: string): Promise<ReportFinding[]> {
  let data: unknown;
  try {
    data = JSON.parse(await readFile(path, 'utf8'));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UsageError(
      `LW_REVOKE_REPORT: cannot read ${path}: ${code ?? 'not a JSON report'} (make it with --format json)`,
    );
  }
  const report = data as { schemaVersion?: unknown; findings?: unknown };
  if (report.schemaVersion !== 1 || !Array.isArray(report.findings)) {
    throw new UsageError(
      `LW_REVOKE_REPORT: ${path} is not a leakwatch JSON report (schemaVersion 1)`,
    );
  }
  return report.findings as ReportFinding[];
}

async function readAll(stdin: Readable): Promise<string> {
  let text = '';
  for await (const chunk of stdin) text += String(chunk);
  return text;
}

async function readLine(stdin: Readable): Promise<string> {
  let text = '';
  for await (const chunk of stdin) {
    text += String(chunk);
    const end = text.indexOf('\n');
    if (end !== -1) return text.slice(0, end);
  }
  return text;
}

function fromReport(
  findings: ReportFinding[],
  filter: { fingerprints: string[]; rules: string[]; liveOnly: boolean },
): { selected: Candidate[]; withoutSecret: number } {
  const selected: Candidate[] = [];
  let withoutSecret = 0;
  for (const f of findings) {
    const fingerprint = str(f.fingerprint);
    const ruleId = str(f.ruleId) ?? 'unknown';
    if (filter.fingerprints.length > 0 && !filter.fingerprints.includes(fingerprint ?? ''))
      continue;
    if (filter.rules.length > 0 && !filter.rules.includes(ruleId)) continue;
    const status = str(f.verification?.status);
    if (filter.liveOnly && status !== 'live') continue;
    const secret = str(f.secret);
    if (!secret) {
      withoutSecret++;
      continue;
    }
    const loc = f.locations?.[0];
    const candidate: Candidate = {
      label: ruleId,
      secret,
      preview: str(f.redacted) ?? preview(secret),
    };
    if (fingerprint) candidate.fingerprint = fingerprint;
    if (typeof loc?.path === 'string') candidate.where = `${loc.path}:${String(loc.line ?? '?')}`;
    if (status) candidate.status = status;
    const guidance = str(f.revoke);
    if (guidance) candidate.guidance = guidance;
    selected.push(candidate);
  }
  return { selected, withoutSecret };
}

function describe(c: Candidate): string {
  const bits = [c.label, c.preview];
  if (c.where) bits.push(c.where);
  if (c.status) bits.push(`[${c.status}]`);
  return `  ${bits.join('  ')}`;
}

/** Only tests pass `baseUrlOverrides` and `fetch`; the CLI uses the providers' real hosts. */
export function createRevokeCommand(deps: {
  fetch?: typeof fetch;
  baseUrlOverrides?: Readonly<Record<string, string>>;
}): Command {
  return {
    name: 'revoke',
    summary: "revoke leaked credentials through a provider's public revocation API (asks first)",
    usage: USAGE,
    async run(args: string[], ctx: CliContext): Promise<number> {
      const { values } = parse(
        args,
        {
          report: { type: 'string', short: 'r' },
          secret: { type: 'string', multiple: true },
          fingerprint: { type: 'string', multiple: true },
          rule: { type: 'string', multiple: true },
          'live-only': { type: 'boolean', default: false },
          'dry-run': { type: 'boolean', default: false },
          yes: { type: 'boolean', short: 'y', default: false },
        },
        USAGE,
      );
      const secrets = values.secret ?? [];
      if ((values.report === undefined) === (secrets.length === 0)) {
        throw new UsageError(`give either --report FILE or --secret VALUE\n\nusage: ${USAGE}`);
      }
      let candidates: Candidate[];
      if (values.report !== undefined) {
        const path = resolve(ctx.cwd, values.report);
        const { selected, withoutSecret } = fromReport(await readReport(path), {
          fingerprints: values.fingerprint ?? [],
          rules: values.rule ?? [],
          liveOnly: values['live-only'],
        });
        if (selected.length === 0 && withoutSecret > 0) {
          throw new UsageError(
            `LW_REVOKE_REDACTED: ${withoutSecret} selected finding(s) carry no raw secret; re-run the scan with --no-redact --format json, or pass --secret`,
          );
        }
        if (withoutSecret > 0) {
          write(
            ctx.stderr,
            `note: ${withoutSecret} selected finding(s) skipped: no raw secret in the report`,
          );
        }
        candidates = selected;
      } else {
        if (secrets.includes('-') && !values.yes && !values['dry-run']) {
          throw new UsageError(
            '--secret - reads secrets from stdin, so it needs --yes (or --dry-run)',
          );
        }
        const raw = secrets.includes('-')
          ? [...secrets.filter((s) => s !== '-'), ...(await readAll(ctx.stdin)).split(/\r?\n/)]
          : secrets;
        candidates = [...new Set(raw.map((s) => s.trim()).filter(Boolean))].map((s) => ({
          label: 'secret',
          secret: s,
          preview: preview(s),
        }));
      }

      const byRevoker = new Map<Revoker, Candidate[]>();
      const manual: Candidate[] = [];
      for (const c of candidates) {
        const revoker = revokerFor(c.secret);
        if (!revoker) manual.push(c);
        else byRevoker.set(revoker, [...(byRevoker.get(revoker) ?? []), c]);
      }
      if (manual.length > 0) {
        write(
          ctx.stdout,
          `${manual.length} credential(s) have no public revocation API; revoke them by hand:`,
        );
        for (const c of manual) {
          write(
            ctx.stdout,
            `${describe(c)}\n    ${c.guidance ?? 'see the provider’s documentation'}`,
          );
        }
      }
      const total = [...byRevoker.values()].reduce((n, list) => n + list.length, 0);
      if (total === 0) {
        write(ctx.stdout, 'nothing to revoke through a provider API');
        return 0;
      }
      for (const [revoker, list] of byRevoker) {
        write(
          ctx.stdout,
          `${list.length} credential(s) to revoke through ${revoker.name} (${revoker.docs}):`,
        );
        for (const c of list) write(ctx.stdout, describe(c));
      }
      write(ctx.stdout, 'Revocation cannot be undone; the owners are notified.');
      if (values['dry-run']) {
        write(ctx.stdout, 'dry run: nothing sent');
        return 0;
      }
      if (!values.yes) {
        if (!ctx.isTTY) {
          throw new UsageError(
            'refusing to revoke without confirmation: pass --yes, or run it in a terminal',
          );
        }
        ctx.stderr.write(`Type '${CONFIRM_WORD}' to revoke ${total} credential(s): `);
        const answer = (await readLine(ctx.stdin)).trim();
        if (answer !== CONFIRM_WORD) {
          write(ctx.stderr, 'aborted: nothing revoked');
          return 1;
        }
      }

      let failed = 0;
      for (const [revoker, list] of byRevoker) {
        const results = await revokeSecrets(
          revoker,
          list.map((c) => c.secret),
          { version: VERSION, fetch: deps.fetch, baseUrlOverrides: deps.baseUrlOverrides },
        );
        for (const r of results) {
          for (const secret of r.secrets) {
            const c = list.find((x) => x.secret === secret);
            const head = c ? describe(c).trim() : preview(secret);
            if (r.accepted) {
              write(
                ctx.stdout,
                `revoked: ${head} (accepted by ${revoker.provider}, HTTP ${r.httpStatus ?? '?'})`,
              );
            } else {
              failed++;
              write(ctx.stderr, `not revoked: ${head}: ${r.reason ?? 'unknown error'}`);
            }
          }
        }
      }
      write(ctx.stderr, `${total - failed} revoked, ${failed} failed`);
      return failed > 0 ? 1 : 0;
    },
  };
}

export const revokeCommand: Command = createRevokeCommand({});
