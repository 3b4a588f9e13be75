/**
 * Which Kubernetes release the pinned schemas describe.
 *
 * kubernetes-models 4.5.1 is generated from the Kubernetes 1.33 OpenAPI document (its README
 * badge still says 1.27.1, which is stale). Verified from the package contents, and re-checked by
 * schema.test.ts against the generated field map:
 *  - present (added in 1.33): `Lifecycle.stopSignal`, `networking.k8s.io/v1` `ServiceCIDR` and
 *    `IPAddress` (GA in 1.33);
 *  - absent (added in 1.34): `Container.restartPolicyRules`, `resource.k8s.io/v1`.
 */
export const PINNED_KUBERNETES_VERSION = '1.33';

/**
 * Group/versions that kubernetes-models still ships for compatibility but that the pinned
 * Kubernetes release no longer serves (removed per the upstream deprecation guide: 1.16, 1.22,
 * 1.25, 1.26, 1.27, 1.29, 1.32). Objects using them get `no-schema`, naming the served versions.
 */
export const REMOVED_API_VERSIONS: ReadonlySet<string> = new Set([
  'admissionregistration.k8s.io/v1beta1',
  'apiextensions.k8s.io/v1beta1',
  'apiregistration.k8s.io/v1beta1',
  'apps/v1beta1',
  'apps/v1beta2',
  'authentication.k8s.io/v1beta1',
  'authorization.k8s.io/v1beta1',
  'autoscaling/v2beta1',
  'autoscaling/v2beta2',
  'batch/v1beta1',
  'certificates.k8s.io/v1beta1',
  'coordination.k8s.io/v1beta1',
  'discovery.k8s.io/v1beta1',
  'events.k8s.io/v1beta1',
  'extensions/v1beta1',
  'flowcontrol.apiserver.k8s.io/v1beta1',
  'flowcontrol.apiserver.k8s.io/v1beta2',
  'flowcontrol.apiserver.k8s.io/v1beta3',
  'networking.k8s.io/v1beta1',
  'node.k8s.io/v1beta1',
  'policy/v1beta1',
  'rbac.authorization.k8s.io/v1beta1',
  'scheduling.k8s.io/v1beta1',
  'storage.k8s.io/v1beta1',
]);

/** "1.33", "v1.33" or "1.33.2" -> [1, 33]; anything else -> undefined. */
export function parseKubernetesVersion(v: string): [number, number] | undefined {
  const m = /^v?(\d+)\.(\d+)(?:\.\d+)?$/.exec(v.trim());
  return m ? [Number(m[1]), Number(m[2])] : undefined;
}
