import { resolve } from 'node:path';
import { loadConfig, REPO_CONFIG_NAMES, type LoadedConfig } from '../../config/load.js';
import type { ScanResult } from '../../engine/types.js';
import { formatExposure } from '../../git/exposure-text.js';
import { GitError, runGit } from '../../git/git-cli.js';
import {
  ignoreFilesAt,
  scanGitHistory,
  type GitScanMode,
  type GitScanProgress,
  type IgnoreLists,
} from '../../git/history-scan.js';
import { ObjectReader } from '../../git/object-reader.js';
import { isNullSha, parsePrePushInput, type PushUpdate } from '../../git/pre-push.js';
import { resolveRevision } from '../../git/refs.js';
import { listSubmoduleRepositories, mergeSubmoduleResults } from '../../git/submodules.js';
import { openRepository } from '../../git/repository.js';
import { readConfigAtRevision } from '../../git/repository-config.js';
import { intOption, parse, sizeOption } from '../args.js';
import { formatIssue } from '../../config/validate.js';
import { UsageError, write } from '../context.js';
import type { CliContext, Command } from '../context.js';
import { checkFormat, emitReport, findingsExitCode, REPORT_OPTIONS } from '../output.js';
import { applyVerifyFlags, checkFailOn, findingsFail, VERIFY_OPTIONS } from '../verify-flags.js';
import { progressLine } from '../progress.js';
import { readIgnoreFiles } from '../../scan.js';
import { readBaseline } from './scan.js';

const USAGE = `leakwatch git [REPO] [options]      (REPO: a work tree or bare repository; default .)
  Scans every object reachable from every ref (branches, tags, remotes, notes, stash), each once,
  and reports who introduced each secret, when, where it still is and how long it has been exposed.
      --branch REF          only the history of REF
      --since DATE          only blobs added by commits since DATE (any date git understands)
      --range BASE..HEAD    only secrets HEAD adds that BASE did not have (CI for a push or pull
                            request); the repository config and ignore files are read from BASE
      --staged              the index against HEAD (pre-commit)
      --pre-push            the commits a push publishes, from git's pre-push hook input
      --include-unreachable also objects no ref reaches (deleted branches and tags, dangling commits)
      --recurse-submodules  also scan initialised submodules' repositories (paths prefixed)
      --no-messages         do not scan commit messages and tag annotations
      --max-blob-size SIZE  skip larger blobs (default 10MB)
      --threads N           matching threads (default: number of cores)
  -c, --config FILE         rules config (default: LEAKWATCH_CONFIG, leakwatch.toml/.gitleaks.toml, built-ins)
      --baseline FILE       report only findings not in FILE
  -f, --format FORMAT       text | json | sarif | csv (default text)
  -o, --output FILE         write the report to FILE
      --no-redact           show secrets in full (masked by default)
      --exit-code N         exit code when there are findings (default 1)
      --verify              check found credentials with their providers (opt-in; docs/verify.md)
      --verify-cache DIR    cache verification results (default ~/.cache/leakwatch; 'off' for none)
      --verify-log FILE     append a JSON line for every verification request
      --fail-on any|live    fail on any finding (default) or only on live ones (needs --verify)
  -q, --quiet               no progress, no text report (the exit code tells)`;

const GIT_OPTIONS = {
  ...REPORT_OPTIONS,
  config: { type: 'string', short: 'c' },
  baseline: { type: 'string' },
  branch: { type: 'string' },
  since: { type: 'string' },
  range: { type: 'string' },
  staged: { type: 'boolean', default: false },
  'pre-push': { type: 'boolean', default: false },
  'include-unreachable': { type: 'boolean', default: false },
  'recurse-submodules': { type: 'boolean', default: false },
  messages: { type: 'boolean', default: true },
  'max-blob-size': { type: 'string' },
  threads: { type: 'string' },
  ...VERIFY_OPTIONS,
} as const;

export const gitCommand: Command = {
  name: 'git',
  summary:
    'scan git history (or a range, the index, a push) with first-commit provenance and exposure',
  usage: USAGE,
  async run(args: string[], ctx: CliContext): Promise<number> {
    const { values, positionals } = parse(args, GIT_OPTIONS, USAGE);
    const format = checkFormat(values.format);
    const exitCode = findingsExitCode(values['exit-code']);
    const failOn = checkFailOn(values['fail-on']);
    const threads = intOption(values.threads, 'threads', 1);
    const maxBlobBytes = sizeOption(values['max-blob-size'], 'max-blob-size');
    if (positionals.length > 1)
      throw new UsageError(
        `expected at most one repository, got ${positionals.length}\n\nusage: ${USAGE}`,
      );
    const repo = resolve(ctx.cwd, positionals[0] ?? '.');
    const modes = [values.range !== undefined, values.staged, values['pre-push']].filter(
      Boolean,
    ).length;
    if (modes > 1) throw new UsageError('--range, --staged and --pre-push exclude each other');
    if (
      modes === 1 &&
      (values.branch !== undefined ||
        values.since !== undefined ||
        values['include-unreachable'] ||
        values['recurse-submodules'])
    ) {
      throw new UsageError(
        '--branch, --since, --include-unreachable and --recurse-submodules apply to whole-history scans only',
      );
    }
    try {
      const gitCtx = { cwd: repo, env: ctx.env };
      const info = await openRepository(gitCtx);
      const mode = await scanMode(values, ctx, repo);
      const base = mode.kind === 'range' ? await resolveRevision(gitCtx, mode.base) : undefined;
      const config = await configFor(values.config, ctx, repo, base);
      for (const w of config.warnings) write(ctx.stderr, `warning: ${formatIssue(w)}`);
      const ignores =
        base !== undefined
          ? await ignoreFilesAt(repo, ctx.env, base)
          : await ignoreFiles(repo, ctx.env, info.bare);
      const baseline =
        values.baseline !== undefined ? await readBaseline(values.baseline, ctx.cwd) : undefined;
      const progress = progressLine(ctx.stderr, ctx.isTTY && !values.quiet);
      const scanRepository = (path: string): Promise<ScanResult> =>
        scanGitHistory({
          repo: path,
          env: ctx.env,
          config,
          now: ctx.now,
          mode,
          maxBlobBytes,
          scanMessages: values.messages,
          threads,
          baseline,
          ignores,
          onProgress: (p) => progress.update(describeProgress(p)),
        });
      let result = await scanRepository(repo);
      if (values['recurse-submodules']) {
        const submodules: { name: string; result: ScanResult }[] = [];
        for (const submodule of await listSubmoduleRepositories(info.gitDir)) {
          submodules.push({ name: submodule.name, result: await scanRepository(submodule.gitDir) });
        }
        result = mergeSubmoduleResults(result, submodules);
      }
      progress.done();
      result = await applyVerifyFlags(result, config, values, ctx);
      await emitReport(result, ctx, {
        format,
        output: values.output,
        redact: values.redact,
        quiet: values.quiet,
        describeExposure: formatExposure,
      });
      return findingsFail(result, failOn) ? exitCode : 0;
    } catch (error) {
      if (error instanceof GitError) {
        write(ctx.stderr, `leakwatch git: ${error.message} (${error.code})`);
        return 2;
      }
      throw error;
    }
  },
};

type Values = ReturnType<typeof parse<typeof GIT_OPTIONS>>['values'];

async function scanMode(values: Values, ctx: CliContext, repo: string): Promise<GitScanMode> {
  if (values.staged) return { kind: 'staged' };
  if (values['pre-push']) return { kind: 'pre-push', updates: await pushUpdates(ctx, repo) };
  if (values.range !== undefined) return rangeMode(values.range, ctx, repo);
  if (values.since !== undefined && values.since.trim() === '')
    throw new UsageError('--since needs a date');
  return {
    kind: 'history',
    ...(values.branch === undefined ? {} : { branch: values.branch }),
    ...(values.since === undefined ? {} : { since: values.since }),
    includeUnreachable: values['include-unreachable'],
  };
}

async function rangeMode(range: string, ctx: CliContext, repo: string): Promise<GitScanMode> {
  const symmetric = range.indexOf('...');
  const split = symmetric !== -1 ? symmetric : range.indexOf('..');
  if (split <= 0) throw new UsageError(`--range must look like BASE..HEAD, not '${range}'`);
  const left = range.slice(0, split);
  const head = range.slice(split + (symmetric !== -1 ? 3 : 2)) || 'HEAD';
  if (symmetric === -1) return { kind: 'range', base: left, head };
  // BASE...HEAD: what HEAD adds since it forked from BASE, as a pull request shows it.
  const result = await runGit({ cwd: repo, env: ctx.env }, ['merge-base', left, head]);
  const base = result.stdout.toString('utf8').trim();
  if (result.code !== 0 || !base)
    throw new UsageError(`--range ${range}: ${left} and ${head} have no common ancestor`);
  return { kind: 'range', base, head };
}

/**
 * git hands a pre-push hook "<local ref> <local sha> <remote ref> <remote sha>" lines on stdin. The
 * pre-commit framework does not pass them on; it sets PRE_COMMIT_FROM_REF/PRE_COMMIT_TO_REF instead.
 */
async function pushUpdates(ctx: CliContext, repo: string): Promise<PushUpdate[]> {
  const from = ctx.env.PRE_COMMIT_FROM_REF;
  const to = ctx.env.PRE_COMMIT_TO_REF;
  if (to) {
    const gitCtx = { cwd: repo, env: ctx.env };
    const localSha = await resolveRevision(gitCtx, to);
    const remoteSha =
      from && !isNullSha(from) ? await resolveRevision(gitCtx, from) : '0'.repeat(localSha.length);
    return [{ localRef: to, localSha, remoteRef: to, remoteSha }];
  }
  let text = '';
  for await (const chunk of ctx.stdin)
    text += typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8');
  return parsePrePushInput(text);
}

/**
 * In --range mode the repository config comes from the base commit, so a pull request cannot turn
 * rules off for itself. --config and LEAKWATCH_CONFIG (set by whoever runs CI) still win.
 */
async function configFor(
  configPath: string | undefined,
  ctx: CliContext,
  repo: string,
  base: string | undefined,
): Promise<LoadedConfig> {
  if (base === undefined) return loadConfig({ configPath, cwd: ctx.cwd, env: ctx.env, root: repo });
  const reader = new ObjectReader({ cwd: repo, env: ctx.env }, { mode: 'contents' });
  try {
    const committed = await readConfigAtRevision(reader, base, REPO_CONFIG_NAMES);
    if (committed)
      return loadConfig({ configPath, cwd: repo, env: ctx.env, repositoryConfigText: committed });
    // No config at the base: built-ins, without searching the work tree (it holds the head's files).
    return loadConfig({ configPath, cwd: ctx.cwd, env: ctx.env, repositoryConfigText: null });
  } finally {
    await reader.close();
  }
}

async function ignoreFiles(
  repo: string,
  env: Record<string, string | undefined>,
  bare: boolean,
): Promise<IgnoreLists> {
  // A bare repository has no work tree: its ignore files are the ones committed at HEAD.
  return bare ? ignoreFilesAt(repo, env, 'HEAD') : readIgnoreFiles([repo]);
}

function describeProgress(p: GitScanProgress): string {
  const seconds = Math.max(p.elapsedMs / 1000, 0.001);
  const mb = p.bytes / 1024 / 1024;
  const of = p.objectsTotal ? ` of ~${p.objectsTotal}` : '';
  let eta = '';
  if (p.objectsTotal && p.objects > 0 && p.objects < p.objectsTotal) {
    eta = `, ETA ${Math.ceil(((p.objectsTotal - p.objects) * seconds) / p.objects)} s`;
  }
  return `scanning git objects: ${p.objects}${of}, ${mb.toFixed(1)} MB, ${(mb / seconds).toFixed(1)} MB/s${eta}`;
}
