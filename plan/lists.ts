import type { KeyedItem, Path } from './paths.js';

/**
 * Lists the Kubernetes API merges by key (`+listType=map` with `+listMapKey`, published in the
 * OpenAPI document as `x-kubernetes-list-map-keys`), taken from the markers in kubernetes/api
 * `core/v1/types.go`. Items of these lists are matched by their keys, so reordering them is not a
 * change. Every other list is atomic (`+listType=atomic`, e.g. `tolerations`, `args`,
 * `volumeClaimTemplates`) or ordered by meaning (Istio routes), and is compared by position.
 *
 * kubernetes-models' JSON schemas do not carry these markers, hence the table.
 */
interface ListKeyRule {
  keys: string[];
  /** Defaults the API server fills in for a key that is absent (`protocol: TCP`). */
  defaults?: Record<string, string>;
}

const CONTAINER_LISTS = new Set(['containers', 'initContainers', 'ephemeralContainers']);

/** Lists of a pod spec (PodSpec). */
const POD_SPEC_LISTS: Record<string, ListKeyRule> = {
  containers: { keys: ['name'] },
  initContainers: { keys: ['name'] },
  ephemeralContainers: { keys: ['name'] },
  volumes: { keys: ['name'] },
  imagePullSecrets: { keys: ['name'] },
  hostAliases: { keys: ['ip'] },
  topologySpreadConstraints: { keys: ['topologyKey', 'whenUnsatisfiable'] },
  resourceClaims: { keys: ['name'] },
  schedulingGates: { keys: ['name'] },
};

/** Lists of a container (Container, EphemeralContainer). */
const CONTAINER_FIELD_LISTS: Record<string, ListKeyRule> = {
  env: { keys: ['name'] },
  // ContainerPort: +listMapKey=containerPort, +listMapKey=protocol (protocol defaults to TCP).
  ports: { keys: ['containerPort', 'protocol'], defaults: { protocol: 'TCP' } },
  volumeMounts: { keys: ['mountPath'] },
  volumeDevices: { keys: ['devicePath'] },
};

/** ServiceSpec.ports: +listMapKey=port, +listMapKey=protocol. */
const SERVICE_PORTS: ListKeyRule = { keys: ['port', 'protocol'], defaults: { protocol: 'TCP' } };

/** Groups served by Kubernetes itself (custom resources keep their own list semantics). */
export function isBuiltinGroup(group: string): boolean {
  return group === '' || !group.includes('.') || group.endsWith('.k8s.io');
}

/** Whether `path` (ending in a map) is a pod spec: `spec` of a Pod, `...template.spec` elsewhere. */
function isPodSpecPath(kind: string, path: Path): boolean {
  const n = path.length;
  if (n === 1 && path[0] === 'spec') return kind === 'Pod';
  return n >= 2 && path[n - 1] === 'spec' && path[n - 2] === 'template';
}

/** Whether `path` is an item of a container list. */
function isContainerPath(path: Path): boolean {
  const n = path.length;
  return n >= 2 && typeof path[n - 2] === 'string' && CONTAINER_LISTS.has(path[n - 2] as string);
}

/**
 * The key rule of the list at `parent` + `field` of an object of `kind` in `group`, or undefined
 * when the list is compared by position.
 */
export function listKeyRule(
  group: string,
  kind: string,
  parent: Path,
  field: string,
): ListKeyRule | undefined {
  if (!isBuiltinGroup(group)) return undefined;
  if (isPodSpecPath(kind, parent)) return POD_SPEC_LISTS[field];
  if (isContainerPath(parent)) return CONTAINER_FIELD_LISTS[field];
  if (kind === 'Service' && group === '' && parent.length === 1 && parent[0] === 'spec') {
    return field === 'ports' ? SERVICE_PORTS : undefined;
  }
  if (kind === 'ServiceAccount' && group === '' && parent.length === 0 && field === 'secrets') {
    return { keys: ['name'] };
  }
  return undefined;
}

/**
 * Indexes a list's items by their keys. Returns undefined when an item is not a map, lacks a key
 * that has no default, or two items share keys (the API server rejects such lists; they are then
 * compared by position so nothing is hidden).
 */
export function indexByKeys(
  items: unknown[],
  rule: ListKeyRule,
): Map<string, { item: unknown; seg: KeyedItem }> | undefined {
  const out = new Map<string, { item: unknown; seg: KeyedItem }>();
  for (const item of items) {
    if (!item || typeof item !== 'object' || Array.isArray(item)) return undefined;
    const rec = item as Record<string, unknown>;
    const keys: [string, string][] = [];
    for (const k of rule.keys) {
      let v = rec[k];
      if (v === undefined || v === null) v = rule.defaults?.[k];
      if (v === undefined || v === null || typeof v === 'object') return undefined;
      keys.push([k, String(v)]);
    }
    const id = keys.map(([, v]) => v).join('\u0000');
    if (out.has(id)) return undefined;
    out.set(id, { item, seg: { keys } });
  }
  return out;
}

export type { ListKeyRule };
