import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { tempDir } from './helpers.js';

export interface FixtureChart {
  version?: string;
  values?: string;
  schema?: Record<string, unknown>;
  templates: Record<string, string>;
}

/** Writes a small project (charts, values layers) into a fresh temporary folder. */
export function makeProject(spec: {
  charts: Record<string, FixtureChart>;
  files: Record<string, string>;
}): string {
  const dir = tempDir();
  const write = (rel: string, text: string) => {
    const p = join(dir, rel);
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, text);
  };
  for (const [name, c] of Object.entries(spec.charts)) {
    write(
      `charts/${name}/chart.yaml`,
      `name: ${name}\nversion: ${c.version ?? '0.1.0'}\ndescription: test chart\n`,
    );
    write(`charts/${name}/values.yaml`, c.values ?? '{}\n');
    write(
      `charts/${name}/values.schema.json`,
      JSON.stringify(c.schema ?? { type: 'object' }, null, 2),
    );
    for (const [t, text] of Object.entries(c.templates))
      write(`charts/${name}/templates/${t}`, text);
  }
  for (const [rel, text] of Object.entries(spec.files)) write(rel, text);
  return dir;
}

/** A one-chart project: a ConfigMap per item of `items`, with a schema that types `replicas`. */
export function simpleProject(
  overrides: { files?: Record<string, string>; templates?: Record<string, string> } = {},
): string {
  return makeProject({
    charts: {
      web: {
        values: 'namespace: web\nreplicas: 1\nitems: []\npassword: ""\n',
        schema: {
          type: 'object',
          additionalProperties: false,
          properties: {
            namespace: { type: 'string' },
            replicas: { type: 'integer' },
            password: { type: 'string' },
            items: {
              type: 'array',
              'x-merge-key': 'name',
              items: {
                type: 'object',
                required: ['name'],
                properties: { name: { type: 'string' }, value: { type: 'string' } },
              },
            },
          },
        },
        templates: overrides.templates ?? {
          'items.hbs': [
            '{{#each values.items}}',
            '---',
            'apiVersion: v1',
            'kind: ConfigMap',
            'metadata:',
            '  name: {{name}}',
            '  namespace: {{@root.values.namespace}}',
            'data:',
            '  value: {{quote value}}',
            '  replicas: {{quote @root.values.replicas}}',
            '{{/each}}',
            '',
          ].join('\n'),
          'secret.hbs': [
            'apiVersion: v1',
            'kind: Secret',
            'metadata:',
            '  name: creds',
            '  namespace: {{values.namespace}}',
            'data:',
            '  password: {{b64enc values.password}}',
            'stringData:',
            '  note: {{quote (concat "pw=" values.password)}}',
            '',
          ].join('\n'),
        },
      },
    },
    files: {
      'values/shared.yaml':
        'web:\n  items:\n    - name: a\n      value: one\n    - name: b\n      value: two\n',
      'values/dev.yaml': 'web:\n  replicas: 2\n  password: devpass\n',
      'values/prd.yaml':
        'web:\n  replicas: 3\n  items:\n    - name: b\n      value: changed\n    - name: c\n      value: three\n',
      'values/secrets.yaml':
        'secrets:\n  - path: web.password\n    env: WEB_PASSWORD\n    environments: [prd]\n',
      ...(overrides.files ?? {}),
    },
  });
}
