import { dedicatedPoolRule } from './dedicated-pool.js';
import { lineOf, prdLikeCluster } from '../testing/helpers.js';
import { exactly, testRule } from '../testing/rule-tester.js';

const cluster = prdLikeCluster();

/** A Deployment with the given pod spec lines (indented for `spec.template.spec`). */
function deployment(
  name: string,
  namespace: string,
  image: string,
  podSpec: string,
  labels = `app: ${name}`,
): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
  namespace: ${namespace}
spec:
  selector:
    matchLabels: { ${labels} }
  template:
    metadata:
      labels: { ${labels} }
    spec:
${podSpec}      containers:
        - name: main
          image: ${image}
`;
}

const tolerateScalarDl = `      tolerations:
        - key: kubernetes.io/app
          operator: Equal
          value: scalardlpool
          effect: NoSchedule
`;
const selectScalarDl = `      affinity:
        nodeAffinity:
          requiredDuringSchedulingIgnoredDuringExecution:
            nodeSelectorTerms:
              - matchExpressions:
                  - { key: agentpool, operator: In, values: [scalardlpool] }
`;
const selectAuditorPool = selectScalarDl.replace('scalardlpool', 'scalardlauditorpool');

const tolerateAuditorPool = tolerateScalarDl.replace('scalardlpool', 'scalardlauditorpool');
const LEDGER_IMAGE = 'ghcr.io/scalar-labs/scalar-ledger:3.10.0';
const tolerantOrders = deployment('orders', 'apps', 'shop/orders:1.0', tolerateScalarDl);

/** The production-like cluster with a tainted GPU group besides. */
const withGpu = prdLikeCluster();
withGpu.nodeGroups.push({
  name: 'gpu',
  instanceType: 'g5.xlarge',
  minSize: 0,
  desiredSize: 1,
  maxSize: 2,
  labels: { agentpool: 'gpupool' },
  taints: [{ key: 'nvidia.com/gpu', effect: 'NoSchedule' }],
});

testRule(dedicatedPoolRule, {
  valid: [
    {
      name: 'Scalar DL on its groups, other workloads on general nodes, and DaemonSets',
      yaml: {
        'ledger.yaml': deployment(
          'ledger',
          'scalardl',
          LEDGER_IMAGE,
          tolerateScalarDl + selectScalarDl,
        ),
        'auditor.yaml': deployment(
          'auditor',
          'scalardl-auditor',
          'ghcr.io/scalar-labs/scalar-auditor:3.10.0',
          tolerateAuditorPool + selectAuditorPool,
        ),
        'orders.yaml': deployment(
          'orders',
          'apps',
          'shop/orders:1.0',
          '      nodeSelector: { agentpool: generalpool }\n',
        ),
        'agent.yaml': deployment(
          'fluent-bit',
          'logging',
          'fluent/fluent-bit:3.1',
          '      tolerations: [{ operator: Exists }]\n',
        ).replace('kind: Deployment', 'kind: DaemonSet'),
      },
      context: { cluster },
    },
    {
      // no toleration: the pod cannot land on the dedicated group it selects (it stays Pending,
      // which schedulable reports); nothing here is about the group's owner
      name: 'a workload that selects a dedicated group without tolerating it',
      yaml: deployment('orders', 'apps', 'shop/orders:1.0', selectScalarDl),
      chart: 'app',
      context: { cluster },
    },
  ],
  invalid: [
    {
      name: 'a workload that tolerates a dedicated group without selecting it',
      yaml: { 'orders.yaml': tolerantOrders },
      chart: 'app',
      context: { cluster },
      errors: [
        {
          severity: 'error',
          resource: 'Deployment/apps/orders',
          path: 'spec.template.spec.tolerations[0]',
          file: 'orders.yaml',
          line: lineOf(tolerantOrders, '- key: kubernetes.io/app'),
          message: exactly(
            'tolerates kubernetes.io/app=scalardlpool:NoSchedule of dedicated node group scalardl but does not select that group: ' +
              'if it belongs there, require the group with node affinity {key: agentpool, operator: In, values: [scalardlpool]}; otherwise remove the toleration',
          ),
        },
      ],
    },
    {
      name: 'a workload of another chart that selects and tolerates the Scalar DL group',
      yaml: {
        'orders.yaml': deployment(
          'orders',
          'apps',
          'shop/orders:1.0',
          tolerateScalarDl + selectScalarDl,
        ),
      },
      chart: 'app',
      context: { cluster },
      errors: [
        {
          message: exactly(
            'can run on node group scalardl, which is dedicated to scalardl; this workload is not part of scalardl: ' +
              'remove the toleration for kubernetes.io/app=scalardlpool:NoSchedule and the selection of that group',
          ),
        },
      ],
    },
    {
      name: 'Scalar DL Ledger pods that would run on general nodes',
      yaml: { 'ledger.yaml': deployment('ledger', 'scalardl', LEDGER_IMAGE, '') },
      context: { cluster },
      errors: [
        {
          path: 'spec.template.spec',
          message: exactly(
            'Scalar DL Ledger would run on ordinary nodes (general) although the cluster has the dedicated node group scalardl: ' +
              'add the toleration {key: kubernetes.io/app, operator: Equal, value: scalardlpool, effect: NoSchedule} and the required node affinity {key: agentpool, operator: In, values: [scalardlpool]}',
          ),
        },
      ],
    },
    {
      name: 'a Scalar DL Envoy known by its chart and name only, without tolerations',
      yaml: {
        'envoy.yaml': deployment('scalardl-envoy', 'scalardl', 'envoyproxy/envoy:v1.31.0', ''),
      },
      chart: 'scalardl',
      context: { cluster },
      errors: [
        {
          path: 'spec.template.spec',
          message:
            /^Scalar DL Envoy would run on ordinary nodes \(general\) although the cluster has the dedicated node group scalardl: add the toleration /,
        },
      ],
    },
    {
      name: "the Ledger on the Auditor's group",
      yaml: {
        'ledger.yaml': deployment(
          'ledger',
          'scalardl',
          LEDGER_IMAGE,
          tolerateAuditorPool + selectAuditorPool,
        ),
      },
      context: { cluster },
      errors: [
        {
          message: exactly(
            "Scalar DL Ledger can run on scalardl-auditor, the Auditor's node group; keep it on scalardl (the Auditor must stay independent of the Ledger)",
          ),
        },
      ],
    },
    {
      name: 'a selection that admits ordinary nodes besides the tolerated dedicated group',
      yaml: {
        'trainer.yaml': deployment(
          'trainer',
          'ml',
          'ml/trainer:2',
          `      tolerations:
        - { key: nvidia.com/gpu, operator: Exists }
      nodeSelector: {}
      affinity:
        nodeAffinity:
          requiredDuringSchedulingIgnoredDuringExecution:
            nodeSelectorTerms:
              - matchExpressions:
                  - { key: agentpool, operator: In, values: [gpupool, generalpool] }
`,
        ),
      },
      context: { cluster: withGpu },
      errors: [
        {
          path: 'spec.template.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution',
          message: exactly(
            'tolerates dedicated node group gpu but its node selection also admits general: require only gpu with node affinity {key: agentpool, operator: In, values: [gpupool]}',
          ),
        },
      ],
    },
  ],
});
