import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { InputError } from '../../core/errors.js';
import type { KubeObject, Manifest } from '../../core/manifest.js';
import { renderEnvironment } from '../../generator/pipeline.js';
import { openProject } from '../../generator/project.js';
import { readSecretDeclarations } from '../../generator/values/secrets.js';
import { REPO_ROOT, copyRepo, renderRepo } from '../helpers.js';

// Shapes of the parts of Kubernetes objects these tests read.
interface Toleration {
  key?: string;
  operator?: string;
  value?: string;
  effect?: string;
}
interface Container {
  name: string;
  image: string;
  args?: string[];
  env?: {
    name: string;
    value?: string;
    valueFrom?: { secretKeyRef?: { name: string; key: string } };
  }[];
  ports?: { name?: string; containerPort: number }[];
  volumeMounts?: { name: string; mountPath: string; subPath?: string }[];
  resources?: {
    requests?: { cpu?: unknown; memory?: unknown };
    limits?: { cpu?: unknown; memory?: unknown };
  };
}
interface PodSpec {
  tolerations?: Toleration[];
  affinity?: {
    nodeAffinity?: {
      requiredDuringSchedulingIgnoredDuringExecution?: {
        nodeSelectorTerms: {
          matchExpressions: { key: string; operator: string; values: string[] }[];
        }[];
      };
    };
    podAntiAffinity?: {
      preferredDuringSchedulingIgnoredDuringExecution?: {
        weight: number;
        podAffinityTerm: {
          topologyKey: string;
          labelSelector: { matchLabels: Record<string, string> };
        };
      }[];
    };
  };
  imagePullSecrets?: { name: string }[];
  containers: Container[];
  initContainers?: Container[];
  volumes?: {
    name: string;
    secret?: { secretName: string; items?: { key: string; path: string }[] };
    configMap?: { name: string };
  }[];
}
interface NodeGroup {
  name: string;
  desiredSize: number;
  labels?: Record<string, string>;
  taints?: { key: string; value?: string; effect: string }[];
}
interface Cluster {
  nodeGroups: NodeGroup[];
  outOfBandSecrets?: { name: string; namespace: string; keys?: string[] }[];
}

const CHART = 'scalardl';
const CLI = join(REPO_ROOT, 'dist/cli/main.js');
const NLB_ANNOTATIONS = {
  'service.beta.kubernetes.io/aws-load-balancer-internal': 'true',
  'service.beta.kubernetes.io/aws-load-balancer-type': 'nlb',
};
/** Pods that must sit on a dedicated pool in prd, with the node group they belong to. */
const POOL_WORKLOADS = [
  { ns: 'scalardl', name: 'scalardl-ledger', group: 'scalardl' },
  { ns: 'scalardl', name: 'scalardl-envoy', group: 'scalardl' },
  { ns: 'scalardl-auditor', name: 'scalardl-auditor', group: 'scalardl-auditor' },
  { ns: 'scalardl-auditor', name: 'scalardl-auditor-envoy', group: 'scalardl-auditor' },
];

const WORKLOAD_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'Job']);

function chartObjects(manifests: Manifest[]): KubeObject[] {
  return manifests.filter((m) => m.chart === CHART).map((m) => m.object);
}

/** The chart's object of that kind and name; `namespace` is undefined for cluster-scoped kinds. */
function find(
  manifests: Manifest[],
  kind: string,
  namespace: string | undefined,
  name: string,
): KubeObject {
  const found = chartObjects(manifests).find(
    (o) => o.kind === kind && o.metadata.name === name && o.metadata.namespace === namespace,
  );
  if (!found) throw new Error(`scalardl chart rendered no ${kind} ${namespace}/${name}`);
  return found;
}

function podSpec(obj: KubeObject): PodSpec {
  return (obj.spec as { template: { spec: PodSpec } }).template.spec;
}

function podLabels(obj: KubeObject): Record<string, string> {
  return (obj.spec as { template: { metadata: { labels: Record<string, string> } } }).template
    .metadata.labels;
}

function annotations(obj: KubeObject): Record<string, string> {
  return (obj.metadata.annotations as Record<string, string> | undefined) ?? {};
}

function syncWave(obj: KubeObject): number {
  return Number(annotations(obj)['argocd.argoproj.io/sync-wave'] ?? '0');
}

function properties(configMap: KubeObject, key: string): Map<string, string> {
  const text = (configMap.data as Record<string, string>)[key];
  const out = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = /^([^#=\s][^=]*)=(.*)$/.exec(line.trim());
    if (m) out.set(m[1], m[2]);
  }
  return out;
}

function envOf(c: Container, name: string) {
  return c.env?.find((e) => e.name === name);
}

function clusterOf(env: string): Cluster {
  const loaded = renderEnvironment(REPO_ROOT, env, { environ: {} }).loaded;
  return (loaded.values.global as { clusters: Record<string, Cluster> }).clusters[env];
}

function nodeGroup(cluster: Cluster, name: string): NodeGroup {
  const g = cluster.nodeGroups.find((n) => n.name === name);
  if (!g) throw new Error(`cluster declares no node group ${name}`);
  return g;
}

/** Runs the built CLI on a project folder. */
function runCli(root: string, ...args: string[]) {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build first`);
  return spawnSync(process.execPath, [CLI, '--root', root, ...args], { encoding: 'utf8' });
}

/** Edits a values file of a temporary copy, failing when the text to replace is not there. */
function editValues(dir: string, file: string, from: RegExp, to: string): string[] {
  const path = join(dir, file);
  const before = readFileSync(path, 'utf8');
  const after = before.replace(from, to);
  expect(after, `${file} should contain ${from}`).not.toBe(before);
  writeFileSync(path, after);
  return after.split('\n');
}

let dev: Manifest[];
let prd: Manifest[];
let prdCluster: Cluster;
let devCluster: Cluster;

beforeAll(() => {
  dev = renderRepo('dev');
  prd = renderRepo('prd');
  prdCluster = clusterOf('prd');
  devCluster = clusterOf('dev');
});

describe('scalardl chart: scheduling on the dedicated node pools', () => {
  it('in prd, Ledger, Envoy, Auditor and its Envoy tolerate their pool taint and require its label', () => {
    for (const w of POOL_WORKLOADS) {
      const group = nodeGroup(prdCluster, w.group);
      const spec = podSpec(find(prd, 'Deployment', w.ns, w.name));
      // The pod tolerates exactly the group's taints...
      const expected = (group.taints ?? []).map((t) => ({
        key: t.key,
        operator: 'Equal',
        value: t.value,
        effect: t.effect,
      }));
      expect(expected.length, `node group ${w.group} is tainted`).toBeGreaterThan(0);
      expect(spec.tolerations, w.name).toEqual(expected);
      // ...and requires the group's agentpool label.
      const terms =
        spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution
          ?.nodeSelectorTerms;
      expect(terms, w.name).toEqual([
        {
          matchExpressions: [
            { key: 'agentpool', operator: 'In', values: [group.labels?.agentpool] },
          ],
        },
      ]);
    }
    // The domain's literal values, so a wrong cluster declaration cannot hide a wrong chart.
    const ledger = podSpec(find(prd, 'Deployment', 'scalardl', 'scalardl-ledger'));
    expect(ledger.tolerations).toEqual([
      { key: 'kubernetes.io/app', operator: 'Equal', value: 'scalardlpool', effect: 'NoSchedule' },
    ]);
    expect(
      ledger.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution
        ?.nodeSelectorTerms[0].matchExpressions,
    ).toEqual([{ key: 'agentpool', operator: 'In', values: ['scalardlpool'] }]);
  });

  it('in prd, each of them prefers one pod per node (anti-affinity on kubernetes.io/hostname)', () => {
    for (const w of POOL_WORKLOADS) {
      const obj = find(prd, 'Deployment', w.ns, w.name);
      const terms =
        podSpec(obj).affinity?.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution;
      expect(terms, w.name).toHaveLength(1);
      const term = terms![0].podAffinityTerm;
      expect(term.topologyKey).toBe('kubernetes.io/hostname');
      // The selector picks this workload's own pods, and only them.
      expect(podLabels(obj)).toMatchObject(term.labelSelector.matchLabels);
      expect(term.labelSelector.matchLabels['app.kubernetes.io/name']).toBe(w.name);
    }
  });

  it('in dev (Minikube, no pools, no taints), Ledger and Envoy have no tolerations and no affinity', () => {
    expect(devCluster.nodeGroups.every((g) => !g.taints || g.taints.length === 0)).toBe(true);
    for (const name of ['scalardl-ledger', 'scalardl-envoy']) {
      const spec = podSpec(find(dev, 'Deployment', 'scalardl', name));
      expect(spec.tolerations, name).toBeUndefined();
      expect(spec.affinity, name).toBeUndefined();
    }
    // Nothing in the chart tolerates a pool taint in dev.
    for (const obj of chartObjects(dev).filter((o) => WORKLOAD_KINDS.has(o.kind))) {
      expect(podSpec(obj).tolerations, obj.metadata.name).toBeUndefined();
    }
  });

  it('in prd, replicas equal the desiredSize of the pool node group', () => {
    for (const w of POOL_WORKLOADS) {
      const replicas = (find(prd, 'Deployment', w.ns, w.name).spec as { replicas: number })
        .replicas;
      expect(replicas, w.name).toBe(nodeGroup(prdCluster, w.group).desiredSize);
    }
    expect(
      (find(prd, 'Deployment', 'scalardl', 'scalardl-ledger').spec as { replicas: number })
        .replicas,
    ).toBe(3);
  });
});

describe('scalardl chart: services and ports', () => {
  it('Envoy Services carry the internal NLB annotations in prd only', () => {
    for (const [ns, name] of [
      ['scalardl', 'scalardl-envoy'],
      ['scalardl-auditor', 'scalardl-auditor-envoy'],
    ]) {
      const svc = find(prd, 'Service', ns, name);
      expect((svc.spec as { type: string }).type).toBe('LoadBalancer');
      expect(annotations(svc)).toMatchObject(NLB_ANNOTATIONS);
    }
    const devSvc = find(dev, 'Service', 'scalardl', 'scalardl-envoy');
    const awsKeys = Object.keys(annotations(devSvc)).filter((k) => k.includes('aws-load-balancer'));
    expect(awsKeys).toEqual([]);
    // No other Service of the chart asks for an AWS load balancer, in either environment.
    for (const obj of [...chartObjects(prd), ...chartObjects(dev)].filter(
      (o) => o.kind === 'Service',
    )) {
      if (obj.metadata.name === 'scalardl-envoy' || obj.metadata.name === 'scalardl-auditor-envoy')
        continue;
      expect(Object.keys(annotations(obj)).some((k) => k.includes('aws-load-balancer'))).toBe(
        false,
      );
    }
  });

  it('exposes Ledger 50051/50052/50053 headless, Envoy 50051/50052 (Auditor 40051/40052) and 9001', () => {
    const ports = (o: KubeObject) =>
      (o.spec as { ports: { port: number }[] }).ports.map((p) => p.port);
    const headless = find(prd, 'Service', 'scalardl', 'scalardl-ledger-headless');
    expect((headless.spec as { clusterIP: string }).clusterIP).toBe('None');
    expect(ports(headless)).toEqual([50051, 50052, 50053]);
    expect(ports(find(prd, 'Service', 'scalardl', 'scalardl-envoy'))).toEqual([50051, 50052]);
    expect(ports(find(prd, 'Service', 'scalardl', 'scalardl-envoy-metrics'))).toEqual([9001]);
    expect(ports(find(prd, 'Service', 'scalardl', 'scalardl-ledger-metrics'))).toEqual([8080]);
    expect(ports(find(prd, 'Service', 'scalardl-auditor', 'scalardl-auditor-envoy'))).toEqual([
      40051, 40052,
    ]);
    const envoy = podSpec(find(prd, 'Deployment', 'scalardl', 'scalardl-envoy')).containers[0];
    expect(envoy.ports?.map((p) => p.containerPort)).toEqual([50051, 50052, 9001]);
    const ledger = podSpec(find(prd, 'Deployment', 'scalardl', 'scalardl-ledger')).containers[0];
    expect(ledger.ports?.map((p) => p.containerPort)).toEqual([50051, 50052, 50053, 8080]);
  });

  it("each Envoy forwards to its backend's headless Service on ports that Service has", () => {
    for (const [manifests, ns, envoyName, headlessName] of [
      [prd, 'scalardl', 'scalardl-envoy', 'scalardl-ledger-headless'],
      [dev, 'scalardl', 'scalardl-envoy', 'scalardl-ledger-headless'],
      [prd, 'scalardl-auditor', 'scalardl-auditor-envoy', 'scalardl-auditor-headless'],
    ] as const) {
      const envoy = podSpec(find(manifests, 'Deployment', ns, envoyName)).containers[0];
      expect(envOf(envoy, 'scalardl_address')?.value).toBe(headlessName);
      const headless = find(manifests, 'Service', ns, headlessName);
      const backendPorts = (headless.spec as { ports: { port: number }[] }).ports.map(
        (p) => p.port,
      );
      const listenerPorts = envOf(envoy, 'service_listeners')!
        .value!.split(',')
        .map((l) => Number(l.split(':')[1]));
      expect(listenerPorts.length).toBe(2);
      for (const p of listenerPorts) expect(backendPorts).toContain(p);
    }
  });

  it('names the Envoy listeners as the upstream scalardl and scalardl-audit charts do', () => {
    // envoy.envoyConfiguration.serviceListeners of scalar-labs/helm-charts (scalardl 4.9.0,
    // scalardl-audit 2.9.0).
    const listeners = (ns: string, name: string) =>
      envOf(podSpec(find(prd, 'Deployment', ns, name)).containers[0], 'service_listeners')?.value;
    expect(listeners('scalardl', 'scalardl-envoy')).toBe(
      'scalardl-service:50051,scalardl-privileged:50052',
    );
    expect(listeners('scalardl-auditor', 'scalardl-auditor-envoy')).toBe(
      'scalardl-audit-service:40051,scalardl-audit-privileged:40052',
    );
  });
});

/**
 * Where the 3.x images read their properties: ledger/Dockerfile of scalar-labs/scalardl (v3.10.5)
 * has WORKDIR /scalar/ledger and CMD `dockerize -template ledger.properties.tmpl:/tmp/ledger.properties
 * ... --config=/tmp/ledger.properties`; the Auditor image does the same in /scalar/auditor (the
 * scalardl-audit 2.9.0 chart of scalar-labs/helm-charts mounts auditor.properties.tmpl there).
 */
const IMAGE_TEMPLATES = [
  { ns: 'scalardl', name: 'scalardl-ledger', path: '/scalar/ledger/ledger.properties.tmpl' },
  {
    ns: 'scalardl-auditor',
    name: 'scalardl-auditor',
    path: '/scalar/auditor/auditor.properties.tmpl',
  },
];

describe('scalardl chart: properties where the image reads them', () => {
  it.each(IMAGE_TEMPLATES)(
    'mounts the $name properties at $path, as the image start-up reads them',
    ({ ns, name, path }) => {
      for (const manifests of ns === 'scalardl' ? [dev, prd] : [prd]) {
        const spec = podSpec(find(manifests, 'Deployment', ns, name));
        const [container] = spec.containers;
        expect(container.image).toMatch(/:3\.\d+\.\d+$/); // the 3.x start-up described above
        const volume = spec.volumes!.find((v) => v.configMap)!;
        const configMap = find(manifests, 'ConfigMap', ns, volume.configMap!.name);
        const mount = container.volumeMounts!.find((m) => m.name === volume.name)!;
        expect(mount.mountPath).toBe(path);
        const key = mount.subPath!;
        expect(key).toBe(path.split('/').pop());
        const text = (configMap.data as Record<string, string>)[key];
        expect(text).toMatch(/^scalar\.db\.contact_points=\S+/m);
        // dockerize renders the file as a Go template: nothing in it may start a template action.
        expect(text).not.toContain('{{');
      }
    },
  );
});

describe('scalardl chart: licence', () => {
  it('leaves the licence out where no key is set (dev)', () => {
    const text = JSON.stringify(chartObjects(dev));
    expect(text).not.toMatch(/licens/i);
  });

  it('reads the prd licence keys from their own Secrets, through the environment', () => {
    for (const { ns, name, secret, variable } of [
      {
        ns: 'scalardl',
        name: 'scalardl-ledger',
        secret: 'scalardl-ledger-license',
        variable: 'SCALARDL_LEDGER_LICENSE_KEY',
      },
      {
        ns: 'scalardl-auditor',
        name: 'scalardl-auditor',
        secret: 'scalardl-auditor-license',
        variable: 'SCALARDL_AUDITOR_LICENSE_KEY',
      },
    ]) {
      const server = podSpec(find(prd, 'Deployment', ns, name)).containers[0];
      expect(envOf(server, 'SCALAR_DL_LICENSING_LICENSE_KEY')?.valueFrom?.secretKeyRef).toEqual({
        name: secret,
        key: 'license-key',
      });
      const stored = find(prd, 'Secret', ns, secret).stringData as Record<string, string>;
      expect(stored).toEqual({ 'license-key': `<<secret:${variable}>>` });
      const configMap = find(prd, 'ConfigMap', ns, `${name}-properties`);
      const props = properties(
        configMap,
        IMAGE_TEMPLATES.find((t) => t.ns === ns)!
          .path.split('/')
          .pop()!,
      );
      expect(props.get('scalar.dl.licensing.license_key')).toBe(
        '${env:SCALAR_DL_LICENSING_LICENSE_KEY}',
      );
      expect(props.has('scalar.dl.licensing.license_check_cert_pem')).toBe(false);
    }
  });

  it('passes a licence check certificate, when set, as a variable the properties read', () => {
    const dir = copyRepo();
    const pem = '-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUZ\n-----END CERTIFICATE-----\n';
    editValues(
      dir,
      'values/prd/scalardl.yaml',
      / {4}ledgerAuditorEnabled: true\n/,
      `    ledgerAuditorEnabled: true\n    licensing:\n      licenseCheckCertPem: ${JSON.stringify(pem)}\n`,
    );
    const manifests = renderEnvironment(dir, 'prd', { environ: {} }).release.manifests;
    const ledger = podSpec(find(manifests, 'Deployment', 'scalardl', 'scalardl-ledger'))
      .containers[0];
    expect(envOf(ledger, 'SCALAR_DL_LICENSING_LICENSE_CHECK_CERT_PEM')?.value).toBe(pem);
    const props = properties(
      find(manifests, 'ConfigMap', 'scalardl', 'scalardl-ledger-properties'),
      'ledger.properties.tmpl',
    );
    expect(props.get('scalar.dl.licensing.license_check_cert_pem')).toBe(
      '${env:SCALAR_DL_LICENSING_LICENSE_CHECK_CERT_PEM}',
    );
    // The Auditor has its own (here unset) certificate.
    const auditor = podSpec(find(manifests, 'Deployment', 'scalardl-auditor', 'scalardl-auditor'))
      .containers[0];
    expect(envOf(auditor, 'SCALAR_DL_LICENSING_LICENSE_CHECK_CERT_PEM')).toBeUndefined();
  });
});

describe('scalardl chart: Asset Proofs and the Auditor', () => {
  it('mounts the ledger-keys Secret at /keys and points the proof key path into it in prd', () => {
    const spec = podSpec(find(prd, 'Deployment', 'scalardl', 'scalardl-ledger'));
    const volume = spec.volumes?.find((v) => v.secret?.secretName === 'ledger-keys');
    expect(volume?.secret?.items).toEqual([{ key: 'private-key', path: 'private-key' }]);
    const mount = spec.containers[0].volumeMounts?.find((m) => m.name === volume!.name);
    expect(mount?.mountPath).toBe('/keys');
    const props = properties(
      find(prd, 'ConfigMap', 'scalardl', 'scalardl-ledger-properties'),
      'ledger.properties.tmpl',
    );
    expect(props.get('scalar.dl.ledger.proof.enabled')).toBe('true');
    expect(props.get('scalar.dl.ledger.proof.private_key_path')).toBe('/keys/private-key');
    expect(props.get('scalar.dl.ledger.auditor.enabled')).toBe('true');
    // The Secret is one the cluster declares as created out of band.
    expect(prdCluster.outOfBandSecrets).toContainEqual(
      expect.objectContaining({ name: 'ledger-keys', namespace: 'scalardl' }),
    );
  });

  it('neither mounts nor configures ledger-keys in dev, where proofs are off', () => {
    const spec = podSpec(find(dev, 'Deployment', 'scalardl', 'scalardl-ledger'));
    expect(spec.volumes?.some((v) => v.secret?.secretName === 'ledger-keys')).toBe(false);
    expect(spec.containers[0].volumeMounts?.some((m) => m.mountPath === '/keys')).toBe(false);
    const props = properties(
      find(dev, 'ConfigMap', 'scalardl', 'scalardl-ledger-properties'),
      'ledger.properties.tmpl',
    );
    expect(props.get('scalar.dl.ledger.proof.enabled')).toBe('false');
    expect(props.has('scalar.dl.ledger.proof.private_key_path')).toBe(false);
    expect(props.get('scalar.dl.ledger.auditor.enabled')).toBe('false');
    expect(JSON.stringify(chartObjects(dev))).not.toContain('ledger-keys');
  });

  it('renders the Auditor, in its own namespace, in prd only', () => {
    const auditorKinds = chartObjects(prd)
      .filter((o) => o.metadata.namespace === 'scalardl-auditor')
      .map((o) => `${o.kind}/${o.metadata.name}`)
      .sort();
    expect(auditorKinds).toEqual([
      'ConfigMap/scalardl-auditor-properties',
      'Deployment/scalardl-auditor',
      'Deployment/scalardl-auditor-envoy',
      'Job/scalardl-auditor-schema-loader',
      'Secret/scalardl-auditor-db',
      'Secret/scalardl-auditor-license',
      'Service/scalardl-auditor-envoy',
      'Service/scalardl-auditor-envoy-metrics',
      'Service/scalardl-auditor-headless',
      'Service/scalardl-auditor-metrics',
    ]);
    const namespaces = (m: Manifest[]) =>
      chartObjects(m)
        .filter((o) => o.kind === 'Namespace')
        .map((o) => o.metadata.name)
        .sort();
    expect(namespaces(prd)).toEqual(['scalardl', 'scalardl-auditor']);
    expect(namespaces(dev)).toEqual(['scalardl']);
    const auditorInDev = chartObjects(dev).filter(
      (o) => o.metadata.name.includes('auditor') || o.metadata.namespace === 'scalardl-auditor',
    );
    expect(auditorInDev).toEqual([]);

    const auditor = podSpec(find(prd, 'Deployment', 'scalardl-auditor', 'scalardl-auditor'));
    const keys = auditor.volumes?.find((v) => v.secret?.secretName === 'auditor-keys');
    expect(keys?.secret?.items?.map((i) => i.key).sort()).toEqual(['certificate', 'private-key']);
    expect(auditor.containers[0].volumeMounts?.find((m) => m.name === keys!.name)?.mountPath).toBe(
      '/keys',
    );
    const props = properties(
      find(prd, 'ConfigMap', 'scalardl-auditor', 'scalardl-auditor-properties'),
      'auditor.properties.tmpl',
    );
    expect(props.get('scalar.dl.auditor.cert_path')).toBe('/keys/certificate');
    expect(props.get('scalar.dl.auditor.private_key_path')).toBe('/keys/private-key');
    expect(props.get('scalar.dl.auditor.server.port')).toBe('40051');
  });

  it('refuses (exit 2, at the values line) an Auditor without Asset Proofs on the Ledger', () => {
    const dir = copyRepo();
    const lines = editValues(
      dir,
      'values/prd/scalardl.yaml',
      /ledgerProofEnabled: true/,
      'ledgerProofEnabled: false',
    );
    const line = lines.findIndex((l) => l.includes('ledgerProofEnabled: false')) + 1;
    const r = runCli(dir, 'render', '--env', 'prd');
    expect(r.status).toBe(2);
    // The chart's values schema (if auditor.enabled then ...) names the line that is wrong.
    expect(r.stderr).toMatch(
      new RegExp(
        `^error: values/prd/scalardl\\.yaml:${line}: invalid value scalardl\\.ledger\\.ledgerProofEnabled: `,
      ),
    );
    expect(r.stderr).toContain('scalardl.auditor.enabled is true');
    expect(r.stderr).toContain('ledgerProofEnabled is false');
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(existsSync(join(dir, 'release', 'prd'))).toBe(false); // nothing written
  });

  it('refuses (exit 2) an Auditor while the Ledger is not in Auditor mode', () => {
    const dir = copyRepo();
    const lines = editValues(
      dir,
      'values/prd/scalardl.yaml',
      /ledgerAuditorEnabled: true/,
      'ledgerAuditorEnabled: false',
    );
    const line = lines.findIndex((l) => l.includes('ledgerAuditorEnabled: false')) + 1;
    const r = runCli(dir, 'render', '--env', 'prd');
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`^error: values/prd/scalardl\\.yaml:${line}: `));
    expect(r.stderr).toContain('ledgerAuditorEnabled is false');
  });

  it('refuses Auditor mode on a Ledger without Asset Proofs, even with no Auditor here', () => {
    const dir = copyRepo();
    const lines = editValues(
      dir,
      'values/dev/scalardl.yaml',
      /ledgerAuditorEnabled: false/,
      'ledgerAuditorEnabled: true',
    );
    const line = lines.findIndex((l) => l.includes('ledgerProofEnabled: false')) + 1;
    const r = runCli(dir, 'render', '--env', 'dev');
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(
      new RegExp(
        `^error: values/dev/scalardl\\.yaml:${line}: invalid value scalardl\\.ledger\\.ledgerProofEnabled: scalardl\\.ledger\\.ledgerAuditorEnabled needs scalardl\\.ledger\\.ledgerProofEnabled: true`,
      ),
    );
  });

  it('refuses an Auditor switched on in dev, where both Ledger flags are off', () => {
    const dir = copyRepo();
    editValues(
      dir,
      'values/dev/scalardl.yaml',
      /auditor:\n {4}enabled: false/,
      'auditor:\n    enabled: true',
    );
    let error: unknown;
    try {
      renderEnvironment(dir, 'dev', { environ: {} });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).location?.file).toBe('values/dev/scalardl.yaml');
    expect((error as InputError).message).toMatch(
      /requires (Asset Proofs|the Ledger in Auditor mode)/,
    );
    expect((error as InputError).message).toContain('(and 1 more)');
  });

  it.each([
    ['storage', /storage: jdbc/, 'storage: cassandra', /needs scalardl\.database\.storage: jdbc/],
    ['username', /username: root/, 'username: scalardl', /username must be root/],
  ])('refuses (exit 2) the in-cluster MySQL with another %s', (_what, from, to, message) => {
    const dir = copyRepo();
    const lines = editValues(dir, 'values/dev/scalardl.yaml', from, to);
    const line = lines.findIndex((l) => l.includes(to)) + 1;
    const r = runCli(dir, 'render', '--env', 'dev');
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`^error: values/dev/scalardl\\.yaml:${line}: `));
    expect(r.stderr).toMatch(message);
  });
});

describe('scalardl chart: ordering and the schema-loading Jobs', () => {
  it('runs each schema Job in an earlier sync wave than its workload, after the Secret and ConfigMap it reads', () => {
    for (const [ns, job, workload, secret, configMap] of [
      [
        'scalardl',
        'scalardl-ledger-schema-loader',
        'scalardl-ledger',
        'scalardl-ledger-db',
        'scalardl-ledger-properties',
      ],
      [
        'scalardl-auditor',
        'scalardl-auditor-schema-loader',
        'scalardl-auditor',
        'scalardl-auditor-db',
        'scalardl-auditor-properties',
      ],
    ]) {
      const j = find(prd, 'Job', ns, job);
      expect(annotations(j)['argocd.argoproj.io/sync-wave']).toBeDefined();
      expect(syncWave(j)).toBeLessThan(syncWave(find(prd, 'Deployment', ns, workload)));
      expect(syncWave(find(prd, 'Secret', ns, secret))).toBeLessThan(syncWave(j));
      expect(syncWave(find(prd, 'ConfigMap', ns, configMap))).toBeLessThan(syncWave(j));
      expect(syncWave(find(prd, 'Namespace', undefined, ns))).toBeLessThan(syncWave(j));
      // Safe to re-run on every sync: a Sync hook recreated before each run, bounded retries, cleaned up.
      expect(annotations(j)['argocd.argoproj.io/hook']).toBe('Sync');
      expect(annotations(j)['argocd.argoproj.io/hook-delete-policy']).toBe('BeforeHookCreation');
      const spec = j.spec as { backoffLimit: number; ttlSecondsAfterFinished: number };
      expect(spec.backoffLimit).toBeGreaterThan(0);
      expect(spec.ttlSecondsAfterFinished).toBeGreaterThan(0);
    }
  });

  it('loads the ledger schema (with the coordinator table) and the auditor schema', () => {
    const ledgerJob = podSpec(find(prd, 'Job', 'scalardl', 'scalardl-ledger-schema-loader'))
      .containers[0];
    expect(envOf(ledgerJob, 'SCHEMA_TYPE')?.value).toBe('ledger');
    expect(ledgerJob.args).toEqual(['--config', 'database.properties', '--coordinator']);
    const auditorJob = podSpec(
      find(prd, 'Job', 'scalardl-auditor', 'scalardl-auditor-schema-loader'),
    ).containers[0];
    expect(envOf(auditorJob, 'SCHEMA_TYPE')?.value).toBe('auditor');
    expect(auditorJob.args).toEqual(['--config', 'database.properties']);
    // Each Job reads the same storage settings as its server.
    const volumes = podSpec(
      find(prd, 'Job', 'scalardl-auditor', 'scalardl-auditor-schema-loader'),
    ).volumes;
    expect(volumes?.[0].configMap?.name).toBe('scalardl-auditor-properties');
  });
});

describe('scalardl chart: images, pull secrets and resources', () => {
  it('pulls every Scalar image from ghcr.io/scalar-labs with a pinned tag and reg-docker-secrets', () => {
    for (const [env, manifests, cluster] of [
      ['prd', prd, () => prdCluster],
      ['dev', dev, () => devCluster],
    ] as const) {
      const workloads = chartObjects(manifests).filter((o) => WORKLOAD_KINDS.has(o.kind));
      const scalarPods = workloads.filter((o) => o.metadata.name !== 'scalardl-mysql');
      expect(scalarPods.length).toBeGreaterThanOrEqual(3);
      for (const obj of scalarPods) {
        const spec = podSpec(obj);
        expect(spec.imagePullSecrets, `${env} ${obj.metadata.name}`).toEqual([
          { name: 'reg-docker-secrets' },
        ]);
        expect(
          cluster().outOfBandSecrets,
          `${env}: reg-docker-secrets declared in ${obj.metadata.namespace}`,
        ).toContainEqual(
          expect.objectContaining({
            name: 'reg-docker-secrets',
            namespace: obj.metadata.namespace,
          }),
        );
        for (const c of spec.containers) {
          expect(c.image).toMatch(
            /^ghcr\.io\/scalar-labs\/(scalar-ledger|scalar-envoy|scalardl-schema-loader|scalar-auditor):[0-9]+\.[0-9]+\.[0-9]+$/,
          );
        }
      }
    }
    const images = chartObjects(prd)
      .filter((o) => WORKLOAD_KINDS.has(o.kind))
      .flatMap((o) => podSpec(o).containers.map((c) => c.image.split(':')[0]));
    expect(new Set(images)).toEqual(
      new Set([
        'ghcr.io/scalar-labs/scalar-ledger',
        'ghcr.io/scalar-labs/scalar-envoy',
        'ghcr.io/scalar-labs/scalardl-schema-loader',
        'ghcr.io/scalar-labs/scalar-auditor',
      ]),
    );
  });

  it('gives every container CPU and memory requests and limits, in both environments', () => {
    for (const manifests of [dev, prd]) {
      for (const obj of chartObjects(manifests).filter((o) => WORKLOAD_KINDS.has(o.kind))) {
        const spec = podSpec(obj);
        for (const c of [...spec.containers, ...(spec.initContainers ?? [])]) {
          const where = `${obj.metadata.namespace}/${obj.metadata.name}/${c.name}`;
          expect(c.resources?.requests?.cpu, where).toBeDefined();
          expect(c.resources?.requests?.memory, where).toBeDefined();
          expect(c.resources?.limits?.cpu, where).toBeDefined();
          expect(c.resources?.limits?.memory, where).toBeDefined();
        }
      }
    }
  });
});

describe('scalardl chart: database settings and the password', () => {
  it('keeps the prd passwords as placeholders in Secrets, read by the servers and Jobs through env', () => {
    const ledgerSecret = find(prd, 'Secret', 'scalardl', 'scalardl-ledger-db');
    expect(ledgerSecret.stringData).toEqual({ password: '<<secret:SCALARDL_DB_PASSWORD>>' });
    const auditorSecret = find(prd, 'Secret', 'scalardl-auditor', 'scalardl-auditor-db');
    expect(auditorSecret.stringData).toEqual({
      password: '<<secret:SCALARDL_AUDITOR_DB_PASSWORD>>',
    });
    // Only those Secrets hold a placeholder.
    for (const obj of chartObjects(prd)) {
      if (obj.kind === 'Secret') continue;
      expect(JSON.stringify(obj), `${obj.kind}/${obj.metadata.name}`).not.toContain('<<secret:');
    }
    for (const [ns, workload, secret] of [
      ['scalardl', 'scalardl-ledger', 'scalardl-ledger-db'],
      ['scalardl', 'scalardl-ledger-schema-loader', 'scalardl-ledger-db'],
      ['scalardl-auditor', 'scalardl-auditor', 'scalardl-auditor-db'],
      ['scalardl-auditor', 'scalardl-auditor-schema-loader', 'scalardl-auditor-db'],
    ]) {
      const obj = find(prd, workload.endsWith('loader') ? 'Job' : 'Deployment', ns, workload);
      const env = envOf(podSpec(obj).containers[0], 'SCALAR_DB_PASSWORD');
      expect(env?.valueFrom?.secretKeyRef, workload).toEqual({ name: secret, key: 'password' });
    }
    const props = properties(
      find(prd, 'ConfigMap', 'scalardl', 'scalardl-ledger-properties'),
      'ledger.properties.tmpl',
    );
    expect(props.get('scalar.db.password')).toBe('${env:SCALAR_DB_PASSWORD}');
  });

  it('never puts a real password into a ConfigMap or anything but its Secret', () => {
    // Real mode, as publish renders it: every declared prd secret gets a recognisable value.
    const decls = readSecretDeclarations(openProject(REPO_ROOT)).filter(
      (d) => !d.environments || d.environments.includes('prd'),
    );
    const environ = Object.fromEntries(
      decls.map((d) => [d.variable, `real-${d.variable.toLowerCase()}-Zq9`]),
    );
    const real = renderEnvironment(REPO_ROOT, 'prd', { environ, secretMode: 'real' }).release
      .manifests;
    const ledgerPw = environ.SCALARDL_DB_PASSWORD;
    const auditorPw = environ.SCALARDL_AUDITOR_DB_PASSWORD;
    expect(ledgerPw && auditorPw).toBeTruthy();
    expect(find(real, 'Secret', 'scalardl', 'scalardl-ledger-db').stringData).toEqual({
      password: ledgerPw,
    });
    for (const obj of chartObjects(real)) {
      const text = JSON.stringify(obj);
      const holder = obj.kind === 'Secret';
      if (!holder) {
        expect(text, `${obj.kind}/${obj.metadata.name}`).not.toContain(ledgerPw);
        expect(text, `${obj.kind}/${obj.metadata.name}`).not.toContain(auditorPw);
      }
    }
    // And in dev the throwaway password sits in the Secret alone.
    const devPw = String(
      (find(dev, 'Secret', 'scalardl', 'scalardl-ledger-db').stringData as { password: string })
        .password,
    );
    expect(devPw.length).toBeGreaterThan(0);
    expect(devPw).not.toContain('<<secret:');
    for (const obj of chartObjects(dev).filter((o) => o.kind !== 'Secret')) {
      expect(JSON.stringify(obj), `${obj.kind}/${obj.metadata.name}`).not.toContain(devPw);
    }
    for (const cm of [...chartObjects(dev), ...chartObjects(prd)].filter(
      (o) => o.kind === 'ConfigMap',
    )) {
      for (const value of Object.values(cm.data as Record<string, string>)) {
        for (const line of value.split('\n').filter((l) => /password/i.test(l))) {
          expect(line).toMatch(/=\$\{env:[A-Z_]+\}$/);
        }
      }
    }
  });

  it('configures storage, contact points, port and username from the values', () => {
    const props = properties(
      find(prd, 'ConfigMap', 'scalardl', 'scalardl-ledger-properties'),
      'ledger.properties.tmpl',
    );
    expect(props.get('scalar.db.storage')).toBe('jdbc');
    expect(props.get('scalar.db.contact_points')).toMatch(
      /^jdbc:mysql:\/\/[a-z0-9.-]+\.rds\.amazonaws\.com:3306\/$/,
    );
    expect(props.get('scalar.db.contact_port')).toBe('3306');
    expect(props.get('scalar.db.username')).toBe('scalardl');
  });

  it('in dev, points the Ledger at the in-cluster MySQL it renders, with the same password Secret', () => {
    const props = properties(
      find(dev, 'ConfigMap', 'scalardl', 'scalardl-ledger-properties'),
      'ledger.properties.tmpl',
    );
    const url = /^jdbc:mysql:\/\/([^:/]+):(\d+)\/$/.exec(
      props.get('scalar.db.contact_points') ?? '',
    );
    expect(url).not.toBeNull();
    const [service, namespace] = url![1].split('.');
    const svc = find(dev, 'Service', namespace, service);
    expect((svc.spec as { ports: { port: number }[] }).ports[0].port).toBe(Number(url![2]));
    const mysql = find(dev, 'StatefulSet', namespace, service);
    expect(podLabels(mysql)).toMatchObject(
      (svc.spec as { selector: Record<string, string> }).selector,
    );
    const root = envOf(podSpec(mysql).containers[0], 'MYSQL_ROOT_PASSWORD');
    expect(root?.valueFrom?.secretKeyRef).toEqual({ name: 'scalardl-ledger-db', key: 'password' });
    expect(props.get('scalar.db.username')).toBe('root');
    // prd renders no database of its own.
    expect(chartObjects(prd).some((o) => o.kind === 'StatefulSet')).toBe(false);
  });

  it('rejects a wrong type in values/prd/scalardl.yaml with exit 2, naming the file and line', () => {
    const dir = copyRepo();
    const lines = editValues(
      dir,
      'values/prd/scalardl.yaml',
      /(\n {2}ledger:\n {4})replicas: 3\n/,
      '$1replicas: three\n',
    );
    const line = lines.findIndex((l) => l.trim() === 'replicas: three') + 1;
    expect(line).toBeGreaterThan(0);
    const r = runCli(dir, 'render', '--env', 'prd');
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`values/prd/scalardl.yaml:${line}:`);
    expect(r.stderr).toContain('scalardl.ledger.replicas');
    expect(r.stderr).toContain('must be integer');
  });
});
