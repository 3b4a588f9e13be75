import type { Manifest } from '../../core/manifest.js';
import type { FieldPath, Rule, RuleContext, RuleFinding } from '../types.js';
import { fitGroups, tolerationFor } from '../cluster/scheduling.js';
import {
  fluentBitAgents,
  parseFluentBitConfig,
  pluginOf,
  prop,
  props,
  sampleTag,
  sectionMatches,
  type FluentBitAgent,
  type FluentBitConfig,
  type FluentBitSection,
} from '../model/fluent-bit.js';
import { isObj, namespaceOf } from '../model/references.js';
import { wildcardMatch as iamMatches } from '../../core/wildcard.js';

type Obj = Record<string, any>;

/** The common log schema's keys (Baikonur's defaults), unless `logging.recordKeys` names others. */
export const DEFAULT_RECORD_KEYS = { type: 'log_type', id: 'log_id', time: 'time' } as const;

type RecordKeys = { type: string; id: string; time: string };

/** The IRSA annotation the EKS pod identity webhook reads. */
const ROLE_ANNOTATION = 'eks.amazonaws.com/role-arn';

/** The one call Fluent Bit's kinesis_streams output makes (plugins/out_kinesis_streams/kinesis_api.c). */
const PUT_RECORDS = 'kinesis:PutRecords';

/** Managed policies that allow PutRecords on every stream (more than a log shipper needs). */
const BROAD_KINESIS_POLICIES = new Set(['arn:aws:iam::aws:policy/AmazonKinesisFullAccess']);

/** strftime formats Fluent Bit writes as ISO 8601 (date, `T`, time). */
const ISO_8601_FORMAT = /^%Y-%m-%dT%H:%M:%S/;

/** Outputs whose time key is `json_date_key` (with `json_date_format iso8601`). */
const JSON_DATE_OUTPUTS = new Set(['stdout', 'http', 'tcp', 'file', 'null', 'forward']);

/** Outputs whose time key is `time_key` (with a strftime `time_key_format`). */
const TIME_KEY_OUTPUTS = new Set(['kinesis_streams', 'kinesis_firehose']);

function recordKeysOf(ctx: RuleContext): RecordKeys {
  const keys = (ctx.values?.logging as Obj | undefined)?.recordKeys;
  const pick = (k: keyof RecordKeys) =>
    isObj(keys) && typeof keys[k] === 'string' && keys[k] !== '' ? keys[k] : DEFAULT_RECORD_KEYS[k];
  return { type: pick('type'), id: pick('id'), time: pick('time') };
}

function quotedLiteral(source: string, text: string): boolean {
  const escaped = text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(["'])${escaped}\\1`).test(source);
}

/** What sets a key on the records a filter chain passes on, or undefined when nothing does. */
class KeySetters {
  constructor(
    private readonly agent: FluentBitAgent,
    private readonly filters: FluentBitSection[],
  ) {}

  /** A record_modifier `Record <key> ...` or a modify rule whose target is the key. */
  private staticSetter(key: string): boolean {
    return this.filters.some((f) => {
      const plugin = pluginOf(f);
      if (plugin === 'record_modifier')
        return props(f, 'record').some((r) => r.split(/\s+/)[0] === key);
      if (plugin === 'modify') {
        const one = ['add', 'set'].some((k) => props(f, k).some((r) => r.split(/\s+/)[0] === key));
        const two = ['rename', 'hard_rename', 'copy', 'hard_copy'].some((k) =>
          props(f, k).some((r) => r.split(/\s+/)[1] === key),
        );
        return one || two;
      }
      return false;
    });
  }

  /** A lua filter whose script names the key as a string literal and defines its `call`. */
  private luaSetter(key: string): boolean {
    return this.filters.some((f) => {
      if (pluginOf(f) !== 'lua') return false;
      const call = prop(f, 'call');
      const script = prop(f, 'script');
      const source = prop(f, 'code') ?? (script ? this.agent.readFile(script)?.text : undefined);
      if (!source || !call) return false;
      const defines = new RegExp(`function\\s+${call.replace(/[^A-Za-z0-9_]/g, '')}\\s*\\(`);
      return defines.test(source) && quotedLiteral(source, key);
    });
  }

  type(key: string): boolean {
    return this.staticSetter(key) || this.luaSetter(key);
  }

  /** Only record_modifier's Uuid_Key makes a unique id per record. */
  id(key: string): boolean {
    return this.filters.some(
      (f) => pluginOf(f) === 'record_modifier' && props(f, 'uuid_key').includes(key),
    );
  }

  time(key: string): boolean {
    return this.luaSetter(key);
  }
}

function describeOutput(output: FluentBitSection): string {
  const plugin = pluginOf(output);
  const stream = prop(output, 'stream');
  return `output ${plugin}${stream ? ` (stream ${stream})` : ''}`;
}

/** Why an output does not write the time key as ISO 8601, or undefined when it does. */
function timeProblem(output: FluentBitSection, key: string): string | undefined {
  const plugin = pluginOf(output);
  if (TIME_KEY_OUTPUTS.has(plugin)) {
    const timeKey = prop(output, 'time_key');
    const format = prop(output, 'time_key_format') ?? '%Y-%m-%dT%H:%M:%S';
    if (timeKey !== key) return `set time_key ${key} (and time_key_format %Y-%m-%dT%H:%M:%S.%3NZ)`;
    if (!ISO_8601_FORMAT.test(format))
      return `time_key_format ${format} is not ISO 8601: use %Y-%m-%dT%H:%M:%S.%3NZ`;
    return undefined;
  }
  if (JSON_DATE_OUTPUTS.has(plugin)) {
    const dateKey = prop(output, 'json_date_key') ?? 'date';
    const format = (prop(output, 'json_date_format') ?? 'double').toLowerCase();
    if (dateKey !== key) return `set json_date_key ${key} (and json_date_format iso8601)`;
    if (format !== 'iso8601')
      return `json_date_format ${format} is not ISO 8601: set json_date_format iso8601`;
    return undefined;
  }
  return `add the time under ${key} as ISO 8601 (a lua filter, or an output with a time key option)`;
}

function asList(v: unknown): string[] {
  if (typeof v === 'string') return [v];
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

/** Whether a policy document allows an action on a resource (an explicit Deny wins). */
function policyAllows(doc: unknown, action: string, resource: string): boolean {
  if (!isObj(doc)) return false;
  const statements = Array.isArray(doc.Statement) ? doc.Statement : [doc.Statement];
  let allowed = false;
  for (const s of statements) {
    if (!isObj(s)) continue;
    const actionOk = asList(s.Action).some((a) => iamMatches(a, action, true));
    const resourceOk = asList(s.Resource).some((r) => iamMatches(r, resource));
    if (!actionOk || !resourceOk) continue;
    if (s.Effect === 'Deny') return false;
    if (s.Effect === 'Allow') allowed = true;
  }
  return allowed;
}

class LoggingCheck {
  readonly out: RuleFinding[] = [];
  private readonly keys: RecordKeys;

  constructor(
    private readonly manifests: Manifest[],
    private readonly ctx: RuleContext,
  ) {
    this.keys = recordKeysOf(ctx);
  }

  run(): void {
    for (const agent of fluentBitAgents(this.manifests)) {
      this.coverage(agent);
      if (!agent.config) {
        this.out.push({
          manifest: agent.template.manifest,
          path: [...agent.containerPath, 'volumeMounts'],
          message: `container ${agent.container.name ?? '(unnamed)'} reads its configuration from ${agent.configPath}, which no mounted ConfigMap of the plan provides: mount the ConfigMap holding fluent-bit.conf there`,
        });
        continue;
      }
      const config = parseFluentBitConfig(agent.config.text, (f) => agent.readFile(f)?.text);
      this.recordKeys(agent, config);
      for (const output of config.sections.filter((s) => s.kind === 'output')) {
        if (pluginOf(output) === 'kinesis_streams') this.streamAccess(agent, output);
      }
    }
  }

  private configPath(agent: FluentBitAgent): FieldPath {
    return ['data', agent.config!.key];
  }

  /** Every record an output ships carries the three keys of the common log schema. */
  private recordKeys(agent: FluentBitAgent, config: FluentBitConfig): void {
    const inputs = config.sections.filter((s) => s.kind === 'input');
    const filters = config.sections.filter((s) => s.kind === 'filter');
    const outputs = config.sections.filter((s) => s.kind === 'output');
    if (outputs.length === 0) {
      this.out.push({
        manifest: agent.config!.configMap,
        path: this.configPath(agent),
        message: `the Fluent Bit configuration has no [OUTPUT]: the logs go nowhere`,
      });
    }
    for (const output of outputs) {
      const missing = new Map<string, string>();
      for (const input of inputs) {
        const tag = sampleTag(input);
        if (!sectionMatches(output, tag)) continue;
        const set = new KeySetters(
          agent,
          filters.filter((f) => sectionMatches(f, tag)),
        );
        const match = prop(output, 'match') ?? tag;
        if (!set.type(this.keys.type))
          missing.set(
            this.keys.type,
            `data type key ${this.keys.type}: add a lua filter matching ${match} that sets it from the pod label`,
          );
        if (!set.id(this.keys.id))
          missing.set(
            this.keys.id,
            `unique id key ${this.keys.id}: add a record_modifier filter matching ${match} with Uuid_Key ${this.keys.id}`,
          );
        if (!set.time(this.keys.time)) {
          const problem = timeProblem(output, this.keys.time);
          if (problem)
            missing.set(this.keys.time, `ISO 8601 time key ${this.keys.time}: ${problem}`);
        }
      }
      for (const what of missing.values()) {
        this.out.push({
          manifest: agent.config!.configMap,
          path: this.configPath(agent),
          message: `${describeOutput(output)} ships records without the common log schema's ${what} (consumers rely on it)`,
        });
      }
    }
  }

  /** The DaemonSet runs on every node group of the cluster declaration. */
  private coverage(agent: FluentBitAgent): void {
    const cluster = this.ctx.cluster;
    if (!cluster) return;
    const t = agent.template;
    const missed = fitGroups(t.spec, cluster).filter((f) => !(f.selected && f.tolerated));
    if (missed.length === 0) return;
    const tolerations = [
      ...new Set(
        missed.flatMap((f) =>
          f.mismatches.filter((m) => m.taint).map((m) => tolerationFor(m.taint!)),
        ),
      ),
    ];
    const onlyTaints = missed.every((f) => f.mismatches.every((m) => m.kind === 'toleration'));
    this.out.push({
      manifest: t.manifest,
      path:
        onlyTaints && Array.isArray(t.spec.tolerations)
          ? [...t.specPath, 'tolerations']
          : t.specPath,
      message: `Fluent Bit would not run on node group${missed.length > 1 ? 's' : ''} ${missed
        .map((f) => `${f.group.name} (${f.mismatches.map((m) => m.message).join('; ')})`)
        .join(', ')}, so the logs of its pods are lost: ${
        tolerations.length > 0 ? `tolerate ${tolerations.join(', ')}` : 'select every node group'
      } (the logging chart computes them from the cluster declaration)`,
    });
  }

  /** The ServiceAccount's IRSA role allows kinesis:PutRecords on the stream the output writes. */
  private streamAccess(agent: FluentBitAgent, output: FluentBitSection): void {
    const configMap = agent.config!.configMap;
    const stream = prop(output, 'stream');
    const region = prop(output, 'region') ?? this.ctx.cluster?.region;
    if (!stream || !region) {
      this.out.push({
        manifest: configMap,
        path: this.configPath(agent),
        message: `output kinesis_streams needs ${!stream ? 'stream' : 'region'}: Fluent Bit does not start without it`,
      });
      return;
    }
    const t = agent.template;
    const namespace = namespaceOf(t.manifest);
    const saName = String(t.spec.serviceAccountName ?? t.spec.serviceAccount ?? 'default');
    const sa = this.manifests.find(
      (m) =>
        m.object.kind === 'ServiceAccount' &&
        m.object.metadata?.name === saName &&
        namespaceOf(m) === namespace,
    );
    const roleArn = (sa?.object as Obj | undefined)?.metadata?.annotations?.[ROLE_ANNOTATION];
    if (!sa || typeof roleArn !== 'string' || roleArn === '') {
      this.out.push({
        manifest: sa ?? t.manifest,
        path: sa ? ['metadata'] : [...t.specPath],
        message: `${describeOutput(output)} writes with the credentials of ServiceAccount ${namespace}/${saName}, which has no ${ROLE_ANNOTATION} annotation: Fluent Bit would fall back to the node's role; annotate it with an IRSA role allowed ${PUT_RECORDS} on the stream`,
      });
      return;
    }
    const arn = /^arn:aws[a-z-]*:iam::(\d{12}):role\/(?:.*\/)?([^/]+)$/.exec(roleArn);
    if (!arn) {
      this.out.push({
        manifest: sa,
        path: ['metadata', 'annotations', ROLE_ANNOTATION],
        message: `${roleArn} is not an IAM role ARN (arn:aws:iam::<account>:role/<name>)`,
      });
      return;
    }
    const [, roleAccount, roleName] = arn;
    const clusterConfigs = this.manifests.filter((m) => m.object.kind === 'ClusterConfig');
    if (clusterConfigs.length === 0) return; // the roles are created elsewhere: nothing to compare
    const account = this.ctx.cluster?.accountId ?? roleAccount;
    const streamArn = `arn:aws:kinesis:${region}:${account}:stream/${stream}`;
    for (const cc of clusterConfigs) {
      const iam = (cc.object as Obj).iam;
      const accounts: Obj[] = Array.isArray(iam?.serviceAccounts) ? iam.serviceAccounts : [];
      const index = accounts.findIndex((a) => a?.roleName === roleName);
      if (index < 0) continue;
      const entry = accounts[index];
      const path: FieldPath = ['iam', 'serviceAccounts', index];
      if (entry.metadata?.namespace !== namespace || entry.metadata?.name !== saName) {
        this.out.push({
          manifest: cc,
          path: [...path, 'metadata'],
          message: `role ${roleName} trusts ServiceAccount ${entry.metadata?.namespace}/${entry.metadata?.name}, but Fluent Bit runs as ${namespace}/${saName}: IRSA refuses the other account's token; bind the role to ${namespace}/${saName}`,
        });
        return;
      }
      if (policyAllows(entry.attachPolicy, PUT_RECORDS, streamArn)) return;
      const broad = asList(entry.attachPolicyARNs).filter((p) => BROAD_KINESIS_POLICIES.has(p));
      if (broad.length > 0) {
        this.out.push({
          manifest: cc,
          path: [...path, 'attachPolicyARNs'],
          severity: 'warning',
          message: `role ${roleName} reaches the stream only through ${broad.join(', ')}, which allows every Kinesis action on every stream: scope it with attachPolicy (Allow ${PUT_RECORDS} on ${streamArn})`,
        });
        return;
      }
      this.out.push({
        manifest: cc,
        path: entry.attachPolicy ? [...path, 'attachPolicy'] : path,
        message: `role ${roleName} of ServiceAccount ${namespace}/${saName} does not allow ${PUT_RECORDS} on ${streamArn}, so every batch Fluent Bit sends is refused: add a statement {Effect: Allow, Action: [${PUT_RECORDS}], Resource: [${streamArn}]} to its attachPolicy`,
      });
      return;
    }
    this.out.push({
      manifest: sa,
      path: ['metadata', 'annotations', ROLE_ANNOTATION],
      message: `role ${roleName} is not among the ClusterConfig's iam.serviceAccounts, so nothing creates it: add it (eks chart, serviceAccountRoles) for ${namespace}/${saName} with ${PUT_RECORDS} on ${streamArn}`,
    });
  }
}

/**
 * Fluent Bit log shipping (the logging chart, or any DaemonSet running the Fluent Bit image):
 * - every output ships records with the common log schema's keys (`logging.recordKeys`, default
 *   `log_type`, `log_id`, `time`): the data type set by a filter (a lua filter naming the key, or a
 *   record_modifier/modify rule), a unique id from record_modifier's `Uuid_Key` (a UUID v4 per
 *   record), and the time written as ISO 8601 by the output (`time_key` + `time_key_format` for
 *   kinesis_streams, `json_date_key` + `json_date_format iso8601` for stdout and other JSON outputs);
 * - the DaemonSet runs on every node group of the cluster declaration (tolerations vs taints);
 * - a kinesis_streams output has a stream and a region, its ServiceAccount names an IRSA role, and
 *   when the plan holds the eksctl ClusterConfig, that role exists for that ServiceAccount and allows
 *   `kinesis:PutRecords` (the only call the output makes) on the stream's ARN.
 */
export const loggingRule: Rule = {
  id: 'logging',
  description:
    'Fluent Bit ships the common log schema (data type, unique id, ISO 8601 time) from every node group, with an IRSA role that may write its Kinesis stream',
  severity: 'error',
  docs:
    'Consumers of the log streams rely on three keys in every record: the data type (default log_type) that forwarders route by, ' +
    'a unique id (log_id, a UUID) that S3 archives name files by, and a parseable time (time, ISO 8601) that S3 sorts by and ' +
    'Elasticsearch builds daily indices from. The rule reads the Fluent Bit configuration from the ConfigMap the DaemonSet mounts ' +
    'and checks that every output gets all three: a filter setting the type, record_modifier Uuid_Key for the id ' +
    '(plugins/filter_record_modifier uses flb_utils_uuid_v4_gen), and the time key of the output (kinesis_streams time_key with an ' +
    'ISO 8601 time_key_format, stdout json_date_key with json_date_format iso8601; fluent/fluent-bit plugins/out_kinesis_streams ' +
    'and out_stdout). A DaemonSet that misses a tainted node group loses the logs of every pod there, so it must tolerate every ' +
    "group's taints. A kinesis_streams output calls only PutRecords (plugins/out_kinesis_streams/kinesis_api.c); without an IRSA " +
    'role allowed kinesis:PutRecords on the stream ARN every batch is refused or the node role is used. Fix: use the logging chart, ' +
    'which computes the tolerations from the cluster declaration, or add the missing filter, option, toleration or policy statement.',
  kinds: ['DaemonSet', 'ConfigMap', 'ServiceAccount', 'ClusterConfig'],
  check(manifests, ctx) {
    const check = new LoggingCheck(manifests, ctx);
    check.run();
    return check.out;
  },
};
