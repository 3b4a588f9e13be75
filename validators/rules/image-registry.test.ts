import { describe, expect, it } from 'vitest';
import { imageRegistryRule } from './image-registry.js';
import { lineOf, REPO_ROOT, runRuleOnYaml, runRulesOnRepo } from '../testing/helpers.js';

const allowedRegistries = [
  '123456789012.dkr.ecr.ap-northeast-1.amazonaws.com',
  'ghcr.io/scalar-labs',
  'docker.io/library',
];

const pod = (images: string[]) => `apiVersion: v1
kind: Pod
metadata:
  name: p
  namespace: apps
spec:
  containers:
${images.map((image, i) => `    - name: c${i}\n      image: ${image}\n`).join('')}`;

describe('image-registry', () => {
  it('reports images outside the allowed registries, comparing path segments, not string prefixes', () => {
    const text = pod(['ghcr.io/scalar-labsX/scalar-ledger:3.10.0', 'bitnami/kubectl:1.31']);
    const findings = runRuleOnYaml(imageRegistryRule, { 'pod.yaml': text }, { allowedRegistries });
    expect(findings.map((f) => [f.resource, f.path, f.location])).toEqual([
      [
        'Pod/apps/p',
        'spec.containers[0].image',
        { file: 'pod.yaml', line: lineOf(text, 'scalar-labsX') },
      ],
      [
        'Pod/apps/p',
        'spec.containers[1].image',
        { file: 'pod.yaml', line: lineOf(text, 'bitnami') },
      ],
    ]);
    expect(findings[0]).toMatchObject({ ruleId: 'image-registry', severity: 'error' });
    expect(findings[1].message).toBe(
      'container c1: image bitnami/kubectl:1.31 (docker.io/bitnami/kubectl) is not from an allowed registry ' +
        '(123456789012.dkr.ecr.ap-northeast-1.amazonaws.com, ghcr.io/scalar-labs, docker.io/library): ' +
        'use an image from one of them, or add its registry to global.allowedRegistries',
    );
  });

  it('accepts allowed hosts and host/path prefixes, with Docker Hub defaults filled in', () => {
    const text = pod([
      '123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/shop/orders:1.0',
      'ghcr.io/scalar-labs/scalar-ledger:3.10.0',
      'mysql:8.0.36',
      'index.docker.io/library/redis:7',
    ]);
    expect(runRuleOnYaml(imageRegistryRule, { 'pod.yaml': text }, { allowedRegistries })).toEqual(
      [],
    );
  });

  it('does nothing when no registries are declared', () => {
    expect(runRuleOnYaml(imageRegistryRule, { 'pod.yaml': pod(['evil.example/x:1']) })).toEqual([]);
  });
  it('finds nothing to fix in the repository plans', () => {
    for (const env of ['dev', 'prd'])
      expect(runRulesOnRepo([imageRegistryRule], env, REPO_ROOT)).toEqual([]);
  });
});
