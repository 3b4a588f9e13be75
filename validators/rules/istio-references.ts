import { isIP } from 'node:net';
import type { Manifest } from '../../core/manifest.js';
import type { FieldPath, Rule, RuleFinding } from '../types.js';
import {
  describe,
  formatLabels,
  groupOf,
  isObj,
  listNames,
  namespaceOf,
  ObjectIndex,
  suggestion,
  TemplateIndex,
} from '../model/references.js';
import { mapSelectorMatches, WORKLOAD_KINDS } from '../model/workloads.js';
import type { Obj } from '../../core/object.js';

const ISTIO_GROUP = 'networking.istio.io';
const CLUSTER_SUFFIX = '.svc.cluster.local';
/** Kinds it looks at by kind alone (in any API group). */
const ISTIO_KINDS = new Set(['VirtualService', 'DestinationRule', 'Gateway', 'ServiceEntry']);

/** What a host name of a VirtualService or DestinationRule stands for. */
type Resolved =
  | { kind: 'service'; service: Manifest; key: string }
  | { kind: 'missing-service'; name: string; ns: string; key: string }
  | { kind: 'malformed'; reason: string }
  | { kind: 'service-entry'; entry: Manifest; key: string }
  | { kind: 'external'; key: string }
  | { kind: 'wildcard' };

interface Mesh {
  index: ObjectIndex;
  /** the manifests are the whole plan (false: files given, where a missing object may be elsewhere) */
  complete: boolean;
  namespaces: Set<string>;
  serviceEntries: { host: string; entry: Manifest }[];
  /** DestinationRules by the key of the host they resolve to. */
  destinationRules: Map<string, Manifest[]>;
}

function hostMatches(pattern: string, host: string): boolean {
  if (pattern === host) return true;
  if (pattern === '*') return true;
  if (pattern.startsWith('*.')) return host.endsWith(pattern.slice(1));
  return false;
}

/**
 * Resolves a host the way Istio's routing and Kubernetes DNS see it: a short name is a Service of
 * the referring object's namespace; `name.ns`, `name.ns.svc` and `name.ns.svc.cluster.local` are
 * Services of `ns`; a host of a rendered ServiceEntry is that entry; other names are external.
 */
function resolveHost(host: string, ns: string, mesh: Mesh): Resolved {
  if (host.includes('*')) return { kind: 'wildcard' };
  const entry = mesh.serviceEntries.find((e) => hostMatches(e.host, host));
  if (entry) return { kind: 'service-entry', entry: entry.entry, key: `host:${host}` };
  if (isIP(host)) return { kind: 'external', key: `host:${host}` };
  const labels = host.split('.');
  let name: string | undefined;
  let svcNs: string | undefined;
  if (labels.length === 1) [name, svcNs] = [host, ns];
  else if (host.endsWith(CLUSTER_SUFFIX) || (labels.length === 3 && labels[2] === 'svc')) {
    const rest = host.endsWith(CLUSTER_SUFFIX)
      ? host.slice(0, -CLUSTER_SUFFIX.length)
      : labels.slice(0, 2).join('.');
    const parts = rest.split('.');
    if (parts.length !== 2 || parts.some((p) => p === '')) {
      return {
        kind: 'malformed',
        reason: `host "${host}" is not of the form <service>.<namespace>${host.endsWith(CLUSTER_SUFFIX) ? CLUSTER_SUFFIX : '.svc'}`,
      };
    }
    [name, svcNs] = parts;
  } else if (labels.length === 2 && mesh.namespaces.has(labels[1])) [name, svcNs] = labels;
  else return { kind: 'external', key: `host:${host}` };
  const key = `svc:${svcNs}/${name}`;
  const service = mesh.index.find('Service', svcNs, name, '');
  return service
    ? { kind: 'service', service, key }
    : { kind: 'missing-service', name, ns: svcNs, key };
}

function missingServiceMessage(host: string, r: { name: string; ns: string }, mesh: Mesh): string {
  const names = mesh.index.ofKind('Service', r.ns, '').map((m) => m.object.metadata.name);
  const missing = mesh.complete ? 'which is not rendered' : NOT_GIVEN;
  return `host "${host}" is Service "${r.name}" in namespace "${r.ns}", ${missing}; render the Service, fix the host (${suggestion(r.name, names, `Services there`)}), or add a ServiceEntry for a host outside the cluster`;
}

const NOT_GIVEN =
  'which is not among the files given (give its file too, or validate the whole plan with --env)';

/** Missing objects are errors in a whole plan, warnings among files given (they may be elsewhere). */
function missingSeverity(mesh: Mesh): 'warning' | undefined {
  return mesh.complete ? undefined : 'warning';
}

/** Findings about one host reference; the port and subset checks need the resolved target. */
function checkHost(
  manifest: Manifest,
  host: unknown,
  hostPath: FieldPath,
  mesh: Mesh,
  out: RuleFinding[],
): Resolved | undefined {
  if (typeof host !== 'string' || host === '') return undefined;
  const r = resolveHost(host, namespaceOf(manifest), mesh);
  if (r.kind === 'missing-service') {
    out.push({
      manifest,
      path: hostPath,
      severity: missingSeverity(mesh),
      message: missingServiceMessage(host, r, mesh),
    });
  } else if (r.kind === 'malformed') {
    out.push({ manifest, path: hostPath, message: `${r.reason}; fix the host` });
  } else if (r.kind === 'external') {
    out.push({
      manifest,
      path: hostPath,
      severity: 'warning',
      message: `host "${host}" is neither a rendered Service nor a host of a rendered ServiceEntry; add a ServiceEntry for this external host, or fix the name`,
    });
  }
  return r;
}

function servicePorts(service: Manifest): number[] {
  const ports = (service.object as Obj).spec?.ports;
  return (Array.isArray(ports) ? ports : [])
    .map((p: Obj) => Number(p?.port))
    .filter((n: number) => Number.isFinite(n));
}

function subsetNames(rule: Manifest): string[] {
  const subsets = (rule.object as Obj).spec?.subsets;
  return (Array.isArray(subsets) ? subsets : []).map((s: Obj) => String(s?.name));
}

function checkDestination(
  manifest: Manifest,
  dest: unknown,
  path: FieldPath,
  mesh: Mesh,
  out: RuleFinding[],
): void {
  if (!isObj(dest)) return;
  const r = checkHost(manifest, dest.host, [...path, 'host'], mesh, out);
  if (!r) return;
  if (r.kind === 'service') {
    const ports = servicePorts(r.service);
    const number = dest.port?.number;
    if (number !== undefined) {
      if (!ports.includes(Number(number))) {
        out.push({
          manifest,
          path: [...path, 'port', 'number'],
          message: `${describe(r.service)} has no port ${number} (ports: ${ports.join(', ') || 'none'}); use one of its ports`,
        });
      }
    } else if (ports.length > 1) {
      out.push({
        manifest,
        path: [...path, 'host'],
        severity: 'warning',
        message: `${describe(r.service)} has several ports (${ports.join(', ')}); set destination.port.number so the route does not depend on which one Istio picks`,
      });
    }
  }
  const subset = dest.subset;
  const reported = r.kind === 'wildcard' || r.kind === 'malformed' || r.kind === 'missing-service';
  if (typeof subset === 'string' && subset !== '' && !reported) {
    const rules = mesh.destinationRules.get(r.key) ?? [];
    const defined = rules.some((d) => subsetNames(d).includes(subset));
    if (!defined) {
      out.push({
        manifest,
        path: [...path, 'subset'],
        severity: rules.length === 0 ? missingSeverity(mesh) : undefined,
        message:
          rules.length === 0
            ? `subset "${subset}" of host "${dest.host}" is defined by no DestinationRule (no DestinationRule has this host${mesh.complete ? '' : ' among the files given'}); add a DestinationRule with this subset or remove the subset`
            : `subset "${subset}" of host "${dest.host}" is not defined by ${rules.map(describe).join(', ')} (subsets: ${listNames(rules.flatMap(subsetNames))}); add it or fix the name`,
      });
    }
  }
}

function checkGateway(
  manifest: Manifest,
  ref: unknown,
  path: FieldPath,
  mesh: Mesh,
  out: RuleFinding[],
): void {
  if (typeof ref !== 'string' || ref === 'mesh') return;
  let ns = namespaceOf(manifest);
  let name = ref;
  if (ref.includes('/')) [ns, name] = ref.split('/', 2);
  else if (ref.includes('.')) [name, ns] = ref.split('.');
  if (mesh.index.find('Gateway', ns, name, ISTIO_GROUP)) return;
  const names = mesh.index.ofKind('Gateway', ns, ISTIO_GROUP).map((m) => m.object.metadata.name);
  const elsewhere = mesh.index
    .ofKind('Gateway', undefined, ISTIO_GROUP)
    .find((m) => m.object.metadata.name === name);
  const hint = elsewhere
    ? `a Gateway of that name is in namespace "${namespaceOf(elsewhere)}": write "${namespaceOf(elsewhere)}/${name}"`
    : suggestion(name, names, `Gateways in namespace "${ns}"`);
  out.push({
    manifest,
    path,
    severity: missingSeverity(mesh),
    message: `gateway "${ref}" is not a rendered Gateway (looked for "${name}" in namespace "${ns}"${mesh.complete ? '' : ', not among the files given'}; "mesh" means the sidecars); ${hint}`,
  });
}

function list(v: unknown): Obj[] {
  return Array.isArray(v) ? v : [];
}

function checkVirtualService(manifest: Manifest, mesh: Mesh, out: RuleFinding[]): void {
  const spec = (manifest.object as Obj).spec;
  if (!isObj(spec)) return;
  list(spec.gateways).forEach((g, i) =>
    checkGateway(manifest, g, ['spec', 'gateways', i], mesh, out),
  );
  for (const section of ['http', 'tcp', 'tls'] as const) {
    list(spec[section]).forEach((route, i) => {
      const base: FieldPath = ['spec', section, i];
      list(route?.match).forEach((m, k) =>
        list(m?.gateways).forEach((g, n) =>
          checkGateway(manifest, g, [...base, 'match', k, 'gateways', n], mesh, out),
        ),
      );
      list(route?.route).forEach((d, j) =>
        checkDestination(manifest, d?.destination, [...base, 'route', j, 'destination'], mesh, out),
      );
      if (section !== 'http') return;
      if (isObj(route?.mirror))
        checkDestination(manifest, route.mirror, [...base, 'mirror'], mesh, out);
      list(route?.mirrors).forEach((m, k) =>
        checkDestination(
          manifest,
          m?.destination,
          [...base, 'mirrors', k, 'destination'],
          mesh,
          out,
        ),
      );
      const delegate = route?.delegate;
      if (isObj(delegate) && typeof delegate.name === 'string') {
        const ns =
          typeof delegate.namespace === 'string' ? delegate.namespace : namespaceOf(manifest);
        if (!mesh.index.find('VirtualService', ns, delegate.name, ISTIO_GROUP)) {
          out.push({
            manifest,
            path: [...base, 'delegate', 'name'],
            severity: missingSeverity(mesh),
            message: `delegate VirtualService "${delegate.name}" is not rendered in namespace "${ns}"${mesh.complete ? '' : ' (not among the files given)'}; render it or fix the name`,
          });
        }
      }
    });
  }
}

function checkDestinationRule(
  manifest: Manifest,
  resolved: Resolved | undefined,
  templates: TemplateIndex,
  out: RuleFinding[],
): void {
  if (!resolved || resolved.kind !== 'service') return;
  const selector = (resolved.service.object as Obj).spec?.selector;
  if (!isObj(selector) || Object.keys(selector).length === 0) return;
  const pods = templates
    .candidates(namespaceOf(resolved.service), selector)
    .filter((t) => mapSelectorMatches(selector, t.labels));
  if (pods.length === 0) return; // the service-selector rule reports a Service that selects nothing
  list((manifest.object as Obj).spec?.subsets).forEach((s, k) => {
    if (!isObj(s?.labels) || Object.keys(s.labels).length === 0) return;
    if (pods.some((t) => mapSelectorMatches(s.labels, t.labels))) return;
    out.push({
      manifest,
      path: ['spec', 'subsets', k, 'labels'],
      severity: 'warning',
      message: `subset "${s.name}" selects labels ${formatLabels(s.labels)}, which no pod of ${describe(resolved.service)} carries (its pods: ${pods.map((t) => `${describe(t.manifest)} ${formatLabels(t.labels)}`).join('; ')}); fix the subset labels or add the label to the pod template`,
    });
  });
}

/** VirtualService gateways and destinations, and DestinationRule hosts, refer to rendered objects. */
export const istioReferencesRule: Rule = {
  id: 'istio-references',
  description:
    'VirtualService gateways, destination hosts, ports and subsets, and DestinationRule hosts and subsets refer to rendered Gateways, Services, ServiceEntries and pods',
  severity: 'error',
  docs: 'VirtualService gateways, destination hosts, ports and subsets, and DestinationRule hosts name rendered Gateways, Services and subsets. Istio accepts a dangling reference and then answers 503 (no healthy upstream) or never binds the route. Fix the host, port or subset name.',
  // what it reads: Istio's routing objects whole, a Service's identity and spec, a workload's
  // identity and pod labels (those of the keys Services and subsets select), and every other
  // object's identity (a namespace any object is in makes `name.namespace` a Service's host)
  memo: {
    labelKeys: (m) => {
      const spec = (m.object as Obj).spec;
      if (m.object.kind === 'Service')
        return isObj(spec?.selector) ? Object.keys(spec.selector) : undefined;
      if (m.object.kind !== 'DestinationRule') return undefined;
      return list(spec?.subsets).flatMap((s) => (isObj(s?.labels) ? Object.keys(s.labels) : []));
    },
    project: (m, p, keys) => {
      const kind = m.object.kind;
      if (ISTIO_KINDS.has(kind) || groupOf(m) === ISTIO_GROUP) return p.with(m, [m.object]);
      if (kind === 'Service') return p.with(m, [(m.object as Obj).spec]);
      return WORKLOAD_KINDS.has(kind) ? p.templateLabels(m, keys) : p.identity(m);
    },
    context: (ctx) => ctx.complete,
  },
  check(manifests, ctx) {
    const out: RuleFinding[] = [];
    const istio = manifests.filter((m) => groupOf(m) === ISTIO_GROUP);
    if (istio.length === 0) return out;
    const index = ctx.model.objects;
    const namespaces = new Set<string>(manifests.map(namespaceOf));
    for (const m of manifests)
      if (m.object.kind === 'Namespace') namespaces.add(m.object.metadata.name);
    const mesh: Mesh = {
      index,
      complete: ctx.complete,
      namespaces,
      serviceEntries: istio
        .filter((m) => m.object.kind === 'ServiceEntry')
        .flatMap((entry) => {
          const hosts: unknown = (entry.object as Obj).spec?.hosts;
          return (Array.isArray(hosts) ? hosts : [])
            .filter((h): h is string => typeof h === 'string')
            .map((host) => ({ host, entry }));
        }),
      destinationRules: new Map(),
    };
    const drFindings: RuleFinding[] = [];
    const templates = ctx.model.templates;
    for (const m of istio) {
      if (m.object.kind !== 'DestinationRule') continue;
      const resolved = checkHost(
        m,
        (m.object as Obj).spec?.host,
        ['spec', 'host'],
        mesh,
        drFindings,
      );
      if (resolved && 'key' in resolved) {
        mesh.destinationRules.set(resolved.key, [
          ...(mesh.destinationRules.get(resolved.key) ?? []),
          m,
        ]);
      }
      checkDestinationRule(m, resolved, templates, drFindings);
    }
    for (const m of istio)
      if (m.object.kind === 'VirtualService') checkVirtualService(m, mesh, out);
    return [...out, ...drFindings];
  },
};
