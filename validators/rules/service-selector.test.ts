import { serviceSelectorRule } from './service-selector.js';
import { testRule } from '../testing/rule-tester.js';

const deployment = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels:
        app: web
        tier: front
    spec:
      containers:
        - name: web
          image: nginx:1.27
`;

const service = (selector: string, extra = '') => `apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: shop
spec:
${extra}  selector:
${selector}
  ports:
    - port: 80
`;

const cronJob = `apiVersion: batch/v1
kind: CronJob
metadata: {name: report, namespace: shop}
spec:
  schedule: "0 * * * *"
  jobTemplate:
    spec:
      template:
        metadata: {labels: {app: report}}
        spec:
          restartPolicy: Never
          containers: [{name: r, image: busybox:1.36}]
`;

const external = `apiVersion: v1
kind: Service
metadata: {name: db, namespace: shop}
spec:
  type: ExternalName
  externalName: db.example.com
  selector: {app: nothing}
`;

const manual = `apiVersion: v1
kind: Service
metadata: {name: manual, namespace: shop}
spec:
  ports: [{port: 80}]
`;

testRule(serviceSelectorRule, {
  valid: [
    {
      name: 'selectors that are a subset of a template, of any workload kind',
      yaml: {
        'a.yaml': `${deployment}---\n${cronJob}`,
        'svc.yaml': `${service('    app: web')}---\n${service('    app: report').replace('name: web', 'name: report')}`,
      },
    },
    {
      name: 'ExternalName and selector-less Services are skipped',
      yaml: { 'a.yaml': `${external}---\n${manual}` },
    },
  ],
  invalid: [
    {
      name: 'a selector that matches no pod template, naming the closest one',
      yaml: { 'deploy.yaml': deployment, 'svc.yaml': service('    app: web\n    tier: back') },
      errors: [
        {
          severity: 'error',
          resource: 'Service/shop/web',
          path: 'spec.selector',
          file: 'svc.yaml',
          line: 7,
          message: [
            'selector {app: web, tier: back} matches no pod template',
            'closest is Deployment/shop/web',
            'has tier: front',
          ],
        },
      ],
    },
    {
      name: 'only pod templates of the Service namespace count (default when none is given)',
      yaml: {
        'deploy.yaml': deployment,
        'svc.yaml': service('    app: web').replace('  namespace: shop\n', ''),
      },
      errors: [
        {
          resource: 'Service/web',
          message: [
            'namespace "default" has no workloads',
            'Deployment/shop/web in namespace "shop" matches',
          ],
        },
      ],
    },
  ],
});

// Files given on the command line (`validate <paths>` without --env): the workload may be in a
// file not given, so a selector matching nothing is a warning there; in a whole plan, an error.
testRule(serviceSelectorRule, {
  valid: [
    {
      name: 'a Service and its workload among the files given',
      yaml: { 'deploy.yaml': deployment, 'svc.yaml': service('    app: web') },
      context: { complete: false },
    },
  ],
  invalid: [
    {
      name: 'a Service alone among the files given: warning',
      yaml: { 'svc.yaml': service('    app: web') },
      context: { complete: false },
      errors: [
        {
          path: 'spec.selector',
          line: 7,
          severity: 'warning',
          message:
            'selector {app: web} matches no pod template in namespace "shop": its workload is not among the files given (give that file too, or validate the whole plan with --env)',
        },
      ],
    },
    {
      name: 'a Service with no workload in a whole plan: error',
      yaml: { 'svc.yaml': service('    app: web') },
      context: { complete: true },
      errors: [
        { path: 'spec.selector', severity: 'error', message: /namespace "shop" has no workloads/ },
      ],
    },
  ],
});
