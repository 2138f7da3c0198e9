import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { loadConfig } from '../../config/load.js';
import { parseFingerprintList } from '../../engine/filters.js';
import { scan } from '../../scan.js';
import { intOption, parse, sizeOption } from '../args.js';
import { formatIssue } from '../../config/validate.js';
import { UsageError, write } from '../context.js';
import type { CliContext, Command } from '../context.js';
import { checkFormat, emitReport, findingsExitCode, REPORT_OPTIONS } from '../output.js';
import { progressLine, rate } from '../progress.js';
import { applyVerifyFlags, checkFailOn, findingsFail, VERIFY_OPTIONS } from '../verify-flags.js';

const USAGE = `leakwatch scan [PATH...] [options]     (PATH '-' reads standard input; default: .)
  -c, --config FILE        rules config (default: LEAKWATCH_CONFIG, leakwatch.toml/.gitleaks.toml in the root, built-ins)
  -f, --format FORMAT      text | json | sarif | csv (default text)
  -o, --output FILE        write the report to FILE
      --no-redact          show secrets in full (masked by default)
      --baseline FILE      report only findings not in FILE (a JSON report or a list of fingerprints)
      --no-ignore          also scan files that .gitignore excludes
      --follow             follow symbolic links
      --max-file-size SIZE skip larger files (default 10MB)
      --threads N          matching threads (default: number of cores)
      --exit-code N        exit code when there are findings (default 1)
      --verify             check found credentials with their providers (opt-in; see docs/verify.md)
      --verify-cache DIR   cache verification results (default ~/.cache/leakwatch; 'off' for none)
      --verify-log FILE    append a JSON line for every verification request
      --fail-on any|live   fail on any finding (default) or only on live ones (needs --verify)
  -q, --quiet              no progress, no text report (the exit code tells)`;

export async function readBaseline(path: string, cwd: string): Promise<Set<string>> {
  const full = resolve(cwd, path);
  let text: string;
  try {
    text = await readFile(full, 'utf8');
  } catch (e) {
    throw new UsageError(
      `cannot read baseline ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
    );
  }
  if (text.trimStart().startsWith('{')) {
    try {
      const report = JSON.parse(text) as { findings?: { fingerprint?: unknown }[] };
      if (!Array.isArray(report.findings)) throw new Error('no "findings" array');
      return new Set(
        report.findings.map((f) => f.fingerprint).filter((f): f is string => typeof f === 'string'),
      );
    } catch (e) {
      throw new UsageError(
        `baseline ${path} is not a leakwatch JSON report: ${(e as Error).message}`,
      );
    }
  }
  return new Set(parseFingerprintList(text));
}

export const SCAN_OPTIONS = {
  ...REPORT_OPTIONS,
  config: { type: 'string', short: 'c' },
  baseline: { type: 'string' },
  ignore: { type: 'boolean', default: true },
  follow: { type: 'boolean', default: false },
  'max-file-size': { type: 'string' },
  threads: { type: 'string' },
  ...VERIFY_OPTIONS,
} as const;

export const scanCommand: Command = {
  name: 'scan',
  summary: 'scan files and directories (or stdin with -) for credentials',
  usage: USAGE,
  async run(args: string[], ctx: CliContext): Promise<number> {
    const { values, positionals } = parse(args, SCAN_OPTIONS, USAGE);
    const format = checkFormat(values.format);
    const exitCode = findingsExitCode(values['exit-code']);
    const failOn = checkFailOn(values['fail-on']);
    const threads = intOption(values.threads, 'threads', 1);
    const maxFileSize = sizeOption(values['max-file-size'], 'max-file-size');
    const paths = positionals.length > 0 ? positionals : ['.'];
    const dirs = paths.filter((p) => p !== '-');
    const config = loadConfig({
      configPath: values.config,
      cwd: ctx.cwd,
      env: ctx.env,
      root: dirs.length === 1 ? dirs[0] : '.',
    });
    for (const w of config.warnings) write(ctx.stderr, `warning: ${formatIssue(w)}`);
    const baseline =
      values.baseline !== undefined ? await readBaseline(values.baseline, ctx.cwd) : undefined;
    const progress = progressLine(ctx.stderr, ctx.isTTY && !values.quiet);
    const scanned = await scan({
      paths,
      cwd: ctx.cwd,
      config,
      now: ctx.now,
      stdin: ctx.stdin,
      threads,
      maxFileSize,
      noIgnore: !values.ignore,
      followSymlinks: values.follow,
      baseline,
      onProgress: (p) =>
        progress.update(`scanning: ${p.files} files, ${rate(p.bytes, p.elapsedMs)}`),
    });
    progress.done();
    const result = await applyVerifyFlags(scanned, config, values, ctx);
    await emitReport(result, ctx, {
      format,
      output: values.output,
      redact: values.redact,
      quiet: values.quiet,
    });
    return findingsFail(result, failOn) ? exitCode : 0;
  },
};
