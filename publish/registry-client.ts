import { sha256Digest } from './chart-archive.js';
import { RegistryAuthError, RegistryError } from './errors.js';
import type { RegistryTarget } from './reference.js';
import {
  DEFAULT_RETRY,
  TransientError,
  describeFailure,
  isTransientNetworkError,
  isTransientStatus,
  retryAfterMs,
  withRetry,
  type RetryPolicy,
} from './retry.js';

/**
 * A client for the parts of the OCI distribution API a push needs
 * (opencontainers/distribution-spec spec.md): HEAD/GET blobs and manifests, the POST-then-PUT
 * monolithic blob upload, PUT of a manifest by tag. Authentication follows the challenge the
 * registry sends on 401: `Basic` (htpasswd registries, ECR) or `Bearer` with a token from the
 * challenge's realm (the Docker token protocol, distribution/distribution docs/spec/auth/token.md).
 *
 * Written on Node's fetch: the npm OCI clients found either only pull (for image scanning) or
 * predate Node 20 (callback APIs with old HTTP stacks), and a push needs only these few requests.
 */

export interface Credentials {
  username: string;
  password: string;
  /** Where they came from, for messages (never the password). */
  source: string;
}

export interface Challenge {
  scheme: string;
  params: Record<string, string>;
}

/** Parses a `WWW-Authenticate` header: `Bearer realm="...",service="...",scope="..."`. */
export function parseChallenge(header: string | null): Challenge | undefined {
  if (!header) return undefined;
  const m = /^\s*([A-Za-z]+)\s*(.*)$/s.exec(header);
  if (!m) return undefined;
  const params: Record<string, string> = {};
  const re = /([A-Za-z_][A-Za-z0-9_-]*)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))\s*,?\s*/gy;
  re.lastIndex = 0;
  const rest = m[2];
  let pm: RegExpExecArray | null;
  while ((pm = re.exec(rest))) {
    params[pm[1].toLowerCase()] = pm[2] !== undefined ? pm[2].replace(/\\(.)/g, '$1') : pm[3];
    if (re.lastIndex >= rest.length) break;
  }
  return { scheme: m[1].toLowerCase(), params };
}

/** The `{"errors":[{"code","message"}]}` body of a registry error, as one short line. */
function errorText(status: number, body: string): string {
  try {
    const parsed = JSON.parse(body) as { errors?: { code?: string; message?: string }[] };
    if (Array.isArray(parsed.errors) && parsed.errors.length > 0) {
      return parsed.errors
        .map((e) => [e.code, e.message].filter(Boolean).join(': '))
        .join('; ')
        .slice(0, 300);
    }
  } catch {
    // not JSON
  }
  return `HTTP ${status}`;
}

export const MANIFEST_ACCEPT = [
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.oci.image.index.v1+json',
].join(', ');

export interface RegistryClientOptions {
  credentials?: Credentials;
  retry?: RetryPolicy;
  signal?: AbortSignal;
  /** Called before each retry (for progress output). */
  onRetry?: (what: string, attempt: number, delayMs: number, reason: string) => void;
  fetch?: typeof fetch;
}

interface SendOptions {
  method: string;
  /** Path under the registry (`/v2/...`) or an absolute URL the registry gave (upload Location). */
  url: string;
  repository?: string;
  headers?: Record<string, string>;
  body?: Buffer;
}

export class RegistryClient {
  readonly base: string;
  private readonly retry: RetryPolicy;
  private readonly fetchFn: typeof fetch;
  private challenge: Challenge | null | undefined;
  /** Bearer tokens by scope. */
  private readonly tokens = new Map<string, string>();

  constructor(
    readonly target: RegistryTarget,
    private readonly options: RegistryClientOptions = {},
  ) {
    this.base = `${target.scheme}://${target.host}`;
    this.retry = options.retry ?? DEFAULT_RETRY;
    this.fetchFn = options.fetch ?? fetch;
  }

  private describeCredentials(): string {
    const c = this.options.credentials;
    return c ? `user "${c.username}" from ${c.source}` : 'no credentials';
  }

  /** Runs one logical operation with retries for transient failures. */
  private run<T>(what: string, op: () => Promise<T>): Promise<T> {
    return withRetry(
      `${what} at ${this.target.host}`,
      op,
      this.retry,
      this.options.signal,
      (attempt, delay, reason) => this.options.onRetry?.(what, attempt, delay, reason),
    );
  }

  private async rawFetch(url: string, init: RequestInit): Promise<Response> {
    let res: Response;
    try {
      res = await this.fetchFn(url, {
        ...init,
        redirect: 'follow',
        signal: this.options.signal,
      });
    } catch (err) {
      // Aborts and transient network errors go up as they are (withRetry handles them).
      if (this.options.signal?.aborted || isTransientNetworkError(err)) throw err;
      const cause = (err as { cause?: { message?: string } }).cause?.message;
      throw new RegistryError(
        `cannot reach ${new URL(url).host}: ${describeFailure(err)}${cause ? ` (${cause})` : ''}`,
      );
    }
    if (isTransientStatus(res.status)) {
      const body = await res.text().catch(() => '');
      throw new TransientError(
        `HTTP ${res.status} ${errorText(res.status, body)}`.replace(/^(HTTP \d+) HTTP \d+$/, '$1'),
        retryAfterMs(res.headers.get('retry-after')),
      );
    }
    return res;
  }

  /** Learns how the registry wants to be authenticated (GET /v2/), once. */
  private async learnChallenge(): Promise<void> {
    if (this.challenge !== undefined) return;
    await this.run('reaching the registry', async () => {
      const res = await this.rawFetch(`${this.base}/v2/`, { method: 'GET' });
      await res.arrayBuffer();
      if (res.status === 401) {
        this.challenge = parseChallenge(res.headers.get('www-authenticate')) ?? null;
        if (!this.challenge) {
          throw new RegistryAuthError(
            `${this.target.host} answered 401 without a usable WWW-Authenticate challenge`,
            401,
          );
        }
      } else if (res.ok) {
        this.challenge = null;
      } else {
        throw new RegistryError(
          `${this.base}/v2/ answered HTTP ${res.status}; is this an OCI registry?`,
          res.status,
        );
      }
    });
  }

  private scopeFor(repository?: string): string {
    return repository ? `repository:${repository}:pull,push` : '';
  }

  private basicHeader(): string | undefined {
    const c = this.options.credentials;
    if (!c) return undefined;
    return 'Basic ' + Buffer.from(`${c.username}:${c.password}`, 'utf8').toString('base64');
  }

  private async bearerToken(challenge: Challenge, scope: string): Promise<string> {
    const cached = this.tokens.get(scope);
    if (cached) return cached;
    const realm = challenge.params.realm;
    if (!realm) {
      throw new RegistryAuthError(`${this.target.host} sent a Bearer challenge without a realm`);
    }
    const url = new URL(realm);
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && this.target.scheme === 'http')) {
      throw new RegistryAuthError(
        `${this.target.host} points to a token service over plain HTTP (${url.origin}); refusing to send credentials there`,
      );
    }
    if (challenge.params.service) url.searchParams.set('service', challenge.params.service);
    if (scope) url.searchParams.set('scope', scope);
    const token = await this.run('getting a registry token', async () => {
      const headers: Record<string, string> = {};
      const basic = this.basicHeader();
      if (basic) headers.authorization = basic;
      const res = await this.rawFetch(url.toString(), { method: 'GET', headers });
      const text = await res.text();
      if (res.status === 401 || res.status === 403) {
        throw new RegistryAuthError(
          `the token service of ${this.target.host} refused ${this.describeCredentials()} (HTTP ${res.status})`,
          res.status,
        );
      }
      if (!res.ok) {
        throw new RegistryAuthError(
          `the token service of ${this.target.host} answered HTTP ${res.status}`,
          res.status,
        );
      }
      let parsed: { token?: unknown; access_token?: unknown };
      try {
        parsed = JSON.parse(text);
      } catch {
        throw new RegistryAuthError(
          `the token service of ${this.target.host} answered something that is not JSON`,
        );
      }
      const t = parsed.token ?? parsed.access_token;
      if (typeof t !== 'string' || !t) {
        throw new RegistryAuthError(`the token service of ${this.target.host} gave no token`);
      }
      return t;
    });
    this.tokens.set(scope, token);
    return token;
  }

  private async authorization(repository?: string): Promise<string | undefined> {
    await this.learnChallenge();
    const ch = this.challenge;
    if (!ch) return undefined;
    if (ch.scheme === 'basic') {
      const basic = this.basicHeader();
      if (!basic) {
        throw new RegistryAuthError(
          `${this.target.host} needs credentials: set MANIFESTS_REGISTRY_USERNAME and MANIFESTS_REGISTRY_PASSWORD, or add the host to a Docker config file's "auths"`,
          401,
        );
      }
      return basic;
    }
    if (ch.scheme === 'bearer')
      return 'Bearer ' + (await this.bearerToken(ch, this.scopeFor(repository)));
    throw new RegistryAuthError(
      `${this.target.host} asks for "${ch.scheme}" authentication, which is not supported (Basic and Bearer are)`,
    );
  }

  /** One request with authentication; 401 once more after refreshing a token, then an error. */
  private async send(opts: SendOptions): Promise<Response> {
    const url = new URL(opts.url, this.base);
    const sameOrigin = url.origin === new URL(this.base).origin;
    for (let round = 0; ; round++) {
      const headers: Record<string, string> = { ...opts.headers };
      if (sameOrigin) {
        const auth = await this.authorization(opts.repository);
        if (auth) headers.authorization = auth;
      }
      const res = await this.rawFetch(url.toString(), {
        method: opts.method,
        headers,
        // A Buffer is a valid fetch body; the DOM typings only lack the overload.
        body: opts.body as unknown as RequestInit['body'],
      });
      if (res.status === 401 && round === 0 && this.challenge?.scheme === 'bearer') {
        // A token can expire or lack the scope; take the new challenge and try once more.
        const fresh = parseChallenge(res.headers.get('www-authenticate'));
        await res.arrayBuffer();
        if (fresh) this.challenge = fresh;
        this.tokens.delete(this.scopeFor(opts.repository));
        continue;
      }
      if (res.status === 401 || res.status === 403) {
        const text = await res.text();
        throw new RegistryAuthError(
          `${this.target.host} refused ${this.describeCredentials()} for ${opts.method} ${url.pathname} (HTTP ${res.status}: ${errorText(res.status, text)})`,
          res.status,
        );
      }
      return res;
    }
  }

  private async failure(res: Response, what: string, repository?: string): Promise<never> {
    const text = await res.text();
    const detail = errorText(res.status, text);
    if (res.status === 404 && /NAME_UNKNOWN/.test(text) && repository) {
      throw new RegistryError(
        `${what}: repository ${repository} does not exist at ${this.target.host}${this.target.ecr ? ' (ECR needs it created first: pass --create-repository)' : ''} (${detail})`,
        404,
      );
    }
    throw new RegistryError(`${what}: ${detail}`, res.status);
  }

  /** Whether the repository holds the blob. */
  async hasBlob(repository: string, digest: string): Promise<boolean> {
    return this.run(`checking blob ${digest.slice(0, 19)} in ${repository}`, async () => {
      const res = await this.send({
        method: 'HEAD',
        url: `/v2/${repository}/blobs/${digest}`,
        repository,
      });
      await res.arrayBuffer();
      if (res.status === 200) return true;
      if (res.status === 404) return false;
      return this.failure(res, `checking blob ${digest} in ${repository}`, repository);
    });
  }

  /** Uploads a blob in one piece: POST a session, PUT the bytes with their digest. */
  async uploadBlob(repository: string, digest: string, data: Buffer): Promise<void> {
    await this.run(`uploading blob ${digest.slice(0, 19)} to ${repository}`, async () => {
      const start = await this.send({
        method: 'POST',
        url: `/v2/${repository}/blobs/uploads/`,
        repository,
        headers: { 'content-length': '0' },
      });
      if (start.status !== 202) {
        return this.failure(start, `starting an upload to ${repository}`, repository);
      }
      await start.arrayBuffer();
      const location = start.headers.get('location');
      if (!location) throw new RegistryError(`${this.target.host} gave no upload location`);
      const put = new URL(location, this.base);
      put.searchParams.set('digest', digest);
      const res = await this.send({
        method: 'PUT',
        url: put.toString(),
        repository,
        headers: {
          'content-type': 'application/octet-stream',
          'content-length': String(data.length),
        },
        body: data,
      });
      if (res.status !== 201) return this.failure(res, `uploading blob ${digest}`, repository);
      await res.arrayBuffer();
      const stored = res.headers.get('docker-content-digest');
      if (stored && stored !== digest) {
        throw new RegistryError(`${this.target.host} stored blob ${digest} as ${stored}`);
      }
    });
  }

  async getBlob(repository: string, digest: string): Promise<Buffer> {
    return this.run(`reading blob ${digest.slice(0, 19)} from ${repository}`, async () => {
      const res = await this.send({
        method: 'GET',
        url: `/v2/${repository}/blobs/${digest}`,
        repository,
      });
      if (res.status !== 200) return this.failure(res, `reading blob ${digest}`, repository);
      return Buffer.from(await res.arrayBuffer());
    });
  }

  /**
   * The manifest a tag points to, with its digest, or undefined when the tag (or the repository)
   * does not exist.
   */
  async getManifest(
    repository: string,
    reference: string,
  ): Promise<{ digest: string; body: Buffer; mediaType: string } | undefined> {
    return this.run(`reading ${repository}:${reference}`, async () => {
      const res = await this.send({
        method: 'GET',
        url: `/v2/${repository}/manifests/${reference}`,
        repository,
        headers: { accept: MANIFEST_ACCEPT },
      });
      if (res.status === 404) {
        await res.arrayBuffer();
        return undefined;
      }
      if (res.status !== 200) return this.failure(res, `reading ${repository}:${reference}`);
      const body = Buffer.from(await res.arrayBuffer());
      return {
        digest: sha256Digest(body),
        body,
        mediaType: res.headers.get('content-type') ?? '',
      };
    });
  }

  /** Stores the manifest under the tag; returns the digest the registry reports. */
  async putManifest(
    repository: string,
    tag: string,
    manifest: Buffer,
    mediaType: string,
  ): Promise<string | undefined> {
    return this.run(`tagging ${repository}:${tag}`, async () => {
      const res = await this.send({
        method: 'PUT',
        url: `/v2/${repository}/manifests/${tag}`,
        repository,
        headers: { 'content-type': mediaType, 'content-length': String(manifest.length) },
        body: manifest,
      });
      if (res.status !== 201 && res.status !== 200) {
        return this.failure(res, `tagging ${repository}:${tag}`, repository);
      }
      await res.arrayBuffer();
      return res.headers.get('docker-content-digest') ?? undefined;
    });
  }
}
