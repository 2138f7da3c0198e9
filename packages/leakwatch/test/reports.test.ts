import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv from 'ajv';
import AjvDraft04 from 'ajv-draft-04';
import addFormats from 'ajv-formats';
import { parse } from 'smol-toml';
import { describe, expect, it } from 'vitest';
import { BUILTIN_RULES_DIR, loadConfig } from '../src/config/load.js';
import { formatCsv, formatJson, formatSarif, formatText } from '../src/report/index.js';
import { scan } from '../src/scan.js';
import type { ScanResult } from '../src/engine/types.js';
import { tempDir } from './helpers/cli.js';
import { fakeGithubToken } from './helpers/tokens.js';

const here = new URL('.', import.meta.url).pathname;
const schemaDir = new URL('../schemas/', import.meta.url).pathname;

/** A scan of a fixed tree with a fixed clock and hasher: byte-for-byte reproducible output. */
async function fixedResult(): Promise<ScanResult> {
  const dir = tempDir('lw-golden-');
  writeFileSync(
    join(dir, 'app.env'),
    `GITHUB_TOKEN=${fakeGithubToken(11)}\nAWS_ACCESS_KEY_ID=AKIAZ7Q3KX4NW2PLR5TM\nAWS_SECRET_ACCESS_KEY=q8Lw3Zr+Tn5VbK2mY9xH7cJ4pF6sD1gA0eR8uWiO\n`,
  );
  writeFileSync(join(dir, 'notes, "quoted".txt'), `=cmd|' ${fakeGithubToken(12)}\n`);
  const config = loadConfig({ cwd: dir, env: {}, root: '.' });
  let t = Date.parse('2026-11-25T12:00:00Z');
  const result = await scan({
    paths: ['.'],
    cwd: dir,
    config,
    now: () => new Date((t += 5)),
    hasher: (id, s) => `h${s.length}${id.length}`,
    workers: false,
  });
  return result;
}

function golden(name: string, actual: string): void {
  const file = join(here, 'golden', name);
  if (process.env.UPDATE_GOLDEN) writeFileSync(file, actual);
  expect(actual).toBe(readFileSync(file, 'utf8'));
}

describe('report formats', () => {
  it('match their golden files (UPDATE_GOLDEN=1 to regenerate)', async () => {
    const r = await fixedResult();
    golden('report.txt', formatText(r, { redact: true, color: false }));
    golden('report.json', formatJson(r, { redact: true }));
    golden('report.sarif', formatSarif(r, { redact: true }));
    golden('report.csv', formatCsv(r, { redact: true }));
  });

  it('never contain a raw secret when redacting', async () => {
    const r = await fixedResult();
    const outputs = [
      formatText(r, { redact: true, color: false }),
      formatJson(r, { redact: true }),
      formatSarif(r, { redact: true }),
      formatCsv(r, { redact: true }),
    ];
    for (const f of r.findings) {
      for (const out of outputs) {
        expect(out).not.toContain(f.secret);
        for (const p of f.parts) expect(out).not.toContain(p.secret);
      }
    }
    expect(formatJson(r, { redact: false })).toContain(r.findings[0]?.secret);
  });

  it('JSON validates against the published report schema', async () => {
    const ajv = new Ajv.default({ allErrors: true, strict: false });
    addFormats.default(ajv);
    const validate = ajv.compile(
      JSON.parse(readFileSync(join(schemaDir, 'report.schema.json'), 'utf8')),
    );
    for (const redact of [true, false]) {
      const doc = JSON.parse(formatJson(await fixedResult(), { redact }));
      expect(validate(doc), JSON.stringify(validate.errors)).toBe(true);
    }
    expect(validate({ schemaVersion: 2 })).toBe(false);
  });

  it('SARIF validates against the official SARIF 2.1.0 schema', async () => {
    const schemaPath = new URL(
      '../../../node_modules/@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json',
      import.meta.url,
    ).pathname;
    const ajv = new AjvDraft04.default({ allErrors: true, strict: false, unicodeRegExp: false });
    addFormats.default(ajv as unknown as Ajv.default);
    const validate = ajv.compile(JSON.parse(readFileSync(schemaPath, 'utf8')));
    const sarif = JSON.parse(formatSarif(await fixedResult(), { redact: true }));
    expect(validate(sarif), JSON.stringify(validate.errors?.slice(0, 3))).toBe(true);
    expect(sarif.runs[0].results[0].partialFingerprints['leakwatch/v1']).toMatch(/:/);
    sarif.runs[0].results[0].level = 'fatal';
    expect(validate(sarif)).toBe(false);
  });

  it('CSV quotes fields and defuses spreadsheet formulas', async () => {
    const csv = formatCsv(await fixedResult(), { redact: true });
    expect(csv).toContain('"notes, ""quoted"".txt"');
    expect(csv.split('\r\n')[0]).toBe(
      'fingerprint,rule_id,provider,severity,secret,path,line,column,encoding,commit,introduced_commit,introduced_at,author_email,verification',
    );
  });

  it('the config schema accepts every built-in rule file', () => {
    const ajv = new Ajv.default({ allErrors: true, strict: false });
    const validate = ajv.compile(
      JSON.parse(readFileSync(join(schemaDir, 'config.schema.json'), 'utf8')),
    );
    for (const f of readdirSync(BUILTIN_RULES_DIR).filter((n) => n.endsWith('.toml'))) {
      const doc = JSON.parse(
        JSON.stringify(parse(readFileSync(join(BUILTIN_RULES_DIR, f), 'utf8'))),
      );
      expect(validate(doc), `${f}: ${JSON.stringify(validate.errors?.slice(0, 2))}`).toBe(true);
    }
    expect(validate({ rules: [{ id: 'x', regex: 'y', severity: 'urgent' }] })).toBe(false);
  });
});
