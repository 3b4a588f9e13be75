import { describe, expect, it } from 'vitest';
import { kinesisCapacityRule, SHARD_WRITE_KIB_PER_SECOND } from './kinesis-capacity.js';
import { testRule, type RuleCase } from '../testing/rule-tester.js';
import { prdLikeCluster, REPO_ROOT, runRulesOnRepo, valuesFromYaml } from '../testing/helpers.js';

const cluster = prdLikeCluster(); // region ap-northeast-1

/** A values file with stream declarations, MxTransporter collections and the logging chart. */
function valuesCase(name: string, text: string): RuleCase {
  const { values, origins } = valuesFromYaml(text, 'values/prd/all.yaml');
  return { name, yaml: {}, context: { values, cluster }, valueOrigins: origins };
}

const STREAMS = `global:
  kinesisStreams:
    - { name: router, shards: 2 }
    - { name: orders-changes, shards: 1 }
    - { name: orders-changes, shards: 4, region: us-east-1 }
`;

function mx(collections: string, defaults = ''): string {
  return `mxtransporter:
${defaults}  collections:
${collections}`;
}

const LOGGING = (rate: number) => `logging:
  output: kinesis
  kinesis: { stream: router, region: '', expectedWriteKiBps: ${rate} }
`;

const ORDERS = (rate: number, extra = '') => `    - name: orders
      exportDestinations: [kinesisStream]
      kinesisStream: { streamName: orders-changes${extra} }
      expectedWriteKiBps: ${rate}
`;

testRule(kinesisCapacityRule, {
  valid: [
    valuesCase(
      'writers within their streams, exactly at capacity',
      STREAMS + mx(ORDERS(SHARD_WRITE_KIB_PER_SECOND)) + LOGGING(2048),
    ),
    valuesCase(
      'the same stream name in another region is another stream',
      STREAMS + mx(ORDERS(3000, ', region: us-east-1')),
    ),
    valuesCase(
      'collections exporting elsewhere, and writers that declare no rate, are not counted',
      STREAMS +
        mx(`    - { name: a, exportDestinations: [file], expectedWriteKiBps: 99999 }
    - { name: b, exportDestinations: [kinesisStream], kinesisStream: { streamName: orders-changes } }
`),
    ),
    valuesCase(
      'the logging chart writing to stdout',
      `logging:\n  output: stdout\n  kinesis: { stream: nowhere, expectedWriteKiBps: 99999 }\n`,
    ),
  ],
  invalid: [
    {
      ...valuesCase(
        'two collections over one shard (the chart-wide stream name)',
        STREAMS +
          mx(
            `    - { name: orders, exportDestinations: [kinesisStream], expectedWriteKiBps: 700 }
    - { name: refunds, exportDestinations: [kinesisStream], expectedWriteKiBps: 500 }
`,
            '  kinesisStream: { streamName: orders-changes, region: ap-northeast-1 }\n',
          ),
      ),
      errors: [
        {
          file: 'values/prd/all.yaml',
          line: 4,
          path: 'global.kinesisStreams[1].shards',
          severity: 'warning',
          message:
            'stream orders-changes (ap-northeast-1): its writers expect 1200 KiB/s (mxtransporter collection orders 700 KiB/s, mxtransporter collection refunds 500 KiB/s), more than its 1 shard accept (1024 KiB/s, 1 MiB/s each): raise shards to at least 2, or move writers to another stream',
        },
      ],
    },
    {
      ...valuesCase('Fluent Bit over the router', STREAMS + LOGGING(2049.5)),
      errors: [
        {
          path: 'global.kinesisStreams[0].shards',
          line: 3,
          message:
            /its writers expect 2049\.5 KiB\/s \(logging \(Fluent Bit on every node\) 2049\.5 KiB\/s\), more than its 2 shards accept \(2048 KiB\/s/,
        },
      ],
    },
    {
      ...valuesCase(
        'a stream nobody declared',
        STREAMS + mx(ORDERS(10).replace('orders-changes', 'refund-changes')),
      ),
      errors: [
        {
          path: 'mxtransporter.collections[0].kinesisStream.streamName',
          line: 10,
          message:
            'mxtransporter collection orders writes to Kinesis stream refund-changes (ap-northeast-1), which global.kinesisStreams does not declare (declared: router (ap-northeast-1), orders-changes (ap-northeast-1), orders-changes (us-east-1)): declare it with its shard count so its capacity is checked',
        },
      ],
    },
  ],
});

describe('kinesis-capacity on the repository', () => {
  it('finds nothing in the dev and prd values', () => {
    for (const env of ['dev', 'prd'])
      expect(runRulesOnRepo([kinesisCapacityRule], env, REPO_ROOT)).toEqual([]);
  });
});
