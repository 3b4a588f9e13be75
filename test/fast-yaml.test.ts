import { isDeepStrictEqual } from 'node:util';
import { loadAll } from 'js-yaml';
import { describe, expect, it, vi } from 'vitest';
import { emitYaml } from '../core/emit.js';
import { fastLoadAll } from '../generator/render/fast-yaml.js';
import { renderEnvironment } from '../generator/pipeline.js';
import { REPO_ROOT } from './helpers.js';

const seen = vi.hoisted(() => ({ texts: [] as string[] }));
vi.mock('../generator/render/fast-yaml.js', async (importOriginal) => {
  const mod = await importOriginal<typeof import('../generator/render/fast-yaml.js')>();
  return {
    fastLoadAll: (text: string, options?: Parameters<typeof mod.fastLoadAll>[1]) => {
      seen.texts.push(text);
      return mod.fastLoadAll(text, options);
    },
  };
});

/** What js-yaml reads (the documents that are not empty), or its error message. */
function slow(text: string): unknown {
  try {
    return loadAll(text, null, { maxAliases: 0 }).filter((d) => d !== null && d !== undefined);
  } catch (err) {
    return `error: ${(err as Error).message}`;
  }
}

/** The fast reader either gives up or agrees with js-yaml; it never reads an error as a value. */
function agrees(text: string): string | undefined {
  const fast = fastLoadAll(text);
  if (fast === undefined) return undefined;
  const expected = slow(text);
  return isDeepStrictEqual(fast, expected)
    ? undefined
    : `${JSON.stringify(text)}\n fast: ${JSON.stringify(fast)}\n js-yaml: ${JSON.stringify(expected)}`;
}

describe('fast reader of rendered YAML', () => {
  it("agrees with js-yaml on every template output of the repository's dev and prd renders, and reads most of it", () => {
    seen.texts.length = 0;
    renderEnvironment(REPO_ROOT, 'dev', { environ: {} });
    renderEnvironment(REPO_ROOT, 'prd', { environ: {} });
    const texts = [...seen.texts];
    expect(texts.length).toBeGreaterThan(20);
    const disagreements = texts.map(agrees).filter(Boolean);
    expect(disagreements).toEqual([]);
    const fast = texts.filter((t) => fastLoadAll(t) !== undefined).length;
    // the subset is what the charts write; a template it stops reading shows here
    expect(fast / texts.length).toBeGreaterThan(0.8);
  });

  const SUPPORTED = [
    'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  PORT: "8080"\n  n: 3\n',
    '---\na: 1\n---\n# only a comment\n---\nb: [x, "y", \'z\', 1, true, null]\n',
    'a:\n- 1\n- - 2\n  - 3\n- k: v\n  k2: v2\n-\n  deep: x\nb: {}\nc: []\n',
    "list:\n  - name: x # a comment\n    value: \"a: b #c\"\n  - name: 'it''s'\n",
    'conf: |\n  line one\n    indented\n\n  # not a comment\n  trailing   \nnext: 1\n',
    'conf: |-\n  no newline\nk: v\n',
    'k: ~\nl: Null\nm: FALSE\nn: True\no: -12\np: 0\nq: 1.2.3\nr: 500m\ns: 1Gi\nt: a, b\nu: x]\n',
    'url: http://a.b/c?d=e\nkey with spaces: v\n"quoted key": "\\u00e9\\n\\"\\/"\n',
    'a:\n  b:\n    c:\n      - d\n  e: f\n',
  ];
  it.each(SUPPORTED)('reads %j as js-yaml does', (text) => {
    expect(fastLoadAll(text)).toBeDefined();
    expect(agrees(text)).toBeUndefined();
  });

  const OUTSIDE = [
    'a: &x 1\nb: *x\n',
    'a: !!str 1\n',
    'a: 1\na: 2\n',
    'a: 1.5\n',
    'a: 1e3\n',
    'a: 0x1f\n',
    'a: 0755\n',
    'a: .inf\n',
    'a: multi\n  line\n',
    'a: "multi\n  line"\n',
    'a: >\n  folded\n',
    'a: |+\n  keep\n\n',
    'a: |2\n   x\n',
    'a: { b: 1 }\n',
    'a: [1, [2]]\n',
    '%YAML 1.2\n---\na: 1\n',
    'a: 1\n...\n',
    '? a\n: b\n',
    'a:\tb\n',
    'a: b\r\n',
    '1: one\n',
    'true: yes\n',
    '<<: {}\n',
    '__proto__: x\n',
    'a: "\\x41"\n',
    'a: b: c\n',
    'a:\n  - x\n   - y\n',
    '- a\n b\n',
    'a: 1\n - b\n',
    'a: "x" y\n',
    'a: \u0001\n',
    'a: "x\u2028y"\n',
    'a: b\u0085\n',
  ];
  it.each(OUTSIDE)('leaves %j to js-yaml', (text) => {
    expect(fastLoadAll(text)).toBeUndefined();
  });

  it('agrees with js-yaml on the release emitter’s output for generated values', () => {
    const pieces = [
      'a',
      'b c',
      'yes',
      'no',
      '1',
      '-1',
      '1.0',
      '0x10',
      '',
      ' lead',
      'trail ',
      'x: y',
      'a #b',
      '#c',
      '- d',
      'multi\nline\n',
      'multi\nline',
      'tab\there',
      '"q"',
      "'s'",
      '[x]',
      '{y}',
      'é',
      '\u2028',
      'null',
      '~',
      '@at',
      '%p',
      '*s',
      '&a',
      '!t',
      '|',
      '>',
    ];
    let seed = 7;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const value = (depth: number): unknown => {
      const r = rand(depth > 3 ? 4 : 7);
      if (r === 0) return pieces[rand(pieces.length)];
      if (r === 1) return rand(100000) - 500;
      if (r === 2) return rand(2) === 0;
      if (r === 3) return null;
      if (r === 4) return Array.from({ length: rand(4) }, () => value(depth + 1));
      const o: Record<string, unknown> = {};
      for (let i = rand(5); i > 0; i--) o[pieces[rand(pieces.length)] + i] = value(depth + 1);
      return o;
    };
    const problems: string[] = [];
    let read = 0;
    for (let i = 0; i < 400; i++) {
      const docs = Array.from({ length: 1 + rand(3) }, () => ({ k: value(0) }));
      const text = docs.map((d) => '---\n' + emitYaml(d)).join('');
      const p = agrees(text);
      if (p) problems.push(p);
      if (fastLoadAll(text) !== undefined) read++;
    }
    expect(problems).toEqual([]);
    expect(read).toBeGreaterThan(200);
  });

  it('agrees with js-yaml on random lines of YAML-like text wherever it reads them', () => {
    const frags = [
      '   ',
      '  ',
      'a',
      'k: v',
      'k:',
      '- x',
      '-',
      '- k: v',
      '#c',
      ' # c',
      '"q"',
      "'s'",
      "'it''s'",
      '"a\\"b"',
      '[a, b]',
      '[]',
      '{}',
      '|',
      '|-',
      '>',
      '---',
      '...',
      '1',
      '-1',
      '1.5',
      '0x1',
      'true',
      'null',
      '~',
      'a: b: c',
      'a:b',
      'k: v # c',
      'k: "v" # c',
      'k: "v"x',
      '"k": v',
      'x]',
      '[a',
      '- - a',
      '-a',
      'k:  v',
      'k : v',
      '? k',
      ': v',
      '&a x',
      '*a',
      '!t x',
      'k: |',
      'k: |-',
      'k: |+',
      '  text',
      '    more',
      'k: [a, "b", 1]',
      'k: [a,]',
      'k: [a b]',
      'k: {a: 1}',
      'é',
    ];
    let seed = 1;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    const problems: string[] = [];
    let read = 0;
    for (let t = 0; t < 20000; t++) {
      const lines: string[] = [];
      for (let i = 1 + rand(6); i > 0; i--) {
        const indent = ' '.repeat(rand(3) * 2 + (rand(8) === 0 ? 1 : 0));
        lines.push(indent + frags[rand(frags.length)] + (rand(10) === 0 ? ' ' : ''));
      }
      const text = lines.join('\n') + (rand(2) ? '\n' : '');
      const p = agrees(text);
      if (p) problems.push(p);
      if (fastLoadAll(text) !== undefined) read++;
    }
    expect(problems.slice(0, 5)).toEqual([]);
    expect(read).toBeGreaterThan(1000);
  });

  it('gives each document’s source, which reads alone as that document, and reuses documents by it', () => {
    let seed = 7;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    const pieces = [
      'a: 1',
      'k: |+\n  kept\n',
      'k: |\n  text\n\n',
      '---',
      '---  ',
      '# c',
      '',
      'list:\n  - x\n  - y',
      'm: {a: 1}',
    ];
    let checked = 0;
    for (let t = 0; t < 5000; t++) {
      const parts: string[] = [];
      for (let i = 1 + rand(7); i > 0; i--) parts.push(pieces[rand(pieces.length)]);
      const text = parts.join('\n') + (rand(2) ? '\n' : '');
      const sources: string[] = [];
      const docs = fastLoadAll(text, { sources });
      const plain = fastLoadAll(text);
      if (docs === undefined) {
        expect(plain, JSON.stringify(text)).toBeUndefined();
        continue;
      }
      expect(docs, JSON.stringify(text)).toEqual(plain);
      expect(sources.length).toBe(docs.length);
      // a source alone reads as its document
      sources.forEach((src, i) => expect(fastLoadAll(src), JSON.stringify(src)).toEqual([docs[i]]));
      // documents given back by source replace reading them, and nothing else changes
      const known = new Map(sources.map((src, i) => [src, { reused: docs[i] }]));
      const given: unknown[] = [];
      const reused = fastLoadAll(text, {
        reuse: (src) => {
          const k = known.get(src);
          if (k) given.push(k);
          return k;
        },
      });
      expect(reused).toEqual(docs.map((d) => ({ reused: d })));
      expect(given.length).toBe(docs.length);
      checked++;
    }
    expect(checked).toBeGreaterThan(1000);
  });
});
