import { InputError } from '../core/errors.js';
import { GLOBAL_KEY, type LoadedValues } from '../generator/values/load.js';

/** One profile of `global.preview.profiles` (eden's profile: which service, which host prefix). */
export interface PreviewProfileSettings {
  /** The service this profile previews when --service is not given. */
  service?: string;
  /** Host prefix of this profile's endpoint (eden's domain_name_prefix). */
  hostPrefix?: string;
}

/** `global.preview` of the environment (schema in values/global.schema.json). */
export interface PreviewSettings {
  /** The chart whose services can be previewed. */
  chart: string;
  /** Resource names are `<namePrefix>-<name>-<service>`. */
  namePrefix: string;
  /** Endpoints are `<hostPrefix>-<name>.<zone>` unless the profile sets its own prefix. */
  hostPrefix: string;
  zone: string;
  /** Replicas of a preview's Deployment. */
  replicas: number;
  profiles: Record<string, PreviewProfileSettings>;
}

/** The shared Gateway of the istio chart that previews' VirtualServices bind to. */
export interface GatewaySettings {
  namespace: string;
  name: string;
  /** The Gateway's server hosts (`[namespace/]dnsName`). */
  hosts: string[];
}

function obj(v: unknown): Record<string, unknown> {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

/** Reads the preview settings; the values schema has already checked their types. */
export function previewSettings(loaded: LoadedValues): PreviewSettings {
  const p = obj(obj(loaded.values[GLOBAL_KEY]).preview);
  if (Object.keys(p).length === 0) {
    throw new InputError(
      `no preview settings for environment ${loaded.env}: add global.preview (namePrefix, hostPrefix, zone) to the values`,
      { file: 'values/shared/' },
    );
  }
  return {
    chart: typeof p.chart === 'string' ? p.chart : 'app',
    namePrefix: String(p.namePrefix),
    hostPrefix: String(p.hostPrefix),
    zone: String(p.zone),
    replicas: typeof p.replicas === 'number' ? p.replicas : 1,
    profiles: obj(p.profiles) as Record<string, PreviewProfileSettings>,
  };
}

/** The istio chart's shared Gateway: namespace and name from its values, with the hosts it serves. */
export function gatewaySettings(loaded: LoadedValues): GatewaySettings {
  const istio = obj(loaded.values.istio);
  const gateway = obj(istio.gateway);
  if (typeof istio.namespace !== 'string' || typeof gateway.name !== 'string') {
    throw new InputError(
      'previews route through the istio chart’s shared Gateway, but istio.namespace or istio.gateway.name is not set',
      { file: 'values/shared/istio.yaml' },
    );
  }
  const hosts = Array.isArray(gateway.hosts) ? gateway.hosts.map(String) : ['*'];
  return { namespace: istio.namespace, name: gateway.name, hosts };
}

/**
 * Whether a Gateway server host (`[namespace/]dnsName`, dnsName `*`, `*.suffix` or exact) admits
 * `host` for a VirtualService in `vsNamespace`, as Istio's Gateway reference describes
 * (istio/api networking/v1alpha3/gateway.proto, Server.hosts: `*` or `.` as namespace mean any or
 * the Gateway's own; a wildcard only in the left-most label). A VirtualService host the bound
 * Gateway does not list is ignored by Istio (istioctl analyze IST0132).
 */
export function gatewayAdmits(
  gatewayHost: string,
  gatewayNamespace: string,
  host: string,
  vsNamespace: string,
): boolean {
  let ns = '*';
  let dns = gatewayHost;
  const slash = gatewayHost.indexOf('/');
  if (slash >= 0) {
    ns = gatewayHost.slice(0, slash);
    dns = gatewayHost.slice(slash + 1);
  }
  if (ns === '.') ns = gatewayNamespace;
  if (ns !== '*' && ns !== vsNamespace) return false;
  const h = host.toLowerCase();
  const d = dns.toLowerCase();
  if (d === '*') return true;
  if (d.startsWith('*.')) return h.endsWith(d.slice(1)) && h.length > d.length - 1;
  return d === h;
}
