import { isDeepStrictEqual } from 'node:util';
import { load } from 'js-yaml';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { emitYaml } from '../core/emit.js';
import { renderRepo } from './helpers.js';

/** Parsers the output must satisfy: js-yaml (YAML 1.2 core), yaml in 1.2 and in 1.1 mode. */
const PARSERS: [string, (text: string) => unknown][] = [
  ['js-yaml', (t) => load(t)],
  ['yaml 1.2', (t) => parse(t)],
  ['yaml 1.1', (t) => parse(t, { version: '1.1' })],
];

function roundTrips(value: unknown): string[] {
  const text = emitYaml(value);
  const bad: string[] = [];
  for (const [name, parser] of PARSERS) {
    let back: unknown;
    try {
      back = parser(text);
    } catch (err) {
      back = (err as Error).message;
    }
    if (!isDeepStrictEqual(back, value)) bad.push(`${name}: ${JSON.stringify(value)}\n${text}`);
  }
  return bad;
}

const TRICKY = [
  'yes',
  'No',
  'on',
  'OFF',
  'y',
  'null',
  '~',
  'true',
  '1.2.3',
  '0777',
  '0o17',
  '0x1F',
  '1:30',
  '2024-01-01',
  '2001-12-14t21:59:43.10-05:00',
  '.5',
  '-.inf',
  '.NaN',
  '1e3',
  '+1',
  '-1',
  '',
  ' x',
  'x ',
  'a: b',
  'a #b',
  '#x',
  '-x',
  '- x',
  '-',
  '@x',
  '`x',
  '%x',
  '!x',
  '&x',
  '*x',
  '|x',
  '>x',
  '[x',
  ']x',
  '{x',
  '}x',
  '"x',
  "'x",
  "don't",
  'x:',
  ':x',
  '?x',
  'a,b',
  '<<',
  '<<secret:X>>',
  '=',
  'a=b c',
  'a\nb',
  'a\nb\n',
  'a\n\n',
  '\na',
  ' a\nb',
  'a \nb',
  'a\tb',
  'a\r\nb',
  'x\u2028y',
  'é',
  '€',
  '日本',
  'http://a.b/c?d=e&f',
  'k8s.io/x',
  '$(VAR)',
  '${env:X}',
  '100m',
  '1Gi',
  'scalar.db.password=${env:SCALAR_DB_PASSWORD}\nscalar.db.username=root\n',
];

describe('emitYaml', () => {
  it('round-trips awkward strings as values, keys and list items under YAML 1.1 and 1.2', () => {
    const bad = TRICKY.flatMap((s) =>
      roundTrips({ k: s, [s || 'empty']: 1, l: [s, { m: s }, [s]] }),
    );
    expect(bad).toEqual([]);
  });

  it('round-trips numbers, booleans, nulls, nesting and empty collections', () => {
    const value = {
      n: [0, -0.5, 1e21, 3.14, -7, Number.MAX_SAFE_INTEGER],
      b: [true, false],
      z: null,
      e: { m: {}, l: [] },
      deep: [[[1, [2]], { a: [{ b: { c: [] } }] }]],
    };
    expect(roundTrips(value)).toEqual([]);
    expect(emitYaml({ a: { b: [1, { c: 'd', e: 'f' }] } })).toBe(
      'a:\n  b:\n    - 1\n    - c: d\n      e: f\n',
    );
  });

  it('round-trips every document of the repository plans', () => {
    const bad = ['dev', 'prd'].flatMap((env) =>
      renderRepo(env).flatMap((m) => roundTrips(m.object)),
    );
    expect(bad).toEqual([]);
  });

  it('writes multi-line text as a literal block', () => {
    expect(emitYaml({ data: { 'a.properties': 'x=1\ny=2\n' } })).toBe(
      'data:\n  a.properties: |\n    x=1\n    y=2\n',
    );
  });
});
