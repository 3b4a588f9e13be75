import { resourcesRule } from './resources.js';
import { testRule } from '../testing/rule-tester.js';

const job = (init: string, main: string) => `apiVersion: batch/v1
kind: Job
metadata:
  name: schema-loader
  namespace: scalardl
spec:
  template:
    spec:
      restartPolicy: Never
      initContainers:
        - name: wait-db
          image: busybox:1.36
${init}
      containers:
        - name: loader
          image: ghcr.io/scalar-labs/scalardl-schema-loader:3.9.0
${main}
`;

const full = `          resources:
            requests: {cpu: 100m, memory: 128Mi}
            limits: {cpu: 500m, memory: 256Mi}`;

testRule(resourcesRule, {
  valid: [
    {
      name: 'containers and init containers with cpu and memory requests and limits',
      yaml: { 'job.yaml': job(full, full) },
    },
  ],
  invalid: [
    {
      name: 'the missing requests and limits of a container and an init container, by name',
      yaml: {
        'job.yaml': job(
          '',
          `          resources:
            requests: {cpu: 100m}
            limits: {memory: 256Mi}`,
        ),
      },
      errors: [
        {
          severity: 'warning',
          resource: 'Job/scalardl/schema-loader',
          path: 'spec.template.spec.initContainers[0].name',
          file: 'job.yaml',
          line: 11,
          message:
            'init container wait-db has no resources.requests.cpu, resources.requests.memory, resources.limits.cpu, resources.limits.memory',
        },
        {
          severity: 'warning',
          resource: 'Job/scalardl/schema-loader',
          path: 'spec.template.spec.containers[0].resources',
          file: 'job.yaml',
          line: 17,
          message:
            'container loader has no resources.requests.memory, resources.limits.cpu; set requests.memory: 128Mi, limits.cpu: 500m',
        },
      ],
    },
  ],
});
