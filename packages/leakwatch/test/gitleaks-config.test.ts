// A user's existing .gitleaks.toml must load and work unchanged. Each test below is a config in
// gitleaks' documented format exercising one field (docs/decisions/0002-gitleaks-compatibility.md).
import { describe, expect, it } from 'vitest';
import { parseConfigText } from '../src/config/load.js';
import { shannonEntropy } from '../src/engine/entropy.js';
import { findText, matchText, ruleSetFrom, secrets } from './helpers/rules.js';

const TOKEN = 'tok_9fK2mQ7xL4pZ8vR3';

describe('gitleaks config compatibility', () => {
  it('loads a typical gitleaks config with title, rules, keywords, secretGroup and tags', () => {
    const set = ruleSetFrom(`
title = "my gitleaks config"

[[rules]]
id = "acme-api-token"
description = "ACME API token"
regex = '''(?i)acme[_-]?token\\s*[:=]\\s*["']?(tok_[a-z0-9]{16})'''
secretGroup = 1
keywords = ["acme"]
tags = ["acme", "api"]
`);
    expect(secrets(set, `ACME_TOKEN = "${TOKEN}"`)).toEqual([TOKEN]);
    expect(secrets(set, `other = "${TOKEN}"`)).toEqual([]);
  });

  it('without secretGroup uses the first non-empty group, else the whole match', () => {
    const set = ruleSetFrom(`
[[rules]]
id = "alt"
regex = '''(?:key=(\\w{8})|token=(\\w{8}))'''
keywords = ["key=", "token="]
[[rules]]
id = "whole"
regex = '''whole_[a-z]{6}'''
keywords = ["whole_"]
`);
    expect(secrets(set, 'token=ABCDEFGH')).toEqual(['ABCDEFGH']);
    expect(secrets(set, 'x whole_abcdef y')).toEqual(['whole_abcdef']);
  });

  it('entropy drops secrets below the threshold (Shannon, bits per character)', () => {
    expect(shannonEntropy('aaaa')).toBe(0);
    expect(shannonEntropy('abcd')).toBe(2);
    expect(shannonEntropy('aabb')).toBe(1);
    const set = ruleSetFrom(`
[[rules]]
id = "e"
regex = '''pw=(\\S{12})'''
entropy = 3.0
keywords = ["pw="]
`);
    expect(secrets(set, 'pw=aaaaaaaaaaaa')).toEqual([]);
    expect(secrets(set, 'pw=Xk9#mP2$vL8q')).toEqual(['Xk9#mP2$vL8q']);
  });

  it('rules may have no keywords (regex runs over everything)', () => {
    const set = ruleSetFrom(`
[[rules]]
id = "nokw"
regex = '''ZZ-[0-9]{6}'''
`);
    expect(secrets(set, 'a\nb ZZ-123456\n')).toEqual(['ZZ-123456']);
  });

  it('path-only rules report the file itself; path + regex need both', () => {
    const set = ruleSetFrom(`
[[rules]]
id = "pkcs12-file"
path = '''\\.p12$'''
[[rules]]
id = "tf-pass"
path = '''\\.tf$'''
regex = '''password\\s*=\\s*"([^"]{6,})"'''
keywords = ["password"]
`);
    expect(findText(set, 'anything', 'certs/client.p12').map((f) => f.ruleId)).toEqual([
      'pkcs12-file',
    ]);
    expect(secrets(set, 'password = "hunter22"', 'main.tf')).toEqual(['hunter22']);
    expect(secrets(set, 'password = "hunter22"', 'main.py')).toEqual([]);
  });

  it('[[rules.allowlists]] with condition OR / AND and regexTarget secret / match / line', () => {
    const base = `
[[rules]]
id = "r"
regex = '''key=([A-Za-z0-9]{10})'''
keywords = ["key="]
`;
    const or = ruleSetFrom(`${base}
[[rules.allowlists]]
regexes = ['''^TEST''']
paths = ['''fixtures/''']
`);
    expect(secrets(or, 'key=TEST123456')).toEqual([]);
    expect(secrets(or, 'key=PROD123456', 'fixtures/a.txt')).toEqual([]);
    expect(secrets(or, 'key=PROD123456', 'src/a.txt')).toEqual(['PROD123456']);

    const and = ruleSetFrom(`${base}
[[rules.allowlists]]
condition = "AND"
regexes = ['''^TEST''']
paths = ['''fixtures/''']
`);
    expect(secrets(and, 'key=TEST123456', 'src/a.txt')).toEqual(['TEST123456']);
    expect(secrets(and, 'key=TEST123456', 'fixtures/a.txt')).toEqual([]);

    const match = ruleSetFrom(`${base}
[[rules.allowlists]]
regexTarget = "match"
regexes = ['''^key=ZZ''']
`);
    expect(secrets(match, 'key=ZZ34567890')).toEqual([]);
    expect(secrets(match, 'key=AA34567890')).toEqual(['AA34567890']);

    const line = ruleSetFrom(`${base}
[[rules.allowlists]]
regexTarget = "line"
regexes = ['''# example''']
`);
    expect(secrets(line, 'key=AB34567890 # example')).toEqual([]);
    expect(secrets(line, 'key=AB34567890 # real')).toEqual(['AB34567890']);
  });

  it('allowlist stopwords and the older single [rules.allowlist] table', () => {
    const set = ruleSetFrom(`
[[rules]]
id = "r"
regex = '''key=([A-Za-z0-9]{10})'''
keywords = ["key="]
[rules.allowlist]
stopwords = ["dummy"]
`);
    expect(secrets(set, 'key=xxDUMMYxxx')).toEqual([]);
    expect(secrets(set, 'key=realvalue1')).toEqual(['realvalue1']);
  });

  it('global [[allowlists]] with targetRules applies only to those rules; [allowlist] to all', () => {
    const set = ruleSetFrom(`
[[rules]]
id = "a"
regex = '''a=([0-9]{6})'''
keywords = ["a="]
[[rules]]
id = "b"
regex = '''b=([0-9]{6})'''
keywords = ["b="]
[[allowlists]]
targetRules = ["a"]
regexes = ['''^111''']
[allowlist]
paths = ['''vendor/''']
`);
    expect(secrets(set, 'a=111222 b=111333')).toEqual(['111333']);
    expect(secrets(set, 'a=999222', 'vendor/x.txt')).toEqual([]);
  });

  it('allowlist commits apply to git provenance', async () => {
    const set = ruleSetFrom(`
[[rules]]
id = "r"
regex = '''key=([A-Za-z0-9]{10})'''
keywords = ["key="]
[[rules.allowlists]]
commits = ["abc123"]
`);
    const { matchChunk } = await import('../src/engine/match.js');
    const bytes = new TextEncoder().encode('key=AB34567890');
    const git = (commit: string) =>
      matchChunk(set, {
        bytes,
        provenance: { kind: 'git', repo: '.', object: 'b1', objectType: 'blob', path: 'a', commit },
      });
    expect(git('abc1234def')).toHaveLength(0);
    expect(git('fff1234def')).toHaveLength(1);
  });

  it('[[rules.required]] reports a composite only with its parts nearby, and carries them', () => {
    const set = ruleSetFrom(`
[[rules]]
id = "client-id"
regex = '''client_id=([a-z0-9]{8})'''
keywords = ["client_id"]
[[rules]]
id = "client-secret"
regex = '''client_secret=([A-Za-z0-9]{16})'''
keywords = ["client_secret"]
[[rules.required]]
id = "client-id"
withinLines = 2
`);
    const near = findText(set, 'client_id=ab12cd34\nclient_secret=Q8w7E6r5T4y3U2i1');
    expect(near.map((f) => f.ruleId)).toEqual(['client-secret']);
    expect(near[0]?.parts.map((p) => p.secret)).toEqual(['ab12cd34']);
    const far = findText(set, 'client_id=ab12cd34\n\n\n\nclient_secret=Q8w7E6r5T4y3U2i1');
    expect(far.map((f) => f.ruleId)).toEqual(['client-id']);
  });

  it('skipReport makes a rule a part only', () => {
    const set = ruleSetFrom(`
[[rules]]
id = "sid"
regex = '''SID([0-9]{6})'''
keywords = ["sid"]
skipReport = true
[[rules]]
id = "token"
regex = '''TOK([0-9a-f]{8})'''
keywords = ["tok"]
[[rules.required]]
id = "sid"
`);
    expect(findText(set, 'SID123456').map((f) => f.ruleId)).toEqual([]);
    expect(findText(set, 'SID123456 TOK0a1b2c3d').map((f) => f.ruleId)).toEqual(['token']);
  });

  it('inline gitleaks:allow and leakwatch:allow comments suppress a line', () => {
    const set = ruleSetFrom(`
[[rules]]
id = "r"
regex = '''key=([A-Za-z0-9]{10})'''
keywords = ["key="]
`);
    expect(
      matchText(
        set,
        'key=AB34567890 # gitleaks:allow\nkey=CD34567890 // leakwatch:allow\nkey=EF34567890',
      ),
    ).toHaveLength(1);
  });

  it('[extend] useDefault means leakwatch built-ins; disabledRules removes them', async () => {
    const { loadConfig } = await import('../src/config/load.js');
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dir = mkdtempSync(join(tmpdir(), 'lw-cfg-'));
    writeFileSync(
      join(dir, '.gitleaks.toml'),
      '[extend]\nuseDefault = true\ndisabledRules = ["github.pat-classic"]\n[[rules]]\nid = "mine"\nregex = \'\'\'MINE-[0-9]{4}\'\'\'\nkeywords = ["mine-"]\n',
    );
    const cfg = loadConfig({ cwd: dir, env: {}, root: '.' });
    const ids = cfg.specs.map((s) => s.id);
    expect(ids).toContain('mine');
    expect(ids).toContain('aws.access-key-id');
    expect(ids).not.toContain('github.pat-classic');
    expect(cfg.origin.kind).toBe('repository');
    writeFileSync(
      join(dir, '.gitleaks.toml'),
      "[[rules]]\nid = \"only\"\nregex = '''ONLY-[0-9]{4}'''\n",
    );
    expect(loadConfig({ cwd: dir, env: {}, root: '.' }).specs.map((s) => s.id)).toEqual(['only']);
  });
});

describe('config validation', () => {
  it('reports malformed TOML with line and column', () => {
    const r = parseConfigText('title = "x"\n[[rules]]\nid = "a\nregex = "b"\n', 'bad.toml');
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]?.message).toMatch(/line 3, column \d+/);
  });

  it('warns about unknown keys with a did-you-mean', () => {
    const r = parseConfigText(
      '[[rules]]\nid = "a"\nregex = "abc"\nkeyword = ["abc"]\nsecretgroup = 1\n',
      'c.toml',
    );
    expect(r.errors).toEqual([]);
    expect(r.warnings.map((w) => w.message)).toEqual([
      "unknown key 'keyword' (did you mean 'keywords'?)",
      "unknown key 'secretgroup' (did you mean 'secretGroup'?)",
    ]);
    expect(r.warnings[0]?.line).toBe(1);
  });

  it('collects every error at once, naming the rule and field', () => {
    const r = parseConfigText(
      `[[rules]]
id = "lookahead"
regex = '''a(?=b)'''
[[rules]]
id = "catastrophic"
regex = '''(a+)+$'''
[[rules]]
id = "bad-group"
regex = '''(a)b'''
secretGroup = 3
[[rules]]
regex = "x"
[[rules]]
id = "sev"
regex = "x"
severity = "urgent"
[[rules]]
id = "dup"
regex = "x"
[[rules]]
id = "dup"
regex = "y"
`,
      'many.toml',
    );
    const summary = r.errors.map((e) => `${e.ruleId ?? '-'} ${e.field}: ${e.message}`);
    expect(summary).toEqual([
      expect.stringMatching(/^lookahead regex: lookaround/),
      expect.stringMatching(/^catastrophic regex: may backtrack catastrophically/),
      'bad-group secretGroup: is 3 but the regex has only 1 capture group(s)',
      expect.stringMatching(/^- rules\[3\]\.id: every rule needs/),
      expect.stringMatching(/^sev severity: must be one of/),
      "dup id: duplicate rule id 'dup'",
    ]);
    expect(r.errors[1]?.line).toBe(4);
  });

  it('rejects bad allowlist values and unknown validators', () => {
    const r = parseConfigText(
      `[[rules]]
id = "a"
regex = "x"
validate = "nope"
[[rules.allowlists]]
condition = "XOR"
regexTarget = "file"
`,
      'a.toml',
    );
    expect(r.errors.map((e) => e.message)).toEqual([
      `must be "OR" or "AND", not 'XOR'`,
      `must be "secret", "match" or "line", not 'file'`,
    ]);
    const v = parseConfigText('[[rules]]\nid = "a"\nregex = "x"\nvalidate = "nope"\n', 'v.toml');
    expect(v.errors[0]?.message).toMatch(/unknown validator 'nope'/);
  });
});

describe('specificity', () => {
  it('keeps only the provider rule when a generic rule matches the same secret', () => {
    const set = ruleSetFrom(`
[[rules]]
id = "generic.api-key"
provider = "generic"
regex = '''(?i)api_?key\\s*=\\s*"([^"]{16,})"'''
keywords = ["apikey", "api_key"]
[[rules]]
id = "acme.key"
provider = "acme"
regex = '''\\b(acme_[a-z0-9]{16})\\b'''
keywords = ["acme_"]
`);
    expect(findText(set, 'API_KEY = "acme_0123456789abcdef"').map((f) => f.ruleId)).toEqual([
      'acme.key',
    ]);
    expect(findText(set, 'API_KEY = "Zq8vW3nR7tY2mK9pL4"').map((f) => f.ruleId)).toEqual([
      'generic.api-key',
    ]);
  });
});

describe('configs read from a git revision', () => {
  it('may not extend files of the work tree, and null means built-ins without searching', async () => {
    const { loadConfig, ConfigError } = await import('../src/config/load.js');
    const { writeFileSync, mkdtempSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dir = mkdtempSync(join(tmpdir(), 'lw-rev-'));
    writeFileSync(
      join(dir, 'leakwatch.toml'),
      '[[rules]]\nid = "worktree"\nregex = "W-[0-9]{4}"\n',
    );
    const text = '[extend]\npath = "leakwatch.toml"\n';
    expect(() =>
      loadConfig({
        cwd: dir,
        env: {},
        repositoryConfigText: { text, source: 'base:leakwatch.toml' },
      }),
    ).toThrow(ConfigError);
    const builtin = loadConfig({ cwd: dir, env: {}, root: '.', repositoryConfigText: null });
    expect(builtin.origin.kind).toBe('builtin');
    expect(builtin.specs.map((s) => s.id)).not.toContain('worktree');
  });
});
