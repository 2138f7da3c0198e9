import type { Store } from './store/store.js';

/**
 * Purges people's data of incidents closed more than `days` days before `now`, keeping counts.
 * Runs from the CLI (`leakwatch-server purge`) or on a timer in `serve --retention-days`.
 */
export const purgeClosedIncidents = async (
  store: Store,
  days: number,
  now: Date,
  actor = 'retention',
): Promise<{ incidentId: string; people: number; notices: number }[]> => {
  const cutoff = now.getTime() - days * 86_400_000;
  const purged = [];
  for (const incident of await store.listIncidents({ status: 'closed' })) {
    if (incident.purgedAt) continue;
    const closed = (await store.timeline(incident.id))
      .filter((e) => e.action === 'incident.closed')
      .at(-1);
    if (!closed || Date.parse(closed.at) > cutoff) continue;
    const counts = await store.purgePeople(incident.id, actor, now.toISOString());
    purged.push({ incidentId: incident.id, ...counts });
  }
  return purged;
};
