// Translates RE2/Go regex syntax (what gitleaks configs use) into a JavaScript RegExp and rejects
// what JavaScript cannot express the same way or what could backtrack catastrophically.
// See docs/decisions/0001-regex-dialect.md.

export class RegexError extends Error {}

interface Flags {
  i: boolean;
  s: boolean;
  m: boolean;
}

/** A node of the parsed pattern, kept just detailed enough for the backtracking analysis. */
type Node =
  | { t: 'char'; set: CharSet; out: string }
  | { t: 'assert'; out: string }
  | { t: 'group'; alts: Node[][]; capture: boolean }
  | { t: 'repeat'; node: Node; min: number; max: number; lazy: boolean };

/** ASCII bitmap plus a "may match non-ASCII" bit: enough to decide overlap conservatively. */
interface CharSet {
  ascii: Uint8Array;
  other: boolean;
}

export interface TranslatedRegex {
  source: string;
  flags: string;
  groups: number;
}

const POSIX: Record<string, string> = {
  alnum: '0-9A-Za-z',
  alpha: 'A-Za-z',
  ascii: '\\x00-\\x7F',
  blank: '\\t ',
  cntrl: '\\x00-\\x1F\\x7F',
  digit: '0-9',
  graph: '!-~',
  lower: 'a-z',
  print: ' -~',
  punct: '!-\\/:-@\\[-`{-~',
  space: '\\t\\n\\v\\f\\r ',
  upper: 'A-Z',
  word: '0-9A-Za-z_',
  xdigit: '0-9A-Fa-f',
};

const UNBOUNDED = Number.POSITIVE_INFINITY;

function emptySet(): CharSet {
  return { ascii: new Uint8Array(128), other: false };
}

function fullSet(): CharSet {
  return { ascii: new Uint8Array(128).fill(1), other: true };
}

function addRange(set: CharSet, lo: number, hi: number): void {
  for (let c = lo; c <= Math.min(hi, 127); c++) set.ascii[c] = 1;
  if (hi > 127) set.other = true;
}

function setFromClass(letter: string): CharSet {
  const set = emptySet();
  const lower = letter.toLowerCase();
  if (lower === 'd') addRange(set, 48, 57);
  else if (lower === 'w') {
    addRange(set, 48, 57);
    addRange(set, 65, 90);
    addRange(set, 97, 122);
    addRange(set, 95, 95);
  } else if (lower === 's') {
    for (const c of [9, 10, 11, 12, 13, 32]) addRange(set, c, c);
  }
  if (letter !== lower) {
    const neg = emptySet();
    for (let c = 0; c < 128; c++) neg.ascii[c] = set.ascii[c] ? 0 : 1;
    neg.other = true;
    return neg;
  }
  return set;
}

function overlaps(a: CharSet, b: CharSet): boolean {
  if (a.other && b.other) return true;
  for (let c = 0; c < 128; c++) if (a.ascii[c] && b.ascii[c]) return true;
  return false;
}

function foldCase(set: CharSet): void {
  for (let c = 65; c <= 90; c++) {
    if (set.ascii[c] || set.ascii[c + 32]) {
      set.ascii[c] = 1;
      set.ascii[c + 32] = 1;
    }
  }
}

const SYNTAX = new Set([...'\\^$.|?*+()[]{}/']);

function escapeChar(ch: string): string {
  return SYNTAX.has(ch) ? `\\${ch}` : ch;
}

function escapeInClass(ch: string): string {
  return '\\^]-['.includes(ch) ? `\\${ch}` : ch;
}

function hexEscape(code: number): string {
  if (code <= 0xff) return `\\x${code.toString(16).padStart(2, '0')}`;
  if (code <= 0xffff) return `\\u${code.toString(16).padStart(4, '0')}`;
  return `\\u{${code.toString(16)}}`;
}

class Parser {
  private pos = 0;
  groups = 0;
  unicode = false;

  constructor(
    private readonly src: string,
    private readonly base: Flags,
    /** The pattern runs with JavaScript's `m` flag: multi-line anchors can stay native. */
    private readonly nativeM = false,
  ) {}

  fail(reason: string): never {
    throw new RegexError(`${reason} at offset ${this.pos}`);
  }

  parse(): Node[][] {
    const alts = this.alternation({ ...this.base });
    if (this.pos < this.src.length) this.fail("unbalanced ')'");
    return alts;
  }

  private peek(n = 0): string {
    return this.src[this.pos + n] ?? '';
  }

  private alternation(flags: Flags): Node[][] {
    const alts: Node[][] = [[]];
    while (this.pos < this.src.length) {
      const ch = this.peek();
      if (ch === ')') break;
      if (ch === '|') {
        this.pos++;
        alts.push([]);
        continue;
      }
      const current = alts[alts.length - 1] as Node[];
      // A bare flag group such as `(?i)` changes the flags for the rest of this group.
      const bare = /^\(\?([imsU-]+)\)/.exec(this.src.slice(this.pos));
      if (bare) {
        this.applyFlags(flags, bare[1] as string);
        this.pos += bare[0].length;
        continue;
      }
      const atom = this.atom(flags);
      if (atom) current.push(this.quantifier(atom));
    }
    return alts;
  }

  private applyFlags(flags: Flags, spec: string): void {
    let on = true;
    for (const f of spec) {
      if (f === '-') on = false;
      else if (f === 'i' || f === 's' || f === 'm') flags[f] = on;
      else this.fail(`unsupported flag '${f}' (ungreedy mode has no JavaScript equivalent)`);
    }
  }

  private quantifier(node: Node): Node {
    let current = node;
    for (;;) {
      const ch = this.peek();
      let min: number;
      let max: number;
      if (ch === '*' || ch === '+' || ch === '?') {
        this.pos++;
        min = ch === '+' ? 1 : 0;
        max = ch === '?' ? 1 : UNBOUNDED;
      } else if (ch === '{') {
        const m = /^\{(\d+)(,(\d*))?\}/.exec(this.src.slice(this.pos));
        if (!m) return current;
        this.pos += m[0].length;
        min = Number(m[1]);
        max = m[2] === undefined ? min : m[3] === '' ? UNBOUNDED : Number(m[3]);
        if (min > 1000 || (max !== UNBOUNDED && max > 1000)) this.fail('repeat count above 1000');
        if (max < min) this.fail('invalid repeat range');
      } else {
        return current;
      }
      if (current.t === 'assert') this.fail('quantifier on an assertion');
      if (current.t === 'repeat' && this.peek() !== '?') {
        // RE2 rejects `a**`; so do we, rather than guess.
        this.fail('repeated quantifier');
      }
      let lazy = false;
      if (this.peek() === '?') {
        lazy = true;
        this.pos++;
      }
      if (this.peek() === '+') this.fail('possessive quantifiers are not RE2 syntax');
      current = { t: 'repeat', node: current, min, max, lazy };
    }
  }

  private atom(flags: Flags): Node | null {
    const ch = this.peek();
    if (ch === '(') return this.group(flags);
    if (ch === '[') return this.charClass(flags);
    if (ch === '\\') return this.escape(flags);
    this.pos++;
    if (ch === '.') {
      return { t: 'char', set: fullSet(), out: flags.s ? '[\\s\\S]' : '[^\\n]' };
    }
    if (ch === '^') {
      if (flags.m) return { t: 'assert', out: this.nativeM ? '^' : '(?<=^|\\n)' };
      return { t: 'assert', out: '(?<![\\s\\S])' };
    }
    if (ch === '$') {
      if (flags.m) return { t: 'assert', out: this.nativeM ? '$' : '(?=$|\\n)' };
      return { t: 'assert', out: '(?![\\s\\S])' };
    }
    if (ch === '*' || ch === '+' || ch === '?') this.fail(`nothing to repeat before '${ch}'`);
    return this.literal(ch.codePointAt(0) as number, flags);
  }

  private literal(code: number, flags: Flags): Node {
    const set = emptySet();
    addRange(set, code, code);
    const ch = String.fromCodePoint(code);
    if (code > 0xffff) this.unicode = true;
    if (flags.i && /[a-z]/i.test(ch)) {
      foldCase(set);
      return { t: 'char', set, out: `[${ch.toLowerCase()}${ch.toUpperCase()}]` };
    }
    const out = code < 32 || code === 127 ? hexEscape(code) : escapeChar(ch);
    return { t: 'char', set, out };
  }

  private group(flags: Flags): Node {
    this.pos++; // (
    let capture = true;
    const inner: Flags = { ...flags };
    if (this.peek() === '?') {
      const rest = this.src.slice(this.pos);
      const named = /^\?P?<([A-Za-z_][A-Za-z0-9_]*)>/.exec(rest);
      const flagged = /^\?([imsU-]*):/.exec(rest);
      if (named) {
        this.pos += named[0].length;
      } else if (flagged) {
        this.applyFlags(inner, flagged[1] as string);
        this.pos += flagged[0].length;
        capture = false;
      } else if (/^\?<?[=!]/.test(rest)) {
        this.fail('lookaround is not RE2 syntax and is not supported');
      } else if (rest.startsWith('?>')) {
        this.fail('atomic groups are not RE2 syntax');
      } else {
        this.fail('unknown group syntax');
      }
    }
    if (capture) this.groups++;
    const alts = this.alternation(inner);
    if (this.peek() !== ')') this.fail("missing ')'");
    this.pos++;
    return { t: 'group', alts, capture };
  }

  private escape(flags: Flags): Node {
    this.pos++; // backslash
    const ch = this.peek();
    this.pos++;
    if (ch === '') this.fail('trailing backslash');
    if ('dDwWsS'.includes(ch)) return { t: 'char', set: setFromClass(ch), out: `\\${ch}` };
    if (ch === 'b' || ch === 'B') return { t: 'assert', out: `\\${ch}` };
    if (ch === 'A') return { t: 'assert', out: '(?<![\\s\\S])' };
    if (ch === 'z') return { t: 'assert', out: '(?![\\s\\S])' };
    if (ch === 'Z') this.fail('\\Z is not RE2 syntax (use \\z)');
    if (ch === 'Q') {
      const end = this.src.indexOf('\\E', this.pos);
      const text = this.src.slice(this.pos, end === -1 ? undefined : end);
      this.pos = end === -1 ? this.src.length : end + 2;
      const seq: Node[] = [...text].map((c) => this.literal(c.codePointAt(0) as number, flags));
      return { t: 'group', alts: [seq], capture: false };
    }
    if (ch === 'p' || ch === 'P') return this.unicodeClass(ch === 'P');
    if (/[1-9]/.test(ch)) this.fail('backreferences are not RE2 syntax');
    if (ch === 'C') this.fail('\\C is not supported');
    const code = this.escapedCode(ch);
    return this.literal(code, flags);
  }

  /** Code point of a single-character escape (used both inside and outside classes). */
  private escapedCode(ch: string): number {
    const simple: Record<string, number> = { t: 9, n: 10, v: 11, f: 12, r: 13, a: 7 };
    if (ch in simple) return simple[ch] as number;
    if (ch === 'x') {
      if (this.peek() === '{') {
        const end = this.src.indexOf('}', this.pos);
        if (end === -1) this.fail("missing '}' in \\x{...}");
        const code = parseInt(this.src.slice(this.pos + 1, end), 16);
        this.pos = end + 1;
        if (Number.isNaN(code) || code > 0x10ffff) this.fail('invalid \\x{...} escape');
        return code;
      }
      const hex = this.src.slice(this.pos, this.pos + 2);
      if (!/^[0-9A-Fa-f]{2}$/.test(hex)) this.fail('invalid \\x escape');
      this.pos += 2;
      return parseInt(hex, 16);
    }
    if (ch === '0') {
      const oct = /^[0-7]{0,2}/.exec(this.src.slice(this.pos))?.[0] ?? '';
      this.pos += oct.length;
      return parseInt(`0${oct}`, 8);
    }
    if (/[A-Za-z0-9]/.test(ch)) this.fail(`unknown escape \\${ch}`);
    return ch.codePointAt(0) as number;
  }

  private unicodeClass(negated: boolean): Node {
    let name: string;
    if (this.peek() === '{') {
      const end = this.src.indexOf('}', this.pos);
      if (end === -1) this.fail("missing '}' in \\p{...}");
      name = this.src.slice(this.pos + 1, end);
      this.pos = end + 1;
    } else {
      name = this.peek();
      this.pos++;
    }
    if (name.startsWith('^')) {
      negated = !negated;
      name = name.slice(1);
    }
    if (!/^[A-Za-z_]+$/.test(name)) this.fail(`invalid unicode class \\p{${name}}`);
    this.unicode = true;
    const prop = name.length <= 2 ? name : `Script=${name}`;
    return { t: 'char', set: fullSet(), out: `\\${negated ? 'P' : 'p'}{${prop}}` };
  }

  private charClass(flags: Flags): Node {
    this.pos++; // [
    let negated = false;
    if (this.peek() === '^') {
      negated = true;
      this.pos++;
    }
    const set = emptySet();
    let out = '';
    let first = true;
    while (this.pos < this.src.length && (this.peek() !== ']' || first)) {
      first = false;
      const posix = /^\[:(\^?)([a-z]+):\]/.exec(this.src.slice(this.pos));
      if (posix) {
        const body = POSIX[posix[2] as string];
        if (!body) this.fail(`unknown POSIX class [:${posix[2]}:]`);
        if (posix[1]) this.fail(`negated POSIX class [:^${posix[2]}:] inside a class`);
        this.pos += posix[0].length;
        out += body;
        const parsed = new Parser(`[${body}]`, flags).charClassSet();
        for (let c = 0; c < 128; c++) if (parsed.ascii[c]) set.ascii[c] = 1;
        continue;
      }
      if (this.peek() === '\\' && 'dDwWsSpP'.includes(this.peek(1))) {
        const letter = this.peek(1);
        if (letter === 'p' || letter === 'P') {
          this.pos += 2;
          const node = this.unicodeClass(letter === 'P');
          out += node.t === 'char' ? node.out : '';
          set.other = true;
          for (let c = 0; c < 128; c++) set.ascii[c] = 1;
          continue;
        }
        this.pos += 2;
        out += `\\${letter}`;
        const s = setFromClass(letter);
        for (let c = 0; c < 128; c++) if (s.ascii[c]) set.ascii[c] = 1;
        if (s.other) set.other = true;
        continue;
      }
      const lo = this.classChar();
      let hi = lo;
      if (this.peek() === '-' && this.peek(1) !== ']' && this.peek(1) !== '') {
        this.pos++;
        hi = this.classChar();
        if (hi < lo) this.fail('invalid character class range');
      }
      addRange(set, lo, hi);
      if (lo > 0xffff || hi > 0xffff) this.unicode = true;
      const fmt = (c: number): string =>
        c < 32 || c >= 127 ? hexEscape(c) : escapeInClass(String.fromCharCode(c));
      out += lo === hi ? fmt(lo) : `${fmt(lo)}-${fmt(hi)}`;
      if (flags.i) {
        // Add the other case of every ASCII letter in the range, as RE2 does under (?i).
        for (let c = Math.max(lo, 65); c <= Math.min(hi, 122); c++) {
          const ch = String.fromCharCode(c);
          if (/[a-z]/.test(ch)) out += ch.toUpperCase();
          else if (/[A-Z]/.test(ch)) out += ch.toLowerCase();
        }
      }
    }
    if (this.peek() !== ']') this.fail("missing ']'");
    this.pos++;
    if (flags.i) foldCase(set);
    if (negated) {
      for (let c = 0; c < 128; c++) set.ascii[c] = set.ascii[c] ? 0 : 1;
      set.other = true;
    }
    return { t: 'char', set, out: `[${negated ? '^' : ''}${out}]` };
  }

  /** Parses a whole `[...]` source and returns its set; used for POSIX bodies. */
  charClassSet(): CharSet {
    const node = this.charClass({ i: false, s: false, m: false });
    return node.t === 'char' ? node.set : emptySet();
  }

  private classChar(): number {
    const ch = this.peek();
    if (ch === '\\') {
      this.pos++;
      const e = this.peek();
      this.pos++;
      return this.escapedCode(e);
    }
    const code = this.src.codePointAt(this.pos) as number;
    this.pos += code > 0xffff ? 2 : 1;
    return code;
  }
}

function emit(alts: Node[][]): string {
  return alts.map((seq) => seq.map(emitNode).join('')).join('|');
}

function emitNode(node: Node): string {
  switch (node.t) {
    case 'char':
    case 'assert':
      return node.out;
    case 'group':
      return node.capture ? `(${emit(node.alts)})` : `(?:${emit(node.alts)})`;
    case 'repeat': {
      const inner = emitNode(node.node);
      const q =
        node.min === 0 && node.max === UNBOUNDED
          ? '*'
          : node.min === 1 && node.max === UNBOUNDED
            ? '+'
            : node.min === 0 && node.max === 1
              ? '?'
              : node.max === UNBOUNDED
                ? `{${node.min},}`
                : node.min === node.max
                  ? `{${node.min}}`
                  : `{${node.min},${node.max}}`;
      return `${inner}${q}${node.lazy ? '?' : ''}`;
    }
  }
}

// ---- catastrophic backtracking analysis -------------------------------------------------------

function canBeEmpty(node: Node): boolean {
  switch (node.t) {
    case 'char':
      return false;
    case 'assert':
      return true;
    case 'group':
      return node.alts.some((seq) => seq.every(canBeEmpty));
    case 'repeat':
      return node.min === 0 || canBeEmpty(node.node);
  }
}

/** Characters that can start a match of the node (null = unknown/anything). */
function firstSet(node: Node): CharSet {
  switch (node.t) {
    case 'char':
      return node.set;
    case 'assert':
      return emptySet();
    case 'repeat':
      return firstSet(node.node);
    case 'group': {
      const out = emptySet();
      for (const seq of node.alts) {
        for (const n of seq) {
          const s = firstSet(n);
          for (let c = 0; c < 128; c++) if (s.ascii[c]) out.ascii[c] = 1;
          if (s.other) out.other = true;
          if (!canBeEmpty(n)) break;
        }
      }
      return out;
    }
  }
}

function hasUnbounded(node: Node): boolean {
  switch (node.t) {
    case 'char':
    case 'assert':
      return false;
    case 'repeat':
      return node.max === UNBOUNDED || node.max > 16 || hasUnbounded(node.node);
    case 'group':
      return node.alts.some((seq) => seq.some(hasUnbounded));
  }
}

/**
 * Rejects the shapes that make a backtracking engine exponential: a loop whose body can match the
 * same text in more than one way. Two cases are checked conservatively:
 *  - an unbounded loop containing another variable-length loop, unless the body has a mandatory
 *    single character that the inner loop cannot consume (a delimiter, as in `(?:[a-z]+\.)+`);
 *  - an unbounded loop over alternatives whose first characters overlap (`(a|ab)*`, `(\w|\d)+`).
 */
function checkBacktracking(alts: Node[][]): string | null {
  for (const seq of alts) {
    for (const node of seq) {
      const r = checkNode(node);
      if (r) return r;
    }
  }
  return null;
}

/** RE2 (like Go) refuses repetition that expands to more than 1000 copies when nested. */
function repeatProduct(node: Node): number {
  switch (node.t) {
    case 'char':
    case 'assert':
      return 1;
    case 'group':
      return Math.max(1, ...node.alts.flatMap((seq) => seq.map(repeatProduct)));
    case 'repeat': {
      const count = node.max === UNBOUNDED ? Math.max(node.min, 1) : node.max;
      return count * repeatProduct(node.node);
    }
  }
}

function checkNode(node: Node): string | null {
  if (node.t === 'group') return checkBacktracking(node.alts);
  if (node.t !== 'repeat') return null;
  if (repeatProduct(node) > 1000) return 'nested repetition expands to more than 1000 copies';
  const inner = node.node;
  const loops = node.max === UNBOUNDED || node.max > 16;
  if (loops) {
    if (canBeEmpty(inner)) return 'a repeated group can match the empty string';
    const bodies = inner.t === 'group' ? inner.alts : [[inner]];
    if (bodies.length > 1) {
      const firsts = bodies.map((seq) => (seq[0] ? firstSet(seq[0]) : emptySet()));
      for (let a = 0; a < firsts.length; a++) {
        for (let b = a + 1; b < firsts.length; b++) {
          if (overlaps(firsts[a] as CharSet, firsts[b] as CharSet)) {
            return 'a repeated alternation whose branches can start with the same character';
          }
        }
      }
    }
    for (const seq of bodies) {
      const variable = seq.filter((n) =>
        n.t === 'repeat' ? n.max !== n.min : n.t === 'group' && hasUnbounded(n),
      );
      for (const v of variable) {
        const vSet = v.t === 'repeat' ? firstSet(v.node) : firstSet(v);
        const delimited = seq.some((n) => n !== v && n.t === 'char' && !overlaps(n.set, vSet));
        if (!delimited) return 'nested quantifiers that can match the same text in many ways';
      }
    }
  }
  return checkNode(inner);
}

const translations = new Map<string, TranslatedRegex>();

/** Seeds the translation cache (the built-in rules ship their translations precomputed). */
export function primeTranslations(entries: Iterable<[string, TranslatedRegex]>): void {
  for (const [pattern, t] of entries) translations.set(pattern, t);
}

export function knownTranslations(): [string, TranslatedRegex][] {
  return [...translations];
}

/** Translates an RE2/Go pattern; throws RegexError with the reason when it cannot. */
export function translateRegex(pattern: string): TranslatedRegex {
  let t = translations.get(pattern);
  if (!t) {
    t = translateUncached(pattern);
    translations.set(pattern, t);
  }
  return t;
}

function translateUncached(pattern: string): TranslatedRegex {
  const lead = /^\(\?([ims]+)\)/.exec(pattern);
  const flags: Flags = { i: false, s: false, m: false };
  let body = pattern;
  if (lead) {
    for (const f of lead[1] as string) flags[f as 'i' | 's' | 'm'] = true;
    body = pattern.slice(lead[0].length);
  }
  // A whole-pattern (?i) maps to the native flag (faster than expanded classes) unless the pattern
  // switches it off somewhere.
  const nativeI = flags.i && !/\(\?[a-zA-Z]*-[a-zA-Z]*i/.test(body);
  // Likewise a whole-pattern (?m): native line anchors are much faster than lookbehinds.
  const nativeM = flags.m && !/\(\?[a-zA-Z]*-[a-zA-Z]*m/.test(body);
  const p = new Parser(body, { ...flags, i: flags.i && !nativeI }, nativeM);
  const alts = p.parse();
  const problem = checkBacktracking(alts);
  if (problem?.startsWith('nested repetition')) throw new RegexError(problem);
  if (problem) throw new RegexError(`may backtrack catastrophically: ${problem}`);
  const source = emit(alts);
  const jsFlags = `g${nativeI ? 'i' : ''}${nativeM ? 'm' : ''}${p.unicode ? 'u' : ''}`;
  try {
    new RegExp(source, jsFlags);
  } catch (e) {
    throw new RegexError(`does not compile: ${(e as Error).message}`);
  }
  return { source, flags: jsFlags, groups: p.groups };
}

function isLiteral(node: Node): boolean {
  if (node.t !== 'char') return false;
  let n = 0;
  for (let c = 0; c < 128; c++) n += node.set.ascii[c] as number;
  if (node.set.other) return false;
  if (n === 1) return true;
  // a case-folded letter pair ([Aa]) is still one literal character
  if (n !== 2) return false;
  for (let c = 65; c <= 90; c++) if (node.set.ascii[c] && node.set.ascii[c + 32]) return true;
  return false;
}

function longestLiteralIn(seq: Node[]): number {
  let best = 0;
  let run = 0;
  for (const n of seq) {
    if (isLiteral(n)) {
      run++;
      best = Math.max(best, run);
    } else if (n.t === 'assert') {
      continue;
    } else if (n.t === 'group') {
      best = Math.max(best, Math.min(...n.alts.map(longestLiteralIn)));
      run = 0;
    } else if (n.t === 'repeat' && n.min >= 1 && isLiteral(n.node)) {
      run += n.min;
      best = Math.max(best, run);
      if (n.max !== n.min) run = 0;
    } else {
      run = 0;
    }
  }
  return best;
}

/**
 * The length of the longest literal that every match must contain (the shortest such literal
 * across top-level alternatives): a measure of how distinctive a rule's anchor is.
 */
export function guaranteedLiteralLength(pattern: string): number {
  const lead = /^\(\?([ims]+)\)/.exec(pattern);
  const body = lead ? pattern.slice(lead[0].length) : pattern;
  const alts = new Parser(body, { i: false, s: false, m: false }).parse();
  return Math.min(...alts.map(longestLiteralIn));
}
