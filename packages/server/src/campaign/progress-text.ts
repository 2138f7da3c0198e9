import type { Progress } from './campaigns.js';

const duration = (seconds: number): string => {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  return h > 0
    ? `${h}h${String(m).padStart(2, '0')}m`
    : m > 0
      ? `${m}m${String(s).padStart(2, '0')}s`
      : `${s}s`;
};

/** One status line: counts, rate and ETA; with `width`, a progress bar in front (for a TTY). */
export const formatProgress = (p: Progress, width = 0): string => {
  const done = p.sent + p.failed;
  const ratio = p.total === 0 ? (p.state === 'completed' ? 1 : 0) : done / p.total;
  const bar = width > 0 ? `[${'#'.repeat(Math.round(ratio * width)).padEnd(width, '.')}] ` : '';
  const eta = p.etaSeconds === null ? 'ETA unknown' : `ETA ${duration(p.etaSeconds)}`;
  return (
    `${bar}${(ratio * 100).toFixed(1)}%  ${p.state}  sent ${p.sent}/${p.total}  failed ${p.failed}  ` +
    `bounced ${p.bounced}  pending ${p.pending + p.sending}  ${p.rate}/s  ${eta}`
  );
};
