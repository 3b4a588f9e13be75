import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../test/helpers.js';
import { hpaTargetRule } from './hpa-target.js';
import { runRuleOnYaml, runRulesOnRepo } from '../testing/helpers.js';

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
