import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { Manifest } from '../core/manifest.js';
import { renderAndWrite } from '../generator/pipeline.js';
import { parseImageRef } from '../validators/model/images.js';
import { REPO_ROOT, copyRepo, renderRepo } from './helpers.js';

/**
 * skaffold.yaml against what the dev render produces. Skaffold itself cannot run here (no Docker
 * daemon, no cluster), so the test checks what Skaffold would read: its config fields (the subset of
 * the v4beta14 schema this project uses, from GoogleContainerTools/skaffold
 * pkg/skaffold/schema/latest/config.go and docs-v2/content/en/schemas/v4beta14.json), the rawYaml
 * patterns expanded the way Skaffold expands them (Go's filepath.Glob, then a walk of any matched
 * folder: pkg/skaffold/util/util.go ExpandPathsGlob), and the images and Services it names.
 */

type Obj = Record<string, any>;

const config = parse(readFileSync(join(REPO_ROOT, 'skaffold.yaml'), 'utf8')) as Obj;

/** The fields of each v4beta14 object this project may use (any other key is a typo Skaffold rejects). */
const FIELDS: Record<string, string[]> = {
  config: [
    'apiVersion',
    'kind',
    'metadata',
    'requires',
    'build',
    'test',
    'manifests',
    'deploy',
    'portForward',
    'resourceSelector',
    'verify',
    'customActions',
    'profiles',
  ],
  metadata: ['name', 'labels', 'annotations'],
  build: ['artifacts', 'insecureRegistries', 'tagPolicy', 'platforms', 'local', 'hooks'],
  local: ['push', 'tryImportMissing', 'useDockerCLI', 'useBuildkit', 'concurrency'],
  artifact: ['image', 'context', 'sync', 'docker', 'requires', 'hooks', 'platforms', 'runtimeType'],
  docker: ['dockerfile', 'target', 'buildArgs', 'network', 'addHost', 'cacheFrom', 'noCache'],
  manifests: ['rawYaml', 'hooks', 'kustomize', 'helm', 'kpt', 'transform', 'validate', 'output'],
  renderHooks: ['before', 'after'],
  hostHook: ['command', 'os', 'dir'],
  deploy: ['kubectl', 'helm', 'kpt', 'docker', 'cloudrun', 'statusCheck', 'kubeContext', 'logs'],
  kubectl: ['flags', 'remoteManifests', 'defaultNamespace', 'hooks'],
  portForward: ['resourceType', 'resourceName', 'namespace', 'port', 'address', 'localPort'],
};

function keysWithin(obj: unknown, allowed: string, where: string): void {
  expect(obj, where).toBeTypeOf('object');
  const unknown = Object.keys(obj as Obj).filter((k) => !FIELDS[allowed].includes(k));
  expect(unknown, `unknown fields of ${where}`).toEqual([]);
}

/** Go's filepath.Glob on slash paths: `*` and `?` never match `/`, `[...]` is a class. */
function globRegExp(pattern: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const end = pattern.indexOf(']', i);
      re += pattern.slice(i, end + 1).replace('[^', '[^/');
      i = end;
    } else re += c.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

/** Every file and folder under a root, as slash paths relative to it. */
function walk(root: string, dir = root): { files: string[]; dirs: string[] } {
  const out = { files: [] as string[], dirs: [] as string[] };
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    const rel = relative(root, p).split('\\').join('/');
    if (e.isDirectory()) {
      out.dirs.push(rel);
      const sub = walk(root, p);
      out.files.push(...sub.files);
      out.dirs.push(...sub.dirs);
    } else out.files.push(rel);
  }
  return out;
}

/** What Skaffold reads for one pattern: matched files, and every file under a matched folder. */
function expand(pattern: string, tree: { files: string[]; dirs: string[] }): string[] {
  const re = globRegExp(pattern);
  const files = tree.files.filter((f) => re.test(f));
  for (const d of tree.dirs.filter((x) => re.test(x)))
    files.push(...tree.files.filter((f) => f.startsWith(`${d}/`)));
  return [...new Set(files)];
}

describe('skaffold.yaml', () => {
  let root: string;
  let tree: { files: string[]; dirs: string[] };
  let dev: Manifest[];
  let appValues: Obj;
  const patterns: string[] = config.manifests.rawYaml;

  beforeAll(async () => {
    // A copy of the repository with both plans rendered, as `make dev` leaves it (and prd beside).
    root = copyRepo();
    const written = await renderAndWrite(root, 'dev', { environ: {} });
    dev = written.release.manifests;
    appValues = (written.loaded.values as Obj).app;
    await renderAndWrite(root, 'prd', { environ: {} });
    tree = walk(root);
  });

  it('uses the current schema and only fields it defines', () => {
    expect(config.apiVersion).toBe('skaffold/v4beta14');
    expect(config.kind).toBe('Config');
    keysWithin(config, 'config', 'the config');
    keysWithin(config.metadata, 'metadata', 'metadata');
    keysWithin(config.build, 'build', 'build');
    keysWithin(config.build.local, 'local', 'build.local');
    config.build.artifacts.forEach((a: Obj, i: number) => {
      keysWithin(a, 'artifact', `build.artifacts[${i}]`);
      keysWithin(a.docker, 'docker', `build.artifacts[${i}].docker`);
    });
    keysWithin(config.manifests, 'manifests', 'manifests');
    keysWithin(config.manifests.hooks, 'renderHooks', 'manifests.hooks');
    for (const h of config.manifests.hooks.before) {
      expect(Object.keys(h)).toEqual(['host']);
      keysWithin(h.host, 'hostHook', 'manifests.hooks.before[].host');
    }
    keysWithin(config.deploy, 'deploy', 'deploy');
    keysWithin(config.deploy.kubectl, 'kubectl', 'deploy.kubectl');
    config.portForward.forEach((p: Obj, i: number) =>
      keysWithin(p, 'portForward', `portForward[${i}]`),
    );
  });

  it('builds into Minikube\u2019s Docker and deploys with kubectl only', () => {
    expect(config.build.local.push).toBe(false);
    expect(Object.keys(config.deploy)).toEqual(['kubectl']);
  });

  it('renders the dev plan in its render hook, with the CLI the package ships', () => {
    const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8'));
    const [hook] = config.manifests.hooks.before;
    expect(hook.host.command).toEqual(['node', pkg.bin.manifests, 'render', '--env', 'dev']);
    expect(hook.host.dir).toBe('.');
  });

  it('names manifest patterns that each match rendered files, and never a folder', () => {
    expect(patterns.length).toBeGreaterThan(0);
    for (const p of patterns) {
      expect(p, 'Go globs have no **').not.toContain('**');
      expect(
        tree.dirs.filter((d) => globRegExp(p).test(d)),
        `${p} matches folders`,
      ).toEqual([]);
      expect(expand(p, tree).length, `${p} matches no file`).toBeGreaterThan(0);
    }
  });

  it('deploys the dev plan and never the production plan', () => {
    for (const p of patterns) expect(p.startsWith('release/dev/'), p).toBe(true);
    const deployed = new Set(patterns.flatMap((p) => expand(p, tree)));
    const prdFiles = tree.files.filter((f) => f.startsWith('release/prd/'));
    expect(prdFiles.length).toBeGreaterThan(0);
    for (const f of prdFiles) expect(deployed.has(f), f).toBe(false);
    // Everything of the dev plan, except the IstioOperator (istioctl installs it: no CRD exists).
    const devFiles = dev.map((m) => `release/dev/${m.file}`);
    const left = devFiles.filter((f) => !deployed.has(f));
    expect(left).toEqual(['release/dev/istio/istio-system/istiooperator-istio-control-plane.yaml']);
    expect([...deployed].sort()).toEqual(devFiles.filter((f) => !left.includes(f)).sort());
  });

  it('applies every Namespace before the objects that live in it', () => {
    const firstPattern = (file: string) =>
      patterns.findIndex((p) => expand(p, tree).includes(file));
    const namespaceFile = new Map(
      dev
        .filter((m) => m.object.kind === 'Namespace')
        .map((m) => [m.object.metadata.name, `release/dev/${m.file}`]),
    );
    for (const m of dev) {
      const ns = m.object.metadata.namespace;
      if (!ns || !namespaceFile.has(ns)) continue;
      const file = `release/dev/${m.file}`;
      if (file.includes('istiooperator-')) continue;
      expect(firstPattern(namespaceFile.get(ns)!), file).toBeLessThan(firstPattern(file));
    }
  });

  it('builds exactly the images the dev workloads of the app chart run, under their bare names', () => {
    const app = appValues;
    const artifacts = config.build.artifacts as Obj[];
    const images = dev
      .filter((m) => ['Deployment', 'StatefulSet', 'DaemonSet', 'Job'].includes(m.object.kind))
      .flatMap((m) =>
        ((m.object as Obj).spec.template.spec.containers as Obj[]).map((c) => ({
          m,
          image: c.image as string,
        })),
      );
    const repositoryOf = (image: string) => image.replace(/[:@].*$/, '');
    // Every artifact is the image of a rendered dev workload (Skaffold substitutes by name).
    for (const a of artifacts) {
      expect(
        images.map((i) => repositoryOf(i.image)),
        a.image,
      ).toContain(a.image);
    }
    // Every app service's workload has an artifact, built from the context values name.
    const appImages = images.filter(
      (i) => i.m.chart === 'app' && i.m.object.metadata.name !== 'mysql',
    );
    expect(appImages.length).toBe(app.services.length);
    for (const { m, image } of appImages) {
      const service = (app.services as Obj[]).find((s) => s.name === m.object.metadata.name)!;
      // The bare repository name Skaffold substitutes: no registry host in dev.
      expect(image).toBe(`${service.repository}:${service.tag}`);
      expect(parseImageRef(image)!.host).toBe('docker.io');
      const artifact = artifacts.find((a) => a.image === repositoryOf(image));
      expect(artifact, `artifact for ${image}`).toBeDefined();
      expect(artifact!.context).toBe(service.build.context);
      expect(artifact!.docker.dockerfile).toBe(service.build.dockerfile);
    }
    expect(artifacts).toHaveLength(appImages.length);
    // The build contexts and Dockerfiles exist in the repository.
    for (const a of artifacts) {
      expect(statSync(join(REPO_ROOT, a.context)).isDirectory(), a.context).toBe(true);
      expect(existsSync(join(REPO_ROOT, a.context, a.docker.dockerfile)), a.context).toBe(true);
    }
  });

  it('forwards the MySQL Service and the Istio ingress gateway to ports that exist', () => {
    const forwards = config.portForward as Obj[];
    expect(forwards.map((f) => f.resourceType)).toEqual(['service', 'service']);
    const localPorts = forwards.map((f) => f.localPort);
    expect(new Set(localPorts).size).toBe(localPorts.length);
    for (const p of localPorts) expect(p).toBeGreaterThan(1024);

    const db = forwards.find((f) => f.resourceName === 'db')!;
    const service = dev.find(
      (m) =>
        m.object.kind === 'Service' &&
        m.object.metadata.name === db.resourceName &&
        m.object.metadata.namespace === db.namespace,
    );
    expect(service, 'the rendered db Service').toBeDefined();
    const svc = service!.object as Obj;
    expect((svc.spec.ports as Obj[]).map((p) => p.port)).toContain(db.port);
    // It selects the MySQL StatefulSet the dev plan runs.
    const mysql = dev.find(
      (m) => m.object.kind === 'StatefulSet' && m.object.metadata.namespace === db.namespace,
    )!.object as Obj;
    for (const [k, v] of Object.entries(svc.spec.selector))
      expect(mysql.spec.template.metadata.labels[k]).toBe(v);

    const gw = forwards.find((f) => f.resourceName !== 'db')!;
    const operator = dev.find((m) => m.object.kind === 'IstioOperator')!.object as Obj;
    const ingress = (operator.spec.components.ingressGateways as Obj[]).find(
      (g) => g.name === gw.resourceName,
    );
    expect(ingress, 'an ingress gateway of the rendered IstioOperator').toBeDefined();
    expect(ingress!.enabled).toBe(true);
    expect(ingress!.namespace).toBe(gw.namespace);
    // The port the public Gateway listens on (Istio's ingress Service maps 80 to the pod's 8080).
    const gateway = dev.find((m) => m.object.kind === 'Gateway')!.object as Obj;
    expect((gateway.spec.servers as Obj[]).map((s) => s.port.number)).toContain(gw.port);
    expect(gw.port).toBe(80);
  });

  it('keeps the ECR images in prd', () => {
    const registry = parse(readFileSync(join(REPO_ROOT, 'values/shared/global.yaml'), 'utf8'))
      .global.registry as string;
    const images = renderRepo('prd')
      .filter((m) => m.chart === 'app' && m.object.kind === 'Deployment')
      .map((m) => (m.object as Obj).spec.template.spec.containers[0].image as string);
    expect(images.length).toBeGreaterThan(0);
    for (const image of images) expect(image.startsWith(`${registry}/shop/`), image).toBe(true);
  });

  it('fails the dev render when a service has no build context', () => {
    const dir = copyRepo();
    const file = join(dir, 'values/dev/app.yaml');
    const text = readFileSync(file, 'utf8');
    const edited = text.replace(/\n {6}build: \{ context: services\/catalog[^\n]*/, '');
    expect(edited).not.toBe(text);
    writeFileSync(file, edited);
    const r = spawnSync(
      process.execPath,
      [join(REPO_ROOT, 'dist/cli/main.js'), '--root', dir, 'render', '--env', 'dev'],
      { encoding: 'utf8' },
    );
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(
      'app.services[catalog]: app.localBuild is on but the service has no build.context',
    );
    expect(existsSync(join(dir, 'release/dev'))).toBe(false);
  });
});
