import { spawn, spawnSync } from 'node:child_process';
import {
  appendFileSync,
  chmodSync,
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { copyRepo, REPO_ROOT } from './helpers.js';

const CLI = join(REPO_ROOT, 'dist/cli/main.js');
const LEAKED = 'N0t-a-real-pw-7731';

function run(dir: string, args: string[], env: Record<string, string> = {}) {
  return spawnSync(process.execPath, [CLI, '--root', dir, ...args], {
    encoding: 'utf8',
    env: { ...process.env, ...env, NO_COLOR: '1' },
  });
}

/** Every file under a folder with its bytes, links shown as `-> target`. */
function snapshot(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  if (!existsSync(dir)) return out;
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const full = join(d, e.name);
      const rel = full.slice(dir.length + 1);
      if (e.isDirectory()) walk(full);
      else if (e.isSymbolicLink()) out.set(rel, '-> link');
      else
        out.set(rel, `${(lstatSync(full).mode & 0o777).toString(8)} ${readFileSync(full, 'utf8')}`);
    }
  };
  walk(dir);
  return out;
}

/** A copy of the repository with its committed prd plan. */
function repoWithPlan(): string {
  const dir = copyRepo();
  cpSync(join(REPO_ROOT, 'release/prd'), join(dir, 'release/prd'), { recursive: true });
  return dir;
}

/** Copies the secret's value into an ordinary env var of a service (the leak of issue 9). */
function leakIntoService(dir: string): void {
  const file = join(dir, 'values/prd/app.yaml');
  const text = readFileSync(file, 'utf8').replace(
    '    - name: orders\n      replicas: 3\n',
    `    - name: orders\n      replicas: 3\n      env:\n        - { name: DEBUG_COPY, value: "${LEAKED}" }\n`,
  );
  expect(text).toContain(LEAKED);
  writeFileSync(file, text);
}

describe('a secret never reaches release/', () => {
  it('render writes nothing when a set secret would be committed, and names only the variable', () => {
    for (const skip of [false, true]) {
      const dir = repoWithPlan();
      leakIntoService(dir);
      if (skip) writeFileSync(join(dir, 'validation.yaml'), 'skip: [secret-leak]\n');
      const before = snapshot(join(dir, 'release'));
      const r = run(dir, ['render', '--env', 'prd'], { APP_DB_PASSWORD: LEAKED });
      expect(r.status, r.stderr).toBe(1);
      expect(r.stdout).toContain(
        'the value of secret variable APP_DB_PASSWORD appears in the plan',
      );
      expect(r.stdout).toMatch(/release\/prd\/app\/apps\/configmap-[^:]+\.yaml:\d+ \(plain\)/);
      expect(r.stdout).toContain('release/prd/ was not written');
      if (skip) expect(r.stdout).toContain('skipped: secret-leak (validation.yaml)');
      expect(r.stdout + r.stderr).not.toContain(LEAKED);
      expect(snapshot(join(dir, 'release'))).toEqual(before);
      const grep = spawnSync('grep', ['-rl', LEAKED, join(dir, 'release')], { encoding: 'utf8' });
      expect(grep.stdout).toBe('');
    }
  });

  it('validate --skip secret-leak may leave the report out, and says what was skipped', () => {
    const dir = repoWithPlan();
    writeFileSync(join(dir, 'validation.yaml'), 'skip: [resources]\n');
    for (const format of ['text', 'json', 'junit', 'sarif', 'github']) {
      const r = run(dir, ['validate', '--env', 'prd', '--format', format]);
      expect(r.status, `${format}: ${r.stderr}`).toBe(0);
      expect(r.stdout, format).toMatch(/skipped|resources/);
      expect(r.stdout, format).toContain('resources');
    }
    const json = JSON.parse(run(dir, ['validate', '--env', 'prd', '--format', 'json']).stdout);
    expect(json.skipped).toEqual(['resources']);
  });
});

describe('release/ integrity', () => {
  it('a link or a non-regular file under release/prd/ is drift for check and removed by render', () => {
    const dir = repoWithPlan();
    symlinkSync('/etc/passwd', join(dir, 'release/prd/app/apps/evil.yaml'));
    const check = run(dir, ['check', '--env', 'prd']);
    expect(check.status).toBe(1);
    expect(check.stdout).toContain('not a regular file (a link?) release/prd/app/apps/evil.yaml');
    const render = run(dir, ['render', '--env', 'prd']);
    expect(render.status, render.stderr).toBe(0);
    expect(render.stdout).toContain('1 links or special files removed');
    expect(existsSync(join(dir, 'release/prd/app/apps/evil.yaml'))).toBe(false);
    expect(readFileSync('/etc/passwd', 'utf8').length).toBeGreaterThan(0);
    expect(run(dir, ['check', '--env', 'prd']).status).toBe(0);
  });

  it('a plan file made executable is drift; render writes 0644', () => {
    const dir = repoWithPlan();
    const target = join(dir, 'release/prd/app/apps/configmap-orders-config.yaml');
    chmodSync(target, 0o755);
    const check = run(dir, ['check', '--env', 'prd']);
    expect(check.status).toBe(1);
    expect(check.stdout).toContain('mode is not 0644');
    expect(run(dir, ['render', '--env', 'prd']).status).toBe(0);
    expect(lstatSync(target).mode & 0o777).toBe(0o644);
    expect(run(dir, ['check', '--env', 'prd']).status).toBe(0);
  });

  it('the next render removes the temporary folders of killed renders, and only those', () => {
    const dir = repoWithPlan();
    // A dead writer's folders (pid 2^22 + 1 is above Linux's pid_max default) and a live one's.
    const dead = 4194305;
    mkdirSync(join(dir, `release/.prd.tmp-${dead}-1`), { recursive: true });
    writeFileSync(join(dir, `release/.prd.tmp-${dead}-1/x.yaml`), 'x');
    mkdirSync(join(dir, `release/.prd.old-${dead}-2`));
    mkdirSync(join(dir, `release/.prd.tmp-${process.pid}-3`));
    mkdirSync(join(dir, 'release/.dev.tmp-4194305-1'));
    appendFileSync(join(dir, 'values/prd/app.yaml'), '\n');
    expect(run(dir, ['render', '--env', 'prd']).status).toBe(0);
    expect(readdirSync(join(dir, 'release')).sort()).toEqual([
      '.dev.tmp-4194305-1',
      `.prd.tmp-${process.pid}-3`,
      'prd',
    ]);
  });

  it('a render killed at any point leaves the old or the new plan in full, and no stray folder after the next', async () => {
    const dir = repoWithPlan();
    // A large plan makes the write take long enough to be killed in the middle.
    const extra = Array.from(
      { length: 400 },
      (_, i) =>
        `    - name: c${i}\n      database: shop\n      collection: c${i}\n      exportDestinations: [kinesisStream]\n      kinesisStream:\n        streamName: shop-prd-orders-changes\n`,
    ).join('');
    const mxt = join(dir, 'values/prd/mxtransporter.yaml');
    const original = readFileSync(mxt, 'utf8');
    expect(original).toMatch(/ {2}collections:\n/);
    const oldPlan = snapshot(join(dir, 'release/prd'));
    writeFileSync(mxt, original.replace(/ {2}collections:\n/, `  collections:\n${extra}`));
    // The new plan in full, rendered in another copy with the same values.
    const other = repoWithPlan();
    cpSync(join(dir, 'values'), join(other, 'values'), { recursive: true });
    expect(run(other, ['render', '--env', 'prd']).status).toBeLessThanOrEqual(1);
    const newPlan = snapshot(join(other, 'release/prd'));
    expect(newPlan.size).toBeGreaterThan(oldPlan.size + 1000);
    for (const delay of [150, 400, 700, 1000, 1400]) {
      const child = spawn(process.execPath, [CLI, '--root', dir, 'render', '--env', 'prd'], {
        stdio: 'ignore',
      });
      // listen at once: a render that finishes before the kill has exited by then
      const exited = new Promise((r) => child.on('exit', r));
      await new Promise((r) => setTimeout(r, delay));
      child.kill('SIGKILL');
      await exited;
      const now = snapshot(join(dir, 'release/prd'));
      if (now.size === 0) {
        // Killed between the two renames: the previous plan waits in full in its .old folder.
        const old = readdirSync(join(dir, 'release')).find((e) => e.startsWith('.prd.old-'));
        expect(old, 'the previous plan is kept').toBeDefined();
        expect(snapshot(join(dir, 'release', old!))).toEqual(oldPlan);
      } else {
        expect([oldPlan, newPlan]).toContainEqual(now);
      }
    }
    const r = run(dir, ['render', '--env', 'prd']);
    expect(r.status, r.stderr + r.stdout).toBeLessThanOrEqual(1);
    expect(readdirSync(join(dir, 'release'))).toEqual(['prd']);
    expect(run(dir, ['check', '--env', 'prd']).status).toBe(0);
  }, 120_000);

  it('two renders of one environment at once: one waits for the other, no ENOENT or EEXIST', async () => {
    const dir = repoWithPlan();
    appendFileSync(join(dir, 'values/prd/app.yaml'), '\n');
    const runAsync = (args: string[]) =>
      new Promise<{ code: number | null; out: string }>((resolve) => {
        const child = spawn(process.execPath, [CLI, '--root', dir, ...args], { env: process.env });
        let out = '';
        child.stdout.on('data', (d) => (out += d));
        child.stderr.on('data', (d) => (out += d));
        child.on('exit', (code) => resolve({ code, out }));
      });
    const results = await Promise.all([1, 2, 3].map(() => runAsync(['render', '--env', 'prd'])));
    for (const r of results) {
      expect(r.code, r.out).toBe(0);
      expect(r.out).not.toMatch(/ENOENT|EEXIST/);
    }
    expect(readdirSync(join(dir, 'release'))).toEqual(['prd']);
    expect(run(dir, ['check', '--env', 'prd']).status).toBe(0);
  }, 60_000);
});

/** A repository copy with one extra template in the app chart. */
function withTemplate(text: string): string {
  const dir = repoWithPlan();
  writeFileSync(join(dir, 'charts/app/templates/zz-extra.hbs'), text);
  return dir;
}

const configMapTemplate = (data: string) =>
  `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: extra\n  namespace: apps\ndata:\n  big: "${data}"\n`;

describe('templates: size limits and strict access', () => {
  it('refuses a ConfigMap over 1 MiB and a template output over 32 MiB, naming the template (exit 2)', () => {
    for (const [body, message] of [
      [
        '{{indent 1100000 "x"}}',
        /ConfigMap\/apps\/extra: ConfigMap data holds \d+ bytes; the API server accepts at most 1048576/,
      ],
      ['{{indent 100000000 "x"}}', /template output is \d+ characters, over the 33554432/],
    ] as const) {
      const dir = withTemplate(configMapTemplate(body));
      const before = snapshot(join(dir, 'release'));
      const r = run(dir, ['render', '--env', 'prd']);
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(/^error: charts\/app\/templates\/zz-extra\.hbs(:\d+)?: /);
      expect(r.stderr).toMatch(message);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(snapshot(join(dir, 'release'))).toEqual(before);
    }
  });

  it('makes lookup, #each and prototype paths strict, with file and line', () => {
    const cases: [string, RegExp][] = [
      [
        '{{lookup values "nosuchkey"}}',
        /zz-extra\.hbs:7: template reads a value that is not defined: lookup of "nosuchkey"/,
      ],
      [
        '{{#each values.nosuchlist}}x{{/each}}',
        /zz-extra\.hbs:7: template iterates a value that is not defined/,
      ],
      [
        '{{values.__proto__}}',
        /zz-extra\.hbs:7: template reads "values.__proto__": "__proto__" is not a value/,
      ],
      ['{{values.constructor.name}}', /zz-extra\.hbs:7: template reads "values.constructor.name"/],
    ];
    for (const [body, message] of cases) {
      const r = run(withTemplate(configMapTemplate(body)), ['render', '--env', 'prd']);
      expect(r.status, body).toBe(2);
      expect(r.stderr, body).toMatch(message);
    }
    // get and optional say a value may be absent.
    const ok = run(
      withTemplate(
        configMapTemplate(
          '{{get values "nosuchkey"}}{{#each (optional values.nosuchlist)}}x{{/each}}',
        ),
      ),
      ['render', '--env', 'prd'],
    );
    expect(ok.status, ok.stderr).toBe(0);
  });
});

describe('CLI edge cases', () => {
  it('rejects selections that run nothing and empty standard input (exit 2)', () => {
    const dir = repoWithPlan();
    for (const args of [
      ['--only', ''],
      ['--only', 'schema', '--skip', 'schema'],
      ['--only', 'no-such-rule'],
    ]) {
      const r = run(dir, ['validate', '--env', 'prd', ...args]);
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(
        /^error: (--only names no rule|this selection runs no rule|unknown rule "no-such-rule")/,
      );
    }
    const empty = spawnSync(process.execPath, [CLI, 'validate', '-'], {
      input: '',
      encoding: 'utf8',
    });
    expect(empty.status).toBe(2);
    expect(empty.stderr).toContain('no input');
  });

  it('skips a FIFO instead of blocking on it, and says so', () => {
    const dir = repoWithPlan();
    const fifo = join(dir, 'pipe.yaml');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    const file = join(dir, 'ok.yaml');
    writeFileSync(file, 'apiVersion: v1\nkind: Namespace\nmetadata: {name: ok}\n');
    for (const paths of [[fifo, file], [dir + '/']]) {
      const r = spawnSync(process.execPath, [CLI, 'validate', '--only', 'schema', ...paths], {
        encoding: 'utf8',
        timeout: 20_000,
      });
      expect(r.error, 'validate returns').toBeUndefined();
      expect(r.stderr).toContain(`note: skipped ${fifo}: not a regular file`);
    }
  });

  it('escapes control characters of the input in the text report', () => {
    const dir = repoWithPlan();
    const file = join(dir, 'x.yaml');
    writeFileSync(
      file,
      'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x, namespace: a}\nnotAField: 1\n"bad\\n::error::forged": 2\n',
    );
    const r = run(dir, ['validate', file]);
    expect(r.stdout).toContain('\\n::error::forged');
    expect(r.stdout.split('\n').some((l) => l.startsWith('::error'))).toBe(false);
  });

  it('blames the layer that set null, and explain takes own keys only', () => {
    const dir = repoWithPlan();
    writeFileSync(join(dir, 'values/prd/zz.yaml'), '# removes istio\nistio: null\n');
    const r = run(dir, ['render', '--env', 'prd']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^error: values\/prd\/zz\.yaml:2: missing required value istio\./);
    for (const path of ['app.constructor', 'app.services.length', 'app.__proto__']) {
      const e = run(REPO_ROOT, ['explain', '--env', 'prd', path]);
      expect(e.status, path).toBe(2);
      expect(e.stderr).toContain(`value ${path} is not set for environment prd`);
    }
  });
});

describe('file modes', () => {
  it('writes every plan file 0644 whatever the umask (files written, not only linked)', () => {
    for (const umask of ['077', '000', '022']) {
      const dir = copyRepo();
      const r = spawnSync(
        '/bin/sh',
        [
          '-c',
          `umask ${umask} && exec "$0" "$@"`,
          process.execPath,
          CLI,
          '--root',
          dir,
          'render',
          '--env',
          'prd',
        ],
        { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } },
      );
      expect(r.status, r.stderr).toBe(0);
      const modes = new Set(
        [...snapshot(join(dir, 'release/prd')).values()].map((v) => v.split(' ')[0]),
      );
      expect([...modes], `umask ${umask}`).toEqual(['644']);
    }
  });
});
