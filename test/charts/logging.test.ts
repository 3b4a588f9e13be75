import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { dump, load } from 'js-yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Manifest } from '../../core/manifest.js';
import { renderEnvironment } from '../../generator/pipeline.js';
import {
  parseFluentBitConfig,
  pluginOf,
  prop,
  props,
  type FluentBitSection,
} from '../../validators/model/fluent-bit.js';
import { loggingRule } from '../../validators/rules/logging.js';
import { runRulesOnRepo } from '../../validators/testing/helpers.js';
import type { NodeGroup } from '../../validators/types.js';
import { REPO_ROOT, copyRepo, ofKind, renderWithEditedValue } from '../helpers.js';

type Obj = Record<string, any>;

interface Rendered {
  manifests: Manifest[];
  values: Obj;
  cluster: Obj;
}

function render(root: string, env: string): Rendered {
  const r = renderEnvironment(root, env, { environ: {} });
  const values = r.loaded.values as Obj;
  return { manifests: r.release.manifests, values, cluster: values.global.clusters[env] };
}

function one(r: Rendered, kind: string, chart = 'logging'): Obj {
  const found = ofKind(r.manifests, kind, chart) as Obj[];
  expect(found, kind).toHaveLength(1);
  return found[0];
}

function config(r: Rendered): FluentBitSection[] {
  return parseFluentBitConfig(one(r, 'ConfigMap').data['fluent-bit.conf']).sections;
}

function section(r: Rendered, kind: string, plugin: string): FluentBitSection {
  const found = config(r).filter((s) => s.kind === kind && pluginOf(s) === plugin);
  expect(found, `${kind} ${plugin}`).toHaveLength(1);
  return found[0];
}

function editYaml(dir: string, file: string, edit: (doc: Obj) => void): void {
  const path = join(dir, file);
  const doc = load(readFileSync(path, 'utf8')) as Obj;
  edit(doc);
  writeFileSync(path, dump(doc));
}

describe('logging chart', () => {
  let prd: Rendered;
  let dev: Rendered;
  beforeAll(() => {
    prd = render(REPO_ROOT, 'prd');
    dev = render(REPO_ROOT, 'dev');
  });

  it('tolerates every taint of the declared node groups, the Scalar DL pools included', () => {
    const spec = one(prd, 'DaemonSet').spec.template.spec;
    const taints = (prd.cluster.nodeGroups as NodeGroup[]).flatMap((g) => g.taints ?? []);
    expect(taints.length).toBeGreaterThanOrEqual(2);
    expect(spec.tolerations).toEqual(
      taints.map((t) => ({ key: t.key, operator: 'Equal', value: t.value, effect: t.effect })),
    );
    expect(spec.nodeSelector).toBeUndefined();
    expect(spec.affinity).toBeUndefined();
    // Minikube's one node has no taint: no tolerations at all.
    expect(one(dev, 'DaemonSet').spec.template.spec.tolerations).toBeUndefined();
  });

  it('covers a tainted pool added to the declaration without a change to the chart', () => {
    const dir = copyRepo();
    editYaml(dir, 'values/shared/global.yaml', (doc) => {
      doc.global.clusters.prd.nodeGroups.push({
        name: 'batch',
        instanceType: 'c5.large',
        minSize: 0,
        desiredSize: 1,
        maxSize: 3,
        labels: { agentpool: 'batchpool' },
        taints: [{ key: 'dedicated', effect: 'NoExecute' }],
      });
    });
    const r = render(dir, 'prd');
    const tolerations = one(r, 'DaemonSet').spec.template.spec.tolerations as Obj[];
    expect(tolerations).toContainEqual({
      key: 'dedicated',
      operator: 'Exists',
      effect: 'NoExecute',
    });
    expect(runRulesOnRepo([loggingRule], 'prd', dir)).toEqual([]);
  });

  it('ships to the router stream in prd and to stdout in dev, with the same record keys', () => {
    const kinesis = section(prd, 'output', 'kinesis_streams');
    expect(prop(kinesis, 'stream')).toBe(prd.values.logging.kinesis.stream);
    expect(prop(kinesis, 'region')).toBe(prd.cluster.region);
    expect(prop(kinesis, 'time_key')).toBe('time');
    expect(prop(kinesis, 'time_key_format')).toBe('%Y-%m-%dT%H:%M:%S.%3NZ');
    expect(config(prd).filter((s) => s.kind === 'output')).toHaveLength(1);

    const stdout = section(dev, 'output', 'stdout');
    expect(prop(stdout, 'format')).toBe('json_lines');
    expect(prop(stdout, 'json_date_key')).toBe('time');
    expect(prop(stdout, 'json_date_format')).toBe('iso8601');
    expect(config(dev).filter((s) => s.kind === 'output')).toHaveLength(1);

    for (const r of [prd, dev]) {
      const modifier = section(r, 'filter', 'record_modifier');
      expect(props(modifier, 'uuid_key')).toEqual(['log_id']);
      // An id or time already in the record (the application's, the cri parser's) would appear twice.
      expect(props(modifier, 'remove_key')).toEqual(['log_id', 'time', '_p']);
      const kube = section(r, 'filter', 'kubernetes');
      expect([prop(kube, 'merge_log'), prop(kube, 'keep_log')]).toEqual(['On', 'Off']);
      const lua = section(r, 'filter', 'lua');
      const script = one(r, 'ConfigMap').data['common-schema.lua'] as string;
      expect(prop(lua, 'script')).toBe('/fluent-bit/etc/common-schema.lua');
      expect(script).toContain(`function ${prop(lua, 'call')}(tag, timestamp, record)`);
      expect(script).toContain('local TYPE_KEY = "log_type"');
      expect(script).toContain('local TYPE_LABEL = "app.kubernetes.io/name"');
      // Fluent Bit's own log is not read back (in dev it would loop through stdout).
      expect(prop(section(r, 'input', 'tail'), 'exclude_path')).toBe(
        '/var/log/containers/fluent-bit-*_logging_*.log',
      );
    }
    expect(runRulesOnRepo([loggingRule], 'dev', REPO_ROOT)).toEqual([]);
    expect(runRulesOnRepo([loggingRule], 'prd', REPO_ROOT)).toEqual([]);
  });

  it('takes the record key names and the type label from values', () => {
    const dir = copyRepo();
    editYaml(dir, 'values/shared/logging.yaml', (doc) => {
      doc.logging.recordKeys = { type: 'kind', id: 'event_id', time: 'at' };
      doc.logging.typeLabel = 'app';
    });
    const r = render(dir, 'prd');
    const cm = one(r, 'ConfigMap');
    const sections = parseFluentBitConfig(cm.data['fluent-bit.conf']).sections;
    const modifier = sections.find((s) => pluginOf(s) === 'record_modifier')!;
    expect(props(modifier, 'uuid_key')).toEqual(['event_id']);
    expect(props(modifier, 'remove_key')).toEqual(['event_id', 'at', '_p']);
    expect(
      prop(
        sections.find((s) => pluginOf(s) === 'kinesis_streams')!,
        'time_key',
      ),
    ).toBe('at');
    expect(cm.data['common-schema.lua']).toContain('local TYPE_KEY = "kind"');
    expect(cm.data['common-schema.lua']).toContain('local TYPE_LABEL = "app"');
    expect(cm.data['fluent-bit.conf']).not.toContain('log_id');
    // The rule reads the same names from values, so the renamed plan passes it.
    expect(runRulesOnRepo([loggingRule], 'prd', dir)).toEqual([]);
  });

  it('writes with an IRSA role that the eks chart creates, allowed PutRecords on the router only', () => {
    const sa = one(prd, 'ServiceAccount');
    const roleArn = sa.metadata.annotations['eks.amazonaws.com/role-arn'];
    expect(roleArn).toBe(prd.values.logging.serviceAccount.roleArn);
    expect(one(prd, 'DaemonSet').spec.template.spec.serviceAccountName).toBe(sa.metadata.name);
    const clusterConfig = one(prd, 'ClusterConfig', 'eks');
    const entry = (clusterConfig.iam.serviceAccounts as Obj[]).find(
      (a) => roleArn === `arn:aws:iam::${prd.cluster.accountId}:role/${a.roleName}`,
    )!;
    expect(entry.metadata).toEqual({ name: sa.metadata.name, namespace: sa.metadata.namespace });
    expect(entry.attachPolicyARNs).toBeUndefined();
    expect(entry.attachPolicy.Statement).toEqual([
      {
        Effect: 'Allow',
        Action: ['kinesis:PutRecords'],
        Resource: [
          `arn:aws:kinesis:${prd.cluster.region}:${prd.cluster.accountId}:stream/${prd.values.logging.kinesis.stream}`,
        ],
      },
    ]);
    // The router is a declared stream (its shards are checked by kinesis-capacity).
    expect(prd.values.global.kinesisStreams.map((s: Obj) => s.name)).toContain(
      prd.values.logging.kinesis.stream,
    );
    // Dev has no AWS: no role annotation.
    expect(one(dev, 'ServiceAccount').metadata.annotations).toBeUndefined();
  });

  it('reads pod and namespace metadata and nothing else', () => {
    expect(one(prd, 'ClusterRole').rules).toEqual([
      { apiGroups: [''], resources: ['pods', 'namespaces'], verbs: ['get', 'list', 'watch'] },
    ]);
    const binding = one(prd, 'ClusterRoleBinding');
    const sa = one(prd, 'ServiceAccount');
    expect(binding.subjects).toEqual([
      { kind: 'ServiceAccount', name: sa.metadata.name, namespace: sa.metadata.namespace },
    ]);
  });

  it('is deployed by an Argo CD Application in prd, whose project allows its cluster-scoped RBAC', () => {
    const apps = ofKind(prd.manifests, 'Application', 'argocd') as Obj[];
    const app = apps.find((a) => a.spec.source.chart === 'logging')!;
    expect(app.spec.destination.namespace).toBe('logging');
    const project = (ofKind(prd.manifests, 'AppProject', 'argocd') as Obj[]).find(
      (p) => p.metadata.name === app.spec.project,
    )!;
    for (const kind of ['ClusterRole', 'ClusterRoleBinding'])
      expect(project.spec.clusterResourceWhitelist).toContainEqual({
        group: 'rbac.authorization.k8s.io',
        kind,
      });
  });

  it('fails the render when output kinesis has no IAM role', () => {
    const r = renderWithEditedValue(
      'values/prd/logging.yaml',
      /roleArn:/,
      /arn:aws:iam::\d+:role\/[\w-]+/.exec(
        readFileSync(join(REPO_ROOT, 'values/prd/logging.yaml'), 'utf8'),
      )![0],
      "''",
    );
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`values/prd/logging.yaml:${r.line}`);
    expect(r.stderr).toContain('logging.serviceAccount.roleArn');
  });
});
