import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { run } from '../../src/cli/main.js';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI in-process, as the bin would, with captured output. */
export async function cli(
  argv: string[],
  opts: { cwd: string; stdin?: string | Buffer; env?: Record<string, string>; now?: Date },
): Promise<CliRun> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d: Buffer) => (out += d.toString()));
  stderr.on('data', (d: Buffer) => (err += d.toString()));
  const code = await run(argv, {
    stdout,
    stderr,
    stdin: Readable.from(opts.stdin === undefined ? [] : [Buffer.from(opts.stdin)]),
    cwd: opts.cwd,
    env: opts.env ?? {},
    isTTY: false,
    now: () => opts.now ?? new Date('2026-11-25T12:00:00Z'),
  });
  return { code, stdout: out, stderr: err };
}

export function tempDir(prefix = 'lw-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}
