import { describe, expect, it } from 'vitest';
import { daemonSetEverywhereRule } from './daemonset-everywhere.js';
import {
  lineOf,
  prdLikeCluster,
  REPO_ROOT,
  runRuleOnYaml,
  runRulesOnRepo,
} from '../testing/helpers.js';

const cluster = prdLikeCluster();

function daemonSet(name: string, podSpec: string, annotations = ''): string {
  return `apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: ${name}
  namespace: logging
${annotations}spec:
  selector:
    matchLabels: { app: ${name} }
  template:
    metadata:
      labels: { app: ${name} }
    spec:
${podSpec}      containers:
        - name: agent
          image: example.com/agents/${name}:1.0
`;
}

describe('daemonset-everywhere', () => {
  it('reports a log agent that misses tainted groups, naming each group and the tolerations to add', () => {
    const text = daemonSet(
      'fluent-bit',
      `      tolerations:
        - { key: kubernetes.io/app, operator: Equal, value: scalardlpool, effect: NoSchedule }
`,
    );
    const findings = runRuleOnYaml(daemonSetEverywhereRule, { 'ds.yaml': text }, { cluster });
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      ruleId: 'daemonset-everywhere',
      severity: 'warning',
      resource: 'DaemonSet/logging/fluent-bit',
      path: 'spec.template.spec.tolerations',
      location: { file: 'ds.yaml', line: lineOf(text, 'tolerations:') },
    });
    expect(findings[0].message).toBe(
      'would not run on node group scalardl-auditor (missing toleration for kubernetes.io/app=scalardlauditorpool:NoSchedule), ' +
        'yet it is a node agent (fluent-bit): add the toleration {key: kubernetes.io/app, operator: Equal, value: scalardlauditorpool, effect: NoSchedule} ' +
        '(or {operator: Exists} to tolerate every taint)',
    );
  });

  it('checks annotated and unrestricted DaemonSets, and a node agent whose selector skips groups', () => {
    const annotated = daemonSet(
      'collector',
      '      nodeSelector: { agentpool: generalpool }\n',
      `  annotations:\n    manifests/run-on-every-node: "true"\n`,
    );
    const unrestricted = daemonSet('disk-cleaner', '');
    const findings = runRuleOnYaml(
      daemonSetEverywhereRule,
      { 'a.yaml': annotated, 'b.yaml': unrestricted },
      { cluster },
    );
    expect(findings.map((f) => [f.resource, f.path])).toEqual([
      ['DaemonSet/logging/collector', 'spec.template.spec'],
      ['DaemonSet/logging/disk-cleaner', 'spec.template.spec'],
    ]);
    expect(findings[0].message).toContain(
      'scalardl (missing toleration for kubernetes.io/app=scalardlpool:NoSchedule; label agentpool=generalpool required by nodeSelector',
    );
    expect(findings[0].message).toContain('widen its nodeSelector/node affinity to every group');
    expect(findings[1].message).toContain('it restricts no nodes');
  });

  it('accepts agents that tolerate everything, opted-out and deliberately restricted DaemonSets', () => {
    const files = {
      'a.yaml': daemonSet('node-exporter', '      tolerations: [{ operator: Exists }]\n'),
      'b.yaml': daemonSet(
        'cache-warmer',
        '',
        `  annotations:\n    manifests/run-on-every-node: "false"\n`,
      ),
      'c.yaml': daemonSet('gpu-plugin', '      nodeSelector: { agentpool: generalpool }\n'),
    };
    expect(runRuleOnYaml(daemonSetEverywhereRule, files, { cluster })).toEqual([]);
  });
  it('finds no errors in the repository plans', () => {
    for (const env of ['dev', 'prd']) {
      const errors = runRulesOnRepo([daemonSetEverywhereRule], env, REPO_ROOT).filter(
        (f) => f.severity === 'error',
      );
      expect(errors).toEqual([]);
    }
  });
});
