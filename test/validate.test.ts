import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readManifests } from '../validators/read.js';
import { formatFindings } from '../validators/report/index.js';
import { RULES } from '../validators/rules/index.js';
import type { Finding } from '../validators/types.js';
import { REPO_ROOT, copyRepo, tempDir } from './helpers.js';

const CLI = join(REPO_ROOT, 'dist/cli/main.js');

function run(
  args: string[],
  opts: { root?: string; input?: string; env?: NodeJS.ProcessEnv } = {},
) {
  const r = spawnSync(
    process.execPath,
    [CLI, ...(opts.root ? ['--root', opts.root] : []), ...args],
    {
      encoding: 'utf8',
      input: opts.input,
      env: { PATH: process.env.PATH, ...(opts.env ?? {}) },
    },
  );
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const DEPLOYMENT = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  selector:
    matchLabels: { app: web }
  template:
    metadata:
      labels: { app: web }
    spec:
      containers:
        - name: web
          image: registry.example/web:1.0.0
`;

function write(dir: string, name: string, text: string): string {
  const p = join(dir, name);
  mkdirSync(join(p, '..'), { recursive: true });
  writeFileSync(p, text);
  return p;
}

describe('reading manifest files', () => {
  it('reads several documents per file with their start lines, and expands kind: List', () => {
    const dir = tempDir();
    const f = write(
      dir,
      'all.yaml',
      `# comment\n${DEPLOYMENT}---\napiVersion: v1\nkind: List\nitems:\n  - apiVersion: v1\n    kind: ConfigMap\n    metadata: { name: a, namespace: shop }\n  - apiVersion: v1\n    kind: ConfigMap\n    metadata: { name: b, namespace: shop }\n`,
    );
    const r = readManifests([f], { strict: true });
    expect(
      r.manifests.map((m) => [m.object.kind, m.object.metadata.name, m.line, m.basePath]),
    ).toEqual([
      ['Deployment', 'web', 2, undefined],
      ['ConfigMap', 'a', 18, ['items', 0]],
      ['ConfigMap', 'b', 18, ['items', 1]],
    ]);
  });

  it('accepts blank files and files of comments; reads JSON', () => {
    const dir = tempDir();
    write(dir, 'blank.yaml', '\n\n');
    write(dir, 'comments.yaml', '# nothing here\n---\n# still nothing\n');
    write(
      dir,
      'cm.json',
      JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'j' } }),
    );
    const r = readManifests([dir], { strict: true });
    expect(r.manifests.map((m) => m.object.metadata.name)).toEqual(['j']);
    expect(r.findings).toEqual([]);
  });

  it('reports a document without kind, and a repeated key in strict mode only', () => {
    const dir = tempDir();
    const f = write(
      dir,
      'bad.yaml',
      'apiVersion: v1\nmetadata:\n  name: x\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: y\n  name: z\n',
    );
    const strict = readManifests([f], { strict: true });
    expect(
      strict.findings
        .map((x) => [x.message.slice(0, 22), x.location?.line])
        .sort((a, b) => Number(a[1]) - Number(b[1])),
    ).toEqual([
      ['document has no kind: ', 1],
      ['a key is repeated in o', 9],
    ]);
    const loose = readManifests([f], { strict: false });
    expect(loose.findings.map((x) => x.message.slice(0, 22))).toEqual(['document has no kind: ']);
  });

  it('fails with file and line on a YAML syntax error, and on a missing file', () => {
    const dir = tempDir();
    const f = write(dir, 'broken.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata: [\n');
    expect(() => readManifests([f], { strict: true })).toThrow(/YAML error/);
    expect(() => readManifests([join(dir, 'nope.yaml')], { strict: true })).toThrow(/no such file/);
  });

  it('rejects an alias bomb without expanding it', () => {
    const dir = tempDir();
    const lines = [
      'apiVersion: v1',
      'kind: ConfigMap',
      'metadata: {name: bomb}',
      'data:',
      '  a0: &a0 [x,x,x,x,x,x,x,x,x,x]',
    ];
    for (let i = 1; i < 9; i++)
      lines.push(
        `  a${i}: &a${i} [${Array(10)
          .fill(`*a${i - 1}`)
          .join(',')}]`,
      );
    const f = write(dir, 'bomb.yaml', lines.join('\n') + '\n');
    expect(() => readManifests([f], { strict: true })).toThrow(/alias|too large|aliases/i);
  });
});

describe('manifests validate', () => {
  it('checks loose files like kubeconform: exit 0 when valid, 1 with file:line on a typo', () => {
    const dir = tempDir();
    const good = write(dir, 'good.yaml', DEPLOYMENT);
    expect(run(['validate', '--only', 'schema', good]).status).toBe(0);
    const bad = write(
      dir,
      'bad.yaml',
      DEPLOYMENT.replace('      containers:', '      toleration: []\n      containers:'),
    );
    const r = run(['validate', '--only', 'schema', bad]);
    expect(r.status).toBe(1);
    expect(r.stdout).toContain('unknown field "toleration"');
    expect(r.stdout).toMatch(/^\s+13\s+error/m);
    expect(run(['validate', '--only', 'schema', '--no-strict', bad]).status).toBe(0);
  });

  it('reads standard input for -, and exits 2 for a missing file or an unknown rule', () => {
    expect(run(['validate', '--only', 'schema', '-'], { input: DEPLOYMENT }).status).toBe(0);
    const r = run(['validate', '--only', 'schema', '-'], {
      input: DEPLOYMENT.replace('apps/v1', 'apps/v9'),
    });
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/no schema for apps\/v9 Deployment/);
    expect(run(['validate', '/nonexistent/file.yaml']).status).toBe(2);
    expect(run(['validate', '--only', 'nonsense', '-'], { input: '' }).stderr).toMatch(
      /unknown rule "nonsense"/,
    );
  });

  it('accepts a document named by metadata.generateName (kubeconform fixture generate_name.yaml)', () => {
    // The API server's ValidateObjectMeta wants a name or a generateName; Argo CD hooks use the latter.
    const job = [
      'apiVersion: batch/v1',
      'kind: Job',
      'metadata:',
      '  generateName: pi-',
      '  namespace: batch',
      'spec:',
      '  template:',
      '    spec:',
      '      containers:',
      '        - name: pi',
      '          image: perl:5.40',
      '          command: [perl, -Mbignum=bpi, -wle, "print bpi(2000)"]',
      '      restartPolicy: Never',
      '  backoffLimit: 4',
      '',
    ].join('\n');
    const ok = run(['validate', '--format', 'json', '-'], { input: job });
    expect(ok.status, ok.stdout).toBe(0);
    const findings = JSON.parse(ok.stdout).findings as Finding[];
    expect(findings.filter((f) => f.severity === 'error')).toEqual([]);
    // Findings name it by its prefix.
    expect(findings.map((f) => f.resource)).toContain('Job/batch/pi-*');
    const neither = run(['validate', '--only', 'schema', '-'], {
      input: job.replace('  generateName: pi-\n', ''),
    });
    expect(neither.status).toBe(1);
    expect(neither.stdout).toMatch(/has no metadata\.name \(nor metadata\.generateName\)/);
  });

  it('rejects a kind with no schema unless allowed', () => {
    const text = 'apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\n';
    const r = run(['validate', '--only', 'schema', '-'], { input: text });
    expect(r.status).toBe(1);
    expect(r.stdout).toContain('Widget');
    expect(
      run(['validate', '--only', 'schema', '--allow-unknown-kinds', 'Widget', '-'], { input: text })
        .status,
    ).toBe(0);
  });

  it('catches a hand-broken file in release/prd/ with its line', () => {
    const dir = copyRepo();
    expect(run(['render', '--env', 'prd'], { root: dir }).status).toBe(0);
    expect(run(['validate', '--env', 'prd'], { root: dir }).status).toBe(0);
    const file = join(dir, 'release/prd/app/apps/deployment-orders.yaml');
    const text = readFileSync(file, 'utf8');
    writeFileSync(file, text.replace(/replicas: (\d+)/, 'replicas: three'));
    const r = run(['validate', '--env', 'prd', '--format', 'json'], { root: dir });
    expect(r.status).toBe(1);
    const report = JSON.parse(r.stdout) as { findings: Finding[] };
    const line = text.split('\n').findIndex((l) => l.startsWith('  replicas:')) + 1;
    expect(report.findings).toContainEqual(
      expect.objectContaining({
        ruleId: 'schema',
        severity: 'error',
        resource: 'Deployment/apps/orders',
        path: 'spec.replicas',
        location: { file: 'release/prd/app/apps/deployment-orders.yaml', line },
      }),
    );
  });
});

const NEWER_FIELDS = DEPLOYMENT.replace(
  '      containers:',
  '      resources:\n        limits: { cpu: "2" }\n      containers:',
).replace(
  '          image: registry.example/web:1.0.0\n',
  '          image: registry.example/web:1.0.0\n          lifecycle:\n            stopSignal: SIGUSR1\n',
);

describe('manifests validate --kubernetes-version', () => {
  it('1.31 rejects pod-level resources and lifecycle.stopSignal; 1.33 (and the default) accept them', () => {
    const dir = tempDir();
    const file = write(dir, 'x.yaml', NEWER_FIELDS);
    const r = run(['validate', '--kubernetes-version', '1.31', '--only', 'schema', file]);
    expect(r.status).toBe(1);
    expect(r.stdout).toContain(
      'spec.template.spec.resources is not in Kubernetes 1.31; it was added in 1.32',
    );
    expect(r.stdout).toContain(
      'spec.template.spec.containers[0].lifecycle.stopSignal is not in Kubernetes 1.31; it was added in 1.33',
    );
    expect(r.stdout).toContain('1 resources checked for Kubernetes 1.31: 2 error(s)');
    const ok = run(['validate', '--kubernetes-version', '1.33', '--only', 'schema', file]);
    expect(ok.status).toBe(0);
    expect(ok.stdout).toContain('for Kubernetes 1.33: 0 errors');
    expect(run(['validate', '--only', 'schema', file]).status).toBe(0);
  });

  it('an unsupported version is exit 2 with the supported ones, before reading any file', () => {
    const r = run(['validate', '--kubernetes-version', '1.35', '/nonexistent/file.yaml']);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(
      'error: unsupported --kubernetes-version "1.35"; supported versions: 1.29, 1.30, 1.31, 1.32, 1.33\n',
    );
  });

  it('--env uses the cluster declaration (prd: 1.31); the flag wins; an unsupported one is exit 2 at its line', () => {
    const dir = copyRepo();
    expect(run(['render', '--env', 'prd'], { root: dir }).status).toBe(0);
    const plain = run(['validate', '--env', 'prd'], { root: dir });
    expect(plain.status).toBe(0);
    expect(plain.stdout).toMatch(/resources checked for Kubernetes 1\.31: 0 errors/);
    const json = run(
      ['validate', '--env', 'prd', '--kubernetes-version', '1.32', '--format', 'json'],
      {
        root: dir,
      },
    );
    expect(JSON.parse(json.stdout).summary.kubernetesVersion).toBe('1.32');
    const globalFile = join(dir, 'values/shared/global.yaml');
    const text = readFileSync(globalFile, 'utf8');
    const lines = text.split('\n');
    const line = lines.findIndex((l) => l.includes("kubernetesVersion: '1.31'")) + 1;
    expect(line).toBeGreaterThan(0);
    writeFileSync(
      globalFile,
      text.replace("kubernetesVersion: '1.31'", "kubernetesVersion: '1.27'"),
    );
    const r = run(['validate', '--env', 'prd'], { root: dir });
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(
      `error: values/shared/global.yaml:${line}: global.clusters.prd.kubernetesVersion is "1.27", a Kubernetes version with no schemas here; supported versions: 1.29, 1.30, 1.31, 1.32, 1.33\n`,
    );
  });
});

describe('manifests validate <paths> without --env', () => {
  const SERVICE = `apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: shop
spec:
  selector:
    app: web
  ports:
    - port: 80
`;

  it("warns, not fails, when a Service's workload is not among the files given", () => {
    const dir = tempDir();
    const svc = write(dir, 'svc.yaml', SERVICE);
    const r = run(['validate', '--only', 'service-selector', svc]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/warning .*its workload is not among the files given/);
    const both = run([
      'validate',
      '--only',
      'service-selector',
      svc,
      write(dir, 'd.yaml', DEPLOYMENT),
    ]);
    expect(both.stdout).toContain('0 errors, 0 warning(s)');
  });

  it('the same Service in a whole plan (--env) is an error', () => {
    const dir = copyRepo();
    expect(run(['render', '--env', 'prd'], { root: dir }).status).toBe(0);
    write(
      dir,
      'release/prd/app/shop/service-lonely.yaml',
      SERVICE.replace('name: web', 'name: lonely'),
    );
    const r = run(['validate', '--env', 'prd', '--only', 'service-selector'], { root: dir });
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/error .*selector \{app: web\} matches no pod template/);
  });
});

describe('reports', () => {
  const findings: Finding[] = [
    {
      ruleId: 'schema',
      severity: 'error',
      resource: 'Deployment/shop/web',
      path: 'spec.replicas',
      message: 'expected integer, got "a,b: 100%"',
      location: { file: 'release/prd/app/shop/deployment-web.yaml', line: 9 },
    },
    {
      ruleId: 'schema',
      severity: 'warning',
      resource: 'values',
      path: 'global.clusters.prd.vpcs[0].cidr',
      message: 'only 2 <zones> & more',
      location: { file: 'values/shared/global.yaml', line: 40 },
    },
  ];
  const rules = RULES.filter((r) => r.id === 'schema');

  it('sarif 2.1.0 carries rules with descriptions and results at file and line', () => {
    const sarif = JSON.parse(formatFindings('sarif', findings, rules));
    expect(sarif.version).toBe('2.1.0');
    const run0 = sarif.runs[0];
    expect(run0.tool.driver.rules[0]).toMatchObject({
      id: 'schema',
      shortDescription: { text: rules[0].description },
    });
    expect(run0.results[1]).toMatchObject({
      ruleId: 'schema',
      level: 'warning',
      locations: [
        {
          physicalLocation: {
            artifactLocation: { uri: 'values/shared/global.yaml' },
            region: { startLine: 40 },
          },
        },
      ],
    });
  });

  it('github annotations escape properties and data', () => {
    const text = formatFindings('github', findings, rules);
    expect(text.split('\n')[0]).toBe(
      '::error file=release/prd/app/shop/deployment-web.yaml,line=9,title=schema%3A Deployment/shop/web spec.replicas::expected integer, got "a,b: 100%25"',
    );
    expect(text.split('\n')[1]).toMatch(/^::warning file=values\/shared\/global.yaml,line=40,/);
  });

  it('junit from the CLI has a test case per resource with its file, like kubeconform', () => {
    const dir = tempDir();
    write(dir, 'a-good.yaml', DEPLOYMENT);
    write(
      dir,
      'b-bad.yaml',
      DEPLOYMENT.replace('name: web', 'name: api')

        .replace('  selector:', '  replicas: two\n  selector:'),
    );
    const r = run(['validate', '--only', 'schema', '--format', 'junit', dir]);
    expect(r.status).toBe(1);
    expect(r.stdout).toContain('<testsuites name="manifests validate" tests="2" failures="1">');
    expect(r.stdout).toContain(
      `<testcase name="Deployment/shop/web" classname="Deployment@apps/v1" file="${join(dir, 'a-good.yaml')}"/>`,
    );
    expect(r.stdout).toMatch(
      /<testcase name="Deployment\/shop\/api" classname="Deployment@apps\/v1" file="[^"]*b-bad.yaml">\n\s+<failure message="schema spec.replicas: expected integer/,
    );
  });

  it('junit is well-formed enough to escape markup and counts failures', () => {
    const xml = formatFindings('junit', findings, rules);
    expect(xml).toContain('failures="1"');
    expect(xml).toContain('only 2 &lt;zones&gt; &amp; more');
    expect(xml).not.toContain('<zones>');
  });

  it('text groups by file and summarises', () => {
    const text = formatFindings('text', findings, rules, { colour: false, resources: 2 });
    expect(text).toContain(
      'release/prd/app/shop/deployment-web.yaml\n   9  error   expected integer',
    );
    expect(text.trimEnd().split('\n').pop()).toBe('2 resources checked: 1 error(s), 1 warning(s)');
  });
});
