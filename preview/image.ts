import { InputError, type SourceLocation } from '../core/errors.js';
import { imageAllowedBy } from '../validators/rules/image-registry.js';
import { parseImageRef } from '../validators/model/images.js';

/**
 * The grammar of an image reference, as the container registry reference parser defines it
 * (github.com/distribution/reference, reference.go and regexp.go):
 *
 *   reference        := name [ ":" tag ] [ "@" digest ]
 *   name             := [domain '/'] remote-name
 *   domain           := host [':' port-number]
 *   host             := domain-name | IPv4address | '[' IPv6address ']'
 *   domain-component := /([a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])/
 *   path-component   := alpha-numeric [separator alpha-numeric]*
 *   alpha-numeric    := /[a-z0-9]+/
 *   separator        := /[_.]|__|[-]+/
 *   tag              := /[\w][\w.-]{0,127}/
 *   digest           := algorithm ":" hex   (algorithm: letters and digits joined by - _ + .,
 *                                             starting with a letter; hex: 32 or more digits)
 *
 * The repository path (without the domain) is at most 255 characters. A digest must also be one
 * the digest package accepts for its algorithm (go-digest algorithm.go: sha256, sha384 and
 * sha512, exactly 64, 96 and 128 lowercase hex characters). A preview additionally needs an
 * explicit registry (the first component holds a '.' or ':' or is `localhost`, as the reference
 * normaliser decides) and a tag or a digest, so the registry can be checked against
 * `global.allowedRegistries` and nothing floats on `latest`.
 */
const ALNUM = '[a-z0-9]+';
const SEPARATOR = '(?:[._]|__|[-]+)';
const PATH_COMPONENT = `${ALNUM}(?:${SEPARATOR}${ALNUM})*`;
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN = `(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[a-fA-F0-9:]+\\])(?::[0-9]+)?`;
const TAG = '[\\w][\\w.-]{0,127}';
const DIGEST = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}';
const REFERENCE = new RegExp(
  `^(?:(${DOMAIN})/)?(${PATH_COMPONENT}(?:/${PATH_COMPONENT})*)(?::(${TAG}))?(?:@(${DIGEST}))?$`,
);
/** Encoded lengths of the digest algorithms the digest package registers. */
const DIGEST_HEX: Record<string, number> = { sha256: 64, sha384: 96, sha512: 128 };

export interface PreviewImage {
  /** The reference as given. */
  raw: string;
  /** Registry host (with port). */
  registry: string;
  /** Repository path under the registry. */
  repository: string;
  tag?: string;
  digest?: string;
}

/** Parses and checks a preview's image: a valid reference with a registry and a tag or digest. */
export function parsePreviewImage(raw: string): PreviewImage {
  const bad = (why: string) =>
    new InputError(
      `--image ${JSON.stringify(raw)} is not a usable image reference: ${why} (expected registry/repository:tag or registry/repository@sha256:<64 hex>)`,
    );
  const m = REFERENCE.exec(raw);
  if (!m) {
    if (REFERENCE.test(raw.toLowerCase())) throw bad('the repository name must be lowercase');
    throw bad('it does not follow the image reference grammar');
  }
  const [, domain, path, tag, digest] = m;
  // Without a registry-looking first component the whole name is a Docker Hub path.
  const first = domain ?? '';
  const isRegistry = first.includes('.') || first.includes(':') || first === 'localhost';
  if (!domain || !isRegistry)
    throw bad('it names no registry host (write the registry explicitly, e.g. docker.io/...)');
  if (path.length > 255) throw bad('the repository path is longer than 255 characters');
  if (!tag && !digest) throw bad('it has neither a tag nor a digest');
  if (digest) {
    const [algorithm, hex] = digest.split(':');
    const want = DIGEST_HEX[algorithm];
    if (want === undefined)
      throw bad(
        `digest algorithm "${algorithm}" is not one of ${Object.keys(DIGEST_HEX).join(', ')}`,
      );
    if (hex.length !== want || !/^[0-9a-f]+$/.test(hex))
      throw bad(`a ${algorithm} digest is ${want} lowercase hexadecimal characters`);
  }
  return { raw, registry: domain, repository: path, tag, digest };
}

/** Fails unless the image comes from one of the allowed registries (host or host/path prefix). */
export function requireAllowedRegistry(
  image: PreviewImage,
  allowed: string[],
  location?: SourceLocation,
): void {
  const ref = parseImageRef(image.raw);
  if (ref && allowed.some((entry) => imageAllowedBy(ref, entry))) return;
  throw new InputError(
    `--image ${image.raw} is not from an allowed registry (global.allowedRegistries: ${allowed.join(', ') || 'none'})`,
    location,
  );
}
