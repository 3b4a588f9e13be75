import { describe, expect, it } from 'vitest';
import { namesScalarDl, squash } from './components.js';

describe('namesScalarDl', () => {
  it('says what squashing the word and looking for "scalardl" says', () => {
    const words = [
      'scalardl',
      'scalar-dl',
      'my-scalar.dl-ledger',
      's_c_a_l_a_r_d_l',
      'scalar dl',
      'scalar-d1',
      'scalarsdl',
      'scala-rdl',
      'ledger',
      'scalar',
      'xscalardlx',
      'scalar\u00e9dl',
      '',
    ];
    // and generated words of the letters involved with separators between them
    const alphabet = ['s', 'c', 'a', 'l', 'r', 'd', '-', '.', '1', '\u00e9'];
    let seed = 7;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
    for (let i = 0; i < 20_000; i++) {
      let w = '';
      const n = 6 + (next() % 14);
      for (let k = 0; k < n; k++) w += alphabet[next() % alphabet.length];
      words.push(i % 3 === 0 ? `x${'scalardl'.split('').join(w.slice(0, 1))}${w}` : w);
    }
    let named = 0;
    for (const w of words) {
      const expected = squash(w).includes('scalardl');
      if (expected) named++;
      expect(namesScalarDl(w), w).toBe(expected);
    }
    // both answers occur
    expect(named).toBeGreaterThan(100);
    expect(named).toBeLessThan(words.length - 100);
  });
});
