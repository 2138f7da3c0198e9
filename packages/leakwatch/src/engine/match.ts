import { hasInlineAllow, isAllowlisted } from './allowlist.js';
import type { CompiledRule, RuleSet } from './compile.js';
import { findBase64Runs, mayContainEscapes, unescapeText } from './decode.js';
import { shannonEntropy } from './entropy.js';
import type { Chunk, Match } from './types.js';

const decoder = new TextDecoder('utf-8');
const NL = 10;
/** How far a window may be stretched to reach a line boundary. */
const LINE_SLACK = 256;
const MAX_LINE_TEXT = 240;
/**
 * Escapes worth undoing: JSON/JS string escapes of quotes, slashes and code points, URL escapes,
 * and escaped line breaks inside a PEM block. Plain `\n` in source code alone is not enough.
 */
const MAY_BE_ESCAPED = /\\["/ux]|%[2-7][0-9A-Fa-f]|-----BEGIN[^\n]*\\n/;

export interface MatchStats {
  allowlisted: number;
}

/** Byte-offset bookkeeping for one chunk: lines are counted only when something matched. */
class ChunkIndex {
  private newlines?: Int32Array;

  constructor(
    readonly bytes: Uint8Array,
    readonly offset: number,
    readonly firstLine: number,
  ) {}

  private lines(): Int32Array {
    if (!this.newlines) {
      const out: number[] = [];
      const b = this.bytes;
      let i = b.indexOf(NL);
      while (i !== -1) {
        out.push(i);
        i = b.indexOf(NL, i + 1);
      }
      this.newlines = Int32Array.from(out);
    }
    return this.newlines;
  }

  /** 0-based count of newlines before `pos`, and the byte where that line starts. */
  locate(pos: number): { line: number; lineStart: number } {
    const nl = this.lines();
    let lo = 0;
    let hi = nl.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((nl[mid] as number) < pos) lo = mid + 1;
      else hi = mid;
    }
    return { line: lo, lineStart: lo === 0 ? 0 : (nl[lo - 1] as number) + 1 };
  }

  text(a: number, b: number): string {
    return decoder.decode(this.bytes.subarray(a, b));
  }
}

function utf8Length(s: string, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

function pickSecret(
  rule: CompiledRule,
  m: RegExpExecArray,
): { secret: string; index: number } | null {
  let value: string | undefined;
  let group = 0;
  if (rule.secretGroup !== undefined) {
    if (rule.secretGroup >= m.length) return null;
    value = m[rule.secretGroup];
    group = rule.secretGroup;
  } else if (m.length > 1) {
    for (let g = 1; g < m.length; g++) {
      if (m[g]) {
        value = m[g];
        group = g;
        break;
      }
    }
    if (value === undefined) value = m[0];
  } else {
    value = m[0];
  }
  if (!value) return null;
  const index = group === 0 ? m.index : m.index + Math.max(0, m[0].indexOf(value));
  return { secret: value, index };
}

/** Keyword windows per rule, merged as hits arrive (hits come in increasing order). */
function collectWindows(set: RuleSet, bytes: Uint8Array): Map<number, number[]> {
  const windows = new Map<number, number[]>();
  const lengths = set.keywords.lengths;
  const n = bytes.length;
  set.keywords.scan(bytes, (kw, end) => {
    const rules = set.keywordRules[kw] as number[];
    const kwStart = end - (lengths[kw] as number);
    for (const r of rules) {
      const w = (set.rules[r] as CompiledRule).window;
      const a = Math.max(0, kwStart - w);
      const b = Math.min(n, end + w);
      let list = windows.get(r);
      if (!list) windows.set(r, (list = []));
      const last = list.length - 1;
      if (last > 0 && a <= (list[last] as number)) list[last] = Math.max(list[last] as number, b);
      else list.push(a, b);
    }
  });
  return windows;
}

function stretchToLines(
  bytes: Uint8Array,
  a: number,
  b: number,
): [number, number, boolean, boolean] {
  // Bounded searches: a minified file may have no newline for megabytes.
  const from = Math.max(0, a - LINE_SLACK);
  const prev = bytes.subarray(from, a).lastIndexOf(NL);
  const start = prev !== -1 ? from + prev + 1 : from === 0 ? 0 : a;
  const to = Math.min(bytes.length, b + LINE_SLACK);
  const next = bytes.subarray(b, to).indexOf(NL);
  const end = next !== -1 ? b + next : to === bytes.length ? to : b;
  const startsClean = start === 0 || bytes[start - 1] === NL;
  const endsClean = end === bytes.length || bytes[end] === NL;
  return [start, end, startsClean, endsClean];
}

interface RunContext {
  set: RuleSet;
  chunk: Chunk;
  index: ChunkIndex;
  path: string | undefined;
  out: Match[];
  seen: Set<string>;
  stats: MatchStats;
  encoding?: string;
  /** Whether the chunk has any escapes worth undoing (see mayContainEscapes). */
  escapes: boolean;
  /** for decoded content: where the encoded text sits in the original chunk */
  anchor?: { line: number; column: number; start: number; end: number; lineText: string };
}

function lineTextAt(idx: ChunkIndex, pos: number, lineStart: number): string {
  // Bounded: a minified file's line may run for megabytes.
  const limit = Math.min(idx.bytes.length, lineStart + 4 * MAX_LINE_TEXT);
  const nl = idx.bytes.subarray(pos, limit).indexOf(NL);
  const text = idx.text(lineStart, nl === -1 ? limit : pos + nl);
  if (text.length <= MAX_LINE_TEXT) return text;
  const from = Math.max(0, Math.min(text.length, pos - lineStart) - MAX_LINE_TEXT / 2);
  return text.slice(from, from + MAX_LINE_TEXT);
}

function emit(
  ctx: RunContext,
  rule: CompiledRule,
  secret: string,
  whole: string,
  byteStart: number,
  byteEnd: number,
): void {
  const entropy = shannonEntropy(secret);
  if (rule.entropy !== undefined && entropy < rule.entropy) return;
  if (rule.validate && !rule.validate(secret)) return;
  const key = `${rule.id}\u0000${byteStart}\u0000${secret}`;
  if (ctx.seen.has(key)) return;
  ctx.seen.add(key);

  const base = ctx.chunk.offset ?? 0;
  const firstLine = ctx.chunk.firstLine ?? 1;
  let line: number;
  let column: number;
  let endLine: number;
  let endColumn: number;
  let lineText: string;
  let start: number;
  let end: number;
  if (ctx.anchor) {
    ({ line, column, lineText, start, end } = ctx.anchor);
    endLine = line;
    endColumn = column;
  } else {
    const s = ctx.index.locate(byteStart);
    const e = ctx.index.locate(byteEnd);
    line = firstLine + s.line;
    column = ctx.index.text(s.lineStart, byteStart).length + 1;
    endLine = firstLine + e.line;
    endColumn = ctx.index.text(e.lineStart, byteEnd).length + 1;
    lineText = lineTextAt(ctx.index, byteStart, s.lineStart);
    start = base + byteStart;
    end = base + byteEnd;
  }
  if (hasInlineAllow(lineText)) {
    ctx.stats.allowlisted++;
    return;
  }
  if (
    isAllowlisted(ctx.set, rule, {
      secret,
      match: whole,
      line: lineText,
      provenance: ctx.chunk.provenance,
    })
  ) {
    ctx.stats.allowlisted++;
    return;
  }
  const m: Match = {
    ruleId: rule.id,
    secret,
    match: whole,
    provenance: ctx.chunk.provenance,
    start,
    end,
    line,
    column,
    endLine,
    endColumn,
    lineText,
    entropy,
  };
  if (ctx.encoding) m.encoding = ctx.encoding;
  ctx.out.push(m);
}

/**
 * Runs a rule over one window. A match cut by the window's right edge may be the start of a long
 * token (a JWT, a 1Password token): the window then grows and the rule runs again (matches already
 * reported are deduplicated).
 */
function runRule(ctx: RunContext, rule: CompiledRule, a: number, b: number): void {
  const size = ctx.index.bytes.length;
  let end = b;
  for (let grown = 0; runWindow(ctx, rule, a, end) && end < size && grown < 3; grown++) {
    end = Math.min(size, end + 8 * (end - a));
  }
}

/** Returns true when a match touched the window's right edge (and so may have been cut). */
function runWindow(ctx: RunContext, rule: CompiledRule, a: number, b: number): boolean {
  const regex = rule.regex as RegExp;
  let cutAtEnd = false;
  const [start, end, startsClean, endsClean] = stretchToLines(ctx.index.bytes, a, b);
  const text = ctx.index.text(start, end);
  const rawSecrets = new Set<string>();
  regex.lastIndex = 0;
  // Byte offsets are computed incrementally: matches come in increasing order.
  let charPos = 0;
  let bytePos = start;
  let m: RegExpExecArray | null;
  while ((m = regex.exec(text)) !== null) {
    if (m[0].length === 0) {
      regex.lastIndex++;
      continue;
    }
    // A match cut by the window edge is a fragment of something longer, not a token.
    if (m.index + m[0].length === text.length && !endsClean) {
      cutAtEnd = true;
      continue;
    }
    if (m.index === 0 && !startsClean) continue;
    const picked = pickSecret(rule, m);
    if (!picked) continue;
    rawSecrets.add(picked.secret);
    if (picked.index < charPos) {
      charPos = 0;
      bytePos = start;
    }
    bytePos += utf8Length(text, charPos, picked.index);
    charPos = picked.index;
    const byteStart = bytePos;
    const byteEnd = byteStart + utf8Length(picked.secret, 0, picked.secret.length);
    emit(ctx, rule, picked.secret, m[0], byteStart, byteEnd);
  }
  // Secrets inside JSON/URL-escaped strings (notebooks, JSON-embedded keys): match the unescaped text.
  if (!ctx.encoding && ctx.escapes && MAY_BE_ESCAPED.test(text)) {
    const unescaped = unescapeText(text);
    if (unescaped !== text) {
      // A secret that itself contains escapes was already found raw: do not report it twice.
      for (const raw of [...rawSecrets]) rawSecrets.add(unescapeText(raw));
      regex.lastIndex = 0;
      while ((m = regex.exec(unescaped)) !== null) {
        if (m[0].length === 0) {
          regex.lastIndex++;
          continue;
        }
        const picked = pickSecret(rule, m);
        if (!picked || rawSecrets.has(picked.secret)) continue;
        const probe = text.indexOf(picked.secret.slice(0, 12));
        const at = start + utf8Length(text, 0, probe === -1 ? 0 : probe);
        const saved = ctx.encoding;
        ctx.encoding = 'escaped';
        emit(ctx, rule, picked.secret, m[0], at, at);
        ctx.encoding = saved;
      }
    }
  }
  return cutAtEnd;
}

function matchInto(ctx: RunContext): void {
  const { set, chunk, path } = ctx;
  const bytes = chunk.bytes;
  const allowedByPath = (rule: CompiledRule): boolean =>
    !rule.path || (path !== undefined && rule.path.test(path));

  if (!ctx.encoding && (chunk.offset ?? 0) === 0 && path !== undefined) {
    for (const r of set.pathOnly) {
      const rule = set.rules[r] as CompiledRule;
      if (rule.path?.test(path)) {
        ctx.out.push({
          ruleId: rule.id,
          secret: path,
          match: path,
          provenance: chunk.provenance,
          start: 0,
          end: 0,
          line: 1,
          column: 1,
          endLine: 1,
          endColumn: 1,
          lineText: '',
          entropy: 0,
        });
      }
    }
  }

  const windows = collectWindows(set, bytes);
  for (const [r, list] of windows) {
    const rule = set.rules[r] as CompiledRule;
    if (!allowedByPath(rule)) continue;
    for (let i = 0; i < list.length; i += 2)
      runRule(ctx, rule, list[i] as number, list[i + 1] as number);
  }
  for (const r of set.unkeyed) {
    const rule = set.rules[r] as CompiledRule;
    if (!allowedByPath(rule)) continue;
    runRule(ctx, rule, 0, bytes.length);
  }
}

/**
 * Finds every rule match in a chunk: keyword prefilter over bytes, then each rule's regex only
 * around its keyword hits; plus secrets hidden in base64 and escaped strings.
 */
export function matchChunk(
  set: RuleSet,
  chunk: Chunk,
  stats: MatchStats = { allowlisted: 0 },
): Match[] {
  const path = chunk.provenance.path;
  const ctx: RunContext = {
    set,
    chunk,
    index: new ChunkIndex(chunk.bytes, chunk.offset ?? 0, chunk.firstLine ?? 1),
    path,
    out: [],
    seen: new Set(),
    stats,
    escapes: mayContainEscapes(chunk.bytes),
  };
  matchInto(ctx);

  for (const run of findBase64Runs(chunk.bytes)) {
    const s = ctx.index.locate(run.start);
    const lineText = lineTextAt(ctx.index, run.start, s.lineStart);
    const inner: RunContext = {
      ...ctx,
      chunk: { bytes: run.decoded, provenance: chunk.provenance },
      index: new ChunkIndex(run.decoded, 0, 1),
      encoding: 'base64',
      anchor: {
        line: (chunk.firstLine ?? 1) + s.line,
        column: ctx.index.text(s.lineStart, run.start).length + 1,
        start: (chunk.offset ?? 0) + run.start,
        end: (chunk.offset ?? 0) + run.end,
        lineText,
      },
    };
    matchInto(inner);
  }
  return ctx.out;
}
