import { describe, expect, it } from 'vitest';
import type { Finding, Rule } from '../types.js';
import { valuesFromYaml } from './helpers.js';
import { exactly, findingProblems, runCase, testRule } from './rule-tester.js';

/** A rule for the tester's own tests: a ConfigMap needs data; `demo.enabled` must be true. */
const demoRule: Rule = {
  id: 'demo',
  description: 'ConfigMaps carry data, and the demo is enabled in the values',
  severity: 'error',
  docs: 'Only for the tests of the rule tester.',
  check(manifests, ctx) {
    const findings = manifests
      .filter((m) => m.object.kind === 'ConfigMap' && !m.object.data)
      .map((m) => ({
        manifest: m,
        path: ['metadata', 'name'],
        message: `ConfigMap ${m.object.metadata.name} of chart ${m.chart || '(none)'} has no data (see [docs].)`,
      }));
    const demo = ctx.values?.demo as { enabled?: boolean } | undefined;
    if (demo && demo.enabled !== true)
      return [
        ...findings,
        {
          valuePath: ['demo', 'enabled'],
          message: 'demo.enabled is not true',
          severity: 'warning',
        },
      ];
    return findings;
  },
};

const empty = (name: string) => `apiVersion: v1
kind: ConfigMap
metadata:
  name: ${name}
  namespace: apps
`;

const demoValues = valuesFromYaml('demo:\n  enabled: false\n', 'values/shared/demo.yaml');

testRule(demoRule, {
  valid: [
    { name: 'a ConfigMap with data', yaml: `${empty('full')}data: {a: b}\n` },
    { name: 'values with the demo enabled', context: { values: { demo: { enabled: true } } } },
  ],
  invalid: [
    {
      name: 'empty ConfigMaps in two files of two charts, in report order',
      yaml: { 'b.yaml': empty('second'), 'a.yaml': empty('first') },
      chart: { 'a.yaml': 'app', 'b.yaml': 'shop' },
      errors: [
        {
          file: 'a.yaml',
          line: 4,
          path: 'metadata.name',
          resource: 'ConfigMap/apps/first',
          severity: 'error',
          message: exactly('ConfigMap first of chart app has no data (see [docs].)'),
        },
        { file: 'b.yaml', message: ['second', /chart shop/] },
      ],
    },
    {
      name: 'a values-level finding, located in its values file',
      context: { values: demoValues.values },
      valueOrigins: demoValues.origins,
      errors: [
        {
          resource: 'values',
          path: 'demo.enabled',
          file: 'values/shared/demo.yaml',
          line: 2,
          severity: 'warning',
        },
      ],
    },
  ],
});

describe('rule tester', () => {
  const findings = runCase(demoRule, { yaml: { 'cm.yaml': empty('c') }, chart: 'app' });
  const expected = {
    file: 'cm.yaml',
    line: 4,
    path: 'metadata.name',
    resource: 'ConfigMap/apps/c',
    severity: 'error' as const,
    message: 'has no data',
  };

  it('accepts findings that match, and reports each field that does not', () => {
    expect(findingProblems('demo', findings, [expected])).toEqual([]);
    expect(
      findingProblems('demo', findings, [
        {
          file: 'other.yaml',
          line: 5,
          path: 'metadata',
          resource: 'ConfigMap/apps/d',
          severity: 'warning',
          message: [/no data/, 'chart shop'],
        },
      ]),
    ).toEqual([
      'finding 1: path metadata.name (expected metadata); line 4 (expected 5); file cm.yaml (expected other.yaml); ' +
        'severity error (expected warning); resource ConfigMap/apps/c (expected ConfigMap/apps/d); ' +
        'message "ConfigMap c of chart app has no data (see [docs].)" (expected /no data/ and chart shop)',
    ]);
  });

  it('reports a count that differs, listing the findings, and a finding of another rule', () => {
    expect(findingProblems('demo', findings, [expected, expected])).toEqual([
      '1 findings, expected 2:\n  error metadata.name: ConfigMap c of chart app has no data (see [docs].)',
    ]);
    expect(findingProblems('demo', [], [expected])).toEqual(['0 findings, expected 1:']);
    const other: Finding = { ...findings[0], ruleId: 'schema' };
    expect(findingProblems('demo', [other], [expected])).toEqual(['finding 1: rule schema']);
  });

  it('matches a whole message with exactly(), special characters included', () => {
    const text = 'ConfigMap c of chart app has no data (see [docs].)';
    expect(exactly(text).test(text)).toBe(true);
    expect(exactly(text).test(`${text}!`)).toBe(false);
    expect(exactly(text).test(`x${text}`)).toBe(false);
    expect(exactly('a.b').test('axb')).toBe(false);
    expect(exactly('$1 \\ ^{2}|*+?').test('$1 \\ ^{2}|*+?')).toBe(true);
    expect(findingProblems('demo', findings, [{ message: exactly('has no data') }])).toEqual([
      `finding 1: message "${text}" (expected exactly "has no data")`,
    ]);
  });
});
