// `--recurse-submodules`: a submodule entry in a tree names a commit of another repository, so the
// superproject's scan cannot see its files. Initialised submodules keep their repositories under
// $GIT_DIR/modules/<name> (nested ones under .../modules/<name>/modules/<name>); each is scanned as a
// repository of its own and the reports are merged, paths prefixed with the submodule's name.
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Finding, ScanResult } from '../engine/types.js';

export interface SubmoduleRepository {
  /** The submodule's name (usually its path in the superproject). */
  name: string;
  gitDir: string;
}

export async function listSubmoduleRepositories(
  gitDir: string,
  prefix = '',
): Promise<SubmoduleRepository[]> {
  const found: SubmoduleRepository[] = [];
  const visit = async (dir: string, name: string): Promise<void> => {
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
    for (const entry of entries
      .filter((e) => e.isDirectory())
      .sort((a, b) => a.name.localeCompare(b.name))) {
      const path = join(dir, entry.name);
      const child = name ? `${name}/${entry.name}` : entry.name;
      const isRepository = await stat(join(path, 'HEAD')).then(
        (s) => s.isFile(),
        () => false,
      );
      if (isRepository) {
        const full = prefix ? `${prefix}/${child}` : child;
        found.push({ name: full, gitDir: path });
        found.push(...(await listSubmoduleRepositories(path, full)));
      } else {
        // Names may contain slashes: "libs/inner" lives in modules/libs/inner.
        await visit(path, child);
      }
    }
  };
  await visit(join(gitDir, 'modules'), '');
  return found;
}

/** One report for a superproject and its submodules. */
export function mergeSubmoduleResults(
  main: ScanResult,
  submodules: readonly { name: string; result: ScanResult }[],
): ScanResult {
  const merged: ScanResult = {
    ...main,
    targets: [...main.targets],
    summary: {
      ...main.summary,
      bySeverity: { ...main.summary.bySeverity },
      skipped: { ...main.summary.skipped },
    },
    findings: [...main.findings],
    errors: [...main.errors],
    staleIgnores: [...main.staleIgnores],
  };
  for (const { name, result } of submodules) {
    merged.targets.push(...result.targets);
    const s = merged.summary;
    const r = result.summary;
    s.findings += r.findings;
    s.filesScanned += r.filesScanned;
    s.bytesScanned += r.bytesScanned;
    s.allowlisted += r.allowlisted;
    s.baselined += r.baselined;
    s.durationMs += r.durationMs;
    for (const key of Object.keys(s.bySeverity) as (keyof typeof s.bySeverity)[])
      s.bySeverity[key] += r.bySeverity[key];
    for (const key of Object.keys(s.skipped) as (keyof typeof s.skipped)[])
      s.skipped[key] += r.skipped[key];
    merged.findings.push(...result.findings.map((finding) => prefixPaths(finding, name)));
    merged.errors.push(
      ...result.errors.map((error) => ({ ...error, message: `${name}: ${error.message}` })),
    );
  }
  return merged;
}

function prefixPaths(finding: Finding, name: string): Finding {
  const prefix = (path: string): string => `${name}/${path}`;
  return {
    ...finding,
    locations: finding.locations.map((l) =>
      l.path === undefined ? l : { ...l, path: prefix(l.path) },
    ),
    ...(finding.git ? { git: { ...finding.git, paths: finding.git.paths.map(prefix) } } : {}),
  };
}
