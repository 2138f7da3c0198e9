// Which ref tips still hold a blob. Trees are shared between tips (a tag and its branch, a hundred
// release tags that differ in a few directories), so each tree is read once and its answer memoised.
import type { ObjectReader } from './object-reader.js';
import type { GitRef } from './refs.js';

const NO_BLOBS: readonly string[] = [];

export async function findBlobsAtTips(
  reader: ObjectReader,
  refs: readonly GitRef[],
  targets: ReadonlySet<string>,
): Promise<Map<string, string[]>> {
  const atTips = new Map<string, string[]>();
  if (targets.size === 0) return atTips;
  const memo = new Map<string, Promise<readonly string[]>>();

  const blobsIn = (tree: string): Promise<readonly string[]> => {
    let result = memo.get(tree);
    if (!result) {
      result = readTree(tree);
      memo.set(tree, result);
    }
    return result;
  };

  const readTree = async (tree: string): Promise<readonly string[]> => {
    const object = await reader.read(tree);
    if (object.status !== 'ok' || object.type !== 'tree' || !object.data) return NO_BLOBS;
    const shaBytes = object.sha.length / 2;
    const found = new Set<string>();
    const subtrees: Promise<readonly string[]>[] = [];
    for (const entry of treeEntries(object.data, shaBytes)) {
      if (entry.mode === '40000') subtrees.push(blobsIn(entry.sha));
      else if (entry.mode !== '160000' && targets.has(entry.sha)) found.add(entry.sha);
    }
    for (const blobs of await Promise.all(subtrees)) for (const blob of blobs) found.add(blob);
    return found.size === 0 ? NO_BLOBS : [...found];
  };

  await Promise.all(
    refs.map(async (ref) => {
      const root = await reader.read(`${ref.sha}^{tree}`);
      if (root.status !== 'ok') return;
      for (const blob of await blobsIn(root.sha)) {
        const list = atTips.get(blob) ?? [];
        list.push(ref.name);
        atTips.set(blob, list);
      }
    }),
  );
  for (const list of atTips.values()) list.sort();
  return atTips;
}

/** Entries of a raw tree object: "<mode> <name>\0<binary sha>" repeated. */
export function* treeEntries(
  data: Buffer,
  shaBytes: number,
): Generator<{ mode: string; name: Buffer; sha: string }> {
  let pos = 0;
  while (pos < data.length) {
    const space = data.indexOf(0x20, pos);
    const nul = data.indexOf(0, space + 1);
    if (space === -1 || nul === -1 || nul + 1 + shaBytes > data.length) return;
    yield {
      mode: data.toString('latin1', pos, space),
      name: data.subarray(space + 1, nul),
      sha: data.toString('hex', nul + 1, nul + 1 + shaBytes),
    };
    pos = nul + 1 + shaBytes;
  }
}
