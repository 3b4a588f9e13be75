import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../core/manifest.js';
import { renderEnvironment } from '../generator/pipeline.js';
import { readReleaseFolder } from '../generator/release/write.js';
import { createPreview } from '../preview/preview.js';
import type { PreviewIO } from '../preview/store.js';
import { validateCommand, validateRendered } from '../validators/validate.js';
import { REPO_ROOT, copyRepo } from './helpers.js';

type Obj = Record<string, any>;

const CLI = join(REPO_ROOT, 'dist/cli/main.js');
const ECR = '123456789012.dkr.ecr.ap-northeast-1.amazonaws.com';

function run(root: string, args: string[]) {
  const r = spawnSync(process.execPath, [CLI, '--root', root, ...args], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function runAsync(
  root: string,
  args: string[],
): Promise<{ status: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, '--root', root, ...args], {
      env: { PATH: process.env.PATH },
    });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (status) => resolve({ status, stderr }));
  });
}

function environments(root: string): Obj {
  return JSON.parse(readFileSync(join(root, 'release/preview/environments.json'), 'utf8'));
}

/** Every file under release/ with its bytes (release/preview/ absent: no key for it). */
function releaseSnapshot(root: string): Map<string, string> {
  return readReleaseFolder(join(root, 'release'));
}

function readObject(root: string, file: string): Obj {
  return load(readFileSync(join(root, file), 'utf8')) as Obj;
}

/** The `Kind/ns/name  file` lines a create or delete prints, in order. */
function objectLines(stdout: string): { resource: string; file: string }[] {
  return stdout
    .split('\n')
    .filter((l) => l.startsWith('  '))
    .map((l) => {
      const [resource, file] = l.trim().split(/\s+/);
      return { resource, file };
    });
}

describe('manifests preview create / ls / delete on the repository values', () => {
  it('puts two profiles on one name, each a clone isolated from its reference', () => {
    const root = copyRepo();
    const api = run(root, [
      'preview',
      'create',
      '--name',
      'feat',
      '--profile',
      'api',
      '--image',
      `${ECR}/shop/orders:pr-7`,
    ]);
    expect(api.stderr).toBe('');
    expect(api.status).toBe(0);
    const web = run(root, [
      'preview',
      'create',
      '--name',
      'feat',
      '--service',
      'frontend',
      '--image',
      `${ECR}/shop/frontend:pr-7`,
    ]);
    expect(web.status).toBe(0);

    const env = environments(root);
    expect(env.environments).toHaveLength(1);
    const entry = env.environments[0];
    expect(Object.keys(entry)).toEqual([
      'env',
      'name',
      'api_endpoint',
      'frontend_endpoint',
      'updated_at',
    ]);
    expect(entry).toMatchObject({
      env: 'dev',
      name: 'feat',
      api_endpoint: 'api-feat.preview.shop.test',
      frontend_endpoint: 'www-feat.preview.shop.test',
    });
    expect(new Date(entry.updated_at).toISOString()).toBe(entry.updated_at);

    const files = readdirSync(join(root, 'release/preview/feat/app/apps')).sort();
    expect(files).toEqual([
      'configmap-pv-feat-frontend-config.yaml',
      'configmap-pv-feat-orders-config.yaml',
      'deployment-pv-feat-frontend.yaml',
      'deployment-pv-feat-orders.yaml',
      'service-pv-feat-frontend.yaml',
      'service-pv-feat-orders.yaml',
      'virtualservice-pv-feat-frontend.yaml',
      'virtualservice-pv-feat-orders.yaml',
    ]);

    const dir = 'release/preview/feat/app/apps';
    const deploy = readObject(root, `${dir}/deployment-pv-feat-orders.yaml`);
    const svc = readObject(root, `${dir}/service-pv-feat-orders.yaml`);
    const vs = readObject(root, `${dir}/virtualservice-pv-feat-orders.yaml`);
    const pod = deploy.spec.template;
    expect(pod.spec.containers[0].image).toBe(`${ECR}/shop/orders:pr-7`);
    expect(pod.spec.containers[0].envFrom).toEqual([
      { configMapRef: { name: 'pv-feat-orders-config' } },
    ]);
    expect(deploy.spec.replicas).toBe(1);
    expect(pod.metadata.labels['app.kubernetes.io/name']).toBe('pv-feat-orders');
    expect(pod.metadata.labels.version).toBe('pr-7');
    // The clone's Service selects exactly the clone's pods; the reference's selectors do not.
    for (const [k, v] of Object.entries(svc.spec.selector)) expect(pod.metadata.labels[k]).toBe(v);
    expect(deploy.spec.selector.matchLabels).toEqual(svc.spec.selector);
    const reference = renderEnvironment(root, 'dev', { environ: {} }).release.manifests;
    const refSvc = reference.find(
      (m) => m.object.kind === 'Service' && m.object.metadata.name === 'orders',
    )!;
    const refSelector = (refSvc.object as Obj).spec.selector as Record<string, string>;
    expect(Object.entries(refSelector).every(([k, v]) => pod.metadata.labels[k] === v)).toBe(false);
    // Bound to the istio chart's shared Gateway, routing the host to the clone's Service.
    expect(vs.spec).toEqual({
      gateways: ['istio-system/public-gateway'],
      hosts: ['api-feat.preview.shop.test'],
      http: [
        {
          name: 'pv-feat-orders',
          route: [
            {
              destination: {
                host: 'pv-feat-orders.apps.svc.cluster.local',
                port: { number: 8080 },
              },
            },
          ],
        },
      ],
    });

    const ls = run(root, ['preview', 'ls']);
    expect(ls.stdout).toBe(
      `feat (dev) api=api-feat.preview.shop.test frontend=www-feat.preview.shop.test (last updated: ${entry.updated_at})\n`,
    );
    const json = JSON.parse(run(root, ['preview', 'ls', '--format', 'json']).stdout);
    expect(json.environments[0].endpoints).toEqual([
      { profile: 'api', host: 'api-feat.preview.shop.test' },
      { profile: 'frontend', host: 'www-feat.preview.shop.test' },
    ]);
  });

  it('redeploys an existing profile with the new image, leaving the other profile alone', () => {
    const root = copyRepo();
    expect(
      run(root, [
        'preview',
        'create',
        '--name',
        'rd',
        '--profile',
        'api',
        '--image',
        `${ECR}/shop/orders:1`,
      ]).status,
    ).toBe(0);
    expect(
      run(root, [
        'preview',
        'create',
        '--name',
        'rd',
        '--service',
        'catalog',
        '--image',
        `${ECR}/shop/catalog:1`,
      ]).status,
    ).toBe(0);
    const catalogBefore = readFileSync(
      join(root, 'release/preview/rd/app/apps/deployment-pv-rd-catalog.yaml'),
      'utf8',
    );
    const before = environments(root).environments[0].updated_at;
    const digest = 'sha256:' + 'ab'.repeat(32);
    const again = run(root, [
      'preview',
      'create',
      '--name',
      'rd',
      '--profile',
      'api',
      '--image',
      `${ECR}/shop/orders@${digest}`,
    ]);
    expect(again.status).toBe(0);
    expect(again.stdout).toMatch(/^redeployed preview rd, profile api/);
    const deploy = readObject(root, 'release/preview/rd/app/apps/deployment-pv-rd-orders.yaml');
    expect(deploy.spec.template.spec.containers[0].image).toBe(`${ECR}/shop/orders@${digest}`);
    // A digest is not a label value: the version label goes rather than lying.
    expect(deploy.spec.template.metadata.labels.version).toBeUndefined();
    expect(
      readFileSync(join(root, 'release/preview/rd/app/apps/deployment-pv-rd-catalog.yaml'), 'utf8'),
    ).toBe(catalogBefore);
    const env = environments(root);
    expect(env.environments).toHaveLength(1);
    expect(env.environments[0].updated_at >= before).toBe(true);
    expect(readdirSync(join(root, 'release/preview/rd/app/apps'))).toHaveLength(8);
  });

  it('refuses bad input with exit 2 and one line, changing nothing', async () => {
    const root = copyRepo();
    expect(
      run(root, [
        'preview',
        'create',
        '--name',
        'keep',
        '--service',
        'orders',
        '--image',
        `${ECR}/shop/orders:1`,
      ]).status,
    ).toBe(0);
    const before = releaseSnapshot(root);
    const envBytes = readFileSync(join(root, 'release/preview/environments.json'));
    const cases: [string[], RegExp][] = [
      [
        ['--name', 'x', '--service', 'orders', '--image', 'shop/orders:1'],
        /names no registry host/,
      ],
      [
        ['--name', 'x', '--service', 'orders', '--image', `${ECR}/shop/orders`],
        /neither a tag nor a digest/,
      ],
      [
        ['--name', 'x', '--service', 'orders', '--image', `${ECR}/shop/Orders:1`],
        /must be lowercase/,
      ],
      [
        ['--name', 'x', '--service', 'orders', '--image', `${ECR}/shop/orders@sha256:abc`],
        /does not follow the image reference grammar/,
      ],
      [
        ['--name', 'x', '--service', 'orders', '--image', 'ghcr.io/someone/orders:1'],
        /^error: values\/dev\/global\.yaml:\d+: .*not from an allowed registry/,
      ],
      [
        ['--name', 'x', '--service', 'nope', '--image', `${ECR}/shop/nope:1`],
        /service "nope" is not a Deployment of chart app \(services: catalog, frontend, orders, payments\)/,
      ],
      [
        ['--name', 'a'.repeat(64), '--service', 'orders', '--image', `${ECR}/shop/orders:1`],
        /not a DNS-1123 label/,
      ],
      [
        ['--name', 'Feat', '--service', 'orders', '--image', `${ECR}/shop/orders:1`],
        /not a DNS-1123 label/,
      ],
      [
        [
          '--name',
          'keep',
          '--profile',
          'api',
          '--service',
          'catalog',
          '--image',
          `${ECR}/shop/catalog:1`,
        ],
        /profile api previews service orders, not catalog/,
      ],
      [
        [
          '--name',
          'keep',
          '--profile',
          'other',
          '--service',
          'orders',
          '--image',
          `${ECR}/shop/orders:1`,
        ],
        /belongs to another profile/,
      ],
      [
        [
          '--name',
          'keep',
          '--service',
          'orders',
          '--env',
          'prd',
          '--image',
          `${ECR}/shop/orders:1`,
        ],
        /serves shop\.example\.com, not the preview host/,
      ],
    ];
    for (const [args, message] of cases) {
      const r = run(root, ['preview', 'create', ...args]);
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toMatch(message);
      expect(r.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
    }
    // Names that fit as a label but not once prefixed: pv-<name>-orders is 63 at most.
    const longest = 'n'.repeat(63 - 'pv--orders'.length);
    expect(
      run(root, [
        'preview',
        'create',
        '--name',
        longest + 'n',
        '--service',
        'orders',
        '--image',
        `${ECR}/shop/orders:1`,
      ]).stderr,
    ).toMatch(/64 characters, more than the 63/);
    expect(releaseSnapshot(root)).toEqual(before);
    expect(readFileSync(join(root, 'release/preview/environments.json')).equals(envBytes)).toBe(
      true,
    );
    expect(readdirSync(join(root, 'release/preview')).sort()).toEqual([
      'environments.json',
      'keep',
    ]);

    // On a fresh repository a refused create does not even leave release/preview/ behind.
    const fresh = copyRepo();
    expect(
      run(fresh, [
        'preview',
        'create',
        '--name',
        'x',
        '--service',
        'nope',
        '--image',
        `${ECR}/shop/x:1`,
      ]).status,
    ).toBe(2);
    expect(existsSync(join(fresh, 'release'))).toBe(false);
    const ok = run(fresh, [
      'preview',
      'create',
      '--name',
      longest,
      '--service',
      'orders',
      '--image',
      `${ECR}/shop/orders:1`,
    ]);
    expect(ok.status).toBe(0);
    expect(ok.stdout).toContain(`Service/apps/pv-${longest}-orders`);
  });

  it('leaves no half-written preview and environments.json byte-identical when a write fails mid-way', async () => {
    const root = copyRepo();
    await createPreview(root, { name: 'base', service: 'orders', image: `${ECR}/shop/orders:1` });
    await createPreview(root, { name: 'half', service: 'catalog', image: `${ECR}/shop/catalog:1` });
    const before = releaseSnapshot(root);
    const envBytes = readFileSync(join(root, 'release/preview/environments.json'));
    const failing = (
      when: (path: string, n: number) => boolean,
      op: 'write' | 'rename',
    ): PreviewIO => {
      let n = 0;
      return {
        writeFile: (path, text) => {
          if (op === 'write' && when(path, ++n)) throw new Error(`disk full writing ${path}`);
          writeFileSync(path, text);
        },
        rename: (from, to) => {
          if (op === 'rename' && when(to, ++n)) throw new Error(`cannot rename to ${to}`);
          renameSync(from, to);
        },
      };
    };
    const attempts: { io: PreviewIO; name: string }[] = [
      // The third resource file of a new preview.
      { io: failing((_p, n) => n === 3, 'write'), name: 'fresh' },
      // A new profile in an existing folder, failing on its second file.
      { io: failing((_p, n) => n === 2, 'write'), name: 'half' },
      // The temporary environments.json (after every resource file was written).
      { io: failing((p) => p.includes('environments.json'), 'write'), name: 'half' },
      // The very last step: environments.json renamed over the old one, after the folder swap.
      { io: failing((p) => p.endsWith('environments.json'), 'rename'), name: 'half' },
      { io: failing((p) => p.endsWith('environments.json'), 'rename'), name: 'fresh' },
    ];
    for (const { io, name } of attempts) {
      await expect(
        createPreview(root, { name, service: 'orders', image: `${ECR}/shop/orders:2` }, { io }),
      ).rejects.toThrow(/disk full|cannot rename/);
      expect(releaseSnapshot(root)).toEqual(before);
      expect(readFileSync(join(root, 'release/preview/environments.json')).equals(envBytes)).toBe(
        true,
      );
      expect(readdirSync(join(root, 'release/preview')).sort()).toEqual([
        'base',
        'environments.json',
        'half',
      ]);
    }
  });

  it('loses no entry when several processes create different previews at once', async () => {
    const root = copyRepo();
    const names = ['c1', 'c2', 'c3', 'c4', 'c5', 'c6'];
    const create = (n: string, service: string) =>
      runAsync(root, [
        'preview',
        'create',
        '--name',
        n,
        '--service',
        service,
        '--image',
        `${ECR}/shop/${service}:${n}`,
      ]);
    // Six names, and a second profile of the first name, all at once.
    const results = await Promise.all([
      ...names.map((n) => create(n, 'orders')),
      create('c1', 'catalog'),
    ]);
    for (const r of results) {
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
    }
    const env = environments(root);
    expect(env.environments.map((e: Obj) => e.name)).toEqual(names);
    for (const n of names) {
      expect(env.environments.find((e: Obj) => e.name === n).orders_endpoint).toBe(
        `pv-${n}.preview.shop.test`,
      );
      expect(readdirSync(join(root, 'release/preview', n, 'app/apps'))).toHaveLength(
        n === 'c1' ? 8 : 4,
      );
    }
    expect(env.environments[0].catalog_endpoint).toBe('catalog-c1.preview.shop.test');
    // Nothing temporary is left, and the lock is released.
    expect(readdirSync(join(root, 'release/preview')).sort()).toEqual(
      ['environments.json', ...names].sort(),
    );
  });

  it('deletes a profile in the reverse order of creation; the entry and folder go with the last one', () => {
    const root = copyRepo();
    const created = run(root, [
      'preview',
      'create',
      '--name',
      'del',
      '--profile',
      'api',
      '--image',
      `${ECR}/shop/orders:1`,
    ]);
    expect(
      run(root, [
        'preview',
        'create',
        '--name',
        'del',
        '--profile',
        'frontend',
        '--image',
        `${ECR}/shop/frontend:1`,
      ]).status,
    ).toBe(0);
    const order = objectLines(created.stdout);
    expect(order.map((o) => o.resource)).toEqual([
      'ConfigMap/apps/pv-del-orders-config',
      'Deployment/apps/pv-del-orders',
      'Service/apps/pv-del-orders',
      'VirtualService/apps/pv-del-orders',
    ]);
    // The order is recorded in the objects as Argo CD sync waves (applied ascending, pruned descending).
    expect(
      order.map(
        (o) => readObject(root, o.file).metadata.annotations['argocd.argoproj.io/sync-wave'],
      ),
    ).toEqual(['0', '1', '2', '3']);

    const del = run(root, ['preview', 'delete', '--name', 'del', '--profile', 'api']);
    expect(del.status).toBe(0);
    expect(objectLines(del.stdout)).toEqual([...order].reverse());
    for (const o of order) expect(existsSync(join(root, o.file))).toBe(false);
    expect(environments(root).environments).toEqual([
      expect.objectContaining({ name: 'del', frontend_endpoint: 'www-del.preview.shop.test' }),
    ]);
    expect(environments(root).environments[0].api_endpoint).toBeUndefined();

    const unknown = run(root, ['preview', 'delete', '--name', 'del', '--profile', 'api']);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toMatch(/has no profile api \(profiles: frontend\)/);

    const last = run(root, ['preview', 'delete', '--name', 'del']);
    expect(last.status).toBe(0);
    expect(last.stdout).toMatch(/preview del has no endpoints left: removed/);
    expect(environments(root)).toEqual({ environments: [] });
    expect(readdirSync(join(root, 'release/preview'))).toEqual(['environments.json']);
    expect(run(root, ['preview', 'ls']).stdout).toBe('no preview environments\n');
  });

  it('validates previews with the plan rules and 0 errors, against the plan they clone', () => {
    const root = copyRepo();
    expect(
      run(root, [
        'preview',
        'create',
        '--name',
        'v1',
        '--profile',
        'api',
        '--image',
        `${ECR}/shop/orders:1`,
      ]).status,
    ).toBe(0);
    expect(
      run(root, [
        'preview',
        'create',
        '--name',
        'v1',
        '--service',
        'frontend',
        '--image',
        `${ECR}/shop/frontend:1`,
      ]).status,
    ).toBe(0);
    expect(
      run(root, [
        'preview',
        'create',
        '--name',
        'v2',
        '--service',
        'payments',
        '--image',
        `${ECR}/shop/payments:1`,
      ]).status,
    ).toBe(0);
    for (const path of ['release/preview/v1', 'release/preview']) {
      const r = run(root, ['validate', join(root, path)]);
      expect(r.status, r.stdout).toBe(0);
      expect(r.stdout).toMatch(/resources checked for Kubernetes 1\.33: 0 errors, 0 warning\(s\)/);
    }
    // The rules really run: a preview bound to a Gateway the plan lacks is an error.
    const file = join(root, 'release/preview/v2/app/apps/virtualservice-pv-v2-payments.yaml');
    writeFileSync(
      file,
      readFileSync(file, 'utf8').replace(
        'istio-system/public-gateway',
        'istio-system/no-such-gateway',
      ),
    );
    const bad = run(root, ['validate', join(root, 'release/preview/v2')]);
    expect(bad.status).toBe(1);
    expect(bad.stdout).toMatch(
      /gateway "istio-system\/no-such-gateway" is not a rendered Gateway.*\[istio-references\]/,
    );
  });
});

describe('pull-request previews (argocd chart)', () => {
  it('renders an ApplicationSet with the pull-request generator that validates in prd', () => {
    const r = renderEnvironment(REPO_ROOT, 'prd', { environ: {} });
    const text = r.release.files.get('argocd/argocd/applicationset-pr-previews.yaml')!;
    // Argo CD's own template parameters come through Handlebars literally.
    expect(text).toContain('name: "pr-{{number}}"');
    expect(text).toContain('targetRevision: "{{head_sha}}"');
    expect(text).toContain('path: "release/preview/pr-{{number}}"');
    const set = load(text) as Obj;
    expect(set.spec.generators).toEqual([
      {
        pullRequest: {
          github: {
            owner: 'shop-sre',
            repo: 'microservices-manifests',
            labels: ['preview'],
            tokenRef: { secretName: 'github-token', key: 'token' },
          },
          requeueAfterSeconds: 1800,
        },
      },
    ]);
    expect(set.spec.syncPolicy).toEqual({ preserveResourcesOnDeletion: false });
    const app = set.spec.template.spec;
    expect(app.project).toBe('pr-previews');
    expect(app.destination).toEqual({
      server: 'https://kubernetes.default.svc',
      namespace: 'apps',
    });
    expect(app.syncPolicy.automated).toEqual({ prune: true, selfHeal: true });
    const project = r.release.manifests.find(
      (m) => m.object.kind === 'AppProject' && m.object.metadata.name === 'pr-previews',
    )!.object as Obj;
    expect(project.spec.sourceRepos).toEqual([app.source.repoURL]);
    expect(project.spec.destinations).toEqual([app.destination]);
    expect(project.spec.clusterResourceWhitelist).toEqual([]);

    const v = validateRendered(r.project, r.loaded, r.release.manifests, r.release.files, 'prd');
    const mine = v.findings.filter((f) => /pr-previews/.test(f.location?.file ?? ''));
    expect(mine).toEqual([]);
    expect(v.findings.filter((f) => f.severity === 'error')).toEqual([]);
  });

  it('is checked against the ApplicationSet schema (a misspelt field is an error)', () => {
    const r = renderEnvironment(REPO_ROOT, 'prd', { environ: {} });
    const root = copyRepo();
    const file = join(root, 'applicationset.yaml');
    const text = r.release.files.get('argocd/argocd/applicationset-pr-previews.yaml')!;
    writeFileSync(file, text.replace('requeueAfterSeconds:', 'requeueAfterSecond:'));
    const result = validateCommand({ root, paths: [file], only: ['schema'], environ: {} });
    expect(result.findings.map((f) => `${f.severity} ${f.path}: ${f.message}`).join('\n')).toMatch(
      /error spec\.generators\[0\]\.pullRequest\.requeueAfterSecond: .*unknown field/i,
    );
    writeFileSync(file, text);
    expect(
      validateCommand({ root, paths: [file], only: ['schema'], environ: {} }).findings,
    ).toEqual([]);
  });

  it('is rendered only when enabled', () => {
    const root = copyRepo();
    const shared = join(root, 'values/shared/argocd.yaml');
    writeFileSync(
      shared,
      readFileSync(shared, 'utf8').replace(
        /pullRequestPreviews:\n {4}enabled: true/,
        'pullRequestPreviews:\n    enabled: false',
      ),
    );
    const kinds = renderEnvironment(root, 'prd', { environ: {} }).release.manifests.map(
      (m) => `${m.object.kind}/${(m.object as KubeObject).metadata.name}`,
    );
    expect(kinds).not.toContain('ApplicationSet/pr-previews');
    expect(kinds).not.toContain('AppProject/pr-previews');
    expect(kinds).toContain('AppProject/shop');
  });
});
