#!/usr/bin/env node
// Benchmark of `leakwatch git` against the floor of reading every object once, on a real repository
// cloned locally (nothing of it is committed). Run by hand after `npm run build`:
//
//   node packages/leakwatch/bench/git-bench.mjs /path/to/repo.git [--threads 2] [--skip-staged]
//
// Measures, in one run (wall time and peak RSS via /usr/bin/time):
//   floor      git cat-file --batch-all-objects --batch > /dev/null
//   reachable  git rev-list --objects --all | git cat-file --batch > /dev/null  (what leakwatch lists)
//   log -p     git log -p -U0 --all > /dev/null  (the diff stream a gitleaks-style scan starts from)
//   gitleaks   `gitleaks git` when a gitleaks binary is on PATH (GITLEAKS=cmd to choose one)
//   leakwatch  whole-history scan with no rules (reading + attribution) and with the built-in rules
//   staged     `--staged` with a 100-file change, against a temporary index (the repository is not
//              modified: new blobs go to a temporary object directory)
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const dist = resolve(here, '../dist');
const args = process.argv.slice(2);
const repo = args.find((a) => !a.startsWith('--'));
const threadsAt = args.indexOf('--threads');
const threads = threadsAt === -1 ? 2 : Number(args[threadsAt + 1]);
if (!repo || !existsSync(repo)) {
  process.stderr.write('usage: git-bench.mjs REPO [--threads N] [--skip-staged]\n');
  process.exit(2);
}
if (!existsSync(join(dist, 'git/history-scan.js'))) {
  process.stderr.write('build first: npm run build\n');
  process.exit(2);
}
if (!existsSync('/usr/bin/time')) {
  process.stderr.write('needs /usr/bin/time (apt-get install time) for peak RSS\n');
  process.exit(2);
}

/** Runs a shell command line under /usr/bin/time; returns seconds, peak RSS (MB) and stdout. */
function timed(label, command, env = {}) {
  process.stderr.write(`${label}...\n`);
  const r = spawnSync('/usr/bin/time', ['-f', '%e %M %U %S', 'sh', '-c', command], {
    cwd: repo,
    env: { ...process.env, ...env },
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  const last = r.stderr.trim().split('\n').at(-1) ?? '';
  const [seconds, kb, user, system] = last.split(' ').map(Number);
  if (r.status !== 0 && !(label.startsWith('leakwatch') && r.status === 1)) {
    process.stderr.write(`${label} failed (${r.status}):\n${r.stderr}\n`);
  }
  // CPU seconds (all processes) say more than wall time on a machine shared with other work.
  return {
    label,
    seconds,
    cpu: (user ?? 0) + (system ?? 0),
    rssMb: Math.round((kb ?? 0) / 1024),
    stdout: r.stdout,
  };
}

const q = (s) => `'${s.replace(/'/g, `'\\''`)}'`;
const scanScript = (mode) => `
  import { loadConfig } from ${JSON.stringify(join(dist, 'config/load.js'))};
  import { scanGitHistory } from ${JSON.stringify(join(dist, 'git/history-scan.js'))};
  const config = loadConfig({ cwd: process.cwd(), env: {} });
  const result = await scanGitHistory({ repo: process.cwd(), env: process.env, config, now: () => new Date(),
    mode: ${JSON.stringify(mode)}, threads: ${threads} });
  process.stdout.write(JSON.stringify({ findings: result.findings.length, objects: result.summary.filesScanned,
    bytes: result.summary.bytesScanned, skipped: result.summary.skipped, errors: result.errors.length }));
`;

// leakwatch's object pipeline without matching: does the reader keep up with git?
const readScript = `
  import { enumerateReachable } from ${JSON.stringify(join(dist, 'git/object-enumeration.js'))};
  import { ObjectReader } from ${JSON.stringify(join(dist, 'git/object-reader.js'))};
  import { gitObjectEvents } from ${JSON.stringify(join(dist, 'git/object-source.js'))};
  import { listRefs } from ${JSON.stringify(join(dist, 'git/refs.js'))};
  const ctx = { cwd: process.cwd(), env: process.env };
  const tips = [...new Set((await listRefs(ctx)).map((ref) => ref.sha))];
  const reader = new ObjectReader(ctx, { mode: 'contents' });
  const events = gitObjectEvents(enumerateReachable(ctx, tips, { missing: [] }), reader,
    { repo: ctx.cwd, maxBlobBytes: 10 * 1024 * 1024, scanMessages: true, onUnreadable() {} });
  let objects = 0, bytes = 0;
  for await (const event of events) if (event.type === 'chunk') { objects += 1; bytes += event.chunk.bytes.length; }
  await reader.close();
  process.stdout.write(JSON.stringify({ objects, bytes }));
`;

const rows = [];
const git = (...a) => execFileSync('git', a, { cwd: repo, encoding: 'utf8' }).trim();
const commits = git('rev-list', '--all', '--count');
rows.push(
  timed(
    'floor: cat-file --batch-all-objects --batch',
    'git cat-file --batch-all-objects --batch > /dev/null',
  ),
);
rows.push(
  timed(
    'reachable: rev-list --objects --all | cat-file --batch',
    "git rev-list --objects --all | cut -d' ' -f1 | git cat-file --batch > /dev/null",
  ),
);
rows.push(timed('log -p -U0 --all', 'git log -p -U0 --all > /dev/null'));
const gitleaks =
  process.env.GITLEAKS ??
  (spawnSync('sh', ['-c', 'command -v gitleaks']).status === 0 ? 'gitleaks' : '');
if (gitleaks)
  rows.push(
    timed(
      `gitleaks (${gitleaks})`,
      `${gitleaks} git --no-banner --report-path /dev/null . || true`,
    ),
  );
rows.push(
  timed('leakwatch object pipeline, no matching', `node --input-type=module -e ${q(readScript)}`),
);
rows.push(
  timed(
    `leakwatch git --threads ${threads}`,
    `node --input-type=module -e ${q(scanScript({ kind: 'history' }))}`,
  ),
);

if (!args.includes('--skip-staged')) {
  // 100 changed files in a temporary index; their new blobs go to a throwaway object directory.
  const scratch = mkdtempSync(join(tmpdir(), 'leakwatch-bench-'));
  try {
    const objects = join(scratch, 'objects');
    const env = {
      GIT_INDEX_FILE: join(scratch, 'index'),
      GIT_OBJECT_DIRECTORY: objects,
      GIT_ALTERNATE_OBJECT_DIRECTORIES: resolve(repo, git('rev-parse', '--git-path', 'objects')),
      GIT_WORK_TREE: scratch,
    };
    execFileSync('mkdir', ['-p', objects]);
    execFileSync('git', ['read-tree', 'HEAD'], { cwd: repo, env: { ...process.env, ...env } });
    const files = git('ls-tree', '-r', '--name-only', 'HEAD')
      .split('\n')
      .filter((f) => /\.(c|h|md)$/.test(f))
      .slice(0, 100);
    for (const [i, file] of files.entries()) {
      const path = join(scratch, 'content');
      writeFileSync(path, `${git('show', `HEAD:${file}`)}\n/* bench change ${i} */\n`);
      const blob = execFileSync('git', ['hash-object', '-w', path], {
        cwd: repo,
        env: { ...process.env, ...env },
        encoding: 'utf8',
      }).trim();
      execFileSync('git', ['update-index', '--cacheinfo', `100644,${blob},${file}`], {
        cwd: repo,
        env: { ...process.env, ...env },
      });
    }
    rows.push(
      timed(
        `leakwatch git --staged (${files.length} files)`,
        `node --input-type=module -e ${q(scanScript({ kind: 'staged' }))}`,
        env,
      ),
    );
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

const floor = Math.max(rows[0]?.seconds ?? 1, 0.01);
process.stdout.write(
  `\nrepository: ${resolve(repo)} (${commits} commits reachable from all refs)\n`,
);
process.stdout.write(
  `${'what'.padEnd(58)} ${'seconds'.padStart(8)} ${'x floor'.padStart(8)} ${'CPU s'.padStart(8)} ${'peak RSS'.padStart(9)}\n`,
);
for (const row of rows) {
  process.stdout.write(
    `${row.label.padEnd(58)} ${row.seconds.toFixed(2).padStart(8)} ${(row.seconds / floor).toFixed(2).padStart(8)} ${row.cpu.toFixed(1).padStart(8)} ${`${row.rssMb} MB`.padStart(9)}\n`,
  );
  if (row.label.startsWith('leakwatch') && row.stdout) process.stdout.write(`  ${row.stdout}\n`);
}
