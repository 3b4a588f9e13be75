import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../test/helpers.js';
import { configReferencesRule } from './config-references.js';
import { prdLikeCluster, runRuleOnYaml, runRulesOnRepo } from '../testing/helpers.js';
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

describe('config-references', () => {
  it('accepts references to rendered objects and to declared out-of-band Secrets', () => {
    expect(
      runRuleOnYaml(
        configReferencesRule,
        { 'ledger.yaml': ledger, 'objects.yaml': objects },
        { cluster },
      ),
    ).toEqual([]);
  });

  it('reports a missing Secret, a missing key, a missing ConfigMap and an undeclared pull secret', () => {
    const broken = ledger
      .replace('key: password}', 'key: passwd}')
      .replace('{name: ledger-props}', '{name: ledger-properties}')
      .replace('secretName: ledger-keys', 'secretName: ledger-key');
    const findings = runRuleOnYaml(
      configReferencesRule,
      { 'ledger.yaml': broken, 'objects.yaml': objects },
      { cluster: { ...cluster, outOfBandSecrets: prdLikeCluster().outOfBandSecrets } },
    );
    expect(findings.map((f) => [f.severity, f.path, f.location?.line])).toEqual([
      ['error', 'spec.template.spec.imagePullSecrets[0].name', 13],
      ['error', 'spec.template.spec.containers[0].env[0].valueFrom.secretKeyRef.key', 22],
      ['error', 'spec.template.spec.volumes[0].secret.secretName', 32],
      ['error', 'spec.template.spec.volumes[1].projected.sources[0].configMap.name', 37],
    ]);
    expect(findings[0]).toMatchObject({
      resource: 'Deployment/scalardl/ledger',
      location: { file: 'ledger.yaml' },
    });
    expect(findings[0].message).toContain(
      'imagePullSecrets refers to Secret "reg-docker-secrets", which does not exist in namespace "scalardl"',
    );
    expect(findings[0].message).toContain('outOfBandSecrets');
    expect(findings[1].message).toContain(
      'needs key "passwd" of Secret "ledger-db", but the rendered Secret/scalardl/ledger-db has only "password", "username"',
    );
    expect(findings[2].message).toContain('did you mean "ledger-keys"?');
    expect(findings[3].message).toContain('ConfigMap "ledger-properties"');
  });

  it('checks keys of out-of-band Secrets when they are declared', () => {
    const findings = runRuleOnYaml(
      configReferencesRule,
      {
        'ledger.yaml': ledger.replace('key: private-key', 'key: private.pem'),
        'objects.yaml': objects,
      },
      { cluster },
    );
    expect(findings).toHaveLength(1);
    expect(findings[0].path).toBe('spec.template.spec.volumes[0].secret.items[0].key');
    expect(findings[0].message).toContain(
      'the out-of-band declaration (outOfBandSecrets) has only "private-key"',
    );
  });

  it('warns about a ServiceAccount that is not rendered, and a Secret when no cluster is declared', () => {
    const findings = runRuleOnYaml(configReferencesRule, {
      'ledger.yaml': ledger,
      'objects.yaml': objects.replace(/---\napiVersion: v1\nkind: ServiceAccount[^]*$/, ''),
    });
    expect(findings.map((f) => [f.severity, f.path])).toEqual([
      ['warning', 'spec.template.spec.serviceAccountName'],
      ['warning', 'spec.template.spec.imagePullSecrets[0].name'],
      ['warning', 'spec.template.spec.volumes[0].secret.secretName'],
    ]);
    expect(findings[1].message).toContain('no cluster declaration is known');
  });

  it('counts PVCs of a StatefulSet volumeClaimTemplates and rejects mounts of undefined volumes', () => {
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
    expect(
      runRuleOnYaml(configReferencesRule, { 'sts.yaml': sts('token-mxt-0', 'token') }),
    ).toEqual([]);
    const findings = runRuleOnYaml(configReferencesRule, {
      'sts.yaml': sts('token-other-0', 'tokn'),
    });
    expect(findings.map((f) => [f.path, f.location?.line])).toEqual([
      ['spec.template.spec.containers[0].volumeMounts[0].name', 13],
      ['spec.template.spec.volumes[0].persistentVolumeClaim.claimName', 16],
    ]);
    expect(findings[0].message).toContain('names volume "tokn", which the pod does not define');
    expect(findings[1].message).toContain('PersistentVolumeClaim "token-other-0"');
  });

  it('finds nothing to fix in the repository plans', () => {
    for (const env of ['dev', 'prd']) {
      expect(runRulesOnRepo([configReferencesRule], env, REPO_ROOT)).toEqual([]);
    }
  });
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
