import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Handlebars from 'handlebars';
import { loadAll } from 'js-yaml';
import { InputError } from '../../core/errors.js';
import type { KubeObject } from '../../core/manifest.js';
import { rel, type ChartInfo, type Project } from '../project.js';
import { GLOBAL_KEY, type LoadedValues } from '../values/load.js';
import { TemplateError } from './errors.js';
import { registerHelpers, wrapPartial } from './helpers.js';
import { checkDocumentSize } from '../release/serialize.js';

/** One document produced by a template, before it is placed in the release. */
export interface RenderedDocument {
  chart: string;
  template: string;
  object: KubeObject;
}

/** What every template sees. */
export interface TemplateContext {
  values: unknown;
  global: unknown;
  env: string;
  chart: { name: string; version: string; description: string };
  /** Every chart's name and version (e.g. for ArgoCD Applications). */
  charts: { name: string; version: string }[];
  /** Every chart's merged values by chart name (e.g. Istio routing reads the app services). */
  all: Record<string, unknown>;
  /** This environment's cluster declaration: `global.clusters.<env>` (empty map when absent). */
  cluster: unknown;
}

type Compiled = (ctx: unknown, opts?: { data?: Record<string, unknown> }) => string;

interface CompiledChart {
  templates: { file: string; fn: Compiled }[];
}

const compiledCharts = new Map<string, CompiledChart>();

/** The folder of partials every chart can use: `charts/_partials/<name>.hbs`. */
export const SHARED_PARTIALS_DIR = '_partials';

function compileChart(project: Project, chart: ChartInfo): CompiledChart {
  const cacheKey = chart.dir;
  const cached = compiledCharts.get(cacheKey);
  if (cached) return cached;
  const hb = Handlebars.create();
  registerHelpers(hb);
  const partialFiles = new Map<string, string>();
  const addPartial = (name: string, display: string, source: string) => {
    const earlier = partialFiles.get(name);
    if (earlier !== undefined) {
      throw new TemplateError(
        `partial "${name}" is defined twice: in ${earlier} and here (rename one)`,
        display,
      );
    }
    partialFiles.set(name, display);
    // A partial's final newline would end up inside the line that includes it.
    const fn = compileTemplate(hb, source.replace(/\r?\n$/, ''), display);
    hb.registerPartial(name, wrapPartial(name, display, fn) as never);
  };

  const sharedDir = join(project.chartsDir, SHARED_PARTIALS_DIR);
  if (existsSync(sharedDir)) {
    for (const f of hbsFiles(sharedDir)) {
      const path = join(sharedDir, f);
      addPartial(
        f.replace(/^_/, '').slice(0, -'.hbs'.length),
        rel(project, path),
        readFileSync(path, 'utf8'),
      );
    }
  }

  const dir = join(chart.dir, 'templates');
  let files: string[];
  try {
    files = hbsFiles(dir);
  } catch {
    throw new InputError('chart has no templates/ folder', { file: rel(project, chart.dir) });
  }
  const templates: CompiledChart['templates'] = [];
  for (const f of files) {
    const path = join(dir, f);
    const display = rel(project, path);
    const raw = readFileSync(path, 'utf8');
    if (f.startsWith('_')) addPartial(f.slice(1, -'.hbs'.length), display, raw);
    else templates.push({ file: display, fn: compileTemplate(hb, raw, display) });
  }
  const result = { templates };
  compiledCharts.set(cacheKey, result);
  return result;
}

function hbsFiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.hbs'))
    .sort();
}

function compileTemplate(hb: typeof Handlebars, source: string, display: string): Compiled {
  try {
    // Precompile now so syntax errors surface with the template's name and line.
    hb.precompile(source, { strict: true, noEscape: true });
    return hb.compile(source, { strict: true, noEscape: true }) as Compiled;
  } catch (err) {
    throw templateError(err, display);
  }
}

function templateError(err: unknown, template: string): InputError {
  if (err instanceof InputError) return err;
  const e = err as { message?: string; lineNumber?: number };
  const msg = String(e.message ?? err);
  const parse = /^Parse error on line (\d+):/.exec(msg);
  if (parse) {
    const lines = msg.split('\n');
    const expecting = lines.find((l) => l.startsWith('Expecting')) ?? '';
    return new TemplateError(
      `template syntax error${expecting ? `: ${expecting}` : ''}`,
      template,
      Number(parse[1]),
    );
  }
  const loc = / - (\d+):(\d+)$/.exec(msg);
  const line = e.lineNumber ?? (loc ? Number(loc[1]) : undefined);
  const clean = msg
    .replace(/ - \d+:\d+$/, '')
    .replace(/ in \[object Object\]$/, '')
    .replace(/ in undefined$/, '');
  const text = /not defined/.test(clean)
    ? `template reads a value that is not defined: ${clean}`
    : `template error: ${clean}`;
  return new TemplateError(text, template, line);
}

/** The cluster declaration of the loaded environment: `global.clusters.<env>`. */
export function clusterOf(loaded: LoadedValues): Record<string, unknown> {
  const clusters = (loaded.values[GLOBAL_KEY] as Record<string, unknown> | undefined)?.clusters as
    Record<string, unknown> | undefined;
  const c = clusters?.[loaded.env];
  return c && typeof c === 'object' && !Array.isArray(c) ? (c as Record<string, unknown>) : {};
}

/** Renders every template of a chart into documents. */
export function renderChart(
  project: Project,
  chart: ChartInfo,
  loaded: LoadedValues,
): RenderedDocument[] {
  const compiled = compileChart(project, chart);
  const ctx: TemplateContext = {
    values: loaded.values[chart.name],
    global: loaded.values[GLOBAL_KEY],
    env: loaded.env,
    chart: { name: chart.name, version: chart.version, description: chart.description },
    charts: project.charts.map((c) => ({ name: c.name, version: c.version })),
    all: loaded.values,
    cluster: clusterOf(loaded),
  };
  const out: RenderedDocument[] = [];
  for (const t of compiled.templates) {
    let text: string;
    try {
      text = t.fn(ctx, { data: { template: t.file } });
    } catch (err) {
      throw templateError(err, t.file);
    }
    for (const object of parseRendered(text, t.file))
      out.push({ chart: chart.name, template: t.file, object });
  }
  return out;
}

/** Parses a template's output into Kubernetes-shaped objects, or fails naming the template. */
export function parseRendered(text: string, template: string): KubeObject[] {
  let docs: unknown[];
  try {
    docs = loadAll(text, null, { maxAliases: 0, filename: template });
  } catch (err) {
    const e = err as { reason?: string; message?: string; mark?: { line: number } };
    const line = e.mark ? e.mark.line + 1 : undefined;
    const shown = line ? text.split('\n')[line - 1] : undefined;
    throw new TemplateError(
      `template rendered invalid YAML${line ? ` (rendered line ${line}${shown !== undefined ? `: ${JSON.stringify(shown.slice(0, 80))}` : ''})` : ''}: ${e.reason ?? e.message}`,
      template,
    );
  }
  const objects: KubeObject[] = [];
  docs.forEach((doc, i) => {
    if (doc === null || doc === undefined) return;
    const problem = kubeShapeProblem(doc);
    if (problem) throw new TemplateError(`rendered document ${i + 1} ${problem}`, template);
    objects.push(checkDocumentSize(doc, template) as KubeObject);
  });
  return objects;
}

/**
 * Why a document is not a Kubernetes object we can handle, or undefined. The API server accepts
 * `metadata.generateName` instead of a name (it picks the name; ValidateObjectMeta requires one of
 * the two), so `validate` passes `{ generateName: true }`; a rendered plan still needs names,
 * because each resource's release path is made from its name.
 */
export function kubeShapeProblem(
  doc: unknown,
  options: { generateName?: boolean } = {},
): string | undefined {
  if (typeof doc !== 'object' || Array.isArray(doc) || doc === null) return 'is not a map';
  const d = doc as Record<string, unknown>;
  if (typeof d.apiVersion !== 'string' || d.apiVersion === '') return 'has no apiVersion';
  if (typeof d.kind !== 'string' || d.kind === '') return 'has no kind';
  const meta = d.metadata as Record<string, unknown> | undefined;
  if (!meta || typeof meta !== 'object' || Array.isArray(meta))
    return `(${d.kind}) has no metadata`;
  const generated = typeof meta.generateName === 'string' && meta.generateName !== '';
  if (typeof meta.name !== 'string' || meta.name === '') {
    if (meta.name !== undefined && meta.name !== null && meta.name !== '')
      return `(${d.kind}) has a metadata.name that is not a string`;
    if (!generated) return `(${d.kind}) has no metadata.name (nor metadata.generateName)`;
    if (!options.generateName)
      return `(${d.kind}, generateName ${JSON.stringify(meta.generateName)}) has no metadata.name: a rendered resource needs a name, because its release file is named after it (generateName is for objects created outside the plan)`;
  }
  if (meta.namespace !== undefined && (typeof meta.namespace !== 'string' || meta.namespace === ''))
    return `(${d.kind}/${String(meta.name ?? `${String(meta.generateName)}*`)}) has a metadata.namespace that is not a string`;
  return undefined;
}

/** Renders every chart. */
export function renderAllCharts(project: Project, loaded: LoadedValues): RenderedDocument[] {
  const docs: RenderedDocument[] = [];
  for (const chart of project.charts) docs.push(...renderChart(project, chart, loaded));
  return docs;
}
