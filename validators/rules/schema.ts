import { validateObjectSchema } from '../schema/index.js';
import type { Rule, RuleFinding } from '../types.js';

/** Every object against the schema of its kind (Kubernetes, Istio, ArgoCD, eksctl). */
export const schemaRule: Rule = {
  id: 'schema',
  description:
    "Objects match the schema of their kind for the cluster's Kubernetes version: required fields, types, fields and kinds that version has, no unknown fields (strict)",
  severity: 'error',
  scope: 'object',
  docs:
    'Catches objects the API server rejects or silently changes: wrong types, missing required ' +
    'fields, misspelt or misplaced fields (an unknown field is dropped, so the setting never ' +
    'applies), fields and kinds newer (or older) than the cluster, e.g. pod-level resources ' +
    '(PodLevelResources, alpha in 1.32) or lifecycle.stopSignal (ContainerStopSignals, alpha in ' +
    '1.33; pkg/features/kube_features.go) on a 1.31 cluster. Each version is checked against the ' +
    'fields of its own OpenAPI document (api/openapi-spec of kubernetes/kubernetes, as cdk8s imports ' +
    'it), types against kubernetes-models 4.5.1 (1.33). Fix the field the message names, drop a ' +
    'field the cluster does not have yet, or raise kubernetesVersion once the cluster is upgraded.',
  check(manifests, ctx) {
    const out: RuleFinding[] = [];
    for (const manifest of manifests) {
      const result = validateObjectSchema(manifest.object as Record<string, unknown>, {
        strict: ctx.strict,
        allowUnknownKinds: ctx.allowUnknownKinds,
        kubernetesVersion: ctx.kubernetesVersion,
      });
      if (result.kind === 'issues') {
        for (const issue of result.issues)
          out.push({ manifest, path: issue.path, message: issue.message });
      } else if (result.kind === 'no-schema') {
        out.push({ manifest, path: ['kind'], message: result.message });
      }
    }
    return out;
  },
};
