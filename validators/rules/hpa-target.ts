import { apiGroup } from '../../core/manifest.js';
import type { Rule, RuleFinding } from '../types.js';
import { describe, groupOf, isObj, namespaceOf, suggestion } from '../model/references.js';

/** Built-in kinds with a scale subresource, by API group. */
const SCALABLE: Record<string, string> = {
  Deployment: 'apps',
  StatefulSet: 'apps',
  ReplicaSet: 'apps',
  ReplicationController: '',
};

/** Built-in kinds that exist but cannot be scaled by an autoscaler. */
const NOT_SCALABLE = new Set(['DaemonSet', 'Job', 'CronJob', 'Pod', 'Service', 'ConfigMap']);

/** Every HorizontalPodAutoscaler targets a scalable workload rendered in its namespace. */
export const hpaTargetRule: Rule = {
  id: 'hpa-target',
  description:
    'A HorizontalPodAutoscaler targets (kind, name, API group) a scalable workload rendered in its namespace',
  severity: 'error',
  docs: 'Every HorizontalPodAutoscaler targets a scalable workload (Deployment, StatefulSet, ReplicaSet) that is rendered in its namespace, with the right kind and API group. An HPA naming a workload that does not exist (as the upstream MxTransporter chart did) scales nothing and reports FailedGetScale. Fix scaleTargetRef.',
  // what it reads: every object's identity (a target is looked up by kind, namespace and name),
  // and the autoscalers whole
  memo: {
    project: (m, p) =>
      m.object.kind === 'HorizontalPodAutoscaler' ? p.with(m, [m.object]) : p.identity(m),
    context: (ctx) => ctx.complete,
  },
  check(manifests, ctx) {
    const out: RuleFinding[] = [];
    const index = ctx.model.objects;
    for (const manifest of manifests) {
      const obj = manifest.object as Record<string, any>;
      if (obj.kind !== 'HorizontalPodAutoscaler' || groupOf(manifest) !== 'autoscaling') continue;
      const ref = obj.spec?.scaleTargetRef;
      const refPath = ['spec', 'scaleTargetRef'];
      if (!isObj(ref) || typeof ref.kind !== 'string' || typeof ref.name !== 'string') {
        out.push({
          manifest,
          path: refPath,
          message:
            'scaleTargetRef needs kind and name of the workload to scale (e.g. {apiVersion: apps/v1, kind: Deployment, name: web})',
        });
        continue;
      }
      const ns = namespaceOf(manifest);
      const { kind, name } = ref as { kind: string; name: string };
      const wantedGroup = typeof ref.apiVersion === 'string' ? apiGroup(ref.apiVersion) : undefined;

      if (NOT_SCALABLE.has(kind)) {
        out.push({
          manifest,
          path: [...refPath, 'kind'],
          message: `a ${kind} cannot be scaled by an autoscaler; target a Deployment, StatefulSet or ReplicaSet`,
        });
        continue;
      }
      const target = index.find(kind, ns, name);
      if (target) {
        const actual = groupOf(target);
        if (wantedGroup !== undefined && wantedGroup !== actual) {
          out.push({
            manifest,
            path: [...refPath, 'apiVersion'],
            message: `scaleTargetRef.apiVersion "${ref.apiVersion}" is not the API group of ${describe(target)} (${target.object.apiVersion}); set apiVersion: ${target.object.apiVersion}`,
          });
        } else if (SCALABLE[kind] === undefined && isBuiltInGroup(actual)) {
          out.push({
            manifest,
            path: [...refPath, 'kind'],
            message: `${describe(target)} has no scale subresource; target a Deployment, StatefulSet or ReplicaSet`,
          });
        }
        continue;
      }
      if (
        SCALABLE[kind] !== undefined &&
        wantedGroup !== undefined &&
        wantedGroup !== SCALABLE[kind]
      ) {
        out.push({
          manifest,
          path: [...refPath, 'apiVersion'],
          message: `scaleTargetRef.apiVersion "${ref.apiVersion}" does not serve ${kind}; use ${SCALABLE[kind] ? `${SCALABLE[kind]}/v1` : 'v1'}`,
        });
      }
      const sameName = index
        .named(ns, name)
        .filter((m) => m.object.kind !== 'HorizontalPodAutoscaler');
      const scalableHere = manifests.filter(
        (m) => namespaceOf(m) === ns && SCALABLE[String(m.object.kind)] !== undefined,
      );
      let hint: string;
      if (sameName.some((m) => SCALABLE[String(m.object.kind)] !== undefined)) {
        const other = sameName.find((m) => SCALABLE[String(m.object.kind)] !== undefined)!;
        hint = `but there is ${describe(other)}; set kind: ${other.object.kind} and apiVersion: ${other.object.apiVersion}`;
      } else {
        const elsewhere = manifests.find(
          (m) => m.object.kind === kind && m.object.metadata.name === name && namespaceOf(m) !== ns,
        );
        hint = elsewhere
          ? `${describe(elsewhere)} exists in another namespace; an autoscaler only scales workloads of its own namespace`
          : suggestion(
              name,
              scalableHere.filter((m) => m.object.kind === kind).map((m) => m.object.metadata.name),
              `${kind}s in namespace "${ns}"`,
            );
      }
      out.push(
        ctx.complete
          ? {
              manifest,
              path: [...refPath, 'name'],
              message: `scaleTargetRef names ${kind} "${name}", which is not rendered in namespace "${ns}"; ${hint}`,
            }
          : {
              // files given on the command line: the workload may be in a file not given
              manifest,
              path: [...refPath, 'name'],
              severity: 'warning',
              message: `scaleTargetRef names ${kind} "${name}" in namespace "${ns}", which is not among the files given (give its file too, or validate the whole plan with --env); ${hint}`,
            },
      );
    }
    return out;
  },
};

/** Core groups and `*.k8s.io` groups hold no custom resources that could carry a scale subresource. */
function isBuiltInGroup(group: string): boolean {
  return (
    group === '' ||
    group === 'apps' ||
    group === 'batch' ||
    group === 'autoscaling' ||
    group === 'policy' ||
    group.endsWith('.k8s.io')
  );
}
