import type { ObjectReader } from './object-reader.js';

/**
 * The repository config as committed at `revision`. In --range mode this is the base commit, so a
 * pull request cannot switch rules off for itself by editing the config it is checked against.
 */
export async function readConfigAtRevision(
  reader: ObjectReader,
  revision: string,
  names: readonly string[],
): Promise<{ text: string; source: string } | undefined> {
  for (const name of names) {
    const object = await reader.read(`${revision}:${name}`);
    if (object.status === 'ok' && object.type === 'blob' && object.data) {
      return { text: object.data.toString('utf8'), source: `${revision}:${name}` };
    }
  }
  return undefined;
}
