import { daemonSetEverywhereRule } from './daemonset-everywhere.js';
import { lineOf, prdLikeCluster } from '../testing/helpers.js';
import { exactly, testRule } from '../testing/rule-tester.js';

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

const fluentBit = daemonSet(
  'fluent-bit',
  `      tolerations:
        - { key: kubernetes.io/app, operator: Equal, value: scalardlpool, effect: NoSchedule }
`,
);

testRule(daemonSetEverywhereRule, {
  valid: [
    {
      name: 'agents that tolerate everything, opted-out and deliberately restricted DaemonSets',
      yaml: {
        'a.yaml': daemonSet('node-exporter', '      tolerations: [{ operator: Exists }]\n'),
        'b.yaml': daemonSet(
          'cache-warmer',
          '',
          `  annotations:\n    manifests/run-on-every-node: "false"\n`,
        ),
        'c.yaml': daemonSet('gpu-plugin', '      nodeSelector: { agentpool: generalpool }\n'),
      },
      context: { cluster },
    },
  ],
  invalid: [
    {
      name: 'a log agent that misses a tainted group, naming the group and the toleration to add',
      yaml: { 'ds.yaml': fluentBit },
      context: { cluster },
      errors: [
        {
          severity: 'warning',
          resource: 'DaemonSet/logging/fluent-bit',
          path: 'spec.template.spec.tolerations',
          file: 'ds.yaml',
          line: lineOf(fluentBit, 'tolerations:'),
          message: exactly(
            'would not run on node group scalardl-auditor (missing toleration for kubernetes.io/app=scalardlauditorpool:NoSchedule), ' +
              'yet it is a node agent (fluent-bit): add the toleration {key: kubernetes.io/app, operator: Equal, value: scalardlauditorpool, effect: NoSchedule} ' +
              '(or {operator: Exists} to tolerate every taint)',
          ),
        },
      ],
    },
    {
      name: 'an annotated DaemonSet whose nodeSelector skips groups, and an unrestricted one',
      yaml: {
        'a.yaml': daemonSet(
          'collector',
          '      nodeSelector: { agentpool: generalpool }\n',
          `  annotations:\n    manifests/run-on-every-node: "true"\n`,
        ),
        'b.yaml': daemonSet('disk-cleaner', ''),
      },
      context: { cluster },
      errors: [
        {
          resource: 'DaemonSet/logging/collector',
          path: 'spec.template.spec',
          message: [
            'scalardl (missing toleration for kubernetes.io/app=scalardlpool:NoSchedule; label agentpool=generalpool required by nodeSelector',
            'widen its nodeSelector/node affinity to every group',
          ],
        },
        {
          resource: 'DaemonSet/logging/disk-cleaner',
          path: 'spec.template.spec',
          message: 'it restricts no nodes',
        },
      ],
    },
  ],
});
