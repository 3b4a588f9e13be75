import { describe, expect, it } from 'vitest';
import { imageTagRule } from './image-tag.js';
import { parseImageRef } from '../model/images.js';
import {
  lineOf,
  prdLikeCluster,
  REPO_ROOT,
  runRuleOnYaml,
  runRulesOnRepo,
} from '../testing/helpers.js';

const job = `apiVersion: batch/v1
kind: Job
metadata:
  name: migrate
  namespace: apps
spec:
  template:
    spec:
      restartPolicy: Never
      initContainers:
        - name: wait
          image: busybox
      containers:
        - name: migrate
          image: ghcr.io/acme/migrate:latest
        - name: pinned
          image: ghcr.io/acme/tool@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
        - name: tagged
          image: localhost:5000/acme/app:2.1
`;

describe('image-tag', () => {
  it('reports missing and latest tags as errors in prd, init containers included', () => {
    const findings = runRuleOnYaml(imageTagRule, { 'job.yaml': job }, { env: 'prd' });
    expect(findings).toEqual([
      {
        ruleId: 'image-tag',
        severity: 'error',
        resource: 'Job/apps/migrate',
        path: 'spec.template.spec.initContainers[0].image',
        message:
          'container wait: image busybox has no tag (so it pulls latest); pin a version tag (e.g. busybox:1.2.3) or a digest (@sha256:...)',
        location: { file: 'job.yaml', line: lineOf(job, 'image: busybox') },
      },
      {
        ruleId: 'image-tag',
        severity: 'error',
        resource: 'Job/apps/migrate',
        path: 'spec.template.spec.containers[0].image',
        message:
          'container migrate: image ghcr.io/acme/migrate:latest uses the tag latest; pin a version tag (e.g. ghcr.io/acme/migrate:1.2.3) or a digest (@sha256:...)',
        location: { file: 'job.yaml', line: lineOf(job, 'migrate:latest') },
      },
    ]);
  });

  it('is an error on EKS and a warning elsewhere', () => {
    expect(
      runRuleOnYaml(imageTagRule, { 'job.yaml': job }, { cluster: prdLikeCluster() }).map(
        (f) => f.severity,
      ),
    ).toEqual(['error', 'error']);
    expect(
      runRuleOnYaml(imageTagRule, { 'job.yaml': job }, { env: 'dev' }).map((f) => f.severity),
    ).toEqual(['warning', 'warning']);
  });

  it('accepts version tags and digests', () => {
    const pinned = job
      .replace('image: busybox', 'image: busybox:1.36')
      .replace('migrate:latest', 'migrate:4.2.0');
    expect(runRuleOnYaml(imageTagRule, { 'job.yaml': pinned }, { env: 'prd' })).toEqual([]);
  });

  it('reads image references like a container runtime', () => {
    expect(parseImageRef('mysql:8')).toMatchObject({
      host: 'docker.io',
      path: 'library/mysql',
      tag: '8',
    });
    expect(parseImageRef('localhost:5000/app')).toMatchObject({
      host: 'localhost:5000',
      path: 'app',
      tag: undefined,
    });
    expect(parseImageRef('index.docker.io/istio/proxyv2:1.22.0@sha256:abc')).toMatchObject({
      host: 'docker.io',
      path: 'istio/proxyv2',
      tag: '1.22.0',
      digest: 'sha256:abc',
    });
    expect(parseImageRef('bad//ref')).toBeUndefined();
  });
  it('finds no errors in the repository plans', () => {
    for (const env of ['dev', 'prd']) {
      const errors = runRulesOnRepo([imageTagRule], env, REPO_ROOT).filter(
        (f) => f.severity === 'error',
      );
      expect(errors).toEqual([]);
    }
  });
});
