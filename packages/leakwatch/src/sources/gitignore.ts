// .gitignore pattern matching (the subset of gitignore(5) semantics that decides what a scan reads).

export interface IgnoreRule {
  regex: RegExp;
  negated: boolean;
  dirOnly: boolean;
}

function globToRegex(glob: string): string {
  let out = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i] as string;
    if (c === '*') {
      if (glob[i + 1] === '*') {
        const before = i === 0 || glob[i - 1] === '/';
        const after = glob[i + 2] === '/' || i + 2 === glob.length;
        if (before && after) {
          if (glob[i + 2] === '/') {
            out += '(?:.*/)?';
            i += 2;
          } else {
            out += '.*';
            i += 1;
          }
          continue;
        }
      }
      out += '[^/]*';
    } else if (c === '?') out += '[^/]';
    else if (c === '[') {
      const end = glob.indexOf(']', i + 2);
      if (end === -1) out += '\\[';
      else {
        let body = glob.slice(i + 1, end);
        if (body.startsWith('!')) body = `^${body.slice(1)}`;
        out += `[${body.replace(/\\/g, '\\\\')}]`;
        i = end;
      }
    } else if (c === '\\' && i + 1 < glob.length) {
      out += (glob[i + 1] as string).replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
      i++;
    } else out += c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  return out;
}

/** Parses one .gitignore file's text; patterns are relative to the directory that holds it. */
export function parseGitignore(text: string): IgnoreRule[] {
  const rules: IgnoreRule[] = [];
  for (const raw of text.split(/\r?\n/)) {
    let line = raw.replace(/(?<!\\)\s+$/, '');
    if (line === '' || line.startsWith('#')) continue;
    let negated = false;
    if (line.startsWith('!')) {
      negated = true;
      line = line.slice(1);
    } else if (line.startsWith('\\!') || line.startsWith('\\#')) line = line.slice(1);
    let dirOnly = false;
    if (line.endsWith('/')) {
      dirOnly = true;
      line = line.slice(0, -1);
    }
    if (line === '') continue;
    const anchored = line.includes('/');
    if (line.startsWith('/')) line = line.slice(1);
    const body = globToRegex(line);
    const source = anchored ? `^${body}(?:/.*)?$` : `(?:^|/)${body}(?:/.*)?$`;
    try {
      rules.push({ regex: new RegExp(source), negated, dirOnly });
    } catch {
      // An unparsable pattern is ignored, as git does.
    }
  }
  return rules;
}

export interface IgnoreLayer {
  /** directory of the .gitignore, relative to the walk root, '' for the root, no trailing slash */
  base: string;
  rules: IgnoreRule[];
}

/** Decides with the last matching rule across layers (deeper files override shallower ones). */
export function isIgnored(
  layers: readonly IgnoreLayer[],
  relPath: string,
  isDir: boolean,
): boolean {
  let ignored = false;
  for (const layer of layers) {
    let rel: string;
    if (layer.base === '') rel = relPath;
    else if (relPath.startsWith(`${layer.base}/`)) rel = relPath.slice(layer.base.length + 1);
    else continue;
    for (const rule of layer.rules) {
      if (rule.dirOnly && !isDir) {
        // `dir/` also ignores everything inside dir: test the parent directories.
        const parent = rel.includes('/') ? rel.slice(0, rel.lastIndexOf('/')) : '';
        if (parent === '' || !rule.regex.test(parent)) continue;
      } else if (!rule.regex.test(rel)) continue;
      ignored = !rule.negated;
    }
  }
  return ignored;
}
