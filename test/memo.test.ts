import { describe, expect, it } from 'vitest';
import { boundedMemo } from '../core/memo.js';

describe('boundedMemo', () => {
  it('answers each key once, keeps undefined answers, and never holds more than its bound', () => {
    const calls: string[] = [];
    const upper = boundedMemo((s: string) => {
      calls.push(s);
      return s === 'none' ? undefined : s.toUpperCase();
    }, 3);
    expect([upper('a'), upper('a'), upper('b'), upper('none'), upper('none')]).toEqual([
      'A',
      'A',
      'B',
      undefined,
      undefined,
    ]);
    expect(calls).toEqual(['a', 'b', 'none']);
    // a fourth key empties the store first: 'a' is worked out again afterwards
    expect(upper('c')).toBe('C');
    expect(upper('a')).toBe('A');
    expect(calls).toEqual(['a', 'b', 'none', 'c', 'a']);
  });
});
