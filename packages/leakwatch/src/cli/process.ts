import { run } from './main.js';

/** Binds the CLI to the real process: the only place that reads argv, env and the TTY state. */
export async function main(): Promise<number> {
  try {
    return await run(process.argv.slice(2), {
      stdout: process.stdout,
      stderr: process.stderr,
      stdin: process.stdin,
      cwd: process.cwd(),
      env: process.env,
      isTTY: Boolean(process.stderr.isTTY),
      now: () => new Date(),
    });
  } catch (e) {
    process.stderr.write(
      `leakwatch: internal error: ${(e as Error).stack ?? String(e)}\nPlease report this with the command you ran.\n`,
    );
    return 2;
  }
}
