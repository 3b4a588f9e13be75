import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { dump, load } from 'js-yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Manifest } from '../../core/manifest.js';
import type { NodeGroup, Taint } from '../../validators/types.js';
import { renderEnvironment } from '../../generator/pipeline.js';
import { REPO_ROOT, copyRepo, ofKind, renderWithEditedValue } from '../helpers.js';

type Obj = Record<string, any>;

interface Rendered {
  manifests: Manifest[];
  cluster: Obj;
}

const RESERVED = 'kubernetes.io/';

function render(root: string, env: string): Rendered {
  const r = renderEnvironment(root, env, { environ: {} });
  const global = (r.loaded.values as Record<string, Obj>).global;
  return { manifests: r.release.manifests, cluster: global.clusters[env] };
}

function eks(r: Rendered, kind: string): Obj[] {
  return ofKind(r.manifests, kind, 'eks') as Obj[];
}

function one(r: Rendered, kind: string): Obj {
  const found = eks(r, kind);
  expect(found, kind).toHaveLength(1);
  return found[0];
}

function taintText(t: Taint): string {
  return `${t.key}${t.value ? `=${t.value}` : ''}:${t.effect}`;
}

function selectorOf(group: NodeGroup): string {
  return Object.entries(group.labels ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
}

/** The taint step's table: one "<selector> <taint>" line per taint. */
function taintLines(r: Rendered): string[] {
  const data = one(r, 'ConfigMap').data.taints as string;
  expect(data.endsWith('\n')).toBe(true);
  return data.split('\n').filter((l) => l !== '');
}

/** "<selector> <taint>" for every kubernetes.io/ taint of the declaration. */
function reservedTaintsOf(cluster: Obj): string[] {
  return (cluster.nodeGroups as NodeGroup[]).flatMap((g) =>
    (g.taints ?? [])
      .filter((t) => t.key.startsWith(RESERVED))
      .map((t) => `${selectorOf(g)} ${taintText(t)}`),
  );
}

describe('eks chart', () => {
  let prd: Rendered;
  let config: Obj;
  beforeAll(() => {
    prd = render(REPO_ROOT, 'prd');
    config = one(prd, 'ClusterConfig');
  });

  it('describes the declared cluster as an eksctl ClusterConfig', () => {
    const file = prd.manifests.find((m) => m.object.kind === 'ClusterConfig')!.file;
    expect(file).toBe(`eks/_eksctl/clusterconfig-${prd.cluster.name}.yaml`);
    expect(config.apiVersion).toBe('eksctl.io/v1alpha5');
    expect(config.metadata).toEqual({
      name: prd.cluster.name,
      region: prd.cluster.region,
      version: prd.cluster.kubernetesVersion,
    });
    expect(config.iam.withOIDC).toBe(true);
    expect(config.secretsEncryption).toEqual({ keyARN: prd.cluster.kmsKeyArn });
    expect(config.cloudWatch.clusterLogging).toEqual({
      enableTypes: prd.cluster.logging.enableTypes,
      logRetentionInDays: prd.cluster.logging.retentionInDays,
    });
  });

  it('places the cluster in the declared VPC with its subnets keyed by availability zone', () => {
    const vpc = (prd.cluster.vpcs as Obj[]).find((v) => v.name === prd.cluster.vpc)!;
    expect(vpc).toBeDefined();
    expect(config.vpc.cidr).toBe(vpc.cidr);
    for (const type of ['private', 'public']) {
      const declared = (vpc.subnets as Obj[]).filter((s) => s.type === type);
      expect(declared.length).toBeGreaterThanOrEqual(2);
      const expected = Object.fromEntries(
        declared.map((s) => [s.availabilityZone, { cidr: s.cidr }]),
      );
      expect(config.vpc.subnets[type]).toEqual(expected);
    }
    // Three private subnets in three different AZs.
    expect(Object.keys(config.vpc.subnets.private)).toHaveLength(3);
  });

  it('turns every declared node group into a managed node group with the same labels', () => {
    const groups = prd.cluster.nodeGroups as NodeGroup[];
    const managed = config.managedNodeGroups as Obj[];
    expect(managed.map((g) => g.name)).toEqual(groups.map((g) => g.name));
    for (const g of groups) {
      const m = managed.find((x) => x.name === g.name)!;
      expect(m.labels).toEqual(g.labels ?? {});
      expect(m.instanceType).toBe(g.instanceType);
      expect([m.minSize, m.desiredCapacity, m.maxSize]).toEqual([
        g.minSize,
        g.desiredSize,
        g.maxSize,
      ]);
      expect(m.volumeSize).toBe(g.volumeSize);
      expect(m.privateNetworking).toBe(g.privateNetworking ?? false);
      expect(m.tags['k8s.io/cluster-autoscaler/enabled']).toBe('true');
      expect(m.tags[`k8s.io/cluster-autoscaler/${prd.cluster.name}`]).toBe('owned');
      for (const [k, v] of Object.entries(g.tags ?? {})) expect(m.tags[k]).toBe(v);
      if (g.iamPolicies?.length) {
        for (const p of g.iamPolicies) expect(m.iam.attachPolicyARNs).toContain(p);
        // eksctl attaches only the listed policies, so the worker defaults must be there too.
        expect(m.iam.attachPolicyARNs).toContain(
          'arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy',
        );
        expect(m.iam.attachPolicyARNs).toContain('arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy');
      } else {
        expect(m.iam).toBeUndefined();
      }
    }
  });

  it('keeps kubernetes.io/ taints out of the ClusterConfig', () => {
    for (const m of config.managedNodeGroups as Obj[]) {
      for (const t of (m.taints ?? []) as Taint[]) expect(t.key.startsWith(RESERVED)).toBe(false);
    }
    expect(JSON.stringify(config.managedNodeGroups.map((m: Obj) => m.taints))).not.toContain(
      RESERVED,
    );
  });

  it('applies exactly the declared kubernetes.io/ taints, the Scalar DL pools included', () => {
    const lines = taintLines(prd);
    expect(lines.sort()).toEqual(reservedTaintsOf(prd.cluster).sort());
    expect(lines).toContain('agentpool=scalardlpool kubernetes.io/app=scalardlpool:NoSchedule');
    expect(lines).toContain(
      'agentpool=scalardlauditorpool kubernetes.io/app=scalardlauditorpool:NoSchedule',
    );
    expect(lines).toHaveLength(2);
  });

  it('runs the taint step as a CronJob whose ServiceAccount may only read and patch nodes', () => {
    const cronJob = one(prd, 'CronJob');
    const configMap = one(prd, 'ConfigMap');
    const sa = one(prd, 'ServiceAccount');
    const role = one(prd, 'ClusterRole');
    const binding = one(prd, 'ClusterRoleBinding');
    for (const o of [cronJob, configMap, sa]) expect(o.metadata.namespace).toBe('kube-system');
    expect(cronJob.spec.schedule).toMatch(/^\*\/\d+ \* \* \* \*$/);
    const spec = cronJob.spec.jobTemplate.spec.template.spec;
    expect(spec.serviceAccountName).toBe(sa.metadata.name);
    expect(role.rules).toEqual([
      { apiGroups: [''], resources: ['nodes'], verbs: ['get', 'list', 'patch'] },
    ]);
    expect(binding.roleRef).toEqual({
      apiGroup: 'rbac.authorization.k8s.io',
      kind: 'ClusterRole',
      name: role.metadata.name,
    });
    expect(binding.subjects).toEqual([
      { kind: 'ServiceAccount', name: sa.metadata.name, namespace: 'kube-system' },
    ]);
    const volume = (spec.volumes as Obj[]).find((v) => v.configMap)!;
    expect(volume.configMap.name).toBe(configMap.metadata.name);
    const [container] = spec.containers as Obj[];
    const mount = (container.volumeMounts as Obj[]).find((m) => m.name === volume.name)!;
    expect(container.args.join('\n')).toContain(`< ${mount.mountPath}/taints`);
    expect(container.args.join('\n')).toContain('kubectl taint nodes --selector "$selector"');
    expect(container.args.join('\n')).toContain('--overwrite');
    // registry.k8s.io/kubectl (bash and kubectl inside) at the cluster's minor version.
    expect(container.command).toEqual(['/bin/bash', '-ec']);
    const minor = prd.cluster.kubernetesVersion as string;
    expect(container.image).toMatch(
      new RegExp(`^registry\\.k8s\\.io/kubectl:v${minor.replace('.', '\\.')}\\.\\d+$`),
    );
    expect(container.resources.requests).toBeDefined();
    expect(container.resources.limits).toBeDefined();
  });

  it('schedules the taint step on an untainted pool without tolerating a dedicated taint', () => {
    const spec = one(prd, 'CronJob').spec.jobTemplate.spec.template.spec;
    expect(spec.tolerations).toBeUndefined();
    const selector = spec.nodeSelector as Record<string, string>;
    expect(Object.keys(selector).length).toBeGreaterThan(0);
    const fits = (prd.cluster.nodeGroups as NodeGroup[]).filter(
      (g) =>
        Object.entries(selector).every(([k, v]) => g.labels?.[k] === v) &&
        !(g.taints ?? []).some((t) => t.effect !== 'PreferNoSchedule'),
    );
    expect(fits.map((g) => g.name)).toEqual(['general']);
  });

  it('keeps taints EKS accepts in the node group and out of the taint step', () => {
    const dir = copyRepo();
    const file = join(dir, 'values/shared/global.yaml');
    const doc = load(readFileSync(file, 'utf8')) as Obj;
    const general = (doc.global.clusters.prd.nodeGroups as NodeGroup[]).find(
      (g) => g.name === 'general',
    )!;
    general.taints = [{ key: 'example.com/batch', value: 'true', effect: 'PreferNoSchedule' }];
    writeFileSync(file, dump(doc));
    const r = render(dir, 'prd');
    const m = (one(r, 'ClusterConfig').managedNodeGroups as Obj[]).find(
      (g) => g.name === 'general',
    )!;
    expect(m.taints).toEqual([
      { key: 'example.com/batch', value: 'true', effect: 'PreferNoSchedule' },
    ]);
    expect(taintLines(r).sort()).toEqual(reservedTaintsOf(r.cluster).sort());
    expect(taintLines(r).join('\n')).not.toContain('example.com/batch');
  });

  it('refuses (exit 2, at the node group) a kubernetes.io/ taint on a group without labels', () => {
    const dir = copyRepo();
    const file = join(dir, 'values/shared/global.yaml');
    const text = readFileSync(file, 'utf8');
    const edited = text.replace(
      /( {8}- name: scalardl\n(?: {10}\S.*\n)*?) {10}labels:\n {12}agentpool: scalardlpool\n/,
      '$1',
    );
    expect(edited).not.toBe(text);
    writeFileSync(file, edited);
    const line = edited.split('\n').findIndex((l) => l === '        - name: scalardl') + 1;
    const r = spawnSync(
      process.execPath,
      [join(REPO_ROOT, 'dist/cli/main.js'), '--root', dir, 'render', '--env', 'prd'],
      { encoding: 'utf8' },
    );
    expect(r.status).toBe(2);
    // values/global.schema.json: the taint step selects the group's nodes by its labels.
    expect(r.stderr).toMatch(
      new RegExp(
        `^error: values/shared/global\\.yaml:${line}: missing required value global\\.clusters\\.prd\\.nodeGroups\\.1\\.labels: node group scalardl has a taint under kubernetes\\.io/`,
      ),
    );
  });

  it('renders nothing in dev (Minikube)', () => {
    const dev = render(REPO_ROOT, 'dev');
    expect(dev.cluster.provider).toBe('minikube');
    expect(dev.manifests.filter((m) => m.chart === 'eks')).toEqual([]);
  });

  it('exits 2 naming the prd values file and line of a wrongly typed value', () => {
    const r = renderWithEditedValue(
      'values/prd/eks.yaml',
      /^\s+agentpool: generalpool$/,
      'generalpool',
      '42',
    );
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`values/prd/eks.yaml:${r.line}`);
    expect(r.stderr).toContain('eks.taintJob.nodeSelector');
  });
});
