import { chmodSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, tempDir } from './helpers/cli.js';
import { fakeGithubToken } from './helpers/tokens.js';

const T1 = fakeGithubToken(1);
const T2 = fakeGithubToken(2);
const CUSTOM = `
[[rules]]
id = "test.token"
description = "test token"
regex = '''\\b(ghp_[A-Za-z0-9]{36})\\b'''
keywords = ["ghp_"]
`;

function tree(files: Record<string, string | Buffer>): string {
  const dir = tempDir();
  for (const [name, content] of Object.entries(files)) {
    const full = join(dir, name);
    mkdirSync(join(full, '..'), { recursive: true });
    writeFileSync(full, content);
  }
  return dir;
}

describe('leakwatch scan', () => {
  it('exits 0 on a clean tree and 1 with findings; --exit-code overrides', async () => {
    const clean = tree({ 'a.txt': 'nothing here' });
    expect((await cli(['scan', '.'], { cwd: clean })).code).toBe(0);
    const dirty = tree({ 'a.txt': `token: ${T1}` });
    const r = await cli(['scan', '.'], { cwd: dirty });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('github.pat-classic');
    expect((await cli(['scan', '.', '--exit-code', '42'], { cwd: dirty })).code).toBe(42);
  });

  it('masks secrets by default and shows them with --no-redact', async () => {
    const dir = tree({ 'a.txt': `token: ${T1}` });
    const masked = await cli(['scan', '.'], { cwd: dir });
    expect(masked.stdout).not.toContain(T1);
    const json = await cli(['scan', '.', '--format', 'json'], { cwd: dir });
    expect(json.stdout).not.toContain(T1.slice(4));
    const raw = await cli(['scan', '.', '--no-redact'], { cwd: dir });
    expect(raw.stdout).toContain(T1);
  });

  it('reports one finding per secret with all its locations', async () => {
    const dir = tree({ 'a.txt': `x=${T1}\ny=${T1}`, 'sub/b.txt': T1, 'c.txt': T2 });
    const r = await cli(['scan', '.', '--format', 'json', '--no-redact'], { cwd: dir });
    const report = JSON.parse(r.stdout);
    expect(report.findings).toHaveLength(2);
    const f1 = report.findings.find((f: { secret: string }) => f.secret === T1);
    expect(f1.locations.map((l: { path: string; line: number }) => `${l.path}:${l.line}`)).toEqual([
      'a.txt:1',
      'a.txt:2',
      'sub/b.txt:1',
    ]);
  });

  it('respects .gitignore by default; --no-ignore scans everything; named files are always scanned', async () => {
    const dir = tree({
      '.gitignore': 'build/\n*.log\n!keep.log\n',
      'build/out.js': T1,
      'x.log': T1,
      'keep.log': T2,
      'src/a.js': 'ok',
    });
    const r = await cli(['scan', '.', '--format', 'json'], { cwd: dir });
    const paths = JSON.parse(r.stdout).findings.flatMap((f: { locations: { path: string }[] }) =>
      f.locations.map((l) => l.path),
    );
    expect(paths).toEqual(['keep.log']);
    const all = await cli(['scan', '.', '--no-ignore', '--format', 'json'], { cwd: dir });
    expect(JSON.parse(all.stdout).summary.findings).toBe(2);
    const named = await cli(['scan', 'x.log', '--format', 'json'], { cwd: dir });
    expect(JSON.parse(named.stdout).summary.findings).toBe(1);
  });

  it('skips binaries and files above --max-file-size, counting them', async () => {
    const dir = tree({
      'bin.dat': Buffer.concat([Buffer.from(T1), Buffer.from([0, 1, 2, 0])]),
      'big.txt': `${'x'.repeat(5000)}\n${T1}`,
      'ok.txt': T2,
    });
    const r = await cli(['scan', '.', '--format', 'json', '--max-file-size', '4k'], { cwd: dir });
    const report = JSON.parse(r.stdout);
    expect(report.summary.skipped).toMatchObject({ binary: 1, tooLarge: 1 });
    expect(report.summary.findings).toBe(1);
  });

  it('transcodes UTF-16 files (with and without BOM) and scans invalid UTF-8', async () => {
    const le = Buffer.concat([
      Buffer.from([0xff, 0xfe]),
      Buffer.from(`key = ${T1}\r\n`, 'utf16le'),
    ]);
    const noBom = Buffer.from(`a very plain line of text here\nkey = ${T2}\n`, 'utf16le');
    const latin1 = Buffer.concat([
      Buffer.from('caf\xe9 = "', 'latin1'),
      Buffer.from(fakeGithubToken(3)),
      Buffer.from('"\n'),
    ]);
    const dir = tree({ 'le.txt': le, 'nobom.txt': noBom, 'latin1.txt': latin1 });
    const r = await cli(['scan', '.', '--format', 'json'], { cwd: dir });
    const report = JSON.parse(r.stdout);
    expect(report.summary.findings).toBe(3);
    expect(report.summary.skipped.binary).toBe(0);
  });

  it('reads standard input with -', async () => {
    const r = await cli(['scan', '-', '--format', 'json'], {
      cwd: tempDir(),
      stdin: `pasted ${T1}`,
    });
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).findings[0].locations[0].path).toBeUndefined();
  });

  it('survives symlink loops with --follow and paths with spaces, newlines and unicode', async () => {
    const dir = tree({ 'dir one/naïve\nname.txt': T1, '日本/秘密.env': T2 });
    symlinkSync(dir, join(dir, 'dir one', 'loop'));
    const r = await cli(['scan', '.', '--follow', '--format', 'json'], { cwd: dir });
    const paths = JSON.parse(r.stdout)
      .findings.map((f: { locations: { path: string }[] }) => f.locations[0]?.path)
      .sort();
    expect(paths).toEqual(['dir one/naïve\nname.txt', '日本/秘密.env']);
  });

  it('reports unreadable files and continues (exit code follows the findings)', async () => {
    if (process.getuid?.() === 0) {
      // root reads everything: use a directory entry that vanishes instead
      const dir = tree({ 'a.txt': T1 });
      symlinkSync(join(dir, 'missing'), join(dir, 'dangling'));
      const r = await cli(['scan', '.', '--follow', '--format', 'json'], { cwd: dir });
      const report = JSON.parse(r.stdout);
      expect(r.code).toBe(1);
      expect(report.errors).toEqual([
        expect.objectContaining({ code: 'LW_READ', path: 'dangling' }),
      ]);
      expect(report.summary.skipped.unreadable).toBe(1);
      return;
    }
    const dir = tree({ 'a.txt': T1, 'secret.txt': 'x' });
    chmodSync(join(dir, 'secret.txt'), 0);
    const r = await cli(['scan', '.', '--format', 'json'], { cwd: dir });
    expect(JSON.parse(r.stdout).errors[0].path).toBe('secret.txt');
  });

  it('finds secrets in base64 (Kubernetes Secret), JSON-escaped strings and notebooks', async () => {
    const manifest = `apiVersion: v1\nkind: Secret\ndata:\n  token: ${Buffer.from(`GITHUB_TOKEN=${T1}`).toString('base64')}\n`;
    const notebook = JSON.stringify({
      cells: [{ cell_type: 'code', source: [`client = Github(\\"${T2}\\")\n`] }],
    });
    const dir = tree({ 'secret.yaml': manifest, 'nb.ipynb': notebook });
    const r = await cli(['scan', '.', '--format', 'json'], { cwd: dir });
    const report = JSON.parse(r.stdout);
    const byPath = Object.fromEntries(
      report.findings.map(
        (f: { locations: { path: string; encoding?: string; line: number }[] }) => [
          f.locations[0]?.path,
          f.locations[0],
        ],
      ),
    );
    expect(byPath['secret.yaml']).toMatchObject({ encoding: 'base64', line: 4 });
    expect(byPath['nb.ipynb']).toBeDefined();
  });

  it('honours inline allow comments, .leakwatchignore fingerprints and .gitleaksignore entries', async () => {
    const dir = tree({
      'a.txt': `${T1} # leakwatch:allow`,
      'b.txt': T2,
      'c.txt': `\n${fakeGithubToken(9)}`,
    });
    const first = JSON.parse((await cli(['scan', '.', '--format', 'json'], { cwd: dir })).stdout);
    expect(first.findings).toHaveLength(2);
    const fpB = first.findings.find(
      (f: { locations: { path: string }[] }) => f.locations[0]?.path === 'b.txt',
    ).fingerprint;
    writeFileSync(
      join(dir, '.leakwatchignore'),
      `# reviewed: test token\n${fpB}\nstale:fingerprint\n`,
    );
    writeFileSync(join(dir, '.gitleaksignore'), 'c.txt:github.pat-classic:2\n');
    const second = await cli(['scan', '.', '--format', 'json'], { cwd: dir });
    const report = JSON.parse(second.stdout);
    expect(report.findings).toHaveLength(0);
    expect(second.code).toBe(0);
    expect(report.staleIgnores).toEqual(['stale:fingerprint']);
  });

  it('--baseline reports only new findings; baseline create writes one', async () => {
    const dir = tree({ 'a.txt': T1 });
    const created = await cli(['baseline', 'create', '.', '-o', 'baseline.json'], { cwd: dir });
    expect(created.code).toBe(0);
    const baseline = JSON.parse(readFileSync(join(dir, 'baseline.json'), 'utf8'));
    expect(JSON.stringify(baseline)).not.toContain(T1.slice(4));
    expect((await cli(['scan', '.', '--baseline', 'baseline.json'], { cwd: dir })).code).toBe(0);
    writeFileSync(join(dir, 'b.txt'), T2);
    const r = await cli(['scan', '.', '--baseline', 'baseline.json', '--format', 'json'], {
      cwd: dir,
    });
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).summary).toMatchObject({ findings: 1, baselined: 1 });
  });

  it('uses --config, then LEAKWATCH_CONFIG, then leakwatch.toml in the root, then built-ins', async () => {
    const dir = tree({
      'a.txt': T1,
      'custom.toml': CUSTOM,
      'env.toml': CUSTOM.replace('test.token', 'env.token'),
    });
    const ids = async (args: string[], env: Record<string, string> = {}) =>
      JSON.parse(
        (await cli(['scan', '.', '--format', 'json', ...args], { cwd: dir, env })).stdout,
      ).findings.map((f: { ruleId: string }) => f.ruleId);
    expect(await ids([])).toEqual(['github.pat-classic']);
    writeFileSync(join(dir, 'leakwatch.toml'), CUSTOM.replace('test.token', 'repo.token'));
    expect(await ids([])).toEqual(['repo.token']);
    expect(await ids([], { LEAKWATCH_CONFIG: 'env.toml' })).toEqual(['env.token']);
    expect(await ids(['--config', 'custom.toml'], { LEAKWATCH_CONFIG: 'env.toml' })).toEqual([
      'test.token',
    ]);
  });

  it('writes --output files in every format', async () => {
    const dir = tree({ 'a.txt': T1 });
    for (const format of ['json', 'sarif', 'csv', 'text']) {
      const r = await cli(['scan', 'a.txt', '--format', format, '--output', `out.${format}`], {
        cwd: dir,
      });
      expect(r.code).toBe(1);
      expect(r.stdout).toBe('');
      expect(readFileSync(join(dir, `out.${format}`), 'utf8')).toContain('github.pat-classic');
    }
  });

  it('gives clear errors with exit code 2 and no stack trace for user mistakes', async () => {
    const dir = tree({
      'bad.toml': '[[rules]]\nid = "x"\nregex = "(a"\n',
      'broken.toml': 'a = [\n',
    });
    const cases: [string[], RegExp][] = [
      [['scan', '--format', 'xml'], /--format must be one of text, json, sarif, csv/],
      [['scan', '--bogus'], /Unknown option '--bogus'/],
      [['scan', '--config', 'bad.toml'], /bad\.toml:1: rule 'x' regex: missing '\)'/],
      [
        ['scan', '--config', 'broken.toml'],
        /broken\.toml:\d+: invalid TOML at line \d+, column \d+/,
      ],
      [['scan', '--config', 'nope.toml'], /config file not found/],
      [['scan', '--max-file-size', 'huge'], /--max-file-size must be a size/],
      [['scan', '--baseline', 'missing.json'], /cannot read baseline/],
      [['frobnicate'], /unknown command 'frobnicate'/],
      [['scan', '--fail-on', 'live'], /--fail-on live needs --verify/],
      [['scan', '--fail-on', 'sometimes'], /--fail-on must be 'any' or 'live'/],
    ];
    for (const [args, message] of cases) {
      const r = await cli(args, { cwd: dir });
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toMatch(message);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
  });
});

describe('leakwatch ignore convert / config check / rules', () => {
  it('converts .gitleaksignore entries into content-keyed fingerprints that survive moves', async () => {
    const dir = tree({ 'a.txt': `\n${T1}`, '.gitleaksignore': 'a.txt:github.pat-classic:2\n' });
    const r = await cli(['ignore', 'convert'], { cwd: dir });
    expect(r.code).toBe(0);
    const written = readFileSync(join(dir, '.leakwatchignore'), 'utf8');
    expect(written).toMatch(
      /^github\.pat-classic:[A-Za-z0-9_-]+ {2}# github\.pat-classic at a\.txt:2$/m,
    );
    // Move the secret: the gitleaks entry no longer applies, the fingerprint still does.
    writeFileSync(join(dir, 'a.txt'), `moved\n\n\n${T1}`);
    writeFileSync(join(dir, '.gitleaksignore'), '');
    expect((await cli(['scan', '.'], { cwd: dir })).code).toBe(0);
  });

  it('config check names the config in use and fails on broken examples', async () => {
    const dir = tree({
      'leakwatch.toml': `${CUSTOM}examples = [{ text = "nope", secret = "x" }]\n`,
    });
    const r = await cli(['config', 'check'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/config: .*leakwatch\.toml \(repository\)/);
    expect(r.stderr).toMatch(/rule 'test\.token': examples\[0\] does not match/);
  });

  it('rules check validates a user rule file and reports failing examples with exit 1', async () => {
    const dir = tree({
      'good.toml': `${CUSTOM}examples = [{ text = "t=${T1}", secret = "${T1}" }]\nnegatives = ["ghp_short"]\n`,
      'bad.toml': `${CUSTOM}negatives = ["${T2}"]\n`,
    });
    expect((await cli(['rules', 'check', 'good.toml'], { cwd: dir })).code).toBe(0);
    const bad = await cli(['rules', 'check', 'bad.toml'], { cwd: dir });
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain("rule 'test.token': negatives[0] matches");
  });
});

describe('command registry', () => {
  it('lists and dispatches every command', async () => {
    const help = await cli(['--help'], { cwd: tempDir() });
    for (const name of ['scan', 'git', 'hook', 'baseline', 'rules', 'config', 'ignore', 'revoke']) {
      expect(help.stdout).toMatch(new RegExp(`^  ${name} `, 'm'));
      const r = await cli([name, '--help'], { cwd: tempDir() });
      expect(r.code, name).toBe(0);
      expect(r.stdout, name).toMatch(new RegExp(`leakwatch ${name}`));
    }
  });
});
