// Worker thread: compiles the rules once, then matches batches of chunks sent by the pool.
import { parentPort, workerData } from 'node:worker_threads';
import { compileRules } from './engine/compile.js';
import { matchChunk } from './engine/match.js';
import { primeTranslations } from './engine/regex.js';
import type { MatchStats } from './engine/match.js';
import type { Chunk, Match } from './engine/types.js';
import type { WorkerInit, WorkerReply, WorkerRequest } from './match-pool.js';

const init = workerData as WorkerInit;
primeTranslations(init.translations ?? []);
const set = compileRules(init.specs, init.allowlists);

parentPort?.on('message', (req: WorkerRequest) => {
  const stats: MatchStats = { allowlisted: 0 };
  const matches: Match[] = [];
  for (const chunk of req.chunks as Chunk[]) matches.push(...matchChunk(set, chunk, stats));
  const reply: WorkerReply = { id: req.id, matches, allowlisted: stats.allowlisted };
  parentPort?.postMessage(reply);
});
