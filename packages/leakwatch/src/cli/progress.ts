import type { Writable } from 'node:stream';

/** A one-line progress display on a TTY, redrawn at most every 100 ms. */
export function progressLine(stream: Writable, enabled: boolean) {
  let last = 0;
  let shown = false;
  return {
    update(text: string): void {
      if (!enabled) return;
      const now = Date.now();
      if (now - last < 100) return;
      last = now;
      shown = true;
      stream.write(`\r\x1b[K${text}`);
    },
    done(): void {
      if (shown) stream.write('\r\x1b[K');
    },
  };
}

export function rate(bytes: number, ms: number): string {
  const mb = bytes / 1024 / 1024;
  return `${mb.toFixed(1)} MB, ${(mb / Math.max(ms / 1000, 0.001)).toFixed(1)} MB/s`;
}
