import type { Manifest } from '../../core/manifest.js';
import type { ClusterDeclaration, NodeGroup, Rule, RuleContext, RuleFinding } from '../types.js';
import {
  identityWords,
  isAuditorSide,
  scalarDlPartOf,
  squash,
  type ScalarDlPart,
} from '../model/components.js';
import {
  candidateGroups,
  fitGroups,
  formatTaint,
  hardTaints,
  isDedicated,
  restrictsNodes,
  selectionFor,
  selectionPath,
  tolerationFor,
  tolerationPath,
  tolerationsOf,
  type GroupFit,
} from '../cluster/scheduling.js';
import { type PodTemplate } from '../model/workloads.js';

/**
 * Dedicated node groups (with a NoSchedule/NoExecute taint) are for the workloads that select them.
 *
 * - A workload that tolerates a dedicated group's taints must also select that group (nodeSelector
 *   or required node affinity), and must not be able to land on an ordinary group as well.
 * - A group's owner is read from its name, label values and taint values: when they name a chart of
 *   the project (or Scalar DL, which is always known), only that chart's workloads may run there.
 *   A workload belongs to a chart when its chart, name-like labels, name or namespace say so; Scalar
 *   DL parts are also recognised by image. Among Scalar DL groups, one whose words say "auditor" is
 *   the Auditor's: Auditor-side parts go there, Ledger-side parts do not.
 * - Scalar DL Ledger, Envoy and Auditor pods must run only on Scalar DL groups when the cluster has
 *   a dedicated one (schema-loading Jobs may run anywhere).
 * - DaemonSets are exempt (daemonset-everywhere checks them).
 */

/** Words a group is known by: its name, its label values, its taint values. */
function groupWords(group: NodeGroup): string[] {
  const words = [group.name, ...Object.values(group.labels ?? {})];
  for (const t of group.taints ?? []) if (t.value) words.push(t.value);
  return words.map(squash).filter((w) => w !== '');
}

/** Charts known to the project and the plan, plus Scalar DL. */
function knownOwners(manifests: Manifest[], ctx: RuleContext): string[] {
  const names = new Set<string>(['scalardl']);
  for (const c of ctx.charts ?? []) names.add(squash(c.name));
  for (const m of manifests) if (m.chart) names.add(squash(m.chart));
  return [...names].filter((n) => n.length >= 3);
}

/** The owner a dedicated group names, if any (the longest matching chart name). */
function ownerOf(group: NodeGroup, owners: string[]): string | undefined {
  const words = groupWords(group);
  const hits = owners.filter((o) => words.some((w) => w.includes(o)));
  return hits.sort((a, b) => b.length - a.length)[0];
}

function belongsTo(t: PodTemplate, owner: string, part: ScalarDlPart | undefined): boolean {
  if (owner === 'scalardl' && part) return true;
  return identityWords(t).some((w) => squash(w).includes(owner));
}

function isAuditorGroup(group: NodeGroup): boolean {
  return groupWords(group).some((w) => w.includes('auditor'));
}

const SCALAR_DL_SERVERS = new Set<ScalarDlPart>(['ledger', 'envoy', 'auditor', 'auditor-envoy']);

function names(fits: GroupFit[]): string {
  return fits.map((f) => f.group.name).join(', ');
}

function describe(part: ScalarDlPart): string {
  return {
    ledger: 'Scalar DL Ledger',
    envoy: 'Scalar DL Envoy',
    auditor: 'Scalar DL Auditor',
    'auditor-envoy': "Scalar DL Auditor's Envoy",
    'schema-loader': 'Scalar DL schema loading',
    'auditor-schema-loader': "Scalar DL Auditor's schema loading",
  }[part];
}

function checkTemplate(
  t: PodTemplate,
  cluster: ClusterDeclaration,
  owners: string[],
): RuleFinding[] {
  const out: RuleFinding[] = [];
  const part = scalarDlPartOf(t);
  const scalarDlServer = part !== undefined && SCALAR_DL_SERVERS.has(part);
  // A pod without tolerations tolerates no dedicated group, so of the checks below only the one
  // for Scalar DL servers (which belong on their dedicated group) can find anything.
  if (!scalarDlServer && tolerationsOf(t.spec).length === 0) return out;
  const fits = fitGroups(t.spec, cluster);
  const candidates = candidateGroups(fits);
  const dedicated = fits.filter((f) => isDedicated(f.group));
  const ordinaryCandidates = candidates.filter((f) => !isDedicated(f.group));

  // A pod selects a group when it restricts its nodes and the group's labels pass the restriction.
  const restricts = restrictsNodes(t.spec);
  const selects = (f: GroupFit) => restricts && f.selected;

  // Tolerating a dedicated group's taints without selecting that group.
  for (const d of dedicated.filter((f) => f.tolerated && !selects(f))) {
    const taints = hardTaints(d.group);
    out.push({
      manifest: t.manifest,
      path: tolerationPath(t, taints[0]),
      message:
        `tolerates ${taints.map(formatTaint).join(', ')} of dedicated node group ${d.group.name} but does not select that group: ` +
        `if it belongs there, require the group with node affinity ${selectionFor(d.group, cluster)}; otherwise remove the toleration`,
    });
  }

  // Meant for a dedicated group (tolerates and selects it) but may also land on ordinary nodes.
  const meantFor = dedicated.filter((f) => f.tolerated && selects(f));
  const scalarDlGroups = dedicated.filter((f) => ownerOf(f.group, owners) === 'scalardl');
  if (
    meantFor.length > 0 &&
    ordinaryCandidates.length > 0 &&
    !(scalarDlServer && scalarDlGroups.length > 0)
  ) {
    out.push({
      manifest: t.manifest,
      path: selectionPath(t),
      message:
        `tolerates dedicated node group ${names(meantFor)} but its node selection also admits ${names(ordinaryCandidates)}: ` +
        `require only ${meantFor[0].group.name} with node affinity ${selectionFor(meantFor[0].group, cluster)}`,
    });
  }

  // Dedicated groups that name an owner take only that owner's workloads.
  for (const d of meantFor) {
    const owner = ownerOf(d.group, owners);
    if (!owner) continue;
    if (!belongsTo(t, owner, part)) {
      out.push({
        manifest: t.manifest,
        path: tolerationPath(t, hardTaints(d.group)[0]),
        message:
          `can run on node group ${d.group.name}, which is dedicated to ${owner}; this workload is not part of ${owner}: ` +
          `remove the toleration for ${hardTaints(d.group).map(formatTaint).join(', ')} and the selection of that group`,
      });
      continue;
    }
    if (owner === 'scalardl' && part && SCALAR_DL_SERVERS.has(part)) {
      const auditorGroups = scalarDlGroups.filter((f) => isAuditorGroup(f.group));
      const ledgerGroups = scalarDlGroups.filter((f) => !isAuditorGroup(f.group));
      if (!isAuditorSide(part) && isAuditorGroup(d.group) && ledgerGroups.length > 0) {
        out.push({
          manifest: t.manifest,
          path: selectionPath(t),
          message: `${describe(part)} can run on ${d.group.name}, the Auditor's node group; keep it on ${names(ledgerGroups)} (the Auditor must stay independent of the Ledger)`,
        });
      }
      if (isAuditorSide(part) && !isAuditorGroup(d.group) && auditorGroups.length > 0) {
        out.push({
          manifest: t.manifest,
          path: selectionPath(t),
          message: `${describe(part)} can run on ${d.group.name}, the Ledger's node group; keep it on ${names(auditorGroups)} (the Auditor must stay independent of the Ledger)`,
        });
      }
    }
  }

  // Scalar DL servers belong on a Scalar DL group whenever the cluster has one.
  if (scalarDlServer && scalarDlGroups.length > 0 && ordinaryCandidates.length > 0) {
    const preferred = scalarDlGroups.filter(
      (f) => isAuditorGroup(f.group) === isAuditorSide(part!),
    );
    const target = (preferred.length > 0 ? preferred : scalarDlGroups)[0].group;
    const targetFit = fits.find((f) => f.group === target)!;
    const missing = targetFit.mismatches.filter((m) => m.taint).map((m) => tolerationFor(m.taint!));
    const fix = [
      ...(missing.length > 0
        ? [`the toleration${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`]
        : []),
      `the required node affinity ${selectionFor(target, cluster)}`,
    ];
    out.push({
      manifest: t.manifest,
      path: selectionPath(t),
      message: `${describe(part!)} would run on ordinary nodes (${names(ordinaryCandidates)}) although the cluster has the dedicated node group ${target.name}: add ${fix.join(' and ')}`,
    });
  }
  return out;
}

export const dedicatedPoolRule: Rule = {
  id: 'dedicated-pool',
  description:
    'Workloads that tolerate a dedicated (tainted) node group also select it, only its owner runs there, and Scalar DL runs on its dedicated group',
  severity: 'error',
  docs: "Keeps dedicated (tainted) node groups for their owners: a workload that tolerates a dedicated group must also select it, only the owning chart may run there, and Scalar DL Ledger, Envoy and Auditor pods must run on their dedicated groups when the cluster has one. Otherwise unrelated pods take the capacity sized for the ledger, or ledger pods land on general nodes. Fix it with the group's label in a nodeSelector or required node affinity, and tolerations only where they belong.",
  needs: 'cluster',
  // What it finds about a workload depends on that workload, the cluster and the owners. The owners
  // are the project's charts and Scalar DL while every object's chart is one of those (always, for
  // a rendered plan); otherwise they depend on the other objects, and it is not cached.
  scope: 'object',
  reads: {
    context: (ctx) => ({
      cluster: ctx.cluster ?? null,
      charts: (ctx.charts ?? []).map((c) => c.name).sort(),
    }),
    uncachedWhen: (ctx) => {
      const known = new Set(['scalardl', ...(ctx.charts ?? []).map((c) => squash(c.name))]);
      // (each chart named once: a plan has thousands of objects of a few charts)
      const charts = new Set<string>();
      for (const m of ctx.model.manifests) if (m.chart !== undefined) charts.add(m.chart);
      return [...charts].some((c) => !known.has(squash(c)));
    },
  },
  check(manifests, ctx) {
    const cluster = ctx.cluster!;
    if (!Array.isArray(cluster.nodeGroups) || !cluster.nodeGroups.some((g) => g && isDedicated(g)))
      return [];
    const owners = knownOwners(manifests, ctx);
    const out: RuleFinding[] = [];
    for (const t of ctx.model.podTemplates) {
      if (t.manifest.object.kind === 'DaemonSet') continue;
      out.push(...checkTemplate(t, cluster, owners));
    }
    return out;
  },
};
