import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { loadConfig } from '../../config/load.js';
import { formatJson } from '../../report/json.js';
import { scan } from '../../scan.js';
import { parse } from '../args.js';
import { UsageError, write } from '../context.js';
import type { Command } from '../context.js';

const USAGE = 'leakwatch baseline create [PATH...] --output FILE [--config FILE]';

/** A baseline is a redacted JSON report: its fingerprints are what `--baseline` suppresses. */
export const baselineCommand: Command = {
  name: 'baseline',
  summary: 'record current findings so that later scans report only new ones',
  usage: USAGE,
  async run(args, ctx) {
    const [sub, ...rest] = args;
    if (sub !== 'create')
      throw new UsageError(`unknown subcommand '${sub ?? ''}'\n\nusage: ${USAGE}`);
    const { values, positionals } = parse(
      rest,
      { output: { type: 'string', short: 'o' }, config: { type: 'string', short: 'c' } },
      USAGE,
    );
    if (values.output === undefined)
      throw new UsageError(`--output FILE is required\n\nusage: ${USAGE}`);
    const paths = positionals.length > 0 ? positionals : ['.'];
    const config = loadConfig({
      configPath: values.config,
      cwd: ctx.cwd,
      env: ctx.env,
      root: paths.length === 1 ? paths[0] : '.',
    });
    const result = await scan({
      paths,
      cwd: ctx.cwd,
      config,
      now: ctx.now,
      stdin: ctx.stdin,
      useIgnoreFiles: false,
    });
    await writeFile(resolve(ctx.cwd, values.output), formatJson(result, { redact: true }));
    write(
      ctx.stderr,
      `baseline with ${result.findings.length} finding(s) written to ${values.output}`,
    );
    return 0;
  },
};
