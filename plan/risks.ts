import {
  apiGroup,
  resourceId,
  resourceKey,
  type KubeObject,
  type Manifest,
} from '../core/manifest.js';
import {
  isMxTransporter,
  scalarDlPartOf,
  type ScalarDlPart,
} from '../validators/model/components.js';
import { parseImageRef } from '../validators/model/images.js';
import { podTemplateOf } from '../validators/model/workloads.js';
import type { RawChange } from './compare.js';
import { formatPath, isKeyed, type Path } from './paths.js';
import { parseQuantity } from './quantity.js';
import type { PlanObject, Risk, StorageClassInfo } from './types.js';

type Obj = Record<string, any>;

/** What the risk rules look at for one resource. */
export interface RiskInput {
  action: 'change' | 'destroy';
  /** The base object. */
  old: PlanObject;
  /** The new object (absent for destroy). */
  new?: PlanObject;
  /** Field differences (keyed paths), empty for destroy. */
  changes: RawChange[];
}

export interface RiskContext {
  env: string;
  /** StorageClasses by name: rendered in the new plan, else declared for the cluster. */
  storageClasses: Map<string, StorageClassInfo>;
  /** The class a claim without `storageClassName` gets, when known. */
  defaultStorageClass?: StorageClassInfo;
  /** The new plan's objects (for ordering checks between resources). */
  next: PlanObject[];
  /** The base object of a resource key, when the base has it. */
  baseOf(key: string): KubeObject | undefined;
}

export interface RiskResult {
  risks: Risk[];
  /** The update is one the API server rejects: applying it takes delete and create. */
  replace: boolean;
}

const ARGO_WAVE = 'argocd.argoproj.io/sync-wave';
const ARGO_HOOK = 'argocd.argoproj.io/hook';
const ARGO_HOOK_DELETE = 'argocd.argoproj.io/hook-delete-policy';
const ARGO_RESOURCES_FINALIZER = 'resources-finalizer.argocd.argoproj.io';

const REPLACE_HOW =
  'the API server rejects the update, so it takes a delete and create (Argo CD sync option Replace=true, or deleting it by hand)';

function specPaths(changes: RawChange[]): Path[] {
  return changes.filter((c) => c.path[0] === 'spec').map((c) => c.path);
}

function topSpecFields(changes: RawChange[]): string[] {
  return [...new Set(specPaths(changes).map((p) => (p.length > 1 ? String(p[1]) : 'spec')))].sort();
}

function list(xs: string[]): string {
  return xs.map((x) => `spec.${x}`).join(', ');
}

function pathIs(p: Path, ...prefix: (string | number)[]): boolean {
  return prefix.every((s, i) => p[i] === s);
}

function annotations(obj: KubeObject | undefined): Record<string, unknown> {
  const a = (obj?.metadata as Obj | undefined)?.annotations;
  return a && typeof a === 'object' ? a : {};
}

function asManifest(p: PlanObject): Manifest {
  return { chart: p.chart, object: p.object, file: p.file, line: 1 };
}

/** Whether Argo CD creates this object afresh on every sync (a hook it deletes before creating). */
function argoRecreatesHook(obj: KubeObject): boolean {
  const a = annotations(obj);
  if (typeof a[ARGO_HOOK] !== 'string') return false;
  // Without a delete policy Argo CD assumes BeforeHookCreation (argoproj/gitops-engine
  // pkg/sync/hook/delete_policy.go); HookSucceeded removes it after each successful run.
  const policies = String(a[ARGO_HOOK_DELETE] ?? 'BeforeHookCreation')
    .split(',')
    .map((s) => s.trim());
  return policies.includes('BeforeHookCreation') || policies.includes('HookSucceeded');
}

/**
 * Fields an update may not change, per kind. Sources (kubernetes/kubernetes):
 * - StatefulSet: `ValidateStatefulSetUpdate` (pkg/apis/apps/validation) lets only `replicas`,
 *   `ordinals`, `template`, `updateStrategy`, `persistentVolumeClaimRetentionPolicy` and
 *   `minReadySeconds` differ.
 * - Deployment, ReplicaSet, DaemonSet: `spec.selector` is immutable in apps/v1 (the update
 *   validation of pkg/registry/apps/{deployment,replicaset,daemonset}/strategy.go).
 * - Job: `ValidateJobSpecUpdate` (pkg/apis/batch/validation): `selector`, `template`,
 *   `completionMode`, `podFailurePolicy`, `backoffLimitPerIndex`, `managedBy`, `successPolicy`,
 *   and `completions` outside Indexed mode.
 * - Service: `ValidateServiceUpdate` (pkg/apis/core/validation): `clusterIP`/`clusterIPs[0]` and
 *   `ipFamilies[0]` may not change once set (ExternalName aside); `loadBalancerClass` between two
 *   LoadBalancer specs.
 * - PersistentVolumeClaim: `ValidatePersistentVolumeClaimUpdate`: the spec is immutable except
 *   `resources.requests.storage` (never lower) and `volumeAttributesClassName`.
 * - Secret: `ValidateSecretUpdate`: `type` never changes; with `immutable: true` neither `data` nor
 *   `immutable`. ConfigMap: `ValidateConfigMapUpdate`, the same for `data` and `binaryData`.
 */
const STATEFULSET_MUTABLE = new Set([
  'replicas',
  'ordinals',
  'template',
  'updateStrategy',
  'persistentVolumeClaimRetentionPolicy',
  'minReadySeconds',
]);
const JOB_IMMUTABLE = [
  'selector',
  'template',
  'completionMode',
  'podFailurePolicy',
  'backoffLimitPerIndex',
  'managedBy',
  'successPolicy',
];

export function assessRisks(input: RiskInput, ctx: RiskContext): RiskResult {
  const risks: Risk[] = [];
  let replace = false;
  const old = input.old.object;
  const group = apiGroup(old.apiVersion);
  const kind = old.kind;
  const add = (code: Risk['code'], reason: string) => risks.push({ code, reason });
  const immutable = (reason: string) => {
    replace = true;
    add('immutable-field', reason);
  };

  if (input.action === 'destroy') {
    destroyRisks(input.old, add);
    return { risks, replace };
  }
  const next = input.new!.object;
  const changes = input.changes;
  const name = resourceId(next);

  // Immutable fields.
  if (group === 'apps' && kind === 'StatefulSet') {
    const fixed = topSpecFields(changes).filter((f) => !STATEFULSET_MUTABLE.has(f));
    if (fixed.length > 0) {
      let reason = `${list(fixed)} of a StatefulSet cannot change (only replicas, ordinals, template, updateStrategy, persistentVolumeClaimRetentionPolicy and minReadySeconds may): ${REPLACE_HOW}; its pods are recreated`;
      if (fixed.includes('volumeClaimTemplates')) {
        reason +=
          ', and claims made from the old volumeClaimTemplates stay as they are (a StatefulSet never updates or resizes the claims it created)';
      }
      immutable(reason);
    }
    vctStorageRisks(old, next, add);
  } else if (group === 'apps' && ['Deployment', 'ReplicaSet', 'DaemonSet'].includes(kind)) {
    if (specPaths(changes).some((p) => p[1] === 'selector')) {
      immutable(
        `spec.selector of a ${kind} is immutable in apps/v1: ${REPLACE_HOW}; every pod of it is deleted at once, not rolled`,
      );
    }
  } else if (group === 'batch' && kind === 'Job') {
    const fields = topSpecFields(changes);
    const fixed = fields.filter((f) => JOB_IMMUTABLE.includes(f));
    if (fields.includes('completions') && (next as Obj).spec?.completionMode !== 'Indexed')
      fixed.push('completions');
    if (fixed.length > 0 && !argoRecreatesHook(next)) {
      immutable(`${list(fixed.sort())} of a Job cannot change once it exists: ${REPLACE_HOW}`);
    }
  } else if (group === '' && kind === 'Service') {
    const reasons = serviceImmutable(old as Obj, next as Obj);
    if (reasons.length > 0) {
      immutable(`${reasons.join('; ')}: ${REPLACE_HOW}; the Service gets a new address`);
    }
  } else if (group === '' && kind === 'PersistentVolumeClaim') {
    pvcRisks(old as Obj, next as Obj, changes, ctx, add, () => (replace = true));
  } else if (group === '' && (kind === 'Secret' || kind === 'ConfigMap')) {
    if (kind === 'Secret' && changes.some((c) => c.path.length === 1 && c.path[0] === 'type')) {
      immutable(
        `the type of a Secret never changes (${String((old as Obj).type ?? 'Opaque')} -> ${String((next as Obj).type ?? 'Opaque')}): ${REPLACE_HOW}`,
      );
    }
    if ((old as Obj).immutable === true) {
      const dataFields = kind === 'Secret' ? ['data', 'stringData'] : ['data', 'binaryData'];
      const touched = changes.some(
        (c) => dataFields.includes(String(c.path[0])) || c.path[0] === 'immutable',
      );
      if (touched) {
        immutable(
          `${kind} ${name} is immutable (immutable: true): its data cannot change: ${REPLACE_HOW}; pods that mount it keep the old content until restarted`,
        );
      }
    }
  }

  // Scale to zero.
  if (group === 'apps' && ['Deployment', 'StatefulSet', 'ReplicaSet'].includes(kind)) {
    const before = (old as Obj).spec?.replicas ?? 1;
    const after = (next as Obj).spec?.replicas ?? 1;
    if (after === 0 && typeof before === 'number' && before > 0) {
      add('scale-to-zero', `replicas goes from ${before} to 0: every pod of ${name} stops`);
    }
  }

  imageRisks(input, add);
  syncOrderRisks(input, ctx, add);
  return { risks, replace };
}

function destroyRisks(gone: PlanObject, add: (code: Risk['code'], reason: string) => void): void {
  const obj = gone.object as Obj;
  const group = apiGroup(obj.apiVersion);
  if (group === '' && obj.kind === 'Namespace') {
    add(
      'cascade-delete',
      `deleting Namespace ${obj.metadata.name} deletes every object in it, including ones this plan does not hold (PVCs and their volumes too)`,
    );
  } else if (group === 'apiextensions.k8s.io' && obj.kind === 'CustomResourceDefinition') {
    add(
      'cascade-delete',
      `deleting CustomResourceDefinition ${obj.metadata.name} deletes every ${obj.spec?.names?.kind ?? 'custom resource'} in the cluster`,
    );
  } else if (group === 'argoproj.io' && obj.kind === 'Application') {
    const finalizers: unknown[] = Array.isArray(obj.metadata?.finalizers)
      ? obj.metadata.finalizers
      : [];
    if (finalizers.some((f) => typeof f === 'string' && f.startsWith(ARGO_RESOURCES_FINALIZER))) {
      add(
        'cascade-delete',
        `the Application carries ${ARGO_RESOURCES_FINALIZER}: deleting it makes Argo CD delete every resource it manages`,
      );
    }
  } else if (group === '' && obj.kind === 'PersistentVolumeClaim') {
    add(
      'data-loss',
      `deleting the claim releases its volume; with the reclaim policy Delete (the default for dynamically provisioned volumes) the data is gone`,
    );
  } else if (group === 'apps' && obj.kind === 'StatefulSet') {
    const vcts: Obj[] = Array.isArray(obj.spec?.volumeClaimTemplates)
      ? obj.spec.volumeClaimTemplates
      : [];
    if (vcts.length === 0) return;
    const names = vcts.map((v) => String(v?.metadata?.name ?? '?'));
    const claims = names.map((n) => `${n}-${obj.metadata.name}-0`).join(', ');
    const whenDeleted = obj.spec?.persistentVolumeClaimRetentionPolicy?.whenDeleted ?? 'Retain';
    let reason =
      whenDeleted === 'Delete'
        ? `its persistentVolumeClaimRetentionPolicy.whenDeleted is Delete, so deleting it deletes its claims (${claims}, ...) and their data`
        : `deleting it stops its pods; its claims (${claims}, ...) stay while whenDeleted is Retain, but nothing uses them and removing them loses the data`;
    const t = podTemplateOf(asManifest(gone));
    if (t && isMxTransporter(t)) {
      const env = envOf(t.spec);
      const what = [env.MONGODB_DATABASE, env.MONGODB_COLLECTION].filter(Boolean).join('.');
      reason +=
        `. It holds the MxTransporter resume token${what ? ` of ${what}` : ''}: until it runs again no change is exported, and an exporter started without that token ` +
        'begins at the current position of the change stream, so the changes made in between are never exported.';
    }
    add('data-loss', reason);
  }
}

function envOf(podSpec: Obj): Record<string, string> {
  const out: Record<string, string> = {};
  for (const c of Array.isArray(podSpec?.containers) ? podSpec.containers : []) {
    for (const e of Array.isArray(c?.env) ? c.env : []) {
      if (typeof e?.name === 'string' && typeof e.value === 'string') out[e.name] = e.value;
    }
  }
  return out;
}

function storageOf(spec: Obj | undefined): { raw: unknown; n: number | undefined } {
  const raw = spec?.resources?.requests?.storage;
  return { raw, n: parseQuantity(raw) };
}

function vctStorageRisks(
  old: Obj,
  next: Obj,
  add: (code: Risk['code'], reason: string) => void,
): void {
  const before: Obj[] = Array.isArray(old.spec?.volumeClaimTemplates)
    ? old.spec.volumeClaimTemplates
    : [];
  const after: Obj[] = Array.isArray(next.spec?.volumeClaimTemplates)
    ? next.spec.volumeClaimTemplates
    : [];
  for (const t of after) {
    const name = t?.metadata?.name;
    const prev = before.find((b) => b?.metadata?.name === name);
    if (!prev) continue;
    const a = storageOf(prev.spec);
    const b = storageOf(t.spec);
    if (a.n !== undefined && b.n !== undefined && b.n < a.n) {
      add(
        'pvc-shrink',
        `volumeClaimTemplate ${name} asks for ${String(b.raw)} instead of ${String(a.raw)}: volumes never shrink; existing claims keep ${String(a.raw)} and only new replicas get the smaller size`,
      );
    }
  }
}

function serviceImmutable(old: Obj, next: Obj): string[] {
  const out: string[] = [];
  const oldType = old.spec?.type ?? 'ClusterIP';
  const newType = next.spec?.type ?? 'ClusterIP';
  if (oldType !== 'ExternalName' && newType !== 'ExternalName') {
    const a = old.spec?.clusterIP;
    const b = next.spec?.clusterIP;
    const a0 = Array.isArray(old.spec?.clusterIPs) ? old.spec.clusterIPs[0] : undefined;
    const b0 = Array.isArray(next.spec?.clusterIPs) ? next.spec.clusterIPs[0] : undefined;
    if (a !== b && !(a === undefined && b === undefined)) {
      if (a === 'None' && b === undefined)
        out.push(
          'spec.clusterIP: None is removed, but the API server keeps a headless Service headless',
        );
      else if (a === undefined)
        out.push(
          `spec.clusterIP is set to ${b} on an existing Service: it may not change from the address already allocated`,
        );
      else out.push(`spec.clusterIP may not change once set (${a} -> ${b ?? 'unset'})`);
    } else if (a0 !== b0 && a0 !== undefined) {
      out.push(`spec.clusterIPs[0] may not change once set (${a0} -> ${b0 ?? 'unset'})`);
    }
    const f0 = Array.isArray(old.spec?.ipFamilies) ? old.spec.ipFamilies[0] : undefined;
    const g0 = Array.isArray(next.spec?.ipFamilies) ? next.spec.ipFamilies[0] : undefined;
    if (f0 !== undefined && g0 !== undefined && f0 !== g0 && !(a === 'None' && b === 'None'))
      out.push(`spec.ipFamilies[0] may not change once set (${f0} -> ${g0})`);
  }
  if (oldType === 'LoadBalancer' && newType === 'LoadBalancer') {
    const a = old.spec?.loadBalancerClass;
    const b = next.spec?.loadBalancerClass;
    if (a !== b)
      out.push(`spec.loadBalancerClass may not change (${a ?? 'unset'} -> ${b ?? 'unset'})`);
  }
  return out;
}

function pvcRisks(
  old: Obj,
  next: Obj,
  changes: RawChange[],
  ctx: RiskContext,
  add: (code: Risk['code'], reason: string) => void,
  markReplace: () => void,
): void {
  const isStorage = (p: Path) => pathIs(p, 'spec', 'resources', 'requests', 'storage');
  const allowed = (p: Path) =>
    isStorage(p) ||
    pathIs(p, 'spec', 'volumeAttributesClassName') ||
    (pathIs(p, 'spec', 'volumeName') && old.spec?.volumeName === undefined);
  const fixed = specPaths(changes).filter((p) => !allowed(p));
  if (fixed.length > 0) {
    markReplace();
    add(
      'immutable-field',
      `${[...new Set(fixed.map((p) => formatPath(p)))].join(', ')} of a PersistentVolumeClaim cannot change (only resources.requests.storage may grow): ${REPLACE_HOW}`,
    );
    add(
      'data-loss',
      `recreating the claim releases its volume; with the reclaim policy Delete the data is gone`,
    );
  }
  const a = storageOf(old.spec);
  const b = storageOf(next.spec);
  if (a.n === undefined || b.n === undefined || a.n === b.n) return;
  if (b.n < a.n) {
    markReplace();
    add(
      'pvc-shrink',
      `spec.resources.requests.storage goes from ${String(a.raw)} to ${String(b.raw)}: the API server rejects a smaller request and volumes never shrink; only a new claim (losing the data) gets the smaller size`,
    );
    return;
  }
  const className = next.spec?.storageClassName as string | undefined;
  const sc = className === undefined ? ctx.defaultStorageClass : ctx.storageClasses.get(className);
  const label = className ?? '(the default class)';
  if (!sc || sc.allowVolumeExpansion === undefined) {
    const where = sc
      ? `is ${sc.source} without allowVolumeExpansion`
      : `is neither rendered nor declared (global.clusters.${ctx.env}.storageClasses)`;
    add(
      'data-loss',
      `storage grows from ${String(a.raw)} to ${String(b.raw)} on StorageClass ${sc?.name ?? label}, which ${where}: if the class does not set allowVolumeExpansion: true the resize is rejected, and a new claim would lose the data`,
    );
  } else if (!sc.allowVolumeExpansion) {
    markReplace();
    add(
      'data-loss',
      `storage grows from ${String(a.raw)} to ${String(b.raw)} but StorageClass ${sc.name} (${sc.source}) does not allow volume expansion: the API server rejects the resize (PersistentVolumeClaimResize admission), and a new claim would lose the data`,
    );
  }
}

/** Versions of an image tag (`v1.10.2`, `1.9`, `3.10.0-rc1`), comparable part by part. */
function tagVersion(tag: string | undefined): { parts: number[]; pre: boolean } | undefined {
  if (!tag) return undefined;
  const m = /^v?(\d+(?:\.\d+)*)(?:([-+])(.*))?$/.exec(tag);
  if (!m) return undefined;
  return { parts: m[1].split('.').map(Number), pre: m[2] === '-' };
}

function compareVersions(
  a: { parts: number[]; pre: boolean },
  b: { parts: number[]; pre: boolean },
): number {
  const n = Math.max(a.parts.length, b.parts.length);
  for (let i = 0; i < n; i++) {
    const d = (a.parts[i] ?? 0) - (b.parts[i] ?? 0);
    if (d !== 0) return d;
  }
  return (a.pre ? 0 : 1) - (b.pre ? 0 : 1);
}

function imageRisks(input: RiskInput, add: (code: Risk['code'], reason: string) => void): void {
  for (const c of input.changes) {
    if (c.path[c.path.length - 1] !== 'image') continue;
    const before = parseImageRef(c.old);
    const after = parseImageRef(c.new);
    if (!before || !after || before.host !== after.host || before.path !== after.path) continue;
    const a = tagVersion(before.tag);
    const b = tagVersion(after.tag);
    if (!a || !b || compareVersions(b, a) >= 0) continue;
    const container = c.path[c.path.length - 2];
    const where = isKeyed(container) ? ` (container ${container.keys[0][1]})` : '';
    add(
      'image-downgrade',
      `image ${before.host}/${before.path} goes down from ${before.tag} to ${after.tag}${where}: an older version runs against data and peers of the newer one`,
    );
  }
}

/** Argo CD's order: phase (PreSync, Sync, PostSync), then wave. */
function syncPosition(obj: KubeObject): { phase: number; wave: number; hook: string } {
  const a = annotations(obj);
  const hooks = String(a[ARGO_HOOK] ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const phase = hooks.includes('PreSync')
    ? 0
    : hooks.length === 0 || hooks.includes('Sync')
      ? 1
      : 2;
  const wave = Number.parseInt(String(a[ARGO_WAVE] ?? '0'), 10);
  return { phase, wave: Number.isFinite(wave) ? wave : 0, hook: hooks.join(',') || '(none)' };
}

function before(a: KubeObject, b: KubeObject): boolean {
  const x = syncPosition(a);
  const y = syncPosition(b);
  return x.phase < y.phase || (x.phase === y.phase && x.wave < y.wave);
}

const SCHEMA_PAIRS: [ScalarDlPart, ScalarDlPart][] = [
  ['schema-loader', 'ledger'],
  ['auditor-schema-loader', 'auditor'],
];

function syncOrderRisks(
  input: RiskInput,
  ctx: RiskContext,
  add: (code: Risk['code'], reason: string) => void,
): void {
  const touched = input.changes.some(
    (c) =>
      c.path[0] === 'metadata' &&
      c.path[1] === 'annotations' &&
      (c.path[2] === ARGO_WAVE || c.path[2] === ARGO_HOOK),
  );
  if (!touched || !input.new) return;
  const a = syncPosition(input.old.object);
  const b = syncPosition(input.new.object);
  let reason = `Argo CD sync position changes from wave ${a.wave} (hook ${a.hook}) to wave ${b.wave} (hook ${b.hook}): it is applied in a different order relative to the other resources`;
  const t = podTemplateOf(asManifest(input.new));
  const part = t ? scalarDlPartOf(t) : undefined;
  if (part) {
    const ns = input.new.object.metadata.namespace ?? '';
    for (const [jobPart, serverPart] of SCHEMA_PAIRS) {
      if (part !== jobPart && part !== serverPart) continue;
      const other = part === jobPart ? serverPart : jobPart;
      for (const o of ctx.next) {
        if ((o.object.metadata.namespace ?? '') !== ns) continue;
        const ot = podTemplateOf(asManifest(o));
        if (!ot || scalarDlPartOf(ot) !== other) continue;
        const job = part === jobPart ? input.new.object : o.object;
        const server = part === jobPart ? o.object : input.new.object;
        const jobKey =
          part === jobPart ? input.old.object : (ctx.baseOf(resourceKey(o.object)) ?? o.object);
        const serverKey =
          part === jobPart ? (ctx.baseOf(resourceKey(o.object)) ?? o.object) : input.old.object;
        if (before(jobKey, serverKey) && !before(job, server)) {
          reason += `; the Scalar DL schema-loading Job ${resourceId(job)} no longer finishes before ${resourceId(server)} starts, so the ${serverPart === 'ledger' ? 'Ledger' : 'Auditor'} starts against tables that may not exist`;
        }
      }
    }
  }
  add('sync-order', reason);
}
