import { InputError } from '../core/errors.js';
import { apiGroup, resourceId, resourceKey, type KubeObject } from '../core/manifest.js';
import type { Finding } from '../validators/types.js';
import { compareValues, deepEqual, type CompareContext, type RawChange } from './compare.js';
import { stripIgnored, type CompiledIgnore } from './ignore.js';
import { formatPath } from './paths.js';
import { assessRisks, type RiskContext } from './risks.js';
import { compareSecretValues, isSecret, withoutSecretValues } from './secrets.js';
import type {
  FieldChange,
  PlanDiff,
  PlanObject,
  ResourceChange,
  StorageClassInfo,
} from './types.js';

export interface DiffOptions {
  env: string;
  base: { ref: string; commit?: string };
  ignore?: CompiledIgnore[];
  /** StorageClasses declared for the cluster (rendered ones are found in the new plan). */
  declaredStorageClasses?: StorageClassInfo[];
  findings?: Finding[];
}

export interface DiffInput {
  /** The base plan's objects (those of files in `sameFiles` may be left out). */
  base: PlanObject[];
  /** Every object of the new plan. */
  next: PlanObject[];
  /** Files whose bytes are identical on both sides: their objects are unchanged, unread. */
  sameFiles?: Set<string>;
}

/** Kinds whose objects hold state: never folded into a rename, so a destroy keeps its risk. */
const STATEFUL_KINDS = new Set([
  'PersistentVolumeClaim',
  'PersistentVolume',
  'StatefulSet',
  'Namespace',
  'CustomResourceDefinition',
]);

function indexObjects(objects: PlanObject[], side: string): Map<string, PlanObject> {
  const out = new Map<string, PlanObject>();
  for (const o of objects) {
    const key = resourceKey(o.object);
    const dup = out.get(key);
    if (dup) {
      throw new InputError(
        `${side} plan holds ${resourceId(o.object)} twice (also in ${dup.file})`,
        { file: o.file },
      );
    }
    out.set(key, o);
  }
  return out;
}

function contextOf(obj: KubeObject): CompareContext {
  return { group: apiGroup(obj.apiVersion), kind: obj.kind };
}

/** The differences of two versions of one resource, ignored fields left out. */
export function compareObjects(
  a: KubeObject,
  b: KubeObject,
  ignore: CompiledIgnore[] = [],
): { raw: RawChange[]; fields: FieldChange[] } {
  const ctx = contextOf(b);
  let x = a;
  let y = b;
  if (ignore.length > 0) {
    x = stripIgnored(a, a.kind, contextOf(a), ignore);
    y = stripIgnored(b, b.kind, ctx, ignore);
  }
  const raw: RawChange[] = [];
  const secret = isSecret(x) && isSecret(y);
  if (secret) compareValues(withoutSecretValues(x), withoutSecretValues(y), [], ctx, raw);
  else compareValues(x, y, [], ctx, raw);
  const fields: FieldChange[] = raw.map((c) => {
    const f: FieldChange = { path: formatPath(c.path) };
    if (c.old !== undefined) f.old = c.old;
    if (c.new !== undefined) f.new = c.new;
    return f;
  });
  if (secret) {
    const values = compareSecretValues(x, y);
    fields.push(...values);
    // Risk rules see that a value changed (an immutable Secret), never the value.
    for (const v of values) {
      raw.push({
        path: [v.path.startsWith('data') ? 'data' : 'stringData'],
        old: undefined,
        new: undefined,
      });
    }
  }
  return { raw, fields };
}

function storageClassesOf(
  next: PlanObject[],
  declared: StorageClassInfo[],
): { byName: Map<string, StorageClassInfo>; defaultClass?: StorageClassInfo } {
  const byName = new Map<string, StorageClassInfo>();
  let defaultClass: StorageClassInfo | undefined;
  for (const d of declared) {
    byName.set(d.name, d);
    if (d.isDefault) defaultClass = d;
  }
  for (const o of next) {
    const obj = o.object as Record<string, any>;
    if (obj.kind !== 'StorageClass' || apiGroup(obj.apiVersion) !== 'storage.k8s.io') continue;
    const info: StorageClassInfo = {
      name: obj.metadata.name,
      allowVolumeExpansion: obj.allowVolumeExpansion === true,
      source: `rendered in ${o.file}`,
    };
    byName.set(info.name, info);
    if (obj.metadata?.annotations?.['storageclass.kubernetes.io/is-default-class'] === 'true') {
      info.isDefault = true;
      defaultClass = info;
    }
  }
  return { byName, defaultClass };
}

/** Same kind and namespace, and a name that differs only by a hash-like suffix (`-7f9c2d`). */
function hashSuffixBase(name: string): string | undefined {
  const m = /^(.*)-([a-z0-9]{5,16})$/.exec(name);
  return m && /\d/.test(m[2]) ? m[1] : undefined;
}

function withoutName(obj: KubeObject): KubeObject {
  return { ...obj, metadata: { ...obj.metadata, name: '' } };
}

/**
 * The semantic difference between two sets of objects: each resource (matched by API group, kind,
 * namespace and name) is added, changed, replaced (a change the API server rejects), destroyed or
 * unchanged, with its field changes and risks. A pure function of its inputs.
 */
export function diffPlans(input: DiffInput, options: DiffOptions): PlanDiff {
  const ignore = options.ignore ?? [];
  const sameFiles = input.sameFiles ?? new Set<string>();
  const baseByKey = indexObjects(input.base, 'the base');
  const nextByKey = indexObjects(input.next, 'the new');
  const sc = storageClassesOf(input.next, options.declaredStorageClasses ?? []);
  const riskCtx: RiskContext = {
    env: options.env,
    storageClasses: sc.byName,
    defaultStorageClass: sc.defaultClass,
    next: input.next,
    baseOf: (key) => {
      const b = baseByKey.get(key);
      if (b) return b.object;
      const n = nextByKey.get(key);
      return n && sameFiles.has(n.file) ? n.object : undefined;
    },
  };

  const resources: ResourceChange[] = [];
  const added: PlanObject[] = [];
  let unchanged = 0;
  for (const [key, n] of nextByKey) {
    if (sameFiles.has(n.file)) {
      unchanged++;
      continue;
    }
    const b = baseByKey.get(key);
    if (!b) {
      added.push(n);
      continue;
    }
    const { raw, fields } = compareObjects(b.object, n.object, ignore);
    if (fields.length === 0) {
      unchanged++;
      continue;
    }
    const r = assessRisks({ action: 'change', old: b, new: n, changes: raw }, riskCtx);
    resources.push(entry(n, r.replace ? 'replace' : 'change', fields, r.risks));
  }
  const destroyed: PlanObject[] = [];
  for (const [key, b] of baseByKey) if (!nextByKey.has(key)) destroyed.push(b);

  // Renames: an added object whose content (or hash-suffixed name) matches a destroyed one.
  const renamedFrom = new Map<PlanObject, PlanObject>();
  const taken = new Set<PlanObject>();
  const candidates = (a: PlanObject) =>
    destroyed.filter(
      (d) =>
        !taken.has(d) &&
        d.object.kind === a.object.kind &&
        apiGroup(d.object.apiVersion) === apiGroup(a.object.apiVersion) &&
        (d.object.metadata.namespace ?? '') === (a.object.metadata.namespace ?? '') &&
        !STATEFUL_KINDS.has(a.object.kind),
    );
  for (const a of added) {
    const same = candidates(a).find((d) => deepEqual(withoutName(d.object), withoutName(a.object)));
    if (same) {
      renamedFrom.set(a, same);
      taken.add(same);
    }
  }
  for (const a of added) {
    if (renamedFrom.has(a) || !['ConfigMap', 'Secret'].includes(a.object.kind)) continue;
    const stem = hashSuffixBase(a.object.metadata.name);
    if (!stem) continue;
    const d = candidates(a).find((c) => hashSuffixBase(c.object.metadata.name) === stem);
    if (d) {
      renamedFrom.set(a, d);
      taken.add(d);
    }
  }
  for (const a of added) {
    const from = renamedFrom.get(a);
    if (!from) {
      resources.push(entry(a, 'add', [], []));
      continue;
    }
    const { fields } = compareObjects(from.object, a.object, ignore);
    const e = entry(a, 'add', fields, []);
    e.renamedFrom = resourceId(from.object);
    resources.push(e);
  }
  const gone = new Map<string, PlanObject>();
  for (const d of destroyed) {
    if (taken.has(d)) continue;
    gone.set(resourceKey(d.object), d);
    const r = assessRisks({ action: 'destroy', old: d, changes: [] }, riskCtx);
    resources.push(entry(d, 'destroy', [], r.risks));
  }

  resources.sort(compareResources);
  const count = (a: string) => resources.filter((r) => r.action === a).length;
  return {
    env: options.env,
    base: options.base,
    summary: {
      add: count('add'),
      change: count('change'),
      replace: count('replace'),
      destroy: count('destroy'),
      unchanged,
    },
    resources,
    findings: options.findings ?? [],
    graph: { next: nextByKey, gone },
  };
}

function entry(
  o: PlanObject,
  action: ResourceChange['action'],
  changes: FieldChange[],
  risks: ResourceChange['risks'],
): ResourceChange {
  const obj = o.object;
  const r: ResourceChange = {
    id: resourceId(obj),
    key: resourceKey(obj),
    apiVersion: obj.apiVersion,
    kind: obj.kind,
    name: obj.metadata.name,
    chart: o.chart,
    file: o.file,
    action,
    risks,
    changes,
  };
  if (obj.metadata.namespace) r.namespace = obj.metadata.namespace;
  return r;
}

function compareResources(a: ResourceChange, b: ResourceChange): number {
  if (a.chart !== b.chart) return a.chart < b.chart ? -1 : 1;
  if (a.file !== b.file) return a.file < b.file ? -1 : 1;
  return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
}

/** Number of risks in a plan. */
export function riskCount(diff: PlanDiff): number {
  return diff.resources.reduce((n, r) => n + r.risks.length, 0);
}
