import type { Rule, RuleFinding } from '../types.js';
import {
  closestGroup,
  fitGroups,
  fitPath,
  tolerationFor,
  type GroupFit,
} from '../cluster/scheduling.js';
import { podTemplates } from '../model/workloads.js';

/** How to fix the mismatches of the closest group, in one clause. */
function fixHint(fit: GroupFit): string {
  const hints: string[] = [];
  const taints = fit.mismatches.filter((m) => m.taint).map((m) => tolerationFor(m.taint!));
  if (taints.length > 0)
    hints.push(`add the toleration${taints.length > 1 ? 's' : ''} ${taints.join(', ')}`);
  if (fit.mismatches.some((m) => m.kind !== 'toleration')) {
    hints.push(`make nodeSelector/nodeAffinity match the labels of ${fit.group.name}`);
  }
  return hints.join(' and ');
}

/**
 * Every pod template must fit at least one declared node group: the group's NoSchedule/NoExecute
 * taints tolerated and its labels satisfying the pod's nodeSelector and required node affinity.
 * `matchFields` (metadata.name) is read as the node's `kubernetes.io/hostname` label.
 */
export const schedulableRule: Rule = {
  id: 'schedulable',
  description:
    'Every pod template fits at least one declared node group (taints tolerated, nodeSelector and required node affinity satisfied)',
  severity: 'error',
  docs: "Catches pod templates that fit no declared node group: a NoSchedule/NoExecute taint they do not tolerate, or a nodeSelector / required node affinity no group's labels satisfy. Such pods stay Pending forever and a rollout never finishes. The finding names the closest group and what is missing; add the toleration or fix the selector, or declare the group in global.clusters.<env>.nodeGroups.",
  needs: 'cluster',
  scope: 'object',
  reads: { context: (ctx) => ctx.cluster ?? null },
  check(manifests, ctx) {
    const cluster = ctx.cluster!;
    const out: RuleFinding[] = [];
    if (!Array.isArray(cluster.nodeGroups) || cluster.nodeGroups.length === 0) return out;
    for (const t of podTemplates(manifests)) {
      const fits = fitGroups(t.spec, cluster);
      if (fits.length === 0 || fits.some((f) => f.selected && f.tolerated)) continue;
      const closest = closestGroup(fits)!;
      const path = fitPath(t, closest);
      const reasons = closest.mismatches.map((m) => m.message).join('; ');
      out.push({
        manifest: t.manifest,
        path,
        message: `fits no node group; closest: ${closest.group.name} (${reasons}): ${fixHint(closest)}`,
      });
    }
    return out;
  },
};
