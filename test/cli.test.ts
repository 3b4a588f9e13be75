import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readReleaseFolder } from '../generator/release/write.js';
import { REPO_ROOT, copyRepo, tempDir } from './helpers.js';
import { simpleProject } from './fixture.js';

const CLI = join(REPO_ROOT, 'dist/cli/main.js');

function run(root: string, args: string[], env: NodeJS.ProcessEnv = {}) {
  const r = spawnSync(process.execPath, [CLI, '--root', root, ...args], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH, ...env },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Every file under a folder with its bytes, to prove nothing changed. */
function snapshot(dir: string): Map<string, string> {
  return readReleaseFolder(dir);
}

function listAll(dir: string): string[] {
  return readdirSync(dir, { recursive: true }).map(String).sort();
}

describe('manifests render', () => {
  it('writes one file per resource, byte-identical on a second run', () => {
    const dir = simpleProject();
    expect(run(dir, ['render', '--env', 'prd']).status).toBe(0);
    const first = snapshot(join(dir, 'release/prd'));
    expect([...first.keys()].sort()).toEqual([
      'web/web/configmap-a.yaml',
      'web/web/configmap-b.yaml',
      'web/web/configmap-c.yaml',
      'web/web/secret-creds.yaml',
    ]);
    expect(first.get('web/web/configmap-b.yaml')).toBe(
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b\n  namespace: web\ndata:\n  replicas: "3"\n  value: changed\n',
    );
    expect(run(dir, ['render', '--env', 'prd']).status).toBe(0);
    expect(snapshot(join(dir, 'release/prd'))).toEqual(first);
  });

  it('removes files of resources that disappeared', () => {
    const dir = simpleProject();
    expect(run(dir, ['render', '--env', 'prd']).status).toBe(0);
    writeFileSync(join(dir, 'values/prd.yaml'), 'web:\n  replicas: 3\n');
    expect(run(dir, ['render', '--env', 'prd']).status).toBe(0);
    expect(existsSync(join(dir, 'release/prd/web/web/configmap-c.yaml'))).toBe(false);
    expect(existsSync(join(dir, 'release/prd/web/web/configmap-a.yaml'))).toBe(true);
    // No temporary folders are left beside the target.
    expect(readdirSync(join(dir, 'release'))).toEqual(['prd']);
  });

  it('swaps in a new folder, reusing the files whose bytes did not change', () => {
    const dir = simpleProject();
    expect(run(dir, ['render', '--env', 'prd']).status).toBe(0);
    const kept = join(dir, 'release/prd/web/web/configmap-a.yaml');
    const changed = join(dir, 'release/prd/web/web/configmap-b.yaml');
    const keptInode = statSync(kept).ino;
    const changedInode = statSync(changed).ino;
    writeFileSync(
      join(dir, 'values/prd.yaml'),
      'web:\n  replicas: 3\n  items:\n    - name: b\n      value: edited\n    - name: c\n      value: three\n',
    );
    expect(run(dir, ['render', '--env', 'prd']).status).toBe(0);
    expect(readFileSync(changed, 'utf8')).toContain('value: edited');
    expect(statSync(kept).ino).toBe(keptInode);
    expect(statSync(changed).ino).not.toBe(changedInode);
  });

  it('never writes a secret value, only a placeholder naming the variable', () => {
    const dir = simpleProject();
    const secret = 'Sup3r-S3cret-Value';
    const r = run(dir, ['render', '--env', 'prd'], { WEB_PASSWORD: secret });
    expect(r.status).toBe(0);
    const all = [...snapshot(join(dir, 'release/prd')).values()].join('\n');
    expect(all).not.toContain(secret);
    expect(all).not.toContain(Buffer.from(secret).toString('base64'));
    expect(all).toContain('pw=<<secret:WEB_PASSWORD>>');
    expect(r.stdout + r.stderr).not.toContain(secret);
  });

  it('keeps every secret of the repository out of release/, whatever the environment holds', () => {
    const dir = copyRepo();
    const secrets: Record<string, string> = {
      APP_DB_PASSWORD: 'app-Pa55word-value',
      SCALARDL_DB_PASSWORD: 'ledger-Pa55word-value',
      SCALARDL_AUDITOR_DB_PASSWORD: 'auditor-Pa55word-value',
      ARGOCD_ECR_PASSWORD: 'eyJwYXlsb2FkIjoiZWNyLXRva2VuIn0=',
      SCALARDL_LEDGER_LICENSE_KEY: 'ledger-licence-Pa55word-value',
      SCALARDL_AUDITOR_LICENSE_KEY: 'auditor-licence-Pa55word-value',
    };
    for (const env of ['dev', 'prd']) {
      const r = run(dir, ['render', '--env', env], secrets);
      expect(r.status).toBe(0);
      expect(r.stdout + r.stderr).not.toMatch(/Pa55word|ZWNyLXRva2Vu/);
    }
    const texts = [
      ...snapshot(join(dir, 'release/prd')).values(),
      ...snapshot(join(dir, 'release/dev')).values(),
    ].join('\n');
    for (const value of Object.values(secrets)) {
      expect(texts).not.toContain(value);
      expect(texts).not.toContain(Buffer.from(value).toString('base64'));
    }
    for (const name of Object.keys(secrets)) expect(texts).toContain(`<<secret:${name}>>`);
  });

  it('keeps a resource named ../../x inside release/<env>/', () => {
    const dir = simpleProject({
      files: {
        'values/prd.yaml': 'web:\n  items:\n    - name: ../../x\n    - name: /etc/passwd\n',
      },
    });
    // The API server would reject these names (api-metadata reports them); here only the paths matter.
    expect(run(dir, ['render', '--env', 'prd', '--no-validate']).status).toBe(0);
    expect(
      listAll(dir).filter(
        (p) => p.endsWith('.yaml') && !p.startsWith('charts') && !p.startsWith('values'),
      ),
    ).toEqual([
      'release/prd/web/web/configmap-a.yaml',
      'release/prd/web/web/configmap-b.yaml',
      'release/prd/web/web/configmap-etc-passwd.yaml',
      'release/prd/web/web/configmap-x.yaml',
      'release/prd/web/web/secret-creds.yaml',
    ]);
  });

  const badInputs: [string, Record<string, string>, RegExp][] = [
    [
      'a YAML syntax error',
      { 'values/prd.yaml': 'web:\n  replicas: [3\n' },
      /^error: values\/prd\.yaml:\d+: YAML error/,
    ],
    [
      'a values file that is not a map',
      { 'values/prd.yaml': '- 1\n' },
      /^error: values\/prd\.yaml:1: a values file must hold a map/,
    ],
    [
      'a value of the wrong type',
      { 'values/prd.yaml': 'web:\n  replicas: "3"\n' },
      /^error: values\/prd\.yaml:2: invalid value web\.replicas: must be integer/,
    ],
    [
      'a template syntax error',
      { 'charts/web/templates/items.hbs': 'a: 1\n{{#each values.items}}\nb: 2\n' },
      /^error: charts\/web\/templates\/items\.hbs:\d+: template syntax error: Expecting/,
    ],
    [
      'a template reading an undefined value',
      {
        'charts/web/templates/items.hbs':
          'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{values.nope.deeper}}\n',
      },
      /^error: charts\/web\/templates\/items\.hbs:4: template reads a value that is not defined/,
    ],
    [
      'a document without kind',
      { 'charts/web/templates/items.hbs': 'apiVersion: v1\nmetadata:\n  name: x\n' },
      /^error: charts\/web\/templates\/items\.hbs: rendered document 1 has no kind/,
    ],
    [
      'invalid rendered YAML',
      {
        'charts/web/templates/items.hbs':
          'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: [x\n',
      },
      /^error: charts\/web\/templates\/items\.hbs: template rendered invalid YAML \(rendered line \d+/,
    ],
    [
      'a duplicate resource',
      {
        'values/prd.yaml': 'web:\n  items:\n    - name: creds\n',
        'charts/web/templates/dup.hbs':
          'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  namespace: web\n',
      },
      /^error: charts\/web\/templates\/items\.hbs: duplicate resource ConfigMap\/web\/a \(also rendered by charts\/web\/templates\/dup\.hbs\)/,
    ],
    [
      'two names that clean to the same file',
      { 'values/prd.yaml': 'web:\n  items:\n    - name: Foo\n    - name: foo\n' },
      /map to the same release file web\/web\/configmap-foo\.yaml/,
    ],
    [
      'a required helper without its value',
      {
        'charts/web/templates/items.hbs':
          'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n  a: {{required "web.missing is needed" values.missing}}\n',
      },
      /^error: charts\/web\/templates\/items\.hbs:6: required value missing: web\.missing is needed/,
    ],
    [
      'a rendered document with only a generateName',
      {
        'charts/web/templates/items.hbs':
          'apiVersion: batch/v1\nkind: Job\nmetadata:\n  generateName: migrate-\nspec: {}\n',
      },
      /^error: charts\/web\/templates\/items\.hbs: rendered document 1 \(Job, generateName "migrate-"\) has no metadata\.name: a rendered resource needs a name, because its release file is named after it/,
    ],
    [
      'an alias bomb in values',
      {
        'values/prd.yaml':
          'a0: &a0 [x,x,x,x,x,x,x,x,x,x]\n' +
          Array.from(
            { length: 9 },
            (_, i) => `a${i + 1}: &a${i + 1} [${Array(10).fill(`*a${i}`).join(',')}]`,
          ).join('\n') +
          '\n',
      },
      /alias bomb/,
    ],
  ];

  for (const [what, files, message] of badInputs) {
    it(`exits 2 with a one-line error and leaves the release untouched on ${what}`, () => {
      const dir = simpleProject();
      expect(run(dir, ['render', '--env', 'prd']).status).toBe(0);
      const before = snapshot(join(dir, 'release/prd'));
      expect(before.size).toBeGreaterThan(0);
      const files2 = Object.fromEntries(Object.entries(files));
      for (const [rel, text] of Object.entries(files2)) writeFileSync(join(dir, rel), text);
      const r = run(dir, ['render', '--env', 'prd']);
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace without --debug
      expect(snapshot(join(dir, 'release/prd'))).toEqual(before);
      expect(readdirSync(join(dir, 'release'))).toEqual(['prd']);
    });
  }

  it('exits 2 on an unknown environment, a missing project and bad usage', () => {
    const dir = simpleProject();
    const r = run(dir, ['render', '--env', 'staging']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/unknown environment "staging" \(known: dev, prd\)/);
    expect(run(tempDir(), ['render', '--env', 'prd']).stderr).toMatch(/not a manifests project/);
    expect(run(dir, ['render']).status).toBe(2);
    expect(run(dir, ['frobnicate']).status).toBe(2);
  });

  it('lists every missing secret variable in publish mode (real secrets)', async () => {
    const { renderEnvironment } = await import('../generator/pipeline.js');
    const dir = simpleProject({
      files: {
        'values/secrets.yaml':
          'secrets:\n  - {path: web.password, env: WEB_PASSWORD}\n  - {path: web.namespace, env: WEB_NAMESPACE}\n',
      },
    });
    expect(() => renderEnvironment(dir, 'prd', { secretMode: 'real', environ: {} })).toThrow(
      /missing secret environment variables: WEB_PASSWORD, WEB_NAMESPACE/,
    );
  });
});

describe('manifests check', () => {
  it('passes on a fresh render and fails (exit 1) after a hand edit, listing the file', () => {
    const dir = simpleProject();
    expect(run(dir, ['render', '--env', 'prd']).status).toBe(0);
    expect(run(dir, ['check', '--env', 'prd']).status).toBe(0);
    const file = join(dir, 'release/prd/web/web/configmap-a.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('one', 'edited'));
    const r = run(dir, ['check', '--env', 'prd']);
    expect(r.status).toBe(1);
    expect(r.stdout).toContain('changed   release/prd/web/web/configmap-a.yaml');
    writeFileSync(join(dir, 'release/prd/web/web/extra.yaml'), 'x: 1\n');
    expect(run(dir, ['check', '--env', 'prd']).stdout).toContain(
      'unexpected release/prd/web/web/extra.yaml',
    );
  });

  it("passes on the repository's committed prd plan", () => {
    const dir = copyRepo();
    expect(run(dir, ['render', '--env', 'prd']).status).toBe(0);
    const r = run(REPO_ROOT, ['check', '--env', 'prd']);
    expect(r.stdout).toMatch(/matches a fresh render/);
    expect(r.status).toBe(0);
  });
});

describe('manifests explain', () => {
  it('names the layer, file and line that set a value and what it overrode', () => {
    const dir = simpleProject();
    const r = run(dir, ['explain', '--env', 'prd', 'web.items[1].value']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('value: changed');
    expect(r.stdout).toContain('set by: values/prd.yaml:5');
    expect(r.stdout).toContain('overrides: values/shared.yaml:6');
  });

  it('names the variable of a secret, never its value', () => {
    const dir = simpleProject();
    const r = run(dir, ['explain', '--env', 'prd', 'web.password'], {
      WEB_PASSWORD: 'hunter2-secret',
    });
    expect(r.stdout).toContain('environment variable WEB_PASSWORD');
    expect(r.stdout + r.stderr).not.toContain('hunter2-secret');
    expect(run(dir, ['explain', '--env', 'prd', 'web']).stdout).not.toContain('hunter2');
  });

  it('exits 2 for a path that is not set', () => {
    const r = run(simpleProject(), ['explain', '--env', 'prd', 'web.nope']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/value web\.nope is not set for environment prd/);
  });
});
