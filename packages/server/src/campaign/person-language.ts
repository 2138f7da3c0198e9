import type { Store } from '../store/store.js';
import { campaignDb } from './schema.js';
import type { NoticeLanguage } from './templates.js';

/**
 * A preferred-language cell from a people import, to `ja`/`en`: BCP 47 / POSIX locale tags
 * (ja-JP, en_US.UTF-8, EN), and the languages' names. Anything else is `undefined`, which the
 * import counts and the campaign treats as "no preference" (its default language).
 */
export const parsePreferredLanguage = (value: string): NoticeLanguage | undefined => {
  const cell = value.trim().toLowerCase();
  const primary = /^([a-z]{2,3})(?:[-_][a-z0-9]+)*(?:\.[a-z0-9-]+)?(?:@[a-z0-9]+)?$/.exec(
    cell,
  )?.[1];
  if (primary === 'ja' || primary === 'jpn') return 'ja';
  if (primary === 'en' || primary === 'eng') return 'en';
  if (cell === 'japanese' || cell === '日本語') return 'ja';
  if (cell === 'english' || cell === '英語') return 'en';
  return undefined;
};

/**
 * Stores the preferred language of the people an import batch just added (or merged into), in the
 * batch's transaction. Each draft is resolved to its person through its first address hash; a
 * later import overwrites an earlier preference.
 */
export const storePreferredLanguages = async (
  store: Store,
  drafts: { emails: { hash: string }[]; language?: NoticeLanguage }[],
): Promise<void> => {
  const byLanguage = new Map<NoticeLanguage, string[]>();
  for (const draft of drafts) {
    const hash = draft.emails[0]?.hash;
    if (!draft.language || !hash) continue;
    const hashes = byLanguage.get(draft.language) ?? [];
    hashes.push(hash);
    byLanguage.set(draft.language, hashes);
  }
  const db = campaignDb(store);
  for (const [language, hashes] of byLanguage) {
    for (let i = 0; i < hashes.length; i += 500) {
      await db
        .updateTable('people')
        .set({ language })
        .where(
          'id',
          'in',
          db
            .selectFrom('person_emails')
            .select('person_id')
            .where('email_hash', 'in', hashes.slice(i, i + 500)),
        )
        .execute();
    }
  }
};
