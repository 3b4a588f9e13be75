import { validateObjectSchema } from '../schema/index.js';
import type { Rule, RuleFinding } from '../types.js';

/** Every object against the schema of its kind (Kubernetes, Istio, ArgoCD, eksctl). */
export const schemaRule: Rule = {
  id: 'schema',
  description:
    "Objects match the schema of their kind for the cluster's Kubernetes version: required fields, types, fields and kinds that version has, no unknown fields (strict)",
  severity: 'error',
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
