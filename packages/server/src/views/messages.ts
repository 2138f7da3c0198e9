/** Every user-facing string of the public pages and the self-check email, per language. */
export const languages = ['en', 'ja'] as const;
export type Language = (typeof languages)[number];

export const isLanguage = (value: unknown): value is Language =>
  languages.includes(value as Language);

export interface Messages {
  languageName: string;
  skipToContent: string;
  siteNav: string;
  home: string;
  homeIntro: string;
  checkTitle: string;
  checkIntro: string;
  emailLabel: string;
  emailHint: string;
  checkSubmit: string;
  checkDoneTitle: string;
  checkDone: string;
  checkDoneNext: string;
  invalidEmail: string;
  verifyTitle: string;
  verifyIntro: string;
  codeLabel: string;
  codeHint: string;
  verifySubmit: string;
  verifyGenuineTitle: string;
  verifyGenuine: (sentAt: string, masked: string) => string;
  verifyRegarding: string;
  verifyNotOursTitle: string;
  verifyNotOurs: string;
  verifyBadFormat: string;
  phishingTitle: string;
  phishingAdvice: string[];
  noticeContact: string;
  noticeVerifyLink: string;
  noticesTitle: string;
  noNotices: string;
  errorTitle: string;
  formExpired: string;
  tooMany: string;
  notFound: string;
  internalError: string;
  errorSummary: string;
  mailSubject: string;
  mailIntro: string;
  mailIncident: string;
  mailNotice: (code: string, sentAt: string) => string;
  mailNoLinks: string;
  formatDate: (iso: string) => string;
}

const en: Messages = {
  languageName: 'English',
  skipToContent: 'Skip to main content',
  siteNav: 'Site',
  home: 'Home',
  homeIntro: 'Information about a security incident and how to check whether it affects you.',
  checkTitle: 'Was my email address affected?',
  checkIntro:
    'Enter your email address. We will send the answer to that address only, so nobody else can use this page to learn who our customers are.',
  emailLabel: 'Email address',
  emailHint: 'For example, name@example.com',
  checkSubmit: 'Send me the answer',
  checkDoneTitle: 'Check your inbox',
  checkDone: 'If this address is in our records, we have sent it a message.',
  checkDoneNext:
    'If nothing arrives within an hour, the address is not in our records, or check your spam folder.',
  invalidEmail: 'Enter an email address in the format name@example.com.',
  verifyTitle: 'Is this notice genuine?',
  verifyIntro: 'Enter the reference code printed in the notice you received.',
  codeLabel: 'Reference code',
  codeHint: 'Five groups of characters, for example 7K2M-9QXA-4T1B-ZR8C-5',
  verifySubmit: 'Check the code',
  verifyGenuineTitle: 'This notice is genuine',
  verifyGenuine: (sentAt, masked) => `We sent a notice with this code on ${sentAt} to ${masked}.`,
  verifyRegarding: 'It concerns:',
  verifyNotOursTitle: 'We did not send a notice with this code',
  verifyNotOurs:
    'This code is not one of ours. The message you received may be a phishing attempt: do not reply to it, do not open its links or attachments, and do not give any personal information.',
  verifyBadFormat:
    'This is not a valid reference code. Check that you typed it exactly as printed.',
  phishingTitle: 'Beware of fake notices',
  phishingAdvice: [
    'Our notices contain no links and no attachments.',
    'We will never ask for your password, card number or any payment.',
    'You can check any notice with its reference code on this site.',
  ],
  noticeContact: 'Contact point',
  noticeVerifyLink: 'Check whether a notice is genuine',
  noticesTitle: 'Notices about incidents',
  noNotices: 'There are no public notices at the moment.',
  errorTitle: 'Something went wrong',
  formExpired: 'The form expired. Please go back, reload the page and try again.',
  tooMany: 'Too many attempts. Please wait a few minutes and try again.',
  notFound: 'This page does not exist.',
  internalError: 'An unexpected error occurred. Please try again later.',
  errorSummary: 'There is a problem',
  mailSubject: 'Your request: was your email address affected?',
  mailIntro:
    'You asked whether this email address was affected by a security incident. It was, in:',
  mailIncident: 'Incident',
  mailNotice: (code, sentAt) => `Notice ${code}, sent ${sentAt}`,
  mailNoLinks:
    'This message contains no links. To check that it is genuine, visit our official site yourself.',
  formatDate: (iso) =>
    new Intl.DateTimeFormat('en-GB', {
      dateStyle: 'long',
      timeStyle: 'short',
      timeZone: 'UTC',
    }).format(new Date(iso)) + ' UTC',
};

const ja: Messages = {
  languageName: '日本語',
  skipToContent: '本文へ移動',
  siteNav: 'サイト',
  home: 'ホーム',
  homeIntro: 'セキュリティインシデントに関するお知らせと、影響の有無の確認方法です。',
  checkTitle: '自分のメールアドレスは影響を受けましたか?',
  checkIntro:
    'メールアドレスを入力してください。結果はそのアドレス宛てにのみお送りします。このページから他の方の情報を知ることはできません。',
  emailLabel: 'メールアドレス',
  emailHint: '例: name@example.com',
  checkSubmit: '結果をメールで受け取る',
  checkDoneTitle: '受信箱をご確認ください',
  checkDone: 'このアドレスが当社の記録にある場合は、そのアドレス宛てにメッセージをお送りしました。',
  checkDoneNext:
    '1時間以内に届かない場合は、記録にないアドレスです。迷惑メールフォルダーもご確認ください。',
  invalidEmail: 'メールアドレスを name@example.com の形式で入力してください。',
  verifyTitle: 'このお知らせは本物ですか?',
  verifyIntro: 'お手元のお知らせに記載された照会番号を入力してください。',
  codeLabel: '照会番号',
  codeHint: '5つの英数字のまとまり。例: 7K2M-9QXA-4T1B-ZR8C-5',
  verifySubmit: '照会番号を確認する',
  verifyGenuineTitle: 'このお知らせは本物です',
  verifyGenuine: (sentAt, masked) =>
    `この照会番号のお知らせは、${sentAt}に ${masked} 宛てに当社が送信したものです。`,
  verifyRegarding: '件名:',
  verifyNotOursTitle: 'この照会番号のお知らせは当社から送信していません',
  verifyNotOurs:
    'この照会番号は当社のものではありません。フィッシングの可能性があります。返信せず、リンクや添付ファイルを開かず、個人情報を入力しないでください。',
  verifyBadFormat: '照会番号の形式が正しくありません。記載どおりに入力されているかご確認ください。',
  phishingTitle: '偽のお知らせにご注意ください',
  phishingAdvice: [
    '当社のお知らせにはリンクや添付ファイルは含まれていません。',
    'パスワード、カード番号、お支払いを求めることは決してありません。',
    'お知らせが本物かどうかは、このサイトで照会番号から確認できます。',
  ],
  noticeContact: 'お問い合わせ窓口',
  noticeVerifyLink: 'お知らせが本物か確認する',
  noticesTitle: 'インシデントに関するお知らせ',
  noNotices: '現在公開中のお知らせはありません。',
  errorTitle: 'エラーが発生しました',
  formExpired:
    'フォームの有効期限が切れました。前のページに戻り、再読み込みしてからもう一度お試しください。',
  tooMany: '試行回数が多すぎます。数分待ってからもう一度お試しください。',
  notFound: 'このページは存在しません。',
  internalError: '予期しないエラーが発生しました。しばらくしてからもう一度お試しください。',
  errorSummary: '入力内容に問題があります',
  mailSubject: 'お問い合わせの結果: メールアドレスの影響について',
  mailIntro:
    'このメールアドレスがセキュリティインシデントの影響を受けたかどうかのお問い合わせをいただきました。以下のインシデントで影響を受けています:',
  mailIncident: 'インシデント',
  mailNotice: (code, sentAt) => `お知らせ ${code}(${sentAt} 送信)`,
  mailNoLinks:
    'このメールにはリンクは含まれていません。本物かどうかは、当社の公式サイトをご自身で開いてご確認ください。',
  formatDate: (iso) =>
    new Intl.DateTimeFormat('ja-JP', {
      dateStyle: 'long',
      timeStyle: 'short',
      timeZone: 'UTC',
    }).format(new Date(iso)) + ' (UTC)',
};

export const messages: Record<Language, Messages> = { en, ja };
