import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../test/helpers.js';
import { hpaTargetRule } from './hpa-target.js';
import { runRuleOnYaml, runRulesOnRepo } from '../testing/helpers.js';
import { testRule } from '../testing/rule-tester.js';

const statefulSet = `apiVersion: apps/v1
kind: StatefulSet
metadata: {name: mxt-orders, namespace: mxt}
spec:
  serviceName: mxt-orders
  selector: {matchLabels: {app: mxt-orders}}
  template:
    metadata: {labels: {app: mxt-orders}}
    spec:
      containers: [{name: c, image: busybox:1.36}]
`;

const hpa = (ref: string, apiVersion = 'autoscaling/v2') => `apiVersion: ${apiVersion}
kind: HorizontalPodAutoscaler
metadata:
  name: mxt-orders
  namespace: mxt
spec:
  scaleTargetRef:
${ref}
  minReplicas: 1
  maxReplicas: 3
`;

describe('hpa-target', () => {
  it('reports an autoscaler whose target is not rendered (the upstream MxTransporter bug)', () => {
    const findings = runRuleOnYaml(hpaTargetRule, {
      'sts.yaml': statefulSet,
      'hpa.yaml': hpa(
        '    apiVersion: apps/v1\n    kind: StatefulSet\n    name: mxtransporter-orders',
      ),
    });
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      ruleId: 'hpa-target',
      severity: 'error',
      resource: 'HorizontalPodAutoscaler/mxt/mxt-orders',
      path: 'spec.scaleTargetRef.name',
      location: { file: 'hpa.yaml', line: 10 },
    });
    expect(findings[0].message).toContain(
      'scaleTargetRef names StatefulSet "mxtransporter-orders", which is not rendered in namespace "mxt"',
    );
    expect(findings[0].message).toContain('"mxt-orders"');
  });

  it('reports a wrong kind, a wrong API group and a kind that cannot scale', () => {
    const wrongKind = runRuleOnYaml(hpaTargetRule, {
      'a.yaml': `${statefulSet}---\n${hpa('    apiVersion: apps/v1\n    kind: Deployment\n    name: mxt-orders', 'autoscaling/v1')}`,
    });
    expect(wrongKind.map((f) => f.message)).toEqual([
      expect.stringContaining('but there is StatefulSet/mxt/mxt-orders; set kind: StatefulSet'),
    ]);
    const wrongGroup = runRuleOnYaml(hpaTargetRule, {
      'a.yaml': `${statefulSet}---\n${hpa('    apiVersion: extensions/v1beta1\n    kind: StatefulSet\n    name: mxt-orders')}`,
    });
    expect(wrongGroup).toMatchObject([{ path: 'spec.scaleTargetRef.apiVersion' }]);
    const daemonSet = runRuleOnYaml(hpaTargetRule, {
      'a.yaml': hpa('    apiVersion: apps/v1\n    kind: DaemonSet\n    name: agents'),
    });
    expect(daemonSet).toMatchObject([
      { path: 'spec.scaleTargetRef.kind', message: expect.stringContaining('cannot be scaled') },
    ]);
  });

  it('accepts an autoscaler of either API version whose target exists in its namespace', () => {
    const ref = '    apiVersion: apps/v1\n    kind: StatefulSet\n    name: mxt-orders';
    for (const version of ['autoscaling/v1', 'autoscaling/v2']) {
      expect(
        runRuleOnYaml(hpaTargetRule, { 'a.yaml': `${statefulSet}---\n${hpa(ref, version)}` }),
      ).toEqual([]);
    }
  });

  it('finds nothing to fix in the repository plans', () => {
    for (const env of ['dev', 'prd']) {
      expect(runRulesOnRepo([hpaTargetRule], env, REPO_ROOT)).toEqual([]);
    }
  });
});

// Files given on the command line: the target may be in a file not given (warning); a whole plan
// has every workload (error). What the autoscaler itself gets wrong stays an error either way.
const stsRef = '    apiVersion: apps/v1\n    kind: StatefulSet\n    name: mxt-orders';
testRule(hpaTargetRule, {
  valid: [
    {
      name: 'target among the files given',
      yaml: { 'sts.yaml': statefulSet, 'hpa.yaml': hpa(stsRef) },
      context: { complete: false },
    },
  ],
  invalid: [
    {
      name: 'target not among the files given: warning',
      yaml: { 'hpa.yaml': hpa(stsRef) },
      context: { complete: false },
      errors: [
        {
          path: 'spec.scaleTargetRef.name',
          line: 10,
          severity: 'warning',
          message:
            /^scaleTargetRef names StatefulSet "mxt-orders" in namespace "mxt", which is not among the files given \(give its file too, or validate the whole plan with --env\)/,
        },
      ],
    },
    {
      name: 'target missing from a whole plan: error',
      yaml: { 'hpa.yaml': hpa(stsRef) },
      errors: [
        {
          path: 'spec.scaleTargetRef.name',
          severity: 'error',
          message: /is not rendered in namespace "mxt"/,
        },
      ],
    },
    {
      name: 'a DaemonSet target is an error among files given too',
      yaml: { 'hpa.yaml': hpa('    apiVersion: apps/v1\n    kind: DaemonSet\n    name: agent') },
      context: { complete: false },
      errors: [
        { path: 'spec.scaleTargetRef.kind', severity: 'error', message: /cannot be scaled/ },
      ],
    },
  ],
});
