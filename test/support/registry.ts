import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import {
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import bcrypt from 'bcryptjs';

export const REGISTRY_BINARY = '/usr/bin/docker-registry';

/** A free TCP port on 127.0.0.1 (bound and released; the caller binds it right away). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createNetServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

export interface LocalRegistry {
  /** `127.0.0.1:PORT` */
  host: string;
  port: number;
  /** Basic credentials when started with htpasswd authentication. */
  auth?: { username: string; password: string };
  /** Repositories in the registry (GET /v2/_catalog). */
  catalog(): Promise<string[]>;
  /** Tags of a repository, [] when it does not exist. */
  tags(repository: string): Promise<string[]>;
  /** The digest a tag points to, or undefined. */
  manifestDigest(repository: string, tag: string): Promise<string | undefined>;
  stop(): Promise<void>;
}

/**
 * Starts Debian's `docker-registry serve <config.yml>` (distribution 2.8) on a free loopback port
 * with a temporary storage folder; with `auth`, htpasswd authentication (bcrypt entry made with
 * bcryptjs). Stopped by `stop()` (SIGTERM to the process started here, by its pid).
 */
export async function startRegistry(
  options: {
    auth?: { username: string; password: string };
    /** `http.relativeurls`: upload locations as paths (for a client that reaches it by another name). */
    relativeUrls?: boolean;
  } = {},
): Promise<LocalRegistry> {
  if (!existsSync(REGISTRY_BINARY)) {
    throw new Error(
      `${REGISTRY_BINARY} is missing: apt-get install -y docker-registry (.ci/run does this in CI)`,
    );
  }
  const dir = mkdtempSync(join(tmpdir(), 'manifests-registry-'));
  for (let tries = 0; ; tries++) {
    const port = await freePort();
    const lines = [
      'version: 0.1',
      'log:',
      '  level: error',
      '  accesslog:',
      '    disabled: true',
      'storage:',
      '  filesystem:',
      `    rootdirectory: ${join(dir, 'data')}`,
      'http:',
      `  addr: 127.0.0.1:${port}`,
      ...(options.relativeUrls ? ['  relativeurls: true'] : []),
    ];
    if (options.auth) {
      writeFileSync(
        join(dir, 'htpasswd'),
        `${options.auth.username}:${bcrypt.hashSync(options.auth.password, 5)}\n`,
      );
      lines.push('auth:', '  htpasswd:', '    realm: test', `    path: ${join(dir, 'htpasswd')}`);
    }
    writeFileSync(join(dir, 'config.yml'), lines.join('\n') + '\n');
    const child = spawn(REGISTRY_BINARY, ['serve', join(dir, 'config.yml')], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr!.on('data', (d) => (stderr += String(d)));
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    const up = await waitUntilServing(port, child);
    if (!up) {
      child.kill('SIGTERM');
      await exited;
      if (tries < 3 && /address already in use/.test(stderr)) continue;
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`docker-registry did not start: ${stderr.trim().slice(0, 500)}`);
    }
    const host = `127.0.0.1:${port}`;
    const headers: Record<string, string> = options.auth
      ? {
          authorization:
            'Basic ' +
            Buffer.from(`${options.auth.username}:${options.auth.password}`).toString('base64'),
        }
      : {};
    return {
      host,
      port,
      auth: options.auth,
      async catalog() {
        const res = await fetch(`http://${host}/v2/_catalog`, { headers });
        if (!res.ok) throw new Error(`catalog: HTTP ${res.status}`);
        return ((await res.json()) as { repositories: string[] | null }).repositories ?? [];
      },
      async tags(repository) {
        const res = await fetch(`http://${host}/v2/${repository}/tags/list`, { headers });
        if (res.status === 404) return [];
        if (!res.ok) throw new Error(`tags: HTTP ${res.status}`);
        return ((await res.json()) as { tags: string[] | null }).tags ?? [];
      },
      async manifestDigest(repository, tag) {
        const res = await fetch(`http://${host}/v2/${repository}/manifests/${tag}`, {
          method: 'HEAD',
          headers: { ...headers, accept: 'application/vnd.oci.image.manifest.v1+json' },
        });
        return res.ok ? (res.headers.get('docker-content-digest') ?? undefined) : undefined;
      },
      async stop() {
        if (child.exitCode === null) child.kill('SIGTERM');
        await exited;
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
}

async function waitUntilServing(port: number, child: ChildProcess): Promise<boolean> {
  for (let i = 0; i < 100; i++) {
    if (child.exitCode !== null) return false;
    try {
      const res = await fetch(`http://127.0.0.1:${port}/v2/`);
      await res.arrayBuffer();
      if (res.status === 200 || res.status === 401) return true;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}

export interface LoopbackServer {
  host: string;
  port: number;
  /** Requests seen, in order: method and path. */
  requests: { method: string; url: string }[];
  close(): Promise<void>;
}

/**
 * A loopback HTTP server. With `forwardTo`, requests the handler leaves alone (returns false) are
 * passed on to that port unchanged (Host header included, so upload locations keep pointing here).
 */
export async function startLoopbackServer(
  handler: (req: IncomingMessage, res: ServerResponse, body: Buffer) => boolean | Promise<boolean>,
  forwardTo?: number,
): Promise<LoopbackServer> {
  const requests: { method: string; url: string }[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const body = Buffer.concat(chunks);
      requests.push({ method: req.method ?? '', url: req.url ?? '' });
      if (await handler(req, res, body)) return;
      if (!forwardTo) {
        res.writeHead(404).end();
        return;
      }
      const up = httpRequest(
        {
          host: '127.0.0.1',
          port: forwardTo,
          method: req.method,
          path: req.url,
          headers: req.headers,
        },
        (upRes) => {
          res.writeHead(upRes.statusCode ?? 502, upRes.headers);
          upRes.pipe(res);
        },
      );
      up.on('error', () => res.writeHead(502).end());
      up.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    host: `127.0.0.1:${port}`,
    port,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
