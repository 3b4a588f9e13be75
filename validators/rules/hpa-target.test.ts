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
