import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { errorCodes } from '../src/errors.js';

const docsPath = fileURLToPath(new URL('../../../docs/errors.md', import.meta.url));
const sourceFiles = ['app.ts', 'routes/api.ts', 'routes/public.ts'];

describe('docs/errors.md', () => {
  const docs = readFileSync(docsPath, 'utf8');
  const documented = [...docs.matchAll(/^### (LW_[A-Z_]+)$/gm)].map((m) => m[1]);

  it('documents every server error code, and nothing else', () => {
    expect(documented.sort()).toEqual(Object.keys(errorCodes).sort());
  });

  it('states the HTTP status each code is sent with', () => {
    for (const [code, { status }] of Object.entries(errorCodes)) {
      const section = docs.split(`### ${code}\n`)[1]?.split('\n### ')[0] ?? '';
      expect(section, code).toContain(`HTTP ${status}`);
    }
  });

  it('only uses codes that exist', () => {
    const src = sourceFiles
      .map((f) => readFileSync(fileURLToPath(new URL(`../src/${f}`, import.meta.url)), 'utf8'))
      .join('\n');
    for (const [, code] of src.matchAll(/'(LW_[A-Z_]+)'/g))
      expect(Object.keys(errorCodes)).toContain(code);
  });
});
