import { describe, expect, it } from 'vitest';
import { InputError } from '../core/errors.js';
import { mergeValueLayers } from '../generator/values/merge.js';
import { findOrigin } from '../generator/values/origins.js';
import { parseValuesText } from '../generator/values/read-yaml.js';
import { loadValues } from '../generator/values/load.js';
import { openProject } from '../generator/project.js';
import { simpleProject } from './fixture.js';

function layer(text: string, file: string) {
  const f = parseValuesText(text, file);
  return { value: f.value, origins: f.origins };
}

function thrown(fn: () => unknown): InputError {
  try {
    fn();
  } catch (err) {
    if (err instanceof InputError) return err;
    throw err;
  }
  throw new Error('expected an InputError');
}

describe('mergeValueLayers', () => {
  const noKeys = () => undefined;

  it('merges maps deeply, later layers win, null deletes, lists replace', () => {
    const merged = mergeValueLayers(
      [
        layer('a:\n  b: 1\n  c: 2\n  gone: x\nlist: [1, 2, 3]\n', 'base.yaml'),
        layer('a:\n  c: 20\n  d: 30\n  gone: null\nlist: [9]\n', 'over.yaml'),
      ],
      noKeys,
    );
    expect(merged.value).toEqual({ a: { b: 1, c: 20, d: 30 }, list: [9] });
  });

  it('remembers the file and line of each leaf and what it overrode', () => {
    const merged = mergeValueLayers(
      [layer('a:\n  b: 1\n  c: 2\n', 'base.yaml'), layer('x: 0\na:\n  c: 20\n', 'over.yaml')],
      noKeys,
    );
    const c = findOrigin(merged.origins, ['a', 'c'])!;
    expect(c.depth).toBe(2);
    expect(c.node.origin).toEqual({ kind: 'file', file: 'over.yaml', line: 3 });
    expect(c.node.overrode).toEqual([{ kind: 'file', file: 'base.yaml', line: 3 }]);
    expect(findOrigin(merged.origins, ['a', 'b'])!.node.origin).toEqual({
      kind: 'file',
      file: 'base.yaml',
      line: 2,
    });
  });

  it('merges lists by key when the lookup names one', () => {
    const merged = mergeValueLayers(
      [
        layer('env:\n  - {name: A, value: "1"}\n  - {name: B, value: "2"}\n', 'base.yaml'),
        layer('env:\n  - {name: B, value: "20"}\n  - {name: C, value: "3"}\n', 'over.yaml'),
      ],
      (path) => (path.join('.') === 'env' ? 'name' : undefined),
    );
    expect(merged.value.env).toEqual([
      { name: 'A', value: '1' },
      { name: 'B', value: '20' },
      { name: 'C', value: '3' },
    ]);
    expect(findOrigin(merged.origins, ['env', '1', 'value'])!.node.origin).toMatchObject({
      file: 'over.yaml',
      line: 2,
    });
    expect(findOrigin(merged.origins, ['env', '2'])!.node.origin).toMatchObject({
      file: 'over.yaml',
      line: 3,
    });
  });

  it('a null inside a new subtree means absent', () => {
    const merged = mergeValueLayers(
      [layer('a: 1\n', 'a.yaml'), layer('b:\n  c: null\n  d: 1\n', 'b.yaml')],
      noKeys,
    );
    expect(merged.value).toEqual({ a: 1, b: { d: 1 } });
  });
});

describe('reading values files', () => {
  it('names file and line of a YAML syntax error', () => {
    const err = thrown(() => parseValuesText('a: 1\nb: [1, 2\nc: 3\n', 'values/prd.yaml'));
    expect(err.location?.file).toBe('values/prd.yaml');
    expect(err.location?.line).toBeGreaterThanOrEqual(2);
    expect(err.message).toMatch(/YAML error/);
  });

  it('rejects a values file that is not a map', () => {
    const err = thrown(() => parseValuesText('- a\n- b\n', 'values/dev.yaml'));
    expect(err.message).toMatch(/must hold a map/);
    expect(err.location).toEqual({ file: 'values/dev.yaml', line: 1 });
  });

  it('rejects duplicate keys with the line', () => {
    const err = thrown(() => parseValuesText('a: 1\nb: 2\na: 3\n', 'v.yaml'));
    expect(err.location?.file).toBe('v.yaml');
    expect(err.location?.line).toBe(3);
  });

  it('rejects an alias bomb while reading, before anything expands it', () => {
    const lines = ['a0: &a0 [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i <= 12; i++) {
      lines.push(
        `a${i}: &a${i} [${Array(10)
          .fill(`*a${i - 1}`)
          .join(', ')}]`,
      );
    }
    // 10^13 nodes if expanded: the reader stops at the alias that crosses its budget, naming it.
    const err = thrown(() => parseValuesText(lines.join('\n') + '\n', 'bomb.yaml'));
    expect(err.message).toMatch(/alias bomb/);
    expect(err.location?.file).toBe('bomb.yaml');
    expect(err.location?.line).toBeGreaterThanOrEqual(6);
    expect(err.location?.line).toBeLessThanOrEqual(13);
  });

  it('rejects prototype-polluting keys', () => {
    expect(() => parseValuesText('__proto__:\n  x: 1\n', 'p.yaml')).toThrow(/not allowed/);
  });

  it('supports YAML merge keys', () => {
    const f = parseValuesText('base: &b {x: 1, y: 2}\nuse:\n  <<: *b\n  y: 3\n', 'm.yaml');
    expect(f.value.use).toEqual({ x: 1, y: 3 });
  });
});

describe('loadValues', () => {
  it('layers chart defaults < shared < env and merges lists by the schema key', () => {
    const project = openProject(simpleProject());
    const loaded = loadValues(project, 'prd', { environ: {} });
    expect(loaded.values.web).toMatchObject({
      replicas: 3,
      items: [
        { name: 'a', value: 'one' },
        { name: 'b', value: 'changed' },
        { name: 'c', value: 'three' },
      ],
    });
    expect(loaded.filesRead).toEqual([
      'charts/web/values.yaml',
      'values/shared.yaml',
      'values/prd.yaml',
    ]);
  });

  it('puts a placeholder naming the variable in place of a secret, never the value', () => {
    const project = openProject(simpleProject());
    const loaded = loadValues(project, 'prd', { environ: { WEB_PASSWORD: 's3cr3t-value' } });
    expect((loaded.values.web as Record<string, unknown>).password).toBe('<<secret:WEB_PASSWORD>>');
    expect(loaded.secretVariables.map((s) => [s.variable, s.value])).toEqual([
      [expect.any(String), 's3cr3t-value'],
    ]);
  });

  it('substitutes real secrets in real mode and lists every missing variable at once', () => {
    const dir = simpleProject({
      files: {
        'values/secrets.yaml':
          'secrets:\n  - {path: web.password, env: WEB_PASSWORD}\n  - {path: web.namespace, env: WEB_NS}\n',
      },
    });
    const project = openProject(dir);
    const err = thrown(() => loadValues(project, 'prd', { secretMode: 'real', environ: {} }));
    expect(err.message).toContain('WEB_PASSWORD');
    expect(err.message).toContain('WEB_NS');
    const loaded = loadValues(project, 'prd', {
      secretMode: 'real',
      environ: { WEB_PASSWORD: 'pw', WEB_NS: 'ns' },
    });
    expect(loaded.values.web).toMatchObject({ password: 'pw', namespace: 'ns' });
  });

  it('rejects secret declarations that are malformed or index a list, naming the line', () => {
    const cases: [string, RegExp][] = [
      ['secrets:\n  - {path: web.items.0.value, env: X}\n', /indexes a list/],
      ['secrets:\n  - {path: web.password, env: lower-case}\n', /environment variable name/],
      ['secrets:\n  - {path: web, env: X}\n', /dotted value path/],
      ['secrets:\n  - {path: web.password, env: X, extra: 1}\n', /unknown key "extra"/],
      ['secrets:\n  - {path: nochart.password, env: X}\n', /does not start with a chart name/],
      ['secrets: {path: web.password}\n', /must be a list/],
      ['secrets:\n  - {env: X}\n', /missing required value secrets\.0\.path/],
      [
        'secrets:\n  - {path: web.password, env: A}\n  - {path: web.password, env: B}\n',
        /web\.password is declared twice \(also at line 2, with variable A instead of B\)/,
      ],
      [
        'secrets:\n  - {path: web.password, env: A, environments: [prd]}\n  - {path: web.password, env: A}\n',
        /web\.password is declared twice \(also at line 2\)/,
      ],
    ];
    for (const [text, message] of cases) {
      const dir = simpleProject({ files: { 'values/secrets.yaml': text } });
      const err = thrown(() => loadValues(openProject(dir), 'prd', { environ: {} }));
      expect(err.message).toMatch(message);
      expect(err.location?.file).toBe('values/secrets.yaml');
      expect(err.location?.line).toBeGreaterThanOrEqual(1);
    }
  });

  it('accepts one path declared for disjoint environments with different variables', () => {
    const dir = simpleProject({
      files: {
        'values/secrets.yaml':
          'secrets:\n  - {path: web.password, env: DEV_PW, environments: [dev]}\n  - {path: web.password, env: PRD_PW, environments: [prd]}\n',
      },
    });
    const loaded = loadValues(openProject(dir), 'prd', { environ: {} });
    expect(loaded.secrets.map((s) => s.variable)).toEqual(['PRD_PW']);
  });

  it('names the values file and line of a value of the wrong type', () => {
    const dir = simpleProject({
      files: { 'values/prd.yaml': 'web:\n  namespace: web\n  replicas: three\n' },
    });
    const err = thrown(() => loadValues(openProject(dir), 'prd', { environ: {} }));
    expect(err.location).toEqual({ file: 'values/prd.yaml', line: 3 });
    expect(err.message).toMatch(/web\.replicas.*must be integer/);
  });

  it('names the required key and the files read when a required value is missing', () => {
    const dir = simpleProject({
      files: { 'values/prd.yaml': 'web:\n  items:\n    - value: no-name\n' },
    });
    const err = thrown(() => loadValues(openProject(dir), 'prd', { environ: {} }));
    expect(err.message).toMatch(/missing required value web\.items\.2\.name/);
    expect(err.location).toEqual({ file: 'values/prd.yaml', line: 3 });
    expect(err.details.join(' ')).toContain('values/shared.yaml');
  });

  it('rejects unknown environments and unknown charts in values', () => {
    const project = openProject(simpleProject());
    expect(() => loadValues(project, 'staging', { environ: {} })).toThrow(
      /unknown environment "staging" \(known: dev, prd\)/,
    );
    const dir = simpleProject({ files: { 'values/dev.yaml': 'web: {}\nwbe:\n  replicas: 1\n' } });
    const err = thrown(() => loadValues(openProject(dir), 'dev', { environ: {} }));
    expect(err.message).toMatch(/unknown chart "wbe"/);
    expect(err.location).toEqual({ file: 'values/dev.yaml', line: 2 });
  });
});

describe('the README merge example', () => {
  it('gives the result the README states', async () => {
    const { readFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { REPO_ROOT } = await import('./helpers.js');
    const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
    const block = /```yaml\n(# values\/shared\/app\.yaml[\s\S]*?)```/.exec(readme)![1];
    const [shared, prd] = block.split('# values/prd/app.yaml');
    const schema = JSON.parse(
      readFileSync(join(REPO_ROOT, 'charts/app/values.schema.json'), 'utf8'),
    );
    const { mergeKeyInSchema } = await import('../generator/values/load.js');
    const merged = mergeValueLayers(
      [
        layer('app:\n  database:\n    mysql: { image: mysql:8 }\n', 'defaults.yaml'),
        layer(shared, 'shared.yaml'),
        layer(prd.split('# result')[0], 'prd.yaml'),
      ],
      (path) => (path[0] === 'app' ? mergeKeyInSchema(schema, path.slice(1)) : undefined),
    );
    const app = merged.value.app as Record<string, any>;
    expect(app.services).toEqual([
      {
        name: 'orders',
        tag: '1.9.0',
        replicas: 3,
        env: [
          { name: 'LOG_LEVEL', value: 'warn' },
          { name: 'TRACE', value: 'on' },
        ],
      },
    ]);
    expect(app.database).toEqual({});
  });
});
