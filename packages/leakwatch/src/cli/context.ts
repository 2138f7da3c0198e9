import type { Readable, Writable } from 'node:stream';

/** Everything a command may touch; tests pass their own. */
export interface CliContext {
  stdout: Writable;
  stderr: Writable;
  stdin: Readable;
  cwd: string;
  env: Record<string, string | undefined>;
  /** Is stderr a terminal (progress) / stdout a terminal (colour)? */
  isTTY: boolean;
  now: () => Date;
}

export interface Command {
  name: string;
  summary: string;
  usage: string;
  run(args: string[], ctx: CliContext): Promise<number>;
}

/** A user error: printed without a stack trace, exit code 2. */
export class UsageError extends Error {}

export const EXIT = { clean: 0, findings: 1, error: 2 } as const;

export function write(stream: Writable, text: string): void {
  stream.write(text.endsWith('\n') ? text : `${text}\n`);
}
