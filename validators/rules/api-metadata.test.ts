import { describe, expect, it } from 'vitest';
import { apiMetadataRule } from './api-metadata.js';
import { lineOf, runRulesOnRepo, REPO_ROOT } from '../testing/helpers.js';
import { testRule } from '../testing/rule-tester.js';

const configMap = (name: string, extra = '') => `apiVersion: v1
kind: ConfigMap
metadata:
  name: ${name}
  namespace: apps
${extra}data:
  LOG_LEVEL: info
`;

const withLabels = (labels: string) =>
  configMap('web-config', `  labels:\n${labels.replace(/^/gm, '    ')}\n`);
const withAnnotations = (annotations: string) =>
  configMap('web-config', `  annotations:\n${annotations.replace(/^/gm, '    ')}\n`);

const named = (
  kind: string,
  apiVersion: string,
  name: string,
  namespace = 'apps',
) => `apiVersion: ${apiVersion}
kind: ${kind}
metadata:
  name: ${JSON.stringify(name)}
${namespace ? `  namespace: ${namespace}\n` : ''}`;

const deployment = (templateMeta: string) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: apps
spec:
  selector:
    matchLabels: {app: web}
  template:
    metadata:
${templateMeta}
    spec:
      containers:
        - name: web
          image: nginx:1.27
`;

const cronJob = (name: string, jobMeta = '') => `apiVersion: batch/v1
kind: CronJob
metadata:
  name: ${name}
  namespace: apps
spec:
  schedule: "0 3 * * *"
  jobTemplate:
${jobMeta}    spec:
      template:
        spec:
          restartPolicy: Never
          containers:
            - name: job
              image: busybox:1.36
`;

const secret = (body: string, type = 'Opaque', meta = '') => `apiVersion: v1
kind: Secret
metadata:
  name: creds
  namespace: apps
${meta}type: ${type}
${body}`;

const longLabel = 'a'.repeat(64);
const bigAnnotations = withAnnotations(`example.com/blob: "${'x'.repeat(256 * 1024)}"`);
const badValueDoc = withLabels('app.kubernetes.io/name: "web app"');

testRule(apiMetadataRule, {
  valid: [
    configMap('web-config.v2'),
    named('Namespace', 'v1', 'team-a', ''),
    named('Service', 'v1', 'svc1'),
    named('StatefulSet', 'apps/v1', 'db'),
    named('ClusterRole', 'rbac.authorization.k8s.io/v1', 'system:aggregate-to-view', ''),
    named('VirtualService', 'networking.istio.io/v1', 'frontend'),
    cronJob('a'.repeat(52)),
    `apiVersion: batch/v1
kind: Job
metadata:
  generateName: schema-load-
  namespace: apps
`,
    withLabels(`app.kubernetes.io/name: web\nexample.com/Team_1: "${'v'.repeat(63)}"\nempty: ""`),
    withAnnotations('Example.com/Note: anything at all, spaces included'),
    configMap('web-config', '  finalizers: [kubernetes, example.com/cleanup]\n'),
    deployment(
      '      labels: {app: web, version: 1.2.3}\n      annotations: {checksum/config: abc}',
    ),
    cronJob('backup', '    metadata:\n      labels: {team: data}\n'),
    `apiVersion: v1
kind: ConfigMap
metadata: {name: files, namespace: apps}
data:
  ledger.properties: "a=b"
  .hidden: x
binaryData:
  logo.png: iVBORw0KGgo=
`,
    secret('data:\n  password: cGFzc3dvcmQ=\n  multi: "YWJj\\nZGVm"\n'),
    secret('data:\n  password: "<<secret:APP_DB_PASSWORD>>"\n'),
    secret('stringData:\n  password: "<<secret:APP_DB_PASSWORD>>"\n  username: app\n'),
    secret('stringData:\n  tls.crt: cert\n  tls.key: key\n', 'kubernetes.io/tls'),
    secret('stringData:\n  password: only-the-password\n', 'kubernetes.io/basic-auth'),
    secret(
      'stringData:\n  .dockerconfigjson: \'{"auths": {}}\'\n',
      'kubernetes.io/dockerconfigjson',
    ),
    secret(
      '',
      'kubernetes.io/service-account-token',
      '  annotations:\n    kubernetes.io/service-account.name: builder\n',
    ),
    // eksctl config files are not API objects.
    `apiVersion: eksctl.io/v1alpha5
kind: ClusterConfig
metadata:
  name: Shop_PRD
  region: ap-northeast-1
`,
  ],
  invalid: [
    {
      yaml: configMap('Bad_Name'),
      errors: [
        {
          path: 'metadata.name',
          line: 4,
          message:
            /^the API server rejects this: ConfigMap name "Bad_Name" must be a lowercase RFC 1123 subdomain .*\(ValidateObjectMeta, NameIsDNSSubdomain\); rename it, e\.g\. "bad-name"/,
        },
      ],
    },
    {
      yaml: named('Namespace', 'v1', 'team.a', ''),
      errors: [
        {
          path: 'metadata.name',
          message: /must not contain dots \(ValidateObjectMeta, ValidateNamespaceName\)/,
        },
      ],
    },
    {
      yaml: named('Service', 'v1', '1svc'),
      errors: [
        {
          path: 'metadata.name',
          message: /DNS-1035 label .*ValidateServiceName\); rename it, e\.g\. "svc"/,
        },
      ],
    },
    {
      yaml: named('StatefulSet', 'apps/v1', 'db.v1'),
      errors: [
        {
          path: 'metadata.name',
          message: /must not contain dots \(ValidateObjectMeta, ValidateStatefulSetName\)/,
        },
      ],
    },
    {
      yaml: named('ClusterRole', 'rbac.authorization.k8s.io/v1', 'team/reader', ''),
      errors: [
        {
          path: 'metadata.name',
          message: /may not contain '\/' \(ValidateObjectMeta, minimalNameRequirements\)/,
        },
      ],
    },
    {
      yaml: named('VirtualService', 'networking.istio.io/v1', 'Frontend'),
      errors: [
        {
          path: 'metadata.name',
          message: /NameIsDNSSubdomain, as the apiextensions-apiserver validates custom resources/,
        },
      ],
    },
    {
      yaml: cronJob('a'.repeat(53)),
      errors: [
        {
          path: 'metadata.name',
          message: /must be no more than 52 characters \(ValidateCronJobCreate/,
        },
      ],
    },
    {
      yaml: `apiVersion: batch/v1
kind: Job
metadata:
  generateName: Schema_Load-
  namespace: apps
`,
      errors: [
        {
          path: 'metadata.generateName',
          message:
            /generateName "Schema_Load-" must be a lowercase RFC 1123 subdomain .*as a name prefix .*use a prefix like "schema-load-"/,
        },
      ],
    },
    {
      yaml: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  namespace: apps\n',
      errors: [{ path: 'metadata', message: /name or generateName is required/ }],
    },
    {
      yaml: named('ConfigMap', 'v1', 'web', 'Apps'),
      errors: [
        {
          path: 'metadata.namespace',
          message: /namespace "Apps" must be a lowercase RFC 1123 label .*ValidateNamespaceName/,
        },
      ],
    },
    {
      yaml: withLabels('a/b/c: x'),
      errors: [
        {
          path: 'metadata.labels["a/b/c"]',
          message:
            /label key "a\/b\/c" must be a name with at most one '\/'.*\(ValidateLabels, IsQualifiedName\)/,
        },
      ],
    },
    {
      yaml: withLabels('Example.com/team: x'),
      errors: [
        {
          path: 'metadata.labels["Example.com/team"]',
          message: /prefix part must be a lowercase RFC 1123 subdomain/,
        },
      ],
    },
    {
      yaml: withLabels(`version: ${longLabel}`),
      errors: [
        {
          path: 'metadata.labels.version',
          message:
            /label version value "a{64}" must be no more than 63 characters \(ValidateLabels, IsValidLabelValue\)/,
        },
      ],
    },
    {
      yaml: badValueDoc,
      errors: [
        {
          path: 'metadata.labels["app.kubernetes.io/name"]',
          line: lineOf(badValueDoc, 'app.kubernetes.io/name'),
          message: /value "web app" must be empty or consist of alphanumerics.*e\.g\. "web-app"/,
        },
      ],
    },
    {
      yaml: withAnnotations('bad key: x'),
      errors: [
        {
          path: 'metadata.annotations["bad key"]',
          message:
            /annotation key "bad key" .*\(ValidateAnnotations, IsQualifiedName of the lowercased key\)/,
        },
      ],
    },
    {
      yaml: bigAnnotations,
      errors: [
        {
          path: 'metadata.annotations',
          message:
            /the annotations total 262160 bytes, more than the 262144 bytes \(256 KiB\) allowed \(ValidateAnnotations, TotalAnnotationSizeLimitB\)/,
        },
      ],
    },
    {
      yaml: configMap('web-config', '  finalizers: ["my finalizer", cleanup]\n'),
      errors: [
        // Both on one line: ordered by message.
        {
          path: 'metadata.finalizers[1]',
          message:
            /neither a standard finalizer name .* nor fully qualified \(validateKubeFinalizerName\); .*"example\.com\/cleanup"/,
        },
        {
          path: 'metadata.finalizers[0]',
          message: /finalizer "my finalizer" .*ValidateFinalizerName/,
        },
      ],
    },
    {
      yaml: deployment('      labels: {app: web, version: "1.2.3 beta"}'),
      errors: [
        {
          path: 'spec.template.metadata.labels.version',
          message: /^the API server rejects this: label version value "1\.2\.3 beta"/,
        },
      ],
    },
    {
      yaml: deployment('      labels: {app: web}\n      annotations: {"checksum config": abc}'),
      errors: [
        {
          path: 'spec.template.metadata.annotations["checksum config"]',
          message: /annotation key "checksum config"/,
        },
      ],
    },
    {
      yaml: cronJob('backup', '    metadata:\n      labels: {team: "data team"}\n'),
      errors: [
        {
          path: 'spec.jobTemplate.metadata.labels.team',
          message:
            /^the API server rejects the Jobs this CronJob creates: label team value "data team"/,
        },
      ],
    },
    {
      yaml: 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: files, namespace: apps}\ndata:\n  my file.txt: x\n',
      errors: [
        {
          path: 'data["my file.txt"]',
          message:
            /ConfigMap key "my file\.txt" must consist of alphanumerics, '-', '_' or '\.' \(ValidateConfigMap, IsConfigMapKey\).*"my-file\.txt"/,
        },
      ],
    },
    {
      yaml: 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: files, namespace: apps}\ndata:\n  logo: x\nbinaryData:\n  logo: eA==\n',
      errors: [
        {
          path: 'data.logo',
          message:
            /is in both data and binaryData \(ValidateConfigMap: duplicate of key present in binaryData\)/,
        },
      ],
    },
    {
      yaml: 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: files, namespace: apps}\nbinaryData:\n  logo.png: not-base64\n',
      errors: [{ path: 'binaryData["logo.png"]', message: /is not base64/ }],
    },
    {
      yaml: `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: files, namespace: apps}\ndata:\n  big: "${'x'.repeat(1024 * 1024 + 1)}"\n`,
      errors: [
        {
          path: '',
          message:
            /holds 1048577 bytes of data, more than the 1048576 bytes \(1 MiB\) allowed \(ValidateConfigMap, MaxSecretSize\)/,
        },
      ],
    },
    {
      yaml: secret('data:\n  password: hunter2!\n'),
      errors: [
        {
          path: 'data.password',
          line: 8,
          message:
            /^the API server rejects this: Secret data\["password"\] is not base64 .*encode it with `base64 -w0`, or move the plain text to stringData/,
        },
      ],
    },
    {
      yaml: secret('stringData:\n  db password: x\n'),
      errors: [
        {
          path: 'stringData["db password"]',
          message: /Secret key "db password" .*IsConfigMapKey of the keys stringData adds to data/,
        },
      ],
    },
    {
      yaml: secret('stringData:\n  tls.crt: cert\n', 'kubernetes.io/tls'),
      errors: [
        {
          path: 'type',
          message:
            /a kubernetes\.io\/tls Secret needs the key tls\.key in data or stringData \(ValidateSecret\)/,
        },
      ],
    },
    {
      yaml: secret('stringData:\n  other: x\n', 'kubernetes.io/basic-auth'),
      errors: [{ path: 'type', message: /needs the key username or password/ }],
    },
    {
      yaml: secret(
        'stringData:\n  .dockerconfigjson: "{auths: nope"\n',
        'kubernetes.io/dockerconfigjson',
      ),
      errors: [
        {
          path: 'stringData[".dockerconfigjson"]',
          message: /must be a JSON object \(ValidateSecret unmarshals it\)/,
        },
      ],
    },
    {
      yaml: secret('', 'kubernetes.io/service-account-token'),
      errors: [
        { path: 'type', message: /needs the annotation kubernetes\.io\/service-account\.name/ },
      ],
    },
  ],
});

describe('api-metadata on the repository plans', () => {
  it('finds nothing in the dev and prd plans', () => {
    for (const env of ['dev', 'prd'])
      expect(runRulesOnRepo([apiMetadataRule], env, REPO_ROOT).map((f) => f.message)).toEqual([]);
  });
});
