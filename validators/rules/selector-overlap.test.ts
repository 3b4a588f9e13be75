import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../test/helpers.js';
import { selectorOverlapRule } from './selector-overlap.js';
import { runRuleOnYaml, runRulesOnRepo } from '../testing/helpers.js';

const statefulSet = (
  name: string,
  selector: string,
  labels: string,
  ns = 'mxt',
) => `apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: ${name}
  namespace: ${ns}
spec:
  serviceName: ${name}
  selector:
${selector}
  template:
    metadata:
      labels: ${labels}
    spec:
      containers: [{name: c, image: busybox:1.36}]
`;

describe('selector-overlap', () => {
  it('reports StatefulSets that share one selector (the upstream MxTransporter bug)', () => {
    const findings = runRuleOnYaml(selectorOverlapRule, {
      'sts.yaml': [
        statefulSet('mxt-orders', '    matchLabels: {app: mxt}', '{app: mxt, collection: orders}'),
        statefulSet('mxt-users', '    matchLabels: {app: mxt}', '{app: mxt, collection: users}'),
      ].join('---\n'),
    });
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      ruleId: 'selector-overlap',
      severity: 'error',
      resource: 'StatefulSet/mxt/mxt-users',
      path: 'spec.selector',
      location: { file: 'sts.yaml', line: 23 },
    });
    expect(findings[0].message).toContain('StatefulSet/mxt/mxt-orders');
    expect(findings[0].message).toContain("select each other's pod templates");
  });

  it('reports a matchExpressions selector that also selects another kind of workload', () => {
    const deployment = `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: mxt}
spec:
  selector: {matchLabels: {app: web, part: shop}}
  template:
    metadata: {labels: {app: web, part: shop}}
    spec:
      containers: [{name: c, image: busybox:1.36}]
`;
    const wide = statefulSet(
      'catch-all',
      '    matchExpressions:\n      - {key: part, operator: In, values: [shop]}',
      '{part: shop, app: db}',
    );
    const findings = runRuleOnYaml(selectorOverlapRule, { 'a.yaml': `${deployment}---\n${wide}` });
    expect(findings).toHaveLength(1);
    expect(findings[0].resource).toBe('StatefulSet/mxt/catch-all');
    expect(findings[0].message).toContain(
      'selector part In [shop] also selects the pod template of Deployment/mxt/web',
    );
  });

  it('accepts distinct selectors, and equal selectors in different namespaces', () => {
    expect(
      runRuleOnYaml(selectorOverlapRule, {
        'sts.yaml': [
          statefulSet(
            'mxt-orders',
            '    matchLabels: {app: mxt, collection: orders}',
            '{app: mxt, collection: orders}',
          ),
          statefulSet(
            'mxt-users',
            '    matchLabels: {app: mxt, collection: users}',
            '{app: mxt, collection: users}',
          ),
          statefulSet('other', '    matchLabels: {app: mxt}', '{app: mxt}', 'elsewhere'),
        ].join('---\n'),
      }),
    ).toEqual([]);
  });

  it('finds nothing to fix in the repository plans', () => {
    for (const env of ['dev', 'prd']) {
      expect(runRulesOnRepo([selectorOverlapRule], env, REPO_ROOT)).toEqual([]);
    }
  });
});
