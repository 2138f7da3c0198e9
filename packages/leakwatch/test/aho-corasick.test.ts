import { describe, expect, it } from 'vitest';
import { AhoCorasick } from '../src/engine/aho-corasick.js';

function hits(keywords: string[], text: string): [string, number][] {
  const ac = new AhoCorasick(keywords);
  const out: [string, number][] = [];
  ac.scan(new TextEncoder().encode(text), (k, end) => {
    out.push([keywords[k] as string, end]);
  });
  return out;
}

describe('keyword prefilter', () => {
  it('finds every occurrence of every keyword, overlapping ones too', () => {
    expect(hits(['he', 'she', 'hers'], 'ushers')).toEqual([
      ['she', 4],
      ['he', 4],
      ['hers', 6],
    ]);
  });

  it('is case-insensitive for ASCII', () => {
    expect(hits(['ghp_'], 'x GHP_abc Ghp_')).toEqual([
      ['ghp_', 6],
      ['ghp_', 14],
    ]);
  });

  it('matches non-ASCII keywords byte for byte', () => {
    expect(hits(['パスワード'], 'x: パスワード=1')).toHaveLength(1);
  });

  it('reports nothing when no keyword occurs', () => {
    expect(hits(['akia', 'xoxb-'], 'plain text with nothing in it')).toEqual([]);
  });

  it('agrees with a naive search on random input', () => {
    const keywords = ['ab', 'bab', 'ca', 'abc', 'c'];
    let text = '';
    let seed = 7;
    for (let i = 0; i < 2000; i++) {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      text += 'abcx'[seed % 4];
    }
    const expected: [string, number][] = [];
    for (let end = 1; end <= text.length; end++) {
      for (const k of keywords) if (text.slice(end - k.length, end) === k) expected.push([k, end]);
    }
    const sort = (a: [string, number][]) =>
      [...a].sort((x, y) => x[1] - y[1] || x[0].localeCompare(y[0]));
    expect(sort(hits(keywords, text))).toEqual(sort(expected));
  });
});
