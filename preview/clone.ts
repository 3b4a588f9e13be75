import { InputError, type SourceLocation } from '../core/errors.js';
import type { KubeObject, Manifest } from '../core/manifest.js';
import { mapSelectorMatches, selectorMatches } from '../validators/model/workloads.js';
import type { PreviewImage } from './image.js';
import { isLabelValue, requireDerivedName } from './names.js';
import { gatewayAdmits, type GatewaySettings, type PreviewSettings } from './settings.js';

type Obj = Record<string, any>;

/** Labels every preview object carries: which environment and which profile it belongs to. */
export const NAME_LABEL = 'manifests-preview/name';
export const PROFILE_LABEL = 'manifests-preview/profile';
/**
 * The creation order of a profile's objects, as an Argo CD sync wave: Argo CD applies lower waves
 * first and prunes higher waves first (argo-cd docs, user-guide/sync-waves.md), so a synced
 * preview is created ConfigMap -> Deployment -> Service -> VirtualService and removed in reverse,
 * like eden's resources. `manifests preview delete` removes the files in the same reverse order.
 */
export const WAVE_ANNOTATION = 'argocd.argoproj.io/sync-wave';
const WAVES = { ConfigMap: 0, Deployment: 1, Service: 2, VirtualService: 3 } as const;

export interface CloneRequest {
  /** The preview environment's name (a DNS-1123 label). */
  name: string;
  profile: string;
  service: string;
  image: PreviewImage;
}

/** One object of a preview, with the chart its release path is filed under. */
export interface PreviewResource {
  chart: string;
  object: KubeObject;
  /** Creation order (sync wave). */
  wave: number;
}

export interface ClonedPreview {
  resources: PreviewResource[];
  /** `<namePrefix>-<name>-<service>`. */
  cloneName: string;
  namespace: string;
  /** The endpoint: `<hostPrefix>-<name>.<zone>`. */
  host: string;
}

function isObj(v: unknown): v is Obj {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function labelsOf(v: unknown): Record<string, string> {
  return isObj(v) ? (v as Record<string, string>) : {};
}

/** The endpoint host of a profile; fails when it is not a valid DNS name. */
export function previewHost(settings: PreviewSettings, name: string, profile: string): string {
  const prefix = settings.profiles[profile]?.hostPrefix ?? settings.hostPrefix;
  const first = `${prefix}-${name}`;
  requireDerivedName(
    first,
    'label',
    'the endpoint host label',
    `shorten --name (the host is <hostPrefix>-<name>.${settings.zone})`,
  );
  const host = `${first}.${settings.zone}`;
  requireDerivedName(
    host,
    'subdomain',
    'the endpoint host',
    'shorten --name or global.preview.zone',
  );
  return host;
}

/** ConfigMap names a pod spec refers to (envFrom, env valueFrom, volumes, projected volumes). */
function configMapRefs(podSpec: Obj, visit: (holder: Obj, key: string) => void): void {
  const containers = [
    ...(Array.isArray(podSpec.initContainers) ? podSpec.initContainers : []),
    ...(Array.isArray(podSpec.containers) ? podSpec.containers : []),
    ...(Array.isArray(podSpec.ephemeralContainers) ? podSpec.ephemeralContainers : []),
  ];
  for (const c of containers) {
    for (const e of Array.isArray(c?.envFrom) ? c.envFrom : [])
      if (isObj(e?.configMapRef)) visit(e.configMapRef, 'name');
    for (const e of Array.isArray(c?.env) ? c.env : [])
      if (isObj(e?.valueFrom?.configMapKeyRef)) visit(e.valueFrom.configMapKeyRef, 'name');
  }
  for (const v of Array.isArray(podSpec.volumes) ? podSpec.volumes : []) {
    if (isObj(v?.configMap)) visit(v.configMap, 'name');
    for (const s of Array.isArray(v?.projected?.sources) ? v.projected.sources : [])
      if (isObj(s?.configMap)) visit(s.configMap, 'name');
  }
}

/**
 * Clones one service of a chart's rendered output into a preview: its Deployment, Service and the
 * ConfigMaps its pods read, renamed `<namePrefix>-<name>-<service>` (ConfigMaps keep their suffix,
 * `orders-config` -> `pv-feat-orders-config`), the service's container running `image`, plus a
 * VirtualService binding `host` on the shared Gateway to the clone's Service.
 *
 * Label values equal to the service name are rewritten to the clone's name everywhere (metadata,
 * selector, pod template, Service selector), and the preview labels are added to selectors and
 * pods, so the clone's selectors match only the clone's pods and no selector of the reference
 * chart matches them (checked; an InputError says which selector would). Secrets stay shared
 * with the reference (a preview uses the environment's database credentials).
 */
export function clonePreview(
  chartOutput: Manifest[],
  request: CloneRequest,
  settings: PreviewSettings,
  gateway: GatewaySettings,
  /** Where a value path was set (values file and line), for error messages. */
  locate: (path: string[]) => SourceLocation | undefined = () => undefined,
): ClonedPreview {
  const { name, profile, service, image } = request;
  const chart = settings.chart;
  const deployments = chartOutput.filter((m) => m.object.kind === 'Deployment');
  const reference = deployments.find((m) => m.object.metadata.name === service);
  if (!reference) {
    const known = deployments.map((m) => m.object.metadata.name).sort();
    throw new InputError(
      `service "${service}" is not a Deployment of chart ${chart} (services: ${known.join(', ') || 'none'})`,
      locate([chart, 'services']),
    );
  }
  const namespace = reference.object.metadata.namespace ?? 'default';
  const inNamespace = chartOutput.filter(
    (m) => (m.object.metadata.namespace ?? 'default') === namespace,
  );
  const refService = inNamespace.find(
    (m) => m.object.kind === 'Service' && m.object.metadata.name === service,
  );
  if (!refService) {
    throw new InputError(
      `service "${service}" has a Deployment but no Service of the same name in namespace ${namespace}; a preview routes to a Service`,
    );
  }
  const cloneName = `${settings.namePrefix}-${name}-${service}`;
  requireDerivedName(
    cloneName,
    'service',
    'the preview resource name',
    `names are <namePrefix>-<name>-<service> (global.preview.namePrefix "${settings.namePrefix}"); shorten --name`,
  );
  const host = previewHost(settings, name, profile);
  if (!gateway.hosts.some((h) => gatewayAdmits(h, gateway.namespace, host, namespace))) {
    throw new InputError(
      `the shared Gateway ${gateway.namespace}/${gateway.name} serves ${gateway.hosts.join(', ')}, not the preview host ${host}; add "*.${settings.zone}" to istio.gateway.hosts of this environment`,
      locate(['istio', 'gateway', 'hosts']),
    );
  }

  const rename = (v: string) => (v === service ? cloneName : v);
  const previewLabels = { [NAME_LABEL]: name, [PROFILE_LABEL]: profile };
  const relabel = (labels: unknown, addPreview: boolean): Record<string, string> => {
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(labelsOf(labels))) out[k] = rename(String(v));
    return addPreview ? { ...out, ...previewLabels } : out;
  };
  const metadataOf = (src: KubeObject, newName: string, wave: number): Obj => {
    const m = src.metadata as Obj;
    const meta: Obj = {
      name: newName,
      namespace,
      labels: relabel(m.labels, true),
      annotations: { ...labelsOf(m.annotations), [WAVE_ANNOTATION]: String(wave) },
    };
    return meta;
  };

  // ConfigMaps the pods read that the chart rendered in this namespace.
  const deployment = structuredClone(reference.object) as Obj;
  const podSpec: Obj = deployment.spec?.template?.spec ?? {};
  const configMaps = new Map<string, string>();
  configMapRefs(podSpec, (holder, key) => {
    const old = holder[key];
    if (typeof old !== 'string' || configMaps.has(old)) return;
    const rendered = inNamespace.some(
      (m) => m.object.kind === 'ConfigMap' && m.object.metadata.name === old,
    );
    if (!rendered) return; // created out of band: the clone reads the same one
    const renamed = old.startsWith(service)
      ? cloneName + old.slice(service.length)
      : `${cloneName}-${old}`;
    requireDerivedName(renamed, 'subdomain', 'the preview ConfigMap name', 'shorten --name');
    configMaps.set(old, renamed);
  });
  configMapRefs(podSpec, (holder, key) => {
    const renamed = configMaps.get(holder[key]);
    if (renamed) holder[key] = renamed;
  });

  const resources: PreviewResource[] = [];
  for (const [old, renamed] of [...configMaps].sort((a, b) => (a[1] < b[1] ? -1 : 1))) {
    const src = inNamespace.find(
      (m) => m.object.kind === 'ConfigMap' && m.object.metadata.name === old,
    )!;
    const cm = structuredClone(src.object) as Obj;
    cm.metadata = metadataOf(src.object, renamed, WAVES.ConfigMap);
    delete cm.immutable; // a redeploy rewrites it
    resources.push({ chart, object: cm as KubeObject, wave: WAVES.ConfigMap });
  }

  // The Deployment: new names, labels, selector, one small replica count, the new image.
  deployment.metadata = metadataOf(reference.object, cloneName, WAVES.Deployment);
  const spec: Obj = deployment.spec ?? (deployment.spec = {});
  spec.replicas = settings.replicas;
  const selector: Obj = isObj(spec.selector) ? spec.selector : (spec.selector = {});
  selector.matchLabels = relabel(selector.matchLabels, true);
  if (Array.isArray(selector.matchExpressions)) {
    for (const e of selector.matchExpressions)
      if (Array.isArray(e?.values)) e.values = e.values.map((v: string) => rename(String(v)));
  }
  const template: Obj = spec.template ?? (spec.template = {});
  template.metadata = template.metadata ?? {};
  template.metadata.labels = relabel(template.metadata.labels, true);
  const version = template.metadata.labels.version;
  if (version !== undefined) {
    // Istio and dashboards read `version`: it names what the pod runs.
    if (image.tag && isLabelValue(image.tag)) template.metadata.labels.version = image.tag;
    else delete template.metadata.labels.version;
  }
  const containers: Obj[] = Array.isArray(podSpec.containers) ? podSpec.containers : [];
  const target =
    containers.find((c) => c?.name === service) ??
    (containers.length === 1 ? containers[0] : undefined);
  if (!target) {
    throw new InputError(
      `Deployment ${service} has ${containers.length} containers and none is named "${service}"; cannot tell which one runs the preview image`,
    );
  }
  target.image = image.raw;
  resources.push({ chart, object: deployment as KubeObject, wave: WAVES.Deployment });

  // The Service: selects only the clone; reached through the Gateway, so a plain ClusterIP.
  const svc = structuredClone(refService.object) as Obj;
  svc.metadata = metadataOf(refService.object, cloneName, WAVES.Service);
  const svcSpec: Obj = svc.spec ?? (svc.spec = {});
  svcSpec.selector = relabel(svcSpec.selector, true);
  if (svcSpec.clusterIP !== 'None') {
    delete svcSpec.clusterIP;
    delete svcSpec.clusterIPs;
  }
  if (svcSpec.type === 'NodePort' || svcSpec.type === 'LoadBalancer') svcSpec.type = 'ClusterIP';
  for (const key of [
    'loadBalancerIP',
    'loadBalancerSourceRanges',
    'loadBalancerClass',
    'externalTrafficPolicy',
    'healthCheckNodePort',
    'allocateLoadBalancerNodePorts',
  ])
    delete svcSpec[key];
  const ports: Obj[] = Array.isArray(svcSpec.ports) ? svcSpec.ports : [];
  for (const p of ports) delete p.nodePort;
  const port = ports.find((p) => p?.name === 'http') ?? ports[0];
  if (!port || typeof port.port !== 'number') {
    throw new InputError(`Service ${service} has no port to route the preview host to`);
  }
  resources.push({ chart, object: svc as KubeObject, wave: WAVES.Service });

  // Isolation: no selector of the reference chart may pick the clone's pods, and the clone's
  // selectors must not pick the reference's pods.
  const clonePods = labelsOf(template.metadata.labels);
  for (const m of inNamespace) {
    const o = m.object as Obj;
    const sel =
      o.kind === 'Service'
        ? isObj(o.spec?.selector) && mapSelectorMatches(o.spec.selector, clonePods)
        : isObj(o.spec?.selector) && isObj(o.spec?.template)
          ? selectorMatches(o.spec.selector, clonePods)
          : false;
    if (sel) {
      throw new InputError(
        `${o.kind} ${o.metadata.name}'s selector would also select the preview's pods; its selector needs a label whose value is the service name ("${service}") so the preview can be told apart`,
      );
    }
  }
  const refPods = labelsOf((reference.object as Obj).spec?.template?.metadata?.labels);
  if (
    selectorMatches(selector as never, refPods) ||
    mapSelectorMatches(svcSpec.selector, refPods)
  ) {
    throw new InputError(`the preview's selectors would select the pods of Deployment ${service}`);
  }

  // The route: the preview host on the shared Gateway, to the clone's Service.
  const vs: Obj = {
    apiVersion: 'networking.istio.io/v1beta1',
    kind: 'VirtualService',
    metadata: {
      name: cloneName,
      namespace,
      labels: relabel((refService.object.metadata as Obj).labels, true),
      annotations: { [WAVE_ANNOTATION]: String(WAVES.VirtualService) },
    },
    spec: {
      hosts: [host],
      gateways: [`${gateway.namespace}/${gateway.name}`],
      http: [
        {
          name: cloneName,
          route: [
            {
              destination: {
                host: `${cloneName}.${namespace}.svc.cluster.local`,
                port: { number: port.port },
              },
            },
          ],
        },
      ],
    },
  };
  resources.push({ chart, object: vs as KubeObject, wave: WAVES.VirtualService });
  return { resources, cloneName, namespace, host };
}
