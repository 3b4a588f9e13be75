import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { InputError } from '../../core/errors.js';
import type { Manifest } from '../../core/manifest.js';
import { renderEnvironment } from '../../generator/pipeline.js';
import { readSecretDeclarations } from '../../generator/values/secrets.js';
import { openProject } from '../../generator/project.js';
import { REPO_ROOT, copyRepo, ofKind, renderWithEditedValue } from '../helpers.js';

type Obj = Record<string, any>;

interface Rendered {
  manifests: Manifest[];
  values: Record<string, Obj>;
}

const PLACEHOLDER = '<<secret:ARGOCD_ECR_PASSWORD>>';

function render(root: string, env: string): Rendered {
  const r = renderEnvironment(root, env, { environ: {} });
  return { manifests: r.release.manifests, values: r.loaded.values as Record<string, Obj> };
}

/** name -> version of every chart, read from the charts' own chart.yaml files. */
function chartVersions(): Map<string, string> {
  const out = new Map<string, string>();
  for (const dir of readdirSync(join(REPO_ROOT, 'charts'), { withFileTypes: true })) {
    // charts/_partials/ holds the partials every chart shares; it is not a chart.
    if (!dir.isDirectory() || dir.name.startsWith('_')) continue;
    const meta = load(readFileSync(join(REPO_ROOT, 'charts', dir.name, 'chart.yaml'), 'utf8'));
    out.set((meta as Obj).name, (meta as Obj).version);
  }
  return out;
}

function argo(r: Rendered, kind: string): Obj[] {
  return ofKind(r.manifests, kind, 'argocd') as Obj[];
}

function one(r: Rendered, kind: string): Obj {
  const found = argo(r, kind);
  expect(found, kind).toHaveLength(1);
  return found[0];
}

function podSpec(cronJob: Obj): Obj {
  return cronJob.spec.jobTemplate.spec.template.spec;
}

describe('argocd chart', () => {
  let prd: Rendered;
  let registry: string;
  beforeAll(() => {
    prd = render(REPO_ROOT, 'prd');
    const cluster = prd.values.global.clusters.prd;
    registry = `${cluster.accountId}.dkr.ecr.${cluster.region}.amazonaws.com`;
  });

  it('has one Application per published chart, at the version of its chart.yaml', () => {
    const versions = chartVersions();
    const apps = argo(prd, 'Application');
    const expected = [...versions.keys()].filter((c) => c !== 'argocd' && c !== 'eks').sort();
    expect(expected).toContain('app');
    expect(expected).toContain('istio');
    expect(apps.map((a) => a.metadata.name).sort()).toEqual(expected);
    for (const app of apps) {
      expect(app.metadata.namespace).toBe('argocd');
      const source = app.spec.source;
      expect(versions.has(source.chart), `chart ${source.chart} exists`).toBe(true);
      expect(source.chart).toBe(app.metadata.name);
      expect(source.targetRevision).toBe(versions.get(source.chart));
      expect(source.repoURL).toBe(registry);
      expect(app.spec.destination.server).toBe('https://kubernetes.default.svc');
      expect(app.spec.syncPolicy.automated).toEqual({ prune: true, selfHeal: true });
      expect(app.spec.syncPolicy.syncOptions).toContain('CreateNamespace=true');
    }
  });

  it('deploys each chart to its own namespace', () => {
    const byChart = Object.fromEntries(
      argo(prd, 'Application').map((a) => [a.spec.source.chart, a.spec.destination.namespace]),
    );
    expect(byChart).toEqual({
      app: 'apps',
      istio: 'istio-system',
      logging: 'logging',
      mxtransporter: 'mxtransporter',
      scalardl: 'scalardl',
    });
    // The map agrees with each chart's own namespace value.
    for (const [chart, ns] of Object.entries(byChart)) {
      expect(prd.values[chart].namespace, chart).toBe(ns);
    }
  });

  it('limits the AppProject to the ECR registry and the charts namespaces', () => {
    const project = argo(prd, 'AppProject').find(
      (p) => p.metadata.name === prd.values.argocd.project.name,
    )!;
    expect(project.spec.sourceRepos).toContain(registry);
    const destinations = project.spec.destinations as Obj[];
    for (const d of destinations) expect(d.server).toBe('https://kubernetes.default.svc');
    const allowed = destinations.map((d) => d.namespace);
    for (const app of argo(prd, 'Application')) {
      expect(app.spec.project).toBe(project.metadata.name);
      expect(project.spec.sourceRepos).toContain(app.spec.source.repoURL);
      expect(allowed).toContain(app.spec.destination.namespace);
    }
    // Charts also write to these namespaces besides their Application's destination.
    expect(allowed).toContain('scalardl-auditor');
    expect(allowed).toContain(prd.values.app.namespace);
    expect(allowed).not.toContain('argocd');
    // Exactly the cluster-scoped kinds the deployed charts render (Namespaces, the logging chart's RBAC).
    const deployed = new Set(argo(prd, 'Application').map((a) => a.spec.source.chart));
    const clusterScoped = new Set(
      prd.manifests
        .filter((m) => deployed.has(m.chart) && m.file.includes('/_cluster/'))
        .map((m) => `${m.object.apiVersion.split('/').slice(0, -1).join('/')}/${m.object.kind}`),
    );
    const whitelist = (project.spec.clusterResourceWhitelist as Obj[]).map(
      (w) => `${w.group}/${w.kind}`,
    );
    expect(whitelist.sort()).toEqual([...clusterScoped].sort());
    expect(whitelist).toContain('/Namespace');
  });

  it('renders the ECR repository Secret with the password as a placeholder', () => {
    const secret = one(prd, 'Secret');
    expect(secret.metadata.namespace).toBe('argocd');
    expect(secret.metadata.labels['argocd.argoproj.io/secret-type']).toBe('repository');
    expect(secret.stringData).toMatchObject({
      type: 'helm',
      enableOCI: 'true',
      url: registry,
      username: 'AWS',
      password: PLACEHOLDER,
    });
    expect(typeof secret.stringData.name).toBe('string');
    // The credential matches the Applications' repoURL exactly.
    for (const app of argo(prd, 'Application')) {
      expect(app.spec.source.repoURL).toBe(secret.stringData.url);
    }
    // The placeholder appears in that Secret only.
    const holders = prd.manifests.filter((m) => JSON.stringify(m.object).includes(PLACEHOLDER));
    expect(holders.map((m) => `${m.object.kind}/${m.object.metadata.name}`)).toEqual([
      `Secret/${secret.metadata.name}`,
    ]);
    const declared = readSecretDeclarations(openProject(REPO_ROOT)).find(
      (d) => d.variable === 'ARGOCD_ECR_PASSWORD',
    );
    expect(declared?.path).toEqual(['argocd', 'repository', 'password']);
    expect(declared?.environments).toEqual(['prd']);
  });

  it('refreshes the ECR credential with a CronJob whose ServiceAccount and RBAC fit together', () => {
    const secret = one(prd, 'Secret');
    const cronJob = one(prd, 'CronJob');
    const sa = one(prd, 'ServiceAccount');
    const role = one(prd, 'Role');
    const binding = one(prd, 'RoleBinding');
    for (const o of [cronJob, sa, role, binding]) expect(o.metadata.namespace).toBe('argocd');
    // Often enough that a 12-hour token never expires, even after a failed run.
    const hours = /^\S+ \*\/(\d+) \* \* \*$/.exec(cronJob.spec.schedule);
    expect(hours).not.toBeNull();
    expect(Number(hours![1])).toBeLessThanOrEqual(6);
    const spec = podSpec(cronJob);
    expect(spec.serviceAccountName).toBe(sa.metadata.name);
    expect(sa.metadata.annotations['eks.amazonaws.com/role-arn']).toMatch(
      /^arn:aws:iam::\d{12}:role\/.+/,
    );
    expect(binding.roleRef).toEqual({
      apiGroup: 'rbac.authorization.k8s.io',
      kind: 'Role',
      name: role.metadata.name,
    });
    expect(binding.subjects).toEqual([
      { kind: 'ServiceAccount', name: sa.metadata.name, namespace: sa.metadata.namespace },
    ]);
    // Only get/patch, only on the repository Secret.
    expect(role.rules).toEqual([
      {
        apiGroups: [''],
        resources: ['secrets'],
        resourceNames: [secret.metadata.name],
        verbs: ['get', 'patch'],
      },
    ]);
    const containers = [...(spec.initContainers ?? []), ...spec.containers] as Obj[];
    const [getToken] = spec.initContainers as Obj[];
    expect(getToken.args.join('\n')).toContain('aws ecr get-login-password');
    // kubectl itself patches the Secret (the kubectl image's ENTRYPOINT is /bin/kubectl).
    const [patch] = spec.containers as Obj[];
    expect(patch.command).toEqual(['/bin/kubectl']);
    expect(patch.args).toEqual([
      `--namespace=${secret.metadata.namespace}`,
      'patch',
      'secret',
      secret.metadata.name,
      '--type=merge',
      '--patch-file=/run/ecr/patch.json',
    ]);
    const env = Object.fromEntries(
      containers.flatMap((c) => (c.env ?? []) as Obj[]).map((e) => [e.name, e.value]),
    );
    expect(env.AWS_REGION).toBe(prd.values.global.clusters.prd.region);
    const allowed = prd.values.global.allowedRegistries as string[];
    for (const c of containers) {
      expect(c.image).toMatch(/:[\w][\w.-]*$/);
      expect(c.image.endsWith(':latest')).toBe(false);
      expect(
        allowed.some((reg) => c.image.startsWith(`${reg}/`)),
        c.image,
      ).toBe(true);
      expect(c.resources.requests).toBeDefined();
      expect(c.resources.limits).toBeDefined();
    }
    // It runs on the untainted general pool, tolerating no dedicated pool's taint.
    expect(spec.nodeSelector).toEqual({ agentpool: 'generalpool' });
    expect(spec.tolerations).toBeUndefined();
  });

  it("runs kubectl from registry.k8s.io at the cluster's minor version, the AWS CLI from its own image", () => {
    const spec = podSpec(one(prd, 'CronJob'));
    const minor = prd.values.global.clusters.prd.kubernetesVersion as string;
    const [patch] = spec.containers as Obj[];
    expect(patch.image).toMatch(
      new RegExp(`^registry\\.k8s\\.io/kubectl:v${minor.replace('.', '\\.')}\\.\\d+$`),
    );
    const [getToken] = spec.initContainers as Obj[];
    expect(getToken.image).toMatch(/^public\.ecr\.aws\/aws-cli\/aws-cli:\d+\.\d+\.\d+$/);
    for (const c of [patch, getToken]) expect(c.image).not.toMatch(/bitnami/);
  });

  it('uses the IAM role the eks chart creates for that ServiceAccount', () => {
    const sa = one(prd, 'ServiceAccount');
    const arn = sa.metadata.annotations['eks.amazonaws.com/role-arn'] as string;
    const config = ofKind(prd.manifests, 'ClusterConfig', 'eks')[0] as Obj;
    const role = (config.iam.serviceAccounts as Obj[]).find(
      (s) => s.metadata.name === sa.metadata.name && s.metadata.namespace === sa.metadata.namespace,
    );
    expect(role).toBeDefined();
    expect(arn).toBe(
      `arn:aws:iam::${prd.values.global.clusters.prd.accountId}:role/${role!.roleName}`,
    );
    expect(role!.attachPolicyARNs).toContain(
      'arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly',
    );
  });

  it('fails naming the missing namespace entry when a new chart is added', () => {
    const dir = copyRepo();
    mkdirSync(join(dir, 'charts/reports/templates'), { recursive: true });
    writeFileSync(join(dir, 'charts/reports/chart.yaml'), 'name: reports\nversion: 0.1.0\n');
    writeFileSync(join(dir, 'charts/reports/values.schema.json'), '{ "type": "object" }\n');
    let error: unknown;
    try {
      render(dir, 'prd');
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).message).toContain('argocd.namespaces.reports');
    // With the entry, the new chart gets its Application at its version.
    const shared = join(dir, 'values/shared/argocd.yaml');
    writeFileSync(
      shared,
      readFileSync(shared, 'utf8').replace(
        '    app: apps\n',
        '    app: apps\n    reports: reports\n',
      ),
    );
    const app = argo(render(dir, 'prd'), 'Application').find((a) => a.metadata.name === 'reports');
    expect(app?.spec.source.targetRevision).toBe('0.1.0');
    expect(app?.spec.destination.namespace).toBe('reports');
  });

  it('renders nothing in dev (Minikube has no ECR and no Argo CD)', () => {
    const dev = render(REPO_ROOT, 'dev');
    expect(dev.values.argocd.enabled).toBe(false);
    expect(dev.manifests.filter((m) => m.chart === 'argocd')).toEqual([]);
  });

  it('exits 2 naming the prd values file and line of a wrongly typed value', () => {
    const r = renderWithEditedValue(
      'values/prd/argocd.yaml',
      /^\s+enabled: true$/,
      'true',
      'yes please',
    );
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`values/prd/argocd.yaml:${r.line}`);
    expect(r.stderr).toContain('argocd.enabled');
  });
});
