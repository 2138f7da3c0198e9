import type { Incident } from '../incidents/types.js';
import { html, type Safe } from './html.js';
import { languages, messages, type Language } from './messages.js';

/**
 * Server-rendered public pages. No JavaScript anywhere: forms post and pages answer, so the pages
 * work in any browser, with assistive technology and with scripts disabled.
 */
export interface SiteInfo {
  /** The organisation's name, shown in the header and the emails. */
  name: string;
  /** How to reach the contact centre (phone number, hours), shown on every notice page. */
  contact: string;
  /** The official site's name people are told to type themselves (notices carry no links). */
  officialSite: string;
}

const styles = `
*{box-sizing:border-box}
body{margin:0;font-family:system-ui,"Noto Sans CJK JP","Noto Sans JP",sans-serif;line-height:1.6;color:#1b1b1b;background:#fff}
a{color:#0b4f9c}a:focus-visible,button:focus-visible,input:focus-visible{outline:3px solid #b35900;outline-offset:2px}
.skip{position:absolute;left:-10000px}.skip:focus{left:1rem;top:1rem;background:#fff;padding:.5rem;z-index:1}
header,main,footer{max-width:42rem;margin:0 auto;padding:1rem}
header{border-bottom:4px solid #0b4f9c}header nav ul{list-style:none;padding:0;display:flex;gap:1rem;flex-wrap:wrap}
label{display:block;font-weight:700}.hint{color:#4a4a4a;margin:.25rem 0}
input{font:inherit;padding:.5rem;width:100%;max-width:30rem;border:2px solid #1b1b1b;border-radius:4px}
button{font:inherit;margin-top:1rem;padding:.6rem 1.2rem;color:#fff;background:#0b4f9c;border:0;border-radius:4px;cursor:pointer}
.error{color:#a4000f;font-weight:700}.summary{border:4px solid #a4000f;padding:1rem}
.ok{border-left:6px solid #00703c;padding-left:1rem}.warn{border-left:6px solid #a4000f;padding-left:1rem}
footer{border-top:1px solid #767676;margin-top:2rem;color:#4a4a4a}
`;

const path = (lang: Language, page: string): string => `/${lang}/${page}`;

export const layout = (
  lang: Language,
  site: SiteInfo,
  title: string,
  current: string,
  body: Safe,
): string => {
  const t = messages[lang];
  const other = languages.filter((l) => l !== lang);
  return (
    '<!doctype html>\n' +
    html`<html lang="${lang}">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="referrer" content="no-referrer" />
        <title>${title} – ${site.name}</title>
        <style>
          ${styles}
        </style>
      </head>
      <body>
        <a class="skip" href="#main">${t.skipToContent}</a>
        <header>
          <p><strong>${site.name}</strong></p>
          <nav aria-label="${t.siteNav}">
            <ul>
              <li><a href="${path(lang, '')}">${t.home}</a></li>
              <li><a href="${path(lang, 'check')}">${t.checkTitle}</a></li>
              <li><a href="${path(lang, 'verify')}">${t.verifyTitle}</a></li>
              ${other.map((l) => html`<li><a href="/${l}/${current}" lang="${l}" hreflang="${l}">${messages[l].languageName}</a></li>`)}
            </ul>
          </nav>
        </header>
        <main id="main" tabindex="-1">${body}</main>
        <footer><p>${t.noticeContact}: ${site.contact}</p></footer>
      </body>
    </html> `.value
  );
};

const phishingWarning = (lang: Language): Safe => {
  const t = messages[lang];
  return html`<section aria-labelledby="phishing">
    <h2 id="phishing">${t.phishingTitle}</h2>
    <ul>
      ${t.phishingAdvice.map((a) => html`<li>${a}</li>`)}
    </ul>
  </section>`;
};

export const homePage = (lang: Language, site: SiteInfo, incidents: Incident[]): string => {
  const t = messages[lang];
  return layout(
    lang,
    site,
    t.noticesTitle,
    '',
    html`<h1>${t.noticesTitle}</h1>
      <p>${t.homeIntro}</p>
      ${
        incidents.length === 0
          ? html`<p>${t.noNotices}</p>`
          : html`<ul>
              ${incidents.map((i) => html`<li><a href="${path(lang, `notices/${i.id}`)}">${i.publicTitle}</a></li>`)}
            </ul>`
      }
      <ul>
        <li><a href="${path(lang, 'check')}">${t.checkTitle}</a></li>
        <li><a href="${path(lang, 'verify')}">${t.verifyTitle}</a></li>
      </ul>
      ${phishingWarning(lang)}`,
  );
};

const field = (
  id: string,
  name: string,
  label: string,
  hint: string,
  type: string,
  autocomplete: string,
  error: string | null,
): Safe =>
  html`<div>
    <label for="${id}">${label}</label>
    <p class="hint" id="${id}-hint">${hint}</p>
    ${error ? html`<p class="error" id="${id}-error">${error}</p>` : ''}
    <input
      id="${id}"
      name="${name}"
      type="${type}"
      autocomplete="${autocomplete}"
      spellcheck="false"
      required
      aria-describedby="${id}-hint${error ? ` ${id}-error` : ''}"
      ${error ? html` aria-invalid="true"` : ''}
    />
  </div>`;

const errorSummary = (lang: Language, fieldId: string, error: string | null): Safe =>
  error
    ? html`<div class="summary" role="alert" aria-labelledby="summary-title">
        <h2 id="summary-title">${messages[lang].errorSummary}</h2>
        <p><a href="#${fieldId}">${error}</a></p>
      </div>`
    : html``;

export const checkPage = (
  lang: Language,
  site: SiteInfo,
  csrf: string,
  error: string | null = null,
): string => {
  const t = messages[lang];
  return layout(
    lang,
    site,
    t.checkTitle,
    'check',
    html`<h1>${t.checkTitle}</h1>
      ${errorSummary(lang, 'email', error)}
      <p>${t.checkIntro}</p>
      <form method="post" action="${path(lang, 'check')}" novalidate>
        <input type="hidden" name="csrf" value="${csrf}" />
        ${field('email', 'email', t.emailLabel, t.emailHint, 'email', 'email', error)}
        <button type="submit">${t.checkSubmit}</button>
      </form>`,
  );
};

export const checkDonePage = (lang: Language, site: SiteInfo): string => {
  const t = messages[lang];
  return layout(
    lang,
    site,
    t.checkDoneTitle,
    'check',
    html`<h1>${t.checkDoneTitle}</h1>
      <p class="ok">${t.checkDone}</p>
      <p>${t.checkDoneNext}</p>
      ${phishingWarning(lang)}`,
  );
};

export const verifyPage = (
  lang: Language,
  site: SiteInfo,
  csrf: string,
  error: string | null = null,
): string => {
  const t = messages[lang];
  return layout(
    lang,
    site,
    t.verifyTitle,
    'verify',
    html`<h1>${t.verifyTitle}</h1>
      ${errorSummary(lang, 'code', error)}
      <p>${t.verifyIntro}</p>
      <form method="post" action="${path(lang, 'verify')}" novalidate>
        <input type="hidden" name="csrf" value="${csrf}" />
        ${field('code', 'code', t.codeLabel, t.codeHint, 'text', 'off', error)}
        <button type="submit">${t.verifySubmit}</button>
      </form>`,
  );
};

export type VerifyOutcome =
  | { kind: 'genuine'; sentAt: string; masked: string; incident: Incident | undefined }
  | { kind: 'not-ours' };

export const verifyResultPage = (
  lang: Language,
  site: SiteInfo,
  outcome: VerifyOutcome,
): string => {
  const t = messages[lang];
  const body =
    outcome.kind === 'genuine'
      ? html`<h1>${t.verifyGenuineTitle}</h1>
          <p class="ok">${t.verifyGenuine(t.formatDate(outcome.sentAt), outcome.masked)}</p>
          ${
            outcome.incident?.publicTitle
              ? html`<p>
                  ${t.verifyRegarding}
                  <a href="${path(lang, `notices/${outcome.incident.id}`)}"
                    >${outcome.incident.publicTitle}</a
                  >
                </p>`
              : ''
          }`
      : html`<h1>${t.verifyNotOursTitle}</h1>
          <p class="warn">${t.verifyNotOurs}</p>
          <p>${t.noticeContact}: ${site.contact}</p>`;
  return layout(
    lang,
    site,
    outcome.kind === 'genuine' ? t.verifyGenuineTitle : t.verifyNotOursTitle,
    'verify',
    html`${body} ${phishingWarning(lang)}`,
  );
};

export const noticePage = (lang: Language, site: SiteInfo, incident: Incident): string => {
  const t = messages[lang];
  const paragraphs = (incident.publicText ?? '').split(/\n{2,}/).filter((p) => p.trim() !== '');
  return layout(
    lang,
    site,
    incident.publicTitle ?? t.noticesTitle,
    `notices/${incident.id}`,
    html`<h1>${incident.publicTitle}</h1>
      ${paragraphs.map((p) => html`<p>${p}</p>`)}
      <h2>${t.noticeContact}</h2>
      <p>${incident.contactChannel ?? site.contact}</p>
      <p><a href="${path(lang, 'verify')}">${t.noticeVerifyLink}</a></p>
      ${phishingWarning(lang)}`,
  );
};

export const errorPage = (lang: Language, site: SiteInfo, message: string): string =>
  layout(
    lang,
    site,
    messages[lang].errorTitle,
    '',
    html`<h1>${messages[lang].errorTitle}</h1>
      <p>${message}</p>`,
  );
