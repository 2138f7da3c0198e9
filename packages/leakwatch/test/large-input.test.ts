// Big and hostile inputs: sparse huge files, hundreds of MB streamed with flat memory, 200k files,
// secrets across chunk boundaries, and the worker pool agreeing with inline matching.
import { spawnSync } from 'node:child_process';
import { closeSync, mkdirSync, openSync, truncateSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config/load.js';
import { scan } from '../src/scan.js';
import { tempDir } from './helpers/cli.js';
import { fakeGithubToken } from './helpers/tokens.js';

const PROCESS_MAIN = new URL('../dist/cli/process.js', import.meta.url).pathname;

/** Runs the built CLI in a child process and returns its output and peak RSS in MB. */
function runChild(
  args: string[],
  cwd: string,
): { code: number; stdout: string; stderr: string; maxRssMb: number } {
  const script = `process.argv.splice(1, 0, 'leakwatch'); const { main } = await import(${JSON.stringify(PROCESS_MAIN)}); const code = await main(); process.stderr.write('\\nMAXRSS=' + process.resourceUsage().maxRSS + '\\n'); process.exitCode = code;`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script, '--', ...args], {
    cwd,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  const rss = Number(/MAXRSS=(\d+)/.exec(r.stderr)?.[1] ?? 'NaN');
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr, maxRssMb: rss / 1024 };
}

function config(dir: string) {
  return loadConfig({ cwd: dir, env: {}, root: '.' });
}

describe('large and hostile inputs', () => {
  it('skips a sparse 2 GB file by size without reading it', () => {
    const dir = tempDir();
    closeSync(openSync(join(dir, 'huge.img'), 'w'));
    truncateSync(join(dir, 'huge.img'), 2 * 1024 ** 3);
    writeFileSync(join(dir, 'small.txt'), fakeGithubToken(1));
    const r = runChild(['scan', '.', '--format', 'json'], dir);
    const report = JSON.parse(r.stdout);
    expect(report.summary.skipped.tooLarge).toBe(1);
    expect(report.summary.findings).toBe(1);
    expect(r.maxRssMb).toBeLessThan(200);
  });

  it('streams 600 MB of text with a raised cap in flat memory and finds secrets at the end and across chunks', () => {
    const dir = tempDir();
    const file = join(dir, 'big.log');
    const fd = openSync(file, 'w');
    const line = Buffer.from(
      `${'2026-11-25T12:00:00Z INFO request served in 12ms path=/api/v1/items user=42 '.padEnd(119, '.')}\n`,
    );
    const block = Buffer.alloc(line.length * 8738);
    for (let i = 0; i < 8738; i++) line.copy(block, i * line.length);
    const mb = 1024 * 1024;
    let written = 0;
    const tokenA = fakeGithubToken(21);
    const tokenB = fakeGithubToken(22);
    while (written < 600 * mb) {
      writeSync(fd, block);
      written += block.length;
      // 4 MiB is the chunk size: put one secret right at the second chunk boundary.
      if (written >= 8 * mb && written < 8 * mb + block.length) {
        writeSync(fd, `token=${tokenA}\n`);
        written += 47;
      }
    }
    writeSync(fd, `last line ${tokenB}\n`);
    closeSync(fd);
    const r = runChild(
      ['scan', 'big.log', '--max-file-size', '1G', '--format', 'json', '--no-redact'],
      dir,
    );
    const report = JSON.parse(r.stdout);
    expect(report.findings.map((f: { secret: string }) => f.secret).sort()).toEqual(
      [tokenA, tokenB].sort(),
    );
    expect(report.summary.bytesScanned).toBeGreaterThan(600 * mb);
    expect(r.maxRssMb).toBeLessThan(350);
  }, 240_000);

  it('scans a directory of 200k files', async () => {
    const dir = tempDir();
    const tokens: string[] = [];
    for (let d = 0; d < 200; d++) {
      const sub = join(dir, `d${d}`);
      mkdirSync(sub);
      for (let f = 0; f < 1000; f++) {
        const secret = f === 500 && d % 50 === 0 ? fakeGithubToken(1000 + d) : undefined;
        if (secret) tokens.push(secret);
        writeFileSync(join(sub, `f${f}.txt`), secret ? `key ${secret}\n` : `file ${d}/${f}\n`);
      }
    }
    const r = runChild(['scan', '.', '--format', 'json', '--no-redact'], dir);
    const report = JSON.parse(r.stdout);
    expect(report.summary.filesScanned).toBe(200_000);
    expect(report.findings.map((f: { secret: string }) => f.secret).sort()).toEqual(tokens.sort());
    expect(r.maxRssMb).toBeLessThan(400);
  }, 300_000);

  it('finds a secret that straddles a chunk boundary and reports its true line', async () => {
    const dir = tempDir();
    const token = fakeGithubToken(5);
    const filler = `${'x'.repeat(99)}\n`.repeat(700); // 70,000 bytes: past one 64 KiB chunk
    writeFileSync(join(dir, 'f.txt'), `${filler.slice(0, 65_500)}\nAB ${token} CD\n${filler}`);
    const r = await scan({
      paths: ['.'],
      cwd: dir,
      config: config(dir),
      now: () => new Date(0),
      chunkSize: 64 * 1024,
      workers: false,
    });
    expect(r.findings.map((f) => f.secret)).toEqual([token]);
    expect(r.findings[0]?.locations).toHaveLength(1);
    expect(r.findings[0]?.locations[0]?.line).toBe(657);
  });

  it('worker threads find exactly what inline matching finds', async () => {
    const dir = tempDir();
    for (let i = 0; i < 40; i++)
      writeFileSync(
        join(dir, `f${i}.env`),
        `A=1\nGITHUB_TOKEN=${fakeGithubToken(100 + i)}\nAWS_ACCESS_KEY_ID=AKIAZ7Q3KX4NW2PLR5T${String.fromCharCode(65 + (i % 26))}\n`,
      );
    const cfg = config(dir);
    const inline = await scan({
      paths: ['.'],
      cwd: dir,
      config: cfg,
      now: () => new Date(0),
      workers: false,
      hasher: (i, s) => i + s,
    });
    const pooled = await scan({
      paths: ['.'],
      cwd: dir,
      config: cfg,
      now: () => new Date(0),
      workers: true,
      threads: 2,
      hasher: (i, s) => i + s,
    });
    expect(pooled.findings).toEqual(inline.findings);
    expect(inline.findings.map((f) => f.ruleId).sort()).toEqual([
      ...Array(26).fill('aws.access-key-id'),
      ...Array(40).fill('github.pat-classic'),
    ]);
  });
});

describe('standard input', () => {
  it('is streamed in chunks: secrets anywhere in a long pipe are found with their lines', async () => {
    const { Readable } = await import('node:stream');
    const tokens = [fakeGithubToken(31), fakeGithubToken(32), fakeGithubToken(33)];
    const lines: string[] = [];
    for (let i = 0; i < 30_000; i++)
      lines.push(
        i === 5
          ? tokens[0]!
          : i === 14_999
            ? tokens[1]!
            : i === 29_999
              ? tokens[2]!
              : `line ${i} ${'-'.repeat(40)}`,
      );
    const text = `${lines.join('\n')}\n`;
    const pieces = text.match(/[\s\S]{1,7000}/g) ?? [];
    const dir = tempDir();
    const r = await scan({
      paths: ['-'],
      cwd: dir,
      config: config(dir),
      now: () => new Date(0),
      stdin: Readable.from(pieces.map((p) => Buffer.from(p))),
      chunkSize: 256 * 1024,
      workers: false,
    });
    expect(r.findings.map((f) => [f.secret, f.locations[0]?.line])).toEqual(
      [
        [tokens[0], 6],
        [tokens[1], 15_000],
        [tokens[2], 30_000],
      ].sort((a, b) => (a[1] as number) - (b[1] as number)),
    );
    expect(r.summary.bytesScanned).toBe(Buffer.byteLength(text));
  });
});
