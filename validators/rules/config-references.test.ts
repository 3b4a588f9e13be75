import { configReferencesRule } from './config-references.js';
import { prdLikeCluster } from '../testing/helpers.js';
import { testRule } from '../testing/rule-tester.js';

const ledger = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ledger
  namespace: scalardl
spec:
  selector: {matchLabels: {app: ledger}}
  template:
    metadata: {labels: {app: ledger}}
    spec:
      serviceAccountName: ledger
      imagePullSecrets:
        - name: reg-docker-secrets
      containers:
        - name: ledger
          image: ghcr.io/scalar-labs/scalar-ledger:3.9.0
          envFrom:
            - configMapRef: {name: ledger-env}
          env:
            - name: DB_PASSWORD
              valueFrom:
                secretKeyRef: {name: ledger-db, key: password}
            - name: OPTIONAL
              valueFrom:
                secretKeyRef: {name: maybe, key: x, optional: true}
          volumeMounts:
            - {name: keys, mountPath: /keys}
            - {name: props, mountPath: /props}
      volumes:
        - name: keys
          secret:
            secretName: ledger-keys
            items: [{key: private-key, path: key.pem}]
        - name: props
          projected:
            sources:
              - configMap: {name: ledger-props}
`;

const objects = `apiVersion: v1
kind: Secret
metadata: {name: ledger-db, namespace: scalardl}
stringData: {username: ledger, password: "<<secret:DB_PASSWORD>>"}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: ledger-env, namespace: scalardl}
data: {LOG_LEVEL: info}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: ledger-props, namespace: scalardl}
data: {ledger.properties: "a=b"}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: ledger, namespace: scalardl}
`;

const cluster = (() => {
  const c = prdLikeCluster();
  c.outOfBandSecrets = [
    ...(c.outOfBandSecrets ?? []),
    { name: 'reg-docker-secrets', namespace: 'scalardl', keys: ['.dockerconfigjson'] },
  ];
  return c;
})();

/** A StatefulSet mounting `mount` and claiming `claim`, beside its volumeClaimTemplates. */
const sts = (claim: string, mount: string) => `apiVersion: apps/v1
kind: StatefulSet
metadata: {name: mxt, namespace: mxt}
spec:
  serviceName: mxt
  selector: {matchLabels: {app: mxt}}
  template:
    metadata: {labels: {app: mxt}}
    spec:
      containers:
        - name: mxt
          image: busybox:1.36
          volumeMounts: [{name: ${mount}, mountPath: /dsk/pvc}]
      volumes:
        - name: shared
          persistentVolumeClaim: {claimName: ${claim}}
  volumeClaimTemplates:
    - metadata: {name: token}
      spec:
        accessModes: [ReadWriteOnce]
        resources: {requests: {storage: 1Gi}}
`;

const POD = 'spec.template.spec';

testRule(configReferencesRule, {
  valid: [
    {
      name: 'references to rendered objects and to declared out-of-band Secrets',
      yaml: { 'ledger.yaml': ledger, 'objects.yaml': objects },
      context: { cluster },
    },
    {
      name: 'a claim of a PVC that a StatefulSet volumeClaimTemplate creates (token-mxt-0)',
      yaml: { 'sts.yaml': sts('token-mxt-0', 'token') },
    },
  ],
  invalid: [
    {
      name: 'a missing Secret, a missing key, a missing ConfigMap and an undeclared pull secret',
      yaml: {
        'ledger.yaml': ledger
          .replace('key: password}', 'key: passwd}')
          .replace('{name: ledger-props}', '{name: ledger-properties}')
          .replace('secretName: ledger-keys', 'secretName: ledger-key'),
        'objects.yaml': objects,
      },
      context: { cluster: { ...cluster, outOfBandSecrets: prdLikeCluster().outOfBandSecrets } },
      errors: [
        {
          severity: 'error',
          resource: 'Deployment/scalardl/ledger',
          file: 'ledger.yaml',
          path: `${POD}.imagePullSecrets[0].name`,
          line: 13,
          message: [
            'imagePullSecrets refers to Secret "reg-docker-secrets", which does not exist in namespace "scalardl"',
            'outOfBandSecrets',
          ],
        },
        {
          severity: 'error',
          path: `${POD}.containers[0].env[0].valueFrom.secretKeyRef.key`,
          line: 22,
          message:
            'needs key "passwd" of Secret "ledger-db", but the rendered Secret/scalardl/ledger-db has only "password", "username"',
        },
        {
          severity: 'error',
          path: `${POD}.volumes[0].secret.secretName`,
          line: 32,
          message: 'did you mean "ledger-keys"?',
        },
        {
          severity: 'error',
          path: `${POD}.volumes[1].projected.sources[0].configMap.name`,
          line: 37,
          message: 'ConfigMap "ledger-properties"',
        },
      ],
    },
    {
      name: 'a key that the out-of-band declaration of a Secret does not list',
      yaml: {
        'ledger.yaml': ledger.replace('key: private-key', 'key: private.pem'),
        'objects.yaml': objects,
      },
      context: { cluster },
      errors: [
        {
          path: `${POD}.volumes[0].secret.items[0].key`,
          message: 'the out-of-band declaration (outOfBandSecrets) has only "private-key"',
        },
      ],
    },
    {
      name: 'warnings for a ServiceAccount that is not rendered, and Secrets when no cluster is declared',
      yaml: {
        'ledger.yaml': ledger,
        'objects.yaml': objects.replace(/---\napiVersion: v1\nkind: ServiceAccount[^]*$/, ''),
      },
      errors: [
        { severity: 'warning', path: `${POD}.serviceAccountName` },
        {
          severity: 'warning',
          path: `${POD}.imagePullSecrets[0].name`,
          message: 'no cluster declaration is known',
        },
        { severity: 'warning', path: `${POD}.volumes[0].secret.secretName` },
      ],
    },
    {
      name: 'a mount of a volume the pod does not define, and a claim of a PVC nobody creates',
      yaml: { 'sts.yaml': sts('token-other-0', 'tokn') },
      errors: [
        {
          path: `${POD}.containers[0].volumeMounts[0].name`,
          line: 13,
          message: 'names volume "tokn", which the pod does not define',
        },
        {
          path: `${POD}.volumes[0].persistentVolumeClaim.claimName`,
          line: 16,
          message: 'PersistentVolumeClaim "token-other-0"',
        },
      ],
    },
  ],
});

// Files given on the command line: a referenced Secret or ConfigMap may be in a file not given
// (warning); a whole plan (--env) renders or declares all of them (error). A missing key of an
// object that is among the files stays an error.
const podWithSecret = `apiVersion: v1
kind: Pod
metadata: {name: app, namespace: shop}
spec:
  containers:
    - name: app
      image: busybox:1.36
      env:
        - name: PASSWORD
          valueFrom:
            secretKeyRef: {name: db, key: password}
`;
const dbSecret = (key: string) => `apiVersion: v1
kind: Secret
metadata: {name: db, namespace: shop}
stringData: {${key}: x}
`;
testRule(configReferencesRule, {
  valid: [
    {
      name: 'the Secret among the files given',
      yaml: { 'pod.yaml': podWithSecret, 'secret.yaml': dbSecret('password') },
      context: { complete: false },
    },
  ],
  invalid: [
    {
      name: 'the Secret not among the files given: warning',
      yaml: { 'pod.yaml': podWithSecret },
      context: { complete: false, cluster: prdLikeCluster() },
      errors: [
        {
          path: 'spec.containers[0].env[0].valueFrom.secretKeyRef.name',
          line: 11,
          severity: 'warning',
          message:
            /^env PASSWORD of container app refers to Secret "db", which does not exist in namespace "shop" \(it is not among the files given; give its file too, or validate the whole plan with --env\)/,
        },
      ],
    },
    {
      name: 'the Secret missing from a whole plan: error',
      yaml: { 'pod.yaml': podWithSecret },
      context: { complete: true, cluster: prdLikeCluster() },
      errors: [{ severity: 'error', message: /refers to Secret "db", which does not exist/ }],
    },
    {
      name: 'a key the given Secret lacks stays an error',
      yaml: { 'pod.yaml': podWithSecret, 'secret.yaml': dbSecret('user') },
      context: { complete: false },
      errors: [{ severity: 'error', message: /needs key "password" of Secret "db"/ }],
    },
  ],
});
