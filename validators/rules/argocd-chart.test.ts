import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../test/helpers.js';
import { argocdChartRule } from './argocd-chart.js';
import { runValidation } from '../run.js';
import type { Finding } from '../types.js';
import {
  manifestsFromYaml,
  ruleContext,
  runRuleOnYaml,
  runRulesOnRepo,
} from '../testing/helpers.js';

const REPO = '123456789012.dkr.ecr.ap-northeast-1.amazonaws.com';
const charts = [
  { name: 'app', version: '1.2.0' },
  { name: 'scalardl', version: '0.4.1' },
];

const application = (opts: {
  chart?: string;
  version?: string;
  ns?: string;
  project?: string;
  extra?: string;
}) => `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: ${opts.chart ?? 'app'}
  namespace: argocd
spec:
  project: ${opts.project ?? 'shop'}
  source:
    repoURL: ${REPO}
    chart: ${opts.chart ?? 'app'}
    targetRevision: "${opts.version ?? '1.2.0'}"
  destination:
    server: https://kubernetes.default.svc
    namespace: ${opts.ns ?? 'apps'}
${opts.extra ?? ''}`;

const project = (
  destinations = '    - {server: https://kubernetes.default.svc, namespace: apps}',
) => `apiVersion: argoproj.io/v1alpha1
kind: AppProject
metadata: {name: shop, namespace: argocd}
spec:
  sourceRepos: ["${REPO}"]
  destinations:
${destinations}
  clusterResourceWhitelist: [{group: "", kind: Namespace}]
`;

const namespaces = `apiVersion: v1
kind: Namespace
metadata: {name: apps}
`;

/** Runs the rule with the Argo CD objects (chart argocd) beside what another chart renders. */
function runWithChart(
  argo: Record<string, string>,
  chart: string,
  rendered: Record<string, string>,
): Finding[] {
  const a = manifestsFromYaml(argo, 'argocd');
  const b = manifestsFromYaml(rendered, chart);
  return runValidation({
    manifests: [...a.manifests, ...b.manifests],
    ctx: ruleContext({ charts, fileTexts: new Map([...a.fileTexts, ...b.fileTexts]) }),
    rules: [argocdChartRule],
  });
}

describe('argocd-chart', () => {
  it('accepts an Application of a project chart at its version, within its AppProject', () => {
    expect(
      runWithChart({ 'app.yaml': application({}), 'project.yaml': project() }, 'app', {
        'ns.yaml': namespaces,
        'cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: apps}\n',
      }),
    ).toEqual([]);
  });

  it('reports a targetRevision that is not the published version, and an unknown chart', () => {
    const findings = runRuleOnYaml(
      argocdChartRule,
      {
        'app.yaml': application({ version: '1.1.0' }),
        'other.yaml': application({ chart: 'scalar-dl', version: '0.4.1' }),
        'project.yaml': project(),
        'ns.yaml': namespaces,
      },
      { charts },
    );
    expect(findings.map((f) => [f.resource, f.path, f.location?.file, f.location?.line])).toEqual([
      ['Application/argocd/app', 'spec.source.targetRevision', 'app.yaml', 11],
      ['Application/argocd/scalar-dl', 'spec.source.chart', 'other.yaml', 10],
    ]);
    expect(findings[0].message).toContain(
      'chart app is published at version 1.2.0, but targetRevision is "1.1.0"; set targetRevision: "1.2.0"',
    );
    expect(findings[1].message).toContain('did you mean "scalardl"?');
  });

  it('skips chart checks when the project charts are unknown (loose files)', () => {
    expect(
      runRuleOnYaml(argocdChartRule, {
        'app.yaml': application({ version: '9.9.9' }),
        'project.yaml': project(),
        'ns.yaml': namespaces,
      }),
    ).toEqual([]);
  });

  it('warns about a destination namespace nobody creates, unless CreateNamespace=true', () => {
    const files = (extra?: string) => ({
      'app.yaml': application({ ns: 'shop', extra }),
      'project.yaml': project('    - {server: "https://kubernetes.default.svc", namespace: "*"}'),
    });
    expect(runRuleOnYaml(argocdChartRule, files(), { charts })).toMatchObject([
      {
        severity: 'warning',
        path: 'spec.destination.namespace',
        message: expect.stringContaining('add "CreateNamespace=true"'),
      },
    ]);
    const create = '  syncPolicy:\n    syncOptions: [CreateNamespace=true]\n';
    expect(runRuleOnYaml(argocdChartRule, files(create), { charts })).toEqual([]);
  });

  it('reports a project that is missing or does not allow the source, destination or resources', () => {
    const missing = runRuleOnYaml(
      argocdChartRule,
      {
        'app.yaml': application({ project: 'shopp' }),
        'project.yaml': project(),
        'ns.yaml': namespaces,
      },
      { charts },
    );
    expect(missing).toMatchObject([
      {
        path: 'spec.project',
        message: expect.stringContaining('AppProject "shopp" is not rendered'),
      },
    ]);

    const denied = runWithChart(
      {
        'app.yaml': application({ chart: 'scalardl', version: '0.4.1', ns: 'scalardl' }).replace(
          `repoURL: ${REPO}`,
          'repoURL: ghcr.io/someone/charts',
        ),
        'project.yaml': project().replace('kind: Namespace', 'kind: ClusterRole'),
      },
      'scalardl',
      {
        'rendered.yaml': `apiVersion: v1
kind: Namespace
metadata: {name: scalardl}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: auditor, namespace: scalardl-auditor}
`,
      },
    );
    expect(denied.map((f) => [f.path, f.location?.line])).toEqual([
      ['spec.project', 7],
      ['spec.source.repoURL', 9],
      ['spec.source.chart', 10],
      ['spec.destination', 12],
    ]);
    expect(
      denied.every((f) => f.severity === 'error' && f.resource === 'Application/argocd/scalardl'),
    ).toBe(true);
    expect(denied[0].message).toContain(
      'AppProject/argocd/shop does not permit Namespace (group core), which chart scalardl renders (Namespace/scalardl); the sync would fail: add {group: "", kind: Namespace} to its clusterResourceWhitelist',
    );
    expect(denied[1].message).toBe(
      'AppProject/argocd/shop does not allow source repository "ghcr.io/someone/charts" (sourceRepos: "123456789012.dkr.ecr.ap-northeast-1.amazonaws.com"); add it to sourceRepos or fix repoURL',
    );
    expect(denied[2].message).toContain(
      'chart scalardl renders into namespace "scalardl-auditor" (ConfigMap/scalardl-auditor/auditor), which AppProject/argocd/shop does not allow as a destination',
    );

    const wrongDestination = runRuleOnYaml(
      argocdChartRule,
      { 'app.yaml': application({ ns: 'kube-system' }), 'project.yaml': project() },
      { charts },
    );
    expect(wrongDestination).toMatchObject([
      {
        path: 'spec.destination',
        message: expect.stringContaining(
          'does not allow destination https://kubernetes.default.svc namespace "kube-system"',
        ),
      },
    ]);
  });

  it('finds nothing to fix in the repository plans', () => {
    for (const env of ['dev', 'prd']) {
      expect(runRulesOnRepo([argocdChartRule], env, REPO_ROOT)).toEqual([]);
    }
  });
});
