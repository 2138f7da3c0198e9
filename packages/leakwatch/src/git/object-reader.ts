// A long-lived `git cat-file --batch` (or `--batch-check`) process. Requests are pipelined: many
// object names are written ahead and the answers are parsed off stdout in order, so reading keeps up
// with git instead of paying a round trip per object. The number of requests in flight is bounded,
// so a slow consumer makes producers wait rather than letting memory grow.
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { GitError, spawnGit, type GitContext } from './git-cli.js';

export type ObjectType = 'blob' | 'tree' | 'commit' | 'tag';

export type ObjectResult =
  | { name: string; status: 'ok'; sha: string; type: ObjectType; size: number; data?: Buffer }
  | { name: string; status: 'missing'; error: GitError };

interface Pending {
  name: string;
  resolve: (result: ObjectResult) => void;
}

export interface ObjectReaderOptions {
  /** `contents` runs `--batch` (header and bytes); `info` runs `--batch-check` (header only). */
  mode: 'contents' | 'info';
  /** Requests written ahead of the answers; bounds memory together with the object size cap. */
  maxInFlight?: number;
}

export class ObjectReader {
  private readonly ctx: GitContext;
  private readonly mode: 'contents' | 'info';
  private readonly maxInFlight: number;
  private queued: string[] = [];
  private flushScheduled = false;
  private child: ChildProcessWithoutNullStreams | null = null;
  private pending: Pending[] = [];
  private waiters: Array<() => void> = [];
  private headerParts: Buffer[] = [];
  private body: Buffer | null = null;
  private bodyFilled = 0;
  private bodyRemaining = 0;
  private current: { sha: string; type: ObjectType; size: number } | null = null;
  private stderrTail = '';
  private closed = false;

  constructor(ctx: GitContext, options: ObjectReaderOptions) {
    this.ctx = ctx;
    this.mode = options.mode;
    this.maxInFlight = options.maxInFlight ?? 512;
  }

  /** Reads one object by any name git accepts (`sha`, `rev:path`). Never rejects for a bad object. */
  async read(name: string): Promise<ObjectResult> {
    if (this.closed) throw new Error('ObjectReader is closed');
    while (this.pending.length >= this.maxInFlight) {
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
    return new Promise<ObjectResult>((resolve) => {
      this.ensureChild();
      this.pending.push({ name, resolve });
      this.queue(name);
    });
  }

  // Requests made in the same turn of the event loop go to git in one write.
  private queue(name: string): void {
    this.queued.push(name);
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => this.flush());
  }

  private flush(): void {
    this.flushScheduled = false;
    if (this.queued.length === 0) return;
    const text = `${this.queued.join('\n')}\n`;
    this.queued = [];
    this.child?.stdin.write(text);
  }

  async close(): Promise<void> {
    this.closed = true;
    const child = this.child;
    this.child = null;
    if (!child) return;
    await new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) {
        resolve();
        return;
      }
      child.once('close', () => resolve());
      child.stdin.end();
    });
  }

  private ensureChild(): ChildProcessWithoutNullStreams {
    if (this.child) return this.child;
    const flag = this.mode === 'contents' ? '--batch' : '--batch-check';
    const child = spawnGit(this.ctx, ['cat-file', flag]);
    this.child = child;
    this.resetParser();
    child.stdout.on('data', (chunk: Buffer) => this.onData(chunk));
    child.stderr.on('data', (chunk: Buffer) => {
      this.stderrTail = (this.stderrTail + chunk.toString('utf8')).slice(-8192);
    });
    child.stdin.on('error', () => undefined);
    child.on('error', () => undefined);
    child.on('close', () => this.onExit(child));
    return child;
  }

  private resetParser(): void {
    this.headerParts = [];
    this.body = null;
    this.bodyFilled = 0;
    this.bodyRemaining = 0;
    this.current = null;
  }

  private onData(chunk: Buffer): void {
    let pos = 0;
    while (pos < chunk.length) {
      if (this.current === null) {
        const newline = chunk.indexOf(0x0a, pos);
        if (newline === -1) {
          this.headerParts.push(chunk.subarray(pos));
          return;
        }
        this.headerParts.push(chunk.subarray(pos, newline));
        const header = Buffer.concat(this.headerParts).toString('utf8');
        this.headerParts = [];
        pos = newline + 1;
        this.onHeader(header);
        continue;
      }
      const take = Math.min(this.bodyRemaining, chunk.length - pos);
      const dataPart = Math.min(take, this.current.size - this.bodyFilled);
      if (this.body && dataPart > 0) chunk.copy(this.body, this.bodyFilled, pos, pos + dataPart);
      this.bodyFilled += dataPart;
      this.bodyRemaining -= take;
      pos += take;
      if (this.bodyRemaining === 0) this.finishBody();
    }
  }

  private onHeader(header: string): void {
    const parts = header.split(' ');
    if (parts.length === 3 && /^[0-9a-f]{40,64}$/.test(parts[0] ?? '')) {
      const [sha = '', type, size] = parts;
      const current = { sha, type: type as ObjectType, size: Number(size) };
      if (this.mode === 'info') {
        this.settle({ name: '', status: 'ok', ...current });
        return;
      }
      this.current = current;
      // Its own ArrayBuffer, never Node's shared pool: chunks are transferred to worker threads.
      this.body = Buffer.allocUnsafeSlow(current.size);
      this.bodyFilled = 0;
      this.bodyRemaining = current.size + 1;
      return;
    }
    // "<name> missing" / "<name> ambiguous": the object cannot be read; say why if git told us.
    const name = parts.slice(0, -1).join(' ');
    const corrupt =
      this.stderrTail.includes(name) && /corrupt|inflate|unpack/.test(this.stderrTail);
    const error = corrupt
      ? new GitError('LW_GIT_CORRUPT_OBJECT', `object ${name} is corrupt`)
      : new GitError('LW_GIT_MISSING_OBJECT', `object ${name} is ${parts.at(-1) ?? 'missing'}`);
    this.settle({ name, status: 'missing', error });
  }

  private finishBody(): void {
    const current = this.current;
    const body = this.body;
    this.resetParser();
    if (!current) return;
    this.settle({ name: '', status: 'ok', ...current, data: body ?? Buffer.alloc(0) });
  }

  private settle(result: ObjectResult): void {
    const next = this.pending.shift();
    if (!next) return;
    next.resolve({ ...result, name: next.name });
    this.waiters.shift()?.();
  }

  /**
   * cat-file died (e.g. a corrupt pack). The request it was answering is reported as corrupt and the
   * rest are replayed on a fresh process, so one bad object does not end the scan.
   */
  private onExit(child: ChildProcessWithoutNullStreams): void {
    if (this.child !== child) return;
    this.child = null;
    const queued = this.pending;
    this.pending = [];
    const [failed, ...rest] = queued;
    const reason = this.stderrTail.trim().split('\n').at(-1) ?? 'git cat-file exited';
    if (failed) {
      failed.resolve({
        name: failed.name,
        status: 'missing',
        error: new GitError('LW_GIT_CORRUPT_OBJECT', `object ${failed.name}: ${reason}`),
      });
    }
    this.stderrTail = '';
    if (this.closed) {
      for (const request of rest) {
        request.resolve({
          name: request.name,
          status: 'missing',
          error: new GitError('LW_GIT_FAILED', `object ${request.name}: reader closed`),
        });
      }
    }
    if (this.closed || rest.length === 0) {
      for (const waiter of this.waiters.splice(0)) waiter();
      return;
    }
    const next = this.ensureChild();
    this.queued = [];
    for (const request of rest) this.pending.push(request);
    next.stdin.write(`${rest.map((request) => request.name).join('\n')}\n`);
    for (const waiter of this.waiters.splice(0)) waiter();
  }
}
