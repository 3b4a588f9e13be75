import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { cli, edit, git, projectRepo } from '../test/git-helpers.js';

/** A repository with two commits: the plan, then a values change and its re-rendered plan. */
function twoCommits(): string {
  const dir = projectRepo();
  edit(
    dir,
    'values/prd/app.yaml',
    '    - name: orders\n      replicas: 3',
    '    - name: orders\n      replicas: 5',
  );
  edit(dir, 'values/prd/mxtransporter.yaml', / {4}- name: customers\n[^]*$/, '');
  expect(cli(dir, ['render', '--env', 'prd', '--no-validate']).status).toBe(0);
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', 'Scale orders, stop exporting customers');
  return dir;
}

describe('manifests plan against a real git repository', () => {
  let repo: string;
  let top: string;
  beforeAll(() => {
    repo = twoCommits();
    top = git(repo, 'rev-parse', 'HEAD');
  });
  // Each test starts from the two commits, with a clean working tree.
  beforeEach(() => {
    git(repo, 'reset', '-q', '--hard', top);
    git(repo, 'clean', '-qfdx');
  });
  it('reviews the last change with --base HEAD~1 --format markdown', () => {
    const dir = repo;
    const r = cli(dir, ['plan', '--env', 'prd', '--base', 'HEAD~1', '--format', 'markdown']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toBe('<!-- manifests-plan:prd -->');
    expect(lines[1]).toBe('### Plan for `prd`: 0 to add, 1 to change, 0 to replace, 3 to destroy');
    expect(r.stdout).toContain(`\`HEAD~1 (${git(dir, 'rev-parse', 'HEAD~1').slice(0, 7)})\``);
    expect(r.stdout).toContain('| ~ change | `Deployment/apps/orders` | `spec.replicas` |  |');
    expect(r.stdout).toContain('# spec.replicas\n- 3\n+ 5');
    for (const id of ['HorizontalPodAutoscaler', 'Service', 'StatefulSet'])
      expect(r.stdout).toContain(`| - destroy | \`${id}/mxtransporter/mxt-customers\``);
    expect(r.stdout).toMatch(
      /\*\*data-loss\*\* `StatefulSet\/mxtransporter\/mxt-customers` \(destroy\): .*MxTransporter resume token of shop\.customers/,
    );
  });

  it('compares the working tree with HEAD by default: nothing, then an uncommitted values edit', () => {
    const dir = repo;
    const clean = cli(dir, ['plan', '--env', 'prd']);
    expect(clean.status).toBe(0);
    expect(clean.stdout).toMatch(
      /^Plan for prd against HEAD \([0-9a-f]{7}\): 0 to add, 0 to change, 0 to replace, 0 to destroy \(\d+ unchanged\)/,
    );
    edit(dir, 'values/prd/app.yaml', 'replicas: 5', 'replicas: 0');
    const text = cli(dir, ['plan', '--env', 'prd']);
    expect(text.stdout).toContain(
      '  ~ Deployment/apps/orders  release/prd/app/apps/deployment-orders.yaml',
    );
    expect(text.stdout).toContain('      spec.replicas: 5 -> 0');
    expect(text.stdout).toContain(
      '! scale-to-zero Deployment/apps/orders: replicas goes from 5 to 0',
    );
    const json = JSON.parse(cli(dir, ['plan', '--env', 'prd', '--format', 'json']).stdout);
    expect(json.summary).toEqual({
      add: 0,
      change: 1,
      replace: 0,
      destroy: 0,
      unchanged: expect.any(Number),
    });
    expect(json.resources).toEqual([
      {
        id: 'Deployment/apps/orders',
        apiVersion: 'apps/v1',
        chart: 'app',
        file: 'release/prd/app/apps/deployment-orders.yaml',
        action: 'change',
        risks: [
          {
            code: 'scale-to-zero',
            reason: 'replicas goes from 5 to 0: every pod of Deployment/apps/orders stops',
          },
        ],
        changes: [{ path: 'spec.replicas', old: 5, new: 0 }],
      },
    ]);
    // planFailOn decides whether a risk fails the plan.
    writeFileSync(join(dir, 'validation.yaml'), 'planFailOn: [scale-to-zero]\n');
    expect(cli(dir, ['plan', '--env', 'prd']).status).toBe(1);
    writeFileSync(join(dir, 'validation.yaml'), 'planFailOn: [data-loss]\n');
    expect(cli(dir, ['plan', '--env', 'prd']).status).toBe(0);
  });

  it('ignores the fields validation.yaml lists', () => {
    const dir = repo;
    edit(dir, 'values/prd/app.yaml', 'replicas: 5', 'replicas: 6');
    writeFileSync(
      join(dir, 'validation.yaml'),
      'planIgnore:\n  - kind: Deployment\n    path: spec.replicas\n',
    );
    const r = cli(dir, ['plan', '--env', 'prd', '--format', 'json']);
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout).resources).toEqual([]);
  });

  it('bad input exits 2 naming the ref or the file and line', () => {
    const dir = repo;
    const unknown = cli(dir, ['plan', '--env', 'prd', '--base', 'no-such-branch']);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toBe(
      'error: unknown git ref "no-such-branch": no commit by that name in this repository (fetch it first?)\n',
    );
    // A render that fails stops the base read too (the command returns at once).
    writeFileSync(join(dir, 'values/prd/zz.yaml'), 'app: [broken\n');
    const values = cli(dir, ['plan', '--env', 'prd']);
    expect(values.status).toBe(2);
    expect(values.stderr).toBe('error: values/prd/zz.yaml:2: YAML error: deficient indentation\n');
    rmSync(join(dir, 'values/prd/zz.yaml'));
    writeFileSync(
      join(dir, 'validation.yaml'),
      'skip: []\nplanIgnore:\n  - path: spec.template[\n',
    );
    const bad = cli(dir, ['plan', '--env', 'prd']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toBe(
      'error: validation.yaml:3: bad planIgnore path "spec.template[": unclosed "[" at 14\n',
    );
    writeFileSync(join(dir, 'validation.yaml'), 'planFailOn: [data-loss, oops]\n');
    expect(cli(dir, ['plan', '--env', 'prd']).stderr).toMatch(
      /^error: validation\.yaml:1: unknown risk code "oops" in planFailOn/,
    );
    writeFileSync(join(dir, 'validation.yaml'), 'planIgnore:\n  - path: a\n    kinds: [X]\n');
    expect(cli(dir, ['plan', '--env', 'prd']).stderr).toBe(
      'error: validation.yaml:3: unknown key "kinds" in planIgnore (keys: kind, path)\n',
    );
  });

  it('a broken committed file at the base is bad input naming it', () => {
    const dir = repo;
    writeFileSync(join(dir, 'release/prd/app/apps/service-orders.yaml'), 'kind: [unclosed\n');
    git(dir, 'commit', '-q', '-am', 'break a plan file');
    const r = cli(dir, ['plan', '--env', 'prd']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(
      /^error: HEAD:release\/prd\/app\/apps\/service-orders\.yaml:2: YAML error: /,
    );
  });
});
