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

/**
 * Every image comes from a declared registry (`global.allowedRegistries`): an entry is a registry
 * host or a host/path prefix, compared segment by segment after Docker Hub defaults are filled in
 * (`mysql:8` is `docker.io/library/mysql`), so `ghcr.io/scalar-labs` does not admit
 * `ghcr.io/scalar-labsX/...`. Runs only when the allowed registries are known and not empty.
 */
export const imageRegistryRule: Rule = {
  id: 'image-registry',
  description:
    'Images come from a registry (host or host/path prefix) listed in global.allowedRegistries',
  severity: 'error',
  docs: "Every image comes from a registry in global.allowedRegistries (a host or a host/path prefix, compared segment by segment after Docker Hub defaults are filled in). An image from an unexpected registry may not be pullable from private subnets, may need a pull secret nobody created, or may be withdrawn (as Bitnami's public images were). Move the image to an allowed registry or add the registry to the list.",
  check(manifests, ctx) {
    const allowed = (ctx.allowedRegistries ?? []).filter(
      (e) => typeof e === 'string' && e.trim() !== '',
    );
    if (allowed.length === 0) return [];
    const out: RuleFinding[] = [];
    for (const { manifest, container, path } of ctx.model.images) {
      const ref = parseImageRef(container.image);
      if (!ref) continue; // image-tag reports references it cannot read
      if (allowed.some((e) => imageAllowedBy(ref, e))) continue;
      out.push({
        manifest,
        path,
        message: `container ${container.name ?? '(unnamed)'}: image ${container.image} (${ref.host}/${ref.path}) is not from an allowed registry (${allowed.join(', ')}): use an image from one of them, or add its registry to global.allowedRegistries`,
      });
    }
    return out;
  },
};
