import type { Incident } from '../incidents/types.js';
import type { Notice } from '../store/store.js';
import { html, type Safe } from './html.js';
import { languages, messages, type Language } from './messages.js';

/**
 * The contact-centre lookup page for operators: a form, and for the address entered whether the
 * person is affected, in which incidents, and which notices were sent to them when. No JavaScript.
 */
interface LookupMessages {
  title: string;
  intro: string;
  emailLabel: string;
  emailHint: string;
  submit: string;
  invalidEmail: string;
  resultTitle: string;
  affected: string;
  affectedYes: string;
  affectedNo: string;
  incidentsCaption: string;
  incidentColumn: string;
  publicTitleColumn: string;
  statusColumn: string;
  noIncidents: string;
  noticesCaption: string;
  sentColumn: string;
  codeColumn: string;
  channelColumn: string;
  notSent: string;
  noNotices: string;
  audited: string;
  errorTitle: string;
  errors: Record<'unauthenticated' | 'forbidden' | 'csrf' | 'other', string>;
}

const en: LookupMessages = {
  title: 'Contact-centre lookup',
  intro:
    'Look up a caller’s email address to see whether they are affected and what was sent to them. Every lookup is recorded in the access log.',
  emailLabel: 'Caller’s email address',
  emailHint: 'As the caller spells it, for example name@example.com',
  submit: 'Look up',
  invalidEmail: 'Enter an email address in the format name@example.com.',
  resultTitle: 'Result',
  affected: 'Affected',
  affectedYes: 'Yes',
  affectedNo: 'No: this address is not in the records of any incident',
  incidentsCaption: 'Incidents',
  incidentColumn: 'Incident',
  publicTitleColumn: 'Public title',
  statusColumn: 'Status',
  noIncidents: 'No incidents.',
  noticesCaption: 'Notices sent to this person',
  sentColumn: 'Sent',
  codeColumn: 'Reference code',
  channelColumn: 'Channel',
  notSent: 'not sent yet',
  noNotices: 'No notices.',
  audited: 'This lookup was recorded in the access log.',
  errorTitle: 'Lookup not possible',
  errors: {
    unauthenticated: 'Send an operator token (Authorization: Bearer …) to use this page.',
    forbidden: 'Your token may not use this page.',
    csrf: 'The form expired. Reload the page and try again.',
    other: 'An unexpected error occurred. Please try again later.',
  },
};

const ja: LookupMessages = {
  title: 'お問い合わせ窓口向け照会',
  intro:
    'お問い合わせいただいた方のメールアドレスから、影響の有無と送付済みのお知らせを確認します。すべての照会はアクセスログに記録されます。',
  emailLabel: 'お問い合わせ者のメールアドレス',
  emailHint: 'お問い合わせ者のおっしゃるとおりに入力。例: name@example.com',
  submit: '照会する',
  invalidEmail: 'メールアドレスを name@example.com の形式で入力してください。',
  resultTitle: '照会結果',
  affected: '影響',
  affectedYes: 'あり',
  affectedNo: 'なし: このアドレスはどのインシデントの記録にもありません',
  incidentsCaption: 'インシデント',
  incidentColumn: 'インシデント',
  publicTitleColumn: '公開タイトル',
  statusColumn: '状態',
  noIncidents: 'インシデントはありません。',
  noticesCaption: 'この方に送付したお知らせ',
  sentColumn: '送信日時',
  codeColumn: '照会番号',
  channelColumn: '送付方法',
  notSent: '未送信',
  noNotices: 'お知らせはありません。',
  audited: 'この照会はアクセスログに記録されました。',
  errorTitle: '照会できません',
  errors: {
    unauthenticated:
      'このページを使うにはオペレーター用トークン(Authorization: Bearer …)を送ってください。',
    forbidden: 'このトークンではこのページを使えません。',
    csrf: 'フォームの有効期限が切れました。ページを再読み込みしてもう一度お試しください。',
    other: '予期しないエラーが発生しました。しばらくしてからもう一度お試しください。',
  },
};

export const lookupMessages: Record<Language, LookupMessages> = { en, ja };

export const operatorLookupPath = (lang: Language): string => `/${lang}/operator/lookup`;

const styles = `
*{box-sizing:border-box}
body{margin:0;font-family:system-ui,"Noto Sans CJK JP","Noto Sans JP",sans-serif;line-height:1.6;color:#1b1b1b;background:#fff}
a{color:#0b4f9c}a:focus-visible,button:focus-visible,input:focus-visible{outline:3px solid #b35900;outline-offset:2px}
.skip{position:absolute;left:-10000px}.skip:focus{left:1rem;top:1rem;background:#fff;padding:.5rem;z-index:1}
header,main{max-width:60rem;margin:0 auto;padding:1rem}header{border-bottom:4px solid #0b4f9c}
label{display:block;font-weight:700}.hint{color:#4a4a4a;margin:.25rem 0}
input{font:inherit;padding:.5rem;width:100%;max-width:30rem;border:2px solid #1b1b1b;border-radius:4px}
button{font:inherit;margin-top:1rem;padding:.6rem 1.2rem;color:#fff;background:#0b4f9c;border:0;border-radius:4px;cursor:pointer}
.error{color:#a4000f;font-weight:700}.summary{border:4px solid #a4000f;padding:1rem}
table{border-collapse:collapse;margin:1rem 0}th,td{text-align:left;padding:.3rem .8rem;border-bottom:1px solid #767676}
caption{text-align:left;font-weight:700}
`;

const operatorLayout = (lang: Language, title: string, body: Safe): string => {
  const other = languages.filter((l) => l !== lang);
  return (
    '<!doctype html>\n' +
    html`<html lang="${lang}">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="referrer" content="no-referrer" />
        <meta name="robots" content="noindex" />
        <title>${title}</title>
        <style>
          ${styles}
        </style>
      </head>
      <body>
        <a class="skip" href="#main">${messages[lang].skipToContent}</a>
        <header>
          <nav aria-label="${messages[lang].siteNav}">
            <ul>
              ${other.map((l) => html`<li><a href="${operatorLookupPath(l)}" lang="${l}" hreflang="${l}">${messages[l].languageName}</a></li>`)}
            </ul>
          </nav>
        </header>
        <main id="main" tabindex="-1">${body}</main>
      </body>
    </html> `.value
  );
};

const lookupForm = (lang: Language, csrf: string, error: string | null): Safe => {
  const t = lookupMessages[lang];
  return html`<form method="post" action="${operatorLookupPath(lang)}" novalidate>
    <input type="hidden" name="csrf" value="${csrf}" />
    <div>
      <label for="email">${t.emailLabel}</label>
      <p class="hint" id="email-hint">${t.emailHint}</p>
      ${error ? html`<p class="error" id="email-error">${error}</p>` : ''}
      <input
        id="email"
        name="email"
        type="email"
        autocomplete="off"
        spellcheck="false"
        required
        aria-describedby="email-hint${error ? ' email-error' : ''}"
        ${error ? html` aria-invalid="true"` : ''}
      />
    </div>
    <button type="submit">${t.submit}</button>
  </form>`;
};

export interface LookupView {
  incidents: Incident[];
  notices: Notice[];
  affected: boolean;
}

const resultSection = (lang: Language, result: LookupView): Safe => {
  const t = lookupMessages[lang];
  const incidentTitle = new Map(result.incidents.map((i) => [i.id, i.description]));
  return html`<section aria-labelledby="result-title">
    <h2 id="result-title">${t.resultTitle}</h2>
    <p>
      <strong>${t.affected}:</strong>
      <span id="affected">${result.affected ? t.affectedYes : t.affectedNo}</span>
    </p>
    ${
      result.incidents.length === 0
        ? html`<p>${t.noIncidents}</p>`
        : html`<table id="incidents">
            <caption>
              ${t.incidentsCaption}
            </caption>
            <thead>
              <tr>
                <th scope="col">${t.incidentColumn}</th>
                <th scope="col">${t.publicTitleColumn}</th>
                <th scope="col">${t.statusColumn}</th>
              </tr>
            </thead>
            <tbody>
              ${result.incidents.map(
                (i) =>
                  html`<tr>
                    <td>${i.description}<br /><small>${i.id}</small></td>
                    <td>${i.publicTitle ?? '–'}</td>
                    <td>${i.status}</td>
                  </tr>`,
              )}
            </tbody>
          </table>`
    }
    ${
      result.notices.length === 0
        ? html`<p>${t.noNotices}</p>`
        : html`<table id="notices">
            <caption>
              ${t.noticesCaption}
            </caption>
            <thead>
              <tr>
                <th scope="col">${t.sentColumn}</th>
                <th scope="col">${t.codeColumn}</th>
                <th scope="col">${t.statusColumn}</th>
                <th scope="col">${t.channelColumn}</th>
                <th scope="col">${t.incidentColumn}</th>
              </tr>
            </thead>
            <tbody>
              ${result.notices.map(
                (n) =>
                  html`<tr>
                    <td>${n.sentAt ? messages[lang].formatDate(n.sentAt) : t.notSent}</td>
                    <td><code>${n.referenceCode}</code></td>
                    <td>${n.status}</td>
                    <td>${n.channel}</td>
                    <td>${incidentTitle.get(n.incidentId) ?? n.incidentId}</td>
                  </tr>`,
              )}
            </tbody>
          </table>`
    }
    <p>${t.audited}</p>
  </section>`;
};

export const operatorLookupPage = (
  lang: Language,
  csrf: string,
  options: { error?: string; result?: LookupView } = {},
): string => {
  const t = lookupMessages[lang];
  const error = options.error ?? null;
  return operatorLayout(
    lang,
    t.title,
    html`<h1>${t.title}</h1>
      ${
        error
          ? html`<div class="summary" role="alert" aria-labelledby="summary-title">
              <h2 id="summary-title">${messages[lang].errorSummary}</h2>
              <p><a href="#email">${error}</a></p>
            </div>`
          : ''
      }
      <p>${t.intro}</p>
      ${lookupForm(lang, csrf, error)} ${options.result ? resultSection(lang, options.result) : ''}`,
  );
};

export const operatorErrorPage = (lang: Language, message: string): string =>
  operatorLayout(
    lang,
    lookupMessages[lang].errorTitle,
    html`<h1>${lookupMessages[lang].errorTitle}</h1>
      <p>${message}</p>`,
  );
