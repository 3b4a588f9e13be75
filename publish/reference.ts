import { isIP } from 'node:net';
import { InputError } from '../core/errors.js';

/** Where charts go: `oci://HOST[:PORT]/PATH`; chart `<name>` lands in repository `PATH/<name>`. */
export interface RegistryTarget {
  /** `host[:port]` as given (lowercased), used for URLs and credential look-ups. */
  host: string;
  /** The host name alone (no port, no brackets). */
  hostname: string;
  /** Repository path prefix without slashes at either end; may be empty. */
  path: string;
  /** `http` only with --plain-http (loopback only), otherwise `https`. */
  scheme: 'http' | 'https';
  /** Set when the host is an Amazon ECR registry. */
  ecr?: { accountId: string; region: string };
}

/**
 * Repository path components as the distribution spec allows them:
 * `[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*` separated by `/` (opencontainers/distribution-spec, spec.md,
 * "Pulling manifests").
 */
const PATH_COMPONENT = /^[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*$/;

/**
 * Amazon ECR private registry host names: `<account>.dkr.ecr.<region>.amazonaws.com` (also the FIPS
 * `dkr.ecr-fips` form and the China partition's `.amazonaws.com.cn`), per the ECR user guide's
 * "Private registry concepts".
 */
const ECR_HOST = /^(\d{12})\.dkr\.ecr(?:-fips)?\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?$/;

/** True for 127.0.0.0/8, ::1 and localhost: the only hosts plain HTTP is allowed to. */
export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.toLowerCase().replace(/^\[|\]$/g, '');
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  if (isIP(h) === 4) return h.split('.')[0] === '127';
  if (isIP(h) === 6) {
    if (h === '::1' || /^(0{1,4}:){7}0{0,3}1$/.test(h) || h === '0:0:0:0:0:0:0:1') return true;
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(h);
    return !!mapped && mapped[1].split('.')[0] === '127';
  }
  return false;
}

export function parseRegistryTarget(ref: string, plainHttp: boolean): RegistryTarget {
  const m = /^oci:\/\/([^/]+)(\/.*)?$/.exec(ref.trim());
  if (!m) {
    throw new InputError(
      `--registry must look like oci://HOST/PATH (for example oci://123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/charts), got "${ref}"`,
    );
  }
  const host = m[1].toLowerCase();
  if (host.includes('@')) {
    throw new InputError(
      '--registry must not hold credentials; use MANIFESTS_REGISTRY_USERNAME/PASSWORD or a Docker config file',
    );
  }
  const hm = /^(\[[0-9a-f:.]+\]|[a-z0-9.-]+)(?::(\d{1,5}))?$/.exec(host);
  if (!hm || (hm[2] !== undefined && (Number(hm[2]) < 1 || Number(hm[2]) > 65535))) {
    throw new InputError(`--registry has an invalid host "${m[1]}"`);
  }
  const hostname = hm[1].replace(/^\[|\]$/g, '');
  const path = (m[2] ?? '').replace(/^\/+|\/+$/g, '');
  if (path !== '' && !path.split('/').every((c) => PATH_COMPONENT.test(c))) {
    throw new InputError(
      `--registry path "${path}" is not a valid repository path (lowercase letters, digits, and . _ - between them, separated by /)`,
    );
  }
  if (plainHttp && !isLoopbackHost(hostname)) {
    throw new InputError(
      `--plain-http is only allowed for a registry on this machine (127.0.0.0/8, ::1, localhost), not ${hostname}: credentials and charts would cross the network unencrypted`,
    );
  }
  const ecr = ECR_HOST.exec(hostname);
  return {
    host,
    hostname,
    path,
    scheme: plainHttp ? 'http' : 'https',
    ecr: ecr && !hm[2] ? { accountId: ecr[1], region: ecr[2] } : undefined,
  };
}

/** The repository a chart is pushed to. */
export function repositoryFor(target: RegistryTarget, chart: string): string {
  return target.path ? `${target.path}/${chart}` : chart;
}

/** `oci://host/path/chart:version`, as `helm pull` takes it (without the tag, plus --version). */
export function chartReference(target: RegistryTarget, chart: string, version?: string): string {
  return `oci://${target.host}/${repositoryFor(target, chart)}${version ? `:${version}` : ''}`;
}
