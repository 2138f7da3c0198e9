import { readFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { loadConfig } from '../../config/load.js';
import { filterByGitleaksIgnore, parseGitleaksIgnore } from '../../engine/filters.js';
import { scan } from '../../scan.js';
import { parse } from '../args.js';
import { UsageError, write } from '../context.js';
import type { Command } from '../context.js';

const USAGE = 'leakwatch ignore convert [.gitleaksignore] [--output .leakwatchignore] [PATH]';

/**
 * Turns position-keyed .gitleaksignore entries into content-keyed fingerprints: scans PATH, finds
 * the findings each entry points at, and writes their fingerprints (which survive edits and moves).
 */
export const ignoreCommand: Command = {
  name: 'ignore',
  summary: 'convert a .gitleaksignore into content-keyed .leakwatchignore fingerprints',
  usage: USAGE,
  async run(args, ctx) {
    const [sub, ...rest] = args;
    if (sub !== 'convert')
      throw new UsageError(`unknown subcommand '${sub ?? ''}'\n\nusage: ${USAGE}`);
    const { values, positionals } = parse(
      rest,
      {
        output: { type: 'string', short: 'o', default: '.leakwatchignore' },
        config: { type: 'string', short: 'c' },
      },
      USAGE,
    );
    const source = positionals[0] ?? '.gitleaksignore';
    const root = positionals[1] ?? '.';
    let text: string;
    try {
      text = await readFile(resolve(ctx.cwd, source), 'utf8');
    } catch (e) {
      throw new UsageError(
        `cannot read ${source}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
      );
    }
    const entries = parseGitleaksIgnore(text);
    const config = loadConfig({ configPath: values.config, cwd: ctx.cwd, env: ctx.env, root });
    const result = await scan({
      paths: [root],
      cwd: ctx.cwd,
      config,
      now: ctx.now,
      useIgnoreFiles: false,
    });
    let partly = 0;
    const ignored = result.findings.filter((f) => {
      const remaining = filterByGitleaksIgnore([f], entries).kept[0];
      if (remaining && remaining.locations.length < f.locations.length) partly++;
      return remaining === undefined;
    });
    const lines = ignored.map(
      (f) =>
        `${f.fingerprint}  # ${f.ruleId} at ${f.locations[0]?.path ?? '-'}:${f.locations[0]?.line ?? 0}`,
    );
    await writeFile(
      resolve(ctx.cwd, values.output),
      `# converted from ${source} by leakwatch ignore convert\n${lines.join('\n')}\n`,
    );
    write(
      ctx.stderr,
      `${entries.length} entries read, ${ignored.length} finding(s) fully ignored, ${partly} only at some locations (not converted); written to ${values.output}`,
    );
    return 0;
  },
};
