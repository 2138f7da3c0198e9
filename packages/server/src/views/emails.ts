import type { Incident } from '../incidents/types.js';
import type { Notice } from '../store/store.js';
import { messages, type Language } from './messages.js';
import type { SiteInfo } from './pages.js';

/**
 * The self-check answer, plain text only and without links: a message that asks nothing and links
 * nowhere is hard to imitate usefully, and people are told to expect exactly that.
 */
export const selfCheckEmail = (
  lang: Language,
  site: SiteInfo,
  incidents: Incident[],
  notices: Notice[],
): { subject: string; text: string } => {
  const t = messages[lang];
  const lines = [t.mailIntro, ''];
  for (const incident of incidents) {
    lines.push(`- ${t.mailIncident}: ${incident.publicTitle ?? incident.description}`);
    for (const notice of notices.filter((n) => n.incidentId === incident.id && n.sentAt)) {
      lines.push(`  ${t.mailNotice(notice.referenceCode, t.formatDate(notice.sentAt as string))}`);
    }
  }
  lines.push(
    '',
    `${t.noticeContact}: ${site.contact}`,
    '',
    t.mailNoLinks,
    site.officialSite,
    '',
    site.name,
  );
  return { subject: `${site.name}: ${t.mailSubject}`, text: lines.join('\n') + '\n' };
};
