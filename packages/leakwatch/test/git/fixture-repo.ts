// Builds throwaway git repositories with fixed dates (GIT_AUTHOR_DATE / GIT_COMMITTER_DATE), so every
// sha and every exposure window in the tests is the same on every machine and every run.
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import type { LoadedConfig } from '../../src/config/load.js';
import { compileRules } from '../../src/engine/compile.js';
import { base62, crc32 } from '../../src/engine/checksum.js';
import type { RuleSpec } from '../../src/engine/types.js';

const run = promisify(execFile);

/** An environment that ignores the machine's git config (no signing, hooks, templates, aliases). */
export function isolatedGitEnv(home: string): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: home,
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
  };
}

export interface CommitOptions {
  /** Committer date, ISO 8601; also the author date unless `authorDate` is given. */
  date: string;
  authorDate?: string;
  author?: { name: string; email: string };
}

export interface FixtureRepo {
  dir: string;
  env: Record<string, string>;
  git(...args: string[]): Promise<string>;
  /** Runs a git command that records dates (merge, tag -a) as of `date`. */
  gitAt(date: string, ...args: string[]): Promise<string>;
  /** Writes files (null deletes), stages everything and commits; returns the new commit sha. */
  commit(
    message: string,
    files: Record<string, string | Buffer | null>,
    options: CommitOptions,
  ): Promise<string>;
  cleanup(): Promise<void>;
}

export async function createFixtureRepo(): Promise<FixtureRepo> {
  const dir = await mkdtemp(join(tmpdir(), 'leakwatch-git-'));
  const env = isolatedGitEnv(dir);
  const git = async (...args: string[]): Promise<string> => {
    const { stdout } = await run('git', args, { cwd: dir, env, maxBuffer: 64 * 1024 * 1024 });
    return stdout.trim();
  };
  await git('init', '-q', '-b', 'main');
  return {
    dir,
    env,
    git,
    async commit(message, files, options) {
      for (const [path, content] of Object.entries(files)) {
        const full = join(dir, path);
        if (content === null) {
          await rm(full, { force: true });
        } else {
          await mkdir(dirname(full), { recursive: true });
          await writeFile(full, content);
        }
      }
      await git('add', '-A');
      await run('git', ['commit', '-q', '--allow-empty', '-m', message], {
        cwd: dir,
        env: datedEnv(env, options),
      });
      return git('rev-parse', 'HEAD');
    },
    async gitAt(date, ...args) {
      const { stdout } = await run('git', args, { cwd: dir, env: datedEnv(env, { date }) });
      return stdout.trim();
    },
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}

function datedEnv(env: Record<string, string>, options: CommitOptions): Record<string, string> {
  const author = options.author ?? { name: 'Ada Example', email: 'ada@example.com' };
  return {
    ...env,
    GIT_AUTHOR_NAME: author.name,
    GIT_AUTHOR_EMAIL: author.email,
    GIT_AUTHOR_DATE: options.authorDate ?? options.date,
    GIT_COMMITTER_NAME: 'Fixture Committer',
    GIT_COMMITTER_EMAIL: 'committer@example.com',
    GIT_COMMITTER_DATE: options.date,
  };
}

/**
 * A FAKE GitHub classic token in the real format (valid CRC32 checksum), derived from a seed so the
 * test sources hold no token literal for leakwatch's own dogfood scan to trip over.
 */
export function fakeGithubToken(seed: string): string {
  const alphabet = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
  let state = crc32(seed) || 1;
  let random = '';
  for (let i = 0; i < 30; i++) {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    random += alphabet[(state >>> 16) % 62];
  }
  return `ghp_${random}${base62(crc32(random), 6)}`;
}

const GITHUB_RULE: RuleSpec = {
  id: 'github.pat-classic',
  description: 'GitHub personal access token (classic)',
  regex: '\\b(ghp_[A-Za-z0-9]{36})\\b',
  secretGroup: 1,
  keywords: ['ghp_'],
  validate: 'github-crc32',
  tags: [],
  allowlists: [],
  required: [],
  provider: 'github',
  severity: 'high',
  examples: [],
  negatives: [],
  references: [],
  source: 'test/git/fixture-repo.ts',
};

/** A config holding one rule, so these tests do not depend on the built-in rule files. */
export function testConfig(): LoadedConfig {
  return {
    specs: [GITHUB_RULE],
    allowlists: [],
    ruleSet: compileRules([GITHUB_RULE]),
    origin: { kind: 'builtin' },
    warnings: [],
  };
}

/** A stand-in fingerprint hash: tests compare fingerprints for equality only. */
export function testHash(ruleId: string, secret: string): string {
  return `${ruleId.length}-${crc32(secret).toString(16)}`;
}
