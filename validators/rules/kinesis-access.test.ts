import { kinesisAccessRule } from './kinesis-access.js';
import { exactly, testRule } from '../testing/rule-tester.js';
import { prdLikeCluster, valuesFromYaml } from '../testing/helpers.js';

const ROLE = 'arn:aws:iam::123456789012:role/shop-prd-mxtransporter';
const STREAM_ARN = 'arn:aws:kinesis:ap-northeast-1:123456789012:stream/shop-prd-orders-changes';

function exporter(o: { stream?: string; serviceAccount?: string } = {}): string {
  return `apiVersion: apps/v1
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
${o.serviceAccount === undefined ? '      serviceAccountName: mxtransporter\n' : o.serviceAccount}      containers:
        - name: mxtransporter
          image: 123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/mxtransporter:1.4.2
          env:
            - { name: EXPORT_DESTINATION, value: kinesisStream }
            - { name: KINESIS_STREAM_NAME, value: ${o.stream ?? 'shop-prd-orders-changes'} }
            - { name: KINESIS_STREAM_REGION, value: ap-northeast-1 }
`;
}

const serviceAccount = (
  annotations = `  annotations:\n    eks.amazonaws.com/role-arn: ${ROLE}\n`,
) =>
  `apiVersion: v1
kind: ServiceAccount
metadata:
  name: mxtransporter
  namespace: mxtransporter
${annotations}`;

function clusterConfig(role: string, nodeGroupIam = ''): string {
  return `apiVersion: eksctl.io/v1alpha5
kind: ClusterConfig
metadata:
  name: shop-prd
  region: ap-northeast-1
iam:
  withOIDC: true
  serviceAccounts:
    - metadata: { name: mxtransporter, namespace: mxtransporter }
      roleName: shop-prd-mxtransporter
      roleOnly: true
${role}managedNodeGroups:
  - name: workers
    instanceType: m5.large
${nodeGroupIam}`;
}

const scoped = (resources: string[], actions = ['kinesis:PutRecord', 'kinesis:PutRecords']) =>
  `      attachPolicy:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Action: [${actions.join(', ')}]
            Resource: [${resources.join(', ')}]
`;

const files = (config: string, extra: Record<string, string> = {}) => ({
  'sts.yaml': exporter(),
  'sa.yaml': serviceAccount(),
  'eks.yaml': config,
  ...extra,
});

/** A cluster declaration whose general node group carries AmazonKinesisFullAccess. */
const broadValues = valuesFromYaml(`global:
  clusters:
    prd:
      nodeGroups:
        - name: general
          iamPolicies:
            - arn:aws:iam::aws:policy/AmazonKinesisFullAccess
`);
const broadCluster = {
  ...prdLikeCluster(),
  nodeGroups: [
    {
      ...prdLikeCluster().nodeGroups[0],
      name: 'general',
      iamPolicies: ['arn:aws:iam::aws:policy/AmazonKinesisFullAccess'],
    },
  ],
};

testRule(kinesisAccessRule, {
  valid: [
    {
      name: 'a role whose policy names the stream',
      yaml: files(clusterConfig(scoped([STREAM_ARN]))),
    },
    {
      name: 'a role whose policy covers the stream with a wildcard',
      yaml: files(
        clusterConfig(
          scoped(
            ['arn:aws:kinesis:ap-northeast-1:123456789012:stream/shop-prd-*'],
            ['kinesis:Put*'],
          ),
        ),
      ),
    },
    {
      name: 'an exporter that does not write to Kinesis',
      yaml: exporter().replace('value: kinesisStream', 'value: file'),
      context: { cluster: prdLikeCluster() },
    },
    {
      name: 'outside EKS (no ClusterConfig, no EKS cluster declared)',
      yaml: exporter({ serviceAccount: '' }),
    },
  ],
  invalid: [
    {
      name: "a stream missing from the role's policy",
      yaml: files(
        clusterConfig(
          scoped(['arn:aws:kinesis:ap-northeast-1:123456789012:stream/shop-prd-payments-changes']),
        ),
      ),
      errors: [
        {
          file: 'sts.yaml',
          line: 20,
          path: 'spec.template.spec.containers[0].env[1].value',
          resource: 'StatefulSet/mxtransporter/mxt-orders',
          message: `this exporter writes to ${STREAM_ARN}, but the policy of role shop-prd-mxtransporter (ServiceAccount mxtransporter/mxtransporter, ClusterConfig/shop-prd iam.serviceAccounts) does not allow kinesis:PutRecord on it, so every export fails with AccessDenied: add the stream's ARN to the Resource of its kinesis statement`,
        },
      ],
    },
    {
      name: 'a Deny on the stream beats the Allow',
      yaml: files(
        clusterConfig(`      attachPolicy:
        Version: "2012-10-17"
        Statement:
          - { Effect: Allow, Action: "kinesis:*", Resource: "*" }
          - { Effect: Deny, Action: kinesis:PutRecord, Resource: "${STREAM_ARN}" }
`),
      ),
      errors: [{ line: 20, message: /does not allow kinesis:PutRecord on it/ }],
    },
    {
      name: 'a ServiceAccount without a role',
      yaml: files(clusterConfig(scoped([STREAM_ARN])), { 'sa.yaml': serviceAccount('') }),
      errors: [
        {
          line: 20,
          message:
            'ServiceAccount mxtransporter/mxtransporter of this exporter has no IAM role (annotation eks.amazonaws.com/role-arn), so it cannot write to Kinesis stream shop-prd-orders-changes: give it a role through IRSA whose policy allows kinesis:PutRecord on that stream',
        },
      ],
    },
    {
      name: 'the default ServiceAccount on an EKS cluster',
      yaml: exporter({ serviceAccount: '' }),
      context: { cluster: prdLikeCluster() },
      errors: [
        {
          message:
            /^ServiceAccount mxtransporter\/default of this exporter has no IAM role .*it is not rendered either/,
        },
      ],
    },
    {
      name: 'a role the ClusterConfig does not declare for that ServiceAccount',
      yaml: files(
        clusterConfig(scoped([STREAM_ARN])).replace(
          'name: mxtransporter, namespace',
          'name: other, namespace',
        ),
      ),
      errors: [
        {
          message:
            /uses role .*shop-prd-mxtransporter, which the ClusterConfig does not declare for it/,
        },
      ],
    },
    {
      name: 'a node group of the ClusterConfig with AmazonKinesisFullAccess',
      yaml: files(
        clusterConfig(
          scoped([STREAM_ARN]),
          `    iam:
      attachPolicyARNs:
        - arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy
        - arn:aws:iam::aws:policy/AmazonKinesisFullAccess
`,
        ),
      ),
      errors: [
        {
          file: 'eks.yaml',
          path: 'managedNodeGroups[0].iam.attachPolicyARNs[1]',
          message:
            /^node group workers carries AmazonKinesisFullAccess, so every pod on its nodes can use every Kinesis stream/,
        },
      ],
    },
    {
      name: 'a node group allowing Kinesis writes on every stream inline',
      yaml: files(
        clusterConfig(
          scoped([STREAM_ARN]),
          `    iam:
      attachPolicy:
        Version: "2012-10-17"
        Statement:
          - { Effect: Allow, Action: ["kinesis:Put*"], Resource: "*" }
`,
        ),
      ),
      errors: [
        {
          path: 'managedNodeGroups[0].iam.attachPolicy.Statement[0]',
          message: /allows Kinesis writes to every stream/,
        },
      ],
    },
    {
      name: 'a broad Kinesis policy on a node group of the cluster declaration, at its values line',
      context: {
        cluster: broadCluster,
        values: broadValues.values,
        clusterPath: ['global', 'clusters', 'prd'],
      },
      valueOrigins: broadValues.origins,
      errors: [
        {
          severity: 'error',
          resource: 'values',
          path: 'global.clusters.prd.nodeGroups[0].iamPolicies[0]',
          file: 'values/shared/global.yaml',
          line: 7,
          message: /^node group general carries AmazonKinesisFullAccess, so every pod on its nodes/,
        },
      ],
    },
    {
      name: 'files given without the ServiceAccount: the role cannot be checked (a warning)',
      yaml: { 'sts.yaml': exporter(), 'eks.yaml': clusterConfig(scoped([STREAM_ARN])) },
      context: { complete: false },
      errors: [
        {
          severity: 'warning',
          line: 20,
          message: exactly(
            'ServiceAccount mxtransporter/mxtransporter of this exporter is not among the files given, so its IAM role cannot be checked (give its file too, or validate the whole plan with --env)',
          ),
        },
      ],
    },
  ],
});
