import { describe, expect, it } from 'vitest';
import { scalarDlRule } from './scalardl.js';
import { testRule } from '../testing/rule-tester.js';
import {
  lineOf,
  prdLikeCluster,
  REPO_ROOT,
  runRuleOnYaml,
  runRulesOnRepo,
  valuesFromYaml,
} from '../testing/helpers.js';

const cluster = prdLikeCluster();

interface ServerOptions {
  name: string;
  namespace: string;
  image: string;
  pool: string;
  replicas: number;
  wave?: string;
  spread?: boolean;
  keys?: string;
}

function server(o: ServerOptions): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${o.name}
  namespace: ${o.namespace}
  annotations:
    argocd.argoproj.io/sync-wave: "${o.wave ?? '0'}"
spec:
  replicas: ${o.replicas}
  selector:
    matchLabels: { app.kubernetes.io/name: ${o.name} }
  template:
    metadata:
      labels: { app.kubernetes.io/name: ${o.name} }
    spec:
      tolerations:
        - { key: kubernetes.io/app, operator: Equal, value: ${o.pool}, effect: NoSchedule }
      affinity:
        nodeAffinity:
          requiredDuringSchedulingIgnoredDuringExecution:
            nodeSelectorTerms:
              - matchExpressions:
                  - { key: agentpool, operator: In, values: [${o.pool}] }
${
  o.spread
    ? `        podAntiAffinity:
          preferredDuringSchedulingIgnoredDuringExecution:
            - weight: 100
              podAffinityTerm:
                topologyKey: kubernetes.io/hostname
                labelSelector:
                  matchLabels: { app.kubernetes.io/name: ${o.name} }
`
    : ''
}      containers:
        - name: main
          image: ${o.image}
${o.keys ? `      volumes:\n        - name: keys\n          secret: { secretName: ${o.keys} }\n` : ''}`;
}

function schemaJob(
  name: string,
  namespace: string,
  annotations: string,
  schemaType = 'ledger',
): string {
  return `apiVersion: batch/v1
kind: Job
metadata:
  name: ${name}
  namespace: ${namespace}
  annotations:
${annotations}spec:
  template:
    spec:
      restartPolicy: Never
      containers:
        - name: schema-loader
          image: ghcr.io/scalar-labs/scalardl-schema-loader:3.10.0
          env:
            - { name: SCHEMA_TYPE, value: ${schemaType} }
`;
}

function ledgerProperties(proof: boolean, auditor: boolean): string {
  return `apiVersion: v1
kind: ConfigMap
metadata:
  name: ledger-properties
  namespace: scalardl
data:
  ledger.properties: |
    scalar.db.storage=jdbc
    scalar.dl.ledger.proof.enabled=${proof}
    scalar.dl.ledger.auditor.enabled=${auditor}
`;
}

const ledger = {
  name: 'ledger',
  namespace: 'scalardl',
  image: 'ghcr.io/scalar-labs/scalar-ledger:3.10.0',
  pool: 'scalardlpool',
};
const envoy = {
  name: 'envoy',
  namespace: 'scalardl',
  image: 'ghcr.io/scalar-labs/scalar-envoy:1.6.1',
  pool: 'scalardlpool',
};
const auditor = {
  name: 'auditor',
  namespace: 'scalardl-auditor',
  image: 'ghcr.io/scalar-labs/scalar-auditor:3.10.0',
  pool: 'scalardlauditorpool',
};

const goodPlan = {
  'props.yaml': ledgerProperties(true, true),
  'ledger.yaml': server({ ...ledger, replicas: 3, spread: true, keys: 'ledger-keys' }),
  'envoy.yaml': server({ ...envoy, replicas: 3, spread: true }),
  'auditor.yaml': server({ ...auditor, replicas: 3, spread: true, keys: 'auditor-keys' }),
  'job.yaml': schemaJob(
    'ledger-schema',
    'scalardl',
    `    argocd.argoproj.io/hook: Sync\n    argocd.argoproj.io/sync-wave: "-1"\n`,
  ),
  'auditor-job.yaml': schemaJob(
    'auditor-schema',
    'scalardl-auditor',
    `    argocd.argoproj.io/hook: PreSync\n`,
    'auditor',
  ),
};

describe('scalardl', () => {
  it('accepts a complete Ledger, Envoy and Auditor setup', () => {
    expect(runRuleOnYaml(scalarDlRule, goodPlan, { cluster })).toEqual([]);
  });

  it('reports an Auditor without proofs on the Ledger, a schema Job in the same wave, replicas and spreading', () => {
    const props = ledgerProperties(false, false);
    const job = schemaJob('ledger-schema', 'scalardl', `    argocd.argoproj.io/sync-wave: "0"\n`);
    const findings = runRuleOnYaml(
      scalarDlRule,
      {
        ...goodPlan,
        'props.yaml': props,
        'ledger.yaml': server({ ...ledger, replicas: 2, spread: false }),
        'job.yaml': job,
      },
      { cluster },
    );
    expect(findings.map((f) => [f.severity, f.resource, f.path, f.message])).toEqual([
      [
        'error',
        'Job/scalardl/ledger-schema',
        'metadata.annotations["argocd.argoproj.io/sync-wave"]',
        'schema-loading Job is not ordered before Deployment scalardl/ledger: it is in sync wave 0, the Ledger in wave 0; ' +
          'give the Job argocd.argoproj.io/sync-wave: "-1" (or argocd.argoproj.io/hook: PreSync) so the tables exist before it starts',
      ],
      [
        'warning',
        'Deployment/scalardl/ledger',
        'spec.replicas',
        'Ledger runs 2 replicas but node group scalardl has 3 nodes (desiredSize): run one per node (replicas: 3)',
      ],
      [
        'warning',
        'Deployment/scalardl/ledger',
        'spec.template.spec.affinity',
        'Ledger has no preferred pod anti-affinity on kubernetes.io/hostname matching its own labels: add podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution with topologyKey kubernetes.io/hostname so each node runs one',
      ],
      [
        'error',
        'ConfigMap/scalardl/ledger-properties',
        'data["ledger.properties"]',
        'an Auditor is deployed but the Ledger\u2019s scalar.dl.ledger.auditor.enabled is not true: enable it (scalardl.ledger.ledgerAuditorEnabled: true)'.replace(
          '\u2019',
          "'",
        ),
      ],
      [
        'error',
        'ConfigMap/scalardl/ledger-properties',
        'data["ledger.properties"]',
        "an Auditor is deployed but the Ledger's scalar.dl.ledger.proof.enabled is not true: enable Asset Proofs (scalardl.ledger.ledgerProofEnabled: true)",
      ],
    ]);
    const jobFinding = findings[0];
    expect(jobFinding.location).toEqual({ file: 'job.yaml', line: lineOf(job, 'sync-wave') });
  });

  it('reports a missing keys Secret and a Ledger that does not mount it', () => {
    const noSecrets = prdLikeCluster();
    noSecrets.outOfBandSecrets = [
      { name: 'auditor-keys', namespace: 'scalardl-auditor', keys: ['certificate'] },
    ];
    const findings = runRuleOnYaml(
      scalarDlRule,
      { ...goodPlan, 'ledger.yaml': server({ ...ledger, replicas: 3, spread: true }) },
      { cluster: noSecrets },
    );
    expect(findings.map((f) => [f.resource, f.message])).toEqual([
      [
        'Deployment/scalardl-auditor/auditor',
        'Secret auditor-keys in namespace scalardl-auditor lacks key private-key (an Auditor is deployed)',
      ],
      [
        'Deployment/scalardl/ledger',
        'Asset Proofs are enabled but the Ledger does not mount Secret ledger-keys: mount it (e.g. at /keys)',
      ],
      [
        'Deployment/scalardl/ledger',
        'Asset Proofs are enabled, which needs Secret ledger-keys (keys private-key) in namespace scalardl, but it is neither rendered nor declared in outOfBandSecrets: create it out of band and declare it there',
      ],
    ]);
  });

  it('checks the values when nothing is rendered, and the Kubernetes version', () => {
    const text = `scalardl:
  ledger:
    ledgerProofEnabled: false
    ledgerAuditorEnabled: false
  auditor:
    enabled: true
global:
  clusters:
    prd:
      kubernetesVersion: "1.18"
`;
    const { values, origins } = valuesFromYaml(text, 'values/prd/scalardl.yaml');
    const old = { ...prdLikeCluster(), kubernetesVersion: '1.18' };
    const findings = runRuleOnYaml(
      scalarDlRule,
      {},
      { cluster: old, values, clusterPath: ['global', 'clusters', 'prd'] },
      { valueOrigins: origins },
    );
    expect(findings.map((f) => [f.path, f.location?.line, f.message])).toEqual([
      [
        'scalardl.ledger.ledgerProofEnabled',
        3,
        "the Auditor requires the Ledger's Asset Proofs: set scalardl.ledger.ledgerProofEnabled: true",
      ],
      [
        'scalardl.ledger.ledgerAuditorEnabled',
        4,
        'the Auditor requires the Ledger to work with it: set scalardl.ledger.ledgerAuditorEnabled: true',
      ],
      [
        'global.clusters.prd.kubernetesVersion',
        10,
        'Scalar DL needs Kubernetes 1.19 or later; the cluster declares 1.18: upgrade the cluster',
      ],
    ]);
    expect(findings[0]).toMatchObject({
      resource: 'values',
      location: { file: 'values/prd/scalardl.yaml' },
    });
  });
  it('finds no errors in the repository plans', () => {
    for (const env of ['dev', 'prd']) {
      const errors = runRulesOnRepo([scalarDlRule], env, REPO_ROOT).filter(
        (f) => f.severity === 'error',
      );
      expect(errors).toEqual([]);
    }
  });
});

/** A Ledger (or Auditor) Deployment mounting its properties ConfigMap; lines are fixed below. */
function withProperties(o: {
  image: string;
  mountPath: string;
  subPath?: string;
  key?: string;
  properties?: string;
}): string {
  const key = o.key ?? 'ledger.properties.tmpl';
  return `apiVersion: v1
kind: ConfigMap
metadata:
  name: ledger-properties
  namespace: scalardl
data:
  ${key}: |
    ${o.properties ?? 'scalar.dl.ledger.proof.enabled=false'}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: ledger
  namespace: scalardl
  annotations: { argocd.argoproj.io/sync-wave: "0" }
spec:
  selector:
    matchLabels: { app.kubernetes.io/name: ledger }
  template:
    metadata:
      labels: { app.kubernetes.io/name: ledger }
    spec:
      affinity:
        podAntiAffinity:
          preferredDuringSchedulingIgnoredDuringExecution:
            - weight: 100
              podAffinityTerm:
                topologyKey: kubernetes.io/hostname
                labelSelector: { matchLabels: { app.kubernetes.io/name: ledger } }
      containers:
        - name: ledger
          image: ${o.image}
          volumeMounts:
            - name: properties
              mountPath: ${o.mountPath}
${o.subPath ? `              subPath: ${o.subPath}\n` : ''}      volumes:
        - name: properties
          configMap:
            name: ledger-properties
---
apiVersion: batch/v1
kind: Job
metadata:
  name: ledger-schema-loader
  namespace: scalardl
  annotations: { argocd.argoproj.io/sync-wave: "-1" }
spec:
  template:
    spec:
      restartPolicy: Never
      containers:
        - name: schema-loader
          image: ghcr.io/scalar-labs/scalardl-schema-loader:3.10.0
`;
}

/** Line of the properties mount in withProperties' text. */
const MOUNT_LINE = lineOf(withProperties({ image: 'x', mountPath: '/m' }), 'mountPath: /m');

testRule(scalarDlRule, {
  valid: [
    {
      name: 'a 3.x Ledger with its properties at the template path dockerize renders',
      yaml: withProperties({
        image: 'ghcr.io/scalar-labs/scalar-ledger:3.10.0',
        mountPath: '/scalar/ledger/ledger.properties.tmpl',
        subPath: 'ledger.properties.tmpl',
      }),
    },
    {
      name: 'a 4.x Ledger, which reads ledger.properties without dockerize',
      yaml: withProperties({
        image: 'ghcr.io/scalar-labs/scalardl-ledger:4.0.0',
        mountPath: '/scalar/ledger/ledger.properties',
        subPath: 'ledger.properties',
        key: 'ledger.properties',
      }),
    },
    {
      name: 'an image pinned by digest (its start-up is unknown)',
      yaml: withProperties({
        image: `ghcr.io/scalar-labs/scalar-ledger@sha256:${'a'.repeat(64)}`,
        mountPath: '/scalar/ledger/ledger.properties',
        subPath: 'ledger.properties.tmpl',
      }),
    },
  ],
  invalid: [
    {
      name: 'a 3.x Ledger with its properties at ledger.properties, which the start-up never reads',
      yaml: withProperties({
        image: 'ghcr.io/scalar-labs/scalar-ledger:3.10.0',
        mountPath: '/scalar/ledger/ledger.properties',
        subPath: 'ledger.properties.tmpl',
      }),
      errors: [
        {
          path: 'spec.template.spec.containers[0].volumeMounts[0].mountPath',
          line: MOUNT_LINE,
          resource: 'Deployment/scalardl/ledger',
          message:
            'the Ledger properties are mounted at /scalar/ledger/ledger.properties, but the scalar-ledger:3.10.0 image renders /scalar/ledger/ledger.properties.tmpl into the file it reads at start (dockerize -template ledger.properties.tmpl:/tmp/ledger.properties), so these settings are ignored: mount them at /scalar/ledger/ledger.properties.tmpl (subPath ledger.properties.tmpl)',
        },
      ],
    },
    {
      name: 'a properties volume mounted over the image folder',
      yaml: withProperties({
        image: 'ghcr.io/scalar-labs/scalar-ledger:3.10.0',
        mountPath: '/scalar/ledger',
      }),
      errors: [{ line: MOUNT_LINE, message: /mounted over \/scalar\/ledger, hiding the server/ }],
    },
    {
      name: 'a "{{" in properties that dockerize renders as a Go template',
      yaml: withProperties({
        image: 'ghcr.io/scalar-labs/scalar-ledger:3.10.0',
        mountPath: '/scalar/ledger/ledger.properties.tmpl',
        subPath: 'ledger.properties.tmpl',
        properties: 'scalar.dl.ledger.name={{ .Env.NAME }}',
      }),
      errors: [
        {
          line: MOUNT_LINE,
          message: /contain "\{\{", which dockerize reads as a Go template action/,
        },
      ],
    },
  ],
});
