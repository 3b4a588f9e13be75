import { isEksctlDocument } from '../../core/manifest.js';
import { supportedKubernetesVersions, validateObjectSchema } from '../schema/index.js';
import type { Rule, RuleFinding } from '../types.js';

/** Every object against the pinned schema of its kind (Kubernetes, Istio, ArgoCD, eksctl). */
export const schemaRule: Rule = {
  id: 'schema',
  description:
    'Objects match the pinned schema of their kind: required fields, types, no unknown fields (strict)',
  severity: 'error',
  docs: 'Checks every object against the pinned schema of its kind: Kubernetes from kubernetes-models, Istio and Argo CD CRDs, IstioOperator and the eksctl ClusterConfig. Strict by default: unknown fields (with a did-you-mean) and repeated keys are errors, because the API server drops unknown fields silently (or rejects them with field validation) and a repeated key keeps only one value, so the setting you reviewed is not the one applied. Fix the field name or type the finding names, or pass --no-strict for foreign files.',
  check(manifests, ctx) {
    const out: RuleFinding[] = [];
    const pinned = supportedKubernetesVersions();
    const declared = ctx.cluster?.kubernetesVersion;
    const minor = (v: string | undefined) => Number(/^v?1\.(\d+)(\.\d+)?$/.exec(v ?? '')?.[1]);
    const d = minor(declared);
    if (
      manifests.length > 0 &&
      Number.isInteger(d) &&
      (d < minor(pinned.min) || d > minor(pinned.max))
    ) {
      out.push({
        valuePath: [...ctx.clusterPath, 'kubernetesVersion'],
        severity: 'info',
        message: `objects are checked against the pinned Kubernetes ${pinned.max} schemas; the cluster declares ${declared}, so fields that differ between the two versions are not told apart`,
      });
    }
    for (const manifest of manifests) {
      const result = validateObjectSchema(manifest.object as Record<string, unknown>, {
        strict: ctx.strict,
        allowUnknownKinds: ctx.allowUnknownKinds,
        kubernetesVersion: isEksctlDocument(manifest.object)
          ? undefined
          : ctx.cluster?.kubernetesVersion,
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
