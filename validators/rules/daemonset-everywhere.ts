import type { Rule, RuleFinding } from '../types.js';
import { identityWords } from '../model/components.js';
import { parseImageRef } from '../model/images.js';
import { fitGroups, restrictsNodes, tolerationFor, type GroupFit } from '../cluster/scheduling.js';
import { type PodTemplate } from '../model/workloads.js';

/** Annotation that says a DaemonSet must (`"true"`) or need not (`"false"`) run on every node. */
export const RUN_ON_EVERY_NODE = 'manifests/run-on-every-node';

/** Node agents (logging, metrics, networking, storage) that are useless when they skip nodes. */
const NODE_AGENT =
  /(?:^|[^a-z0-9])(fluent-?bit|fluentd|cloudwatch|node-exporter|datadog|promtail|filebeat|metricbeat|auditbeat|otel-agent|otel-collector|opentelemetry-collector|falco|kube-proxy|aws-node|ebs-csi-node|efs-csi-node|grafana-agent|newrelic|splunk|dynatrace|sumologic|elastic-agent|vector-agent)(?:$|[^a-z0-9])/;

function annotation(t: PodTemplate): string | undefined {
  const obj = t.manifest.object as Record<string, any>;
  const own = obj.metadata?.annotations?.[RUN_ON_EVERY_NODE];
  const template = obj.spec?.template?.metadata?.annotations?.[RUN_ON_EVERY_NODE];
  const v = own ?? template;
  return v === undefined ? undefined : String(v).toLowerCase();
}

function agentName(t: PodTemplate): string | undefined {
  const words = [...identityWords(t)];
  for (const field of ['containers', 'initContainers']) {
    const list = t.spec?.[field];
    if (Array.isArray(list)) for (const c of list) words.push(parseImageRef(c?.image)?.name ?? '');
  }
  for (const w of words) {
    const m = NODE_AGENT.exec(w.toLowerCase());
    if (m) return m[1];
  }
  return undefined;
}

/** Why a DaemonSet must cover every node, or undefined when it need not. */
function reasonToCover(t: PodTemplate): string | undefined {
  const a = annotation(t);
  if (a === 'false') return undefined;
  if (a === 'true') return `it is marked ${RUN_ON_EVERY_NODE}: "true"`;
  const agent = agentName(t);
  if (agent) return `it is a node agent (${agent})`;
  if (!restrictsNodes(t.spec))
    return 'it restricts no nodes (no nodeSelector or required node affinity)';
  return undefined;
}

function describeMiss(f: GroupFit): string {
  return `${f.group.name} (${f.mismatches.map((m) => m.message).join('; ')})`;
}

/**
 * DaemonSets that must run on every node tolerate the NoSchedule/NoExecute taints of every group
 * and select every group. A DaemonSet must cover every node when it is annotated
 * `manifests/run-on-every-node: "true"`, when it is a known node agent (by name, labels or image),
 * or when it sets no nodeSelector and no required node affinity (it asks for every node, so missing
 * tainted ones is an accident). `manifests/run-on-every-node: "false"` opts out.
 */
export const daemonSetEverywhereRule: Rule = {
  id: 'daemonset-everywhere',
  description:
    'DaemonSets meant for every node (node agents, or unrestricted ones) tolerate every node group\u2019s taints',
  severity: 'warning',
  docs: 'Warns when a DaemonSet that must run on every node (log shippers, metrics and network agents, or one with no node restriction) does not tolerate every group\'s taints: on the tainted Scalar DL pools the CloudWatch agent or Fluent Bit would not run, and those nodes go unmonitored. Add tolerations for each taint (or operator: Exists), or annotate manifests/run-on-every-node: "false" when skipping nodes is intended.',
  needs: 'cluster',
  scope: 'object',
  reads: { context: (ctx) => ctx.cluster ?? null },
  check(manifests, ctx) {
    const cluster = ctx.cluster!;
    const out: RuleFinding[] = [];
    for (const t of ctx.model.podTemplates) {
      if (t.manifest.object.kind !== 'DaemonSet') continue;
      const reason = reasonToCover(t);
      if (!reason) continue;
      const missed = fitGroups(t.spec, cluster).filter((f) => !(f.selected && f.tolerated));
      if (missed.length === 0) continue;
      const taints = missed.flatMap((f) =>
        f.mismatches.filter((m) => m.taint).map((m) => m.taint!),
      );
      const unique = [...new Map(taints.map((x) => [tolerationFor(x), x])).keys()];
      const fixes: string[] = [];
      if (unique.length > 0) {
        fixes.push(
          `add the toleration${unique.length > 1 ? 's' : ''} ${unique.join(', ')} (or {operator: Exists} to tolerate every taint)`,
        );
      }
      if (missed.some((f) => f.mismatches.some((m) => m.kind !== 'toleration'))) {
        fixes.push('widen its nodeSelector/node affinity to every group');
      }
      const onlyTaints = missed.every((f) => f.mismatches.every((m) => m.kind === 'toleration'));
      out.push({
        manifest: t.manifest,
        path:
          onlyTaints && Array.isArray(t.spec.tolerations)
            ? [...t.specPath, 'tolerations']
            : t.specPath,
        message: `would not run on node group${missed.length > 1 ? 's' : ''} ${missed.map(describeMiss).join(', ')}, yet ${reason}: ${fixes.join(' and ')}`,
      });
    }
    return out;
  },
};
