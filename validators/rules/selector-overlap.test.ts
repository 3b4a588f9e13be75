import { selectorOverlapRule } from './selector-overlap.js';
import { testRule } from '../testing/rule-tester.js';

const statefulSet = (
  name: string,
  selector: string,
  labels: string,
  ns = 'mxt',
) => `apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: ${name}
  namespace: ${ns}
spec:
  serviceName: ${name}
  selector:
${selector}
  template:
    metadata:
      labels: ${labels}
    spec:
      containers: [{name: c, image: busybox:1.36}]
`;

const deployment = `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: mxt}
spec:
  selector: {matchLabels: {app: web, part: shop}}
  template:
    metadata: {labels: {app: web, part: shop}}
    spec:
      containers: [{name: c, image: busybox:1.36}]
`;

testRule(selectorOverlapRule, {
  valid: [
    {
      // the schema rule reports the malformed parts; such a selector matches nothing
      name: 'a selector with malformed matchExpressions or matchLabels does not stop the check',
      yaml: [
        statefulSet('a', '    matchLabels: {app: a}\n    matchExpressions: true', '{app: a}'),
        statefulSet(
          'b',
          '    matchLabels: {app: a}\n    matchExpressions: [true, {key: app}]',
          '{app: a}',
        ),
        statefulSet('c', '    matchLabels: [app]', '{app: a}'),
        statefulSet('d', '    matchExpressions: [{key: app, operator: In, values: a}]', '{app: a}'),
      ].join('---\n'),
    },
    {
      name: 'distinct selectors, and equal selectors in different namespaces',
      yaml: {
        'sts.yaml': [
          statefulSet(
            'mxt-orders',
            '    matchLabels: {app: mxt, collection: orders}',
            '{app: mxt, collection: orders}',
          ),
          statefulSet(
            'mxt-users',
            '    matchLabels: {app: mxt, collection: users}',
            '{app: mxt, collection: users}',
          ),
          statefulSet('other', '    matchLabels: {app: mxt}', '{app: mxt}', 'elsewhere'),
        ].join('---\n'),
      },
    },
  ],
  invalid: [
    {
      name: 'StatefulSets that share one selector (the upstream MxTransporter bug)',
      yaml: {
        'sts.yaml': [
          statefulSet(
            'mxt-orders',
            '    matchLabels: {app: mxt}',
            '{app: mxt, collection: orders}',
          ),
          statefulSet('mxt-users', '    matchLabels: {app: mxt}', '{app: mxt, collection: users}'),
        ].join('---\n'),
      },
      errors: [
        {
          severity: 'error',
          resource: 'StatefulSet/mxt/mxt-users',
          path: 'spec.selector',
          file: 'sts.yaml',
          line: 23,
          message: ['StatefulSet/mxt/mxt-orders', "select each other's pod templates"],
        },
      ],
    },
    {
      name: 'a matchExpressions selector that also selects another kind of workload',
      yaml: {
        'a.yaml': `${deployment}---\n${statefulSet(
          'catch-all',
          '    matchExpressions:\n      - {key: part, operator: In, values: [shop]}',
          '{part: shop, app: db}',
        )}`,
      },
      errors: [
        {
          resource: 'StatefulSet/mxt/catch-all',
          message: 'selector part In [shop] also selects the pod template of Deployment/mxt/web',
        },
      ],
    },
  ],
});
