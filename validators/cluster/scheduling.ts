import type { ClusterDeclaration, FieldPath, NodeGroup, Taint } from '../types.js';
import type { PodTemplate } from '../model/workloads.js';
import type { Obj } from '../../core/object.js';

/**
 * Scheduling model shared by the node-group rules (schedulable, dedicated-pool, daemonset-everywhere,
 * scalardl): which declared node groups a pod template can land on, and why not the others.
 *
 * A node group stands for identical nodes. Its labels are the declared ones plus the labels every
 * node of that kind carries anyway (os, arch, instance type, EKS node group name, region). Labels
 * that differ per node (hostname, zone) are "present with an unknown value": requirements on them
 * are assumed satisfiable unless they demand the label's absence.
 */

export interface Toleration {
  key?: string;
  operator?: string;
  value?: string;
  effect?: string;
  tolerationSeconds?: number;
}

/** Labels of a node group's nodes: values known, or present with a value that varies per node. */
export interface NodeLabels {
  known: Record<string, string>;
  /** Labels every node has, with values we cannot know from the declaration. */
  unknown: Set<string>;
}

/** Taints that keep pods away (PreferNoSchedule only discourages, so it never blocks). */
export function hardTaints(group: NodeGroup): Taint[] {
  return (group.taints ?? []).filter((t) => t.effect === 'NoSchedule' || t.effect === 'NoExecute');
}

/** A group is dedicated when a NoSchedule/NoExecute taint keeps ordinary pods off it. */
export function isDedicated(group: NodeGroup): boolean {
  return hardTaints(group).length > 0;
}

export function formatTaint(t: Taint): string {
  return `${t.key}${t.value !== undefined && t.value !== '' ? `=${t.value}` : ''}:${t.effect}`;
}

/** The toleration that admits a taint, in the YAML flow form messages suggest. */
export function tolerationFor(t: Taint): string {
  return t.value !== undefined && t.value !== ''
    ? `{key: ${t.key}, operator: Equal, value: ${t.value}, effect: ${t.effect}}`
    : `{key: ${t.key}, operator: Exists, effect: ${t.effect}}`;
}

/**
 * Whether one toleration admits a taint: an empty effect matches every effect; operator Equal (the
 * default) needs key and value to match; Exists matches any value, and with an empty key every taint.
 * A NoExecute toleration with tolerationSeconds only delays the eviction, so it does not count.
 */
export function tolerationMatches(tol: Toleration, taint: Taint): boolean {
  if (!tol || typeof tol !== 'object') return false;
  if (tol.effect && tol.effect !== taint.effect) return false;
  if (taint.effect === 'NoExecute' && typeof tol.tolerationSeconds === 'number') return false;
  const op = tol.operator || 'Equal';
  if (!tol.key) return op === 'Exists';
  if (tol.key !== taint.key) return false;
  if (op === 'Exists') return true;
  if (op === 'Equal') return (tol.value ?? '') === (taint.value ?? '');
  return false;
}

export function tolerationsOf(spec: Obj): Toleration[] {
  return Array.isArray(spec?.tolerations) ? spec.tolerations : [];
}

/** The group's hard taints that none of the tolerations admits. */
export function untoleratedTaints(tolerations: Toleration[], group: NodeGroup): Taint[] {
  return hardTaints(group).filter((taint) => !tolerations.some((t) => tolerationMatches(t, taint)));
}

/** Whether the tolerations admit every hard taint of a group. */
export function toleratesAllOf(tolerations: Toleration[], group: NodeGroup): boolean {
  return untoleratedTaints(tolerations, group).length === 0;
}

const GRAVITON = /^[a-z]+\d+[a-z]*g[a-z]*\./;

/** Labels by group and cluster: every pod spec is checked against every group. */
const labelsCache = new WeakMap<NodeGroup, WeakMap<ClusterDeclaration, NodeLabels>>();

/**
 * Declared labels plus the ones nodes of that group carry without being told (computed once per
 * group and cluster object; callers do not change them).
 */
export function nodeLabelsOf(group: NodeGroup, cluster: ClusterDeclaration): NodeLabels {
  let byCluster = labelsCache.get(group);
  if (!byCluster) labelsCache.set(group, (byCluster = new WeakMap()));
  let labels = byCluster.get(cluster);
  if (!labels) byCluster.set(cluster, (labels = computeNodeLabels(group, cluster)));
  return labels;
}

function computeNodeLabels(group: NodeGroup, cluster: ClusterDeclaration): NodeLabels {
  const known: Record<string, string> = {};
  const unknown = new Set<string>(['kubernetes.io/hostname', 'topology.kubernetes.io/zone']);
  known['kubernetes.io/os'] = 'linux';
  known['beta.kubernetes.io/os'] = 'linux';
  if (cluster.provider === 'eks') {
    const arch = GRAVITON.test(group.instanceType) ? 'arm64' : 'amd64';
    known['kubernetes.io/arch'] = arch;
    known['beta.kubernetes.io/arch'] = arch;
    known['node.kubernetes.io/instance-type'] = group.instanceType;
    known['beta.kubernetes.io/instance-type'] = group.instanceType;
    known['eks.amazonaws.com/nodegroup'] = group.name;
    known['alpha.eksctl.io/nodegroup-name'] = group.name;
    known['alpha.eksctl.io/cluster-name'] = cluster.name;
    if (cluster.region) known['topology.kubernetes.io/region'] = cluster.region;
    else unknown.add('topology.kubernetes.io/region');
  } else {
    for (const k of ['kubernetes.io/arch', 'node.kubernetes.io/instance-type']) unknown.add(k);
  }
  for (const [k, v] of Object.entries(group.labels ?? {})) {
    known[k] = String(v);
    unknown.delete(k);
  }
  for (const k of Object.keys(known)) unknown.delete(k);
  return { known, unknown };
}

export interface Requirement {
  key: string;
  operator: string;
  values?: string[];
}

/** One node selector requirement against a group's labels. */
export function nodeRequirementMatches(req: Requirement, labels: NodeLabels): boolean {
  if (!req || typeof req !== 'object') return false;
  const values = Array.isArray(req.values) ? req.values.map(String) : [];
  if (labels.unknown.has(req.key)) {
    // Present on every node with varying values: only "must be absent" is certainly unmet.
    return (
      req.operator !== 'DoesNotExist' &&
      ['In', 'NotIn', 'Exists', 'Gt', 'Lt'].includes(req.operator)
    );
  }
  const has = Object.prototype.hasOwnProperty.call(labels.known, req.key);
  const v = labels.known[req.key];
  switch (req.operator) {
    case 'In':
      return has && values.includes(v);
    case 'NotIn':
      return !has || !values.includes(v);
    case 'Exists':
      return has;
    case 'DoesNotExist':
      return !has;
    case 'Gt':
    case 'Lt': {
      if (!has || values.length !== 1) return false;
      const a = Number.parseInt(v, 10);
      const b = Number.parseInt(values[0], 10);
      if (!/^-?\d+$/.test(v) || !/^-?\d+$/.test(values[0])) return false;
      return req.operator === 'Gt' ? a > b : a < b;
    }
    default:
      return false;
  }
}

/** `matchFields` can only name `metadata.name`: the node's name, which is its hostname label. */
function fieldRequirementMatches(req: Requirement, labels: NodeLabels): boolean {
  if (!req || req.key !== 'metadata.name') return false;
  return nodeRequirementMatches({ ...req, key: 'kubernetes.io/hostname' }, labels);
}

function describeValues(values: string[] | undefined): string {
  return `(${(values ?? []).join(', ')})`;
}

/** A requirement in words: "label agentpool=scalardlpool", "label zone in (a, b)". */
export function describeRequirement(req: Requirement): string {
  const values = Array.isArray(req.values) ? req.values : [];
  switch (req.operator) {
    case 'In':
      return values.length === 1
        ? `label ${req.key}=${values[0]}`
        : `label ${req.key} in ${describeValues(values)}`;
    case 'NotIn':
      return `label ${req.key} not in ${describeValues(values)}`;
    case 'Exists':
      return `label ${req.key}`;
    case 'DoesNotExist':
      return `no label ${req.key}`;
    case 'Gt':
      return `label ${req.key} > ${values[0]}`;
    case 'Lt':
      return `label ${req.key} < ${values[0]}`;
    default:
      return `label ${req.key} with operator ${req.operator}`;
  }
}

function groupHas(key: string, labels: NodeLabels): string {
  if (labels.unknown.has(key)) return `every node has its own ${key}`;
  const has = Object.prototype.hasOwnProperty.call(labels.known, key);
  return has ? `group has ${key}=${labels.known[key]}` : `group has no label ${key}`;
}

/** Why a group does not suit a pod template, each reason with the field to change. */
export interface Mismatch {
  /** `toleration`, `nodeSelector` or `nodeAffinity`. */
  kind: 'toleration' | 'nodeSelector' | 'nodeAffinity';
  message: string;
  /** Field path relative to the pod spec. */
  path: FieldPath;
  taint?: Taint;
}

export interface GroupFit {
  group: NodeGroup;
  index: number;
  /** Labels satisfy nodeSelector and required node affinity. */
  selected: boolean;
  /** Every hard taint is tolerated. */
  tolerated: boolean;
  mismatches: Mismatch[];
}

/** Mismatches of the pod's nodeSelector and required node affinity with a group's labels. */
export function selectionMismatches(spec: Obj, labels: NodeLabels): Mismatch[] {
  const out: Mismatch[] = [];
  const nodeSelector = spec?.nodeSelector;
  if (nodeSelector && typeof nodeSelector === 'object') {
    for (const [k, v] of Object.entries(nodeSelector)) {
      if (!nodeRequirementMatches({ key: k, operator: 'In', values: [String(v)] }, labels)) {
        out.push({
          kind: 'nodeSelector',
          message: `label ${k}=${String(v)} required by nodeSelector, ${groupHas(k, labels)}`,
          path: ['nodeSelector', k],
        });
      }
    }
  }
  const required = spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  if (required && typeof required === 'object') {
    const terms: Obj[] = Array.isArray(required.nodeSelectorTerms)
      ? required.nodeSelectorTerms
      : [];
    const base: FieldPath = [
      'affinity',
      'nodeAffinity',
      'requiredDuringSchedulingIgnoredDuringExecution',
    ];
    if (terms.length === 0) {
      out.push({
        kind: 'nodeAffinity',
        message: 'required nodeAffinity has no nodeSelectorTerms',
        path: base,
      });
      return out;
    }
    // Terms are ORed: report the term that comes closest.
    let best: Mismatch[] | undefined;
    terms.forEach((term, ti) => {
      const misses: Mismatch[] = [];
      const exprs: Requirement[] = Array.isArray(term?.matchExpressions)
        ? term.matchExpressions
        : [];
      const fields: Requirement[] = Array.isArray(term?.matchFields) ? term.matchFields : [];
      const termPath: FieldPath = [...base, 'nodeSelectorTerms', ti];
      if (exprs.length === 0 && fields.length === 0) {
        misses.push({
          kind: 'nodeAffinity',
          message: 'an empty nodeSelectorTerm matches no node',
          path: termPath,
        });
      }
      exprs.forEach((req, ri) => {
        if (!nodeRequirementMatches(req, labels)) {
          misses.push({
            kind: 'nodeAffinity',
            message: `${describeRequirement(req)} required by nodeAffinity, ${groupHas(req?.key, labels)}`,
            path: [...termPath, 'matchExpressions', ri],
          });
        }
      });
      fields.forEach((req, ri) => {
        if (!fieldRequirementMatches(req, labels)) {
          misses.push({
            kind: 'nodeAffinity',
            message: `node ${req?.key} ${req?.operator} ${describeValues(req?.values)} required by nodeAffinity matchFields`,
            path: [...termPath, 'matchFields', ri],
          });
        }
      });
      if (!best || misses.length < best.length) best = misses;
    });
    if (best && best.length > 0) {
      if (terms.length > 1) {
        for (const m of best)
          m.message = `${m.message} (no nodeSelectorTerm matches; nearest shown)`;
      }
      out.push(...best);
    }
  }
  return out;
}

/** How a pod spec fits one group. */
export function fitGroup(
  spec: Obj,
  group: NodeGroup,
  index: number,
  cluster: ClusterDeclaration,
): GroupFit {
  const labels = nodeLabelsOf(group, cluster);
  const selection = selectionMismatches(spec, labels);
  const tolerations = tolerationsOf(spec);
  const missing = untoleratedTaints(tolerations, group);
  const taintMismatches: Mismatch[] = missing.map((taint) => ({
    kind: 'toleration',
    message: `missing toleration for ${formatTaint(taint)}`,
    path: ['tolerations'],
    taint,
  }));
  return {
    group,
    index,
    selected: selection.length === 0,
    tolerated: missing.length === 0,
    mismatches: [...taintMismatches, ...selection],
  };
}

/** Fit of a pod spec against every declared group, in declaration order. */
export function fitGroups(spec: Obj, cluster: ClusterDeclaration): GroupFit[] {
  const groups = Array.isArray(cluster.nodeGroups) ? cluster.nodeGroups : [];
  return groups
    .filter((g) => g && typeof g === 'object')
    .map((g, i) => fitGroup(spec, g, i, cluster));
}

/** Groups a pod can actually land on. */
export function candidateGroups(fits: GroupFit[]): GroupFit[] {
  return fits.filter((f) => f.selected && f.tolerated);
}

/**
 * The group with the fewest mismatches. On a tie, a group the pod selects wins (its nodeSelector and
 * affinity say where it means to run), then the first declared.
 */
export function closestGroup(fits: GroupFit[]): GroupFit | undefined {
  let best: GroupFit | undefined;
  for (const f of fits) {
    if (!best || f.mismatches.length < best.mismatches.length) best = f;
    else if (f.mismatches.length === best.mismatches.length && f.selected && !best.selected)
      best = f;
  }
  return best;
}

/** Whether a pod template restricts its nodes at all (nodeSelector or required node affinity). */
export function restrictsNodes(spec: Obj): boolean {
  const sel = spec?.nodeSelector;
  const hasSelector = sel && typeof sel === 'object' && Object.keys(sel).length > 0;
  const req = spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  return Boolean(hasSelector || req);
}

/** A required node affinity expression that selects a group and no other, as a suggestion. */
export function selectionFor(group: NodeGroup, cluster: ClusterDeclaration): string {
  const others = (cluster.nodeGroups ?? []).filter((g) => g !== group);
  const entries = Object.entries(group.labels ?? {});
  const unique = entries.find(([k, v]) => others.every((g) => g.labels?.[k] !== v));
  const [k, v] = unique ?? entries[0] ?? ['eks.amazonaws.com/nodegroup', group.name];
  return `{key: ${k}, operator: In, values: [${v}]}`;
}

/** Field path of a finding about a group's mismatches: the one field at fault, else the pod spec. */
export function fitPath(t: PodTemplate, fit: GroupFit): FieldPath {
  const ms = fit.mismatches;
  const kinds = new Set(ms.map((m) => m.kind));
  if (ms.length === 0 || kinds.size !== 1) return t.specPath;
  if (ms.length === 1 || ms[0].kind === 'toleration') return mismatchPath(t, ms[0]);
  return [
    ...t.specPath,
    ...(ms[0].kind === 'nodeSelector' ? ['nodeSelector'] : ['affinity', 'nodeAffinity']),
  ];
}

/** Field path of the pod's node selection (nodeSelector or node affinity), else the pod spec. */
export function selectionPath(t: PodTemplate): FieldPath {
  if (t.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution) {
    return [
      ...t.specPath,
      'affinity',
      'nodeAffinity',
      'requiredDuringSchedulingIgnoredDuringExecution',
    ];
  }
  if (t.spec?.nodeSelector && typeof t.spec.nodeSelector === 'object')
    return [...t.specPath, 'nodeSelector'];
  return t.specPath;
}

/** Field path of the first toleration admitting a taint, else the tolerations (or the pod spec). */
export function tolerationPath(t: PodTemplate, taint: Taint): FieldPath {
  const list = tolerationsOf(t.spec);
  const i = list.findIndex((tol) => tolerationMatches(tol, taint));
  if (i >= 0) return [...t.specPath, 'tolerations', i];
  return Array.isArray(t.spec?.tolerations) ? [...t.specPath, 'tolerations'] : t.specPath;
}

/** Pod template field path of a mismatch (the spec path plus the mismatch's own path). */
export function mismatchPath(t: PodTemplate, m: Mismatch): FieldPath {
  const spec = t.spec;
  // Point at the field when it exists, else at the pod spec (a missing list has no line).
  if (m.kind === 'toleration')
    return Array.isArray(spec.tolerations) ? [...t.specPath, 'tolerations'] : t.specPath;
  return [...t.specPath, ...m.path];
}
