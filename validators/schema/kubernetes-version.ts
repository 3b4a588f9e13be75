/**
 * Which Kubernetes releases the schemas describe.
 *
 * Types, required fields and enums come from kubernetes-models 4.5.1, generated from the
 * Kubernetes 1.33 OpenAPI document (its README badge still says 1.27.1, which is stale; the
 * contents show 1.33: `Lifecycle.stopSignal` and `networking.k8s.io/v1 ServiceCIDR` are there,
 * `Container.restartPolicyRules` (1.34) is not). No kubernetes-models release is generated from
 * 1.28-1.32 (4.4.x is older than 1.28, 4.5.0 is 1.33 too), so which fields and kinds each older
 * minor has is taken from that minor's own OpenAPI document, as cdk8s imports it
 * (`generated/kubernetes-versions.json`, see generate-field-map.ts), and merged into the field map:
 * a field or kind that only some minors have carries the list of those minors.
 *
 * The Kubernetes API does not change the type of an existing field between minors, so the 1.33
 * type checks hold for the older minors; what differs is which fields and group/versions exist.
 */

/** The supported minors, oldest first (the field map's `kubernetesVersions` must match). */
export const KUBERNETES_VERSIONS: readonly string[] = ['1.29', '1.30', '1.31', '1.32', '1.33'];

/** The newest supported minor: the default when no version is given. */
export const NEWEST_KUBERNETES_VERSION = KUBERNETES_VERSIONS[KUBERNETES_VERSIONS.length - 1];

/** "1.33", "v1.33" or "1.33.2" -> [1, 33]; anything else -> undefined. */
export function parseKubernetesVersion(v: string): [number, number] | undefined {
  const m = /^v?(\d+)\.(\d+)(?:\.\d+)?$/.exec(v.trim());
  return m ? [Number(m[1]), Number(m[2])] : undefined;
}

/** The supported minor a version names ("v1.31.4" -> "1.31"), or undefined when unsupported. */
export function supportedKubernetesVersion(v: string): string | undefined {
  const parsed = parseKubernetesVersion(v);
  if (!parsed) return undefined;
  const minor = `${parsed[0]}.${parsed[1]}`;
  return KUBERNETES_VERSIONS.includes(minor) ? minor : undefined;
}

/** "1.29, 1.30, 1.31, 1.32, 1.33" */
export function listKubernetesVersions(): string {
  return KUBERNETES_VERSIONS.join(', ');
}
