import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LineCounter, parseAllDocuments } from 'yaml';
import type { KubeObject, Manifest } from '../../core/manifest.js';
import { renderEnvironment } from '../../generator/pipeline.js';
import type { OriginNode } from '../../generator/values/origins.js';
import { parseValuesText } from '../../generator/values/read-yaml.js';
import { runValidation } from '../run.js';
import { NEWEST_KUBERNETES_VERSION } from '../schema/kubernetes-version.js';
import type { ClusterDeclaration, ContextInput, Finding, Rule } from '../types.js';
import { buildContext } from '../validate.js';

/** The repository root (when run from the sources, as the tests are). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * Manifests from YAML texts keyed by file name (several documents per file), with their lines.
 * `chart` names the chart of every file, or of each file by name.
 */
export function manifestsFromYaml(
  files: Record<string, string>,
  chart: string | Record<string, string> = '',
): { manifests: Manifest[]; fileTexts: Map<string, string> } {
  const manifests: Manifest[] = [];
  const fileTexts = new Map<string, string>();
  for (const [file, text] of Object.entries(files)) {
    fileTexts.set(file, text);
    const chartOfFile = typeof chart === 'string' ? chart : (chart[file] ?? '');
    const lineCounter = new LineCounter();
    for (const doc of parseAllDocuments(text, { lineCounter })) {
      if (doc.errors.length > 0) throw new Error(`${file}: ${doc.errors[0].message}`);
      const object = doc.toJS() as KubeObject | null;
      if (!object) continue;
      const start = doc.contents?.range?.[0] ?? doc.range[0];
      manifests.push({ chart: chartOfFile, object, file, line: lineCounter.linePos(start).line });
    }
  }
  return { manifests, fileTexts };
}

/** A rule context with defaults for everything not given. */
export function ruleContext(overrides: Partial<ContextInput> = {}): ContextInput {
  return {
    env: undefined,
    clusterPath: ['global', 'clusters', overrides.env ?? 'test'],
    secrets: [],
    fileTexts: new Map(),
    strict: true,
    allowUnknownKinds: [],
    kubernetesVersion: NEWEST_KUBERNETES_VERSION,
    // a rule case is the whole plan unless it says otherwise (`complete: false`: files given)
    complete: true,
    ...overrides,
  };
}

/** A production-like cluster: a general pool and two tainted Scalar DL pools, three VPCs. */
export function prdLikeCluster(): ClusterDeclaration {
  return structuredClone({
    provider: 'eks',
    name: 'shop-prd',
    kubernetesVersion: '1.31',
    region: 'ap-northeast-1',
    vpc: 'ledger',
    nodeGroups: [
      {
        name: 'general',
        instanceType: 'm5.large',
        minSize: 2,
        desiredSize: 3,
        maxSize: 6,
        labels: { agentpool: 'generalpool' },
      },
      {
        name: 'scalardl',
        instanceType: 'm5.xlarge',
        minSize: 3,
        desiredSize: 3,
        maxSize: 3,
        labels: { agentpool: 'scalardlpool' },
        taints: [{ key: 'kubernetes.io/app', value: 'scalardlpool', effect: 'NoSchedule' }],
      },
      {
        name: 'scalardl-auditor',
        instanceType: 'm5.xlarge',
        minSize: 3,
        desiredSize: 3,
        maxSize: 3,
        labels: { agentpool: 'scalardlauditorpool' },
        taints: [{ key: 'kubernetes.io/app', value: 'scalardlauditorpool', effect: 'NoSchedule' }],
      },
    ],
    vpcs: [
      {
        name: 'ledger',
        role: 'ledger',
        cidr: '10.1.0.0/16',
        subnets: [
          { name: 'a', cidr: '10.1.0.0/20', availabilityZone: 'ap-northeast-1a', type: 'private' },
          { name: 'c', cidr: '10.1.16.0/20', availabilityZone: 'ap-northeast-1c', type: 'private' },
          { name: 'd', cidr: '10.1.32.0/20', availabilityZone: 'ap-northeast-1d', type: 'private' },
        ],
      },
      { name: 'auditor', role: 'auditor', cidr: '10.2.0.0/16' },
      { name: 'client', role: 'client', cidr: '10.3.0.0/16' },
    ],
    outOfBandSecrets: [
      { name: 'ledger-keys', namespace: 'scalardl', keys: ['private-key'] },
      { name: 'auditor-keys', namespace: 'scalardl-auditor', keys: ['certificate', 'private-key'] },
    ],
  } satisfies ClusterDeclaration);
}

/** Runs rules over YAML files through the runner (which adds resources, paths and lines). */
export function runRuleOnYaml(
  rule: Rule,
  files: Record<string, string>,
  overrides: Partial<ContextInput> = {},
  options: { chart?: string | Record<string, string>; valueOrigins?: OriginNode } = {},
): Finding[] {
  const { manifests, fileTexts } = manifestsFromYaml(files, options.chart);
  return runValidation({
    manifests,
    ctx: ruleContext({ ...overrides, fileTexts }),
    rules: [rule],
    valueOrigins: options.valueOrigins,
  });
}

/** Values (and their origins) from the text of one values file. */
export function valuesFromYaml(
  text: string,
  file = 'values/shared/global.yaml',
): { values: Record<string, unknown>; origins: OriginNode } {
  const parsed = parseValuesText(text, file);
  return { values: parsed.value, origins: parsed.origins };
}

/** Findings of the given rules on the repository's own plan of an environment. */
export function runRulesOnRepo(rules: Rule[], env: string, root: string): Finding[] {
  const result = renderEnvironment(root, env, { environ: {} });
  const texts = new Map<string, string>();
  const prefix = `release/${env}/`;
  for (const [p, t] of result.release.files) texts.set(prefix + p, t);
  const manifests = result.release.manifests.map((m) => ({ ...m, file: prefix + m.file }));
  const ctx = buildContext(result.project, result.loaded, texts, {
    strict: true,
    allowUnknownKinds: [],
  });
  return runValidation({ manifests, ctx, rules, valueOrigins: result.loaded.origins });
}

/** 1-based line of the first line containing `needle` (after the first line containing `after`). */
export function lineOf(text: string, needle: string, after?: string): number {
  const lines = text.split('\n');
  const start = after ? lines.findIndex((l) => l.includes(after)) : 0;
  const i = lines.findIndex((l, n) => n >= start && l.includes(needle));
  if (start < 0 || i < 0) throw new Error(`"${needle}" not found`);
  return i + 1;
}
