import type { Rule, RuleFinding } from '../types.js';
import { describe, formatLabels, isObj, namespaceOf, TemplateIndex } from '../model/references.js';
import {
  mapSelectorMatches,
  podTemplates,
  WORKLOAD_KINDS,
  type PodTemplate,
} from '../model/workloads.js';
import type { Obj } from '../../core/object.js';

/** How a pod template's labels fall short of a Service selector. */
function mismatch(selector: Record<string, string>, labels: Record<string, string>): string[] {
  const out: string[] = [];
  for (const [k, v] of Object.entries(selector)) {
    if (!Object.prototype.hasOwnProperty.call(labels, k)) out.push(`has no label ${k}`);
    else if (String(labels[k]) !== String(v)) out.push(`has ${k}: ${String(labels[k])}`);
  }
  return out;
}

function sharedLabels(selector: Record<string, string>, labels: Record<string, string>): number {
  return Object.entries(selector).filter(([k, v]) => String(labels[k]) === String(v)).length;
}

/** Every Service with a selector sends traffic to at least one pod template of its namespace. */
export const serviceSelectorRule: Rule = {
  id: 'service-selector',
  description:
    "A Service's selector matches the labels of at least one pod template in its namespace",
  severity: 'error',
  docs: 'Every Service with a selector matches at least one pod template in its namespace. A selector that matches nothing gives a Service with no endpoints: clients get connection refused and Istio routes to nothing. The finding shows which labels fall short; fix the selector or the pod labels.',
  // what it reads: a Service's identity, type and selector; a workload's identity and pod labels
  memo: {
    labelKeys: (m) => {
      const selector = m.object.kind === 'Service' ? (m.object as Obj).spec?.selector : undefined;
      return isObj(selector) ? Object.keys(selector) : undefined;
    },
    project: (m, p, keys) =>
      m.object.kind === 'Service'
        ? p.with(m, [(m.object as Obj).spec?.type, (m.object as Obj).spec?.selector])
        : WORKLOAD_KINDS.has(m.object.kind)
          ? p.templateLabels(m, keys)
          : undefined,
    context: (ctx) => ctx.complete,
  },
  check(manifests, ctx) {
    const out: RuleFinding[] = [];
    const templates = podTemplates(manifests);
    const index = new TemplateIndex(templates);
    for (const manifest of manifests) {
      const obj = manifest.object as Record<string, any>;
      if (obj.kind !== 'Service' || obj.apiVersion !== 'v1') continue;
      if (obj.spec?.type === 'ExternalName') continue;
      const selector = obj.spec?.selector;
      if (!isObj(selector) || Object.keys(selector).length === 0) continue;
      const ns = namespaceOf(manifest);
      if (index.candidates(ns, selector).some((t) => mapSelectorMatches(selector, t.labels))) {
        continue;
      }
      const local = index.inNamespace(ns);

      const sel = formatLabels(selector);
      if (!ctx.complete) {
        // files given on the command line: the workload may be in a file not given
        out.push({
          manifest,
          path: ['spec', 'selector'],
          severity: 'warning',
          message: `selector ${sel} matches no pod template in namespace "${ns}": its workload is not among the files given (give that file too, or validate the whole plan with --env)`,
        });
        continue;
      }
      let message: string;
      if (local.length === 0) {
        const elsewhere = templates.find((t) => mapSelectorMatches(selector, t.labels));
        message =
          `selector ${sel} matches no pod template: namespace "${ns}" has no workloads` +
          (elsewhere
            ? `; ${describe(elsewhere.manifest)} in namespace "${namespaceOf(elsewhere.manifest)}" matches — move the Service to that namespace`
            : '; add the workload or remove the selector');
      } else {
        let closest: PodTemplate = local[0];
        for (const t of local) {
          if (sharedLabels(selector, t.labels) > sharedLabels(selector, closest.labels))
            closest = t;
        }
        message =
          `selector ${sel} matches no pod template in namespace "${ns}"; the closest is ` +
          `${describe(closest.manifest)} with labels ${formatLabels(closest.labels)}, which ` +
          `${mismatch(selector, closest.labels).join(' and ')}; make the selector a subset of ` +
          `the intended pod template's labels`;
      }
      out.push({ manifest, path: ['spec', 'selector'], message });
    }
    return out;
  },
};
