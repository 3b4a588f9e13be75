import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Manifest } from '../../core/manifest.js';
import { renderEnvironment } from '../../generator/pipeline.js';
import { copyRepo, ofKind, REPO_ROOT } from '../helpers.js';

const CLI = join(REPO_ROOT, 'dist/cli/main.js');
const PRD_FILE_FOR_KINESIS = 'values/prd/mxtransporter.yaml';
const DESTINATIONS = ['bigquery', 'pubsub', 'kinesisStream', 'file'];
const KINESIS_VARS = ['KINESIS_STREAM_NAME', 'KINESIS_STREAM_REGION'];
const REQUIRED_VARS = [
  'MONGODB_HOST',
  'MONGODB_DATABASE',
  'MONGODB_COLLECTION',
  'EXPORT_DESTINATION',
  'TIME_ZONE',
  'RESUME_TOKEN_VOLUME_DIR',
];

/** Rendered objects are untyped YAML. */
type Obj = any;

interface Collection {
  name: string;
  database: string;
  collection: string;
  exportDestinations: string[];
}

interface Taint {
  key: string;
  value?: string;
  effect: string;
}

interface Rendered {
  manifests: Manifest[];
  collections: Collection[];
  cluster: Obj;
  statefulSets: Obj[];
}

function render(env: string): Rendered {
  const r = renderEnvironment(REPO_ROOT, env, { environ: {} });
  const values = r.loaded.values as Obj;
  const manifests = r.release.manifests.filter((m) => m.chart === 'mxtransporter');
  return {
    manifests,
    collections: values.mxtransporter.collections as Collection[],
    cluster: values.global.clusters[env],
    statefulSets: ofKind(manifests, 'StatefulSet'),
  };
}

function containers(sts: Obj): Obj[] {
  return [
    ...(sts.spec.template.spec.initContainers ?? []),
    ...(sts.spec.template.spec.containers ?? []),
  ];
}

function envOf(container: Obj): Map<string, Obj> {
  return new Map((container.env ?? []).map((e: Obj) => [e.name as string, e]));
}

function mainContainer(sts: Obj): Obj {
  const found = sts.spec.template.spec.containers.find((c: Obj) => c.name === 'mxtransporter');
  expect(found, `${sts.metadata.name} has no mxtransporter container`).toBeDefined();
  return found;
}

function literal(container: Obj, name: string): string | undefined {
  const e = envOf(container).get(name);
  return e && typeof e.value === 'string' ? e.value : undefined;
}

function matches(selector: Record<string, string>, labels: Record<string, string>): boolean {
  return Object.entries(selector).every(([k, v]) => labels?.[k] === v);
}

function tolerates(tolerations: Obj[] | undefined, taint: Taint): boolean {
  return (tolerations ?? []).some(
    (t: Obj) =>
      (t.key === undefined || t.key === taint.key) &&
      (t.effect === undefined || t.effect === taint.effect) &&
      (t.operator === 'Exists' || t.value === taint.value),
  );
}

function runCli(dir: string, env: string) {
  return spawnSync(process.execPath, [CLI, '--root', dir, 'render', '--env', env], {
    encoding: 'utf8',
  });
}

/** The 1-based number of the only line of `text` matching `re`. */
function lineOf(text: string, re: RegExp): number {
  const hits = text
    .split('\n')
    .map((l, i) => (re.test(l) ? i + 1 : 0))
    .filter((n) => n > 0);
  expect(hits, `exactly one line matches ${re}`).toHaveLength(1);
  return hits[0];
}

beforeAll(() => {
  expect(existsSync(CLI), 'build first: npx tsc -p tsconfig.json').toBe(true);
});

describe.each(['dev', 'prd'])('mxtransporter chart (%s)', (env) => {
  const r = render(env);

  it('renders its Namespace and puts every namespaced object in it', () => {
    const ns = ofKind(r.manifests, 'Namespace');
    expect(ns.map((n) => n.metadata.name)).toEqual(['mxtransporter']);
    for (const m of r.manifests.filter((x) => x.object.kind !== 'Namespace')) {
      expect(m.object.metadata.namespace, m.file).toBe('mxtransporter');
    }
  });

  it('renders one StatefulSet with one volumeClaimTemplate per collection', () => {
    expect(r.collections.length).toBeGreaterThan(0);
    expect(r.statefulSets.map((s) => s.metadata.name).sort()).toEqual(
      r.collections.map((c) => `mxt-${c.name}`).sort(),
    );
    for (const sts of r.statefulSets) {
      expect(sts.spec.volumeClaimTemplates, sts.metadata.name).toHaveLength(1);
      const vct = sts.spec.volumeClaimTemplates[0];
      expect(vct.spec.resources.requests.storage).toMatch(/^[0-9]+(Mi|Gi|Ti)$/);
    }
  });

  it('gives every StatefulSet its own selector, matching only its own pods', () => {
    const selectors = r.statefulSets.map((s) => JSON.stringify(s.spec.selector.matchLabels));
    expect(new Set(selectors).size).toBe(r.statefulSets.length);
    for (const a of r.statefulSets) {
      for (const b of r.statefulSets) {
        const hit = matches(a.spec.selector.matchLabels, b.spec.template.metadata.labels);
        expect(hit, `${a.metadata.name} selects pods of ${b.metadata.name}: ${hit}`).toBe(a === b);
      }
    }
  });

  it('governs each StatefulSet by a rendered headless Service selecting its pods', () => {
    const services = ofKind(r.manifests, 'Service');
    for (const sts of r.statefulSets) {
      const svc = services.find((s) => s.metadata.name === sts.spec.serviceName) as Obj;
      expect(svc, `Service ${sts.spec.serviceName}`).toBeDefined();
      expect(svc.spec.clusterIP).toBe('None');
      expect(matches(svc.spec.selector, sts.spec.template.metadata.labels)).toBe(true);
    }
  });

  it('points each HorizontalPodAutoscaler at a rendered StatefulSet, one each', () => {
    const hpas = ofKind(r.manifests, 'HorizontalPodAutoscaler') as Obj[];
    expect(hpas).toHaveLength(r.statefulSets.length);
    const names = new Set(r.statefulSets.map((s) => s.metadata.name));
    for (const hpa of hpas) {
      expect(hpa.apiVersion).toBe('autoscaling/v2');
      expect(hpa.spec.scaleTargetRef.kind).toBe('StatefulSet');
      expect(hpa.spec.scaleTargetRef.apiVersion).toBe('apps/v1');
      expect(names.has(hpa.spec.scaleTargetRef.name), hpa.spec.scaleTargetRef.name).toBe(true);
      expect(hpa.spec.minReplicas).toBeLessThanOrEqual(hpa.spec.maxReplicas);
    }
    const targets = hpas.map((h) => h.spec.scaleTargetRef.name);
    expect(new Set(targets).size).toBe(hpas.length);
  });

  it('mounts the resume token volume at RESUME_TOKEN_VOLUME_DIR in every container', () => {
    for (const sts of r.statefulSets) {
      const claim = sts.spec.volumeClaimTemplates[0].metadata.name;
      for (const c of containers(sts)) {
        const dir = literal(c, 'RESUME_TOKEN_VOLUME_DIR');
        expect(dir, `${sts.metadata.name}/${c.name} RESUME_TOKEN_VOLUME_DIR`).toMatch(/^\//);
        const mount = (c.volumeMounts ?? []).find((v: Obj) => v.name === claim);
        expect(mount, `${sts.metadata.name}/${c.name} mounts ${claim}`).toBeDefined();
        expect(mount.mountPath).toBe(dir);
      }
    }
  });

  it('sets the required variables and the collection each exporter watches', () => {
    for (const c of r.collections) {
      const sts = r.statefulSets.find((s) => s.metadata.name === `mxt-${c.name}`);
      const main = mainContainer(sts);
      const vars = envOf(main);
      for (const v of REQUIRED_VARS) expect(vars.has(v), `${c.name} ${v}`).toBe(true);
      expect(literal(main, 'MONGODB_DATABASE')).toBe(c.database);
      expect(literal(main, 'MONGODB_COLLECTION')).toBe(c.collection);
      expect(literal(main, 'EXPORT_DESTINATION')).toBe(c.exportDestinations.join(','));
      expect(literal(main, 'TIME_ZONE')).toMatch(/^[A-Za-z_]+(\/[A-Za-z0-9_+-]+)*$/);
      expect(literal(main, 'RESUME_TOKEN_VOLUME_TYPE')).toMatch(/^(file|s3|gcs)$/);
      const names = (main.env as Obj[]).map((e) => e.name);
      expect(new Set(names).size, `${c.name} has duplicate variables`).toBe(names.length);
    }
  });

  it('exports only to known destinations', () => {
    for (const sts of r.statefulSets) {
      const value = literal(mainContainer(sts), 'EXPORT_DESTINATION') ?? '';
      const parts = value.split(',');
      expect(parts.length).toBeGreaterThan(0);
      for (const p of parts) expect(DESTINATIONS, `${sts.metadata.name}: ${value}`).toContain(p);
      expect(new Set(parts).size).toBe(parts.length);
    }
  });

  it('sets the Kinesis variables exactly for kinesisStream exporters', () => {
    for (const sts of r.statefulSets) {
      const main = mainContainer(sts);
      const kinesis = (literal(main, 'EXPORT_DESTINATION') ?? '')
        .split(',')
        .includes('kinesisStream');
      for (const v of KINESIS_VARS) {
        expect(envOf(main).has(v), `${sts.metadata.name} ${v}`).toBe(kinesis);
        if (kinesis) expect(literal(main, v), `${sts.metadata.name} ${v}`).toMatch(/\S/);
      }
      if (kinesis) {
        expect(literal(main, 'KINESIS_STREAM_REGION')).toMatch(/^[a-z]{2}(-[a-z]+)+-[0-9]$/);
      }
    }
  });

  it('reads MONGODB_HOST from the declared out-of-band Secret, never from a literal', () => {
    const declared = (r.cluster.outOfBandSecrets ?? []) as Obj[];
    for (const sts of r.statefulSets) {
      for (const c of containers(sts)) {
        const host = envOf(c).get('MONGODB_HOST');
        if (c.name === 'mxtransporter') expect(host, sts.metadata.name).toBeDefined();
        if (!host) continue;
        expect(host.value, `${sts.metadata.name} MONGODB_HOST literal`).toBeUndefined();
        const ref = host.valueFrom?.secretKeyRef;
        expect(ref).toEqual({ name: 'mxtransporter-secrets', key: 'MONGODB_HOST' });
        const secret = declared.find(
          (s) => s.name === ref.name && s.namespace === sts.metadata.namespace,
        );
        expect(secret, 'mxtransporter-secrets declared in outOfBandSecrets').toBeDefined();
        expect(secret.keys).toContain(ref.key);
        for (const e of c.env as Obj[]) {
          expect(String(e.value ?? ''), `${e.name} holds a connection string`).not.toMatch(
            /mongodb(\+srv)?:\/\//,
          );
        }
      }
    }
    // No Secret or ConfigMap with the connection string is rendered by this chart either.
    expect(ofKind(r.manifests, 'Secret')).toHaveLength(0);
  });

  it('probes liveness with an exec command and sets requests and limits', () => {
    for (const sts of r.statefulSets) {
      for (const c of sts.spec.template.spec.containers as Obj[]) {
        const command = c.livenessProbe?.exec?.command;
        expect(Array.isArray(command) && command.length > 0, `${sts.metadata.name}`).toBe(true);
        for (const kind of ['requests', 'limits']) {
          expect(c.resources?.[kind]?.cpu, `${sts.metadata.name} ${kind}.cpu`).toBeDefined();
          expect(c.resources?.[kind]?.memory, `${sts.metadata.name} ${kind}.memory`).toBeDefined();
        }
      }
    }
  });

  it('never tolerates a dedicated pool and fits a node group', () => {
    const groups = (r.cluster.nodeGroups ?? []) as Obj[];
    const taints = groups.flatMap((g) => (g.taints ?? []) as Taint[]);
    for (const sts of r.statefulSets) {
      const spec = sts.spec.template.spec;
      for (const t of taints) {
        expect(tolerates(spec.tolerations, t), `${sts.metadata.name} tolerates ${t.value}`).toBe(
          false,
        );
      }
      const fits = groups.filter(
        (g) => (g.taints ?? []).length === 0 && matches(spec.nodeSelector ?? {}, g.labels ?? {}),
      );
      expect(fits.length, `${sts.metadata.name} fits an untainted node group`).toBeGreaterThan(0);
    }
  });

  it('uses the team registry and a pinned tag', () => {
    for (const sts of r.statefulSets) {
      for (const c of containers(sts)) {
        expect(c.image).toMatch(
          /^123456789012\.dkr\.ecr\.ap-northeast-1\.amazonaws\.com\/mxtransporter:/,
        );
        const tag = c.image.split(':').pop();
        expect(tag).not.toBe('latest');
        expect(tag).toMatch(/^[A-Za-z0-9_][A-Za-z0-9_.-]*$/);
      }
    }
  });
});

describe('mxtransporter environments', () => {
  it('watches at least four collections in prd, all exported to Kinesis in ap-northeast-1', () => {
    const prd = render('prd');
    expect(prd.collections.length).toBeGreaterThanOrEqual(4);
    expect(prd.statefulSets.length).toBe(prd.collections.length);
    const streams = new Set<string>();
    for (const sts of prd.statefulSets) {
      const main = mainContainer(sts);
      expect(literal(main, 'EXPORT_DESTINATION')?.split(',')).toContain('kinesisStream');
      expect(literal(main, 'KINESIS_STREAM_REGION')).toBe('ap-northeast-1');
      streams.add(literal(main, 'KINESIS_STREAM_NAME') ?? '');
      expect(sts.spec.template.spec.nodeSelector).toEqual({ agentpool: 'generalpool' });
    }
    expect(streams.size).toBe(prd.statefulSets.length);
  });

  it('keeps the prd resume tokens on encrypted gp3 EBS volumes the cluster can provision', () => {
    const prd = render('prd');
    const all = renderEnvironment(REPO_ROOT, 'prd', { environ: {} }).release.manifests;
    const gp3 = all.find(
      (m) => m.object.kind === 'StorageClass' && m.object.metadata.name === 'gp3',
    );
    expect(gp3?.chart).toBe('eks');
    expect(gp3!.object).toMatchObject({
      provisioner: 'ebs.csi.aws.com',
      parameters: { type: 'gp3', encrypted: 'true' },
      volumeBindingMode: 'WaitForFirstConsumer',
      allowVolumeExpansion: true,
    });
    for (const sts of prd.statefulSets)
      expect(sts.spec.volumeClaimTemplates[0].spec.storageClassName, sts.metadata.name).toBe('gp3');
    // The EBS CSI driver add-on, with the IAM role eksctl creates for it (IRSA).
    const config = all.find((m) => m.object.kind === 'ClusterConfig')!.object as Obj;
    expect(config.iam.withOIDC).toBe(true);
    expect(config.addons).toContainEqual({
      name: 'aws-ebs-csi-driver',
      wellKnownPolicies: { ebsCSIController: true },
    });
  });

  it('writes to Kinesis with its own IRSA role, allowed exactly the streams of its collections', () => {
    const prd = render('prd');
    const all = renderEnvironment(REPO_ROOT, 'prd', { environ: {} }).release.manifests;
    const [sa] = ofKind(prd.manifests, 'ServiceAccount') as Obj[];
    for (const sts of prd.statefulSets)
      expect(sts.spec.template.spec.serviceAccountName).toBe(sa.metadata.name);
    const arn = sa.metadata.annotations['eks.amazonaws.com/role-arn'] as string;
    const config = all.find((m) => m.object.kind === 'ClusterConfig')!.object as Obj;
    const role = (config.iam.serviceAccounts as Obj[]).find(
      (r) => r.metadata.name === sa.metadata.name && r.metadata.namespace === sa.metadata.namespace,
    )!;
    expect(arn).toBe(`arn:aws:iam::${prd.cluster.accountId}:role/${role.roleName}`);
    expect(role.attachPolicyARNs).toBeUndefined();
    const [statement] = role.attachPolicy.Statement as Obj[];
    expect(role.attachPolicy.Statement).toHaveLength(1);
    expect(statement.Effect).toBe('Allow');
    expect([...statement.Action].sort()).toEqual([
      'kinesis:DescribeStream',
      'kinesis:DescribeStreamSummary',
      'kinesis:PutRecord',
      'kinesis:PutRecords',
    ]);
    const streams = prd.statefulSets.map((sts) => {
      const main = mainContainer(sts);
      return `arn:aws:kinesis:${literal(main, 'KINESIS_STREAM_REGION')}:${prd.cluster.accountId}:stream/${literal(main, 'KINESIS_STREAM_NAME')}`;
    });
    expect([...statement.Resource].sort()).toEqual(streams.sort());
    // No node group hands Kinesis to every pod on its nodes.
    expect(JSON.stringify(config.managedNodeGroups)).not.toMatch(/Kinesis/i);
  });

  it('fails the render (exit 1, kinesis-access) when a collection writes to a stream its role may not', () => {
    const dir = copyRepo();
    const file = join(dir, PRD_FILE_FOR_KINESIS);
    const text = readFileSync(file, 'utf8');
    const edited = text.replace(
      'streamName: shop-prd-payments-changes',
      'streamName: shop-prd-refunds-changes',
    );
    expect(edited).not.toBe(text);
    writeFileSync(file, edited);
    const res = runCli(dir, 'prd');
    expect(res.status, res.stderr).toBe(1);
    expect(res.stdout + res.stderr).toMatch(
      /stream\/shop-prd-refunds-changes, but the policy of role shop-prd-mxtransporter .*\[kinesis-access\]/,
    );
  });

  it('runs one or two stdout file exporters on Minikube without node selection', () => {
    const dev = render('dev');
    expect(dev.collections.length).toBeGreaterThanOrEqual(1);
    expect(dev.collections.length).toBeLessThanOrEqual(2);
    for (const sts of dev.statefulSets) {
      const main = mainContainer(sts);
      expect(literal(main, 'EXPORT_DESTINATION')).toBe('file');
      expect(literal(main, 'FILE_EXPORTER_WRITER')).toBe('stdout');
      expect(sts.spec.template.spec.nodeSelector).toBeUndefined();
      expect(sts.spec.template.spec.tolerations).toBeUndefined();
    }
  });
});

describe('mxtransporter bad input', () => {
  const PRD_FILE = 'values/prd/mxtransporter.yaml';

  it('fails (exit 2) at the collection, naming it, when a kinesisStream exporter has no stream name', () => {
    const dir = copyRepo();
    const file = join(dir, PRD_FILE);
    const text = readFileSync(file, 'utf8');
    const edited = text.replace(/^\s*streamName: shop-prd-payments-changes\n/m, '');
    expect(edited).not.toBe(text);
    writeFileSync(file, edited);
    const line = lineOf(edited, /- name: payments$/);
    const res = runCli(dir, 'prd');
    expect(res.status, res.stderr).toBe(2);
    // Checked by the chart's values schema, before anything renders.
    expect(res.stderr).toMatch(
      new RegExp(
        `^error: ${PRD_FILE}:${line}: missing required value mxtransporter\\.collections\\.1\\.kinesisStream: collection payments: exportDestinations includes kinesisStream but no stream name is set`,
      ),
    );
    expect(res.stderr).toContain('charts/mxtransporter/values.schema.json');
    expect(res.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(join(dir, 'release/prd/mxtransporter'))).toBe(false);
  });

  it('fails (exit 2) at the collection when neither it nor the chart sets the stream region', () => {
    const dir = copyRepo();
    const file = join(dir, PRD_FILE);
    const text = readFileSync(file, 'utf8');
    const edited = text.replace(/region: ap-northeast-1$/m, 'region: ""');
    expect(edited).not.toBe(text);
    writeFileSync(file, edited);
    const res = runCli(dir, 'prd');
    expect(res.status, res.stderr).toBe(2);
    const kinesisOfOrders = edited
      .split('\n')
      .findIndex(
        (l, i, all) => l.trim() === 'kinesisStream:' && all[i - 2]?.includes('collection: orders'),
      );
    expect(kinesisOfOrders).toBeGreaterThan(0);
    expect(res.stderr).toMatch(
      new RegExp(
        `^error: ${PRD_FILE}:${kinesisOfOrders + 1}: missing required value mxtransporter\\.collections\\.0\\.kinesisStream\\.region: collection orders: exportDestinations includes kinesisStream but no stream region is set .* \\(and 3 more\\)`,
      ),
    );
  });

  it.each([
    [
      'a bucket for an s3 resume token',
      /saveIntervalSec: 5$/m,
      'saveIntervalSec: 5\n    volumeType: s3',
      /resumeToken: collection orders: the resume token is kept in a bucket .* resumeToken\.bucketName is not set/,
    ],
    [
      'a region for an s3 bucket',
      /saveIntervalSec: 5$/m,
      'saveIntervalSec: 5\n    volumeType: s3\n    bucketName: tokens',
      /resumeToken: collection orders: resumeToken\.volumeType s3 needs resumeToken\.bucketRegion/,
    ],
    [
      'a log file with a log directory',
      /^ {2}nodeSelector:$/m,
      '  logging:\n    outputDirectory: /dsk/pvc/log/\n  nodeSelector:',
      /collections\.0\.logging: collection orders: logging\.outputDirectory and logging\.outputFile must be set together/,
    ],
    [
      'autoscaling bounds in order',
      /targetCPUUtilizationPercentage: 70$/m,
      'targetCPUUtilizationPercentage: 70\n        maxReplicas: 3\n        minReplicas: 4',
      /collections\.3\.autoscaling\.minReplicas: collection customers: /,
    ],
    [
      'replicas within the autoscaling bounds',
      /targetCPUUtilizationPercentage: 70$/m,
      'targetCPUUtilizationPercentage: 70\n        maxReplicas: 3\n      replicas: 4',
      /collections\.3\.replicas: collection customers: replicas must be 0 \(paused\) or within autoscaling\.minReplicas\.\.maxReplicas/,
    ],
  ])('fails (exit 2) at a values line when a collection lacks %s', (_what, from, to, message) => {
    const dir = copyRepo();
    const file = join(dir, PRD_FILE);
    const text = readFileSync(file, 'utf8');
    const edited = text.replace(from, to);
    expect(edited).not.toBe(text);
    writeFileSync(file, edited);
    const res = runCli(dir, 'prd');
    expect(res.status, res.stderr).toBe(2);
    expect(res.stderr).toMatch(new RegExp(`^error: ${PRD_FILE}:\\d+: `));
    expect(res.stderr).toMatch(message);
  });

  it('accepts a paused collection (replicas 0) outside the autoscaling bounds', () => {
    const dir = copyRepo();
    const file = join(dir, PRD_FILE);
    const text = readFileSync(file, 'utf8');
    const edited = text.replace(
      /targetCPUUtilizationPercentage: 70$/m,
      'targetCPUUtilizationPercentage: 70\n        minReplicas: 2\n        maxReplicas: 3\n      replicas: 0',
    );
    expect(edited).not.toBe(text);
    writeFileSync(file, edited);
    const res = runCli(dir, 'prd');
    expect(res.status, res.stderr).toBe(0);
  });

  it('fails (exit 2) naming the values file and line of a wrong-typed value', () => {
    const dir = copyRepo();
    const file = join(dir, PRD_FILE);
    const text = readFileSync(file, 'utf8');
    const edited = text.replace(/saveIntervalSec: 5$/m, 'saveIntervalSec: five');
    expect(edited).not.toBe(text);
    writeFileSync(file, edited);
    const line = lineOf(edited, /saveIntervalSec: five/);
    const res = runCli(dir, 'prd');
    expect(res.status, res.stderr).toBe(2);
    expect(res.stderr).toContain(`${PRD_FILE}:${line}:`);
    expect(res.stderr).toMatch(/saveIntervalSec.*must be integer/);
  });

  it('fails (exit 2) at the right line for an unknown destination inside a collection', () => {
    const dir = copyRepo();
    const file = join(dir, PRD_FILE);
    const lines = readFileSync(file, 'utf8').split('\n');
    const at = lines.findIndex((l) => l.includes('name: catalog-items'));
    expect(at).toBeGreaterThan(0);
    const dest = lines.findIndex((l, i) => i > at && l.includes('exportDestinations:'));
    lines[dest] = lines[dest].replace('[kinesisStream]', '[kinesis]');
    writeFileSync(file, lines.join('\n'));
    const res = runCli(dir, 'prd');
    expect(res.status, res.stderr).toBe(2);
    expect(res.stderr).toContain(`${PRD_FILE}:${dest + 1}:`);
    expect(res.stderr).toMatch(/must be one of/);
  });

  it('refuses the "latest" tag in prd through the image-tag rule (exit 1, at the rendered line)', () => {
    const dir = copyRepo();
    const file = join(dir, 'values/shared/mxtransporter.yaml');
    const text = readFileSync(file, 'utf8');
    const edited = text.replace(/tag: ['"][^'"]+['"]/, 'tag: latest');
    expect(edited).not.toBe(text);
    writeFileSync(file, edited);
    const res = runCli(dir, 'prd');
    expect(res.status, res.stderr).toBe(1);
    const out = res.stdout + res.stderr;
    expect(out).toMatch(/release\/prd\/mxtransporter\/mxtransporter\/statefulset-mxt-orders\.yaml/);
    expect(out).toMatch(/\[image-tag\]/);
  });
});
