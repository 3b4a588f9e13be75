import { spawn, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readReleaseFolder } from '../generator/release/write.js';
import { publishCharts } from '../publish/publish.js';
import { REPO_ROOT, tempDir } from './helpers.js';
import { helmBinary, runHelm } from './support/helm.js';
import {
  freePort,
  startLoopbackServer,
  startRegistry,
  type LocalRegistry,
  type LoopbackServer,
} from './support/registry.js';

/**
 * End to end against real parts: Debian's docker-registry on loopback, the built CLI, and helm 3.17
 * pulling and rendering what was pushed. The repository's own prd plan is published.
 */

const CLI = join(REPO_ROOT, 'dist/cli/main.js');
/** Every chart of the repository (each is published). */
const CHARTS = readdirSync(join(REPO_ROOT, 'charts'))
  .filter((c) => !c.startsWith('_'))
  .sort();
const VERSION = '1.0.0';

/** Test secret values: each needs YAML quoting and holds text Helm's template engine would act on. */
const SECRETS: Record<string, string> = {
  APP_DB_PASSWORD: 'app-"pw" {{ .Values.password }} `raw` }}',
  SCALARDL_DB_PASSWORD: 'ledger: {{- end }} <%= x %>',
  SCALARDL_AUDITOR_DB_PASSWORD: "auditor'{{`x`}}",
  ARGOCD_ECR_PASSWORD: 'ecr {{ include "x" . }} & <tag>',
  SCALARDL_LEDGER_LICENSE_KEY: '{"company":"shop","ledger":"{{ .Release.Name }}"}',
  SCALARDL_AUDITOR_LICENSE_KEY: '{"company":"shop","auditor":"{{- /* x */ -}}"}',
};
const REGISTRY_USER = 'publisher';
const REGISTRY_PASSWORD = 'registry-pass-7f3a9c';

/** Runs the built CLI's publish command (asynchronously: the loopback servers live in this process). */
async function cli(
  args: string[],
  env: NodeJS.ProcessEnv,
  root = REPO_ROOT,
  home = tempDir(),
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [CLI, '--root', root, 'publish', ...args], {
    env: { PATH: process.env.PATH, HOME: home, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += String(d)));
  child.stderr.on('data', (d) => (stderr += String(d)));
  const status = await new Promise<number | null>((r) => child.once('close', (code) => r(code)));
  return { status, stdout, stderr };
}

function withCredentials(env: NodeJS.ProcessEnv = SECRETS, password = REGISTRY_PASSWORD) {
  return {
    ...env,
    MANIFESTS_REGISTRY_USERNAME: REGISTRY_USER,
    MANIFESTS_REGISTRY_PASSWORD: password,
  };
}

/** Manifest digests by chart from the CLI's report lines. */
function digestsIn(stdout: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of stdout.matchAll(
    /^ {2}(\S+) (\S+) +(?:pushed|unchanged|would push) +(sha256:[0-9a-f]{64})/gm,
  ))
    out[m[1]] = m[3];
  return out;
}

/** The committed plan of a chart with each placeholder replaced by its test value, by file. */
function expectedChartFiles(chart: string): Map<string, string> {
  const files = readReleaseFolder(join(REPO_ROOT, 'release/prd', chart));
  const out = new Map<string, string>();
  for (const [path, text] of files) {
    if (path.startsWith('_eksctl/')) continue;
    out.set(
      `${chart}/templates/${path}`,
      text.replace(/"<<secret:([A-Z0-9_]+)>>"/g, (_, v: string) => JSON.stringify(SECRETS[v])),
    );
  }
  return out;
}

/** `helm template` output split into documents by their `# Source:` line. */
function helmDocuments(output: string): Map<string, string> {
  const parts = output.split(/^---\n# Source: (.+)\n/m);
  expect(parts[0]).toBe('');
  const docs = new Map<string, string>();
  for (let i = 1; i < parts.length; i += 2) {
    expect(docs.has(parts[i])).toBe(false);
    docs.set(parts[i], parts[i + 1]);
  }
  return docs;
}

function expectNoSecretIn(text: string): void {
  for (const v of [...Object.values(SECRETS), REGISTRY_PASSWORD]) expect(text).not.toContain(v);
}

let helm: string;
beforeAll(async () => {
  helm = await helmBinary();
});

describe('manifests publish to a registry with htpasswd authentication', () => {
  let registry: LocalRegistry;
  let firstDigests: Record<string, string>;
  beforeAll(async () => {
    registry = await startRegistry({
      auth: { username: REGISTRY_USER, password: REGISTRY_PASSWORD },
    });
  });
  afterAll(() => registry?.stop());

  it('pushes every chart; helm pulls each and renders it to the reviewed plan plus the secrets; lint passes', async () => {
    const r = await cli(
      ['--env', 'prd', '--registry', `oci://${registry.host}/charts`, '--plain-http'],
      withCredentials(),
    );
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expectNoSecretIn(r.stdout + r.stderr);
    firstDigests = digestsIn(r.stdout);
    expect(Object.keys(firstDigests).sort()).toEqual(CHARTS);
    expect(r.stdout).toMatch(/not packaged \(eksctl config.*release\/prd\/eks\/_eksctl\//);
    expect(r.stdout).toContain(
      `note: the Argo CD Application app pulls chart app from 123456789012.dkr.ecr.ap-northeast-1.amazonaws.com, not from ${registry.host}/charts`,
    );
    expect((await registry.catalog()).sort()).toEqual(CHARTS.map((c) => `charts/${c}`));

    const work = tempDir();
    for (const chart of CHARTS) {
      expect(await registry.manifestDigest(`charts/${chart}`, VERSION)).toBe(firstDigests[chart]);
      const dest = join(work, chart);
      mkdirSync(dest);
      const pull = runHelm(
        helm,
        [
          'pull',
          `oci://${registry.host}/charts/${chart}`,
          '--version',
          VERSION,
          '--plain-http',
          '--username',
          REGISTRY_USER,
          '--password',
          REGISTRY_PASSWORD,
          '-d',
          dest,
        ],
        work,
      );
      expect(pull.stderr + pull.stdout).toContain(`Digest: ${firstDigests[chart]}`);
      expect(pull.status).toBe(0);
      const archive = join(dest, `${chart}-${VERSION}.tgz`);
      const rendered = runHelm(
        helm,
        ['template', chart, archive, '--kube-version', '1.31.0'],
        work,
      );
      expect(rendered.stderr).toBe('');
      expect(rendered.status).toBe(0);
      // Keyed by source file: every document byte-identical to its release file (Helm trims each
      // document and ends it with one newline, as the release files are written).
      expect(helmDocuments(rendered.stdout)).toEqual(expectedChartFiles(chart));
      const lint = runHelm(helm, ['lint', archive, '--kube-version', '1.31.0'], work);
      expect(lint.stdout).toContain('1 chart(s) linted, 0 chart(s) failed');
      expect(lint.status).toBe(0);
      const show = runHelm(helm, ['show', 'chart', archive], work);
      expect(show.stdout).toContain("kubeVersion: '>=1.31.0-0'");
      expect(show.stdout).toContain(`version: ${VERSION}`);
    }
  });

  it('pushes nothing on a second run and keeps every digest', async () => {
    // Through a loopback proxy that records every request the publisher makes.
    const proxy = await startLoopbackServer(() => false, registry.port);
    try {
      const r = await cli(
        ['--env', 'prd', '--registry', `oci://${proxy.host}/charts`, '--plain-http'],
        withCredentials(),
      );
      expect(r.status).toBe(0);
      expect(r.stdout.match(/ unchanged /g)).toHaveLength(CHARTS.length);
      expect(digestsIn(r.stdout)).toEqual(firstDigests);
      expect(proxy.requests.filter((q) => q.method !== 'GET' && q.method !== 'HEAD')).toEqual([]);
    } finally {
      await proxy.close();
    }
    for (const chart of CHARTS)
      expect(await registry.manifestDigest(`charts/${chart}`, VERSION)).toBe(firstDigests[chart]);
  });

  it('--dry-run prints the same digests a push gives and uploads nothing', async () => {
    const r = await cli(
      ['--env', 'prd', '--registry', `oci://${registry.host}/dry`, '--plain-http', '--dry-run'],
      withCredentials(),
    );
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^dry run: nothing uploaded/);
    expect(r.stdout.match(/ would push /g)).toHaveLength(CHARTS.length);
    expect(digestsIn(r.stdout)).toEqual(firstDigests);
    expectNoSecretIn(r.stdout + r.stderr);
    expect((await registry.catalog()).filter((c) => c.startsWith('dry/'))).toEqual([]);
  });

  it('refuses a version that exists with other content (exit 1) and pushes no chart', async () => {
    const r = await cli(
      ['--env', 'prd', '--registry', `oci://${registry.host}/charts`, '--plain-http'],
      withCredentials({ ...SECRETS, APP_DB_PASSWORD: 'rotated-password' }),
    );
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('already published with other content');
    expect(r.stderr).toContain(`charts/app:${VERSION} is ${firstDigests.app}`);
    expect(r.stderr).toContain('bump version in charts/app/chart.yaml');
    expect(r.stderr).not.toContain('charts/istio');
    expect(r.stdout + r.stderr).not.toContain('rotated-password');
    expect(await registry.manifestDigest('charts/app', VERSION)).toBe(firstDigests.app);
  });

  it('reports wrong credentials clearly without echoing the password', async () => {
    const wrong = 'wrong-pass-d41d8c';
    const r = await cli(
      ['--env', 'prd', '--registry', `oci://${registry.host}/other`, '--plain-http'],
      withCredentials(SECRETS, wrong),
    );
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(
      new RegExp(
        `error: ${registry.host.replace(/\./g, '\\.')} refused user "${REGISTRY_USER}" from MANIFESTS_REGISTRY_USERNAME/MANIFESTS_REGISTRY_PASSWORD for GET /v2/other/app/manifests/1\\.0\\.0 \\(HTTP 401`,
      ),
    );
    expect(r.stdout + r.stderr).not.toContain(wrong);
    expect(Buffer.from(`${REGISTRY_USER}:${wrong}`).toString('base64')).not.toBe('');
    expect(r.stdout + r.stderr).not.toContain(
      Buffer.from(`${REGISTRY_USER}:${wrong}`).toString('base64'),
    );
    expectNoSecretIn(r.stdout + r.stderr);
    expect((await registry.catalog()).filter((c) => c.startsWith('other/'))).toEqual([]);
  });

  it('asks for credentials when the registry wants them and none are set', async () => {
    const r = await cli(
      ['--env', 'prd', '--registry', `oci://${registry.host}/other`, '--plain-http'],
      SECRETS,
    );
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(
      'needs credentials: set MANIFESTS_REGISTRY_USERNAME and MANIFESTS_REGISTRY_PASSWORD',
    );
  });

  it('takes Basic credentials from a Docker config file', async () => {
    const dockerConfig = tempDir();
    writeFileSync(
      join(dockerConfig, 'config.json'),
      JSON.stringify({
        auths: {
          [`http://${registry.host}`]: {
            auth: Buffer.from(`${REGISTRY_USER}:${REGISTRY_PASSWORD}`).toString('base64'),
          },
        },
      }),
    );
    const r = await cli(
      ['--env', 'prd', '--registry', `oci://${registry.host}/fromconfig`, '--plain-http'],
      { ...SECRETS, DOCKER_CONFIG: dockerConfig },
    );
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(digestsIn(r.stdout)).toEqual(firstDigests);
    expect(await registry.tags('fromconfig/app')).toEqual([VERSION]);
  });
});

describe('manifests publish failures leave nothing half-published', () => {
  let registry: LocalRegistry;
  beforeAll(async () => {
    registry = await startRegistry();
  });
  afterAll(() => registry?.stop());

  it('lists every missing secret variable at once (exit 2) and pushes nothing', async () => {
    const { SCALARDL_DB_PASSWORD: _a, ARGOCD_ECR_PASSWORD: _b, ...partial } = SECRETS;
    const r = await cli(
      ['--env', 'prd', '--registry', `oci://${registry.host}/charts`, '--plain-http'],
      partial,
    );
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(
      /^error: values\/secrets\.yaml: missing secret environment variables: SCALARDL_DB_PASSWORD, ARGOCD_ECR_PASSWORD\n/,
    );
    expectNoSecretIn(r.stdout + r.stderr);
    expect(await registry.catalog()).toEqual([]);
  });

  it('refuses a plan that was not reviewed (release/prd/ differs from a render; exit 1)', async () => {
    const root = tempDir();
    for (const part of ['charts', 'values', 'release'])
      cpSync(join(REPO_ROOT, part), join(root, part), { recursive: true });
    const file = join(root, 'release/prd/app/apps/service-orders.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('port: ', 'port: 1'));
    const r = await cli(
      ['--env', 'prd', '--registry', `oci://${registry.host}/charts`, '--plain-http'],
      SECRETS,
      root,
    );
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(
      'error: release/prd/ is not what the charts and values render (1 files differ)',
    );
    expect(r.stderr).toContain('changed    release/prd/app/apps/service-orders.yaml');
    expect(await registry.catalog()).toEqual([]);
  });

  it('refuses --plain-http to a host that is not loopback (exit 2) before any connection', async () => {
    const r = await cli(
      ['--env', 'prd', '--registry', 'oci://registry.example.com/charts', '--plain-http'],
      SECRETS,
    );
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(
      'error: --plain-http is only allowed for a registry on this machine (127.0.0.0/8, ::1, localhost), not registry.example.com',
    );
  });

  it('writes nothing to disk (no temporary files, the repository untouched) and masks secrets in GitHub Actions', async () => {
    const home = tempDir();
    const tmp = join(home, 'tmp');
    mkdirSync(tmp);
    const status = () =>
      spawnSync(
        'git',
        ['status', '--porcelain', '--untracked-files=all', '--', 'release', 'charts', 'values'],
        {
          cwd: REPO_ROOT,
          encoding: 'utf8',
        },
      ).stdout;
    const before = status();
    const r = await cli(
      ['--env', 'prd', '--registry', `oci://${registry.host}/disk`, '--plain-http'],
      { ...SECRETS, TMPDIR: tmp, GITHUB_ACTIONS: 'true' },
      REPO_ROOT,
      home,
    );
    expect(r.status).toBe(0);
    // In GitHub Actions each secret value is registered for masking first, and shown nowhere else.
    const lines = r.stdout.split('\n');
    // (@actions/core escapes %, CR and LF in command data; the runner reverses it.)
    const escapeData = (v: string) =>
      v.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
    const masks = Object.values(SECRETS).map((v) => `::add-mask::${escapeData(v)}`);
    expect(lines.slice(0, masks.length).sort()).toEqual([...masks].sort());
    expectNoSecretIn(lines.slice(masks.length).join('\n') + r.stderr);
    expect(readdirSync(tmp)).toEqual([]);
    expect(readdirSync(home)).toEqual(['tmp']);
    expect(status()).toBe(before);
  });

  it('gives up on a registry that refuses connections, after bounded retries', async () => {
    const port = await freePort();
    const delays: number[] = [];
    await expect(
      publishCharts({
        root: REPO_ROOT,
        env: 'prd',
        registry: `oci://127.0.0.1:${port}/charts`,
        plainHttp: true,
        environ: SECRETS,
        retry: {
          attempts: 4,
          baseDelayMs: 100,
          maxDelayMs: 250,
          sleep: async (ms) => void delays.push(ms),
        },
      }),
    ).rejects.toThrow(
      `reaching the registry at 127.0.0.1:${port}: connection refused (gave up after 4 attempts)`,
    );
    expect(delays).toEqual([100, 200, 250]);
  });

  it('stops with a clear error when the registry answers 500 mid-upload; no tag is created', async () => {
    let failedPuts = 0;
    const proxy = await startLoopbackServer((req, res) => {
      if (req.method === 'PUT' && req.url?.includes('/blobs/uploads/')) {
        failedPuts++;
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end('{"errors":[{"code":"UNKNOWN","message":"storage failure"}]}');
        return true;
      }
      return false;
    }, registry.port);
    try {
      await expect(
        publishCharts({
          root: REPO_ROOT,
          env: 'prd',
          registry: `oci://${proxy.host}/charts`,
          plainHttp: true,
          environ: SECRETS,
          retry: { attempts: 3, baseDelayMs: 1, maxDelayMs: 1, sleep: async () => {} },
        }),
      ).rejects.toThrow(
        /uploading blob sha256:[0-9a-f]{12} to charts\/app at 127\.0\.0\.1:\d+: HTTP 500 UNKNOWN: storage failure \(gave up after 3 attempts\)/,
      );
      expect(failedPuts).toBe(3);
      expect(proxy.requests.some((q) => q.method === 'PUT' && q.url.includes('/manifests/'))).toBe(
        false,
      );
    } finally {
      await proxy.close();
    }
    for (const chart of CHARTS) expect(await registry.tags(`charts/${chart}`)).toEqual([]);
  });

  it('follows a Bearer token challenge (token service and auth proxy on loopback before the real registry)', async () => {
    // A stand-in for a token server: the registry here has no token auth of its own, so a proxy
    // answers the Docker token protocol's 401 challenge and checks the token before forwarding.
    const tokenRequests: {
      scope: string | null;
      service: string | null;
      authorization?: string;
    }[] = [];
    const token = 'test-token-0123';
    const proxy: LoopbackServer = await startLoopbackServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      if (url.pathname === '/token') {
        tokenRequests.push({
          scope: url.searchParams.get('scope'),
          service: url.searchParams.get('service'),
          authorization: req.headers.authorization,
        });
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ token }));
        return true;
      }
      if (req.headers.authorization !== `Bearer ${token}`) {
        res.writeHead(401, {
          'www-authenticate': `Bearer realm="http://${proxy.host}/token",service="loopback-registry"`,
        });
        res.end('{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}');
        return true;
      }
      delete req.headers.authorization;
      return false;
    }, registry.port);
    try {
      const report = await publishCharts({
        root: REPO_ROOT,
        env: 'prd',
        registry: `oci://${proxy.host}/bearer`,
        plainHttp: true,
        environ: withCredentials(),
      });
      expect(report.charts.map((c) => c.status)).toEqual(CHARTS.map(() => 'pushed'));
    } finally {
      await proxy.close();
    }
    const basic =
      'Basic ' + Buffer.from(`${REGISTRY_USER}:${REGISTRY_PASSWORD}`).toString('base64');
    expect(tokenRequests).toEqual(
      CHARTS.map((c) => ({
        scope: `repository:bearer/${c}:pull,push`,
        service: 'loopback-registry',
        authorization: basic,
      })),
    );
    for (const chart of CHARTS) expect(await registry.tags(`bearer/${chart}`)).toEqual([VERSION]);
  });

  it('stops on SIGTERM: exit 130, no tag pushed after the signal', async () => {
    let seen!: () => void;
    const firstRequest = new Promise<void>((r) => (seen = r));
    // A registry front that never answers, so the publisher is mid-request when the signal comes.
    const stall = await startLoopbackServer(() => {
      seen();
      return true;
    });
    const home = tempDir();
    const child = spawn(
      process.execPath,
      [
        CLI,
        '--root',
        REPO_ROOT,
        'publish',
        '--env',
        'prd',
        '--registry',
        `oci://${stall.host}/charts`,
        '--plain-http',
      ],
      {
        env: { PATH: process.env.PATH, HOME: home, ...SECRETS },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += String(d)));
    const exit = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    await firstRequest;
    child.kill('SIGTERM');
    expect(await exit).toBe(130);
    expect(stderr).toContain('error: interrupted by SIGTERM');
    expect(stall.requests.map((q) => q.method)).toEqual(['GET']);
    await stall.close();
  });
});
