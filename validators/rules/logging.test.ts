import { describe, expect, it } from 'vitest';
import { loggingRule } from './logging.js';
import { testRule } from '../testing/rule-tester.js';
import { prdLikeCluster, REPO_ROOT, runRulesOnRepo } from '../testing/helpers.js';
import { parseFluentBitConfig, props, sampleTag, tagMatches } from '../model/fluent-bit.js';

const cluster = { ...prdLikeCluster(), accountId: '123456789012' };
const STREAM_ARN = 'arn:aws:kinesis:ap-northeast-1:123456789012:stream/router';

const LUA = `local TYPE_KEY = "log_type"
function set_log_type(tag, timestamp, record)
  record[TYPE_KEY] = record["kubernetes"]["labels"]["app.kubernetes.io/name"]
  return 2, timestamp, record
end
`;

const FILTERS = `[FILTER]
    Name    kubernetes
    Match   kube.*
[FILTER]
    Name    lua
    Match   kube.*
    script  /fluent-bit/etc/schema.lua
    call    set_log_type
[FILTER]
    Name        record_modifier
    Match       kube.*
    Remove_key  log_id
    Uuid_Key    log_id
`;

const KINESIS = `[OUTPUT]
    Name             kinesis_streams
    Match            kube.*
    region           ap-northeast-1
    stream           router
    time_key         time
    time_key_format  %Y-%m-%dT%H:%M:%S.%3NZ
`;

const STDOUT = `[OUTPUT]
    Name              stdout
    Match             kube.*
    Format            json_lines
    json_date_key     time
    json_date_format  iso8601
`;

function indent(text: string, n: number): string {
  return text
    .split('\n')
    .map((l) => (l === '' ? l : ' '.repeat(n) + l))
    .join('\n');
}

/** A ConfigMap holding fluent-bit.conf (an input, then `body`) and the Lua script. */
function configMap(body: string, lua = LUA): string {
  const conf = `[INPUT]\n    Name  tail\n    Tag   kube.*\n    Path  /var/log/containers/*.log\n${body}`;
  return `apiVersion: v1
kind: ConfigMap
metadata:
  name: fluent-bit
  namespace: logging
data:
  fluent-bit.conf: |
${indent(conf, 4)}
  schema.lua: |
${indent(lua, 4)}
`;
}

const TOLERATE_BOTH = `      tolerations:
        - { key: kubernetes.io/app, operator: Equal, value: scalardlpool, effect: NoSchedule }
        - { key: kubernetes.io/app, operator: Equal, value: scalardlauditorpool, effect: NoSchedule }
`;

function daemonSet(tolerations = TOLERATE_BOTH, mountPath = '/fluent-bit/etc'): string {
  return `apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: fluent-bit
  namespace: logging
spec:
  selector:
    matchLabels: { app: fluent-bit }
  template:
    metadata:
      labels: { app: fluent-bit }
    spec:
      serviceAccountName: fluent-bit
${tolerations}      containers:
        - name: fluent-bit
          image: cr.fluentbit.io/fluent/fluent-bit:4.2.8
          volumeMounts:
            - { name: config, mountPath: ${mountPath} }
      volumes:
        - name: config
          configMap: { name: fluent-bit }
`;
}

function serviceAccount(roleArn = 'arn:aws:iam::123456789012:role/logging-fluent-bit'): string {
  return `apiVersion: v1
kind: ServiceAccount
metadata:
  name: fluent-bit
  namespace: logging
${roleArn ? `  annotations:\n    eks.amazonaws.com/role-arn: ${roleArn}\n` : ''}`;
}

function clusterConfig(account: string): string {
  return `apiVersion: eksctl.io/v1alpha5
kind: ClusterConfig
metadata:
  name: shop-prd
  region: ap-northeast-1
iam:
  withOIDC: true
  serviceAccounts:
${indent(account, 4)}
`;
}

const GOOD_ROLE = `- metadata: { name: fluent-bit, namespace: logging }
  roleName: logging-fluent-bit
  roleOnly: true
  attachPolicy:
    Version: "2012-10-17"
    Statement:
      - { Effect: Allow, Action: [kinesis:PutRecords], Resource: [${STREAM_ARN}] }
`;

function files(parts: { cm?: string; ds?: string; sa?: string; cc?: string }) {
  return {
    'cm.yaml': parts.cm ?? configMap(FILTERS + KINESIS),
    'ds.yaml': parts.ds ?? daemonSet(),
    'sa.yaml': parts.sa ?? serviceAccount(),
    'cc.yaml': parts.cc ?? clusterConfig(GOOD_ROLE),
  };
}

const withCluster = { cluster };

testRule(loggingRule, {
  valid: [
    {
      name: 'kinesis output with the three keys, every pool, a scoped IRSA role',
      yaml: files({}),
      context: withCluster,
    },
    {
      name: 'stdout output (Minikube): json_date_key iso8601, no IAM role needed',
      yaml: { 'cm.yaml': configMap(FILTERS + STDOUT), 'ds.yaml': daemonSet('') },
    },
    {
      name: 'a role allowed kinesis:Put* on every stream of the account',
      yaml: files({
        cc: clusterConfig(
          GOOD_ROLE.replace('[kinesis:PutRecords]', '[kinesis:Put*]').replace(
            STREAM_ARN,
            'arn:aws:kinesis:ap-northeast-1:123456789012:stream/*',
          ),
        ),
      }),
      context: withCluster,
    },
    {
      name: 'without the ClusterConfig in the plan, the annotation is enough',
      yaml: {
        'cm.yaml': configMap(FILTERS + KINESIS),
        'ds.yaml': daemonSet(),
        'sa.yaml': serviceAccount(),
      },
      context: withCluster,
    },
    {
      name: 'key names from logging.recordKeys, the time set by the lua filter',
      yaml: {
        'cm.yaml': configMap(
          FILTERS.replace(/log_id/g, 'event_id') + KINESIS.replace(/ {4}time_key.*\n/g, ''),
          LUA.replace('"log_type"', '"kind"') + 'record["at"] = os.date("!%Y-%m-%dT%H:%M:%SZ")\n',
        ),
        'ds.yaml': daemonSet(''),
        'sa.yaml': serviceAccount(),
      },
      context: {
        values: { logging: { recordKeys: { type: 'kind', id: 'event_id', time: 'at' } } },
      },
    },
    {
      name: 'a DaemonSet that is not Fluent Bit',
      yaml: daemonSet('').replace(
        'cr.fluentbit.io/fluent/fluent-bit:4.2.8',
        'example.com/node-exporter:1.0',
      ),
      context: withCluster,
    },
  ],
  invalid: [
    {
      name: 'no Uuid_Key: records have no unique id',
      yaml: files({ cm: configMap(FILTERS.replace('    Uuid_Key    log_id\n', '') + KINESIS) }),
      context: withCluster,
      errors: [
        {
          file: 'cm.yaml',
          path: 'data["fluent-bit.conf"]',
          line: 7,
          message:
            /output kinesis_streams \(stream router\) ships records without the common log schema's unique id key log_id: add a record_modifier filter matching kube\.\* with Uuid_Key log_id/,
        },
      ],
    },
    {
      name: 'a time format that is not ISO 8601, and no data type',
      yaml: files({
        cm: configMap(
          FILTERS.replace('call    set_log_type', 'call    other') +
            KINESIS.replace('%Y-%m-%dT%H:%M:%S.%3NZ', '%s'),
        ),
      }),
      context: withCluster,
      errors: [
        { file: 'cm.yaml', message: /ISO 8601 time key time: time_key_format %s is not ISO 8601/ },
        {
          file: 'cm.yaml',
          message: /without the common log schema's data type key log_type: add a lua filter/,
        },
      ],
    },
    {
      name: 'stdout without json_date_format prints epoch seconds',
      yaml: {
        'cm.yaml': configMap(FILTERS + STDOUT.replace('    json_date_format  iso8601\n', '')),
        'ds.yaml': daemonSet(''),
      },
      errors: [
        {
          file: 'cm.yaml',
          message: /json_date_format double is not ISO 8601: set json_date_format iso8601/,
        },
      ],
    },
    {
      name: 'a filter that matches other tags does not count',
      yaml: {
        'cm.yaml': configMap(FILTERS.replace(/Match {7}kube\.\*/, 'Match       host.*') + STDOUT),
        'ds.yaml': daemonSet(''),
      },
      errors: [{ file: 'cm.yaml', message: /unique id key log_id/ }],
    },
    {
      name: 'the Auditor pool is not tolerated',
      yaml: files({
        ds: daemonSet(
          '      tolerations:\n        - { key: kubernetes.io/app, operator: Equal, value: scalardlpool, effect: NoSchedule }\n',
        ),
      }),
      context: withCluster,
      errors: [
        {
          file: 'ds.yaml',
          path: 'spec.template.spec.tolerations',
          line: 14,
          message:
            'Fluent Bit would not run on node group scalardl-auditor (missing toleration for kubernetes.io/app=scalardlauditorpool:NoSchedule), so the logs of its pods are lost: tolerate {key: kubernetes.io/app, operator: Equal, value: scalardlauditorpool, effect: NoSchedule} (the logging chart computes them from the cluster declaration)',
        },
      ],
    },
    {
      name: 'the configuration is not where the image reads it',
      yaml: { 'cm.yaml': configMap(FILTERS + STDOUT), 'ds.yaml': daemonSet('', '/etc/fluent') },
      errors: [
        {
          file: 'ds.yaml',
          path: 'spec.template.spec.containers[0].volumeMounts',
          message:
            /reads its configuration from \/fluent-bit\/etc\/fluent-bit\.conf, which no mounted ConfigMap of the plan provides/,
        },
      ],
    },
    {
      name: 'no IRSA annotation on the ServiceAccount',
      yaml: files({ sa: serviceAccount('') }),
      context: withCluster,
      errors: [
        {
          file: 'sa.yaml',
          path: 'metadata',
          line: 3,
          message:
            /has no eks\.amazonaws\.com\/role-arn annotation: Fluent Bit would fall back to the node's role/,
        },
      ],
    },
    {
      name: 'the role allows another stream only',
      yaml: files({ cc: clusterConfig(GOOD_ROLE.replace('stream/router', 'stream/orders')) }),
      context: withCluster,
      errors: [
        {
          file: 'cc.yaml',
          path: 'iam.serviceAccounts[0].attachPolicy',
          message: `role logging-fluent-bit of ServiceAccount logging/fluent-bit does not allow kinesis:PutRecords on ${STREAM_ARN}, so every batch Fluent Bit sends is refused: add a statement {Effect: Allow, Action: [kinesis:PutRecords], Resource: [${STREAM_ARN}]} to its attachPolicy`,
        },
      ],
    },
    {
      name: 'an explicit Deny wins over an Allow',
      yaml: files({
        cc: clusterConfig(
          GOOD_ROLE + '      - { Effect: Deny, Action: ["kinesis:*"], Resource: ["*"] }\n',
        ),
      }),
      context: withCluster,
      errors: [{ file: 'cc.yaml', message: /does not allow kinesis:PutRecords/ }],
    },
    {
      name: 'the role trusts another ServiceAccount',
      yaml: files({
        cc: clusterConfig(
          GOOD_ROLE.replace(
            'name: fluent-bit, namespace: logging',
            'name: shipper, namespace: logging',
          ),
        ),
      }),
      context: withCluster,
      errors: [
        {
          file: 'cc.yaml',
          path: 'iam.serviceAccounts[0].metadata',
          message:
            /trusts ServiceAccount logging\/shipper, but Fluent Bit runs as logging\/fluent-bit/,
        },
      ],
    },
    {
      name: 'the role comes only with AmazonKinesisFullAccess',
      yaml: files({
        cc: clusterConfig(`- metadata: { name: fluent-bit, namespace: logging }
  roleName: logging-fluent-bit
  attachPolicyARNs: [arn:aws:iam::aws:policy/AmazonKinesisFullAccess]
`),
      }),
      context: withCluster,
      errors: [
        {
          file: 'cc.yaml',
          severity: 'warning',
          path: 'iam.serviceAccounts[0].attachPolicyARNs',
          message: /which allows every Kinesis action on every stream: scope it with attachPolicy/,
        },
      ],
    },
    {
      name: 'the ClusterConfig does not create the role',
      yaml: files({ sa: serviceAccount('arn:aws:iam::123456789012:role/other') }),
      context: withCluster,
      errors: [
        {
          file: 'sa.yaml',
          path: 'metadata.annotations["eks.amazonaws.com/role-arn"]',
          message: /role other is not among the ClusterConfig's iam\.serviceAccounts/,
        },
      ],
    },
    {
      name: 'a kinesis output without a region (and none in the cluster declaration)',
      yaml: {
        'cm.yaml': configMap(
          FILTERS + KINESIS.replace('    region           ap-northeast-1\n', ''),
        ),
        'ds.yaml': daemonSet(''),
        'sa.yaml': serviceAccount(),
      },
      errors: [
        {
          file: 'cm.yaml',
          message: 'output kinesis_streams needs region: Fluent Bit does not start without it',
        },
      ],
    },
  ],
});

describe('the Fluent Bit configuration model', () => {
  it('reads sections, repeated and case-insensitive keys, @SET variables and @INCLUDE files', () => {
    const config = parseFluentBitConfig(
      '@SET KEY=log_id\n[FILTER]\n    NAME record_modifier\n    # a comment\n    Remove_Key a\n    remove_key ${KEY}\n@INCLUDE out.conf\n',
      (f) => (f === 'out.conf' ? '[OUTPUT]\n    Name stdout\n' : undefined),
    );
    expect(config.sections.map((s) => s.kind)).toEqual(['filter', 'output']);
    expect(props(config.sections[0], 'remove_key')).toEqual(['a', 'log_id']);
  });

  it('matches tags the way Match wildcards do', () => {
    const input = parseFluentBitConfig('[INPUT]\n    Name tail\n    Tag kube.*\n').sections[0];
    expect(tagMatches('kube.*', sampleTag(input))).toBe(true);
    expect(tagMatches('kube.var.*', sampleTag(input))).toBe(true);
    expect(tagMatches('host.*', sampleTag(input))).toBe(false);
    expect(tagMatches('*', 'anything')).toBe(true);
  });
});

describe('logging on the repository', () => {
  it('finds nothing in the dev and prd plans', () => {
    for (const env of ['dev', 'prd'])
      expect(runRulesOnRepo([loggingRule], env, REPO_ROOT)).toEqual([]);
  });
});
