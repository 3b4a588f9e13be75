import type { Manifest } from '../../core/manifest.js';
import type { Rule, RuleFinding } from '../types.js';
import { describe, formatLabels, isObj, namespaceOf } from '../model/references.js';
import { selectorKeys, selectorMatches } from '../model/workloads.js';
import type { Obj } from '../../core/object.js';

/** Kinds whose controller adopts every pod its selector matches. */
const CONTROLLER_KINDS = new Set([
  'Deployment',
  'StatefulSet',
  'DaemonSet',
  'ReplicaSet',
  'ReplicationController',
]);

interface Controller {
  manifest: Manifest;
  /** Whether the selector matches a label set. */
  matches: (labels: Record<string, string>) => boolean;
  selectorText: string;
  /** Labels the selector requires outright (to narrow the candidates). */
  required: Record<string, string>;
  templateLabels: Record<string, string>;
}

function controllerOf(manifest: Manifest): Controller | undefined {
  const obj = manifest.object as Obj;
  if (!CONTROLLER_KINDS.has(obj.kind)) return undefined;
  const templateLabels: Record<string, string> = isObj(obj.spec?.template?.metadata?.labels)
    ? obj.spec.template.metadata.labels
    : {};
  const selector = obj.spec?.selector;
  if (obj.kind === 'ReplicationController') {
    // A plain map; when absent it defaults to the template's labels.
    const map: Record<string, string> = isObj(selector) ? selector : templateLabels;
    if (Object.keys(map).length === 0) return undefined;
    return {
      manifest,
      matches: (labels) => Object.entries(map).every(([k, v]) => labels[k] === v),
      selectorText: formatLabels(map),
      required: map,
      templateLabels,
    };
  }
  if (!isObj(selector)) return undefined;
  const parts: string[] = [];
  if (isObj(selector.matchLabels)) parts.push(formatLabels(selector.matchLabels));
  for (const e of Array.isArray(selector.matchExpressions) ? selector.matchExpressions : []) {
    const values = Array.isArray(e?.values) ? ` [${e.values.join(', ')}]` : '';
    parts.push(`${e?.key} ${e?.operator}${values}`);
  }
  return {
    manifest,
    matches: (labels) => selectorMatches(selector, labels),
    selectorText: parts.length > 0 ? parts.join(' and ') : '{} (selects everything)',
    required: isObj(selector.matchLabels) ? selector.matchLabels : {},
    templateLabels,
  };
}

const FIX =
  'give each workload a label of its own (e.g. app.kubernetes.io/instance or app.kubernetes.io/component) in both its selector and its pod template';

/** No two controllers in one namespace select each other's pods (they would fight over them). */
export const selectorOverlapRule: Rule = {
  id: 'selector-overlap',
  description:
    "Workloads (Deployment, StatefulSet, DaemonSet, ReplicaSet) of one namespace do not select each other's pod templates",
  severity: 'error',
  docs: "No two controllers of one namespace select each other's pods. Deployments, StatefulSets and ReplicaSets adopt every pod their selector matches, so overlapping selectors make controllers fight over pods (the upstream MxTransporter chart gave every StatefulSet one selector). Give each workload a unique selector label.",
  // what it reads of a controller: its identity, its selector and its pod template's labels
  memo: {
    labelKeys: (m) => {
      if (!CONTROLLER_KINDS.has(m.object.kind)) return undefined;
      const obj = m.object as Obj;
      const selector = obj.spec?.selector;
      if (obj.kind === 'ReplicationController')
        // without a selector of its own it selects by its template's labels
        return Object.keys(
          isObj(selector) ? selector : (obj.spec?.template?.metadata?.labels ?? {}),
        );
      return selectorKeys(selector);
    },
    project: (m, p, keys) =>
      CONTROLLER_KINDS.has(m.object.kind)
        ? p.with(m, [(m.object as Obj).spec?.selector]) + p.templateLabels(m, keys)
        : undefined,
  },
  check(manifests) {
    const out: RuleFinding[] = [];
    const byNamespace = new Map<string, Controller[]>();
    for (const m of manifests) {
      const c = controllerOf(m);
      if (!c) continue;
      const ns = namespaceOf(m);
      const list = byNamespace.get(ns);
      if (list) list.push(c);
      else byNamespace.set(ns, [c]);
    }
    for (const list of byNamespace.values()) {
      // Which controller's template labels carry each label, to test only plausible pairs.
      const byLabel = new Map<string, number[]>();
      list.forEach((c, i) => {
        for (const [k, v] of Object.entries(c.templateLabels)) {
          const key = `${k}\u0000${String(v)}`;
          const found = byLabel.get(key);
          if (found) found.push(i);
          else byLabel.set(key, [i]);
        }
      });
      const all = list.map((_, i) => i);
      const selects = new Set<string>();
      list.forEach((a, i) => {
        let candidates: number[] | undefined;
        for (const [k, v] of Object.entries(a.required)) {
          const found = byLabel.get(`${k}\u0000${String(v)}`) ?? [];
          if (!candidates || found.length < candidates.length) candidates = found;
        }
        for (const j of candidates ?? all) {
          if (j !== i && a.matches(list[j].templateLabels)) selects.add(`${i},${j}`);
        }
      });
      const pairs = new Set<string>();
      for (const edge of selects) {
        const [i, j] = edge.split(',').map(Number);
        pairs.add(i < j ? `${i},${j}` : `${j},${i}`);
      }
      const ordered = [...pairs]
        .map((p) => p.split(',').map(Number) as [number, number])
        .sort((x, y) => x[0] - y[0] || x[1] - y[1]);
      for (const [i, j] of ordered) {
        const a = list[i];
        const b = list[j];
        const aSelectsB = selects.has(`${i},${j}`);
        const bSelectsA = selects.has(`${j},${i}`);
        if (aSelectsB && bSelectsA) {
          out.push({
            manifest: b.manifest,
            path: ['spec', 'selector'],
            message: `selector ${b.selectorText} and the selector ${a.selectorText} of ${describe(a.manifest)} select each other's pod templates (labels ${formatLabels(b.templateLabels)} and ${formatLabels(a.templateLabels)}); ${FIX}`,
          });
        } else {
          const [wide, other] = aSelectsB ? [a, b] : [b, a];
          out.push({
            manifest: wide.manifest,
            path: ['spec', 'selector'],
            message: `selector ${wide.selectorText} also selects the pod template of ${describe(other.manifest)} (labels ${formatLabels(other.templateLabels)}); ${FIX}`,
          });
        }
      }
    }
    return out;
  },
};
