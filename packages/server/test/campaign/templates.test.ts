import { describe, expect, it } from 'vitest';
import {
  contentHash,
  renderNotice,
  templateVersion,
  validateNoticeContent,
} from '../../src/campaign/templates.js';
import { noticeContent } from './helpers.js';

const code = 'ABCD-EFGH-JKMN-PQRS-T';

describe('notice templates', () => {
  it('renders the English notice with every required section, the reference code and no links', () => {
    const notice = renderNotice(noticeContent(), 'en', code);
    expect(notice.subject).toBe('Important notice about your account');
    const headings = notice.text.split('\n').filter((l) => l.startsWith('■ '));
    expect(headings).toEqual([
      '■ What happened',
      '■ What information was involved',
      '■ When',
      '■ What we are doing',
      '■ What you can do',
      '■ For more information',
    ]);
    for (const body of [notice.text, notice.html]) {
      expect(body).toContain(`Your reference code: ${code}`);
      expect(body).toContain('example.org');
      expect(body).not.toMatch(/https?:|<a\b|href/i);
    }
    expect(notice.html).toContain('<html lang="en">');
  });

  it('uses the California "Notice of Data Breach" headings in the statute\u2019s order when asked', () => {
    const notice = renderNotice({ ...noticeContent(), californiaHeadings: true }, 'en', code);
    expect(notice.text).toContain('Notice of Data Breach');
    expect(notice.text.split('\n').filter((l) => l.startsWith('■ '))).toEqual([
      '■ What Happened?',
      '■ What Information Was Involved?',
      '■ What We Are Doing.',
      '■ What You Can Do.',
      '■ For More Information.',
    ]);
    expect(notice.html).toContain(
      '<h2 style="font-size:1.1em">What Information Was Involved?</h2>',
    );
  });

  it('renders Japanese and bilingual notices', () => {
    const ja = renderNotice(noticeContent(), 'ja', code);
    expect(ja.subject).toBe('【重要】お客様情報に関するお知らせ');
    expect(ja.text).toContain(`お客様の参照番号: ${code}`);
    expect(ja.text).toContain('■ 対象となる情報');
    expect(ja.html).toContain('<html lang="ja">');
    const both = renderNotice(noticeContent(), 'ja+en', code);
    expect(both.subject).toBe(
      '【重要】お客様情報に関するお知らせ / Important notice about your account',
    );
    expect(both.text.indexOf('お客様の参照番号')).toBeLessThan(
      both.text.indexOf('Your reference code'),
    );
    expect(both.html).toContain('<div lang="en">');
  });

  it('escapes operator text in HTML and is deterministic', () => {
    const content = noticeContent();
    content.texts.en = {
      ...(content.texts.en as NonNullable<typeof content.texts.en>),
      whatHappened: '<script>alert(1)</script> & more',
    };
    const a = renderNotice(content, 'en', code);
    expect(a.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt; &amp; more');
    expect(a.html).not.toContain('<script>');
    expect(contentHash(renderNotice(content, 'en', code))).toBe(contentHash(a));
    expect(contentHash(renderNotice(content, 'en', 'ZZZZ-ZZZZ-ZZZZ-ZZZZ-Z'))).not.toBe(
      contentHash(a),
    );
  });

  it('versions a template by its content and language', () => {
    const base = templateVersion(noticeContent(), 'en');
    expect(base).toMatch(/^[0-9a-f]{16}$/);
    expect(templateVersion(noticeContent(), 'en')).toBe(base);
    expect(templateVersion(noticeContent(), 'ja')).not.toBe(base);
    expect(templateVersion({ ...noticeContent(), californiaHeadings: true }, 'en')).not.toBe(base);
  });

  it('collects every problem: missing sections, links, multi-line subjects', () => {
    const content = noticeContent();
    const en = content.texts.en as NonNullable<typeof content.texts.en>;
    content.texts.en = {
      ...en,
      whatYouCanDo: 'Reset your password at https://example.org/reset',
      subject: 'two\nlines',
      contact: '',
    };
    expect(validateNoticeContent(content, 'ja+en')).toEqual([
      'texts.en.subject: must be one line',
      'texts.en.whatYouCanDo: contains a link; notices name the official site instead (or set allowLinks)',
      'texts.en.contact: required text',
    ]);
    expect(
      validateNoticeContent({ ...content, allowLinks: true, texts: { en: { ...en } } }, 'en'),
    ).toEqual([]);
    expect(
      validateNoticeContent({ organisation: 'X', officialSite: 'www.x.example', texts: {} }, 'ja'),
    ).toEqual([
      'texts.ja: required for language ja',
      'officialSite: give the site\u2019s name or bare domain, not a URL',
    ]);
  });
});
