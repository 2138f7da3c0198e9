// Multi-literal, case-insensitive keyword search over bytes: one pass over the input finds every
// occurrence of every rule keyword. A dense DFA over byte equivalence classes keeps the hot loop to
// one table lookup per byte.

const encoder = new TextEncoder();

export interface KeywordHit {
  keyword: number;
  /** Byte offset just past the keyword's last byte. */
  end: number;
}

export class AhoCorasick {
  /** Byte -> equivalence class (ASCII folded to lower case). */
  private readonly classOf = new Uint8Array(256);
  private readonly classes: number;
  /**
   * delta[s*classes + c] = next*classes, or ~(next*classes) when the next state reports keywords:
   * the hot loop then needs one lookup and one sign test per byte.
   */
  private readonly delta: Int32Array;
  /** outputs of state s are outList[outStart[s] .. outStart[s+1]) */
  private readonly outStart: Int32Array;
  private readonly outList: Int32Array;
  readonly lengths: number[];

  constructor(keywords: readonly string[]) {
    const patterns = keywords.map((k) => encoder.encode(k.toLowerCase()));
    this.lengths = patterns.map((p) => p.length);
    const fold = (b: number): number => (b >= 65 && b <= 90 ? b + 32 : b);

    let classes = 1; // class 0: bytes that occur in no keyword
    const classOfFolded = new Int32Array(256).fill(0);
    for (const p of patterns) {
      for (const b of p) if (classOfFolded[b] === 0) classOfFolded[b] = classes++;
    }
    for (let b = 0; b < 256; b++) this.classOf[b] = classOfFolded[fold(b)] ?? 0;
    this.classes = classes;

    // Trie.
    const goto: Int32Array[] = [new Int32Array(classes).fill(-1)];
    const outs: number[][] = [[]];
    patterns.forEach((p, id) => {
      let s = 0;
      for (const b of p) {
        const c = this.classOf[b] as number;
        const row = goto[s] as Int32Array;
        if (row[c] === -1) {
          row[c] = goto.length;
          goto.push(new Int32Array(classes).fill(-1));
          outs.push([]);
        }
        s = row[c] as number;
      }
      (outs[s] as number[]).push(id);
    });

    // Breadth-first failure links, folded into a complete transition table.
    const states = goto.length;
    const delta = new Int32Array(states * classes);
    const fail = new Int32Array(states);
    const queue: number[] = [];
    const root = goto[0] as Int32Array;
    for (let c = 0; c < classes; c++) {
      const t = root[c] as number;
      if (t === -1) delta[c] = 0;
      else {
        delta[c] = t;
        fail[t] = 0;
        queue.push(t);
      }
    }
    for (let qi = 0; qi < queue.length; qi++) {
      const s = queue[qi] as number;
      const row = goto[s] as Int32Array;
      (outs[s] as number[]).push(...(outs[fail[s] as number] as number[]));
      for (let c = 0; c < classes; c++) {
        const t = row[c] as number;
        const viaFail = delta[(fail[s] as number) * classes + c] as number;
        if (t === -1) delta[s * classes + c] = viaFail;
        else {
          delta[s * classes + c] = t;
          fail[t] = viaFail;
          queue.push(t);
        }
      }
    }
    this.outStart = new Int32Array(states + 1);
    const flat: number[] = [];
    for (let s = 0; s < states; s++) {
      this.outStart[s] = flat.length;
      flat.push(...new Set(outs[s] as number[]));
    }
    this.outStart[states] = flat.length;
    this.outList = Int32Array.from(flat);
    for (let i = 0; i < delta.length; i++) {
      const next = delta[i] as number;
      const hasOut = (this.outStart[next + 1] as number) > (this.outStart[next] as number);
      delta[i] = hasOut ? ~(next * classes) : next * classes;
    }
    this.delta = delta;
  }

  /** Calls `onHit(keyword, end)` for every occurrence; stops early if it returns true. */
  scan(bytes: Uint8Array, onHit: (keyword: number, end: number) => boolean | void): void {
    const { classOf, delta, classes, outStart, outList } = this;
    let s = 0;
    for (let i = 0, n = bytes.length; i < n; i++) {
      s = delta[s + (classOf[bytes[i] as number] as number)] as number;
      if (s < 0) {
        s = ~s;
        const state = s / classes;
        const b = outStart[state + 1] as number;
        for (let k = outStart[state] as number; k < b; k++)
          if (onHit(outList[k] as number, i + 1)) return;
      }
    }
  }
}
