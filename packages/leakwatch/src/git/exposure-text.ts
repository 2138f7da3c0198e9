// One human line for a finding's exposure window, for the text report. Pure: no clock, no git.
import type { GitProvenance } from '../engine/types.js';

/** e.g. "exposed 4 years 9 months, still present on main and 2 other branches". */
export function formatExposure(git: GitProvenance, now: Date): string {
  const { exposure } = git;
  const end =
    git.reachable || exposure.removedFromAllTipsAt === null
      ? now
      : new Date(exposure.removedFromAllTipsAt);
  const span = formatSpan(new Date(exposure.from), end);
  const exposed = git.introduced.atShallowBoundary ? `exposed at least ${span}` : `exposed ${span}`;
  if (exposure.stillAtTips.length > 0)
    return `${exposed}, still present on ${formatRefs(exposure.stillAtTips)}`;
  const removed = exposure.removedFromAllTipsAt
    ? `removed from every ref tip on ${exposure.removedFromAllTipsAt.slice(0, 10)}`
    : 'not at any ref tip';
  if (git.reachable) return `${exposed}, ${removed} but still reachable in history`;
  return `${exposed}, ${removed} and only in unreachable objects`;
}

/** Calendar difference, coarsest two units: "4 years 9 months", "3 months 2 days", "5 days". */
export function formatSpan(from: Date, to: Date): string {
  if (to.getTime() <= from.getTime()) return 'less than a day';
  let months =
    (to.getUTCFullYear() - from.getUTCFullYear()) * 12 + (to.getUTCMonth() - from.getUTCMonth());
  // `from` plus m calendar months, clamped to the month's last day (Jan 31 + 1 month = Feb 28).
  const anchor = (m: number): Date => {
    const year = from.getUTCFullYear();
    const month = from.getUTCMonth() + m;
    const lastDay = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
    const d = new Date(from.getTime());
    d.setUTCFullYear(year, month, Math.min(from.getUTCDate(), lastDay));
    return d;
  };
  if (anchor(months).getTime() > to.getTime()) months -= 1;
  const days = Math.floor((to.getTime() - anchor(months).getTime()) / 86_400_000);
  const years = Math.floor(months / 12);
  const restMonths = months % 12;
  const parts =
    years > 0
      ? [unit(years, 'year'), unit(restMonths, 'month')]
      : months > 0
        ? [unit(months, 'month'), unit(days, 'day')]
        : [unit(days, 'day')];
  const text = parts.filter(Boolean).join(' ');
  return text === '' ? 'less than a day' : text;
}

function unit(n: number, name: string): string {
  return n === 0 ? '' : `${n} ${name}${n === 1 ? '' : 's'}`;
}

function formatRefs(refs: readonly string[]): string {
  // The default branch reads first; the rest are counted, named by what they are.
  const ranked = [...refs].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  const [first = '', ...others] = ranked;
  const name = shortName(first);
  if (others.length === 0) return name;
  if (others.length === 1) return `${name} and ${shortName(others[0] ?? '')}`;
  const kind = others.every((r) => r.startsWith('refs/heads/'))
    ? 'branches'
    : others.every((r) => r.startsWith('refs/tags/'))
      ? 'tags'
      : 'refs';
  return `${name} and ${others.length} other ${kind}`;
}

function rank(ref: string): number {
  if (ref === 'refs/heads/main' || ref === 'refs/heads/master') return 0;
  if (ref.startsWith('refs/heads/')) return 1;
  if (ref.startsWith('refs/remotes/')) return 2;
  if (ref.startsWith('refs/tags/')) return 3;
  return 4;
}

function shortName(ref: string): string {
  return ref.replace(/^refs\/(heads|tags|remotes)\//, '');
}
