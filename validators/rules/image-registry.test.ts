import { imageRegistryRule } from './image-registry.js';
import { lineOf } from '../testing/helpers.js';
import { exactly, testRule } from '../testing/rule-tester.js';

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

const outside = pod(['ghcr.io/scalar-labsX/scalar-ledger:3.10.0', 'bitnami/kubectl:1.31']);

testRule(imageRegistryRule, {
  valid: [
    {
      name: 'allowed hosts and host/path prefixes, with Docker Hub defaults filled in',
      yaml: {
        'pod.yaml': pod([
          '123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/shop/orders:1.0',
          'ghcr.io/scalar-labs/scalar-ledger:3.10.0',
          'mysql:8.0.36',
          'index.docker.io/library/redis:7',
        ]),
      },
      context: { allowedRegistries },
    },
    {
      name: 'any image when no registries are declared',
      yaml: { 'pod.yaml': pod(['evil.example/x:1']) },
    },
  ],
  invalid: [
    {
      name: 'images outside the allowed registries, comparing path segments, not string prefixes',
      yaml: { 'pod.yaml': outside },
      context: { allowedRegistries },
      errors: [
        {
          severity: 'error',
          resource: 'Pod/apps/p',
          path: 'spec.containers[0].image',
          file: 'pod.yaml',
          line: lineOf(outside, 'scalar-labsX'),
        },
        {
          resource: 'Pod/apps/p',
          path: 'spec.containers[1].image',
          file: 'pod.yaml',
          line: lineOf(outside, 'bitnami'),
          message: exactly(
            'container c1: image bitnami/kubectl:1.31 (docker.io/bitnami/kubectl) is not from an allowed registry ' +
              '(123456789012.dkr.ecr.ap-northeast-1.amazonaws.com, ghcr.io/scalar-labs, docker.io/library): ' +
              'use an image from one of them, or add its registry to global.allowedRegistries',
          ),
        },
      ],
    },
  ],
});
