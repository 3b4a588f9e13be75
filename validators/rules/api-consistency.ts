import type { FieldPath, Rule } from '../types.js';
import {
  at,
  apiObjectOf,
  Findings,
  builtInKind,
  podSpecRejection,
  REJECTS,
  show,
} from '../model/api-server.js';
import {
  checkConfigMapKey,
  checkDns1123Label,
  checkDns1123Subdomain,
  checkLabelValue,
  checkPathSegmentName,
  checkPortName,
  checkQualifiedName,
  isPercent,
} from '../model/k8s-syntax.js';
import { formatLabels, isObj } from '../model/references.js';
import { selectorMatches } from '../model/workloads.js';

type Obj = Record<string, any>;

const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const has = (o: Obj, k: string) => o[k] !== undefined && o[k] !== null;

const ITEM_SOURCES = ['secret', 'configMap'] as const;
const POD_AFFINITIES = ['podAffinity', 'podAntiAffinity'] as const;

interface Ctx {
  f: Findings;
  who: string;
}

// ---------------------------------------------------------------------------------------------
// Labels and selectors (ValidateLabels, ValidateLabelSelector, ValidateNodeSelector...)

/** ValidateLabels on a plain map (nodeSelector, a Service's selector, matchLabels). */
function labelMap(
  c: Ctx,
  labels: unknown,
  path: FieldPath,
  rule: string,
  known?: Record<string, unknown>,
): void {
  if (!isObj(labels)) return;
  for (const key in labels) {
    const value = labels[key];
    // A pair the pod template carries too is api-metadata's finding (ValidatePodTemplateSpec).
    if (known !== undefined && known[key] === value) continue;
    const kp = checkQualifiedName(key);
    if (kp)
      c.f.add(
        [...path, key],
        `${c.who}: ${at(path)} key ${show(key)} ${kp} (${rule}, ValidateLabels, IsQualifiedName); use a label key such as "app.kubernetes.io/name"`,
      );
    if (typeof value !== 'string') continue;
    const vp = checkLabelValue(value);
    if (vp)
      c.f.add(
        [...path, key],
        `${c.who}: ${at(path)} ${key} value ${show(value)} ${vp} (${rule}, ValidateLabels, IsValidLabelValue); match a label value that pods can carry: at most 63 letters, digits, '-', '_' or '.'`,
      );
  }
}

function requirementKey(c: Ctx, key: unknown, path: FieldPath, rule: string): void {
  if (typeof key !== 'string') return;
  const p = checkQualifiedName(key);
  if (p)
    c.f.add(
      [...path, 'key'],
      `${c.who}: selector key ${show(key)} ${p} (${rule}, ValidateLabelName); use a label key such as "app.kubernetes.io/name"`,
    );
}

/** ValidateLabelSelector (apimachinery `pkg/apis/meta/v1/validation`). */
function labelSelector(
  c: Ctx,
  sel: unknown,
  path: FieldPath,
  checkValues = true,
  known?: Record<string, unknown>,
): boolean {
  if (!isObj(sel)) return false;
  const before = c.f.out.length;
  if (sel.matchLabels)
    labelMap(c, sel.matchLabels, [...path, 'matchLabels'], 'ValidateLabelSelector', known);
  if (Array.isArray(sel.matchExpressions))
    for (let i = 0; i < sel.matchExpressions.length; i++) {
      const e: unknown = sel.matchExpressions[i];
      if (!isObj(e)) continue;
      const p = [...path, 'matchExpressions', i];
      const values = Array.isArray(e.values) ? e.values : [];
      switch (e.operator) {
        case 'In':
        case 'NotIn':
          if (values.length === 0)
            c.f.add(
              [...p, 'operator'],
              `${c.who}: values must be specified when operator is ${e.operator} (ValidateLabelSelectorRequirement); list the label values to match`,
            );
          break;
        case 'Exists':
        case 'DoesNotExist':
          if (values.length > 0)
            c.f.add(
              [...p, 'values'],
              `${c.who}: values may not be specified when operator is ${e.operator} (ValidateLabelSelectorRequirement); remove values`,
            );
          break;
        default:
          if (typeof e.operator === 'string')
            c.f.add(
              [...p, 'operator'],
              `${c.who}: ${show(e.operator)} is not a valid selector operator (ValidateLabelSelectorRequirement); use In, NotIn, Exists or DoesNotExist`,
            );
      }
      requirementKey(c, e.key, p, 'ValidateLabelSelectorRequirement');
      if (checkValues)
        for (let j = 0; j < values.length; j++) {
          const v: unknown = values[j];
          if (typeof v === 'string' && checkLabelValue(v))
            c.f.add(
              [...p, 'values', j],
              `${c.who}: selector value ${show(v)} ${checkLabelValue(v)} (ValidateLabelSelectorRequirement, IsValidLabelValue); use a valid label value`,
            );
        }
    }
  return c.f.out.length === before;
}

function nodeSelectorRequirement(c: Ctx, e: Obj, path: FieldPath, checkValues: boolean): void {
  const values = Array.isArray(e.values) ? e.values : [];
  switch (e.operator) {
    case 'In':
    case 'NotIn':
      if (values.length === 0)
        c.f.add(
          [...path, 'operator'],
          `${c.who}: values must be specified when operator is ${e.operator} (ValidateNodeSelectorRequirement); list the node label values`,
        );
      break;
    case 'Exists':
    case 'DoesNotExist':
      if (values.length > 0)
        c.f.add(
          [...path, 'values'],
          `${c.who}: values may not be specified when operator is ${e.operator} (ValidateNodeSelectorRequirement); remove values`,
        );
      break;
    case 'Gt':
    case 'Lt':
      if (values.length !== 1)
        c.f.add(
          [...path, 'values'],
          `${c.who}: exactly one value must be specified when operator is ${e.operator} (ValidateNodeSelectorRequirement); give one integer value`,
        );
      break;
    default:
      if (typeof e.operator === 'string')
        c.f.add(
          [...path, 'operator'],
          `${c.who}: ${show(e.operator)} is not a valid node selector operator (ValidateNodeSelectorRequirement); use In, NotIn, Exists, DoesNotExist, Gt or Lt`,
        );
  }
  requirementKey(c, e.key, path, 'ValidateNodeSelectorRequirement');
  if (checkValues)
    for (let j = 0; j < values.length; j++) {
      const v: unknown = values[j];
      if (typeof v === 'string' && checkLabelValue(v))
        c.f.add(
          [...path, 'values', j],
          `${c.who}: node selector value ${show(v)} ${checkLabelValue(v)} (ValidateNodeSelectorRequirement, IsValidLabelValue); use a valid label value`,
        );
    }
}

function nodeSelectorTerm(c: Ctx, term: unknown, path: FieldPath, checkValues: boolean): void {
  if (!isObj(term)) return;
  if (Array.isArray(term.matchExpressions))
    for (let i = 0; i < term.matchExpressions.length; i++) {
      const e: unknown = term.matchExpressions[i];
      if (isObj(e)) nodeSelectorRequirement(c, e, [...path, 'matchExpressions', i], checkValues);
    }
  if (Array.isArray(term.matchFields))
    for (let i = 0; i < term.matchFields.length; i++) {
      const e: unknown = term.matchFields[i];
      if (!isObj(e)) continue;
      const p = [...path, 'matchFields', i];
      if (e.key !== 'metadata.name')
        c.f.add(
          [...p, 'key'],
          `${c.who}: ${show(e.key)} is not a valid field selector key (ValidateNodeFieldSelectorRequirement); only metadata.name is supported`,
        );
      if (
        !['In', 'NotIn'].includes(e.operator) ||
        !Array.isArray(e.values) ||
        e.values.length !== 1
      )
        c.f.add(
          p,
          `${c.who}: a node field selector needs operator In or NotIn with exactly one value (ValidateNodeFieldSelectorRequirement); give one node name`,
        );
    }
}

function podAffinityTerm(c: Ctx, term: unknown, path: FieldPath): void {
  if (!isObj(term)) return;
  if (term.labelSelector) labelSelector(c, term.labelSelector, [...path, 'labelSelector']);
  if (term.namespaceSelector)
    labelSelector(c, term.namespaceSelector, [...path, 'namespaceSelector']);
  if (typeof term.topologyKey !== 'string' || term.topologyKey === '')
    c.f.add(
      term.topologyKey === undefined ? path : [...path, 'topologyKey'],
      `${c.who}: a pod affinity term needs a topologyKey (validatePodAffinityTerm: can not be empty); use e.g. kubernetes.io/hostname or topology.kubernetes.io/zone`,
    );
  else requirementKey(c, term.topologyKey, [...path], 'validatePodAffinityTerm');
  if (Array.isArray(term.namespaces))
    for (let i = 0; i < term.namespaces.length; i++) {
      const ns: unknown = term.namespaces[i];
      if (typeof ns === 'string' && checkDns1123Label(ns))
        c.f.add(
          [...path, 'namespaces', i],
          `${c.who}: namespace ${show(ns)} ${checkDns1123Label(ns)} (validatePodAffinityTerm, ValidateNamespaceName); use the namespace's exact name`,
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Pods

const PROBE_HANDLERS = ['exec', 'httpGet', 'tcpSocket', 'grpc'] as const;
const LIFECYCLE_HANDLERS = ['exec', 'httpGet', 'tcpSocket', 'sleep'] as const;
const VOLUME_SOURCES = [
  'emptyDir',
  'hostPath',
  'gitRepo',
  'gcePersistentDisk',
  'awsElasticBlockStore',
  'secret',
  'nfs',
  'iscsi',
  'glusterfs',
  'flocker',
  'persistentVolumeClaim',
  'rbd',
  'cinder',
  'cephfs',
  'quobyte',
  'downwardAPI',
  'fc',
  'flexVolume',
  'configMap',
  'azureFile',
  'vsphereVolume',
  'photonPersistentDisk',
  'portworxVolume',
  'azureDisk',
  'storageos',
  'projected',
  'scaleIO',
  'csi',
  'ephemeral',
  'image',
];
/** validEnvDownwardAPIFieldPathExpressions. */
const ENV_FIELD_PATHS = new Set([
  'metadata.name',
  'metadata.namespace',
  'metadata.uid',
  'spec.nodeName',
  'spec.serviceAccountName',
  'status.hostIP',
  'status.hostIPs',
  'status.podIP',
  'status.podIPs',
]);
/** validVolumeDownwardAPIFieldPathExpressions. */
const VOLUME_FIELD_PATHS = new Set([
  'metadata.name',
  'metadata.namespace',
  'metadata.labels',
  'metadata.annotations',
  'metadata.uid',
]);
/** validContainerResourceFieldPathExpressions (plus the hugepages prefixes). */
const RESOURCE_FIELDS = new Set([
  'limits.cpu',
  'limits.memory',
  'limits.ephemeral-storage',
  'requests.cpu',
  'requests.memory',
  'requests.ephemeral-storage',
]);

/**
 * How many of `keys` are set on `o`. Scans the keys `o` has (usually one or two) rather than
 * looking up each of `keys`, which is cheaper in code that runs once per object.
 */
function countSet(o: Obj, keys: readonly string[]): number {
  let n = 0;
  for (const k in o) {
    const v = o[k];
    if (v !== undefined && v !== null && keys.includes(k)) n++;
  }
  return n;
}

/** validateHandler: exactly one handler type; exec needs a command. `h` is at [...base, key]. */
function handlerCount(
  c: Ctx,
  h: Obj,
  base: FieldPath,
  key: string,
  kinds: readonly string[],
  rule: string,
): void {
  const n = countSet(h, kinds);
  if (n === 0)
    c.f.add(
      [...base, key],
      `${c.who}: the ${key} must specify a handler type (${rule}: exactly one of ${kinds.join(', ')}); add one`,
    );
  else if (n > 1) {
    const set = kinds.filter((k) => has(h, k));
    c.f.add(
      [...base, key, set[1]],
      `${c.who}: the ${key} may not specify more than 1 handler type, it has ${set.join(' and ')} (${rule}); keep one`,
    );
  }
  const exec = h.exec;
  if (
    exec !== undefined &&
    isObj(exec) &&
    (!Array.isArray(exec.command) || exec.command.length === 0)
  )
    c.f.add(
      [...base, key, 'exec'],
      `${c.who}: the ${key}'s exec needs a command (validateExecAction: Required value); set exec.command`,
    );
}

/** validateObjectFieldSelector: the fieldPath a downward API reference may name. */
function fieldPathProblem(fieldPath: string, allowed: Set<string>): string | undefined {
  const m = /^(metadata\.(?:labels|annotations))\['(.*)'\]$/.exec(fieldPath);
  if (m) {
    const key = m[1] === 'metadata.annotations' ? m[2].toLowerCase() : m[2];
    return checkQualifiedName(key);
  }
  if (fieldPath.includes('[')) return 'does not support subscript';
  return allowed.has(fieldPath)
    ? undefined
    : `is not supported (supported: ${[...allowed].join(', ')})`;
}

const VALUE_FROM = ['fieldRef', 'resourceFieldRef', 'configMapKeyRef', 'secretKeyRef'] as const;
const ENV_FROM = ['configMapRef', 'secretRef'] as const;

/** validateConfigMapKeySelector / validateSecretKeySelector. */
function keyRef(c: Ctx, ref: Obj, kind: string, base: FieldPath): void {
  const what = kind === 'secretKeyRef' ? 'Secret' : 'ConfigMap';
  const rule =
    kind === 'secretKeyRef' ? 'validateSecretKeySelector' : 'validateConfigMapKeySelector';
  const name = typeof ref.name === 'string' ? ref.name : '';
  const np = checkDns1123Subdomain(name);
  if (np)
    c.f.add(
      ref.name === undefined ? [...base, kind] : [...base, kind, 'name'],
      `${c.who}: ${kind}.name ${show(name)} ${name === '' ? 'is required' : np} (${rule}, ValidateSecretName); set the ${what}'s name`,
    );
  if (typeof ref.key !== 'string' || ref.key === '')
    c.f.add([...base, kind], `${c.who}: ${kind}.key is required (${rule}); name the key to read`);
  else {
    const kp = checkConfigMapKey(ref.key);
    if (kp)
      c.f.add(
        [...base, kind, 'key'],
        `${c.who}: ${kind}.key ${show(ref.key)} ${kp} (${rule}, IsConfigMapKey); use the key as it is spelt in the ${what}`,
      );
  }
}

/** validateEnvVarValueFrom for env[i].valueFrom. */
function valueFrom(c: Ctx, e: Obj, from: Obj, base: FieldPath): void {
  const n = countSet(from, VALUE_FROM);
  if (n === 0)
    c.f.add(
      base,
      `${c.who}: env ${show(e.name)} valueFrom must specify one of fieldRef, resourceFieldRef, configMapKeyRef or secretKeyRef (validateEnvVarValueFrom); add one or use value`,
    );
  else if (typeof e.value === 'string' && e.value !== '')
    c.f.add(
      base,
      `${c.who}: env ${show(e.name)} has both value and valueFrom (validateEnvVarValueFrom: valueFrom may not be specified when value is not empty); keep one`,
    );
  else if (n > 1) {
    const sources = VALUE_FROM.filter((k) => has(from, k));
    c.f.add(
      [...base, sources[1]],
      `${c.who}: env ${show(e.name)} valueFrom may not have more than one field specified at a time, it has ${sources.join(' and ')} (validateEnvVarValueFrom); keep one`,
    );
  }
  const { configMapKeyRef, secretKeyRef } = from;
  if (configMapKeyRef !== undefined && isObj(configMapKeyRef))
    keyRef(c, configMapKeyRef, 'configMapKeyRef', base);
  if (secretKeyRef !== undefined && isObj(secretKeyRef))
    keyRef(c, secretKeyRef, 'secretKeyRef', base);
  const fieldRef = from.fieldRef;
  if (fieldRef !== undefined && isObj(fieldRef) && typeof fieldRef.fieldPath === 'string') {
    const problem = fieldPathProblem(fieldRef.fieldPath, ENV_FIELD_PATHS);
    if (problem)
      c.f.add(
        [...base, 'fieldRef', 'fieldPath'],
        `${c.who}: fieldRef.fieldPath ${show(fieldRef.fieldPath)} ${problem} (validateObjectFieldSelector); use e.g. metadata.name, metadata.namespace, status.podIP or metadata.labels['app']`,
      );
  }
  const rf = from.resourceFieldRef;
  if (rf !== undefined && isObj(rf) && typeof rf.resource === 'string') {
    const r = rf.resource;
    if (!RESOURCE_FIELDS.has(r) && !/^(limits|requests)\.hugepages-/.test(r))
      c.f.add(
        [...base, 'resourceFieldRef', 'resource'],
        `${c.who}: resourceFieldRef.resource ${show(r)} is not supported (validateContainerResourceFieldSelector); use limits.cpu, limits.memory, requests.cpu, requests.memory or the ephemeral-storage ones`,
      );
  }
}

function env(c: Ctx, ctr: Obj, path: FieldPath): void {
  const list = ctr.env;
  if (Array.isArray(list))
    for (let i = 0; i < list.length; i++) {
      const e = list[i];
      if (!isObj(e)) continue;
      if (e.name === '')
        c.f.add(
          [...path, 'env', i, 'name'],
          `${c.who}: an environment variable needs a name (ValidateEnv: Required value); name it`,
        );
      const from = e.valueFrom;
      if (from !== undefined && isObj(from))
        valueFrom(c, e, from, [...path, 'env', i, 'valueFrom']);
    }
  const envFrom = ctr.envFrom;
  if (Array.isArray(envFrom))
    for (let i = 0; i < envFrom.length; i++) {
      const e = envFrom[i];
      if (!isObj(e)) continue;
      const n = countSet(e, ENV_FROM);
      if (n !== 1)
        c.f.add(
          [...path, 'envFrom', i],
          `${c.who}: envFrom ${n === 0 ? 'must specify one of configMapRef or secretRef' : 'may not have both configMapRef and secretRef'} (ValidateEnvFrom); use one entry per source`,
        );
      for (let j = 0; j < ENV_FROM.length; j++) {
        const kind = ENV_FROM[j];
        const ref = e[kind];
        if (ref === undefined || ref === null) continue;
        const name = isObj(ref) && typeof ref.name === 'string' ? ref.name : '';
        const np = name === '' ? 'is required' : checkDns1123Subdomain(name);
        if (np)
          c.f.add(
            [...path, 'envFrom', i, kind],
            `${c.who}: envFrom ${kind}.name ${show(name)} ${np} (ValidateEnvFrom, ${kind === 'secretRef' ? 'ValidateSecretName' : 'ValidateConfigMapName'}); set the object's name`,
          );
      }
    }
}

interface VolumeInfo {
  /** Names of the pod's volumes (and of a StatefulSet's claim templates). */
  names: ReadonlySet<string>;
  /** Volumes that are PVCs (or ephemeral), for volumeDevices. */
  claims: ReadonlySet<string>;
}

const NO_VOLUMES: VolumeInfo = { names: new Set(), claims: new Set() };

function volumes(c: Ctx, spec: Obj, path: FieldPath, claimTemplates: string[]): VolumeInfo {
  if ((!Array.isArray(spec.volumes) || spec.volumes.length === 0) && claimTemplates.length === 0)
    return NO_VOLUMES;
  const names = new Set<string>(claimTemplates);
  const claims = new Set<string>(claimTemplates);
  if (!Array.isArray(spec.volumes)) return { names, claims };
  const seen = new Set<string>();
  for (let i = 0; i < spec.volumes.length; i++) {
    const v: unknown = spec.volumes[i];
    if (!isObj(v)) continue;
    const p = [...path, 'volumes', i];
    const name = typeof v.name === 'string' ? v.name : '';
    if (name !== '' && seen.has(name))
      c.f.add(
        [...p, 'name'],
        `${c.who}: volume name ${show(name)} is used twice (ValidateVolumes: Duplicate value); give each volume its own name`,
      );
    seen.add(name);
    names.add(name);
    const count = countSet(v, VOLUME_SOURCES);
    const sources = count > 1 ? VOLUME_SOURCES.filter((k) => has(v, k)) : [];
    if (count === 0)
      c.f.add(
        p,
        `${c.who}: volume ${show(name)} must specify a volume type (validateVolumeSource); add e.g. emptyDir: {}, configMap, secret or persistentVolumeClaim`,
      );
    else if (count > 1)
      c.f.add(
        [...p, sources[1]],
        `${c.who}: volume ${show(name)} may not specify more than 1 volume type, it has ${sources.join(' and ')} (validateVolumeSource); split it into separate volumes`,
      );
    if (isObj(v.persistentVolumeClaim) || isObj(v.ephemeral)) claims.add(name);
    if (isObj(v.secret) && (typeof v.secret.secretName !== 'string' || v.secret.secretName === ''))
      c.f.add(
        [...p, 'secret'],
        `${c.who}: a secret volume needs secretName (validateSecretVolumeSource: Required value); name the Secret`,
      );
    if (isObj(v.configMap) && (typeof v.configMap.name !== 'string' || v.configMap.name === ''))
      c.f.add(
        [...p, 'configMap'],
        `${c.who}: a configMap volume needs name (validateConfigMapVolumeSource: Required value); name the ConfigMap`,
      );
    if (
      isObj(v.persistentVolumeClaim) &&
      (typeof v.persistentVolumeClaim.claimName !== 'string' ||
        v.persistentVolumeClaim.claimName === '')
    )
      c.f.add(
        [...p, 'persistentVolumeClaim'],
        `${c.who}: a persistentVolumeClaim volume needs claimName (validatePersistentClaimVolumeSource: Required value); name the claim`,
      );
    for (let m = 0; m < ITEM_SOURCES.length; m++) {
      const key = ITEM_SOURCES[m];
      const src = v[key];
      if (isObj(src)) keyToPaths(c, src.items, [...p, key, 'items']);
    }
    if (isObj(v.downwardAPI) && Array.isArray(v.downwardAPI.items))
      v.downwardAPI.items.forEach((item: unknown, j: number) =>
        downwardFile(c, item, [...p, 'downwardAPI', 'items', j]),
      );
    if (isObj(v.projected) && Array.isArray(v.projected.sources))
      for (let j = 0; j < v.projected.sources.length; j++) {
        const s: unknown = v.projected.sources[j];
        if (!isObj(s)) continue;
        const sp = [...p, 'projected', 'sources', j];
        const kinds = [
          'secret',
          'configMap',
          'downwardAPI',
          'serviceAccountToken',
          'clusterTrustBundle',
        ].filter((k) => has(s, k));
        if (kinds.length > 1)
          c.f.add(
            [...sp, kinds[1]],
            `${c.who}: a projected source may not specify more than 1 volume type per source, it has ${kinds.join(' and ')} (validateProjectionSources); use one source entry each`,
          );
        for (let i = 0; i < ITEM_SOURCES.length; i++) {
          const key = ITEM_SOURCES[i];
          if (isObj(s[key])) keyToPaths(c, s[key].items, [...sp, key, 'items']);
        }
        if (
          isObj(s.serviceAccountToken) &&
          (typeof s.serviceAccountToken.path !== 'string' || s.serviceAccountToken.path === '')
        )
          c.f.add(
            [...sp, 'serviceAccountToken'],
            `${c.who}: a serviceAccountToken projection needs a path (validateProjectionSources: Required value); set path`,
          );
      }
  }
  return { names, claims };
}

function keyToPaths(c: Ctx, items: unknown, path: FieldPath): void {
  if (!Array.isArray(items)) return;
  for (let i = 0; i < items.length; i++) {
    const item: unknown = items[i];
    if (!isObj(item)) continue;
    for (const key of ['key', 'path'])
      if (typeof item[key] !== 'string' || item[key] === '')
        c.f.add(
          [...path, i],
          `${c.who}: a volume item needs ${key} (validateKeyToPath: Required value); set both key and path`,
        );
  }
}

function downwardFile(c: Ctx, item: unknown, path: FieldPath): void {
  if (!isObj(item)) return;
  if (typeof item.path !== 'string' || item.path === '')
    c.f.add(
      path,
      `${c.who}: a downwardAPI item needs a path (validateDownwardAPIVolumeFile: Required value); set path`,
    );
  const refs = ['fieldRef', 'resourceFieldRef'].filter((k) => has(item, k));
  if (refs.length !== 1)
    c.f.add(
      path,
      `${c.who}: a downwardAPI item needs exactly one of fieldRef and resourceFieldRef (validateDownwardAPIVolumeFile); keep one`,
    );
  if (isObj(item.fieldRef) && typeof item.fieldRef.fieldPath === 'string') {
    const problem = fieldPathProblem(item.fieldRef.fieldPath, VOLUME_FIELD_PATHS);
    if (problem)
      c.f.add(
        [...path, 'fieldRef', 'fieldPath'],
        `${c.who}: fieldRef.fieldPath ${show(item.fieldRef.fieldPath)} ${problem} (validateObjectFieldSelector); use e.g. metadata.labels or metadata.annotations`,
      );
  }
}

function containerMounts(c: Ctx, ctr: Obj, path: FieldPath, vols: VolumeInfo): void {
  const mounts = Array.isArray(ctr.volumeMounts) ? ctr.volumeMounts.length : 0;
  const devices = Array.isArray(ctr.volumeDevices) ? ctr.volumeDevices.length : 0;
  if (mounts === 0 && devices === 0) return;
  const mountPaths = new Set<string>();
  const mountNames = new Set<string>();
  if (mounts > 0)
    for (let i = 0; i < ctr.volumeMounts.length; i++) {
      const vm: unknown = ctr.volumeMounts[i];
      if (!isObj(vm)) continue;
      const p = [...path, 'volumeMounts', i];
      if (typeof vm.name === 'string') {
        mountNames.add(vm.name);
        if (!vols.names.has(vm.name))
          c.f.add(
            [...p, 'name'],
            `${c.who}: volumeMount ${show(vm.name)} names no volume of the pod (ValidateVolumeMounts: Not found)${vols.names.size ? `; the volumes are ${[...vols.names].map((n) => show(n)).join(', ')}` : '; the pod has no volumes'}; add the volume to spec.volumes or fix the name`,
          );
      }
      if (typeof vm.mountPath === 'string') {
        if (vm.mountPath === '')
          c.f.add(
            [...p, 'mountPath'],
            `${c.who}: a volumeMount needs a mountPath (ValidateVolumeMounts: Required value); set the directory to mount at`,
          );
        else if (mountPaths.has(vm.mountPath))
          c.f.add(
            [...p, 'mountPath'],
            `${c.who}: mountPath ${show(vm.mountPath)} must be unique within a container (ValidateVolumeMounts); mount each volume at its own path (use subPath to mount single files)`,
          );
        mountPaths.add(vm.mountPath);
      }
      if (
        typeof vm.subPath === 'string' &&
        vm.subPath !== '' &&
        typeof vm.subPathExpr === 'string' &&
        vm.subPathExpr !== ''
      )
        c.f.add(
          [...p, 'subPathExpr'],
          `${c.who}: subPathExpr and subPath are mutually exclusive (ValidateVolumeMounts); keep one`,
        );
    }
  if (Array.isArray(ctr.volumeDevices))
    for (let i = 0; i < ctr.volumeDevices.length; i++) {
      const vd: unknown = ctr.volumeDevices[i];
      if (!isObj(vd) || typeof vd.name !== 'string') continue;
      const p = [...path, 'volumeDevices', i];
      if (!vols.names.has(vd.name))
        c.f.add(
          [...p, 'name'],
          `${c.who}: volumeDevice ${show(vd.name)} names no volume of the pod (ValidateVolumeDevices: Not found); add the volume or fix the name`,
        );
      else if (!vols.claims.has(vd.name))
        c.f.add(
          [...p, 'name'],
          `${c.who}: volumeDevice ${show(vd.name)} can only use a PersistentVolumeClaim or ephemeral volume (ValidateVolumeDevices: block mode); use a volumeMount instead`,
        );
      if (mountNames.has(vd.name))
        c.f.add(
          [...p, 'name'],
          `${c.who}: volume ${show(vd.name)} is both a volumeMount and a volumeDevice (ValidateVolumeDevices); use one`,
        );
      if (typeof vd.devicePath === 'string' && mountPaths.has(vd.devicePath))
        c.f.add(
          [...p, 'devicePath'],
          `${c.who}: devicePath ${show(vd.devicePath)} is also a mountPath (ValidateVolumeDevices); use another path`,
        );
    }
}

/** validateProbe, validateLivenessProbe, validateReadinessProbe, validateStartupProbe. */
function probe(c: Ctx, probe: unknown, path: FieldPath, name: string): void {
  if (!isObj(probe)) return;
  handlerCount(c, probe, path, name, PROBE_HANDLERS, 'validateProbe, validateHandler');
  if (name !== 'readinessProbe' && isNum(probe.successThreshold) && probe.successThreshold !== 1)
    c.f.add(
      [...path, name, 'successThreshold'],
      `${c.who}: ${name}.successThreshold must be 1, got ${probe.successThreshold} (${name === 'livenessProbe' ? 'validateLivenessProbe' : 'validateStartupProbe'}); set 1 or leave it out`,
    );
  if (name === 'readinessProbe' && has(probe, 'terminationGracePeriodSeconds'))
    c.f.add(
      [...path, name, 'terminationGracePeriodSeconds'],
      `${c.who}: terminationGracePeriodSeconds must not be set for readinessProbes (validateReadinessProbe); remove it`,
    );
}

const HOOK_NAMES = ['postStart', 'preStop'] as const;

function probesAndHooks(c: Ctx, ctr: Obj, path: FieldPath): void {
  const { livenessProbe, readinessProbe, startupProbe } = ctr;
  if (livenessProbe !== undefined) probe(c, livenessProbe, path, 'livenessProbe');
  if (readinessProbe !== undefined) probe(c, readinessProbe, path, 'readinessProbe');
  if (startupProbe !== undefined) probe(c, startupProbe, path, 'startupProbe');
  const lifecycle = ctr.lifecycle;
  if (lifecycle !== undefined && isObj(lifecycle))
    for (let j = 0; j < HOOK_NAMES.length; j++) {
      const hook = HOOK_NAMES[j];
      if (isObj(lifecycle[hook]))
        handlerCount(
          c,
          lifecycle[hook],
          [...path, 'lifecycle'],
          hook,
          LIFECYCLE_HANDLERS,
          'validateLifecycle, validateHandler',
        );
    }
}

function tolerations(c: Ctx, list: unknown, path: FieldPath): void {
  if (!Array.isArray(list)) return;
  for (let i = 0; i < list.length; i++) {
    const t: unknown = list[i];
    if (!isObj(t)) continue;
    const p = [...path, i];
    const key = typeof t.key === 'string' ? t.key : '';
    const op = typeof t.operator === 'string' ? t.operator : '';
    if (key !== '') requirementKey(c, key, p, 'ValidateTolerations');
    if (key === '' && op !== 'Exists')
      c.f.add(
        [...p, has(t, 'operator') ? 'operator' : 'key'],
        `${c.who}: a toleration without a key must use operator Exists, meaning "match all keys and values" (ValidateTolerations); set key, or operator: Exists`,
      );
    if (has(t, 'tolerationSeconds') && t.effect !== 'NoExecute')
      c.f.add(
        [...p, 'tolerationSeconds'],
        `${c.who}: tolerationSeconds needs effect NoExecute (ValidateTolerations: effect must be 'NoExecute' when tolerationSeconds is set); set effect: NoExecute or remove tolerationSeconds`,
      );
    const value = typeof t.value === 'string' ? t.value : '';
    if (op === 'Exists' && value !== '')
      c.f.add(
        [...p, 'value'],
        `${c.who}: a toleration with operator Exists must have an empty value (ValidateTolerations); remove value or use operator Equal`,
      );
    if ((op === 'Equal' || op === '') && checkLabelValue(value))
      c.f.add(
        [...p, 'value'],
        `${c.who}: toleration value ${show(value)} ${checkLabelValue(value)} (ValidateTolerations, IsValidLabelValue); use the taint's value`,
      );
  }
}

function affinity(c: Ctx, a: unknown, path: FieldPath): void {
  if (!isObj(a)) return;
  const na = a.nodeAffinity;
  if (isObj(na)) {
    const req = na.requiredDuringSchedulingIgnoredDuringExecution;
    const rp = [...path, 'nodeAffinity', 'requiredDuringSchedulingIgnoredDuringExecution'];
    if (isObj(req)) {
      if (!Array.isArray(req.nodeSelectorTerms) || req.nodeSelectorTerms.length === 0)
        c.f.add(
          rp,
          `${c.who}: required node affinity must have at least one node selector term (ValidateNodeSelector); add nodeSelectorTerms`,
        );
      else
        req.nodeSelectorTerms.forEach((t: unknown, i: number) =>
          nodeSelectorTerm(c, t, [...rp, 'nodeSelectorTerms', i], true),
        );
    }
    if (Array.isArray(na.preferredDuringSchedulingIgnoredDuringExecution))
      for (let i = 0; i < na.preferredDuringSchedulingIgnoredDuringExecution.length; i++) {
        const t: unknown = na.preferredDuringSchedulingIgnoredDuringExecution[i];
        if (isObj(t))
          nodeSelectorTerm(
            c,
            t.preference,
            [
              ...path,
              'nodeAffinity',
              'preferredDuringSchedulingIgnoredDuringExecution',
              i,
              'preference',
            ],
            false,
          );
      }
  }
  for (let j = 0; j < POD_AFFINITIES.length; j++) {
    const kind = POD_AFFINITIES[j];
    const pa = a[kind];
    if (!isObj(pa)) continue;
    const base = [...path, kind];
    if (Array.isArray(pa.requiredDuringSchedulingIgnoredDuringExecution))
      pa.requiredDuringSchedulingIgnoredDuringExecution.forEach((t: unknown, i: number) =>
        podAffinityTerm(c, t, [...base, 'requiredDuringSchedulingIgnoredDuringExecution', i]),
      );
    if (Array.isArray(pa.preferredDuringSchedulingIgnoredDuringExecution))
      for (let i = 0; i < pa.preferredDuringSchedulingIgnoredDuringExecution.length; i++) {
        const t: unknown = pa.preferredDuringSchedulingIgnoredDuringExecution[i];
        if (isObj(t))
          podAffinityTerm(c, t.podAffinityTerm, [
            ...base,
            'preferredDuringSchedulingIgnoredDuringExecution',
            i,
            'podAffinityTerm',
          ]);
      }
  }
}

function spreadConstraints(c: Ctx, list: unknown, path: FieldPath): void {
  if (!Array.isArray(list)) return;
  const seen = new Set<string>();
  for (let i = 0; i < list.length; i++) {
    const t: unknown = list[i];
    if (!isObj(t)) continue;
    const p = [...path, i];
    if (typeof t.topologyKey === 'string' && t.topologyKey === '')
      c.f.add(
        [...p, 'topologyKey'],
        `${c.who}: topologyKey can not be empty (ValidateTopologyKey); use e.g. topology.kubernetes.io/zone`,
      );
    const pair = `${t.topologyKey}\u0000${t.whenUnsatisfiable}`;
    if (seen.has(pair))
      c.f.add(
        p,
        `${c.who}: two topologySpreadConstraints have the same {topologyKey, whenUnsatisfiable} {${t.topologyKey}, ${t.whenUnsatisfiable}} (ValidateSpreadConstraintNotRepeat); merge them`,
      );
    seen.add(pair);
    if (has(t, 'minDomains') && t.whenUnsatisfiable !== 'DoNotSchedule')
      c.f.add(
        [...p, 'minDomains'],
        `${c.who}: minDomains can only be used with whenUnsatisfiable DoNotSchedule, not ${show(t.whenUnsatisfiable)} (validateMinDomains); change whenUnsatisfiable or remove minDomains`,
      );
    labelSelector(c, t.labelSelector, [...p, 'labelSelector']);
    if (Array.isArray(t.matchLabelKeys) && t.matchLabelKeys.length > 0) {
      if (!isObj(t.labelSelector))
        c.f.add(
          [...p, 'matchLabelKeys'],
          `${c.who}: matchLabelKeys must not be specified when labelSelector is not set (validateMatchLabelKeysInTopologySpread); add labelSelector`,
        );
      else {
        const keys = new Set([
          ...Object.keys(isObj(t.labelSelector.matchLabels) ? t.labelSelector.matchLabels : {}),
          ...(Array.isArray(t.labelSelector.matchExpressions)
            ? t.labelSelector.matchExpressions.map((e: Obj) => e?.key)
            : []),
        ]);
        for (let j = 0; j < t.matchLabelKeys.length; j++) {
          const k: unknown = t.matchLabelKeys[j];
          if (typeof k === 'string' && keys.has(k))
            c.f.add(
              [...p, 'matchLabelKeys', j],
              `${c.who}: ${show(k)} exists in both matchLabelKeys and labelSelector (validateMatchLabelKeysInTopologySpread); keep it in one`,
            );
        }
      }
    }
  }
}

const CONTAINER_FIELDS = ['containers', 'initContainers'] as const;
const INIT_FORBIDDEN = ['lifecycle', 'livenessProbe', 'readinessProbe', 'startupProbe'] as const;

/** Kinds whose pod templates must restart Always (ValidatePodTemplateSpecForReplicaSet and co). */
const ALWAYS_RESTART = new Set([
  'Deployment',
  'ReplicaSet',
  'StatefulSet',
  'DaemonSet',
  'ReplicationController',
]);

function podSpec(c: Ctx, kind: string, spec: Obj, path: FieldPath, claimTemplates: string[]): void {
  const vols = volumes(c, spec, path, claimTemplates);
  const containers = Array.isArray(spec.containers) ? spec.containers : undefined;
  if (containers && containers.length === 0)
    c.f.add(
      [...path, 'containers'],
      `${c.who}: a pod needs at least one container (validateContainers: Required value); add a container`,
    );
  const inits = Array.isArray(spec.initContainers) ? spec.initContainers : undefined;
  const names =
    (containers?.length ?? 0) + (inits?.length ?? 0) > 1 ? new Set<string>() : undefined;
  for (let k = 0; k < CONTAINER_FIELDS.length; k++) {
    const field = CONTAINER_FIELDS[k];
    const list = field === 'containers' ? containers : inits;
    if (!list) continue;
    const init = field === 'initContainers';
    for (let i = 0; i < list.length; i++) {
      const ctr = list[i];
      if (!isObj(ctr)) continue;
      const p = [...path, field, i];
      if (names && typeof ctr.name === 'string' && ctr.name !== '') {
        if (names.has(ctr.name))
          c.f.add(
            [...p, 'name'],
            `${c.who}: container name ${show(ctr.name)} is used twice (${init ? 'validateInitContainers: names must be unique across init and regular containers' : 'validateContainers: Duplicate value'}); rename one`,
          );
        names.add(ctr.name);
      }
      const sidecar = init && ctr.restartPolicy === 'Always';
      if (!init && has(ctr, 'restartPolicy'))
        c.f.add(
          [...p, 'restartPolicy'],
          `${c.who}: restartPolicy may not be set for non-init containers (validateContainers); remove it (the pod's restartPolicy applies)`,
        );
      if (init && !sidecar)
        for (let m = 0; m < INIT_FORBIDDEN.length; m++) {
          const key = INIT_FORBIDDEN[m];
          if (has(ctr, key))
            c.f.add(
              [...p, key],
              `${c.who}: ${key} may not be set for init containers without restartPolicy: Always (validateInitContainers); remove it, or make the init container a sidecar with restartPolicy: Always`,
            );
        }
      if (!init || sidecar) probesAndHooks(c, ctr, p);
      const ports = ctr.ports;
      if (Array.isArray(ports) && (ports.length > 1 || spec.hostNetwork === true)) {
        const portNames = new Set<string>();
        for (let j = 0; j < ports.length; j++) {
          const port = ports[j];
          if (!isObj(port)) continue;
          if (
            spec.hostNetwork === true &&
            isNum(port.hostPort) &&
            port.hostPort !== 0 &&
            port.hostPort !== port.containerPort
          )
            c.f.add(
              [...p, 'ports', j, 'hostPort'],
              `${c.who}: hostPort must match containerPort when hostNetwork is true (validatePodHostNetworkDeps); drop hostPort or make them equal`,
            );
          const name = port.name;
          if (typeof name !== 'string' || name === '' || checkPortName(name)) continue;
          if (portNames.has(name))
            c.f.add(
              [...p, 'ports', j, 'name'],
              `${c.who}: port name ${show(name)} is used twice in container ${show(ctr.name ?? i)} (validateContainerPorts: Duplicate value); give each port its own name`,
            );
          portNames.add(name);
        }
      }
      if (ctr.env !== undefined || ctr.envFrom !== undefined) env(c, ctr, p);
      if (ctr.volumeMounts !== undefined || ctr.volumeDevices !== undefined)
        containerMounts(c, ctr, p, vols);
      const sc = ctr.securityContext;
      if (
        sc !== undefined &&
        isObj(sc) &&
        sc.allowPrivilegeEscalation === false &&
        sc.privileged === true
      )
        c.f.add(
          [...p, 'securityContext'],
          `${c.who}: cannot set allowPrivilegeEscalation to false and privileged to true (ValidateSecurityContext); drop one of them`,
        );
    }
  }
  if (Array.isArray(spec.ephemeralContainers) && spec.ephemeralContainers.length > 0)
    c.f.add(
      [...path, 'ephemeralContainers'],
      `${c.who}: ephemeral containers are not allowed in a pod template (ValidatePodTemplateSpec); remove them (add them to running pods with kubectl debug)`,
    );
  if (spec.tolerations) tolerations(c, spec.tolerations, [...path, 'tolerations']);
  if (spec.nodeSelector)
    labelMap(c, spec.nodeSelector, [...path, 'nodeSelector'], 'ValidatePodSpec');
  if (spec.affinity) affinity(c, spec.affinity, [...path, 'affinity']);
  if (spec.topologySpreadConstraints)
    spreadConstraints(c, spec.topologySpreadConstraints, [...path, 'topologySpreadConstraints']);
  if (spec.shareProcessNamespace === true && spec.hostPID === true)
    c.f.add(
      [...path, 'shareProcessNamespace'],
      `${c.who}: shareProcessNamespace and hostPID cannot both be enabled (validatePodSpecSecurityContext); drop one`,
    );
  if (
    spec.dnsPolicy === 'None' &&
    (!isObj(spec.dnsConfig) ||
      !Array.isArray(spec.dnsConfig.nameservers) ||
      spec.dnsConfig.nameservers.length === 0)
  )
    c.f.add(
      [...path, 'dnsPolicy'],
      `${c.who}: dnsPolicy None needs dnsConfig with at least one nameserver (validatePodDNSConfig); add dnsConfig.nameservers`,
    );
  const restart = spec.restartPolicy;
  if (ALWAYS_RESTART.has(kind)) {
    // Checked on the workload itself (a StatefulSet too), so the workload is rejected.
    if (typeof restart === 'string' && restart !== 'Always')
      c.f.add(
        [...path, 'restartPolicy'],
        `${REJECTS}: a ${kind}'s pods must have restartPolicy Always, not ${show(restart)} (${kind === 'StatefulSet' ? 'ValidateStatefulSetSpec' : kind === 'DaemonSet' ? 'ValidateDaemonSetSpec' : 'ValidatePodTemplateSpecForReplicaSet'}); remove restartPolicy, or use a Job for run-to-completion work`,
      );
    if (has(spec, 'activeDeadlineSeconds'))
      c.f.add(
        [...path, 'activeDeadlineSeconds'],
        `${REJECTS}: activeDeadlineSeconds is not supported in a ${kind} (${kind === 'StatefulSet' ? 'ValidateStatefulSetSpec' : kind === 'DaemonSet' ? 'ValidateDaemonSetSpec' : 'ValidatePodTemplateSpecForReplicaSet'}); remove it`,
      );
  }
  if (kind === 'Job' || kind === 'CronJob') {
    const fix =
      'set restartPolicy: OnFailure (retry in the same pod) or Never (a new pod per attempt)';
    if (restart === undefined || restart === 'Always' || restart === '')
      c.f.add(
        restart === undefined ? path : [...path, 'restartPolicy'],
        `${c.who}: a Job's pod template needs restartPolicy OnFailure or Never${restart === undefined ? '; unset it defaults to Always' : ', not Always'} (validateJobSpec); ${fix}`,
      );
  }
}

// ---------------------------------------------------------------------------------------------
// Workloads

function intOrPercentValue(v: unknown, fallback: number): number {
  if (v === undefined || v === null) return fallback;
  if (typeof v === 'string') return isPercent(v) ? Number(v.slice(0, -1)) : NaN;
  return isNum(v) ? v : NaN;
}

const SPEC_SELECTOR: FieldPath = ['spec', 'selector'];
/** An empty object for absent optional sections (never written to). */
const NONE: Obj = Object.freeze({});
/** Service fields only a LoadBalancer may set, with the upstream function that says so. */
const LB_ONLY = new Map([
  ['loadBalancerSourceRanges', 'ValidateService'],
  ['allocateLoadBalancerNodePorts', 'ValidateService'],
  ['loadBalancerClass', 'validateLoadBalancerClassField'],
]);

function isEmptySelector(sel: Obj): boolean {
  if (Array.isArray(sel.matchExpressions) && sel.matchExpressions.length > 0) return false;
  const ml = sel.matchLabels;
  if (isObj(ml)) for (const _ in ml) return false;
  return true;
}

/** selectorMatches (model/workloads.ts), with a cheaper path for a matchLabels-only selector. */
function matches(sel: Obj, labels: Record<string, string>): boolean {
  const exprs = sel.matchExpressions;
  if (Array.isArray(exprs) && exprs.length > 0) return selectorMatches(sel as any, labels);
  const ml = sel.matchLabels;
  if (isObj(ml)) for (const k in ml) if (labels[k] !== ml[k]) return false;
  return true;
}

function workloadSelector(
  c: Ctx,
  obj: Obj,
  kind: string,
  labels: Record<string, string>,
  specPath: FieldPath,
): void {
  const sel = obj.spec?.selector;
  if (!isObj(sel)) return;
  const valid = labelSelector(c, sel, SPEC_SELECTOR, true, labels);
  if (isEmptySelector(sel)) {
    c.f.add(
      ['spec', 'selector'],
      `${c.who}: an empty selector is invalid for a ${kind} (Validate${kind}Spec); select the pod template's labels, e.g. matchLabels: {app.kubernetes.io/name: ${obj.metadata?.name ?? 'app'}}`,
    );
    return;
  }
  if (valid && !matches(sel, labels))
    c.f.add(
      [...specPath.slice(0, -1), 'metadata', 'labels'],
      `${c.who}: spec.selector ${formatLabels(sel.matchLabels)}${Array.isArray(sel.matchExpressions) && sel.matchExpressions.length ? ' (with matchExpressions)' : ''} does not match the template's labels ${formatLabels(labels)} (${kind === 'StatefulSet' ? 'ValidatePodTemplateSpecForStatefulSet' : kind === 'DaemonSet' ? 'ValidateDaemonSetSpec' : 'ValidatePodTemplateSpecForReplicaSet'}); give the pod template every label the selector asks for`,
    );
}

function strategies(c: Ctx, kind: string, spec: Obj): void {
  if (kind === 'Deployment') {
    const s = isObj(spec.strategy) ? spec.strategy : NONE;
    const type = s.type ?? 'RollingUpdate';
    if (type === 'Recreate' && has(s, 'rollingUpdate'))
      c.f.add(
        ['spec', 'strategy', 'rollingUpdate'],
        `${c.who}: strategy.rollingUpdate may not be specified when strategy type is Recreate (ValidateDeploymentStrategy); remove rollingUpdate or use type RollingUpdate`,
      );
    if (type === 'RollingUpdate' && isObj(s.rollingUpdate)) {
      // SetDefaults_Deployment: 25% each when unset.
      const unavailable = intOrPercentValue(s.rollingUpdate.maxUnavailable, 25);
      const surge = intOrPercentValue(s.rollingUpdate.maxSurge, 25);
      if (unavailable === 0 && surge === 0)
        c.f.add(
          ['spec', 'strategy', 'rollingUpdate', 'maxUnavailable'],
          `${c.who}: maxUnavailable may not be 0 when maxSurge is 0 (ValidateRollingUpdateDeployment: the rollout could never progress); allow maxSurge: 1 or maxUnavailable: 1`,
        );
    }
    const minReady = isNum(spec.minReadySeconds) ? spec.minReadySeconds : 0;
    const deadline = isNum(spec.progressDeadlineSeconds) ? spec.progressDeadlineSeconds : 600;
    if (deadline <= minReady)
      c.f.add(
        [
          'spec',
          isNum(spec.progressDeadlineSeconds) ? 'progressDeadlineSeconds' : 'minReadySeconds',
        ],
        `${c.who}: progressDeadlineSeconds ${deadline}${isNum(spec.progressDeadlineSeconds) ? '' : ' (the default)'} must be greater than minReadySeconds ${minReady} (ValidateDeploymentSpec); raise progressDeadlineSeconds`,
      );
  }
  if (kind === 'StatefulSet') {
    const s = isObj(spec.updateStrategy) ? spec.updateStrategy : NONE;
    if (s.type === 'OnDelete' && has(s, 'rollingUpdate'))
      c.f.add(
        ['spec', 'updateStrategy', 'rollingUpdate'],
        `${c.who}: updateStrategy.rollingUpdate is only allowed for updateStrategy RollingUpdate (ValidateStatefulSetSpec); remove rollingUpdate or use type RollingUpdate`,
      );
  }
  if (kind === 'DaemonSet') {
    const s = isObj(spec.updateStrategy) ? spec.updateStrategy : NONE;
    if ((s.type ?? 'RollingUpdate') === 'RollingUpdate' && isObj(s.rollingUpdate)) {
      // SetDefaults_DaemonSet: maxUnavailable 1, maxSurge 0 when unset.
      const unavailable = intOrPercentValue(s.rollingUpdate.maxUnavailable, 1);
      const surge = intOrPercentValue(s.rollingUpdate.maxSurge, 0);
      if (unavailable !== 0 && surge !== 0 && !Number.isNaN(unavailable) && !Number.isNaN(surge))
        c.f.add(
          ['spec', 'updateStrategy', 'rollingUpdate', 'maxSurge'],
          `${c.who}: maxSurge may not be set when maxUnavailable is non-zero${has(s.rollingUpdate, 'maxUnavailable') ? '' : ' (it defaults to 1)'} (ValidateRollingUpdateDaemonSet); set maxUnavailable: 0 to surge, or drop maxSurge`,
        );
      else if (unavailable === 0 && surge === 0)
        c.f.add(
          ['spec', 'updateStrategy', 'rollingUpdate', 'maxUnavailable'],
          `${c.who}: maxUnavailable cannot be 0 when maxSurge is 0 (ValidateRollingUpdateDaemonSet); set one of them above 0`,
        );
    }
  }
}

const JOB_NAME_LABELS = ['job-name', 'batch.kubernetes.io/job-name'];
const CONTROLLER_UID_LABELS = ['controller-uid', 'batch.kubernetes.io/controller-uid'];

/** validateGeneratedSelector, ValidateJobSpec and ValidateJobTemplateSpec. */
function jobSelector(
  c: Ctx,
  kind: string,
  obj: Obj,
  jobSpec: Obj,
  path: FieldPath,
  labels: Record<string, string>,
): void {
  const manual = jobSpec.manualSelector === true;
  const name = String(obj.metadata?.name ?? '');
  if (kind === 'CronJob') {
    if (has(jobSpec, 'selector'))
      c.f.add(
        [...path, 'selector'],
        `${c.who}: a CronJob's jobTemplate may not set a selector, it will be auto-generated (ValidateJobTemplateSpec); remove it`,
      );
    if (manual)
      c.f.add(
        [...path, 'manualSelector'],
        `${c.who}: a CronJob's jobTemplate may not set manualSelector: true (ValidateJobTemplateSpec); remove it`,
      );
  } else if (manual) {
    if (!isObj(jobSpec.selector))
      c.f.add(
        [...path, 'manualSelector'],
        `${c.who}: manualSelector: true needs spec.selector (ValidateJobSpec: Required value); add a selector matching the template's labels, or drop manualSelector`,
      );
    else if (
      labelSelector(c, jobSpec.selector, [...path, 'selector']) &&
      !selectorMatches(jobSpec.selector, labels)
    )
      c.f.add(
        [...path, 'template', 'metadata', 'labels'],
        `${c.who}: spec.selector ${formatLabels(jobSpec.selector.matchLabels)} does not match the template's labels ${formatLabels(labels)} (ValidateJobSpec); give the pod template the selected labels`,
      );
  } else if (isObj(jobSpec.selector)) {
    const sel = jobSpec.selector;
    const ml = isObj(sel.matchLabels) ? sel.matchLabels : {};
    const generatedOnly =
      !(Array.isArray(sel.matchExpressions) && sel.matchExpressions.length > 0) &&
      Object.entries(ml).every(([k, v]) => JOB_NAME_LABELS.includes(k) && v === name);
    if (!generatedOnly)
      c.f.add(
        [...path, 'selector'],
        `${c.who}: a Job's selector is generated (controller-uid) unless manualSelector is true; this selector ${formatLabels(ml)} does not select the generated labels (validateGeneratedSelector: selector not auto-generated); remove spec.selector`,
      );
  }
  if (manual) return;
  const jobName = kind === 'CronJob' ? undefined : name;
  // A CronJob's Jobs are validated when its controller creates them.
  const who = kind === 'CronJob' ? 'the API server rejects the Jobs this CronJob creates' : c.who;
  for (let i = 0; i < JOB_NAME_LABELS.length; i++) {
    const key = JOB_NAME_LABELS[i];
    if (key in labels && (jobName === undefined || labels[key] !== jobName))
      c.f.add(
        [...path, 'template', 'metadata', 'labels', key],
        `${who}: the pod template label ${key} must be ${jobName === undefined ? "the generated Job's name" : show(jobName)} (validateGeneratedSelector, ValidateHasLabel); remove the label, the Job controller sets it`,
      );
  }
  for (let j = 0; j < CONTROLLER_UID_LABELS.length; j++) {
    const key = CONTROLLER_UID_LABELS[j];
    if (key in labels)
      c.f.add(
        [...path, 'template', 'metadata', 'labels', key],
        `${who}: the pod template label ${key} must be the Job's generated UID (validateGeneratedSelector, ValidateHasLabel); remove the label, the Job controller sets it`,
      );
  }
}

function jobRules(c: Ctx, jobSpec: Obj, path: FieldPath): void {
  const indexed = jobSpec.completionMode === 'Indexed';
  if (indexed && !has(jobSpec, 'completions'))
    c.f.add(
      [...path, 'completionMode'],
      `${c.who}: completions is required when completionMode is Indexed (validateJobSpec); set completions`,
    );
  if (!indexed)
    for (const key of ['backoffLimitPerIndex', 'maxFailedIndexes'])
      if (has(jobSpec, key))
        c.f.add(
          [...path, key],
          `${c.who}: ${key} requires completionMode Indexed (validateJobSpec); set completionMode: Indexed or remove ${key}`,
        );
  if (has(jobSpec, 'podFailurePolicy')) {
    const restart = jobSpec.template?.spec?.restartPolicy;
    if (restart === 'OnFailure')
      c.f.add(
        [...path, 'template', 'spec', 'restartPolicy'],
        `${c.who}: only restartPolicy Never is supported when podFailurePolicy is specified (validateJobSpec); use Never`,
      );
  }
}

// ---------------------------------------------------------------------------------------------
// Services, autoscalers, budgets, claims, RBAC

const NO_PORTS: Obj[] = [];
const NO_CLAIM_TEMPLATES: string[] = [];

function service(c: Ctx, spec: Obj): void {
  const type = typeof spec.type === 'string' ? spec.type : 'ClusterIP';
  const headless =
    spec.clusterIP === 'None' || (Array.isArray(spec.clusterIPs) && spec.clusterIPs[0] === 'None');
  const ports: Obj[] = Array.isArray(spec.ports) ? spec.ports : NO_PORTS;
  if (ports.length === 0 && !headless && type !== 'ExternalName')
    c.f.add(
      Array.isArray(spec.ports) ? ['spec', 'ports'] : ['spec'],
      `${c.who}: a ${type} Service needs at least one port (ValidateService: spec.ports Required value); add ports, or make it headless (clusterIP: None)`,
    );
  if (headless && (type === 'LoadBalancer' || type === 'NodePort'))
    c.f.add(
      ['spec', 'clusterIP'],
      `${c.who}: clusterIP may not be set to None for ${type} Services (ValidateService); remove clusterIP: None or use type ClusterIP`,
    );
  if (type === 'ExternalName') {
    if (typeof spec.externalName !== 'string' || spec.externalName.replace(/\.$/, '') === '')
      c.f.add(
        ['spec', ...(has(spec, 'externalName') ? ['externalName'] : [])],
        `${c.who}: an ExternalName Service needs spec.externalName (ValidateService: Required value); set the DNS name it points to`,
      );
    if (
      (typeof spec.clusterIP === 'string' && spec.clusterIP !== '') ||
      (Array.isArray(spec.clusterIPs) && spec.clusterIPs.length > 0)
    )
      c.f.add(
        ['spec', has(spec, 'clusterIP') ? 'clusterIP' : 'clusterIPs'],
        `${c.who}: clusterIP may not be set for ExternalName Services (ValidateService: clusterIPs may not be set for ExternalName services); remove it`,
      );
    for (const key of ['ipFamilies', 'ipFamilyPolicy'])
      if (has(spec, key) && !(Array.isArray(spec[key]) && spec[key].length === 0))
        c.f.add(
          ['spec', key],
          `${c.who}: ${key} may not be set for ExternalName Services (ValidateService); remove it`,
        );
  } else if (
    typeof spec.clusterIP === 'string' &&
    spec.clusterIP !== '' &&
    Array.isArray(spec.clusterIPs) &&
    spec.clusterIPs.length > 0 &&
    spec.clusterIPs[0] !== spec.clusterIP
  )
    c.f.add(
      ['spec', 'clusterIPs'],
      `${c.who}: the first value of clusterIPs must match clusterIP (ValidateServiceClusterIPsRelatedFields); make them agree or set only one`,
    );
  const several = ports.length > 1;
  const names = several ? new Set<string>() : undefined;
  const portKeys = several ? new Set<string>() : undefined;
  const nodePortKeys = several ? new Set<string>() : undefined;
  for (let i = 0; i < ports.length; i++) {
    const port = ports[i];
    if (!isObj(port)) continue;
    const name = typeof port.name === 'string' ? port.name : '';
    const protocol = typeof port.protocol === 'string' ? port.protocol : 'TCP';
    if (names && portKeys) {
      if (name === '')
        c.f.add(
          ['spec', 'ports', i],
          `${c.who}: every port of a Service with several ports needs a name (validateServicePort: name Required value); name this port, e.g. ${show(`port-${port.port ?? i}`)}`,
        );
      else {
        if (names.has(name))
          c.f.add(
            ['spec', 'ports', i, 'name'],
            `${c.who}: Service port name ${show(name)} is used twice (validateServicePort: Duplicate value); give each port its own name`,
          );
        names.add(name);
      }
      const key = `${protocol}/${port.port}`;
      if (portKeys.has(key))
        c.f.add(
          ['spec', 'ports', i],
          `${c.who}: port ${port.port}/${protocol} is declared twice (ValidateService: Duplicate value for the (protocol, port) pair); remove one, or give it another port or protocol`,
        );
      portKeys.add(key);
    }
    if (isNum(port.nodePort) && port.nodePort !== 0) {
      if (type === 'ClusterIP')
        c.f.add(
          ['spec', 'ports', i, 'nodePort'],
          `${c.who}: nodePort may not be used when type is ClusterIP (ValidateService); remove nodePort or set type: NodePort or LoadBalancer`,
        );
      if (nodePortKeys) {
        const nk = `${protocol}/${port.nodePort}`;
        if (nodePortKeys.has(nk))
          c.f.add(
            ['spec', 'ports', i, 'nodePort'],
            `${c.who}: nodePort ${port.nodePort}/${protocol} is used twice (ValidateService: Duplicate value); give each port its own nodePort`,
          );
        nodePortKeys.add(nk);
      }
    }
  }
  if (spec.selector) labelMap(c, spec.selector, SPEC_SELECTOR, 'ValidateService');
  if (spec.sessionAffinity === 'None' && has(spec, 'sessionAffinityConfig'))
    c.f.add(
      ['spec', 'sessionAffinityConfig'],
      `${c.who}: sessionAffinityConfig must not be set when sessionAffinity is None (ValidateService); remove it or set sessionAffinity: ClientIP`,
    );
  if (type !== 'LoadBalancer')
    for (const key in spec) {
      const rule = LB_ONLY.get(key);
      if (rule === undefined) continue;
      if (has(spec, key) && !(Array.isArray(spec[key]) && spec[key].length === 0))
        c.f.add(
          ['spec', key],
          `${c.who}: ${key} may only be used when type is LoadBalancer (${rule}); remove it or set type: LoadBalancer`,
        );
    }
  const externallyAccessible =
    type === 'LoadBalancer' ||
    type === 'NodePort' ||
    (type === 'ClusterIP' && Array.isArray(spec.externalIPs) && spec.externalIPs.length > 0);
  if (
    !externallyAccessible &&
    typeof spec.externalTrafficPolicy === 'string' &&
    spec.externalTrafficPolicy !== ''
  )
    c.f.add(
      ['spec', 'externalTrafficPolicy'],
      `${c.who}: externalTrafficPolicy may only be set for externally-accessible Services (validateServiceExternalTrafficPolicy: LoadBalancer, NodePort or with externalIPs); remove it`,
    );
  const needsHealthCheck = type === 'LoadBalancer' && spec.externalTrafficPolicy === 'Local';
  if (!needsHealthCheck && isNum(spec.healthCheckNodePort) && spec.healthCheckNodePort !== 0)
    c.f.add(
      ['spec', 'healthCheckNodePort'],
      `${c.who}: healthCheckNodePort may only be set when type is LoadBalancer and externalTrafficPolicy is Local (validateServiceExternalTrafficPolicy); remove it`,
    );
}

function hpa(c: Ctx, spec: Obj): void {
  const ref = spec.scaleTargetRef;
  if (isObj(ref))
    for (const key of ['kind', 'name']) {
      const v = ref[key];
      if (typeof v !== 'string') continue;
      const problem = v === '' ? 'is required' : checkPathSegmentName(v);
      if (problem)
        c.f.add(
          ['spec', 'scaleTargetRef', key],
          `${c.who}: scaleTargetRef.${key} ${show(v)} ${problem} (ValidateCrossVersionObjectReference, IsValidPathSegmentName); name the workload to scale`,
        );
    }
  if (!Array.isArray(spec.metrics)) return;
  const sourceOf: Record<string, string> = {
    Resource: 'resource',
    ContainerResource: 'containerResource',
    Pods: 'pods',
    Object: 'object',
    External: 'external',
  };
  for (let i = 0; i < spec.metrics.length; i++) {
    const m: unknown = spec.metrics[i];
    if (!isObj(m)) continue;
    const p = ['spec', 'metrics', i];
    const expected = sourceOf[m.type];
    const present = Object.values(sourceOf).filter((k) => has(m, k));
    if (expected && !has(m, expected))
      c.f.add(
        p,
        `${c.who}: a metric of type ${m.type} must populate ${expected} (validateMetricSpec); add ${expected} or fix type`,
      );
    for (let j = 0; j < present.length; j++) {
      const k = present[j];
      if (k !== expected && (expected || present.length > 1))
        c.f.add(
          [...p, k],
          `${c.who}: a metric of type ${show(m.type)} must populate the given metric source only, not ${k} (validateMetricSpec); remove ${k}`,
        );
    }
    const src = expected ? m[expected] : undefined;
    const target = isObj(src) && isObj(src.target) ? src.target : undefined;
    if (!target) continue;
    const tp = [...p, expected, 'target'];
    const hasU = has(target, 'averageUtilization');
    const hasAV = has(target, 'averageValue');
    const hasV = has(target, 'value');
    if (expected === 'resource' || expected === 'containerResource') {
      if (!hasU && !hasAV)
        c.f.add(
          tp,
          `${c.who}: a ${m.type} metric must set either a target averageUtilization or averageValue (validateResourceSource); add averageUtilization: 80`,
        );
      if (hasU && hasAV)
        c.f.add(
          [...tp, 'averageValue'],
          `${c.who}: a ${m.type} metric may not set both a target averageValue and averageUtilization (validateResourceSource); keep one`,
        );
    }
    if (expected === 'pods' && !hasAV)
      c.f.add(
        tp,
        `${c.who}: a Pods metric must specify a positive target averageValue (validatePodsSource); add averageValue`,
      );
    if ((expected === 'object' || expected === 'external') && !hasV && !hasAV)
      c.f.add(
        tp,
        `${c.who}: an ${m.type} metric must set either a target value or averageValue (validate${m.type}Source); add one`,
      );
    if (expected === 'external' && hasV && hasAV)
      c.f.add(
        [...tp, 'value'],
        `${c.who}: an External metric may not set both a target value and a per-pod averageValue (validateExternalSource); keep one`,
      );
  }
}

function rbacRules(c: Ctx, rules: unknown, namespaced: boolean): void {
  if (!Array.isArray(rules)) return;
  for (let i = 0; i < rules.length; i++) {
    const r: unknown = rules[i];
    if (!isObj(r)) continue;
    const p = ['rules', i];
    const len = (k: string) => (Array.isArray(r[k]) ? r[k].length : 0);
    if (len('verbs') === 0)
      c.f.add(
        has(r, 'verbs') ? [...p, 'verbs'] : p,
        `${c.who}: verbs must contain at least one value (validatePolicyRule); list the allowed verbs, e.g. [get, list, watch]`,
      );
    if (len('nonResourceURLs') > 0) {
      if (namespaced)
        c.f.add(
          [...p, 'nonResourceURLs'],
          `${c.who}: namespaced rules cannot apply to non-resource URLs (validatePolicyRule); move the rule to a ClusterRole`,
        );
      if (len('apiGroups') > 0 || len('resources') > 0 || len('resourceNames') > 0)
        c.f.add(
          [...p, 'nonResourceURLs'],
          `${c.who}: rules cannot apply to both regular resources and non-resource URLs (validatePolicyRule); split the rule in two`,
        );
      continue;
    }
    if (len('apiGroups') === 0)
      c.f.add(
        has(r, 'apiGroups') ? [...p, 'apiGroups'] : p,
        `${c.who}: resource rules must supply at least one api group (validatePolicyRule); use [""] for the core group, e.g. apiGroups: [""]`,
      );
    if (len('resources') === 0)
      c.f.add(
        has(r, 'resources') ? [...p, 'resources'] : p,
        `${c.who}: resource rules must supply at least one resource (validatePolicyRule); list resources such as [pods]`,
      );
  }
}

function binding(c: Ctx, obj: Obj, namespaced: boolean): void {
  const ref = obj.roleRef;
  if (isObj(ref)) {
    if (ref.apiGroup !== 'rbac.authorization.k8s.io')
      c.f.add(
        ['roleRef', 'apiGroup'],
        `${c.who}: roleRef.apiGroup must be rbac.authorization.k8s.io, not ${show(ref.apiGroup ?? '')} (Validate${obj.kind}); set apiGroup: rbac.authorization.k8s.io`,
      );
    const kinds = namespaced ? ['Role', 'ClusterRole'] : ['ClusterRole'];
    if (typeof ref.kind === 'string' && !kinds.includes(ref.kind))
      c.f.add(
        ['roleRef', 'kind'],
        `${c.who}: roleRef.kind ${show(ref.kind)} is not supported (Validate${obj.kind}); use ${kinds.join(' or ')}`,
      );
    if (typeof ref.name === 'string') {
      const problem = ref.name === '' ? 'is required' : checkPathSegmentName(ref.name);
      if (problem)
        c.f.add(
          ['roleRef', 'name'],
          `${c.who}: roleRef.name ${show(ref.name)} ${problem} (Validate${obj.kind}); name the role`,
        );
    }
  }
  if (!Array.isArray(obj.subjects)) return;
  for (let i = 0; i < obj.subjects.length; i++) {
    const s: unknown = obj.subjects[i];
    if (!isObj(s)) continue;
    const p = ['subjects', i];
    const name = typeof s.name === 'string' ? s.name : '';
    if (name === '')
      c.f.add(
        p,
        `${c.who}: a subject needs a name (validateRoleBindingSubject: Required value); set name`,
      );
    const group = typeof s.apiGroup === 'string' ? s.apiGroup : '';
    switch (s.kind) {
      case 'ServiceAccount':
        if (name !== '' && checkDns1123Subdomain(name))
          c.f.add(
            [...p, 'name'],
            `${c.who}: ServiceAccount subject ${show(name)} ${checkDns1123Subdomain(name)} (validateRoleBindingSubject, ValidateServiceAccountName); use the ServiceAccount's name`,
          );
        if (group !== '')
          c.f.add(
            [...p, 'apiGroup'],
            `${c.who}: a ServiceAccount subject's apiGroup must be "" (validateRoleBindingSubject); remove apiGroup`,
          );
        if (!namespaced && (typeof s.namespace !== 'string' || s.namespace === ''))
          c.f.add(
            p,
            `${c.who}: a ServiceAccount subject of a ClusterRoleBinding needs a namespace (validateRoleBindingSubject: Required value); set the ServiceAccount's namespace`,
          );
        break;
      case 'User':
      case 'Group':
        // SetDefaults_Subject fills in rbac.authorization.k8s.io when apiGroup is empty.
        if (group !== '' && group !== 'rbac.authorization.k8s.io')
          c.f.add(
            [...p, 'apiGroup'],
            `${c.who}: a ${s.kind} subject's apiGroup must be rbac.authorization.k8s.io (validateRoleBindingSubject); fix apiGroup`,
          );
        break;
      default:
        if (typeof s.kind === 'string')
          c.f.add(
            [...p, 'kind'],
            `${c.who}: subject kind ${show(s.kind)} is not supported (validateRoleBindingSubject); use ServiceAccount, User or Group`,
          );
    }
  }
}

/**
 * Relations between fields the API server checks: selectors against template labels, unique
 * names, mounts against volumes, one handler per probe, restart policies per workload kind,
 * strategy combinations, Service type-dependent fields, HPA metric sources, RBAC rules.
 */
export const apiConsistencyRule: Rule = {
  id: 'api-consistency',
  description:
    'Fields agree as the API server requires: selectors match template labels, names are unique, mounts name volumes, probes have one handler, restart policies and strategies fit the workload, Service fields fit the type',
  severity: 'error',
  scope: 'object',
  docs:
    'Catches cross-field rules of the Kubernetes API server that schema checks cannot see: a workload’s selector must be non-empty, valid and match its pod template’s labels (ValidatePodTemplateSpecForReplicaSet, ValidatePodTemplateSpecForStatefulSet, ValidateDaemonSetSpec); Jobs get a generated selector unless manualSelector is true and a CronJob’s jobTemplate may not set one (validateGeneratedSelector, ValidateJobTemplateSpec); ' +
    'container names are unique across init and regular containers, port names per container and volume names per pod (validateContainers, validateInitContainers, validateContainerPorts, ValidateVolumes); every volumeMount names a volume and mount paths are unique (ValidateVolumeMounts); a volume has exactly one source, a probe or lifecycle hook exactly one handler (validateVolumeSource, validateHandler); liveness and startup probes need successThreshold 1; ' +
    'env valueFrom has exactly one source and not a value too, with valid key references (validateEnvVarValueFrom) — duplicate env names are accepted by the API server and not reported; a Job’s pods restart OnFailure or Never (validateJobSpec) and Deployment, ReplicaSet, StatefulSet and DaemonSet pods Always; a Recreate Deployment has no rollingUpdate and maxSurge and maxUnavailable are not both 0 (ValidateDeploymentStrategy, ValidateRollingUpdateDeployment); progressDeadlineSeconds exceeds minReadySeconds; ' +
    'tolerations, node and pod affinity terms, topology spread constraints are well formed (ValidateTolerations, ValidateNodeSelector, validatePodAffinityTerm, validateTopologySpreadConstraints); a Service has ports unless headless or ExternalName, names its ports when it has several, does not repeat a port or node port, uses nodePort only off ClusterIP, sets LoadBalancer-only fields only on LoadBalancers, and its selector values are valid label values (ValidateService); ' +
    'HPA metrics populate the source their type names (validateMetricSpec); RBAC rules have verbs, apiGroups and resources and bindings a valid roleRef and subjects (pkg/apis/rbac/validation). Sources: kubernetes/kubernetes pkg/apis/core, apps, batch, autoscaling, policy and rbac validation, and the defaults of pkg/apis/*/v1 (a default is applied before a rule is checked). Fix as the message says.',
  check(manifests) {
    const f = new Findings();
    const c: Ctx = { f, who: REJECTS };
    const stsPods: Ctx = { f, who: podSpecRejection('StatefulSet') };
    for (const manifest of manifests) {
      const api = apiObjectOf(manifest, f);
      if (!api) continue;
      const { obj, kind, group, template } = api;
      if (template) {
        const claimTemplates =
          kind === 'StatefulSet' && Array.isArray(obj.spec?.volumeClaimTemplates)
            ? obj.spec.volumeClaimTemplates
                .map((t: Obj) => t?.metadata?.name)
                .filter((n: unknown) => typeof n === 'string')
            : NO_CLAIM_TEMPLATES;
        podSpec(
          kind === 'StatefulSet' ? stsPods : c,
          kind,
          template.spec,
          template.specPath,
          claimTemplates,
        );
      }
      const spec = isObj(obj.spec) ? obj.spec : undefined;
      switch (builtInKind(kind, group)) {
        case 'Deployment':
        case 'ReplicaSet':
        case 'StatefulSet':
        case 'DaemonSet':
          if (!spec) break;
          if (template) workloadSelector(c, obj, kind, template.labels, template.specPath);
          strategies(c, kind, spec);
          break;
        case 'Job':
          if (!spec || !template) break;
          jobSelector(c, kind, obj, spec, ['spec'], template.labels);
          jobRules(c, spec, ['spec']);
          break;
        case 'CronJob': {
          const js = spec?.jobTemplate?.spec;
          if (!isObj(js) || !template) break;
          jobSelector(c, kind, obj, js, ['spec', 'jobTemplate', 'spec'], template.labels);
          jobRules(c, js, ['spec', 'jobTemplate', 'spec']);
          break;
        }
        case 'Service':
          if (spec) service(c, spec);
          break;
        case 'HorizontalPodAutoscaler':
          if (spec) hpa(c, spec);
          break;
        case 'PodDisruptionBudget':
          if (!spec) break;
          if (has(spec, 'minAvailable') && has(spec, 'maxUnavailable'))
            f.add(
              ['spec', 'maxUnavailable'],
              `${REJECTS}: minAvailable and maxUnavailable cannot be both set (ValidatePodDisruptionBudgetSpec); keep one`,
            );
          labelSelector(c, spec.selector, ['spec', 'selector']);
          break;
        case 'PersistentVolumeClaim':
          if (spec) labelSelector(c, spec.selector, ['spec', 'selector']);
          break;
        case 'Role':
        case 'ClusterRole':
          rbacRules(c, obj.rules, kind === 'Role');
          break;
        case 'RoleBinding':
        case 'ClusterRoleBinding':
          binding(c, obj, kind === 'RoleBinding');
          break;
      }
    }
    return f.out;
  },
};
