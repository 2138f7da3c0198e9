import { runGit } from './git-cli.js';
import type { GitContext } from './git-cli.js';
import { gitAncestorCheck } from './provenance.js';
import type { AncestorCheck } from './provenance.js';

/** The commit graph of everything reachable from the refs, in memory, for ancestry queries. */
interface Graph {
  index: Map<string, number>;
  /** parents of commit i: parentList[parentStart[i] .. parentStart[i+1]) */
  parentStart: Int32Array;
  parentList: Int32Array;
  /** generation number: 1 for roots, 1 + max(parents) otherwise */
  generation: Int32Array;
}

function buildGraph(text: string): Graph {
  const lines = text.split('\n').filter((l) => l !== '');
  const index = new Map<string, number>();
  lines.forEach((line, i) =>
    index.set(line.slice(0, line.indexOf(' ') === -1 ? line.length : line.indexOf(' ')), i),
  );
  const parentStart = new Int32Array(lines.length + 1);
  const parents: number[] = [];
  lines.forEach((line, i) => {
    parentStart[i] = parents.length;
    for (const sha of line.split(' ').slice(1)) {
      const p = index.get(sha);
      // a parent outside the walk (shallow boundary) is simply not followed
      if (p !== undefined) parents.push(p);
    }
  });
  parentStart[lines.length] = parents.length;
  const parentList = Int32Array.from(parents);
  // --topo-order lists children before their parents: fill generations from the end.
  const generation = new Int32Array(lines.length);
  for (let i = lines.length - 1; i >= 0; i--) {
    let g = 0;
    for (let k = parentStart[i] as number; k < (parentStart[i + 1] as number); k++) {
      g = Math.max(g, generation[parentList[k] as number] as number);
    }
    generation[i] = g + 1;
  }
  return { index, parentStart, parentList, generation };
}

/** Is `ancestor` reachable from `descendant` by following parents? Generations prune the walk. */
function reaches(g: Graph, descendant: number, ancestor: number): boolean {
  const floor = g.generation[ancestor] as number;
  const seen = new Uint8Array(g.generation.length);
  const stack = [descendant];
  seen[descendant] = 1;
  while (stack.length > 0) {
    const n = stack.pop() as number;
    if (n === ancestor) return true;
    for (let k = g.parentStart[n] as number; k < (g.parentStart[n + 1] as number); k++) {
      const p = g.parentList[k] as number;
      if (seen[p] || (g.generation[p] as number) < floor) continue;
      seen[p] = 1;
      stack.push(p);
    }
  }
  return false;
}

/**
 * Ancestry answered from one `git rev-list --topo-order --parents --all` read into memory, instead of
 * a `git merge-base --is-ancestor` process per pair (hundreds on a large history). Commits outside
 * that walk (unreachable ones) fall back to asking git.
 */
export function graphAncestorCheck(ctx: GitContext): AncestorCheck {
  const fallback = gitAncestorCheck(ctx);
  let graph: Promise<Graph | null> | undefined;
  const load = (): Promise<Graph | null> =>
    (graph ??= runGit(ctx, ['rev-list', '--topo-order', '--parents', '--all']).then((r) =>
      r.code === 0 ? buildGraph(r.stdout.toString('utf8')) : null,
    ));
  return async (ancestor, descendant) => {
    if (ancestor === descendant) return true;
    const g = await load();
    const a = g?.index.get(ancestor);
    const d = g?.index.get(descendant);
    if (!g || a === undefined || d === undefined) return fallback(ancestor, descendant);
    return reaches(g, d, a);
  };
}
