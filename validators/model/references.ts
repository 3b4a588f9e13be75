import { apiGroup, resourceId, type Manifest } from '../../core/manifest.js';
import { isObj } from '../../core/object.js';
import { closestName } from '../../core/suggest.js';
import type { PodTemplate } from './workloads.js';

/** Namespace of an object as the API server sees it: objects without one land in `default`. */
export function namespaceOf(manifest: Manifest): string {
  const ns = manifest.object.metadata?.namespace;
  return typeof ns === 'string' && ns !== '' ? ns : 'default';
}

/** API group of an object (`''` for the core group). */
export function groupOf(manifest: Manifest): string {
  return apiGroup(String(manifest.object.apiVersion ?? ''));
}

/** `Kind/namespace/name` (`Kind/name` without a namespace), as findings name resources. */
export function describe(manifest: Manifest): string {
  return resourceId(manifest.object);
}

/** `{a: 1, b: 2}` for a label map or selector (keys in the given order). */
export function formatLabels(labels: Record<string, unknown> | undefined): string {
  const entries = Object.entries(labels ?? {});
  if (entries.length === 0) return '{}';
  return `{${entries.map(([k, v]) => `${k}: ${String(v)}`).join(', ')}}`;
}

export { isObj };

/** Rendered objects looked up by kind, namespace and name (optionally API group). */
export class ObjectIndex {
  private readonly byKey = new Map<string, Manifest[]>();

  constructor(readonly manifests: Manifest[]) {
    for (const m of manifests) {
      const key = this.key(String(m.object.kind), namespaceOf(m), String(m.object.metadata?.name));
      const list = this.byKey.get(key);
      if (list) list.push(m);
      else this.byKey.set(key, [m]);
    }
  }

  private key(kind: string, ns: string, name: string): string {
    return `${kind}\u0000${ns}\u0000${name}`;
  }

  /** Objects of `kind` named `name` in `ns`; when `group` is given, only of that API group. */
  find(kind: string, ns: string, name: string, group?: string): Manifest | undefined {
    const list = this.byKey.get(this.key(kind, ns, name)) ?? [];
    return list.find((m) => group === undefined || groupOf(m) === group);
  }

  /** Every object of `kind` (optionally of one namespace / API group). */
  ofKind(kind: string, ns?: string, group?: string): Manifest[] {
    return this.manifests.filter(
      (m) =>
        m.object.kind === kind &&
        (ns === undefined || namespaceOf(m) === ns) &&
        (group === undefined || groupOf(m) === group),
    );
  }

  /** Every object named `name` in `ns`, of any kind. */
  named(ns: string, name: string): Manifest[] {
    return this.manifests.filter((m) => namespaceOf(m) === ns && m.object.metadata?.name === name);
  }
}

/** Up to `max` names, quoted and comma-separated, with `…` when more exist. */
export function listNames(names: string[], max = 8): string {
  const unique = [...new Set(names)].sort();
  if (unique.length === 0) return '(none)';
  const shown = unique.slice(0, max).map((n) => `"${n}"`);
  return unique.length > max
    ? `${shown.join(', ')}, … (${unique.length} in all)`
    : shown.join(', ');
}

export { closestName };

/** `; did you mean "x"?` when a close name exists, otherwise the list of names that do exist. */
export function suggestion(name: string, candidates: string[], what: string): string {
  const close = closestName(name, candidates);
  if (close !== undefined && close !== name) return `did you mean "${close}"?`;
  return `${what}: ${listNames(candidates)}`;
}

/**
 * Pod templates by namespace and by label, so a selector's candidates are found without scanning
 * every template (plans hold thousands). Candidates still need the full selector check.
 */
export class TemplateIndex {
  private readonly byNamespace = new Map<string, PodTemplate[]>();
  private readonly byLabel = new Map<string, PodTemplate[]>();

  constructor(templates: PodTemplate[]) {
    for (const t of templates) {
      const ns = namespaceOf(t.manifest);
      push(this.byNamespace, ns, t);
      for (const [k, v] of Object.entries(t.labels)) push(this.byLabel, labelKey(ns, k, v), t);
    }
  }

  inNamespace(ns: string): PodTemplate[] {
    return this.byNamespace.get(ns) ?? [];
  }

  /** Templates of `ns` that may carry every label of `labels` (all of `ns` when `labels` is empty). */
  candidates(ns: string, labels: Record<string, unknown> | undefined): PodTemplate[] {
    let best: PodTemplate[] | undefined;
    for (const [k, v] of Object.entries(labels ?? {})) {
      const list = this.byLabel.get(labelKey(ns, k, v)) ?? [];
      if (!best || list.length < best.length) best = list;
    }
    return best ?? this.inNamespace(ns);
  }
}

function labelKey(ns: string, key: string, value: unknown): string {
  return `${ns}\u0000${key}\u0000${String(value)}`;
}

/** Appends `value` to the list of `key`, starting the list when there is none. */
export function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
