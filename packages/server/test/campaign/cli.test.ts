import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { run } from '../../src/cli/run.js';
import { sampleReport } from '../helpers/fixtures.js';
import { noticeContent, startReceiver } from './helpers.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'lw-campaign-cli-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const cli = async (actor: string, ...argv: string[]) => {
  let stdout = '';
  let stderr = '';
  const code = await run(argv, {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
    env: { LEAKWATCH_ACTOR: actor, LEAKWATCH_MAIL_FROM: 'security@example.org' },
    cwd: dir,
  });
  return { code, stdout, stderr };
};

describe('leakwatch-server campaign', () => {
  it('runs a campaign end to end: template, approval by a second operator, preview, dry run, test, start, status, exports', async () => {
    const receiver = await startReceiver({
      rcpt: (address) =>
        address === 'gone@example.net' ? { code: 550, message: '5.1.1 User unknown' } : undefined,
    });
    try {
      writeFileSync(join(dir, 'report.json'), JSON.stringify(sampleReport()));
      const incidentId = JSON.parse(
        (await cli('alice', 'incident', 'import', 'report.json', '--json')).stdout,
      ).created[0] as string;
      writeFileSync(
        join(dir, 'people.csv'),
        'id,email\n1,taro@example.jp\n2,hanako@example.jp\n3,gone@example.net\n',
      );
      expect(
        (await cli('alice', 'people', 'import', incidentId, 'people.csv', '--id', 'id')).code,
      ).toBe(0);

      const init = await cli(
        'alice',
        'campaign',
        'init-template',
        '--organisation',
        'Example Corp',
        '--official-site',
        'example.org',
      );
      expect(JSON.parse(init.stdout)).toMatchObject({
        organisation: 'Example Corp',
        texts: { ja: {}, en: {} },
      });
      writeFileSync(join(dir, 'notice.json'), JSON.stringify(noticeContent()));
      const created = await cli(
        'alice',
        'campaign',
        'create',
        incidentId,
        '--template',
        'notice.json',
        '--language',
        'ja+en',
        '--rate',
        '500',
      );
      expect(created.code).toBe(0);
      const id = created.stdout.trim();

      expect(await cli('alice', 'campaign', 'start', id, '--detach')).toMatchObject({
        code: 1,
        stderr: expect.stringContaining('LW_INVALID_TRANSITION'),
      });
      expect(await cli('alice', 'campaign', 'approve', id)).toMatchObject({
        code: 1,
        stderr: expect.stringContaining('LW_FORBIDDEN'),
      });
      expect((await cli('bob', 'campaign', 'approve', id)).stdout).toMatch(
        /approved \(template [0-9a-f]{16}\)/,
      );

      const preview = await cli('carol', 'campaign', 'preview', id, '--email', 'Taro@Example.jp');
      expect(preview.code).toBe(0);
      expect(preview.stdout).toContain(
        'Subject: 【重要】お客様情報に関するお知らせ / Important notice about your account',
      );
      expect(preview.stdout).toContain('XXXX-XXXX-XXXX-XXXX-X');

      const dry = await cli('carol', 'campaign', 'dry-run', id, '--json');
      expect(JSON.parse(dry.stdout)).toMatchObject({
        people: 3,
        rendered: 3,
        undecryptable: 0,
        domains: [
          { domain: 'example.jp', people: 2 },
          { domain: 'example.net', people: 1 },
        ],
      });

      const smtp = `smtp://127.0.0.1:${receiver.port}?tls=off`;
      expect(
        (await cli('carol', 'campaign', 'test', id, '--to', 'ops@example.org', '--smtp', smtp))
          .stdout,
      ).toBe('sent 1 test message(s)\n');
      expect(receiver.received.map((m) => [m.to, m.subject])).toEqual([
        [
          'ops@example.org',
          '[TEST] 【重要】お客様情報に関するお知らせ / Important notice about your account',
        ],
      ]);
      receiver.received.length = 0;

      const start = await cli('alice', 'campaign', 'start', id, '--smtp', smtp, '--poll-ms', '20');
      expect(start.code).toBe(0);
      expect(start.stderr).toContain(`campaign ${id}: 3 notice(s) in the outbox`);
      expect(receiver.received.map((m) => m.to).sort()).toEqual([
        'hanako@example.jp',
        'taro@example.jp',
      ]);

      const status = await cli('carol', 'campaign', 'status', id, '--json');
      expect(JSON.parse(status.stdout)).toMatchObject({
        state: 'completed',
        total: 3,
        sent: 2,
        failed: 1,
        pending: 0,
      });
      expect((await cli('carol', 'campaign', 'status', id)).stdout).toMatch(
        /^100\.0% {2}completed {2}sent 2\/3 {2}failed 1 /,
      );

      expect((await cli('carol', 'campaign', 'unreachable', id, '--out', 'postal.csv')).code).toBe(
        0,
      );
      const csv = readFileSync(join(dir, 'postal.csv'), 'utf8').trim().split('\n');
      expect(csv).toHaveLength(2);
      expect(csv[1]).toMatch(/,gone@example\.net,[0-9A-Z-]{21},rejected \(permanent\),550 /);

      const evidence = (await cli('carol', 'campaign', 'evidence', id)).stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(evidence).toHaveLength(3);
      for (const e of evidence) {
        expect(e).toMatchObject({
          templateVersion: expect.stringMatching(/^[0-9a-f]{16}$/),
          contentHash: expect.stringMatching(/^[0-9a-f]{64}$/),
        });
        expect(JSON.stringify(e)).not.toMatch(/taro|hanako|gone@/);
      }

      const after = await cli('carol', 'campaign', 'preview', id, '--email', 'taro@example.jp');
      const code = /Your reference code: (\S+)/.exec(after.stdout)?.[1];
      expect(receiver.received.find((m) => m.to === 'taro@example.jp')?.text).toContain(code);

      expect(await cli('carol', 'campaign', 'pause', id)).toMatchObject({
        code: 1,
        stderr: expect.stringContaining('is completed'),
      });
      const timeline = (await cli('carol', 'incident', 'timeline', incidentId, '--json')).stdout;
      expect(
        (JSON.parse(timeline) as { action: string }[])
          .map((e) => e.action)
          .filter((a) => a.startsWith('campaign.')),
      ).toEqual([
        'campaign.created',
        'campaign.approved',
        'campaign.dry-run',
        'campaign.test-sent',
        'campaign.started',
        'campaign.completed',
      ]);
    } finally {
      await receiver.close();
    }
  });

  it('pauses and resumes: a paused campaign sends nothing until resumed', async () => {
    const receiver = await startReceiver();
    try {
      writeFileSync(join(dir, 'report.json'), JSON.stringify(sampleReport()));
      const incidentId = JSON.parse(
        (await cli('alice', 'incident', 'import', 'report.json', '--json')).stdout,
      ).created[0] as string;
      writeFileSync(
        join(dir, 'people.csv'),
        'email\n' + Array.from({ length: 5 }, (_, i) => `p${i}@example.com`).join('\n') + '\n',
      );
      await cli('alice', 'people', 'import', incidentId, 'people.csv');
      writeFileSync(join(dir, 'notice.json'), JSON.stringify(noticeContent()));
      const id = (
        await cli(
          'alice',
          'campaign',
          'create',
          incidentId,
          '--template',
          'notice.json',
          '--language',
          'en',
        )
      ).stdout.trim();
      await cli('bob', 'campaign', 'approve', id);
      expect((await cli('alice', 'campaign', 'start', id, '--detach')).code).toBe(0);
      expect((await cli('alice', 'campaign', 'pause', id)).stdout).toBe(`${id} paused\n`);
      const smtp = `smtp://127.0.0.1:${receiver.port}?tls=off`;
      const idle = await cli('alice', 'campaign', 'work', id, '--smtp', smtp, '--json');
      expect(JSON.parse(idle.stdout)).toMatchObject({ sent: 0, exit: 'paused' });
      expect(receiver.received).toHaveLength(0);
      expect(
        (await cli('alice', 'campaign', 'resume', id, '--smtp', smtp, '--poll-ms', '20')).code,
      ).toBe(0);
      expect(receiver.received).toHaveLength(5);
      expect(
        JSON.parse((await cli('alice', 'campaign', 'status', id, '--json')).stdout),
      ).toMatchObject({ state: 'completed', sent: 5 });
    } finally {
      await receiver.close();
    }
  });

  it('imports preferred languages and creates an auto-language campaign', async () => {
    writeFileSync(join(dir, 'report.json'), JSON.stringify(sampleReport()));
    const incidentId = JSON.parse(
      (await cli('alice', 'incident', 'import', 'report.json', '--json')).stdout,
    ).created[0] as string;
    writeFileSync(
      join(dir, 'people.csv'),
      'email,locale\ntaro@example.jp,ja_JP\nann@example.com,en-GB\nx@example.net,klingon\n',
    );
    const imported = await cli(
      'alice',
      'people',
      'import',
      incidentId,
      'people.csv',
      '--language',
      'locale',
    );
    expect(imported).toMatchObject({
      code: 0,
      stderr: expect.stringContaining('warning: 1 row(s) with no recognised language'),
    });
    writeFileSync(join(dir, 'notice.json'), JSON.stringify(noticeContent()));
    const create = (...extra: string[]) =>
      cli('alice', 'campaign', 'create', incidentId, '--template', 'notice.json', ...extra);
    expect(await create('--language', 'en', '--default-language', 'ja')).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('--default-language goes with --language auto'),
    });
    const created = await create('--language', 'auto', '--default-language', 'ja');
    expect(created.code).toBe(0);
    const id = created.stdout.trim();
    const subjectOf = async (email: string) =>
      (await cli('carol', 'campaign', 'preview', id, '--email', email)).stdout.split('\n')[0];
    expect(await subjectOf('taro@example.jp')).toBe('Subject: 【重要】お客様情報に関するお知らせ');
    expect(await subjectOf('ann@example.com')).toBe('Subject: Important notice about your account');
    // No recognised preference: the campaign's default language.
    expect(await subjectOf('x@example.net')).toBe('Subject: 【重要】お客様情報に関するお知らせ');
  });
});
