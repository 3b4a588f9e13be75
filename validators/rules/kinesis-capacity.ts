import type { FieldPath, Rule, RuleContext, RuleFinding } from '../types.js';
import { isObj } from '../model/references.js';

type Obj = Record<string, any>;

/**
 * What one shard accepts for writes: 1 MiB/s (and 1,000 records/s). Amazon Kinesis Data Streams API
 * Reference, PutRecords: "Each shard can support writes up to 1,000 records per second, up to a
 * maximum data write total of 1 MiB per second." (Reads: 2 MiB/s per shard.)
 */
export const SHARD_WRITE_KIB_PER_SECOND = 1024;

interface Writer {
  what: string;
  stream: string;
  region?: string;
  /** KiB/s, when declared. */
  rate?: number;
  streamPath: FieldPath;
}

interface DeclaredStream {
  name: string;
  shards: number;
  region?: string;
  path: FieldPath;
}

function text(v: unknown): string | undefined {
  return typeof v === 'string' && v.trim() !== '' ? v : undefined;
}

function rateOf(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : undefined;
}

/** MxTransporter collections that export to Kinesis (mxtransporter chart values). */
function mxTransporterWriters(values: Obj, region?: string): Writer[] {
  const mx = values.mxtransporter;
  if (!isObj(mx) || !Array.isArray(mx.collections)) return [];
  const out: Writer[] = [];
  mx.collections.forEach((c: unknown, i: number) => {
    if (!isObj(c) || !Array.isArray(c.exportDestinations)) return;
    if (!c.exportDestinations.includes('kinesisStream')) return;
    const own = isObj(c.kinesisStream) ? c.kinesisStream : {};
    const chart = isObj(mx.kinesisStream) ? mx.kinesisStream : {};
    const stream = text(own.streamName) ?? text(chart.streamName);
    if (!stream) return; // the chart refuses to render it
    out.push({
      what: `mxtransporter collection ${String(c.name)}`,
      stream,
      region: text(own.region) ?? text(chart.region) ?? region,
      rate: rateOf(c.expectedWriteKiBps),
      streamPath: text(own.streamName)
        ? ['mxtransporter', 'collections', i, 'kinesisStream', 'streamName']
        : ['mxtransporter', 'kinesisStream', 'streamName'],
    });
  });
  return out;
}

/** The logging chart's Fluent Bit, when it writes to Kinesis. */
function loggingWriters(values: Obj, region?: string): Writer[] {
  const logging = values.logging;
  if (!isObj(logging) || logging.output !== 'kinesis' || !isObj(logging.kinesis)) return [];
  const stream = text(logging.kinesis.stream);
  if (!stream) return [];
  return [
    {
      what: 'logging (Fluent Bit on every node)',
      stream,
      region: text(logging.kinesis.region) ?? region,
      rate: rateOf(logging.kinesis.expectedWriteKiBps),
      streamPath: ['logging', 'kinesis', 'stream'],
    },
  ];
}

function declaredStreams(values: Obj, region?: string): DeclaredStream[] {
  const list = isObj(values.global) ? values.global.kinesisStreams : undefined;
  if (!Array.isArray(list)) return [];
  const out: DeclaredStream[] = [];
  list.forEach((s: unknown, i: number) => {
    if (!isObj(s) || !text(s.name) || typeof s.shards !== 'number') return;
    out.push({
      name: s.name,
      shards: s.shards,
      region: text(s.region) ?? region,
      path: ['global', 'kinesisStreams', i],
    });
  });
  return out;
}

function kib(n: number): string {
  return `${Number.isInteger(n) ? n : n.toFixed(1)} KiB/s`;
}

function where(stream: string, region?: string): string {
  return region ? `${stream} (${region})` : stream;
}

/**
 * Kinesis capacity (values): the streams the charts write to are declared in
 * `global.kinesisStreams` with their shard counts, and the writers' expected rates (each MxTransporter
 * collection's `expectedWriteKiBps`, the logging chart's `kinesis.expectedWriteKiBps`) add up to no
 * more than the shards accept (1 MiB/s each). Writers that declare no rate are not counted.
 */
export const kinesisCapacityRule: Rule = {
  id: 'kinesis-capacity',
  description:
    'Kinesis streams written to are declared with their shards, and the writers’ expected rates fit them (1 MiB/s of writes per shard)',
  severity: 'warning',
  docs:
    'A provisioned Kinesis stream accepts 1 MiB/s and 1,000 records/s of writes per shard (Amazon Kinesis Data Streams API ' +
    'Reference, PutRecords; reads: 2 MiB/s per shard) and does not add shards by itself. Beyond that, PutRecords answers ' +
    'ProvisionedThroughputExceededException: MxTransporter falls behind on its change streams and Fluent Bit buffers, retries ' +
    'and finally drops logs. The rule adds up the expected write rates of the writers that values declare (MxTransporter ' +
    'collections exporting to kinesisStream, the logging chart with output kinesis) per stream and compares the sum with the ' +
    "stream's shards in global.kinesisStreams; a stream no declaration names is reported too. Fix: raise the stream's shards " +
    '(and reshard it in AWS), or move writers to another stream.',
  needs: 'values',
  check(_manifests, ctx: RuleContext) {
    const values = ctx.values as Obj;
    const region = ctx.cluster?.region;
    const writers = [...mxTransporterWriters(values, region), ...loggingWriters(values, region)];
    if (writers.length === 0) return [];
    const streams = declaredStreams(values, region);
    const out: RuleFinding[] = [];
    const byStream = new Map<DeclaredStream, Writer[]>();
    for (const w of writers) {
      const s = streams.find((d) => d.name === w.stream && d.region === w.region);
      if (!s) {
        const names = streams.map((d) => where(d.name, d.region));
        out.push({
          valuePath: w.streamPath,
          message: `${w.what} writes to Kinesis stream ${where(w.stream, w.region)}, which global.kinesisStreams does not declare${
            names.length > 0 ? ` (declared: ${names.join(', ')})` : ''
          }: declare it with its shard count so its capacity is checked`,
        });
        continue;
      }
      const list = byStream.get(s);
      if (list) list.push(w);
      else byStream.set(s, [w]);
    }
    for (const [s, ws] of byStream) {
      const counted = ws.filter((w) => w.rate !== undefined);
      const total = counted.reduce((sum, w) => sum + w.rate!, 0);
      const capacity = s.shards * SHARD_WRITE_KIB_PER_SECOND;
      if (total <= capacity) continue;
      const needed = Math.ceil(total / SHARD_WRITE_KIB_PER_SECOND);
      out.push({
        valuePath: [...s.path, 'shards'],
        message: `stream ${where(s.name, s.region)}: its writers expect ${kib(total)} (${counted
          .map((w) => `${w.what} ${kib(w.rate!)}`)
          .join(
            ', ',
          )}), more than its ${s.shards} shard${s.shards > 1 ? 's' : ''} accept (${kib(capacity)}, 1 MiB/s each): raise shards to at least ${needed}, or move writers to another stream`,
      });
    }
    return out;
  },
};
