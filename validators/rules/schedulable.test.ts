import { describe, expect, it } from 'vitest';
import { schedulableRule } from './schedulable.js';
import { closestGroup, fitGroups, tolerationMatches } from '../cluster/scheduling.js';
import { lineOf, prdLikeCluster, ruleContext } from '../testing/helpers.js';
import { exactly, testRule } from '../testing/rule-tester.js';
import type { Taint } from '../types.js';

const cluster = prdLikeCluster();
const scalardlTaint: Taint = {
  key: 'kubernetes.io/app',
  value: 'scalardlpool',
  effect: 'NoSchedule',
};

const untolerating = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ledger
  namespace: scalardl
spec:
  selector:
    matchLabels: { app: ledger }
  template:
    metadata:
      labels: { app: ledger }
    spec:
      nodeSelector:
        agentpool: scalardlpool
      containers:
        - name: ledger
          image: ghcr.io/scalar-labs/scalar-ledger:3.10.0
`;

const wrongLabel = `apiVersion: batch/v1
kind: CronJob
metadata:
  name: report
  namespace: apps
spec:
  schedule: "0 * * * *"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: Never
          affinity:
            nodeAffinity:
              requiredDuringSchedulingIgnoredDuringExecution:
                nodeSelectorTerms:
                  - matchExpressions:
                      - key: agentpool
                        operator: In
                        values: [batchpool]
          containers:
            - name: report
              image: busybox:1.36
`;

const fitting = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: envoy
  namespace: scalardl
spec:
  selector:
    matchLabels: { app: envoy }
  template:
    metadata:
      labels: { app: envoy }
    spec:
      tolerations:
        - { key: kubernetes.io/app, operator: Equal, value: scalardlpool, effect: NoSchedule }
      affinity:
        nodeAffinity:
          requiredDuringSchedulingIgnoredDuringExecution:
            nodeSelectorTerms:
              - matchExpressions:
                  - { key: agentpool, operator: In, values: [scalardlpool] }
      containers:
        - name: envoy
          image: ghcr.io/scalar-labs/scalar-envoy:1.6.1
---
apiVersion: v1
kind: Pod
metadata:
  name: plain
  namespace: default
spec:
  nodeSelector:
    kubernetes.io/os: linux
  containers:
    - name: c
      image: busybox:1.36
`;

testRule(schedulableRule, {
  valid: [
    {
      name: 'pods that tolerate and select a group, and pods that fit the untainted group',
      yaml: { 'ok.yaml': fitting },
      context: { cluster },
    },
    {
      name: 'anything when no cluster is declared (the rule does not run)',
      yaml: { 'ledger.yaml': untolerating },
    },
  ],
  invalid: [
    {
      name: 'a pod that selects a tainted group without tolerating it, naming the closest group',
      yaml: { 'ledger.yaml': untolerating },
      context: { cluster },
      errors: [
        {
          severity: 'error',
          resource: 'Deployment/scalardl/ledger',
          path: 'spec.template.spec',
          file: 'ledger.yaml',
          line: lineOf(untolerating, 'spec:', 'template:'),
          message: exactly(
            'fits no node group; closest: scalardl (missing toleration for kubernetes.io/app=scalardlpool:NoSchedule): ' +
              'add the toleration {key: kubernetes.io/app, operator: Equal, value: scalardlpool, effect: NoSchedule}',
          ),
        },
      ],
    },
    {
      name: 'a label no group has, pointing at the node affinity expression',
      yaml: { 'cron.yaml': wrongLabel },
      context: { cluster },
      errors: [
        {
          resource: 'CronJob/apps/report',
          path: 'spec.jobTemplate.spec.template.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0]',
          file: 'cron.yaml',
          line: lineOf(wrongLabel, '- key: agentpool'),
          message:
            'closest: general (label agentpool=batchpool required by nodeAffinity, group has agentpool=generalpool)',
        },
      ],
    },
  ],
});

describe('toleration and node selection semantics', () => {
  it('matches tolerations like the scheduler', () => {
    expect(
      tolerationMatches({ key: 'kubernetes.io/app', value: 'scalardlpool' }, scalardlTaint),
    ).toBe(true);
    expect(tolerationMatches({ key: 'kubernetes.io/app', value: 'other' }, scalardlTaint)).toBe(
      false,
    );
    expect(tolerationMatches({ key: 'kubernetes.io/app', operator: 'Exists' }, scalardlTaint)).toBe(
      true,
    );
    expect(tolerationMatches({ operator: 'Exists' }, scalardlTaint)).toBe(true);
    expect(tolerationMatches({ operator: 'Equal' }, scalardlTaint)).toBe(false);
    expect(
      tolerationMatches(
        { key: 'kubernetes.io/app', operator: 'Exists', effect: 'NoExecute' },
        scalardlTaint,
      ),
    ).toBe(false);
    const noExecute: Taint = { ...scalardlTaint, effect: 'NoExecute' };
    expect(tolerationMatches({ operator: 'Exists', tolerationSeconds: 60 }, noExecute)).toBe(false);
  });

  it('reads every node selector operator, ORs terms and ANDs expressions', () => {
    const ctx = ruleContext({ cluster: prdLikeCluster() });
    ctx.cluster!.nodeGroups[0].labels = { agentpool: 'generalpool', cores: '4' };
    const fitsOf = (spec: object) =>
      fitGroups(spec, ctx.cluster!)
        .filter((f) => f.selected)
        .map((f) => f.group.name);
    const terms = (...t: object[]) => ({
      affinity: {
        nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: t } },
      },
    });
    expect(
      fitsOf(terms({ matchExpressions: [{ key: 'cores', operator: 'Gt', values: ['2'] }] })),
    ).toEqual(['general']);
    expect(
      fitsOf(terms({ matchExpressions: [{ key: 'cores', operator: 'Lt', values: ['2'] }] })),
    ).toEqual([]);
    expect(
      fitsOf(terms({ matchExpressions: [{ key: 'cores', operator: 'DoesNotExist' }] })),
    ).toEqual(['scalardl', 'scalardl-auditor']);
    expect(
      fitsOf(
        terms({
          matchExpressions: [
            { key: 'agentpool', operator: 'NotIn', values: ['generalpool', 'scalardlpool'] },
          ],
        }),
      ),
    ).toEqual(['scalardl-auditor']);
    expect(
      fitsOf(
        terms(
          { matchExpressions: [{ key: 'agentpool', operator: 'In', values: ['scalardlpool'] }] },
          {
            matchExpressions: [
              { key: 'cores', operator: 'Exists' },
              { key: 'agentpool', operator: 'In', values: ['generalpool'] },
            ],
          },
        ),
      ),
    ).toEqual(['general', 'scalardl']);
    // Per-node labels (hostname) are satisfiable; the EKS node group name is known.
    expect(
      fitsOf(
        terms({ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['ip-10-1-0-5'] }] }),
      ),
    ).toHaveLength(3);
    expect(fitsOf({ nodeSelector: { 'eks.amazonaws.com/nodegroup': 'scalardl' } })).toEqual([
      'scalardl',
    ]);
    expect(fitsOf(terms({}))).toEqual([]);
  });

  it('prefers the group a pod selects when two groups are equally close', () => {
    const fits = fitGroups(
      { nodeSelector: { agentpool: 'scalardlauditorpool' } },
      prdLikeCluster(),
    );
    expect(closestGroup(fits)!.group.name).toBe('scalardl-auditor');
  });
});
