import type { Rule, RuleFinding } from '../types.js';
import { normalizeHost, parseImageRef, type ImageRef } from '../model/images.js';

/** An allowed registry entry as segments: host first (normalised), then path segments. */
export function registryEntrySegments(entry: string): string[] | undefined {
  const text = entry
    .trim()
    .replace(/^[a-z][a-z0-9+.-]*:\/\//i, '')
    .replace(/\/+$/, '');
  if (text === '') return undefined;
  const segs = text.split('/');
  if (segs.some((s) => s === '')) return undefined;
  const first = segs[0];
  // An entry with no host (e.g. `bitnami`) names a Docker Hub namespace.
  if (!(first.includes('.') || first.includes(':') || first === 'localhost'))
    return ['docker.io', ...segs];
  return [normalizeHost(first), ...segs.slice(1)];
}

/** Whether an image comes from an allowed entry: the entry's segments prefix the image's. */
export function imageAllowedBy(ref: ImageRef, entry: string): boolean {
  const want = registryEntrySegments(entry);
  if (!want) return false;
  const have = [ref.host, ...ref.path.split('/')];
  return want.length <= have.length && want.every((s, i) => s === have[i]);
}

/** Docker Hub and ECR Public namespaces of Bitnami's withdrawn free images. */
const BITNAMI_NAMESPACE = /^bitnami(legacy|secure|charts)?$/;
const BITNAMI_HOSTS = new Set(['docker.io', 'public.ecr.aws']);

/** Whether an image is one of Bitnami's public images (docker.io/bitnami/*, public.ecr.aws/bitnami/*). */
export function isBitnamiImage(ref: ImageRef): boolean {
  return BITNAMI_HOSTS.has(ref.host) && BITNAMI_NAMESPACE.test(ref.path.split('/')[0]);
}

/**
 * Every image comes from a declared registry (`global.allowedRegistries`): an entry is a registry
 * host or a host/path prefix, compared segment by segment after Docker Hub defaults are filled in
 * (`mysql:8` is `docker.io/library/mysql`), so `ghcr.io/scalar-labs` does not admit
 * `ghcr.io/scalar-labsX/...`. Runs only when the allowed registries are known and not empty.
 * Bitnami's public images are refused wherever they come from, allowed registry or not.
 */
export const imageRegistryRule: Rule = {
  id: 'image-registry',
  description:
    'Images come from a registry (host or host/path prefix) listed in global.allowedRegistries, and none is a withdrawn Bitnami image',
  severity: 'error',
  docs:
    'Catches images from registries the team has not declared in global.allowedRegistries (compared by ' +
    'host and path segment, Docker Hub defaults filled in), and any docker.io/bitnami*/ or ' +
    'public.ecr.aws/bitnami/ image. An undeclared registry means an unreviewed supply chain and, on ' +
    'private nodes, pulls that may not be reachable. Bitnami moved its free versioned images out of ' +
    'docker.io/bitnami into the unmaintained bitnamilegacy namespace in August-September 2025 and ' +
    'keeps only "latest" development images free (bitnami/containers issue 83267, "Upcoming changes ' +
    'to the Bitnami catalog"); the public.ecr.aws/bitnami mirror follows, so such a pod stops pulling. ' +
    'Fix: use the maintained upstream image (for kubectl: registry.k8s.io/kubectl:v<cluster version>, ' +
    'which Kubernetes builds from build/server-image/kubectl/Dockerfile) or add a reviewed registry to ' +
    'global.allowedRegistries.',
  scope: 'object',
  reads: { context: (ctx) => ctx.allowedRegistries ?? null },
  check(manifests, ctx) {
    const allowed = (ctx.allowedRegistries ?? []).filter(
      (e) => typeof e === 'string' && e.trim() !== '',
    );
    const out: RuleFinding[] = [];
    for (const { manifest, container, path } of ctx.model.images) {
      const ref = parseImageRef(container.image);
      if (!ref) continue; // image-tag reports references it cannot read
      if (isBitnamiImage(ref)) {
        out.push({
          manifest,
          path,
          message: `container ${container.name ?? '(unnamed)'}: image ${container.image} is a Bitnami public image, which Bitnami withdrew (versioned tags moved to the unmaintained bitnamilegacy namespace in 2025): use a maintained image (for kubectl, registry.k8s.io/kubectl with the cluster's version)`,
        });
        continue;
      }
      if (allowed.length === 0 || allowed.some((e) => imageAllowedBy(ref, e))) continue;
      out.push({
        manifest,
        path,
        message: `container ${container.name ?? '(unnamed)'}: image ${container.image} (${ref.host}/${ref.path}) is not from an allowed registry (${allowed.join(', ')}): use an image from one of them, or add its registry to global.allowedRegistries`,
      });
    }
    return out;
  },
};
