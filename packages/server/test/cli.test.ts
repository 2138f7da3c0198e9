import iconv from 'iconv-lite';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { run } from '../src/cli/run.js';
import { hashEmail, openEmail } from '../src/crypto/email.js';
import { parseKeyring } from '../src/crypto/keys.js';
import { startServer } from '../src/main.js';
import { openStore } from '../src/store/open-store.js';
import { sampleReport } from './helpers/fixtures.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'lw-cli-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const cli = async (...argv: string[]) => {
  let stdout = '';
  let stderr = '';
  const code = await run(argv, {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
    env: { LEAKWATCH_ACTOR: 'tester' },
    cwd: dir,
  });
  return { code, stdout, stderr };
};

describe('leakwatch-server CLI', () => {
  it('prints usage and rejects unknown commands and flags with exit code 2', async () => {
    expect((await cli()).code).toBe(2);
    expect((await cli('--help')).stdout).toContain('leakwatch-server <command>');
    expect(await cli('frobnicate')).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('LW_USAGE'),
    });
    expect(await cli('incident', 'list', '--bogus')).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('LW_USAGE'),
    });
  });

  it('creates keys on first use, imports a report and people, and shows the timeline', async () => {
    writeFileSync(join(dir, 'report.json'), JSON.stringify(sampleReport()));
    const imported = await cli('incident', 'import', 'report.json', '--json');
    expect(imported.code).toBe(0);
    expect(imported.stderr).toContain('generated new keys');
    expect(statSync(join(dir, 'leakwatch-data/keys.json')).mode & 0o777).toBe(0o600);
    const id = JSON.parse(imported.stdout).created[0] as string;
    expect((await cli('incident', 'import', 'report.json')).stdout).toBe(
      '0 incident(s) created, 1 already known\n',
    );

    writeFileSync(
      join(dir, 'people.csv'),
      iconv.encode('会員番号,メール\n1,taro@example.jp\n2,bad\n', 'cp932'),
    );
    const people = await cli(
      'people',
      'import',
      id,
      'people.csv',
      '--encoding',
      'shift_jis',
      '--email',
      'メール',
      '--id',
      '会員番号',
    );
    expect(people).toMatchObject({
      code: 1,
      stderr: 'line 3: column メール: not a valid email address\n',
    });
    expect(people.stdout).toContain('1 imported');
    const strict = await cli(
      'people',
      'import',
      id,
      'people.csv',
      '--encoding',
      'shift_jis',
      '--email',
      'メール',
      '--strict',
    );
    expect(strict.code).toBe(2);
    expect(strict.stderr).toContain('LW_IMPORT_INVALID');

    expect(
      (
        await cli(
          'incident',
          'set',
          id,
          '--aware-at',
          '2026-11-25T00:00:00Z',
          '--jurisdiction',
          'gdpr',
        )
      ).code,
    ).toBe(0);
    expect((await cli('incident', 'contain', id, '--how', 'revoked')).stdout).toBe(
      `${id} contained\n`,
    );
    writeFileSync(
      join(dir, 'notice.txt'),
      '設定の誤りにより公開されていました。\n\n対策済みです。',
    );
    const published = await cli(
      'incident',
      'set',
      id,
      '--public-title',
      '個人情報の流出について',
      '--public-text-file',
      'notice.txt',
      '--contact',
      '0120-000-000',
    );
    expect(published.code).toBe(0);
    expect(JSON.parse((await cli('incident', 'show', id)).stdout)).toMatchObject({
      publicTitle: '個人情報の流出について',
      publicText: '設定の誤りにより公開されていました。\n\n対策済みです。',
      contactChannel: '0120-000-000',
    });
    const timeline = await cli('incident', 'timeline', id);
    expect(
      timeline.stdout
        .split('\n')
        .filter(Boolean)
        .map((l) => l.split('  ').slice(1, 3).join(' ')),
    ).toEqual([
      'cli:tester incident.created',
      'cli:tester report.reimported',
      'cli:tester people.imported',
      'cli:tester incident.updated',
      'cli:tester incident.contained',
      'cli:tester incident.updated',
    ]);
    expect(timeline.stdout).not.toContain('taro');
    const md = await cli('incident', 'report', id, '--format', 'markdown');
    expect(md.stdout).toContain(
      '| gdpr | Notify the supervisory authority (Art. 33) | 2026-11-28T00:00:00.000Z |',
    );
    expect((await cli('incident', 'show', 'nope')).code).toBe(2);

    writeFileSync(
      join(dir, 'law.json'),
      JSON.stringify([
        {
          id: 'ccpa',
          name: 'California',
          obligations: [{ id: 'ag', label: 'Notify the AG', hours: 360 }],
        },
      ]),
    );
    expect((await cli('incident', 'set', id, '--jurisdiction', 'ccpa')).code).toBe(2);
    expect(
      (
        await cli(
          'incident',
          'set',
          id,
          '--jurisdiction',
          'gdpr,ccpa',
          '--jurisdictions',
          'law.json',
        )
      ).code,
    ).toBe(0);
    const shown = JSON.parse(
      (await cli('incident', 'show', id, '--jurisdictions', 'law.json')).stdout,
    );
    expect(
      shown.deadlines.map((d: { obligation: string; dueAt: string }) => [d.obligation, d.dueAt]),
    ).toEqual([
      ['authority', '2026-11-28T00:00:00.000Z'],
      ['ag', '2026-12-10T00:00:00.000Z'],
    ]);
  });

  it('re-encrypts every address on keys rotate and purges closed incidents', async () => {
    writeFileSync(join(dir, 'report.json'), JSON.stringify(sampleReport()));
    const id = JSON.parse((await cli('incident', 'import', 'report.json', '--json')).stdout)
      .created[0] as string;
    writeFileSync(join(dir, 'p.jsonl'), '{"email":"a@example.com"}\n{"email":"b@example.com"}\n');
    expect((await cli('people', 'import', id, 'p.jsonl')).code).toBe(0);
    const keyFile = join(dir, 'leakwatch-data/keys.json');
    const before = parseKeyring(readFileSync(keyFile, 'utf8'));
    expect((await cli('keys', 'rotate')).stdout).toContain('re-encrypted 2 address(es)');
    const after = parseKeyring(readFileSync(keyFile, 'utf8'));
    expect(after.currentKeyId).not.toBe(before.currentKeyId);
    expect(after.hmacKey.equals(before.hmacKey)).toBe(true);

    const opened = await openStore(join(dir, 'leakwatch-data/leakwatch.sqlite'));
    try {
      const personId = (await opened.store.findPersonByEmailHash(
        hashEmail(after, 'a@example.com'),
      )) as string;
      const [email] = await opened.store.emailsOfPerson(personId);
      expect(email?.keyId).toBe(after.currentKeyId);
      expect(openEmail(after, { keyId: email!.keyId, value: email!.sealed })).toBe('a@example.com');
    } finally {
      await opened.close();
    }

    expect((await cli('incident', 'close', id, '--reason', 'resolved')).code).toBe(0);
    expect((await cli('purge', '--older-than-days', '0')).stdout).toBe(
      "purged people's data of 1 closed incident(s)\n",
    );
    expect(JSON.parse((await cli('incident', 'show', id)).stdout)).toMatchObject({
      affectedCount: 2,
      purgedAt: expect.any(String),
    });
  });

  it('creates a token that the API accepts', async () => {
    const created = await cli('token', 'create', '--name', 'first admin');
    expect(created.code).toBe(0);
    expect(created.stdout).toMatch(/^lwt_[A-Za-z0-9_-]{43}\n$/);
    const server = await startServer(['--data-dir', 'leakwatch-data', '--port', '0'], {
      stdout: { write: () => true },
      stderr: { write: () => true },
      env: {},
      cwd: dir,
    });
    try {
      const res = await fetch(`${server.url}/api/v1/incidents`, {
        headers: { authorization: `Bearer ${created.stdout.trim()}` },
      });
      expect(res.status).toBe(200);
    } finally {
      await server.close();
    }
  });

  it('serves with no flags from a fresh directory', async () => {
    let stderr = '';
    const server = await startServer(['--port', '0'], {
      stdout: { write: () => true },
      stderr: { write: (s: string) => (stderr += s) },
      env: {},
      cwd: dir,
    });
    try {
      expect(stderr).toContain('generated new keys');
      expect(stderr).toMatch(/listening on http:\/\/127\.0\.0\.1:\d+/);
      expect(stderr).toContain('no API token yet');
      expect(existsSync(join(dir, 'leakwatch-data/leakwatch.sqlite'))).toBe(true);
      expect(statSync(join(dir, 'leakwatch-data')).mode & 0o777).toBe(0o700);
      const res = await fetch(`${server.url}/en/check`);
      expect(res.status).toBe(200);
      expect(await res.text()).toContain('Was my email address affected?');
    } finally {
      await server.close();
    }
  });
});
