import { describe, expect, it } from 'vitest';
import { RegexError, translateRegex } from '../src/engine/regex.js';

function js(pattern: string): RegExp {
  const t = translateRegex(pattern);
  return new RegExp(t.source, t.flags.replace('g', ''));
}

describe('RE2 to JavaScript translation', () => {
  it.each([
    ['(?i)abc', 'xABCx', true],
    ['(?i)abc', 'xabd', false],
    ['a(?i:bc)d', 'aBCd', true],
    ['a(?i:bc)d', 'aBCD', false],
    ['x(?i)yz', 'xYZ', true],
    ['x(?i)yz', 'XYZ', false],
    ['(?i)[a-c]+', 'CAB', true],
    ['a(?i:[a-c])', 'aB', true],
    ['(?s)a.b', 'a\nb', true],
    ['a.b', 'a\nb', false],
    ['\\Aabc', 'abc', true],
    ['\\Aabc', 'xabc', false],
    ['abc\\z', 'abc', true],
    ['abc\\z', 'abc\n', false],
    ['(?m)^b$', 'a\nb\nc', true],
    ['^b$', 'a\nb\nc', false],
    ['[[:alnum:]]{3}', 'a1B', true],
    ['[[:digit:]]+', 'abc', false],
    ['[[:xdigit:]]{4}', 'beef', true],
    ['(?P<key>ab)c', 'abc', true],
    ['(?<key>ab)c', 'abc', true],
    ['\\Qa.b\\E', 'a.b', true],
    ['\\Qa.b\\E', 'axb', false],
    ['\\pL+', 'äö', true],
    ['\\p{Greek}', 'λ', true],
    ['\\x{41}', 'A', true],
    ['\\x41', 'A', true],
    ['[\'"\\x60]', '`', true],
    ['a{2,3}', 'aa', true],
    ['a{,3}', 'a{,3}', true],
    ['(?:[a-z0-9-]+\\.)+com', 'mail.example.com', true],
    ['[\\w.-]{0,50}?=', 'my.key=', true],
  ])('%s on %j -> %s', (pattern, text, expected) => {
    expect(js(pattern).test(text)).toBe(expected);
  });

  it('maps a whole-pattern (?i) to the native flag', () => {
    expect(translateRegex('(?i)token').flags).toContain('i');
  });

  it('counts capture groups, named or not', () => {
    expect(translateRegex('(a)(?:b)(?P<c>c)').groups).toBe(2);
  });

  it.each([
    ['a(?=b)', /lookaround/],
    ['a(?!b)', /lookaround/],
    ['(?<=a)b', /lookaround/],
    ['(a)\\1', /backreference/],
    ['(a+)+', /backtrack/],
    ['(\\w*\\s?)*x', /backtrack/],
    ['(a|ab)*c', /backtrack/],
    ['(\\w|\\d)+', /backtrack/],
    ['(?:a*)*', /backtrack/],
    ['abc\\Z', /\\Z/],
    ['(?U)a+', /ungreedy/],
    ['a**', /repeated quantifier/],
    ['[[:foo:]]', /unknown POSIX/],
    ['(abc', /missing '\)'/],
    ['abc)', /unbalanced/],
    ['[abc', /missing '\]'/],
    ['a{1001}', /1000/],
    ['(?:a{4}){300}', /more than 1000 copies/],
  ])('rejects %s', (pattern, reason) => {
    expect(() => translateRegex(pattern)).toThrow(RegexError);
    expect(() => translateRegex(pattern)).toThrow(reason);
  });

  it('accepts delimited repetition that cannot backtrack exponentially', () => {
    expect(() => translateRegex('(?:[a-z0-9]+\\.)+[a-z]{2,}')).not.toThrow();
    expect(() => translateRegex('(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==)?')).not.toThrow();
  });

  it('rejected patterns are really slow in a backtracking engine, accepted ones are not', () => {
    // The shape the analysis rejects: nested quantifiers over the same characters.
    const evil = /^(a+)+$/;
    const start = performance.now();
    evil.test(`${'a'.repeat(22)}!`);
    expect(performance.now() - start).toBeGreaterThan(5);
  });
});
