// Matching in worker threads, started only when there is enough work to pay for them.
import { Worker } from 'node:worker_threads';
import type { RuleSet } from './engine/compile.js';
import { knownTranslations } from './engine/regex.js';
import type { TranslatedRegex } from './engine/regex.js';
import { matchChunk } from './engine/match.js';
import type { AllowlistSpec, Chunk, Match, RuleSpec } from './engine/types.js';

export interface WorkerInit {
  specs: RuleSpec[];
  allowlists: { spec: AllowlistSpec; source: string }[];
  /** Regex translations already made on the main thread, so workers need not redo them. */
  translations?: [string, TranslatedRegex][];
}
export interface WorkerRequest {
  id: number;
  chunks: Chunk[];
}
export interface WorkerReply {
  id: number;
  matches: Match[];
  allowlisted: number;
}

export interface Matcher {
  /** Queues chunks; resolves when there is room for more (backpressure). */
  submit(chunks: Chunk[]): Promise<void>;
  /** Waits for all queued work and returns every match so far. */
  drain(): Promise<{ matches: Match[]; allowlisted: number }>;
  close(): Promise<void>;
}

/** Matches on the calling thread: no start-up cost, for small scans. */
export function inlineMatcher(set: RuleSet): Matcher {
  const matches: Match[] = [];
  const stats = { allowlisted: 0 };
  return {
    async submit(chunks) {
      for (const c of chunks) for (const m of matchChunk(set, c, stats)) matches.push(m);
    },
    async drain() {
      return { matches, allowlisted: stats.allowlisted };
    },
    async close() {},
  };
}

function workerUrl(): URL {
  // Under the test runner this module is TypeScript source; workers then run the compiled worker
  // (the test command builds first), since worker threads cannot load .ts files.
  if (import.meta.url.endsWith('.ts')) return new URL('../dist/match-worker.js', import.meta.url);
  return new URL('./match-worker.js', import.meta.url);
}

const IN_FLIGHT_PER_WORKER = 2;

/** A fixed pool of matching workers fed in batches, with at most two batches queued per worker. */
export function poolMatcher(init: WorkerInit, threads: number): Matcher {
  const url = workerUrl();
  const matches: Match[] = [];
  let allowlisted = 0;
  let nextId = 0;
  let failure: Error | undefined;
  const workers = Array.from({ length: Math.max(1, threads) }, () => {
    const w = new Worker(url, {
      workerData: { ...init, translations: knownTranslations() },
      execArgv: [],
      resourceLimits: { maxYoungGenerationSizeMb: 8 },
    });
    const slot = { worker: w, pending: new Map<number, () => void>() };
    w.on('message', (reply: WorkerReply) => {
      for (const m of reply.matches) matches.push(m);
      allowlisted += reply.allowlisted;
      slot.pending.get(reply.id)?.();
      slot.pending.delete(reply.id);
      wake();
    });
    w.on('error', (e) => {
      failure = e;
      for (const done of slot.pending.values()) done();
      slot.pending.clear();
      wake();
    });
    return slot;
  });
  let waiters: (() => void)[] = [];
  const wake = (): void => {
    const w = waiters;
    waiters = [];
    for (const f of w) f();
  };
  const idle = (): Promise<void> => new Promise((r) => waiters.push(r));

  return {
    async submit(chunks) {
      for (;;) {
        if (failure) throw failure;
        const slot = workers.reduce((a, b) => (b.pending.size < a.pending.size ? b : a));
        if (slot.pending.size < IN_FLIGHT_PER_WORKER) {
          const id = nextId++;
          slot.pending.set(id, () => {});
          const transfer = chunks
            .map((c) => c.bytes.buffer)
            .filter((b, i, all) => all.indexOf(b) === i) as ArrayBuffer[];
          slot.worker.postMessage({ id, chunks } satisfies WorkerRequest, transfer);
          return;
        }
        await idle();
      }
    },
    async drain() {
      while (workers.some((w) => w.pending.size > 0)) {
        if (failure) throw failure;
        await idle();
      }
      if (failure) throw failure;
      return { matches, allowlisted };
    },
    async close() {
      await Promise.all(workers.map((w) => w.worker.terminate()));
    },
  };
}
