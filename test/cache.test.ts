import {
  cpSync,
  existsSync,
  lstatSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dump, load } from 'js-yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { renderEnvironment, type RenderResult } from '../generator/pipeline.js';
import { CACHE_DIR, openProject } from '../generator/project.js';
import { chartCacheKey } from '../generator/render/cache.js';
import { loadValues } from '../generator/values/load.js';
import { gitBlobId } from '../core/cache-files.js';
import { readValuesFile } from '../generator/values/read-yaml.js';
import { renderValidateAndWrite } from '../validators/release-guard.js';
import { REPO_ROOT } from './helpers.js';
import { makeProject } from './fixture.js';

const made: string[] = [];
afterAll(() => {
  for (const d of made) rmSync(d, { recursive: true, force: true });
});

/** A copy of the repository's charts and values in a temporary folder. */
function copyProject(): string {
  const dir = mkdtempSync(join(tmpdir(), 'manifests-cache-'));
  made.push(dir);
  cpSync(join(REPO_ROOT, 'charts'), join(dir, 'charts'), { recursive: true });
  cpSync(join(REPO_ROOT, 'values'), join(dir, 'values'), { recursive: true });
  return dir;
}

type Environ = Record<string, string>;

const fresh = (dir: string, environ: Environ = {}) =>
  renderEnvironment(dir, 'prd', { environ, cache: false });
/** A render through the cache that stores its misses (as render and plan do after the secret guard). */
const cached = (dir: string, environ: Environ = {}) => {
  const r = renderEnvironment(dir, 'prd', { environ, cache: true });
  r.storeCache();
  return r;
};

/** What a render gives: every release file's text and every object with its chart and template. */
function output(r: RenderResult) {
  return {
    files: Object.fromEntries(r.release.files),
    manifests: r.release.manifests.map((m) => [m.chart, m.template, m.file, m.object]),
  };
}

function edit(dir: string, file: string, from: string | RegExp, to: string): void {
  const path = join(dir, file);
  const text = readFileSync(path, 'utf8');
  const next = text.replace(from, to);
  if (next === text) throw new Error(`test setup: ${String(from)} not found in ${file}`);
  writeFileSync(path, next);
}

/** Sets the orders service's replicas (3 in the repository's prd values) to `to`. */
function setOrdersReplicas(dir: string, to: string): void {
  const orders = '    - name: orders\n      replicas:';
  edit(dir, 'values/prd/app.yaml', `${orders} 3\n`, `${orders} ${to}\n`);
}

const ALL_CHARTS = ['app', 'argocd', 'eks', 'istio', 'logging', 'mxtransporter', 'scalardl'];

describe('render cache', () => {
  it('serves every chart from .manifests-cache/ when nothing changed, with the same output', () => {
    const dir = copyProject();
    const first = cached(dir);
    expect(first.cacheHits).toEqual([]);
    expect(existsSync(join(dir, CACHE_DIR, 'render'))).toBe(true);
    const again = cached(dir);
    expect(again.cacheHits).toEqual(ALL_CHARTS);
    expect(output(again)).toEqual(output(fresh(dir)));
  });

  /**
   * Each input kind: after a cached render, change it; the next cached render must equal a render
   * without the cache, must differ from before where the change shows in the output, and must
   * render again exactly the charts the change can reach.
   */
  const CHANGES: {
    what: string;
    change: (dir: string) => void;
    environ?: Environ;
    rerendered: string[];
    showsInOutput: boolean;
  }[] = [
    {
      what: 'a template',
      change: (d) =>
        edit(
          d,
          'charts/app/templates/services.hbs',
          'path: {{default "/healthz"',
          'path: {{default "/ready"',
        ),
      rerendered: ['app'],
      showsInOutput: true,
    },
    {
      what: 'a partial',
      change: (d) =>
        edit(
          d,
          'charts/mxtransporter/templates/_selectorLabels.hbs',
          'app.kubernetes.io/name: mxtransporter',
          'app.kubernetes.io/name: mxtransporter-x',
        ),
      rerendered: ['mxtransporter'],
      showsInOutput: true,
    },
    {
      what: 'a shared partial (charts/_partials/)',
      change: (d) =>
        edit(
          d,
          'charts/_partials/labels.hbs',
          'app.kubernetes.io/managed-by: manifests',
          'app.kubernetes.io/managed-by: manifests-x',
        ),
      rerendered: ALL_CHARTS,
      showsInOutput: true,
    },
    {
      what: "a chart's version (chart.yaml; every chart sees every version)",
      change: (d) => edit(d, 'charts/scalardl/chart.yaml', 'version: 1.0.0', 'version: 1.0.1'),
      rerendered: ALL_CHARTS,
      showsInOutput: true,
    },
    {
      what: "a chart's default values (values.yaml)",
      change: (d) =>
        edit(
          d,
          'charts/app/values.yaml',
          'imagePullPolicy: IfNotPresent',
          'imagePullPolicy: Always',
        ),
      rerendered: ['app'],
      showsInOutput: true,
    },
    {
      what: 'a value no other chart reads (an app image tag; Istio reads names, ports and paths)',
      change: (d) => edit(d, 'values/shared/app.yaml', "tag: '2.4.1'", "tag: '2.4.2'"),
      rerendered: ['app'],
      showsInOutput: true,
    },
    {
      what: 'a shared values file',
      change: (d) => edit(d, 'values/shared/mxtransporter.yaml', "tag: '1.4.2'", "tag: '1.4.3'"),
      rerendered: ['mxtransporter'],
      showsInOutput: true,
    },
    {
      what: "an environment's values file",
      change: (d) =>
        edit(d, 'values/prd/mxtransporter.yaml', 'saveIntervalSec: 5', 'saveIntervalSec: 7'),
      rerendered: ['mxtransporter'],
      showsInOutput: true,
    },
    {
      what: 'values another chart reads through `all` (Istio routes the app services)',
      change: (d) =>
        edit(d, 'values/shared/app.yaml', 'pathPrefix: /api/orders', 'pathPrefix: /api/v2/orders'),
      rerendered: ['app', 'istio'],
      showsInOutput: true,
    },
    {
      what: 'global values (the cluster declaration)',
      change: (d) =>
        edit(
          d,
          'values/shared/global.yaml',
          "accountId: '123456789012'",
          "accountId: '210987654321'",
        ),
      rerendered: ALL_CHARTS,
      showsInOutput: true,
    },
    {
      what: 'the secret declarations',
      change: (d) =>
        edit(d, 'values/secrets.yaml', 'env: APP_DB_PASSWORD', 'env: APP_DATABASE_PASSWORD'),
      rerendered: ALL_CHARTS,
      showsInOutput: true,
    },
    {
      what: 'which secret variables are set (names only; the plan holds placeholders)',
      change: () => {},
      environ: { APP_DB_PASSWORD: 'a-long-enough-secret-value-1' },
      rerendered: ALL_CHARTS,
      showsInOutput: false,
    },
  ];

  it.each(CHANGES)('never serves stale output after a change of $what', (c) => {
    const dir = copyProject();
    const before = output(cached(dir));
    expect(cached(dir).cacheHits).toEqual(ALL_CHARTS);
    c.change(dir);
    const after = cached(dir, c.environ);
    expect(output(after)).toEqual(output(fresh(dir, c.environ)));
    if (c.showsInOutput) expect(output(after)).not.toEqual(before);
    expect(ALL_CHARTS.filter((n) => !after.cacheHits.includes(n))).toEqual(c.rerendered);
    // and the new entries serve the next render
    expect(cached(dir, c.environ).cacheHits).toEqual(ALL_CHARTS);
  });

  it('gives the git blob id of each document it serves or reuses, as the text has it', () => {
    const dir = copyProject();
    const check = (r: RenderResult) => {
      for (const [path, id] of r.release.blobIds)
        expect(id, path).toBe(gitBlobId(r.release.files.get(path)!));
      return r.release.blobIds.size;
    };
    expect(check(cached(dir))).toBe(0); // a first render computes them
    // every chart served: every file's id comes from the cache
    const served = cached(dir);
    expect(check(served)).toBe(served.release.files.size);
    // the app chart renders again: its unchanged documents are reused with their ids
    setOrdersReplicas(dir, '4');
    const again = cached(dir);
    expect(again.cacheHits).not.toContain('app');
    const size = check(again);
    expect(size).toBeGreaterThan(0);
    expect(size).toBeLessThan(again.release.files.size);
  });

  it('includes the tool (its render code and libraries) in every key', () => {
    const project = openProject(REPO_ROOT);
    const loaded = loadValues(project, 'prd', { environ: {} });
    const chart = project.charts[0];
    expect(chartCacheKey(project, chart, loaded, 'tool-a')).not.toBe(
      chartCacheKey(project, chart, loaded, 'tool-b'),
    );
    expect(chartCacheKey(project, chart, loaded)).toBe(chartCacheKey(project, chart, loaded));
  });

  it('treats an unreadable, truncated or foreign entry as a miss', () => {
    const dir = copyProject();
    const expected = output(cached(dir));
    const folder = join(dir, CACHE_DIR, 'render');
    const files = readdirSync(folder).filter((f) => f.endsWith('.jsonl'));
    expect(files.length).toBe(ALL_CHARTS.length);
    files.forEach((f, i) => {
      const path = join(folder, f);
      const text = readFileSync(path, 'utf8');
      const [header, ...docs] = text.split('\n');
      if (i % 4 === 0) writeFileSync(path, text.slice(0, text.length / 2));
      else if (i % 4 === 1)
        writeFileSync(
          path,
          [JSON.stringify({ ...JSON.parse(header), key: 'other' }), ...docs].join('\n'),
        );
      // cut after a whole document line: the header's count no longer matches
      else if (i % 4 === 2 && docs.length > 2)
        writeFileSync(path, [header, ...docs.slice(0, docs.length - 2), ''].join('\n'));
      else writeFileSync(path, 'not json\n');
    });
    const r = cached(dir);
    expect(r.cacheHits).toEqual([]);
    expect(output(r)).toEqual(expected);
  });

  it('keeps the newest entries per chart, pruning those an older version wrote under another name', () => {
    const dir = copyProject();
    cached(dir);
    const folder = join(dir, CACHE_DIR, 'render');
    // an entry of an older format (a .json file), older than anything written now
    const stale = join(folder, 'prd.app.0000.json');
    writeFileSync(stale, '{}');
    utimesSync(stale, new Date(0), new Date(0));
    for (const replicas of ['4', '5', '6', '7']) {
      setOrdersReplicas(dir, replicas);
      cached(dir);
      // (the next edit replaces this one's number)
      edit(dir, 'values/prd/app.yaml', `replicas: ${replicas}\n`, 'replicas: 3\n');
    }
    const app = readdirSync(folder).filter((f) => f.startsWith('prd.app.'));
    expect(app).toHaveLength(4);
    expect(existsSync(stale)).toBe(false);
  });

  it('never writes real secret values: a render with real secrets neither reads nor writes the cache', () => {
    const dir = copyProject();
    const secret = 'real-secret-value-for-the-cache-test';
    // every declared variable set, each to its own long value
    const declared = (
      load(readFileSync(join(dir, 'values/secrets.yaml'), 'utf8')) as { secrets: { env: string }[] }
    ).secrets.map((d) => d.env);
    const environ = Object.fromEntries(declared.map((v, i) => [v, `${secret}-${i}`]));
    cached(dir, environ);
    const real = renderEnvironment(dir, 'prd', { environ, secretMode: 'real', cache: true });
    expect(real.cacheHits).toEqual([]);
    expect(JSON.stringify(output(real))).toContain(secret);
    const folder = join(dir, CACHE_DIR, 'render');
    const entries = readdirSync(folder);
    expect(entries.length).toBe(ALL_CHARTS.length);
    for (const f of entries) {
      const text = readFileSync(join(folder, f), 'utf8');
      expect(text).not.toContain(secret);
      expect(text).not.toContain(Buffer.from(secret).toString('base64'));
    }
  });

  it('stores nothing from a render the secret guard stops (a set secret’s value written into the values)', async () => {
    const dir = copyProject();
    const declared = (
      load(readFileSync(join(dir, 'values/secrets.yaml'), 'utf8')) as { secrets: { env: string }[] }
    ).secrets.map((d) => d.env);
    const secret = 'leaked-secret-value-for-the-cache-test';
    const environ = Object.fromEntries(
      declared.map((v, i) => [v, i === 0 ? secret : `${secret}-${i}`]),
    );
    edit(
      dir,
      'values/shared/app.yaml',
      '- { name: LOG_LEVEL, value: info }',
      `- { name: LOG_LEVEL, value: ${secret} }`,
    );
    const r = await renderValidateAndWrite(dir, 'prd', { environ, cache: true });
    expect(r.blocked.length).toBeGreaterThan(0);
    expect(r.written).toBeUndefined();
    // no rendered documents and no findings are kept (the schemas' compiled code may be: it comes
    // from the charts alone), and no file of the cache holds the value
    expect(existsSync(join(dir, CACHE_DIR, 'render'))).toBe(false);
    expect(existsSync(join(dir, CACHE_DIR, 'validate'))).toBe(false);
    if (existsSync(join(dir, CACHE_DIR)))
      for (const f of readdirSync(join(dir, CACHE_DIR), { recursive: true, encoding: 'utf8' })) {
        const path = join(dir, CACHE_DIR, f);
        if (lstatSync(path).isFile()) expect(readFileSync(path, 'utf8')).not.toContain(secret);
      }
    expect(existsSync(join(dir, 'release/prd'))).toBe(false);
  });
});

describe('render cache: what a chart reads of the other charts’ values', () => {
  /**
   * Chart `c` reads chart `o`'s values through `all` by every route a template has; `o` holds
   * values `c` reads and one it does not (`unread`).
   */
  const READER = [
    'apiVersion: v1',
    'kind: ConfigMap',
    'metadata:',
    '  name: reader',
    'data:',
    '  a: {{quote all.o.a}}',
    '  b: {{quote @root.all.o.b}}',
    '  list: "{{#each all.o.list}}{{name}}/{{@index}}/{{@last}};{{/each}}"',
    '  map: "{{#each all.o.map}}{{@key}}={{this}};{{/each}}"',
    '  with: "{{#with (get all "o") as |x|}}{{x.c}}{{/with}}"',
    '  lookup: {{quote (lookup all.o "d")}}',
    '  yaml: {{quote (toYaml all.o.nested)}}',
    '  hash: {{sha256 all.o.hashed}}',
    '  len: {{quote (len all.o.counted)}}',
    '  join: {{quote (join all.o.joined ",")}}',
    '  member: "{{#if (includes all.o.members "m")}}in{{else}}out{{/if}}"',
    '  flag: "{{#if all.o.flag}}on{{else}}off{{/if}}"',
    '  partial: {{quote (include "p" all.o.viaPartial)}}',
    '  maybe: {{quote (get all.o "maybe")}}',
    '  dynamic: "{{#each values.pick}}{{lookup (lookup @root.all "o") this}};{{/each}}"',
    '  same: "{{#if (eq all.o.nested all.o.nested)}}same{{/if}}"',
    '  own: "{{#if (eq all.c values)}}own{{/if}}"',
    '  keys: "{{#each all}}{{@key}};{{/each}}"',
    '',
  ].join('\n');
  const O_VALUES = {
    a: 'A',
    b: 2,
    list: [{ name: 'one' }, { name: 'two' }],
    map: { x: 1, y: 'two' },
    c: true,
    d: 'D',
    nested: { deep: { k: 'v' }, l: [1, 2] },
    hashed: { h: 1 },
    counted: { p: 1, q: 2 },
    joined: ['j1', 'j2'],
    members: ['m', 'n'],
    flag: 0,
    viaPartial: { name: 'pn' },
    e: 'E',
    unread: 'nobody reads this',
  };
  const project = (o: unknown) => {
    const dir = makeProject({
      charts: {
        c: {
          values: 'pick: [e]\n',
          templates: { 'cm.hbs': READER, '_p.hbs': '{{name}}' },
        },
        o: { values: '{}\n', templates: {} },
      },
      files: { 'values/prd.yaml': dump({ o }) },
    });
    made.push(dir);
    return dir;
  };
  const setValues = (dir: string, o: unknown) =>
    writeFileSync(join(dir, 'values/prd.yaml'), dump({ o }));
  const text = (r: RenderResult) => [...r.release.files.values()].join('\n---\n');

  it('renders through the recording proxy exactly as without it', () => {
    const dir = project(O_VALUES);
    const first = cached(dir);
    expect(first.cacheHits).toEqual([]);
    expect(text(first)).toBe(text(fresh(dir)));
    // every route gave what the values hold
    const data = first.release.manifests.find((m) => m.chart === 'c')!.object.data as Record<
      string,
      string
    >;
    expect(data).toMatchObject({
      a: 'A',
      list: 'one/0/false;two/1/true;',
      map: 'x=1;y=two;',
      with: 'true',
      lookup: 'D',
      len: '2',
      join: 'j1,j2',
      member: 'in',
      flag: 'off',
      partial: 'pn',
      maybe: '',
      dynamic: 'E;',
      same: 'same',
      own: 'own',
      keys: 'c;o;global;',
    });
    expect(cached(dir).cacheHits).toEqual(['c', 'o']);
  });

  it('renders again after any change of a value it read, and only then', () => {
    const changes: [string, (o: typeof O_VALUES) => unknown][] = [
      ['a scalar', (o) => ({ ...o, a: 'A2' })],
      ['a number to a string', (o) => ({ ...o, b: '2' })],
      ['a list item', (o) => ({ ...o, list: [{ name: 'one' }, { name: 'zwei' }] })],
      ['a list grown', (o) => ({ ...o, list: [...o.list, { name: 'three' }] })],
      ['a map key added', (o) => ({ ...o, map: { ...o.map, z: 3 } })],
      ['map keys reordered', (o) => ({ ...o, map: { y: 'two', x: 1 } })],
      ['a value read through a block parameter', (o) => ({ ...o, c: false })],
      ['a lookup', (o) => ({ ...o, d: 'D2' })],
      ['deep inside toYaml', (o) => ({ ...o, nested: { deep: { k: 'w' }, l: [1, 2] } })],
      ['inside a hashed map', (o) => ({ ...o, hashed: { h: 2 } })],
      ['a counted map gaining a key', (o) => ({ ...o, counted: { ...o.counted, r: 3 } })],
      ['a joined list', (o) => ({ ...o, joined: ['j1', 'j3'] })],
      ['a searched list', (o) => ({ ...o, members: ['n'] })],
      ['a truth value', (o) => ({ ...o, flag: 1 })],
      ['a value a partial reads', (o) => ({ ...o, viaPartial: { name: 'pm' } })],
      ['an optional value appearing', (o) => ({ ...o, maybe: 'here' })],
      ['a value named by another value', (o) => ({ ...o, e: 'E2' })],
      ['a map turned into a list', (o) => ({ ...o, map: ['x', 'y'] })],
    ];
    for (const [what, change] of changes) {
      const dir = project(O_VALUES);
      cached(dir);
      setValues(dir, change(O_VALUES));
      const after = cached(dir);
      expect(after.cacheHits, what).not.toContain('c');
      expect(text(after), what).toBe(text(fresh(dir)));
    }
    // a value nothing reads: served from the cache
    const dir = project(O_VALUES);
    cached(dir);
    setValues(dir, { ...O_VALUES, unread: 'still nobody' });
    const after = cached(dir);
    expect(after.cacheHits).toContain('c');
    expect(text(after)).toBe(text(fresh(dir)));
  });

  it('never serves stale output over random changes of the other chart’s values', () => {
    let seed = 7;
    const next = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    const scalars = ['A', 'B', 1, 2, 0, true, false, null, 'm', 'n', 'one', 'nobody'];
    // a scalar anywhere replaced, or a key added to a map: the structure the templates walk stays
    const mutate = (v: unknown): unknown => {
      if (v === null || typeof v !== 'object') return scalars[next(scalars.length)];
      if (Array.isArray(v)) {
        const copy = [...(v as unknown[])];
        const i = next(copy.length);
        copy[i] = mutate(copy[i]);
        return copy;
      }
      const copy = { ...(v as Record<string, unknown>) };
      const keys = Object.keys(copy);
      if (next(5) === 0) copy[`k${next(4)}`] = scalars[next(scalars.length)];
      else {
        const k = keys[next(keys.length)];
        copy[k] = mutate(copy[k]);
      }
      return copy;
    };
    const dir = project(O_VALUES);
    cached(dir);
    let o: unknown = O_VALUES;
    let hits = 0;
    let misses = 0;
    for (let round = 0; round < 60; round++) {
      o = mutate(o);
      setValues(dir, o);
      let expected: string;
      try {
        expected = text(fresh(dir));
      } catch (err) {
        // a change the templates cannot render fails the same way through the cache
        expect(() => cached(dir)).toThrow((err as Error).message);
        continue;
      }
      const r = cached(dir);
      if (r.cacheHits.includes('c')) hits++;
      else misses++;
      expect(text(r), JSON.stringify(o)).toBe(expected);
    }
    expect(misses).toBeGreaterThan(10);
    expect(hits).toBeGreaterThan(0);
  });

  it('treats damaged reads in an entry as a miss', () => {
    const dir = project(O_VALUES);
    cached(dir);
    const folder = join(dir, CACHE_DIR, 'render');
    const entry = readdirSync(folder).find((f) => f.startsWith('prd.c.'))!;
    const [header, ...docs] = readFileSync(join(folder, entry), 'utf8').split('\n');
    const h = JSON.parse(header) as { reads: { nodes: unknown[]; digest: string } };
    for (const reads of [
      { ...h.reads, digest: 'other' },
      { ...h.reads, nodes: [[5, 'x', 1], ...h.reads.nodes.slice(1)] },
      { nodes: 'x', digest: h.reads.digest },
      null,
    ]) {
      writeFileSync(join(folder, entry), [JSON.stringify({ ...h, reads }), ...docs].join('\n'));
      const r = renderEnvironment(dir, 'prd', { environ: {}, cache: true });
      expect(r.cacheHits).not.toContain('c');
      expect(text(r)).toBe(text(fresh(dir)));
    }
  });
});

describe('render cache: documents of a chart that renders again', () => {
  it('reuses the documents whose template output is unchanged and reads the others', () => {
    const dir = copyProject();
    cached(dir);
    setOrdersReplicas(dir, '5');
    const again = cached(dir);
    expect(again.cacheHits).not.toContain('app');
    const total = again.release.manifests.length;
    // documents of the charts that rendered again (not the orders Deployment, and not those of
    // template output the fast reader leaves to js-yaml)
    const rerendered = again.release.manifests.filter((m) => !again.cacheHits.includes(m.chart));
    expect(again.reusedDocuments).toBeLessThan(rerendered.length);
    expect(again.reusedDocuments).toBeGreaterThan(rerendered.length / 2);
    expect(output(again)).toEqual(output(fresh(dir)));
    const orders = again.release.manifests.find(
      (m) => m.object.kind === 'Deployment' && m.object.metadata.name === 'orders',
    )!;
    expect((orders.object.spec as { replicas: number }).replicas).toBe(5);
    expect(total).toBeGreaterThan(50);
    // the entry written from reused lines reads back as the same render
    const third = cached(dir);
    expect(third.cacheHits).toEqual(ALL_CHARTS);
    expect(output(third)).toEqual(output(fresh(dir)));
  });

  it('reuses nothing made by another version of the tool, or from an unreadable entry', () => {
    const dir = copyProject();
    cached(dir);
    const folder = join(dir, CACHE_DIR, 'render');
    for (const f of readdirSync(folder)) {
      const path = join(folder, f);
      const [header, ...docs] = readFileSync(path, 'utf8').split('\n');
      const changed = { ...(JSON.parse(header) as object), tool: 'another version' };
      writeFileSync(path, [JSON.stringify(changed), ...docs].join('\n'));
    }
    setOrdersReplicas(dir, '6');
    const other = renderEnvironment(dir, 'prd', { environ: {}, cache: true });
    expect(other.reusedDocuments).toBe(0);
    expect(output(other)).toEqual(output(fresh(dir)));
    for (const f of readdirSync(folder)) writeFileSync(join(folder, f), '{"truncated": ');
    const broken = renderEnvironment(dir, 'prd', { environ: {}, cache: true });
    expect(broken.reusedDocuments).toBe(0);
    expect(output(broken)).toEqual(output(fresh(dir)));
  });

  it('reports a document rendered twice as an uncached render does, also when reusing it', () => {
    const dir = makeProject({
      charts: {
        c: {
          values: 'names: [a]\nunused: 0\n',
          schema: { type: 'object' },
          templates: {
            'cm.hbs':
              '{{#each values.names}}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: same\n  namespace: ns\ndata:\n  k: v\n{{/each}}\n',
          },
        },
      },
      files: { 'values/prd.yaml': 'c:\n  unused: 1\n' },
    });
    cached(dir);
    // the same document twice, under another input: both are reused, and the duplicate is bad input
    writeFileSync(join(dir, 'values/prd.yaml'), 'c:\n  unused: 2\n  names: [a, b]\n');
    const expected = (() => {
      try {
        fresh(dir);
      } catch (err) {
        return (err as Error).message;
      }
      return 'no error';
    })();
    expect(expected).toMatch(/duplicate resource ConfigMap\/ns\/same/);
    expect(() => renderEnvironment(dir, 'prd', { environ: {}, cache: true })).toThrow(expected);
  });
});

describe('values schema code cache', () => {
  const loadError = (dir: string, cache: boolean) => {
    try {
      loadValues(openProject(dir), 'prd', { environ: {}, cache });
    } catch (err) {
      return `${(err as Error).message} @ ${JSON.stringify((err as { location?: unknown }).location)}`;
    }
    return 'valid';
  };

  it('checks values with the stored code exactly as with a fresh compile', () => {
    const dir = copyProject();
    expect(loadError(dir, true)).toBe('valid');
    const folder = join(dir, CACHE_DIR, 'schemas');
    // one file of code per distinct schema (every chart's and the global one)
    const code = readdirSync(folder);
    expect(code.length).toBeGreaterThanOrEqual(ALL_CHARTS.length);
    expect(code.every((f) => f.endsWith('.cjs'))).toBe(true);
    const same = loadValues(openProject(dir), 'prd', { environ: {}, cache: true });
    expect(same.values).toEqual(loadValues(openProject(dir), 'prd', { environ: {} }).values);
    // the run that loaded the stored code added V8's code cache of each
    const stored = readdirSync(folder);
    expect(stored.sort()).toEqual([...code, ...code.map((f) => f.replace(/\.cjs$/, '.v8'))].sort());
    for (const [from, to] of [
      ['    - name: orders\n      replicas: 3\n', '    - name: orders\n      replicas: three\n'],
      [
        '    - name: orders\n      replicas: 3\n',
        '    - name: orders\n      replicas: 3\n      replica: 2\n',
      ],
      ['    - name: orders\n      replicas: 3\n', '    - name: orders\n      replicas: -1\n'],
    ]) {
      const d = copyProject();
      cpSync(folder, join(d, CACHE_DIR, 'schemas'), { recursive: true });
      edit(d, 'values/prd/app.yaml', from, to);
      const plain = loadError(d, false);
      expect(plain).not.toBe('valid');
      expect(loadError(d, true)).toBe(plain);
      expect(readdirSync(join(d, CACHE_DIR, 'schemas')).sort()).toEqual([...stored].sort());
    }
  });

  it('compiles again when the stored code is damaged or the schema changed', () => {
    const dir = copyProject();
    loadError(dir, true);
    const folder = join(dir, CACHE_DIR, 'schemas');
    const before = readdirSync(folder).sort();
    // the stored code is what runs (a stand-in that rejects everything shows it)
    for (const f of before)
      writeFileSync(
        join(folder, f),
        `// ${f.slice(0, -'.cjs'.length)}\nmodule.exports = function v() { v.errors = [{ instancePath: '', schemaPath: '#/type', keyword: 'type', params: { type: 'object' }, message: 'must be object' }]; return false; };\n`,
      );
    expect(loadError(dir, true)).not.toBe('valid');
    expect(loadError(dir, false)).toBe('valid');
    for (const f of before) {
      const path = join(folder, f);
      const text = readFileSync(path, 'utf8');
      writeFileSync(path, text.slice(0, text.length / 2));
    }
    setOrdersReplicas(dir, 'three');
    expect(loadError(dir, true)).toBe(loadError(dir, false));
    // a changed schema is stored under another name
    const schemaFile = join(dir, 'charts/app/values.schema.json');
    const schema = JSON.parse(readFileSync(schemaFile, 'utf8')) as { description?: string };
    writeFileSync(schemaFile, JSON.stringify({ ...schema, description: 'changed' }));
    loadError(dir, true);
    expect(readdirSync(folder).filter((f) => !before.includes(f)).length).toBe(1);
  });
});

describe('template code cache', () => {
  it('renders from stored template code exactly as from the sources, and compiles again when it is damaged', () => {
    const dir = copyProject();
    cached(dir);
    const folder = join(dir, CACHE_DIR, 'templates');
    const stored = readdirSync(folder);
    expect(stored.length).toBeGreaterThan(10);
    // the app chart renders again (its values changed): its templates come from the stored code
    setOrdersReplicas(dir, '7');
    const r = cached(dir);
    expect(r.cacheHits).not.toContain('app');
    expect(output(r)).toEqual(output(fresh(dir)));
    expect(readdirSync(folder).sort()).toEqual([...stored].sort());
    for (const f of stored) {
      const path = join(folder, f);
      writeFileSync(path, readFileSync(path, 'utf8').slice(0, 40));
    }
    edit(dir, 'values/prd/app.yaml', 'replicas: 7\n', 'replicas: 8\n');
    expect(output(cached(dir))).toEqual(output(fresh(dir)));
  });

  it('reports a template error the same way with stored code', () => {
    const dir = makeProject({
      charts: {
        c: {
          values: 'name: a\n',
          templates: {
            'cm.hbs':
              'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{values.name}}\n  namespace: {{values.namespace}}\n',
          },
        },
      },
      files: { 'values/prd.yaml': 'c:\n  name: b\n' },
    });
    const message = () => {
      try {
        renderEnvironment(dir, 'prd', { environ: {}, cache: true });
      } catch (err) {
        return `${(err as Error).message} ${JSON.stringify((err as { location?: unknown }).location)}`;
      }
      return 'rendered';
    };
    const first = message();
    expect(first).toMatch(/namespace/);
    // the template's code is stored
    const stored = readdirSync(join(dir, CACHE_DIR, 'templates'));
    expect(stored.filter((f) => f.endsWith('.js'))).toHaveLength(1);
    expect(message()).toBe(first);
  });
});

describe('values files cache', () => {
  it('reads every values file back as parsed: the same values and the same origin of every node', () => {
    const dir = copyProject();
    const project = openProject(dir);
    const cacheDir = join(dir, CACHE_DIR);
    const files = [...project.files.keys()].filter((p) => /^values\/.*\.ya?ml$/.test(p));
    expect(files.length).toBeGreaterThan(5);
    for (const f of files) {
      const plain = readValuesFile(project.files, f);
      expect(readValuesFile(project.files, f, cacheDir)).toEqual(plain); // parsed and stored
      expect(readValuesFile(project.files, f, cacheDir)).toEqual(plain); // read back
    }
    // an entry per text, and each file's newest parse (to patch a one-line edit of it)
    const stored = readdirSync(join(cacheDir, 'values'));
    expect(stored.filter((f) => !f.startsWith('last-')).length).toBe(files.length);
    expect(stored.filter((f) => f.startsWith('last-')).length).toBe(files.length);
    // the loaded environment is the same, origins included
    const a = loadValues(openProject(dir), 'prd', { environ: {}, cache: true });
    const b = loadValues(openProject(dir), 'prd', { environ: {} });
    expect(a.values).toEqual(b.values);
    expect(a.origins).toEqual(b.origins);
  });

  it('parses a changed or damaged file again and reports bad YAML as always', () => {
    const dir = copyProject();
    const cacheDir = join(dir, CACHE_DIR);
    loadValues(openProject(dir), 'prd', { environ: {}, cache: true });
    for (const f of readdirSync(join(cacheDir, 'values')))
      writeFileSync(join(cacheDir, 'values', f), '{"key": "');
    const again = loadValues(openProject(dir), 'prd', { environ: {}, cache: true });
    expect(again.values).toEqual(loadValues(openProject(dir), 'prd', { environ: {} }).values);
    edit(dir, 'values/prd/app.yaml', '    - name: orders\n', '    - name: orders\n   bad: [\n');
    const error = (cache: boolean) => {
      try {
        loadValues(openProject(dir), 'prd', { environ: {}, cache });
      } catch (err) {
        return `${(err as Error).message} ${JSON.stringify((err as { location?: unknown }).location)}`;
      }
      return 'loaded';
    };
    expect(error(false)).toMatch(/values\/prd\/app\.yaml/);
    expect(error(true)).toBe(error(false));
    expect(error(true)).toBe(error(false));
  });
});
