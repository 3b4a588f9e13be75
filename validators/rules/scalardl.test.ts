import { scalarDlRule } from './scalardl.js';
import { lineOf, prdLikeCluster, valuesFromYaml } from '../testing/helpers.js';
import { exactly, testRule } from '../testing/rule-tester.js';

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

const sameWaveJob = schemaJob(
  'ledger-schema',
  'scalardl',
  `    argocd.argoproj.io/sync-wave: "0"\n`,
);

/** A cluster that declares the Auditor's keys without private-key, and no Ledger keys. */
const noSecrets = prdLikeCluster();
noSecrets.outOfBandSecrets = [
  { name: 'auditor-keys', namespace: 'scalardl-auditor', keys: ['certificate'] },
];

const oldValues = valuesFromYaml(
  `scalardl:
  ledger:
    ledgerProofEnabled: false
    ledgerAuditorEnabled: false
  auditor:
    enabled: true
global:
  clusters:
    prd:
      kubernetesVersion: "1.18"
`,
  'values/prd/scalardl.yaml',
);

const LEDGER = 'Deployment/scalardl/ledger';
const PROPERTIES = 'ConfigMap/scalardl/ledger-properties';

testRule(scalarDlRule, {
  valid: [
    { name: 'a complete Ledger, Envoy and Auditor setup', yaml: goodPlan, context: { cluster } },
  ],
  invalid: [
    {
      name: 'an Auditor without proofs on the Ledger, a schema Job in the same wave, replicas and spreading',
      yaml: {
        ...goodPlan,
        'props.yaml': ledgerProperties(false, false),
        'ledger.yaml': server({ ...ledger, replicas: 2, spread: false }),
        'job.yaml': sameWaveJob,
      },
      context: { cluster },
      errors: [
        {
          severity: 'error',
          resource: 'Job/scalardl/ledger-schema',
          path: 'metadata.annotations["argocd.argoproj.io/sync-wave"]',
          file: 'job.yaml',
          line: lineOf(sameWaveJob, 'sync-wave'),
          message: exactly(
            'schema-loading Job is not ordered before Deployment scalardl/ledger: it is in sync wave 0, the Ledger in wave 0; ' +
              'give the Job argocd.argoproj.io/sync-wave: "-1" (or argocd.argoproj.io/hook: PreSync) so the tables exist before it starts',
          ),
        },
        {
          severity: 'warning',
          resource: LEDGER,
          path: 'spec.replicas',
          message: exactly(
            'Ledger runs 2 replicas but node group scalardl has 3 nodes (desiredSize): run one per node (replicas: 3)',
          ),
        },
        {
          severity: 'warning',
          resource: LEDGER,
          path: 'spec.template.spec.affinity',
          message: exactly(
            'Ledger has no preferred pod anti-affinity on kubernetes.io/hostname matching its own labels: add podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution with topologyKey kubernetes.io/hostname so each node runs one',
          ),
        },
        {
          severity: 'error',
          resource: PROPERTIES,
          path: 'data["ledger.properties"]',
          message: exactly(
            "an Auditor is deployed but the Ledger's scalar.dl.ledger.auditor.enabled is not true: enable it (scalardl.ledger.ledgerAuditorEnabled: true)",
          ),
        },
        {
          severity: 'error',
          resource: PROPERTIES,
          path: 'data["ledger.properties"]',
          message: exactly(
            "an Auditor is deployed but the Ledger's scalar.dl.ledger.proof.enabled is not true: enable Asset Proofs (scalardl.ledger.ledgerProofEnabled: true)",
          ),
        },
      ],
    },
    {
      name: 'a keys Secret without a needed key, and a Ledger that does not mount its keys',
      yaml: { ...goodPlan, 'ledger.yaml': server({ ...ledger, replicas: 3, spread: true }) },
      context: { cluster: noSecrets },
      errors: [
        {
          resource: 'Deployment/scalardl-auditor/auditor',
          message: exactly(
            'Secret auditor-keys in namespace scalardl-auditor lacks key private-key (an Auditor is deployed)',
          ),
        },
        {
          resource: LEDGER,
          message: exactly(
            'Asset Proofs are enabled but the Ledger does not mount Secret ledger-keys: mount it (e.g. at /keys)',
          ),
        },
        {
          resource: LEDGER,
          message: exactly(
            'Asset Proofs are enabled, which needs Secret ledger-keys (keys private-key) in namespace scalardl, but it is neither rendered nor declared in outOfBandSecrets: create it out of band and declare it there',
          ),
        },
      ],
    },
    {
      name: 'the values when nothing is rendered, and a Kubernetes version too old',
      context: {
        cluster: { ...prdLikeCluster(), kubernetesVersion: '1.18' },
        values: oldValues.values,
        clusterPath: ['global', 'clusters', 'prd'],
      },
      valueOrigins: oldValues.origins,
      errors: [
        {
          resource: 'values',
          file: 'values/prd/scalardl.yaml',
          path: 'scalardl.ledger.ledgerProofEnabled',
          line: 3,
          message: exactly(
            "the Auditor requires the Ledger's Asset Proofs: set scalardl.ledger.ledgerProofEnabled: true",
          ),
        },
        {
          path: 'scalardl.ledger.ledgerAuditorEnabled',
          line: 4,
          message: exactly(
            'the Auditor requires the Ledger to work with it: set scalardl.ledger.ledgerAuditorEnabled: true',
          ),
        },
        {
          path: 'global.clusters.prd.kubernetesVersion',
          line: 10,
          message: exactly(
            'Scalar DL needs Kubernetes 1.19 or later; the cluster declares 1.18: upgrade the cluster',
          ),
        },
      ],
    },
  ],
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
