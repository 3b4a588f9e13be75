import { apiGroup, isEksctlDocument, type Manifest } from '../../core/manifest.js';
import { isClusterScoped } from '../../core/kinds.js';
import type { FieldPath, RuleContext, RuleFinding } from '../types.js';
import { formatFieldPath } from '../../core/paths.js';
import { isObj } from './references.js';
import { podTemplateOf, type PodTemplate } from './workloads.js';

/**
 * What the `api-*` rules share: how a finding says the API server rejects something, which kinds
 * the API server validates how, and the cluster's Kubernetes minor version.
 */

type Obj = Record<string, any>;

export const REJECTS = 'the API server rejects this';

/** An object the API server sees: anything with a kind but eksctl config files. */
export function isApiObject(m: Manifest): boolean {
  const obj = m.object as unknown;
  return isObj(obj) && typeof obj.kind === 'string' && !isEksctlDocument(obj);
}

const groups = new Map<string, string>();

/** The API group of an object (`''` for the core group). */
export function groupOfObject(obj: Obj): string {
  const v = typeof obj.apiVersion === 'string' ? obj.apiVersion : '';
  let g = groups.get(v);
  if (g === undefined) {
    g = apiGroup(v);
    groups.set(v, g);
  }
  return g;
}

/** The API group of each built-in kind the `api-*` rules check by kind. */
const GROUP_OF_KIND = new Map<string, string>([
  ['Deployment', 'apps'],
  ['ReplicaSet', 'apps'],
  ['StatefulSet', 'apps'],
  ['DaemonSet', 'apps'],
  ['Job', 'batch'],
  ['CronJob', 'batch'],
  ['HorizontalPodAutoscaler', 'autoscaling'],
  ['Service', ''],
  ['PersistentVolumeClaim', ''],
  ['PodDisruptionBudget', 'policy'],
  ['StorageClass', 'storage.k8s.io'],
  ['Role', 'rbac.authorization.k8s.io'],
  ['ClusterRole', 'rbac.authorization.k8s.io'],
  ['RoleBinding', 'rbac.authorization.k8s.io'],
  ['ClusterRoleBinding', 'rbac.authorization.k8s.io'],
]);

/**
 * `kind` when the object is that built-in kind (a `Deployment` of group `apps`), `''` otherwise (a
 * custom resource that happens to share the name, or a kind these rules do not check by kind).
 */
export function builtInKind(kind: string, group: string): string {
  return GROUP_OF_KIND.get(kind) === group ? kind : '';
}

/** Whether the kind is cluster-scoped (its namespace is cleared, not validated). */
export function clusterScoped(kind: string): boolean {
  return isClusterScoped(kind);
}

/**
 * Who rejects a pod template's problems. ValidateStatefulSetSpec (kubernetes
 * `pkg/apis/apps/validation/validation.go`) checks only the template's labels and annotations (the
 * pod spec check is a TODO there), so a StatefulSet with a bad pod spec is stored and every Pod
 * its controller creates is rejected; a CronJob's Jobs are validated when the controller creates
 * them for the fields ValidateCronJobSpec does not cover.
 */
export function podSpecRejection(kind: string): string {
  return kind === 'StatefulSet'
    ? 'the API server rejects the Pods this StatefulSet creates'
    : REJECTS;
}

/** `1.31` → 31; undefined when the cluster's version is not known. */
export function kubernetesMinor(ctx: RuleContext): number | undefined {
  const v = ctx.cluster?.kubernetesVersion;
  const m = typeof v === 'string' ? /^v?1\.(\d+)/.exec(v.trim()) : null;
  return m ? Number(m[1]) : undefined;
}

/** What the api-* rules read first of each object the API server sees. */
export interface ApiObject {
  obj: Obj;
  kind: string;
  /** API group (`''` for the core group) */
  group: string;
  /** the pod template (ConfigMaps and Services have none, so they are not looked at) */
  template?: PodTemplate;
}

/**
 * The object of a manifest as the api-* rules walk it, with findings set to it, or undefined for
 * what the API server never sees (eksctl files, documents without a kind).
 */
export function apiObjectOf(manifest: Manifest, f: Findings): ApiObject | undefined {
  if (!isApiObject(manifest)) return undefined;
  const obj = manifest.object as Obj;
  const kind = obj.kind as string;
  f.manifest = manifest;
  const template = kind === 'ConfigMap' || kind === 'Service' ? undefined : podTemplateOf(manifest);
  return { obj, kind, group: groupOfObject(obj), template };
}

/** Collects findings for one manifest. */
export class Findings {
  readonly out: RuleFinding[] = [];
  manifest!: Manifest;

  add(path: FieldPath, message: string): void {
    this.out.push({ manifest: this.manifest, path, message });
  }
}

/** `"value"` for messages (JSON quoting keeps odd characters visible), cut at 80 characters. */
export function show(value: unknown): string {
  const s = JSON.stringify(typeof value === 'string' ? value : String(value)) ?? '""';
  return s.length > 82 ? `${s.slice(0, 79)}..."` : s;
}

/** The last two named segments of a path (`requests.cpu`), for messages; reports show the full path. */
export function at(path: FieldPath): string {
  let named = 0;
  let i = path.length;
  while (i > 0 && named < 2) if (typeof path[--i] === 'string') named++;
  return formatFieldPath(path.slice(i));
}
