import { describe, expect, it } from 'vitest';
import { dedicatedPoolRule } from './dedicated-pool.js';
import {
  lineOf,
  prdLikeCluster,
  REPO_ROOT,
  runRuleOnYaml,
  runRulesOnRepo,
} from '../testing/helpers.js';

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

describe('dedicated-pool', () => {
  it('reports a workload that tolerates a dedicated group without selecting it', () => {
    const text = deployment('orders', 'apps', 'shop/orders:1.0', tolerateScalarDl);
    const findings = runRuleOnYaml(
      dedicatedPoolRule,
      { 'orders.yaml': text },
      { cluster },
      { chart: 'app' },
    );
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      ruleId: 'dedicated-pool',
      severity: 'error',
      resource: 'Deployment/apps/orders',
      path: 'spec.template.spec.tolerations[0]',
      location: { file: 'orders.yaml', line: lineOf(text, '- key: kubernetes.io/app') },
    });
    expect(findings[0].message).toBe(
      'tolerates kubernetes.io/app=scalardlpool:NoSchedule of dedicated node group scalardl but does not select that group: ' +
        'if it belongs there, require the group with node affinity {key: agentpool, operator: In, values: [scalardlpool]}; otherwise remove the toleration',
    );
  });

  it('reports a workload of another chart that selects and tolerates the Scalar DL group', () => {
    const text = deployment('orders', 'apps', 'shop/orders:1.0', tolerateScalarDl + selectScalarDl);
    const findings = runRuleOnYaml(
      dedicatedPoolRule,
      { 'orders.yaml': text },
      { cluster },
      { chart: 'app' },
    );
    expect(findings.map((f) => f.message)).toEqual([
      'can run on node group scalardl, which is dedicated to scalardl; this workload is not part of scalardl: ' +
        'remove the toleration for kubernetes.io/app=scalardlpool:NoSchedule and the selection of that group',
    ]);
  });

  it('reports Scalar DL Ledger pods that would run on general nodes', () => {
    const text = deployment('ledger', 'scalardl', 'ghcr.io/scalar-labs/scalar-ledger:3.10.0', '');
    const findings = runRuleOnYaml(dedicatedPoolRule, { 'ledger.yaml': text }, { cluster });
    expect(findings).toHaveLength(1);
    expect(findings[0].path).toBe('spec.template.spec');
    expect(findings[0].message).toBe(
      'Scalar DL Ledger would run on ordinary nodes (general) although the cluster has the dedicated node group scalardl: ' +
        'add the toleration {key: kubernetes.io/app, operator: Equal, value: scalardlpool, effect: NoSchedule} and the required node affinity {key: agentpool, operator: In, values: [scalardlpool]}',
    );
  });

  it("keeps the Ledger off the Auditor's group", () => {
    const tolerateAuditor = tolerateScalarDl.replace('scalardlpool', 'scalardlauditorpool');
    const text = deployment(
      'ledger',
      'scalardl',
      'ghcr.io/scalar-labs/scalar-ledger:3.10.0',
      tolerateAuditor + selectAuditorPool,
    );
    const findings = runRuleOnYaml(dedicatedPoolRule, { 'ledger.yaml': text }, { cluster });
    expect(findings.map((f) => f.message)).toEqual([
      "Scalar DL Ledger can run on scalardl-auditor, the Auditor's node group; keep it on scalardl (the Auditor must stay independent of the Ledger)",
    ]);
  });

  it('reports a selection that admits ordinary nodes besides the tolerated dedicated group', () => {
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
    const spec = `      tolerations:
        - { key: nvidia.com/gpu, operator: Exists }
      nodeSelector: {}
      affinity:
        nodeAffinity:
          requiredDuringSchedulingIgnoredDuringExecution:
            nodeSelectorTerms:
              - matchExpressions:
                  - { key: agentpool, operator: In, values: [gpupool, generalpool] }
`;
    const text = deployment('trainer', 'ml', 'ml/trainer:2', spec);
    const findings = runRuleOnYaml(
      dedicatedPoolRule,
      { 'trainer.yaml': text },
      { cluster: withGpu },
    );
    expect(findings.map((f) => [f.path, f.message])).toEqual([
      [
        'spec.template.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution',
        'tolerates dedicated node group gpu but its node selection also admits general: require only gpu with node affinity {key: agentpool, operator: In, values: [gpupool]}',
      ],
    ]);
  });

  it('accepts Scalar DL on its group, other workloads on general nodes, and DaemonSets', () => {
    const files = {
      'ledger.yaml': deployment(
        'ledger',
        'scalardl',
        'ghcr.io/scalar-labs/scalar-ledger:3.10.0',
        tolerateScalarDl + selectScalarDl,
      ),
      'auditor.yaml': deployment(
        'auditor',
        'scalardl-auditor',
        'ghcr.io/scalar-labs/scalar-auditor:3.10.0',
        tolerateScalarDl.replace('scalardlpool', 'scalardlauditorpool') + selectAuditorPool,
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
    };
    expect(runRuleOnYaml(dedicatedPoolRule, files, { cluster })).toEqual([]);
  });
  it('finds nothing to fix in the repository plans', () => {
    for (const env of ['dev', 'prd'])
      expect(runRulesOnRepo([dedicatedPoolRule], env, REPO_ROOT)).toEqual([]);
  });
});
