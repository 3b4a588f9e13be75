import type { Manifest } from '../../core/manifest.js';
import type { FieldPath } from '../types.js';
import { isObj as isObject, type Obj } from '../../core/object.js';

/** A pod template found in a workload, with the field path of its pod spec. */
export interface PodTemplate {
  manifest: Manifest;
  /** The pod spec (`spec.template.spec` etc.). */
  spec: Obj;
  /** Labels of the pod template. */
  labels: Record<string, string>;
  /** Field path of the pod spec inside the object. */
  specPath: FieldPath;
}

export const WORKLOAD_KINDS = new Set([
  'Deployment',
  'StatefulSet',
  'DaemonSet',
  'ReplicaSet',
  'ReplicationController',
  'Job',
  'CronJob',
  'Pod',
]);

/** The pod template of a workload object, or undefined for other kinds. */
export function podTemplateOf(manifest: Manifest): PodTemplate | undefined {
  const obj = manifest.object as Obj;
  switch (obj.kind) {
    case 'Pod':
      return {
        manifest,
        spec: obj.spec ?? {},
        labels: obj.metadata?.labels ?? {},
        specPath: ['spec'],
      };
    case 'CronJob': {
      const t = obj.spec?.jobTemplate?.spec?.template;
      if (!t) return undefined;
      return {
        manifest,
        spec: t.spec ?? {},
        labels: t.metadata?.labels ?? {},
        specPath: ['spec', 'jobTemplate', 'spec', 'template', 'spec'],
      };
    }
    default: {
      if (!WORKLOAD_KINDS.has(obj.kind)) return undefined;
      const t = obj.spec?.template;
      if (!t) return undefined;
      return {
        manifest,
        spec: t.spec ?? {},
        labels: t.metadata?.labels ?? {},
        specPath: ['spec', 'template', 'spec'],
      };
    }
  }
}

export function podTemplates(manifests: Manifest[]): PodTemplate[] {
  const out: PodTemplate[] = [];
  for (const m of manifests) {
    const t = podTemplateOf(m);
    if (t) out.push(t);
  }
  return out;
}

/** Every container of a pod spec (init, regular, ephemeral) with its field path. */
export function containersOf(t: PodTemplate): { container: Obj; path: FieldPath }[] {
  const out: { container: Obj; path: FieldPath }[] = [];
  for (const field of ['initContainers', 'containers', 'ephemeralContainers']) {
    const list = t.spec[field];
    if (Array.isArray(list)) {
      list.forEach((c: Obj, i: number) =>
        out.push({ container: c, path: [...t.specPath, field, i] }),
      );
    }
  }
  return out;
}

export interface LabelSelectorRequirement {
  key: string;
  operator: string;
  values?: string[];
}

/** Whether labels satisfy a Kubernetes label selector (matchLabels + matchExpressions). */
export function selectorMatches(
  selector:
    | { matchLabels?: Record<string, string>; matchExpressions?: LabelSelectorRequirement[] }
    | undefined,
  labels: Record<string, string>,
): boolean {
  if (!isObject(selector)) return false;
  const { matchLabels, matchExpressions } = selector as Obj;
  // a malformed part (the schema rule reports it) matches nothing
  if (matchLabels !== undefined && !isObject(matchLabels)) return false;
  if (matchExpressions !== undefined && !Array.isArray(matchExpressions)) return false;
  for (const [k, v] of Object.entries(matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const e of matchExpressions ?? [])
    if (!isObject(e) || !requirementMatches(e as LabelSelectorRequirement, labels)) return false;
  return true;
}

/** The label keys a label selector matches on (`matchLabels` and `matchExpressions`). */
export function selectorKeys(selector: unknown): string[] {
  if (!isObject(selector)) return [];
  const keys = isObject(selector.matchLabels) ? Object.keys(selector.matchLabels) : [];
  if (Array.isArray(selector.matchExpressions))
    for (const e of selector.matchExpressions) if (isObject(e)) keys.push(String(e.key));
  return keys;
}

/** One requirement of a label selector or node selector term (In, NotIn, Exists, DoesNotExist, Gt, Lt). */
export function requirementMatches(
  e: LabelSelectorRequirement,
  labels: Record<string, string>,
): boolean {
  const has = Object.prototype.hasOwnProperty.call(labels, e.key);
  const v = labels[e.key];
  const values: unknown[] = Array.isArray(e.values) ? e.values : [];
  switch (e.operator) {
    case 'In':
      return has && values.includes(v);
    case 'NotIn':
      return !has || !values.includes(v);
    case 'Exists':
      return has;
    case 'DoesNotExist':
      return !has;
    case 'Gt':
      return has && Number(v) > Number(values[0]);
    case 'Lt':
      return has && Number(v) < Number(values[0]);
    default:
      return false;
  }
}

/** Whether a plain map selector (a Service's `spec.selector`) matches labels. */
export function mapSelectorMatches(
  selector: Record<string, string>,
  labels: Record<string, string>,
): boolean {
  const entries = Object.entries(selector);
  return entries.length > 0 && entries.every(([k, v]) => labels[k] === v);
}

/** A container that names an image, with the field path of its `image`. */
export interface ContainerImage {
  manifest: Manifest;
  container: Obj;
  image: string;
  /** Field path of the container's `image` field. */
  path: FieldPath;
}

/** Every container image of every pod template (init and ephemeral containers too). */
export function containerImages(manifests: Manifest[]): ContainerImage[] {
  const out: ContainerImage[] = [];
  for (const t of podTemplates(manifests)) {
    for (const { container, path } of containersOf(t)) {
      if (!container || typeof container.image !== 'string' || container.image.trim() === '')
        continue;
      out.push({
        manifest: t.manifest,
        container,
        image: container.image,
        path: [...path, 'image'],
      });
    }
  }
  return out;
}
