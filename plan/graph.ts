import { apiGroup, type Manifest } from '../core/manifest.js';
import {
  mapSelectorMatches,
  podTemplateOf,
  type PodTemplate,
} from '../validators/model/workloads.js';
import type { PlanAction, PlanDiff, PlanObject } from './types.js';

type Obj = Record<string, any>;

/** An edge in traffic order: Gateway -> VirtualService -> Service -> workload -> config and storage. */
export interface Edge {
  from: string;
  to: string;
  dotted?: boolean;
}

export interface ConnectionGraph {
  /** Resource keys in the graph, sorted. */
  nodes: string[];
  edges: Edge[];
  /** Changed resources left out to keep the picture readable. */
  omitted: number;
}

const MAX_CHANGED = 40;
const MAX_NODES = 80;

function key(group: string, kind: string, ns: string, name: string): string {
  return [group, kind, ns, name].join('|');
}

/** Indexes of who references whom, built once over both sides. */
class Connections {
  readonly objects = new Map<string, PlanObject>();
  private readonly templates = new Map<string, { key: string; t: PodTemplate }[]>();
  private readonly servicesByNs = new Map<string, string[]>();
  private readonly usedBy = new Map<string, Set<string>>();
  private readonly uses = new Map<string, Set<string>>();
  private readonly routesTo = new Map<string, Set<string>>();
  private readonly routedFrom = new Map<string, Set<string>>();

  constructor(sides: Map<string, PlanObject>[]) {
    for (const side of sides)
      for (const [k, o] of side) if (!this.objects.has(k)) this.objects.set(k, o);
    for (const [k, o] of this.objects) this.index(k, o);
  }

  private link(map: Map<string, Set<string>>, a: string, b: string): void {
    let s = map.get(a);
    if (!s) map.set(a, (s = new Set()));
    s.add(b);
  }

  private uses_(a: string, b: string): void {
    if (!this.objects.has(b) || a === b) return;
    this.link(this.uses, a, b);
    this.link(this.usedBy, b, a);
  }

  private route(a: string, b: string): void {
    if (!this.objects.has(b) || a === b) return;
    this.link(this.routesTo, a, b);
    this.link(this.routedFrom, b, a);
  }

  private index(k: string, o: PlanObject): void {
    const obj = o.object as Obj;
    const ns = obj.metadata.namespace ?? '';
    const group = apiGroup(obj.apiVersion);
    const manifest: Manifest = { chart: o.chart, object: o.object, file: o.file, line: 1 };
    const t = podTemplateOf(manifest);
    if (t) {
      const list = this.templates.get(ns) ?? [];
      list.push({ key: k, t });
      this.templates.set(ns, list);
      for (const ref of podSpecRefs(t.spec)) this.uses_(k, key('', ref.kind, ns, ref.name));
    }
    if (group === '' && obj.kind === 'Service') {
      const list = this.servicesByNs.get(ns) ?? [];
      list.push(k);
      this.servicesByNs.set(ns, list);
    }
    if (group === 'autoscaling' && obj.kind === 'HorizontalPodAutoscaler') {
      const ref = obj.spec?.scaleTargetRef;
      if (ref?.kind && ref?.name) {
        this.route(k, key(apiGroup(String(ref.apiVersion ?? 'apps/v1')), ref.kind, ns, ref.name));
      }
    }
    if (group === 'networking.istio.io' && obj.kind === 'VirtualService') {
      for (const g of Array.isArray(obj.spec?.gateways) ? obj.spec.gateways : []) {
        if (typeof g !== 'string' || g === 'mesh') continue;
        const [gns, gname] = g.includes('/') ? g.split('/', 2) : [ns, g];
        this.route(key(group, 'Gateway', gns, gname), k);
      }
      for (const kindOfRoute of ['http', 'tcp', 'tls']) {
        for (const r of Array.isArray(obj.spec?.[kindOfRoute]) ? obj.spec[kindOfRoute] : []) {
          for (const d of Array.isArray(r?.route) ? r.route : []) {
            const svc = serviceOfHost(d?.destination?.host, ns);
            if (svc) this.route(k, key('', 'Service', svc.ns, svc.name));
          }
        }
      }
    }
    if (group === 'networking.istio.io' && obj.kind === 'DestinationRule') {
      const svc = serviceOfHost(obj.spec?.host, ns);
      if (svc) this.uses_(k, key('', 'Service', svc.ns, svc.name));
    }
  }

  /** Workloads a Service selects (computed on demand: selectors are matched per namespace). */
  selected(serviceKey: string): string[] {
    const svc = this.objects.get(serviceKey)?.object as Obj | undefined;
    const sel = svc?.spec?.selector;
    if (!sel || typeof sel !== 'object') return [];
    const ns = svc!.metadata.namespace ?? '';
    return (this.templates.get(ns) ?? [])
      .filter((x) => mapSelectorMatches(sel, x.t.labels))
      .map((x) => x.key);
  }

  /** Services selecting a workload. */
  selecting(workloadKey: string): string[] {
    const o = this.objects.get(workloadKey);
    if (!o) return [];
    const ns = o.object.metadata.namespace ?? '';
    const t = (this.templates.get(ns) ?? []).find((x) => x.key === workloadKey)?.t;
    if (!t) return [];
    return (this.servicesByNs.get(ns) ?? []).filter((s) => {
      const sel = (this.objects.get(s)!.object as Obj).spec?.selector;
      return sel && typeof sel === 'object' && mapSelectorMatches(sel, t.labels);
    });
  }

  isWorkload(k: string): boolean {
    const o = this.objects.get(k);
    return !!o && !!podTemplateOf({ chart: o.chart, object: o.object, file: o.file, line: 1 });
  }

  /** Edges touching `k`, in traffic direction. */
  around(k: string): Edge[] {
    const out: Edge[] = [];
    const kind = k.split('|')[1];
    for (const b of this.routesTo.get(k) ?? [])
      out.push({ from: k, to: b, dotted: kind === 'HorizontalPodAutoscaler' });
    for (const a of this.routedFrom.get(k) ?? [])
      out.push({ from: a, to: k, dotted: a.split('|')[1] === 'HorizontalPodAutoscaler' });
    for (const b of this.uses.get(k) ?? [])
      out.push({ from: k, to: b, dotted: kind === 'DestinationRule' });
    for (const a of this.usedBy.get(k) ?? [])
      out.push({ from: a, to: k, dotted: a.split('|')[1] === 'DestinationRule' });
    if (kind === 'Service') for (const w of this.selected(k)) out.push({ from: k, to: w });
    if (this.isWorkload(k)) for (const s of this.selecting(k)) out.push({ from: s, to: k });
    return out;
  }

  /** What routes traffic to `k` (VirtualServices to a Service, Gateways to a VirtualService). */
  upstream(k: string): string[] {
    return [...(this.routedFrom.get(k) ?? [])].filter(
      (a) => a.split('|')[1] !== 'HorizontalPodAutoscaler',
    );
  }
}

function serviceOfHost(host: unknown, ns: string): { ns: string; name: string } | undefined {
  if (typeof host !== 'string' || host === '' || host.includes('*')) return undefined;
  const parts = host.split('.');
  if (parts.length === 1) return { ns, name: parts[0] };
  if (parts.length === 2 || (parts.length >= 3 && parts[2] === 'svc'))
    return { ns: parts[1], name: parts[0] };
  return undefined;
}

/** ConfigMaps, Secrets, PVCs and the ServiceAccount a pod spec uses. */
function podSpecRefs(spec: Obj): { kind: string; name: string }[] {
  const out: { kind: string; name: string }[] = [];
  const push = (kind: string, name: unknown) => {
    if (typeof name === 'string' && name !== '') out.push({ kind, name });
  };
  for (const v of Array.isArray(spec?.volumes) ? spec.volumes : []) {
    push('ConfigMap', v?.configMap?.name);
    push('Secret', v?.secret?.secretName);
    push('PersistentVolumeClaim', v?.persistentVolumeClaim?.claimName);
    for (const s of Array.isArray(v?.projected?.sources) ? v.projected.sources : []) {
      push('ConfigMap', s?.configMap?.name);
      push('Secret', s?.secret?.name);
    }
  }
  for (const field of ['initContainers', 'containers']) {
    for (const c of Array.isArray(spec?.[field]) ? spec[field] : []) {
      for (const e of Array.isArray(c?.envFrom) ? c.envFrom : []) {
        push('ConfigMap', e?.configMapRef?.name);
        push('Secret', e?.secretRef?.name);
      }
      for (const e of Array.isArray(c?.env) ? c.env : []) {
        push('ConfigMap', e?.valueFrom?.configMapKeyRef?.name);
        push('Secret', e?.valueFrom?.secretKeyRef?.name);
      }
    }
  }
  for (const s of Array.isArray(spec?.imagePullSecrets) ? spec.imagePullSecrets : [])
    push('Secret', s?.name);
  push('ServiceAccount', spec?.serviceAccountName);
  return out;
}

/**
 * The changed resources and what they connect to: direct neighbours, plus the chain that routes
 * traffic to them (Service <- VirtualService <- Gateway).
 */
export function connectionGraph(diff: PlanDiff): ConnectionGraph {
  const conn = new Connections([diff.graph.next, diff.graph.gone]);
  const changed = diff.resources.map((r) => r.key);
  const shown = changed.slice(0, MAX_CHANGED);
  const nodes = new Set<string>(shown);
  const edges = new Map<string, Edge>();
  const addEdge = (e: Edge) => {
    if (nodes.size >= MAX_NODES && (!nodes.has(e.from) || !nodes.has(e.to))) return;
    nodes.add(e.from);
    nodes.add(e.to);
    edges.set(`${e.from}>${e.to}`, e);
  };
  for (const k of shown) for (const e of conn.around(k)) addEdge(e);
  // Follow traffic upstream to the Gateway from every Service and VirtualService in the picture.
  const queue = [...nodes].filter((k) => ['Service', 'VirtualService'].includes(k.split('|')[1]));
  const seen = new Set(queue);
  while (queue.length > 0) {
    const k = queue.shift()!;
    for (const up of conn.upstream(k)) {
      addEdge({ from: up, to: k });
      if (!seen.has(up) && nodes.has(up)) {
        seen.add(up);
        queue.push(up);
      }
    }
  }
  return {
    nodes: [...nodes].sort(),
    edges: [...edges.values()].sort((a, b) => (a.from + a.to < b.from + b.to ? -1 : 1)),
    omitted: changed.length - shown.length,
  };
}

const STYLE: Record<PlanAction | 'same', string> = {
  add: 'fill:#dafbe1,stroke:#1a7f37',
  change: 'fill:#fff8c5,stroke:#9a6700',
  replace: 'fill:#ffe7d1,stroke:#bc4c00',
  destroy: 'fill:#ffebe9,stroke:#cf222e',
  same: 'fill:#f6f8fa,stroke:#8c959f',
};

/** The graph as a Mermaid flowchart (GitHub renders ```mermaid blocks as a picture). */
export function mermaid(diff: PlanDiff, graph: ConnectionGraph): string {
  const action = new Map(diff.resources.map((r) => [r.key, r.action]));
  const ids = new Map(graph.nodes.map((k, i) => [k, `n${i}`]));
  const lines = ['flowchart LR'];
  for (const k of graph.nodes) {
    const [, kind, ns, name] = k.split('|');
    const label = `${kind}<br/>${ns ? `${ns}/` : ''}${name}`.replace(/"/g, '#quot;');
    lines.push(`  ${ids.get(k)}["${label}"]:::${action.get(k) ?? 'same'}`);
  }
  for (const e of graph.edges)
    lines.push(`  ${ids.get(e.from)} ${e.dotted ? '-.->' : '-->'} ${ids.get(e.to)}`);
  for (const [cls, style] of Object.entries(STYLE)) lines.push(`  classDef ${cls} ${style}`);
  return lines.join('\n');
}
