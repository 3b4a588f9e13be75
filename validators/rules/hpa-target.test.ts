import { hpaTargetRule } from './hpa-target.js';
import { testRule } from '../testing/rule-tester.js';

const statefulSet = `apiVersion: apps/v1
kind: StatefulSet
metadata: {name: mxt-orders, namespace: mxt}
spec:
  serviceName: mxt-orders
  selector: {matchLabels: {app: mxt-orders}}
  template:
    metadata: {labels: {app: mxt-orders}}
    spec:
      containers: [{name: c, image: busybox:1.36}]
`;

const hpa = (ref: string, apiVersion = 'autoscaling/v2') => `apiVersion: ${apiVersion}
kind: HorizontalPodAutoscaler
metadata:
  name: mxt-orders
  namespace: mxt
spec:
  scaleTargetRef:
${ref}
  minReplicas: 1
  maxReplicas: 3
`;

const ref = (apiVersion: string, kind: string, name: string) =>
  `    apiVersion: ${apiVersion}\n    kind: ${kind}\n    name: ${name}`;

testRule(hpaTargetRule, {
  valid: ['autoscaling/v1', 'autoscaling/v2'].map((version) => ({
    name: `an ${version} autoscaler whose target exists in its namespace`,
    yaml: {
      'a.yaml': `${statefulSet}---\n${hpa(ref('apps/v1', 'StatefulSet', 'mxt-orders'), version)}`,
    },
  })),
  invalid: [
    {
      name: 'an autoscaler whose target is not rendered (the upstream MxTransporter bug)',
      yaml: {
        'sts.yaml': statefulSet,
        'hpa.yaml': hpa(ref('apps/v1', 'StatefulSet', 'mxtransporter-orders')),
      },
      errors: [
        {
          severity: 'error',
          resource: 'HorizontalPodAutoscaler/mxt/mxt-orders',
          path: 'spec.scaleTargetRef.name',
          file: 'hpa.yaml',
          line: 10,
          message: [
            'scaleTargetRef names StatefulSet "mxtransporter-orders", which is not rendered in namespace "mxt"',
            '"mxt-orders"',
          ],
        },
      ],
    },
    {
      name: 'a target of the wrong kind',
      yaml: {
        'a.yaml': `${statefulSet}---\n${hpa(ref('apps/v1', 'Deployment', 'mxt-orders'), 'autoscaling/v1')}`,
      },
      errors: [{ message: 'but there is StatefulSet/mxt/mxt-orders; set kind: StatefulSet' }],
    },
    {
      name: 'a target of the wrong API group',
      yaml: {
        'a.yaml': `${statefulSet}---\n${hpa(ref('extensions/v1beta1', 'StatefulSet', 'mxt-orders'))}`,
      },
      errors: [{ path: 'spec.scaleTargetRef.apiVersion' }],
    },
    {
      name: 'a target of a kind that cannot scale',
      yaml: { 'a.yaml': hpa(ref('apps/v1', 'DaemonSet', 'agents')) },
      errors: [{ path: 'spec.scaleTargetRef.kind', message: 'cannot be scaled' }],
    },
  ],
});

// Files given on the command line: the target may be in a file not given (warning); a whole plan
// has every workload (error). What the autoscaler itself gets wrong stays an error either way.
const stsRef = '    apiVersion: apps/v1\n    kind: StatefulSet\n    name: mxt-orders';
testRule(hpaTargetRule, {
  valid: [
    {
      name: 'target among the files given',
      yaml: { 'sts.yaml': statefulSet, 'hpa.yaml': hpa(stsRef) },
      context: { complete: false },
    },
  ],
  invalid: [
    {
      name: 'target not among the files given: warning',
      yaml: { 'hpa.yaml': hpa(stsRef) },
      context: { complete: false },
      errors: [
        {
          path: 'spec.scaleTargetRef.name',
          line: 10,
          severity: 'warning',
          message:
            /^scaleTargetRef names StatefulSet "mxt-orders" in namespace "mxt", which is not among the files given \(give its file too, or validate the whole plan with --env\)/,
        },
      ],
    },
    {
      name: 'target missing from a whole plan: error',
      yaml: { 'hpa.yaml': hpa(stsRef) },
      errors: [
        {
          path: 'spec.scaleTargetRef.name',
          severity: 'error',
          message: /is not rendered in namespace "mxt"/,
        },
      ],
    },
    {
      name: 'a DaemonSet target is an error among files given too',
      yaml: { 'hpa.yaml': hpa('    apiVersion: apps/v1\n    kind: DaemonSet\n    name: agent') },
      context: { complete: false },
      errors: [
        { path: 'spec.scaleTargetRef.kind', severity: 'error', message: /cannot be scaled/ },
      ],
    },
  ],
});
