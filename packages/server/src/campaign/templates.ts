import { createHash } from 'node:crypto';
import { LwError } from '../errors.js';
import { html, type Safe } from '../views/html.js';

/**
 * Notice templates. The operator writes the facts (per language); the layout around them is fixed
 * here so that every notice carries what breach-notification laws ask for (what happened, which
 * data, when, what we did, what the person should do, whom to contact) in the same order, and so
 * that the phishing-resistance rules hold: no links, no attachments, a reference code and the
 * official site's name instead of a URL.
 */
export const noticeLanguages = ['ja', 'en'] as const;
export type NoticeLanguage = (typeof noticeLanguages)[number];
/** `ja+en`: one bilingual message, Japanese first (common for notices in Japan). */
export type CampaignLanguage = NoticeLanguage | 'ja+en';
export const campaignLanguages: CampaignLanguage[] = ['ja', 'en', 'ja+en'];
/**
 * A campaign's language setting: one language for everyone, or `auto`: each person's preferred
 * language from the people import, the campaign's default language for people without one.
 */
export type CampaignLanguageMode = CampaignLanguage | 'auto';
export const campaignLanguageModes: CampaignLanguageMode[] = [...campaignLanguages, 'auto'];

export interface NoticeText {
  subject: string;
  whatHappened: string;
  dataInvolved: string;
  when: string;
  whatWeAreDoing: string;
  whatYouCanDo: string;
  contact: string;
  otherInformation?: string;
}

export interface NoticeContent {
  organisation: string;
  /** Named in the notice ("enter your code on the verification page of …"), never linked. */
  officialSite: string;
  texts: Partial<Record<NoticeLanguage, NoticeText>>;
  /** California Civil Code §1798.82(d)(1) headings for the English text. */
  californiaHeadings?: boolean;
  /** Off by default: a notice that links nowhere cannot teach people to click notice links. */
  allowLinks?: boolean;
}

export interface RenderedNotice {
  subject: string;
  text: string;
  html: string;
}

/** Bumped whenever the layout below changes, so evidence records which layout produced a notice. */
const layoutRevision = 1;

const textFields: (keyof NoticeText)[] = [
  'subject',
  'whatHappened',
  'dataInvolved',
  'when',
  'whatWeAreDoing',
  'whatYouCanDo',
  'contact',
  'otherInformation',
];
const linkPattern = /\b(?:https?:\/\/|www\.)|<\s*a\b|\bhref\s*=/i;

const languagesOf = (language: CampaignLanguageMode): NoticeLanguage[] =>
  language === 'ja+en' || language === 'auto' ? ['ja', 'en'] : [language];

/** Every problem with `value` as notice content for `language`, collected (empty when valid). */
export const validateNoticeContent = (value: unknown, language: CampaignLanguageMode): string[] => {
  const errors: string[] = [];
  if (typeof value !== 'object' || value === null) return ['the template must be a JSON object'];
  const content = value as Record<string, unknown>;
  for (const field of ['organisation', 'officialSite']) {
    if (typeof content[field] !== 'string' || (content[field] as string).trim() === '')
      errors.push(`${field}: required text`);
  }
  const texts = (content.texts ?? {}) as Record<string, unknown>;
  const allowLinks = content.allowLinks === true;
  for (const lang of languagesOf(language)) {
    const text = texts[lang] as Record<string, unknown> | undefined;
    if (typeof text !== 'object' || text === null) {
      errors.push(`texts.${lang}: required for language ${language}`);
      continue;
    }
    for (const field of textFields) {
      const v = text[field];
      if (v === undefined && field === 'otherInformation') continue;
      if (typeof v !== 'string' || v.trim() === '') {
        errors.push(`texts.${lang}.${field}: required text`);
        continue;
      }
      if (field === 'subject' && /[\r\n]/.test(v))
        errors.push(`texts.${lang}.subject: must be one line`);
      if (!allowLinks && linkPattern.test(v)) {
        errors.push(
          `texts.${lang}.${field}: contains a link; notices name the official site instead (or set allowLinks)`,
        );
      }
    }
  }
  if (
    !allowLinks &&
    typeof content.officialSite === 'string' &&
    linkPattern.test(content.officialSite)
  ) {
    errors.push('officialSite: give the site\u2019s name or bare domain, not a URL');
  }
  return errors;
};

export const parseNoticeContent = (
  value: unknown,
  language: CampaignLanguageMode,
): NoticeContent => {
  const errors = validateNoticeContent(value, language);
  if (errors.length > 0)
    throw new LwError('LW_VALIDATION', `invalid notice template: ${errors.join('; ')}`, { errors });
  return value as NoticeContent;
};

const sha256 = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

/**
 * Identifies the exact template (content, language, layout) that an approval and a notice refer
 * to. In `auto` mode, `language` is `auto/<default language>`: changing the default is a new version.
 */
export const templateVersion = (
  content: NoticeContent,
  language: CampaignLanguageMode | `auto/${CampaignLanguage}`,
): string => sha256(JSON.stringify([layoutRevision, language, canonical(content)])).slice(0, 16);

const canonical = (value: unknown): unknown => {
  if (Array.isArray(value)) return value.map(canonical);
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, canonical((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
};

/** Hash of exactly what a person received (subject, text and HTML body), kept as evidence. */
export const contentHash = (notice: RenderedNotice): string =>
  sha256(`${notice.subject}\u0000${notice.text}\u0000${notice.html}`);

interface Section {
  heading: string;
  body: string;
}

interface Labels {
  title: string;
  sections: (t: NoticeText) => Section[];
  code: (code: string) => string;
  genuine: (site: string) => string;
  safety: string;
}

const labels = (lang: NoticeLanguage, california: boolean): Labels => {
  if (lang === 'ja') {
    return {
      title: '個人情報に関する重要なお知らせ',
      sections: (t) => [
        { heading: '発生した事象', body: t.whatHappened },
        { heading: '対象となる情報', body: t.dataInvolved },
        { heading: '発生期間', body: t.when },
        { heading: '当社の対応', body: t.whatWeAreDoing },
        { heading: 'お客様へのお願い', body: t.whatYouCanDo },
        ...(t.otherInformation ? [{ heading: 'その他の情報', body: t.otherInformation }] : []),
        { heading: 'お問い合わせ先', body: t.contact },
      ],
      code: (code) => `お客様の参照番号: ${code}`,
      genuine: (site) =>
        `このお知らせが当社からのものであることは、${site} の「通知の確認」ページで上記の参照番号を入力してご確認いただけます。アドレスはご自身で入力してください。`,
      safety:
        'このメールにはリンクや添付ファイルは含まれていません。当社がメールでパスワードやカード番号をお尋ねすることはありません。',
    };
  }
  const shared = {
    code: (code: string) => `Your reference code: ${code}`,
    genuine: (site: string) =>
      `To confirm that this notice comes from us, enter the reference code above on the "Is this notice genuine?" page of ${site}. Type the address yourself.`,
    safety:
      'This message contains no links or attachments. We will never ask for your password or card number by email.',
  };
  if (california) {
    // The headings of California Civil Code §1798.82(d)(1), in the statute's order; the date of
    // the breach belongs under "What Happened?".
    return {
      ...shared,
      title: 'Notice of Data Breach',
      sections: (t) => [
        { heading: 'What Happened?', body: `${t.whatHappened}\n\n${t.when}` },
        { heading: 'What Information Was Involved?', body: t.dataInvolved },
        { heading: 'What We Are Doing.', body: t.whatWeAreDoing },
        { heading: 'What You Can Do.', body: t.whatYouCanDo },
        ...(t.otherInformation
          ? [{ heading: 'Other Important Information.', body: t.otherInformation }]
          : []),
        { heading: 'For More Information.', body: t.contact },
      ],
    };
  }
  return {
    ...shared,
    title: 'Important notice about your personal information',
    sections: (t) => [
      { heading: 'What happened', body: t.whatHappened },
      { heading: 'What information was involved', body: t.dataInvolved },
      { heading: 'When', body: t.when },
      { heading: 'What we are doing', body: t.whatWeAreDoing },
      { heading: 'What you can do', body: t.whatYouCanDo },
      ...(t.otherInformation
        ? [{ heading: 'Other important information', body: t.otherInformation }]
        : []),
      { heading: 'For more information', body: t.contact },
    ],
  };
};

const paragraphs = (body: string): Safe[] =>
  body
    .trim()
    .split(/\n\s*\n/)
    .map(
      (p) =>
        html`<p>${p.split('\n').map((line, i) => (i === 0 ? line : [html`<br />`, line]))}</p>`,
    );

/**
 * Renders one person's notice. Deterministic: the same content, language and reference code give
 * the same bytes, so a message resent after a crash is the same message.
 */
export const renderNotice = (
  content: NoticeContent,
  language: CampaignLanguage,
  referenceCode: string,
): RenderedNotice => {
  const parts = languagesOf(language).map((lang) => {
    const text = content.texts[lang];
    if (!text) throw new LwError('LW_VALIDATION', `the template has no ${lang} text`);
    return { lang, text, l: labels(lang, lang === 'en' && content.californiaHeadings === true) };
  });
  const subject = parts.map((p) => p.text.subject.trim()).join(' / ');
  const textBody = parts
    .map(({ text, l }) =>
      [
        content.organisation,
        l.title,
        '',
        ...l.sections(text).flatMap((s) => [`■ ${s.heading}`, s.body.trim(), '']),
        l.code(referenceCode),
        l.genuine(content.officialSite),
        l.safety,
      ].join('\n'),
    )
    .join('\n\n----------------------------------------\n\n');
  const body = parts.map(
    ({ lang, text, l }) =>
      html`<div lang="${lang}">
        <p>${content.organisation}</p>
        <h1 style="font-size:1.3em">${l.title}</h1>
        ${l.sections(text).map(
          (s) =>
            html`<h2 style="font-size:1.1em">${s.heading}</h2>
              ${paragraphs(s.body)} `,
        )}
        <p><strong>${l.code(referenceCode)}</strong></p>
        <p>${l.genuine(content.officialSite)}</p>
        <p>${l.safety}</p>
      </div> `,
  );
  const primary = parts[0]?.lang ?? 'en';
  const htmlBody = html`<!DOCTYPE html>
    <html lang="${primary}">
      <head>
        <meta charset="utf-8" />
        <title>${subject}</title>
      </head>
      <body style="font-family:sans-serif;line-height:1.6;max-width:40em">
        ${parts.length > 1 ? body.flatMap((b, i) => (i === 0 ? [b] : [html`<hr />`, b])) : body}
      </body>
    </html> `.value;
  return { subject, text: textBody + '\n', html: htmlBody };
};

/** A sample template for `campaign init-template`, to be rewritten with the incident's facts. */
export const sampleNoticeContent = (organisation: string, officialSite: string): NoticeContent => ({
  organisation,
  officialSite,
  californiaHeadings: false,
  texts: {
    ja: {
      subject: `【重要】${organisation} お客様情報の流出に関するお知らせ`,
      whatHappened: '（何が起きたかを記載してください）',
      dataInvolved: '（流出した可能性のある情報の項目を記載してください）',
      when: '（期間を記載してください）',
      whatWeAreDoing: '（当社の対応を記載してください）',
      whatYouCanDo: '（お客様にお願いしたいことを記載してください）',
      contact: '（問い合わせ窓口と受付時間を記載してください）',
    },
    en: {
      subject: `${organisation}: important notice about your personal information`,
      whatHappened: '(Describe what happened.)',
      dataInvolved: '(List the kinds of personal information involved.)',
      when: '(Give the period during which the information was exposed.)',
      whatWeAreDoing: '(Describe what the organisation has done.)',
      whatYouCanDo: '(Say what the person should do.)',
      contact: '(Give the contact point and its hours.)',
    },
  },
});
