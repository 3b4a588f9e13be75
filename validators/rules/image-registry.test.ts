import { imageRegistryRule } from './image-registry.js';
import { exactly, testRule } from '../testing/rule-tester.js';

const allowedRegistries = [
  '123456789012.dkr.ecr.ap-northeast-1.amazonaws.com',
  'ghcr.io/scalar-labs',
  'docker.io/library',
  'public.ecr.aws',
  'registry.k8s.io',
];

const pod = (images: string[]) => `apiVersion: v1
kind: Pod
metadata:
  name: p
  namespace: apps
spec:
  containers:
${images.map((image, i) => `    - name: c${i}\n      image: ${image}\n`).join('')}`;

testRule(imageRegistryRule, {
  valid: [
    {
      name: 'allowed hosts and host/path prefixes, with Docker Hub defaults filled in',
      yaml: pod([
        '123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/shop/orders:1.0',
        'ghcr.io/scalar-labs/scalar-ledger:3.10.0',
        'mysql:8.0.36',
        'index.docker.io/library/redis:7',
        'registry.k8s.io/kubectl:v1.31.4',
        'public.ecr.aws/aws-cli/aws-cli:2.22.12',
      ]),
      context: { allowedRegistries },
    },
    {
      name: 'any registry when none is declared',
      yaml: pod(['evil.example/x:1']),
    },
    {
      name: 'a namespace that only starts like Bitnami',
      yaml: pod(['docker.io/bitnamifan/tool:1.0']),
    },
  ],
  invalid: [
    {
      name: 'registries compared by path segment, not string prefix',
      yaml: pod(['ghcr.io/scalar-labsX/scalar-ledger:3.10.0']),
      context: { allowedRegistries },
      errors: [
        {
          path: 'spec.containers[0].image',
          line: 9,
          resource: 'Pod/apps/p',
          message: exactly(
            'container c0: image ghcr.io/scalar-labsX/scalar-ledger:3.10.0 (ghcr.io/scalar-labsX/scalar-ledger) is not from an allowed registry (123456789012.dkr.ecr.ap-northeast-1.amazonaws.com, ghcr.io/scalar-labs, docker.io/library, public.ecr.aws, registry.k8s.io): use an image from one of them, or add its registry to global.allowedRegistries',
          ),
        },
      ],
    },
    {
      name: 'Bitnami images, even from an allowed registry and with no registries declared',
      yaml: pod([
        'public.ecr.aws/bitnami/kubectl:1.31.4',
        'bitnami/kubectl:1.31',
        'docker.io/bitnamilegacy/redis:7.2',
      ]),
      context: { allowedRegistries },
      errors: [
        {
          path: 'spec.containers[0].image',
          line: 9,
          message:
            /^container c0: image public\.ecr\.aws\/bitnami\/kubectl:1\.31\.4 is a Bitnami public image, which Bitnami withdrew .*registry\.k8s\.io\/kubectl/,
        },
        { path: 'spec.containers[1].image', line: 11, message: /Bitnami withdrew/ },
        { path: 'spec.containers[2].image', line: 13, message: /Bitnami withdrew/ },
      ],
    },
    {
      name: 'a Bitnami image when no registries are declared',
      yaml: pod(['bitnami/kubectl:1.31']),
      errors: [{ path: 'spec.containers[0].image', message: /Bitnami withdrew/ }],
    },
  ],
});
