import { describe, expect, it } from 'vitest';
import { InputError } from '../core/errors.js';
import { renderEnvironment } from '../generator/pipeline.js';
import { MAX_INCLUDE_DEPTH } from '../generator/render/helpers.js';
import { makeProject, type FixtureChart } from './fixture.js';

/** A chart with one ConfigMap template (`data:` lines given) and optional partials. */
function chart(
  data: string,
  partials: Record<string, string> = {},
  namespace = 'ns',
): FixtureChart {
  return {
    values: 'items: [a, b]\nbase: {x: "1", y: "2"}\nover: {y: "20", z: "30"}\n',
    templates: {
      'cm.hbs': `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\n  namespace: ${namespace}\n  labels:\n{{indent 4 (include "labels" (dict name="cm"))}}\ndata:\n${data}`,
      ...partials,
    },
  };
}

function project(charts: Record<string, FixtureChart>, shared: Record<string, string>): string {
  const files: Record<string, string> = { 'values/prd.yaml': '{}\n' };
  for (const [name, text] of Object.entries(shared)) files[`charts/_partials/${name}`] = text;
  return makeProject({ charts, files });
}

const LABELS =
  '{{#if name}}\napp.kubernetes.io/name: {{name}}\n{{/if}}\napp.kubernetes.io/part-of: {{@root.chart.name}}\n';

function renderError(dir: string): InputError {
  try {
    renderEnvironment(dir, 'prd', { environ: {} });
  } catch (err) {
    if (err instanceof InputError) return err;
    throw err;
  }
  throw new Error('expected the render to fail');
}

function configMaps(dir: string): Record<string, any>[] {
  return renderEnvironment(dir, 'prd', { environ: {} }).release.manifests.map((m) => m.object);
}

describe('shared partials (charts/_partials/)', () => {
  it('are available to every chart, which is not itself taken for a chart', () => {
    const dir = project(
      { one: chart('  a: "1"\n'), two: chart('  b: "2"\n', {}, 'other') },
      { 'labels.hbs': LABELS },
    );
    const rendered = renderEnvironment(dir, 'prd', { environ: {} });
    expect(rendered.project.charts.map((c) => c.name)).toEqual(['one', 'two']);
    expect(rendered.release.manifests.map((m) => [m.chart, m.object.metadata.labels])).toEqual([
      ['one', { 'app.kubernetes.io/name': 'cm', 'app.kubernetes.io/part-of': 'one' }],
      ['two', { 'app.kubernetes.io/name': 'cm', 'app.kubernetes.io/part-of': 'two' }],
    ]);
  });

  it('may not be defined again by a chart (exit 2 naming both files)', () => {
    const dir = project(
      { one: chart('  a: "1"\n', { '_labels.hbs': 'x: y\n' }) },
      { 'labels.hbs': LABELS },
    );
    const err = renderError(dir);
    expect(err.location?.file).toBe('charts/one/templates/_labels.hbs');
    expect(err.message).toBe(
      'partial "labels" is defined twice: in charts/_partials/labels.hbs and here (rename one)',
    );
  });
});

describe('template helpers', () => {
  it('startsWith, endsWith, dict and merge', () => {
    const data = [
      '  starts: {{quote (startsWith "kubernetes.io/app" "kubernetes.io/")}}',
      '  notStarts: {{quote (startsWith "example.com/kubernetes.io/" "kubernetes.io/")}}',
      '  ends: {{quote (endsWith "ledger.properties.tmpl" ".tmpl")}}',
      '  nonString: {{quote (startsWith values.items "a")}}',
      '  dict: {{quote (toJson (dict a="1" b=values.base.x))}}',
      '  merged: {{quote (toJson (merge values.base values.over))}}',
      '  mergedKeepsInputs: {{quote (toJson values.base)}}',
      '',
    ].join('\n');
    const [cm] = configMaps(project({ one: chart(data) }, { 'labels.hbs': LABELS }));
    expect(cm.data).toEqual({
      starts: 'true',
      notStarts: 'false',
      ends: 'true',
      nonString: 'false',
      dict: '{"a":"1","b":"1"}',
      merged: '{"x":"1","y":"20","z":"30"}',
      mergedKeepsInputs: '{"x":"1","y":"2"}',
    });
  });

  it('merge refuses something that is not a map, naming the template and line', () => {
    const dir = project(
      { one: chart('  m: {{toJson (merge values.base values.items)}}\n') },
      {
        'labels.hbs': LABELS,
      },
    );
    const err = renderError(dir);
    expect(err.location).toEqual({ file: 'charts/one/templates/cm.hbs', line: 9 });
    expect(err.message).toBe('merge takes maps, got a list');
  });
});

describe('partials that include themselves', () => {
  it('stop with a template error at the include, not a stack overflow', () => {
    const dir = project(
      {
        one: chart('  a: {{quote (include "loop")}}\n', { '_loop.hbs': 'x\n{{include "loop"}}\n' }),
      },
      { 'labels.hbs': LABELS },
    );
    const err = renderError(dir);
    expect(err.location).toEqual({ file: 'charts/one/templates/_loop.hbs', line: 2 });
    expect(err.message).toBe(
      `include "loop" nests more than ${MAX_INCLUDE_DEPTH} partials deep (does a partial include itself?): loop -> loop -> loop -> loop -> loop`,
    );
  });

  it('stop through two partials and through the {{> name}} form too', () => {
    const twoStep = project(
      {
        one: chart('  a: {{quote (include "ping")}}\n', {
          '_ping.hbs': '{{include "pong"}}\n',
          '_pong.hbs': '{{include "ping"}}\n',
        }),
      },
      { 'labels.hbs': LABELS },
    );
    expect(renderError(twoStep).message).toMatch(/ping -> pong -> ping -> pong -> ping$/);
    const native = project(
      { one: chart('  a: {{quote (include "loop")}}\n', { '_loop.hbs': 'x{{> loop}}\n' }) },
      { 'labels.hbs': LABELS },
    );
    const err = renderError(native);
    expect(err.location?.file).toBe('charts/one/templates/_loop.hbs');
    expect(err.message).toMatch(/^partial "loop" nests more than \d+ partials deep/);
  });

  it('may still nest legitimately below the limit', () => {
    const partials: Record<string, string> = {};
    for (let i = 0; i < MAX_INCLUDE_DEPTH - 1; i++)
      partials[`_p${i}.hbs`] = `{{include "p${i + 1}"}}\n`;
    partials[`_p${MAX_INCLUDE_DEPTH - 1}.hbs`] = 'deep\n';
    const [cm] = configMaps(
      project(
        { one: chart('  a: {{quote (include "p0")}}\n', partials) },
        { 'labels.hbs': LABELS },
      ),
    );
    expect(cm.data.a).toBe('deep');
  });
});

describe('partials run by include and by {{> name}}', () => {
  const SHOW =
    '{{#each values.items}}{{@index}}={{this}}{{#unless @last}},{{/unless}}{{/each}};' +
    '{{#values.items}}[{{this}}]{{/values.items}};{{lookup values.base "x"}};' +
    '{{@root.chart.name}};{{#with values.over}}{{z}}{{/with}};{{#with (dict k="v")}}{{k}}{{/with}}';

  it('see the same helpers, hooks, data and values either way', () => {
    const [cm] = configMaps(
      project(
        {
          one: chart(
            '  a: {{quote (include "show" .)}}\n  b: {{quote (include "show")}}\n  c: "{{> show}}"\n  d: "{{#each values.items}}{{include "item"}}{{/each}}"\n',
            { '_show.hbs': SHOW, '_item.hbs': '<{{this}}@{{@index}}>' },
          ),
        },
        { 'labels.hbs': LABELS },
      ),
    );
    const expected = '0=a,1=b;[a][b];1;one;30;v';
    expect(cm.data).toEqual({ a: expected, b: expected, c: expected, d: '<a@0><b@1>' });
    expect(cm.metadata.labels).toEqual({
      'app.kubernetes.io/name': 'cm',
      'app.kubernetes.io/part-of': 'one',
    });
  });

  it('report a value that is not defined at the partial, either way', () => {
    for (const call of ['{{quote (include "bad")}}', '"{{> bad}}"']) {
      const err = renderError(
        project(
          { one: chart(`  a: ${call}\n`, { '_bad.hbs': 'ok\n{{values.missing}}' }) },
          { 'labels.hbs': LABELS },
        ),
      );
      expect(err.message).toMatch(
        /^template reads a value that is not defined: "missing" not defined/,
      );
      // before, the including template was named with the partial's line
      expect(err.location).toEqual({ file: 'charts/one/templates/_bad.hbs', line: 2 });
    }
  });
});
