import { storageClassRule } from './storage-class.js';
import { exactly, testRule } from '../testing/rule-tester.js';
import { prdLikeCluster } from '../testing/helpers.js';
import type { ClusterDeclaration } from '../types.js';

const pvc = (storageClassName?: string) => `apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: data
  namespace: apps
spec:
  accessModes: [ReadWriteOnce]
${storageClassName === undefined ? '' : `  storageClassName: ${storageClassName}\n`}  resources:
    requests: { storage: 1Gi }
`;

const gp3 = `apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata:
  name: gp3
provisioner: ebs.csi.aws.com
parameters: { type: gp3, encrypted: "true" }
volumeBindingMode: WaitForFirstConsumer
allowVolumeExpansion: true
`;

const clusterConfig = (addons: string) => `apiVersion: eksctl.io/v1alpha5
kind: ClusterConfig
metadata:
  name: shop-prd
  region: ap-northeast-1
  version: "1.31"
iam:
  withOIDC: true
${addons}`;

const WITH_ADDON = clusterConfig(`addons:
  - name: aws-ebs-csi-driver
    wellKnownPolicies:
      ebsCSIController: true
`);

const statefulSet = (storageClassName: string) => `apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: mxt-orders
  namespace: mxtransporter
spec:
  serviceName: mxt-orders
  selector:
    matchLabels: { app: mxt-orders }
  template:
    metadata:
      labels: { app: mxt-orders }
    spec:
      containers:
        - name: mxtransporter
          image: mxtransporter:1.4.2
  volumeClaimTemplates:
    - metadata:
        name: resume-token
      spec:
        accessModes: [ReadWriteOnce]
        storageClassName: ${storageClassName}
        resources:
          requests: { storage: 1Gi }
`;

/** The production-like cluster with the classes EKS and Minikube create declared. */
function cluster(classes: ClusterDeclaration['storageClasses']): ClusterDeclaration {
  return { ...prdLikeCluster(), storageClasses: classes };
}
const EKS = cluster([{ name: 'gp2', provisioner: 'kubernetes.io/aws-ebs' }]);
const MINIKUBE = cluster([
  { name: 'standard', provisioner: 'k8s.io/minikube-hostpath', default: true },
]);

testRule(storageClassRule, {
  valid: [
    {
      name: 'a rendered gp3 class with the EBS CSI add-on and its IAM role',
      yaml: { 'pvc.yaml': pvc('gp3'), 'sc.yaml': gp3, 'eks.yaml': WITH_ADDON },
      context: { cluster: EKS },
    },
    {
      name: 'a volumeClaimTemplate of a declared class, and the default for a claim that names none',
      yaml: { 'sts.yaml': statefulSet('standard'), 'pvc.yaml': pvc() },
      context: { cluster: MINIKUBE },
    },
    {
      name: 'storageClassName "" (static binding to a pre-provisioned volume)',
      yaml: pvc('""'),
      context: { cluster: EKS },
    },
    {
      name: 'an unknown class when the cluster is unknown (validate of loose files)',
      yaml: pvc('fast'),
    },
    {
      name: 'an EBS class when the plan holds no ClusterConfig to check',
      yaml: { 'pvc.yaml': pvc('gp3'), 'sc.yaml': gp3 },
      context: { cluster: EKS },
    },
    {
      name: 'the in-tree EBS provisioner before 1.23, when it did not need the CSI driver',
      yaml: { 'pvc.yaml': pvc('gp2'), 'eks.yaml': clusterConfig('') },
      context: { cluster: { ...EKS, kubernetesVersion: '1.22' } },
    },
    {
      name: 'a role for the add-on given by ARN',
      yaml: {
        'pvc.yaml': pvc('gp3'),
        'sc.yaml': gp3,
        'eks.yaml': clusterConfig(`addons:
  - name: aws-ebs-csi-driver
    serviceAccountRoleARN: arn:aws:iam::123456789012:role/ebs-csi
`),
      },
      context: { cluster: EKS },
    },
  ],
  invalid: [
    {
      name: 'a class that does not exist, with a did-you-mean',
      yaml: { 'sts.yaml': statefulSet('gp-3'), 'sc.yaml': gp3, 'eks.yaml': WITH_ADDON },
      context: { cluster: EKS },
      errors: [
        {
          file: 'sts.yaml',
          line: 22,
          path: 'spec.volumeClaimTemplates[0].spec.storageClassName',
          resource: 'StatefulSet/mxtransporter/mxt-orders',
          message: exactly(
            'volumeClaimTemplate resume-token asks for StorageClass "gp-3", which is neither rendered nor declared in storageClasses of the cluster declaration, so it stays Pending; did you mean "gp3"?',
          ),
        },
      ],
    },
    {
      name: 'a claim naming no class where the cluster has no default',
      yaml: pvc(),
      context: { cluster: EKS },
      errors: [
        {
          path: 'spec',
          message: exactly(
            'PVC names no storageClassName and the cluster has no default StorageClass, so it stays Pending: set storageClassName to one of gp2, or declare the default class in storageClasses of the cluster declaration',
          ),
        },
      ],
    },
    {
      name: 'an EBS CSI class without the aws-ebs-csi-driver add-on',
      yaml: { 'pvc.yaml': pvc('gp3'), 'sc.yaml': gp3, 'eks.yaml': clusterConfig('') },
      context: { cluster: EKS },
      errors: [
        {
          file: 'pvc.yaml',
          line: 8,
          path: 'spec.storageClassName',
          message: exactly(
            'PVC uses StorageClass/gp3, whose EBS volumes (ebs.csi.aws.com) need the EBS CSI driver, but the ClusterConfig installs no aws-ebs-csi-driver add-on, so it stays Pending: add addons: [{name: aws-ebs-csi-driver, wellKnownPolicies: {ebsCSIController: true}}] to the ClusterConfig',
          ),
        },
      ],
    },
    {
      name: 'the in-tree EBS class EKS creates (gp2), served by the CSI driver since 1.23',
      yaml: { 'pvc.yaml': pvc('gp2'), 'eks.yaml': clusterConfig('') },
      context: { cluster: EKS },
      errors: [
        {
          message:
            /^PVC uses StorageClass gp2 \(declared\), whose EBS volumes \(kubernetes\.io\/aws-ebs\) need the EBS CSI driver/,
        },
      ],
    },
    {
      name: 'the add-on without an IAM role',
      yaml: {
        'pvc.yaml': pvc('gp3'),
        'sc.yaml': gp3,
        'eks.yaml': clusterConfig('addons:\n  - name: aws-ebs-csi-driver\n'),
      },
      context: { cluster: EKS },
      errors: [{ message: /add-on has no IAM role, so the driver cannot create volumes/ }],
    },
    {
      name: 'a generic ephemeral volume of an unknown class',
      yaml: `apiVersion: v1
kind: Pod
metadata:
  name: scratch
  namespace: apps
spec:
  containers:
    - name: c
      image: busybox:1.36
  volumes:
    - name: scratch
      ephemeral:
        volumeClaimTemplate:
          spec:
            accessModes: [ReadWriteOnce]
            storageClassName: fast
            resources: { requests: { storage: 1Gi } }
`,
      context: { cluster: MINIKUBE },
      errors: [
        {
          line: 16,
          path: 'spec.volumes[0].ephemeral.volumeClaimTemplate.spec.storageClassName',
          message: /^ephemeral volume scratch asks for StorageClass "fast"/,
        },
      ],
    },
    {
      name: 'files given without the StorageClass: a class not among them is a warning',
      yaml: pvc('gp3'),
      context: { cluster: EKS, complete: false },
      errors: [
        {
          severity: 'warning',
          path: 'spec.storageClassName',
          message: exactly(
            'PVC asks for StorageClass "gp3", which is neither rendered (among the files given) nor declared in storageClasses of the cluster declaration, so it stays Pending; did you mean "gp2"?',
          ),
        },
      ],
    },
  ],
});
