// The one place that spawns git. Everything else in git/ goes through runGit/spawnGit so the
// environment (no replace objects, no prompts, no optional locks) is the same for every call.
import {
  spawn,
  type ChildProcessByStdio,
  type ChildProcessWithoutNullStreams,
} from 'node:child_process';
import type { Readable } from 'node:stream';

export type GitErrorCode =
  | 'LW_GIT_NOT_FOUND'
  | 'LW_GIT_TOO_OLD'
  | 'LW_GIT_NOT_A_REPO'
  | 'LW_GIT_BAD_REVISION'
  | 'LW_GIT_MISSING_OBJECT'
  | 'LW_GIT_CORRUPT_OBJECT'
  | 'LW_GIT_FAILED';

export class GitError extends Error {
  readonly code: GitErrorCode;
  constructor(code: GitErrorCode, message: string) {
    super(message);
    this.name = 'GitError';
    this.code = code;
  }
}

export interface GitContext {
  /** Directory git runs in (a work tree or a bare repository). */
  cwd: string;
  /** The caller's environment (only cli/ reads process.env). */
  env: Record<string, string | undefined>;
  /** The git executable; `git` from PATH by default. */
  gitPath?: string;
}

export function gitEnv(env: Record<string, string | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) if (value !== undefined) out[key] = value;
  // Replace refs could show us a different object than the one stored; scan what is really there.
  out.GIT_NO_REPLACE_OBJECTS = '1';
  // A scanner must never take index.lock, prompt for credentials, or (in a partial clone) reach
  // out to the network to fetch objects it was asked to read (git 2.45+; older gits ignore it).
  out.GIT_OPTIONAL_LOCKS = '0';
  out.GIT_TERMINAL_PROMPT = '0';
  out.GIT_NO_LAZY_FETCH = '1';
  // Messages we parse (version, "not a git repository") are in English.
  out.LC_ALL = 'C';
  out.LANGUAGE = 'C';
  return out;
}

export function spawnGit(ctx: GitContext, args: string[]): ChildProcessWithoutNullStreams {
  return spawn(ctx.gitPath ?? 'git', args, {
    cwd: ctx.cwd,
    env: gitEnv(ctx.env),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
}

/** Spawns git reading its stdin straight from another process's stdout (no copy through Node). */
export function spawnGitFrom(
  ctx: GitContext,
  args: string[],
  input: Readable,
): ChildProcessByStdio<null, Readable, Readable> {
  return spawn(ctx.gitPath ?? 'git', args, {
    cwd: ctx.cwd,
    env: gitEnv(ctx.env),
    stdio: [input, 'pipe', 'pipe'],
  });
}

export interface GitOutput {
  stdout: Buffer;
  stderr: string;
  code: number;
}

/** Runs git to completion; never rejects for a non-zero exit (callers decide what it means). */
export function runGit(
  ctx: GitContext,
  args: string[],
  input?: string | Uint8Array,
): Promise<GitOutput> {
  return new Promise((resolve, reject) => {
    let child: ChildProcessWithoutNullStreams;
    try {
      child = spawnGit(ctx, args);
    } catch (error) {
      reject(toSpawnError(error, ctx));
      return;
    }
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (data: Buffer) => out.push(data));
    child.stderr.on('data', (data: Buffer) => err.push(data));
    child.on('error', (error) => reject(toSpawnError(error, ctx)));
    child.on('close', (code) => {
      resolve({
        stdout: Buffer.concat(out),
        stderr: Buffer.concat(err).toString('utf8'),
        code: code ?? 128,
      });
    });
    // git may exit before reading all of its input (e.g. a bad revision); that is not our error.
    child.stdin.on('error', () => undefined);
    child.stdin.end(input);
  });
}

/** Runs git and returns stdout, or throws a GitError naming the command and git's message. */
export async function gitText(ctx: GitContext, args: string[], input?: string): Promise<string> {
  const result = await runGit(ctx, args, input);
  if (result.code !== 0) throw classifyGitFailure(args, result.stderr);
  return result.stdout.toString('utf8');
}

export function classifyGitFailure(args: string[], stderr: string): GitError {
  const message = firstFatalLine(stderr) || `git ${args[0] ?? ''} failed`;
  if (/not a git repository/i.test(stderr)) return new GitError('LW_GIT_NOT_A_REPO', message);
  if (/corrupt|inflate|unable to unpack|bad packed object/i.test(stderr)) {
    return new GitError('LW_GIT_CORRUPT_OBJECT', message);
  }
  if (/missing|could not read|bad object|unable to parse commit|failed to traverse/i.test(stderr)) {
    return new GitError('LW_GIT_MISSING_OBJECT', message);
  }
  if (/unknown revision|bad revision|ambiguous argument|invalid object name/i.test(stderr)) {
    return new GitError('LW_GIT_BAD_REVISION', message);
  }
  return new GitError('LW_GIT_FAILED', `git ${args.join(' ')}: ${message}`);
}

function firstFatalLine(stderr: string): string {
  const lines = stderr.split('\n').filter((line) => line.trim() !== '');
  const fatal = lines.find((line) => line.startsWith('fatal:'));
  return (fatal ?? lines[0] ?? '').replace(/^(fatal|error): /, '').trim();
}

function toSpawnError(error: unknown, ctx: GitContext): Error {
  if ((error as NodeJS.ErrnoException | null)?.code === 'ENOENT') {
    return new GitError(
      'LW_GIT_NOT_FOUND',
      `git was not found (${ctx.gitPath ?? 'git'} on PATH); install git and try again`,
    );
  }
  return error instanceof Error ? error : new Error(String(error));
}
