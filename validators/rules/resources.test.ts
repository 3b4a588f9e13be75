import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../test/helpers.js';
import { resourcesRule } from './resources.js';
import { runRuleOnYaml, runRulesOnRepo } from '../testing/helpers.js';

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

describe('resources', () => {
  it('names the missing requests and limits of containers and init containers', () => {
    const findings = runRuleOnYaml(resourcesRule, {
      'job.yaml': job(
        '',
        `          resources:
            requests: {cpu: 100m}
            limits: {memory: 256Mi}`,
      ),
    });
    expect(
      findings.map((f) => [f.severity, f.resource, f.path, f.location?.file, f.location?.line]),
    ).toEqual([
      [
        'warning',
        'Job/scalardl/schema-loader',
        'spec.template.spec.initContainers[0].name',
        'job.yaml',
        11,
      ],
      [
        'warning',
        'Job/scalardl/schema-loader',
        'spec.template.spec.containers[0].resources',
        'job.yaml',
        17,
      ],
    ]);
    expect(findings[0].message).toContain(
      'init container wait-db has no resources.requests.cpu, resources.requests.memory, resources.limits.cpu, resources.limits.memory',
    );
    expect(findings[1].message).toContain(
      'container loader has no resources.requests.memory, resources.limits.cpu; set requests.memory: 128Mi, limits.cpu: 500m',
    );
  });

  it('accepts containers with cpu and memory requests and limits', () => {
    expect(runRuleOnYaml(resourcesRule, { 'job.yaml': job(full, full) })).toEqual([]);
  });

  it('finds nothing to fix in the repository plans', () => {
    for (const env of ['dev', 'prd']) {
      expect(runRulesOnRepo([resourcesRule], env, REPO_ROOT)).toEqual([]);
    }
  });
});
