import { describe, expect, it } from 'vitest';
import { imageTagRule } from './image-tag.js';
import { parseImageRef } from '../model/images.js';
import { lineOf, prdLikeCluster } from '../testing/helpers.js';
import { exactly, testRule } from '../testing/rule-tester.js';

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

const INIT = 'spec.template.spec.initContainers[0].image';
const MAIN = 'spec.template.spec.containers[0].image';

testRule(imageTagRule, {
  valid: [
    {
      name: 'version tags and digests',
      yaml: {
        'job.yaml': job
          .replace('image: busybox', 'image: busybox:1.36')
          .replace('migrate:latest', 'migrate:4.2.0'),
      },
      context: { env: 'prd' },
    },
  ],
  invalid: [
    {
      name: 'missing and latest tags as errors in prd, init containers included',
      yaml: { 'job.yaml': job },
      context: { env: 'prd' },
      errors: [
        {
          severity: 'error',
          resource: 'Job/apps/migrate',
          path: INIT,
          file: 'job.yaml',
          line: lineOf(job, 'image: busybox'),
          message: exactly(
            'container wait: image busybox has no tag (so it pulls latest); pin a version tag (e.g. busybox:1.2.3) or a digest (@sha256:...)',
          ),
        },
        {
          severity: 'error',
          resource: 'Job/apps/migrate',
          path: MAIN,
          file: 'job.yaml',
          line: lineOf(job, 'migrate:latest'),
          message: exactly(
            'container migrate: image ghcr.io/acme/migrate:latest uses the tag latest; pin a version tag (e.g. ghcr.io/acme/migrate:1.2.3) or a digest (@sha256:...)',
          ),
        },
      ],
    },
    {
      name: 'errors on an EKS cluster whatever the environment',
      yaml: { 'job.yaml': job },
      context: { cluster: prdLikeCluster() },
      errors: [
        { severity: 'error', path: INIT },
        { severity: 'error', path: MAIN },
      ],
    },
    {
      name: 'warnings in dev',
      yaml: { 'job.yaml': job },
      context: { env: 'dev' },
      errors: [
        { severity: 'warning', path: INIT },
        { severity: 'warning', path: MAIN },
      ],
    },
  ],
});

describe('image references', () => {
  it('are read like a container runtime reads them', () => {
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
});
