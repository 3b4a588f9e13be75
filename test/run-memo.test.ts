import { cpSync, existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { renderEnvironment } from '../generator/pipeline.js';
import { CACHE_DIR } from '../generator/project.js';
import { renderValidateAndWrite } from '../validators/release-guard.js';
import { RULES } from '../validators/rules/index.js';
import { runMemoKey } from '../validators/run-memo.js';
import { ruleContext } from '../validators/testing/helpers.js';
import type { Finding } from '../validators/types.js';
import { runValidation } from '../validators/run.js';
import { contextOfRender, validateCommand, validateRendered } from '../validators/validate.js';
import { copyRepo, tempDir } from './helpers.js';

/**
 * The run memo (validators/run-memo.ts): the findings of a whole run, served to a run with exactly
 * the same inputs. A forged finding stored under the real key shows when a run is served from the
 * memo; each input changed on its own must make the run check everything again and report what an
 * uncached run reports.
 */

const memoFile = (dir: string) => join(dir, CACHE_DIR, 'validate', 'prd.run.json');

const FORGED: Finding = {
  ruleId: 'schema',
  severity: 'warning',
  resource: 'ConfigMap/forged/forged',
  path: 'data',
  message: 'forged: served from the run memo',
  location: { file: 'release/prd/forged.yaml', line: 1 },
};

const forged = (fs: Finding[]) => fs.some((f) => f.message === FORGED.message);
const plain = (fs: Finding[]) => fs.map((f) => ({ ...f }));

describe('run memo', () => {
  let base: string;
  beforeAll(async () => {
    base = copyRepo();
    const r = await renderValidateAndWrite(base, 'prd', { environ: {}, cache: true });
    expect(r.written).toBeDefined();
    // a forged finding under the key render stored
    const data = JSON.parse(readFileSync(memoFile(base), 'utf8')) as { findings: Finding[] };
    data.findings.push(FORGED);
    writeFileSync(memoFile(base), JSON.stringify(data));
  }, 60_000);

  /** A copy of the rendered project with the forged memo. */
  function copy(): string {
    const dir = tempDir();
    cpSync(base, dir, { recursive: true });
    return dir;
  }

  const validate = (
    dir: string,
    cache: boolean,
    extra: Partial<Parameters<typeof validateCommand>[0]> = {},
  ) => validateCommand({ root: dir, env: 'prd', environ: {}, cache, ...extra }).findings;

  it('serves validate --env after the render that validated the same plan', () => {
    const dir = copy();
    expect(forged(validate(dir, true))).toBe(true);
    // and never a run without the cache
    expect(forged(validate(dir, false))).toBe(false);
  });

  it('serves a render in which nothing changed', () => {
    const dir = copy();
    const r = renderEnvironment(dir, 'prd', { environ: {}, cache: true });
    const v = validateRendered(r.project, r.loaded, r.release.manifests, r.release.files, 'prd', {
      cache: true,
    });
    expect(forged(v.findings)).toBe(true);
  });

  const replace = (dir: string, file: string, from: string, to: string) => {
    const text = readFileSync(join(dir, file), 'utf8');
    expect(text).toContain(from);
    writeFileSync(join(dir, file), text.replace(from, to));
  };
  const prepend = (dir: string, file: string, text: string) =>
    writeFileSync(join(dir, file), text + readFileSync(join(dir, file), 'utf8'));
  const planFile = (dir: string) =>
    readdirSync(join(dir, 'release/prd'), { recursive: true, encoding: 'utf8' })
      .filter((p) => p.endsWith('.yaml'))
      .map((p) => join(dir, 'release/prd', p))
      .find((p) => /containerPort: \d+/.test(readFileSync(p, 'utf8')))!;
  const firstSecretVariable = (dir: string) =>
    (
      load(readFileSync(join(dir, 'values/secrets.yaml'), 'utf8')) as {
        secrets: { env: string }[];
      }
    ).secrets[0].env;

  const changes: [
    string,
    (dir: string) => Partial<Parameters<typeof validateCommand>[0]> | void,
  ][] = [
    // the same values, each at another line: values-level findings would point elsewhere
    ['a values file’s text', (dir) => prepend(dir, 'values/prd/app.yaml', '# moved\n')],
    ['a chart value', (dir) => replace(dir, 'values/prd/app.yaml', 'replicas: 3', 'replicas: 1')],
    [
      'the cluster declaration',
      (dir) =>
        replace(
          dir,
          'values/shared/global.yaml',
          "kubernetesVersion: '1.31'",
          "kubernetesVersion: '1.30'",
        ),
    ],
    ['a values schema', (dir) => prepend(dir, 'charts/app/values.schema.json', '\n')],
    ['the global values schema', (dir) => prepend(dir, 'values/global.schema.json', '\n')],
    ['the secret declarations', (dir) => prepend(dir, 'values/secrets.yaml', '# moved\n')],
    [
      'a plan file',
      (dir) => {
        const p = planFile(dir);
        writeFileSync(
          p,
          readFileSync(p, 'utf8').replace(/containerPort: \d+/, 'containerPort: 70000'),
        );
      },
    ],
    ['the plan files’ order and set', (dir) => rmSync(planFile(dir))],
    [
      'validation.yaml',
      (dir) => writeFileSync(join(dir, 'validation.yaml'), 'skip: [image-tag]\n'),
    ],
    ['the rule selection', () => ({ only: ['schema', 'api-values'] })],
    ['the rules skipped', () => ({ skip: ['resources'] })],
    ['the Kubernetes version', () => ({ kubernetesVersion: '1.29' })],
    ['the kinds accepted without a schema', () => ({ allowUnknownKinds: ['Widget'] })],
    ['strict mode', () => ({ strict: false })],
  ];
  for (const [what, change] of changes) {
    it(`checks everything again when ${what} changed, and reports what an uncached run reports`, () => {
      const dir = copy();
      const extra = change(dir) ?? {};
      const cached = validate(dir, true, extra);
      expect(forged(cached)).toBe(false);
      expect(plain(cached)).toEqual(plain(validate(dir, false, extra)));
    });
  }

  it('is neither read nor written by a run with a set secret variable', () => {
    const dir = copy();
    const before = readFileSync(memoFile(dir), 'utf8');
    const environ = { [firstSecretVariable(dir)]: 'a-set-secret-value-0123456789' };
    const cached = validate(dir, true, { environ });
    expect(forged(cached)).toBe(false);
    expect(readFileSync(memoFile(dir), 'utf8')).toBe(before);
    expect(readFileSync(memoFile(dir), 'utf8')).not.toContain('a-set-secret-value');
  });

  it('treats a damaged, truncated or foreign file as a miss and writes it again', () => {
    for (const text of ['{', '', '{"format":1,"key":"x","findings":[]}', '[]', '{"format":1}']) {
      const dir = copy();
      writeFileSync(memoFile(dir), text);
      const cached = validate(dir, true);
      expect(plain(cached)).toEqual(plain(validate(dir, false)));
      const data = JSON.parse(readFileSync(memoFile(dir), 'utf8')) as { findings: unknown[] };
      expect(data.findings).toEqual(JSON.parse(JSON.stringify(cached)));
    }
    // findings of the wrong shape under the right key are a miss too
    const dir = copy();
    const data = JSON.parse(readFileSync(memoFile(dir), 'utf8')) as { findings: unknown[] };
    data.findings = [{ ruleId: 'schema', message: 'no severity' }];
    writeFileSync(memoFile(dir), JSON.stringify(data));
    expect(plain(validate(dir, true))).toEqual(plain(validate(dir, false)));
  });

  it('render and validate find the same about a plan (so the memo may serve one to the other)', () => {
    const dir = copy();
    rmSync(join(dir, CACHE_DIR), { recursive: true, force: true });
    const r = renderEnvironment(dir, 'prd', { environ: {}, cache: false });
    const rendered = validateRendered(
      r.project,
      r.loaded,
      r.release.manifests,
      r.release.files,
      'prd',
    ).findings;
    expect(plain(validate(dir, false))).toEqual(plain(rendered));
    expect(existsSync(memoFile(dir))).toBe(false);
  });

  it('keys no run whose values it cannot place, or that holds a set secret', () => {
    const input = (ctx: Parameters<typeof ruleContext>[0], withSources: boolean) => ({
      manifests: [],
      ctx: ruleContext(ctx),
      rules: RULES,
      blobIds: new Map<string, string>(),
      valueSources: withSources ? { files: [], secrets: [] } : undefined,
    });
    expect(runMemoKey(input({ values: { app: {} } }, true))).toMatch(/^[0-9a-f]{64}$/);
    expect(runMemoKey(input({ values: { app: {} } }, false))).toBeUndefined();
    expect(runMemoKey(input({}, false))).toMatch(/^[0-9a-f]{64}$/);
    const secret = { variable: 'X', value: 'a-long-value', paths: ['app.password'] };
    expect(runMemoKey(input({ values: { app: {} }, secrets: [secret] }, true))).toBeUndefined();
    // and the key follows the values
    expect(runMemoKey(input({ values: { app: { a: 1 } } }, true))).not.toBe(
      runMemoKey(input({ values: { app: { a: 2 } } }, true)),
    );
  });

  it('runs no rule that reads the template a manifest came from (validate does not know it)', () => {
    for (const env of ['dev', 'prd']) {
      const r = renderEnvironment(copy(), env, { environ: {}, cache: false });
      const { manifests, ctx } = contextOfRender(r, env);
      const read: string[] = [];
      for (const m of manifests) {
        const template = m.template;
        Object.defineProperty(m, 'template', {
          get: () => {
            read.push(template ?? '');
            return template;
          },
        });
      }
      expect(manifests.every((m) => m.template !== undefined)).toBe(true);
      read.length = 0;
      runValidation({ manifests, ctx, valueOrigins: r.loaded.origins });
      expect(read).toEqual([]);
    }
  });
});
