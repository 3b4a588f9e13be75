import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../test/helpers.js';
import { helmBinary, runHelm } from '../test/support/helm.js';
import { buildChartArtifact } from './chart-archive.js';
import { escapeForHelm } from './escape.js';

/** Text Helm's template engine would act on if it were not escaped. */
const TRICKY = [
  'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: tricky\ndata:\n',
  '  actions: "{{ .Values.x }} }} {{- `q` -}} {{/* c */}} {{ template \\"y\\" }}"\n',
  '  backquotes: "`` ` ```"\n',
  '  script: |\n    echo "{{"\n    `date`\n    {{ end }}\n',
  '  release: ".Release.Time and .Release.Name"\n',
  '  cr: "a\rb\r\n"\n',
  '  unicode: "Grüße ✓ \u2028"\n',
].join('');

let helm: string;
beforeAll(async () => {
  helm = await helmBinary();
});

/** Packages one template into a chart archive the way publish does and runs helm on it. */
async function helmTemplate(
  text: string,
): Promise<{ output: string; lint: string; lintStatus: number | null }> {
  const artifact = await buildChartArtifact(
    {
      name: 'esc',
      version: '0.1.0',
      description: 'escape test',
      kubeVersion: '>=1.31.0-0',
      values: { x: 'from-values' },
      templates: new Map([
        [
          'ns/configmap-tricky.yaml',
          escapeForHelm(text, 'release/prd/esc/ns/configmap-tricky.yaml'),
        ],
      ]),
    },
    0,
  );
  const dir = tempDir();
  const archive = join(dir, 'esc-0.1.0.tgz');
  writeFileSync(archive, artifact.archive);
  const r = runHelm(helm, ['template', 'esc', archive, '--kube-version', '1.31.0'], dir);
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  const lint = runHelm(helm, ['lint', archive, '--kube-version', '1.31.0'], dir);
  return { output: r.stdout, lint: lint.stdout + lint.stderr, lintStatus: lint.status };
}

describe('escapeForHelm', () => {
  it('makes helm template reproduce the text byte for byte: actions, backquotes, carriage returns', async () => {
    const { output } = await helmTemplate(TRICKY);
    expect(output).toBe(`---\n# Source: esc/templates/ns/configmap-tricky.yaml\n${TRICKY}`);
  });

  it('keeps helm lint green on text holding .Release.Time', async () => {
    const { lint, lintStatus } = await helmTemplate(TRICKY);
    expect(lint).toContain('1 chart(s) linted, 0 chart(s) failed');
    expect(lintStatus).toBe(0);
  });

  it('writes backquotes and carriage returns as interpreted strings and the rest as raw strings', () => {
    expect(escapeForHelm('a`b\rc', 'f')).toBe('{{`a`}}{{"`"}}{{`b`}}{{"\\r"}}{{`c`}}');
    expect(escapeForHelm('', 'f')).toBe('');
  });

  it('refuses text holding "<no value>", which Helm deletes from output', () => {
    expect(() => escapeForHelm('data:\n  x: "<no value>"\n', 'release/prd/a/b.yaml')).toThrow(
      /Helm deletes from rendered output/,
    );
  });
});
