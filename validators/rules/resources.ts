import type { Rule, RuleFinding } from '../types.js';
import { isObj } from '../model/references.js';
import { containersOf } from '../model/workloads.js';

const WANTED = [
  ['requests', 'cpu'],
  ['requests', 'memory'],
  ['limits', 'cpu'],
  ['limits', 'memory'],
] as const;

const EXAMPLE: Record<string, string> = {
  'requests.cpu': '100m',
  'requests.memory': '128Mi',
  'limits.cpu': '500m',
  'limits.memory': '256Mi',
};

function present(v: unknown): boolean {
  return v !== undefined && v !== null && v !== '';
}

/** Every container (init containers too) sets cpu and memory requests and limits. */
export const resourcesRule: Rule = {
  id: 'resources',
  description: 'Every container and init container has cpu and memory requests and limits',
  severity: 'warning',
  docs: "Every container and init container has cpu and memory requests and limits. Without requests the scheduler packs pods blindly (and an HPA on CPU has nothing to compare with); without a memory limit one pod can starve a node. Set resources in the chart's values.",
  scope: 'object',
  check(_manifests, ctx) {
    const out: RuleFinding[] = [];
    for (const t of ctx.model.podTemplates) {
      for (const { container, path } of containersOf(t)) {
        // Ephemeral (debug) containers may not set resources.
        if (path[path.length - 2] === 'ephemeralContainers' || !isObj(container)) continue;
        const resources = isObj(container.resources) ? container.resources : undefined;
        const missing = WANTED.filter(([kind, res]) => {
          const section = resources?.[kind];
          return !isObj(section) || !present(section[res]);
        }).map(([kind, res]) => `${kind}.${res}`);
        if (missing.length === 0) continue;
        const kind = path[path.length - 2] === 'initContainers' ? 'init container' : 'container';
        out.push({
          manifest: t.manifest,
          path: resources ? [...path, 'resources'] : [...path, 'name'],
          message: `${kind} ${container.name ?? `#${path[path.length - 1]}`} has no ${missing
            .map((m) => `resources.${m}`)
            .join(
              ', ',
            )}; set ${missing.map((m) => `${m}: ${EXAMPLE[m]}`).join(', ')} (or values that fit its load) so the scheduler can place it and a runaway process cannot starve its node`,
        });
      }
    }
    return out;
  },
};
