// Thin I/O wrapper around the pure validator: finds, reads and parses config files.
// Order: --config flag, LEAKWATCH_CONFIG, leakwatch.toml or .gitleaks.toml in the scanned root,
// then the built-in rules.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, TomlError } from 'smol-toml';
import { compileRules } from '../engine/compile.js';
import type { RuleSet } from '../engine/compile.js';
import { knownTranslations, primeTranslations } from '../engine/regex.js';
import type { TranslatedRegex } from '../engine/regex.js';
import type { AllowlistSpec, RuleSpec } from '../engine/types.js';
import { verifyTableErrors } from '../verify/spec.js';
import { formatIssue, validateConfig } from './validate.js';
import type { ConfigIssue, ValidationResult, VerifyValidator } from './validate.js';

export const BUILTIN_RULES_DIR = fileURLToPath(new URL('../../rules/', import.meta.url));
/** Parsed built-in rules and their regex translations, written at build time (start-up speed). */
const BUILTIN_BUNDLE = fileURLToPath(new URL('../builtin-rules.json', import.meta.url));
const TRANSLATOR = fileURLToPath(new URL('../engine/regex.js', import.meta.url));
export const REPO_CONFIG_NAMES = ['leakwatch.toml', '.leakwatch.toml', '.gitleaks.toml'];

export class ConfigError extends Error {
  constructor(readonly issues: ConfigIssue[]) {
    super(issues.map(formatIssue).join('\n'));
  }
}

export interface LoadedConfig {
  specs: RuleSpec[];
  allowlists: { spec: AllowlistSpec; source: string }[];
  ruleSet: RuleSet;
  /** Which config file decided the rules ('builtin' when none). */
  origin: { kind: 'flag' | 'env' | 'repository' | 'builtin'; path?: string };
  warnings: ConfigIssue[];
}

function headerLines(text: string): number[] {
  const lines: number[] = [];
  text.split('\n').forEach((l, i) => {
    if (/^\s*\[\[\s*rules\s*\]\]/.test(l)) lines.push(i + 1);
  });
  return lines;
}

/** Parses and validates TOML text; syntax errors come back as issues with line and column. */
export function parseConfigText(
  text: string,
  source: string,
  verify: VerifyValidator = verifyTableErrors,
): ValidationResult {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (e) {
    if (e instanceof TomlError) {
      const firstLine = e.message.split('\n')[0] ?? e.message;
      return {
        config: { rules: [], allowlists: [], extend: { useDefault: false, disabledRules: [] } },
        errors: [
          {
            source,
            line: e.line,
            field: '',
            message: `invalid TOML at line ${e.line}, column ${e.column}: ${firstLine.replace(/^Invalid TOML document: /, '')}`,
          },
        ],
        warnings: [],
      };
    }
    throw e;
  }
  return validateConfig(doc, source, headerLines(text), verify);
}

function readConfigFile(path: string, verify?: VerifyValidator): ValidationResult {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    return {
      config: { rules: [], allowlists: [], extend: { useDefault: false, disabledRules: [] } },
      errors: [
        {
          source: path,
          field: '',
          message: `cannot read config: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
        },
      ],
      warnings: [],
    };
  }
  return parseConfigText(text, path, verify);
}

export interface BuiltinRules {
  specs: RuleSpec[];
  allowlists: { spec: AllowlistSpec; source: string }[];
  files: string[];
  warnings: ConfigIssue[];
}

let builtinCache: BuiltinRules | undefined;

interface Bundle {
  key: string;
  rules: BuiltinRules;
  translations: [string, TranslatedRegex][];
}

function readBuiltinFiles(): { files: string[]; texts: string[]; key: string } {
  const files = readdirSync(BUILTIN_RULES_DIR)
    .filter((f) => f.endsWith('.toml'))
    .sort();
  const texts = files.map((f) => readFileSync(join(BUILTIN_RULES_DIR, f), 'utf8'));
  const hash = createHash('sha256');
  files.forEach((f, i) => hash.update(`${f}\u0000${texts[i]}\u0000`));
  // The bundle holds regex translations too: a changed translator invalidates it.
  try {
    hash.update(readFileSync(TRANSLATOR));
  } catch {
    // running from source: there is no bundle to match anyway
  }
  return { files, texts, key: hash.digest('hex') };
}

function parseBuiltins(files: string[], texts: string[], verify?: VerifyValidator): BuiltinRules {
  const out: BuiltinRules = { specs: [], allowlists: [], files, warnings: [] };
  const errors: ConfigIssue[] = [];
  files.forEach((f, i) => {
    const r = parseConfigText(texts[i] as string, join(BUILTIN_RULES_DIR, f), verify);
    errors.push(...r.errors);
    out.warnings.push(...r.warnings);
    out.specs.push(...r.config.rules.map((s) => ({ ...s, origin: 'builtin' as const })));
    out.allowlists.push(...r.config.allowlists);
  });
  if (errors.length > 0) throw new ConfigError(errors);
  return out;
}

/**
 * Loads every rules/*.toml shipped with leakwatch. Errors here are bugs: they throw. The build's
 * bundle is used when its content hash matches the files, so edited rules are never stale.
 */
export function loadBuiltinRules(verify?: VerifyValidator): BuiltinRules {
  if (builtinCache && !verify) return builtinCache;
  const { files, texts, key } = readBuiltinFiles();
  if (!verify) {
    try {
      const bundle = JSON.parse(readFileSync(BUILTIN_BUNDLE, 'utf8')) as Bundle;
      if (bundle.key === key) {
        primeTranslations(bundle.translations);
        builtinCache = bundle.rules;
        return bundle.rules;
      }
    } catch {
      // no bundle (running from source) or an unreadable one: parse the files
    }
  }
  const out = parseBuiltins(files, texts, verify);
  if (!verify) builtinCache = out;
  return out;
}

/** Writes the start-up bundle of the built-in rules (run by the build). */
export function writeBuiltinBundle(): { rules: number; path: string } {
  const { files, texts, key } = readBuiltinFiles();
  const rules = parseBuiltins(files, texts);
  compileRules(rules.specs, rules.allowlists);
  const bundle: Bundle = { key, rules, translations: knownTranslations() };
  writeFileSync(BUILTIN_BUNDLE, JSON.stringify(bundle));
  return { rules: rules.specs.length, path: BUILTIN_BUNDLE };
}

export interface LoadOptions {
  /** --config */
  configPath?: string;
  cwd: string;
  env: Record<string, string | undefined>;
  /** The scanned root, searched for leakwatch.toml / .gitleaks.toml. */
  root?: string;
  /**
   * Read the repository config from here instead of the work tree (git --range: the base commit's
   * config); null: the base has none, so use the built-ins without searching the work tree.
   */
  repositoryConfigText?: { text: string; source: string } | null;
  verify?: VerifyValidator;
}

function resolveChain(
  path: string,
  origin: RuleSpec['origin'],
  verify: VerifyValidator | undefined,
  depth = 0,
): {
  specs: RuleSpec[];
  allowlists: { spec: AllowlistSpec; source: string }[];
  warnings: ConfigIssue[];
} {
  const r = readConfigFile(path, verify);
  return fromResult(r, dirname(path), origin, verify, depth);
}

function fromResult(
  r: ValidationResult,
  baseDir: string,
  origin: RuleSpec['origin'],
  verify: VerifyValidator | undefined,
  depth: number,
): {
  specs: RuleSpec[];
  allowlists: { spec: AllowlistSpec; source: string }[];
  warnings: ConfigIssue[];
} {
  if (r.errors.length > 0) throw new ConfigError(r.errors);
  const own = r.config.rules.map((s) => ({ ...s, origin }));
  let specs: RuleSpec[] = [];
  let allowlists = [...r.config.allowlists];
  const warnings = [...r.warnings];
  const { extend } = r.config;
  if (extend.path !== undefined) {
    if (depth > 4)
      throw new ConfigError([
        {
          source: baseDir,
          field: 'extend.path',
          message: 'configs extend each other too deeply (more than 4 levels)',
        },
      ]);
    const base = resolveChain(resolve(baseDir, extend.path), origin, verify, depth + 1);
    specs = base.specs;
    allowlists = [...base.allowlists, ...allowlists];
    warnings.push(...base.warnings);
  }
  if (extend.useDefault) {
    const builtin = loadBuiltinRules(verify);
    specs = [...builtin.specs, ...specs];
    allowlists = [...builtin.allowlists, ...allowlists];
  }
  // Later definitions of an id replace earlier ones; disabled rules go.
  const byId = new Map<string, RuleSpec>();
  for (const s of [...specs, ...own]) byId.set(s.id, s);
  for (const id of extend.disabledRules) byId.delete(id);
  return { specs: [...byId.values()], allowlists, warnings };
}

/** Finds and loads the effective config; throws ConfigError listing every problem. */
export function loadConfig(opts: LoadOptions): LoadedConfig {
  const explicit = opts.configPath ?? opts.env.LEAKWATCH_CONFIG;
  let origin: LoadedConfig['origin'] = { kind: 'builtin' };
  let loaded: ReturnType<typeof fromResult>;
  if (explicit !== undefined && explicit !== '') {
    const path = resolve(opts.cwd, explicit);
    if (!existsSync(path)) {
      throw new ConfigError([
        {
          source: path,
          field: '',
          message: `config file not found (from ${opts.configPath !== undefined ? '--config' : 'LEAKWATCH_CONFIG'})`,
        },
      ]);
    }
    origin = { kind: opts.configPath !== undefined ? 'flag' : 'env', path };
    loaded = resolveChain(path, 'user', opts.verify);
  } else if (opts.repositoryConfigText === null) {
    const b = loadBuiltinRules(opts.verify);
    loaded = { specs: b.specs, allowlists: b.allowlists, warnings: b.warnings };
  } else if (opts.repositoryConfigText) {
    const { text, source } = opts.repositoryConfigText;
    origin = { kind: 'repository', path: source };
    const parsed = parseConfigText(text, source, opts.verify);
    // A config read from a revision may not pull in files from the work tree, which the change
    // under review controls.
    if (parsed.config.extend.path !== undefined) {
      throw new ConfigError([
        {
          source,
          field: 'extend.path',
          message: 'not allowed in a config read from a git revision (--range); use --config',
        },
      ]);
    }
    loaded = fromResult(parsed, opts.cwd, 'repository', opts.verify, 0);
  } else {
    const root = resolve(opts.cwd, opts.root ?? '.');
    const found = REPO_CONFIG_NAMES.map((n) => join(root, n)).find((p) => existsSync(p));
    if (found) {
      origin = { kind: 'repository', path: found };
      loaded = resolveChain(found, 'repository', opts.verify);
    } else {
      const b = loadBuiltinRules(opts.verify);
      loaded = { specs: b.specs, allowlists: b.allowlists, warnings: b.warnings };
    }
  }
  const ruleSet = compileRules(loaded.specs, loaded.allowlists);
  return {
    specs: loaded.specs,
    allowlists: loaded.allowlists,
    ruleSet,
    origin,
    warnings: loaded.warnings,
  };
}
