import { LwError } from '../errors.js';
import type { Store } from '../store/store.js';
import { closingReasons, type ClosingReason, type Incident, type IncidentStatus } from './types.js';

/**
 * open → contained (the key was revoked or rotated) → notified → closed; an incident can be closed
 * from any open state (a false positive never gets contained). Nothing leaves `closed`.
 */
const allowed: Record<string, IncidentStatus[]> = {
  contain: ['open'],
  notify: ['contained'],
  close: ['open', 'contained', 'notified'],
};

const target: Record<keyof typeof allowed, IncidentStatus> = {
  contain: 'contained',
  notify: 'notified',
  close: 'closed',
};

export type LifecycleAction =
  | { action: 'contain'; how: 'revoked' | 'rotated'; note?: string }
  | { action: 'notify'; note?: string }
  | { action: 'close'; reason: ClosingReason; note?: string };

export const applyLifecycle = async (
  store: Store,
  incidentId: string,
  change: LifecycleAction,
  actor: string,
  now: string,
): Promise<Incident> => {
  const incident = await store.getIncident(incidentId);
  if (!incident) throw new LwError('LW_NOT_FOUND', `no incident ${incidentId}`);
  const from = allowed[change.action] ?? [];
  if (!from.includes(incident.status)) {
    throw new LwError(
      'LW_INVALID_TRANSITION',
      `cannot ${change.action} an incident that is ${incident.status} (allowed from: ${from.join(', ')})`,
    );
  }
  if (change.action === 'close' && !closingReasons.includes(change.reason)) {
    throw new LwError(
      'LW_VALIDATION',
      `closing reason must be one of ${closingReasons.join(', ')}`,
    );
  }
  const status = target[change.action] as IncidentStatus;
  const note = change.note === undefined ? {} : { note: change.note };
  const patch =
    change.action === 'contain'
      ? {
          status,
          containedAt: now,
          containedBy: actor,
          details: { ...incident.details, containment: { how: change.how, ...note } },
        }
      : change.action === 'close'
        ? { status, closingReason: change.reason }
        : { status };
  const details =
    change.action === 'contain'
      ? { how: change.how, ...note }
      : change.action === 'close'
        ? { reason: change.reason, ...note }
        : note;
  const done = await store.updateIncident(
    incidentId,
    patch,
    { actor, action: `incident.${status}`, details },
    now,
    incident.status,
  );
  if (!done)
    throw new LwError('LW_INVALID_TRANSITION', 'the incident changed meanwhile; reload and retry');
  return (await store.getIncident(incidentId)) as Incident;
};
