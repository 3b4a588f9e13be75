import type { Manifest } from '../../core/manifest.js';
import type { FieldPath, Rule, RuleFinding } from '../types.js';
import { isMxTransporter } from '../model/components.js';
import { containerEnv } from '../model/env.js';
import { describe, isObj, namespaceOf } from '../model/references.js';
import { containersOf, WORKLOAD_KINDS } from '../model/workloads.js';
import type { Obj } from '../../core/object.js';
import { wildcardMatch as iamMatches } from '../../core/wildcard.js';

const ROLE_ANNOTATION = 'eks.amazonaws.com/role-arn';
/** The one Kinesis call MxTransporter makes (interfaces/kinesis-stream/export.go of cam-inc/MxTransporter). */
const WRITE_ACTION = 'kinesis:PutRecord';
/** AWS managed policies that give Kinesis access to every stream of the account. */
const BROAD_MANAGED = /^arn:aws[a-z-]*:iam::aws:policy\/AmazonKinesis(FullAccess|ReadOnlyAccess)$/;

function list(v: unknown): string[] {
  if (typeof v === 'string') return [v];
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

/** Statements of an IAM policy document (eksctl attachPolicy). */
function statements(policy: unknown): Obj[] {
  if (!isObj(policy)) return [];
  const s = policy.Statement;
  return Array.isArray(s) ? s.filter(isObj) : isObj(s) ? [s] : [];
}

/** Whether the statements allow `action` on `resource` (an explicit Deny wins). */
function allows(stmts: Obj[], action: string, resource: string): boolean {
  const applies = (s: Obj) =>
    list(s.Action).some((a) => iamMatches(a, action, true)) &&
    list(s.Resource).some((r) => iamMatches(r, resource));
  if (stmts.some((s) => s.Effect === 'Deny' && applies(s))) return false;
  return stmts.some((s) => s.Effect === 'Allow' && s.Condition === undefined && applies(s));
}

/** Whether a statement gives Kinesis write access to every stream. */
function broadStatement(s: Obj): boolean {
  return (
    s.Effect === 'Allow' &&
    list(s.Action).some((a) => iamMatches(a, WRITE_ACTION, true)) &&
    list(s.Resource).some(
      (r) => r === '*' || /^arn:aws[a-z-]*:kinesis:[^:]*:[^:]*:(\*|stream\/\*)$/.test(r),
    )
  );
}

interface RoleEntry {
  entry: Obj;
  path: FieldPath;
  config: Manifest;
}

/** iam.serviceAccounts of the plan's ClusterConfigs, by `namespace/name`. */
function declaredRoles(configs: Manifest[]): Map<string, RoleEntry> {
  const out = new Map<string, RoleEntry>();
  for (const config of configs) {
    const accounts = (config.object as Obj).iam?.serviceAccounts;
    if (!Array.isArray(accounts)) continue;
    accounts.forEach((entry: Obj, i: number) => {
      const name = entry?.metadata?.name;
      if (typeof name !== 'string') return;
      const ns =
        typeof entry.metadata.namespace === 'string' ? entry.metadata.namespace : 'default';
      out.set(`${ns}/${name}`, { entry, path: ['iam', 'serviceAccounts', i], config });
    });
  }
  return out;
}

/**
 * Every Kinesis stream an MxTransporter exporter writes to is covered by the IAM policy of its
 * ServiceAccount's role (IRSA, declared in the eksctl ClusterConfig), and no node group carries a
 * Kinesis policy for every stream (so no other pod on its nodes gets that access).
 */
export const kinesisAccessRule: Rule = {
  id: 'kinesis-access',
  description:
    "Each MxTransporter Kinesis stream is covered by its ServiceAccount's IAM role policy; no node group has account-wide Kinesis access",
  severity: 'error',
  docs:
    'Catches an MxTransporter exporter (EXPORT_DESTINATION with kinesisStream) whose stream ' +
    'KINESIS_STREAM_NAME in KINESIS_STREAM_REGION is not allowed kinesis:PutRecord (the call ' +
    "MxTransporter makes: interfaces/kinesis-stream/export.go of cam-inc/MxTransporter) by the policy of its ServiceAccount's " +
    'IAM role: the annotation eks.amazonaws.com/role-arn and the role declared in the eksctl ' +
    'ClusterConfig (iam.serviceAccounts: attachPolicy statements, or attachPolicyARNs). Without it ' +
    'every export fails with AccessDenied and the change stream backs up. It also catches a node ' +
    'group with an account-wide Kinesis policy (AmazonKinesisFullAccess, AmazonKinesisReadOnlyAccess, or ' +
    'kinesis actions on every stream) in the cluster declaration (iamPolicies) or the ClusterConfig: ' +
    'every pod on those nodes can then read and write every stream. Pod permissions belong to IRSA, ' +
    'scoped to the resources the pod uses (Amazon EKS user guide, "IAM roles for service accounts"). ' +
    "Fix: give the exporters' ServiceAccount a role whose inline policy allows kinesis:PutRecord, " +
    'PutRecords, DescribeStream and DescribeStreamSummary on the ARNs of their streams ' +
    '(arn:aws:kinesis:<region>:<account>:stream/<name>), and drop the Kinesis policy from the node group.',
  kinds: ['ServiceAccount', 'ClusterConfig', 'ConfigMap', 'Secret', ...WORKLOAD_KINDS],
  // An exporter's findings read its ServiceAccount, the ClusterConfig's roles and the variables of
  // its ConfigMaps and Secrets; a ClusterConfig's, the cluster declaration; the node groups of the
  // declaration are reported on the values, from the declaration alone.
  scope: 'object',
  reads: {
    kinds: ['ServiceAccount', 'ClusterConfig', 'ConfigMap', 'Secret'],
    context: (ctx) => [ctx.cluster ?? null, ctx.complete],
  },
  check(_manifests, ctx) {
    const out: RuleFinding[] = [];
    const configs = ctx.model.objects.ofKind('ClusterConfig');

    // Node groups: the cluster declaration is the source of the ClusterConfig, so it is reported
    // there (not again when only some objects are checked again: the cache keeps it)
    if (ctx.cluster && !ctx.recheck) {
      (ctx.cluster.nodeGroups ?? []).forEach((g, gi) => {
        list(g?.iamPolicies).forEach((arn, pi) => {
          if (!BROAD_MANAGED.test(arn)) return;
          out.push({
            valuePath: [...ctx.clusterPath, 'nodeGroups', gi, 'iamPolicies', pi],
            message: `node group ${g.name} carries ${arn.split('/').pop()}, so every pod on its nodes can use every Kinesis stream of the account: remove it, and give the pods that need Kinesis a ServiceAccount role (IRSA) limited to their streams`,
          });
        });
      });
    }
    for (const config of configs) {
      const groups = (config.object as Obj).managedNodeGroups ?? [];
      const unmanaged = (config.object as Obj).nodeGroups ?? [];
      for (const [field, all] of [
        ['managedNodeGroups', groups],
        ['nodeGroups', unmanaged],
      ] as const) {
        if (!Array.isArray(all)) continue;
        all.forEach((g: Obj, gi: number) => {
          const fromDeclaration = (ctx.cluster?.nodeGroups ?? []).some((d) => d?.name === g?.name);
          list(g?.iam?.attachPolicyARNs).forEach((arn, pi) => {
            if (!BROAD_MANAGED.test(arn) || fromDeclaration) return;
            out.push({
              manifest: config,
              path: [field, gi, 'iam', 'attachPolicyARNs', pi],
              message: `node group ${g.name} carries ${arn.split('/').pop()}, so every pod on its nodes can use every Kinesis stream of the account: remove it, and give the pods that need Kinesis a ServiceAccount role (IRSA) limited to their streams`,
            });
          });
          statements(g?.iam?.attachPolicy).forEach((s, si) => {
            if (!broadStatement(s)) return;
            out.push({
              manifest: config,
              path: [field, gi, 'iam', 'attachPolicy', 'Statement', si],
              message: `node group ${g.name} allows Kinesis writes to every stream, so every pod on its nodes can use them: scope the access to a ServiceAccount role (IRSA) and name the streams`,
            });
          });
        });
      }
    }

    // Exporters: their streams against their ServiceAccount's role.
    const eks = configs.length > 0 || ctx.cluster?.provider === 'eks';
    if (!eks) return out;
    const roles = declaredRoles(configs);
    const index = ctx.model.config;

    for (const t of ctx.model.podTemplates) {
      if (!isMxTransporter(t)) continue;
      const ns = namespaceOf(t.manifest);
      const saName =
        typeof t.spec.serviceAccountName === 'string' ? t.spec.serviceAccountName : 'default';
      for (const { container, path } of containersOf(t)) {
        const env = containerEnv(container, path, ns, index, ctx.cluster);
        const value = (name: string) => {
          const v = env.vars.get(name);
          return v?.kind === 'value' ? v : undefined;
        };
        const destinations = value('EXPORT_DESTINATION');
        if (
          !destinations ||
          !destinations.value
            .split(',')
            .map((d) => d.trim())
            .includes('kinesisStream')
        )
          continue;
        const stream = value('KINESIS_STREAM_NAME');
        const region = value('KINESIS_STREAM_REGION')?.value ?? ctx.cluster?.region;
        if (!stream || stream.value.trim() === '' || !region) continue; // the mxtransporter rule reports it
        const at = { manifest: t.manifest, path: stream.path };
        const sa = ctx.model.objects.find('ServiceAccount', ns, saName, '');
        const arn = (sa?.object.metadata?.annotations as Record<string, unknown> | undefined)?.[
          ROLE_ANNOTATION
        ];
        const saText = `ServiceAccount ${ns}/${saName}`;
        if (typeof arn !== 'string' || arn === '') {
          // Among files given on the command line the ServiceAccount may be in a file not given.
          if (!sa && !ctx.complete) {
            out.push({
              ...at,
              severity: 'warning',
              message: `${saText} of this exporter is not among the files given, so its IAM role cannot be checked (give its file too, or validate the whole plan with --env)`,
            });
            continue;
          }
          out.push({
            ...at,
            message: `${saText} of this exporter has no IAM role (annotation ${ROLE_ANNOTATION}${sa ? '' : '; it is not rendered either'}), so it cannot write to Kinesis stream ${stream.value}: give it a role through IRSA whose policy allows ${WRITE_ACTION} on that stream`,
          });
          continue;
        }
        if (configs.length === 0) continue; // the role's policy is not in the plan
        const declared = roles.get(`${ns}/${saName}`);
        const roleName = arn.split(':role/').pop()?.split('/').pop();
        if (
          !declared ||
          (declared.entry.roleName !== undefined && declared.entry.roleName !== roleName)
        ) {
          out.push({
            ...at,
            message: `${saText} uses role ${arn}, which the ClusterConfig does not declare for it (iam.serviceAccounts ${ns}/${saName}${declared ? ` names role ${declared.entry.roleName}` : ''}), so its permissions cannot be checked: declare the role there with a policy for stream ${stream.value}`,
          });
          continue;
        }
        const account =
          /^arn:aws[a-z-]*:iam::(\d{12}):/.exec(arn)?.[1] ?? ctx.cluster?.accountId ?? '*';
        const partition = /^arn:(aws[a-z-]*):/.exec(arn)?.[1] ?? 'aws';
        const streamArn = `arn:${partition}:kinesis:${region}:${account}:stream/${stream.value}`;
        const managed = list(declared.entry.attachPolicyARNs);
        const covered =
          managed.some((p) => /AmazonKinesisFullAccess$/.test(p)) ||
          allows(statements(declared.entry.attachPolicy), WRITE_ACTION, streamArn);
        if (!covered) {
          out.push({
            ...at,
            message: `this exporter writes to ${streamArn}, but the policy of role ${roleName} (${saText}, ${describe(declared.config)} iam.serviceAccounts) does not allow ${WRITE_ACTION} on it, so every export fails with AccessDenied: add the stream's ARN to the Resource of its kinesis statement`,
          });
        }
      }
    }
    return out;
  },
};
