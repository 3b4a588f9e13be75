/** Container image references, read the way container runtimes read them. */
export interface ImageRef {
  /** The reference as written. */
  raw: string;
  /** Registry host (with port), lowercase; `docker.io` when the reference names none. */
  host: string;
  /** Repository path under the host (`library/mysql` for `mysql`). */
  path: string;
  /** Last path segment (`scalar-ledger`). */
  name: string;
  tag?: string;
  /** `sha256:...` when pinned by digest. */
  digest?: string;
}

const DOCKER_HUB_ALIASES = new Set([
  'docker.io',
  'index.docker.io',
  'registry-1.docker.io',
  'registry.hub.docker.com',
]);

/** Whether the first segment of a reference is a registry host rather than a Docker Hub namespace. */
function looksLikeHost(segment: string): boolean {
  return segment.includes('.') || segment.includes(':') || segment === 'localhost';
}

export function normalizeHost(host: string): string {
  const h = host.toLowerCase();
  return DOCKER_HUB_ALIASES.has(h) ? 'docker.io' : h;
}

/**
 * Parses `[host[:port]/]path[:tag][@digest]`. Docker Hub defaults are filled in: `mysql:8` is
 * `docker.io/library/mysql` with tag `8`. Returns undefined for an empty or malformed reference.
 */
export function parseImageRef(raw: unknown): ImageRef | undefined {
  if (typeof raw !== 'string') return undefined;
  let rest = raw.trim();
  if (rest === '' || /\s/.test(rest)) return undefined;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  let tag: string | undefined;
  const lastSlash = rest.lastIndexOf('/');
  const colon = rest.indexOf(':', lastSlash + 1);
  if (colon >= 0) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  const segments = rest.split('/');
  if (segments.some((s) => s === '')) return undefined;
  let host = 'docker.io';
  if (segments.length > 1 && looksLikeHost(segments[0])) host = normalizeHost(segments.shift()!);
  if (host === 'docker.io' && segments.length === 1) segments.unshift('library');
  return {
    raw,
    host,
    path: segments.join('/'),
    name: segments[segments.length - 1],
    tag: tag === '' ? undefined : tag,
    digest: digest === '' ? undefined : digest,
  };
}

/** `host/path` of a reference: the part registries are allowed by. */
export function imageRepository(ref: ImageRef): string {
  return `${ref.host}/${ref.path}`;
}
