/** What a command may touch; tests pass their own. */
export interface CliIo {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
  env: Record<string, string | undefined>;
  cwd: string;
  stdin?: AsyncIterable<Uint8Array>;
  /** Resolves when the process is asked to stop (SIGINT/SIGTERM); `serve` waits on it. */
  stopSignal?: Promise<void>;
}

export const exitCodes = { ok: 0, failure: 1, usage: 2 } as const;
