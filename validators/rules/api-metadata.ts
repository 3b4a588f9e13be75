import type { Rule } from '../types.js';
import type { FieldPath } from '../types.js';
import {
  isApiObject,
  clusterScoped,
  Findings,
  groupOfObject,
  REJECTS,
  show,
} from '../model/api-server.js';
import {
  ANNOTATIONS_SIZE_LIMIT,
  annotationsOverLimit,
  base64DecodedLength,
  byteLength,
  checkConfigMapKey,
  checkLabelValue,
  checkQualifiedName,
  nameIsDnsLabel,
  nameRuleOf,
  type NameRule,
  suggestDnsName,
} from '../model/k8s-syntax.js';
import { isObj } from '../model/references.js';
import { WORKLOAD_KINDS } from '../model/workloads.js';

type Obj = Record<string, any>;

/** core.MaxSecretSize (kubernetes `pkg/apis/core/types.go`): 1 MiB for a Secret's or ConfigMap's data. */
const MAX_DATA_SIZE = 1024 * 1024;
/** The placeholder generator/values/secrets.ts renders for a secret value; publish fills it in. */
const SECRET_PLACEHOLDER = /<<secret:[A-Z_][A-Z0-9_]*>>/;
/** Finalizer names the API server knows without a prefix (helper.IsStandardFinalizerName). */
const STANDARD_FINALIZERS = new Set(['kubernetes', 'orphan', 'foregroundDeletion']);
/** Built-in API groups (objects of other groups are custom resources). */
const BUILT_IN_GROUPS = new Set([
  '',
  'apps',
  'batch',
  'autoscaling',
  'policy',
  'rbac.authorization.k8s.io',
  'storage.k8s.io',
  'networking.k8s.io',
  'scheduling.k8s.io',
  'coordination.k8s.io',
  'node.k8s.io',
  'discovery.k8s.io',
  'admissionregistration.k8s.io',
  'apiextensions.k8s.io',
  'certificates.k8s.io',
]);

/** Keys each Secret type requires (ValidateSecret). */
const SECRET_TYPE_KEYS: Record<string, { keys: string[]; any?: boolean; json?: boolean }> = {
  'kubernetes.io/dockercfg': { keys: ['.dockercfg'], json: true },
  'kubernetes.io/dockerconfigjson': { keys: ['.dockerconfigjson'], json: true },
  'kubernetes.io/basic-auth': { keys: ['username', 'password'], any: true },
  'kubernetes.io/ssh-auth': { keys: ['ssh-privatekey'] },
  'kubernetes.io/tls': { keys: ['tls.crt', 'tls.key'] },
};

function checkLabels(f: Findings, labels: unknown, path: FieldPath, who = REJECTS): void {
  if (!isObj(labels)) return;
  for (const key in labels) {
    const value = labels[key];
    const keyProblem = checkQualifiedName(key);
    if (keyProblem)
      f.add(
        [...path, key],
        `${who}: label key ${show(key)} ${keyProblem} (ValidateLabels, IsQualifiedName); use an optional DNS-subdomain prefix and '/' followed by a name of at most 63 characters, e.g. "app.kubernetes.io/name"`,
      );
    if (typeof value !== 'string') continue; // a non-string value is the schema rule's finding
    const valueProblem = checkLabelValue(value);
    if (valueProblem)
      f.add(
        [...path, key],
        `${who}: label ${key} value ${show(value)} ${valueProblem} (ValidateLabels, IsValidLabelValue); use at most 63 letters, digits, '-', '_' or '.', e.g. ${show(suggestDnsName(value))}, and move longer text to an annotation`,
      );
  }
}

function checkAnnotations(f: Findings, annotations: unknown, path: FieldPath, who = REJECTS): void {
  if (!isObj(annotations)) return;
  for (const key in annotations) {
    const problem = checkQualifiedName(key.toLowerCase());
    if (problem)
      f.add(
        [...path, key],
        `${who}: annotation key ${show(key)} ${problem} (ValidateAnnotations, IsQualifiedName of the lowercased key); use an optional DNS-subdomain prefix and '/' followed by a name of at most 63 characters, e.g. "example.com/note"`,
      );
  }
  const size = annotationsOverLimit(annotations);
  if (size !== undefined)
    f.add(
      path,
      `${who}: the annotations total ${size} bytes, more than the ${ANNOTATIONS_SIZE_LIMIT} bytes (256 KiB) allowed (ValidateAnnotations, TotalAnnotationSizeLimitB); move large content into a ConfigMap`,
    );
}

/** customResourceValidator (apiextensions-apiserver) validates custom resource names. */
const CUSTOM_RESOURCE_NAME: NameRule = {
  ...nameRuleOf('', 'custom'),
  rule: 'NameIsDNSSubdomain, as the apiextensions-apiserver validates custom resources',
};

function checkObjectName(f: Findings, obj: Obj, meta: Obj): void {
  const kind = String(obj.kind);
  const group = groupOfObject(obj);
  const builtIn = BUILT_IN_GROUPS.has(group);
  const rule = builtIn ? nameRuleOf(kind, group) : CUSTOM_RESOURCE_NAME;
  const name = meta.name;
  const generateName = meta.generateName;
  const maxLength = rule.what === 'DNS-1123 subdomain' ? 253 : 63;
  if (typeof name === 'string' && name !== '') {
    const problem = rule.check(name, false);
    if (problem) {
      const fix =
        rule.what === 'path segment'
          ? "remove '/' and '%' from it"
          : `rename it, e.g. ${show(suggestDnsName(name, maxLength, rule.what === 'DNS-1123 subdomain', rule.what === 'DNS-1035 label'))}`;
      f.add(
        ['metadata', 'name'],
        `${REJECTS}: ${kind} name ${show(name)} ${problem} (ValidateObjectMeta, ${rule.rule}); ${fix}`,
      );
    }
    // ValidateCronJobCreate: the controller appends an 11-character suffix to Job names.
    if (kind === 'CronJob' && group === 'batch' && name.length > 52)
      f.add(
        ['metadata', 'name'],
        `${REJECTS}: a CronJob name must be no more than 52 characters (ValidateCronJobCreate: its Jobs are named <name>-<11 digits>, at most 63), ${show(name)} has ${name.length}; shorten it`,
      );
  }
  if (typeof generateName === 'string' && generateName !== '') {
    const problem = rule.check(generateName, true);
    if (problem)
      f.add(
        ['metadata', 'generateName'],
        `${REJECTS}: generateName ${show(generateName)} ${problem} as a name prefix (ValidateObjectMetaAccessor, ${rule.rule} with prefix); use a prefix like ${show(suggestDnsName(generateName, maxLength - 6, rule.what === 'DNS-1123 subdomain', rule.what === 'DNS-1035 label') + '-')}`,
      );
  }
  if (
    (typeof name !== 'string' || name === '') &&
    (typeof generateName !== 'string' || generateName === '')
  )
    f.add(
      ['metadata'],
      `${REJECTS}: name or generateName is required (ValidateObjectMetaAccessor); set metadata.name`,
    );
}

function checkFinalizers(f: Findings, finalizers: unknown, builtIn: boolean): void {
  if (!Array.isArray(finalizers)) return;
  for (let i = 0; i < finalizers.length; i++) {
    const name: unknown = finalizers[i];
    if (typeof name !== 'string') continue;
    const problem = checkQualifiedName(name);
    if (problem)
      f.add(
        ['metadata', 'finalizers', i],
        `${REJECTS}: finalizer ${show(name)} ${problem} (ValidateFinalizerName, IsQualifiedName); use a name like "example.com/cleanup"`,
      );
    else if (builtIn && !name.includes('/') && !STANDARD_FINALIZERS.has(name))
      f.add(
        ['metadata', 'finalizers', i],
        `${REJECTS}: finalizer ${show(name)} is neither a standard finalizer name (kubernetes, orphan, foregroundDeletion) nor fully qualified (validateKubeFinalizerName); give it a domain prefix, e.g. "example.com/${name}"`,
      );
  }
}

/** ValidateConfigMap: keys, keys in both data and binaryData, 1 MiB in all. */
/** Data keys seen valid (the same keys recur across a plan's ConfigMaps). */
const validKeys = new Set<string>();

function rememberKey(key: string): string | undefined {
  const problem = checkConfigMapKey(key);
  if (!problem && validKeys.size < 4096) validKeys.add(key);
  return problem;
}

function checkConfigMap(f: Findings, obj: Obj): void {
  let size = 0;
  const data = isObj(obj.data) ? obj.data : undefined;
  const binary = isObj(obj.binaryData) ? obj.binaryData : undefined;
  if (data)
    for (const key in data) {
      const value = data[key];
      const problem = validKeys.has(key) ? undefined : rememberKey(key);
      if (problem)
        f.add(
          ['data', key],
          `${REJECTS}: ConfigMap key ${show(key)} ${problem} (ValidateConfigMap, IsConfigMapKey); name the key with letters, digits, '-', '_' and '.' only, e.g. ${show(key.replace(/[^-._a-zA-Z0-9]+/g, '-'))}`,
        );
      if (binary && key in binary)
        f.add(
          ['data', key],
          `${REJECTS}: ConfigMap key ${show(key)} is in both data and binaryData (ValidateConfigMap: duplicate of key present in binaryData); keep it in one of them`,
        );
      if (typeof value === 'string') size += value.length;
    }
  if (binary)
    for (const key in binary) {
      const value = binary[key];
      const problem = checkConfigMapKey(key);
      if (problem)
        f.add(
          ['binaryData', key],
          `${REJECTS}: ConfigMap key ${show(key)} ${problem} (ValidateConfigMap, IsConfigMapKey); name the key with letters, digits, '-', '_' and '.' only`,
        );
      if (typeof value !== 'string') continue;
      const n = base64DecodedLength(value);
      if (n === undefined)
        f.add(
          ['binaryData', key],
          `${REJECTS}: binaryData[${show(key)}] is not base64 (the API server decodes []byte fields with Go's standard base64 and fails the request); encode the bytes with \`base64 -w0\`, or put text in data`,
        );
      else size += n;
    }
  // Counted in UTF-16 units above (at most 3 UTF-8 bytes each); count bytes only near the limit.
  if (size * 3 > MAX_DATA_SIZE) size = configMapBytes(data ?? {}, binary ?? {});
  if (size > MAX_DATA_SIZE)
    f.add(
      [],
      `${REJECTS}: the ConfigMap holds ${size} bytes of data, more than the ${MAX_DATA_SIZE} bytes (1 MiB) allowed (ValidateConfigMap, MaxSecretSize); split it or mount the content another way`,
    );
}

function configMapBytes(data: Obj, binary: Obj): number {
  let n = 0;
  for (const v of Object.values(data)) if (typeof v === 'string') n += byteLength(v);
  for (const v of Object.values(binary))
    if (typeof v === 'string') n += base64DecodedLength(v) ?? 0;
  return n;
}

/** ValidateSecret: data keys, base64 data, 1 MiB in all, the keys each type requires. */
function checkSecret(f: Findings, obj: Obj): void {
  const data = isObj(obj.data) ? obj.data : {};
  const stringData = isObj(obj.stringData) ? obj.stringData : {};
  // stringData is merged over data before validation (the v1 conversion), so both count.
  const sizes = new Map<string, number>();
  const values = new Map<string, { text: string; base64: boolean }>();
  for (const [key, value] of Object.entries(data)) {
    const problem = checkConfigMapKey(key);
    if (problem)
      f.add(
        ['data', key],
        `${REJECTS}: Secret key ${show(key)} ${problem} (ValidateSecret, IsConfigMapKey); name the key with letters, digits, '-', '_' and '.' only, e.g. ${show(key.replace(/[^-._a-zA-Z0-9]+/g, '-'))}`,
      );
    if (typeof value !== 'string') continue;
    if (SECRET_PLACEHOLDER.test(value) && base64DecodedLength(value) === undefined) {
      sizes.set(key, 0); // the plan's placeholder: publish fills in the value
      values.set(key, { text: value, base64: false });
      continue;
    }
    const n = base64DecodedLength(value);
    if (n === undefined) {
      f.add(
        ['data', key],
        `${REJECTS}: Secret data[${show(key)}] is not base64 (the API server decodes []byte fields with Go's standard base64, padding required, and fails the request); encode it with \`base64 -w0\`, or move the plain text to stringData`,
      );
      continue;
    }
    sizes.set(key, n);
    values.set(key, { text: value, base64: true });
  }
  for (const [key, value] of Object.entries(stringData)) {
    const problem = checkConfigMapKey(key);
    if (problem)
      f.add(
        ['stringData', key],
        `${REJECTS}: Secret key ${show(key)} ${problem} (ValidateSecret, IsConfigMapKey of the keys stringData adds to data); name the key with letters, digits, '-', '_' and '.' only, e.g. ${show(key.replace(/[^-._a-zA-Z0-9]+/g, '-'))}`,
      );
    if (typeof value !== 'string') continue;
    sizes.set(key, SECRET_PLACEHOLDER.test(value) ? 0 : byteLength(value));
    values.set(key, { text: value, base64: false });
  }
  let size = 0;
  for (const n of sizes.values()) size += n;
  if (size > MAX_DATA_SIZE)
    f.add(
      [],
      `${REJECTS}: the Secret holds ${size} bytes of data, more than the ${MAX_DATA_SIZE} bytes (1 MiB) allowed (ValidateSecret, MaxSecretSize); split it`,
    );

  const type = typeof obj.type === 'string' ? obj.type : 'Opaque';
  if (type === 'kubernetes.io/service-account-token') {
    const sa = isObj(obj.metadata?.annotations)
      ? obj.metadata.annotations['kubernetes.io/service-account.name']
      : undefined;
    if (typeof sa !== 'string' || sa === '')
      f.add(
        ['type'],
        `${REJECTS}: a kubernetes.io/service-account-token Secret needs the annotation kubernetes.io/service-account.name (ValidateSecret); add it with the ServiceAccount's name`,
      );
    return;
  }
  const wanted = SECRET_TYPE_KEYS[type];
  if (!wanted) return;
  const present = wanted.keys.filter((k) => values.has(k));
  const missing = wanted.keys.filter((k) => !values.has(k));
  if (wanted.any ? present.length === 0 : missing.length > 0)
    f.add(
      ['type'],
      `${REJECTS}: a ${type} Secret needs ${wanted.any ? 'the key ' + wanted.keys.join(' or ') : 'the key' + (missing.length > 1 ? 's ' : ' ') + missing.join(' and ')} in data or stringData (ValidateSecret); add ${wanted.any ? 'one' : missing.length > 1 ? 'them' : 'it'} or change the type`,
    );
  if (type === 'kubernetes.io/ssh-auth' && values.get('ssh-privatekey')?.text === '')
    f.add(
      [
        values.has('ssh-privatekey') && 'ssh-privatekey' in stringData ? 'stringData' : 'data',
        'ssh-privatekey',
      ],
      `${REJECTS}: a kubernetes.io/ssh-auth Secret needs a non-empty ssh-privatekey (ValidateSecret); put the private key there`,
    );
  if (wanted.json) {
    const key = wanted.keys[0];
    const v = values.get(key);
    if (!v || SECRET_PLACEHOLDER.test(v.text)) return;
    const text = v.base64
      ? Buffer.from(v.text.replace(/[\r\n]/g, ''), 'base64').toString('utf8')
      : v.text;
    let ok = false;
    try {
      const parsed: unknown = JSON.parse(text);
      ok = parsed === null || isObj(parsed);
    } catch {
      ok = false;
    }
    if (!ok)
      f.add(
        [key in stringData ? 'stringData' : 'data', key],
        `${REJECTS}: the ${key} of a ${type} Secret must be a JSON object (ValidateSecret unmarshals it); fix the JSON (e.g. {"auths": {"registry.example.com": {"auth": "..."}}})`,
      );
  }
}

/**
 * Metadata and data as the API server validates them on create: names per kind, generateName,
 * namespace, labels, annotations, finalizers, pod template metadata, ConfigMap and Secret keys,
 * Secret data encoding, sizes and type requirements.
 */
export const apiMetadataRule: Rule = {
  id: 'api-metadata',
  description:
    'Names, generateName, namespaces, labels, annotations, finalizers and ConfigMap/Secret data pass the API server’s ObjectMeta, ConfigMap and Secret validation',
  severity: 'error',
  scope: 'object',
  docs:
    'Catches what the Kubernetes API server rejects in metadata and data, which kubeconform and kube-linter let through so Argo CD fails the sync: ' +
    'object names per kind (ValidateObjectMeta with the kind’s ValidateNameFunc: DNS-1123 subdomain by default, DNS-1123 label for Namespaces and StatefulSets, DNS-1035 label for Services, a path segment for RBAC objects, DNS subdomain for custom resources such as Istio and Argo CD objects; CronJob names at most 52 characters, ValidateCronJobCreate), ' +
    'generateName prefixes (NameIsDNS* with prefix, maskTrailingDash), namespace names (ValidateNamespaceName), label keys and values (ValidateLabels: IsQualifiedName, IsValidLabelValue) on objects and pod templates, annotation keys and their 256 KiB total (ValidateAnnotations, TotalAnnotationSizeLimitB), finalizer names (ValidateFinalizerName, validateKubeFinalizerName), ' +
    'ConfigMap and Secret keys (ValidateConfigMap, ValidateSecret: IsConfigMapKey), a key in both data and binaryData, base64 in Secret data and ConfigMap binaryData (Go’s standard base64, as the API server decodes []byte fields), the 1 MiB data limit (MaxSecretSize), and the keys each Secret type needs. ' +
    'Sources: kubernetes/apimachinery pkg/api/validation/objectmeta.go and generic.go, pkg/util/validation/validation.go, pkg/api/validate/content/kube.go; kubernetes/kubernetes pkg/apis/core/validation/validation.go, pkg/apis/apps/validation, pkg/apis/batch/validation, pkg/apis/rbac/validation; apiextensions-apiserver customResourceValidator. ' +
    'The plan’s <<secret:VAR>> placeholders are accepted in data and stringData. Fix by renaming the object, key or label as the message suggests.',
  check(manifests) {
    const f = new Findings();
    for (let i = 0; i < manifests.length; i++) {
      const manifest = manifests[i];
      if (!isApiObject(manifest)) continue;
      const obj = manifest.object as Obj;
      const meta = obj.metadata;
      if (!isObj(meta)) continue;
      f.manifest = manifest;
      const kind = obj.kind as string;
      const group = groupOfObject(obj);
      checkObjectName(f, obj, meta);
      if (typeof meta.namespace === 'string' && meta.namespace !== '' && !clusterScoped(kind)) {
        const problem = nameIsDnsLabel(meta.namespace, false);
        if (problem)
          f.add(
            ['metadata', 'namespace'],
            `${REJECTS}: namespace ${show(meta.namespace)} ${problem} (ValidateObjectMeta, ValidateNamespaceName); use a DNS-1123 label such as ${show(suggestDnsName(meta.namespace))}`,
          );
      }
      if (meta.labels) checkLabels(f, meta.labels, META_LABELS);
      if (meta.annotations) checkAnnotations(f, meta.annotations, META_ANNOTATIONS);
      if (meta.finalizers) checkFinalizers(f, meta.finalizers, BUILT_IN_GROUPS.has(group));

      // The pod template's metadata, where podTemplateOf (model/workloads.ts) finds the template.
      const cron = kind === 'CronJob';
      const tmeta =
        kind === 'Pod' || !WORKLOAD_KINDS.has(kind)
          ? undefined
          : cron
            ? obj.spec?.jobTemplate?.spec?.template?.metadata
            : obj.spec?.template?.metadata;
      if (tmeta !== undefined && isObj(tmeta)) {
        // ValidatePodTemplateSpec (and ValidatePodTemplateSpecForStatefulSet) check these.
        if (tmeta.labels)
          checkLabels(f, tmeta.labels, cron ? CRON_TEMPLATE_LABELS : TEMPLATE_LABELS);
        if (tmeta.annotations)
          checkAnnotations(
            f,
            tmeta.annotations,
            cron ? CRON_TEMPLATE_ANNOTATIONS : TEMPLATE_ANNOTATIONS,
          );
      }
      if (kind === 'CronJob' && group === 'batch') {
        const jmeta = obj.spec?.jobTemplate?.metadata;
        if (isObj(jmeta)) {
          // Copied onto every Job the controller creates, where ValidateObjectMeta checks them.
          const who = 'the API server rejects the Jobs this CronJob creates';
          checkLabels(f, jmeta.labels, ['spec', 'jobTemplate', 'metadata', 'labels'], who);
          checkAnnotations(
            f,
            jmeta.annotations,
            ['spec', 'jobTemplate', 'metadata', 'annotations'],
            who,
          );
        }
      }
      if (group === '' && kind === 'ConfigMap') checkConfigMap(f, obj);
      if (group === '' && kind === 'Secret') checkSecret(f, obj);
    }
    return f.out;
  },
};

// Field paths of the metadata maps (never mutated: findings copy them).
const META_LABELS: FieldPath = ['metadata', 'labels'];
const META_ANNOTATIONS: FieldPath = ['metadata', 'annotations'];
const TEMPLATE_LABELS: FieldPath = ['spec', 'template', 'metadata', 'labels'];
const TEMPLATE_ANNOTATIONS: FieldPath = ['spec', 'template', 'metadata', 'annotations'];
const CRON_TEMPLATE_LABELS: FieldPath = [
  'spec',
  'jobTemplate',
  'spec',
  'template',
  'metadata',
  'labels',
];
const CRON_TEMPLATE_ANNOTATIONS: FieldPath = [
  'spec',
  'jobTemplate',
  'spec',
  'template',
  'metadata',
  'annotations',
];
