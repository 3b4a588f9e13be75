import { argocdChartRule } from './argocd-chart.js';
import { exactly, testRule } from '../testing/rule-tester.js';

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

/** An Application into a namespace nobody renders, under a project allowing every namespace. */
const uncreatedNamespace = (extra?: string) => ({
  'app.yaml': application({ ns: 'shop', extra }),
  'project.yaml': project('    - {server: "https://kubernetes.default.svc", namespace: "*"}'),
});

testRule(argocdChartRule, {
  valid: [
    {
      name: 'an Application of a project chart at its version, within its AppProject',
      yaml: {
        'app.yaml': application({}),
        'project.yaml': project(),
        'ns.yaml': namespaces,
        'cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: apps}\n',
      },
      chart: { 'app.yaml': 'argocd', 'project.yaml': 'argocd', 'ns.yaml': 'app', 'cm.yaml': 'app' },
      context: { charts },
    },
    {
      name: 'chart checks are skipped when the project charts are unknown (loose files)',
      yaml: {
        'app.yaml': application({ version: '9.9.9' }),
        'project.yaml': project(),
        'ns.yaml': namespaces,
      },
    },
    {
      name: 'a destination namespace nobody renders, created by CreateNamespace=true',
      yaml: uncreatedNamespace('  syncPolicy:\n    syncOptions: [CreateNamespace=true]\n'),
      context: { charts },
    },
  ],
  invalid: [
    {
      name: 'a targetRevision that is not the published version, and an unknown chart',
      yaml: {
        'app.yaml': application({ version: '1.1.0' }),
        'other.yaml': application({ chart: 'scalar-dl', version: '0.4.1' }),
        'project.yaml': project(),
        'ns.yaml': namespaces,
      },
      context: { charts },
      errors: [
        {
          resource: 'Application/argocd/app',
          path: 'spec.source.targetRevision',
          file: 'app.yaml',
          line: 11,
          message:
            'chart app is published at version 1.2.0, but targetRevision is "1.1.0"; set targetRevision: "1.2.0"',
        },
        {
          resource: 'Application/argocd/scalar-dl',
          path: 'spec.source.chart',
          file: 'other.yaml',
          line: 10,
          message: 'did you mean "scalardl"?',
        },
      ],
    },
    {
      name: 'a warning for a destination namespace nobody renders, without CreateNamespace=true',
      yaml: uncreatedNamespace(),
      context: { charts },
      errors: [
        {
          severity: 'warning',
          path: 'spec.destination.namespace',
          message: 'add "CreateNamespace=true"',
        },
      ],
    },
    {
      name: 'an AppProject that is not rendered',
      yaml: {
        'app.yaml': application({ project: 'shopp' }),
        'project.yaml': project(),
        'ns.yaml': namespaces,
      },
      context: { charts },
      errors: [{ path: 'spec.project', message: 'AppProject "shopp" is not rendered' }],
    },
    {
      name: 'a project that does not allow the source, the resources or the namespaces the chart renders',
      yaml: {
        'app.yaml': application({ chart: 'scalardl', version: '0.4.1', ns: 'scalardl' }).replace(
          `repoURL: ${REPO}`,
          'repoURL: ghcr.io/someone/charts',
        ),
        'project.yaml': project().replace('kind: Namespace', 'kind: ClusterRole'),
        'rendered.yaml': `apiVersion: v1
kind: Namespace
metadata: {name: scalardl}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: auditor, namespace: scalardl-auditor}
`,
      },
      chart: { 'app.yaml': 'argocd', 'project.yaml': 'argocd', 'rendered.yaml': 'scalardl' },
      context: { charts },
      errors: [
        {
          severity: 'error',
          resource: 'Application/argocd/scalardl',
          path: 'spec.project',
          line: 7,
          message:
            'AppProject/argocd/shop does not permit Namespace (group core), which chart scalardl renders (Namespace/scalardl); the sync would fail: add {group: "", kind: Namespace} to its clusterResourceWhitelist',
        },
        {
          severity: 'error',
          resource: 'Application/argocd/scalardl',
          path: 'spec.source.repoURL',
          line: 9,
          message: exactly(
            'AppProject/argocd/shop does not allow source repository "ghcr.io/someone/charts" (sourceRepos: "123456789012.dkr.ecr.ap-northeast-1.amazonaws.com"); add it to sourceRepos or fix repoURL',
          ),
        },
        {
          severity: 'error',
          resource: 'Application/argocd/scalardl',
          path: 'spec.source.chart',
          line: 10,
          message:
            'chart scalardl renders into namespace "scalardl-auditor" (ConfigMap/scalardl-auditor/auditor), which AppProject/argocd/shop does not allow as a destination',
        },
        {
          severity: 'error',
          resource: 'Application/argocd/scalardl',
          path: 'spec.destination',
          line: 12,
        },
      ],
    },
    {
      name: 'a destination namespace the project does not allow',
      yaml: { 'app.yaml': application({ ns: 'kube-system' }), 'project.yaml': project() },
      context: { charts },
      errors: [
        {
          path: 'spec.destination',
          message:
            'does not allow destination https://kubernetes.default.svc namespace "kube-system"',
        },
      ],
    },
  ],
});
