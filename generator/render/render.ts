import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { compiler, runtime as Handlebars, type HandlebarsEnv } from './handlebars.js';
import { loadAll } from 'js-yaml';
import { yamlErrorLine } from '../../core/errors.js';
import type { KubeObject, RenderedDocument } from '../../core/manifest.js';
import { clusterOf } from '../../core/cluster.js';
import { checkDocumentSize, kubeShapeProblem } from '../../core/shape.js';
import { CACHE_DIR, type ChartInfo, type Project } from '../project.js';
import { pruneFolder, writeFileAtomically } from '../../core/cache-files.js';
import { GLOBAL_KEY, type LoadedValues } from '../values/load.js';
import { TemplateError, templateError } from './errors.js';
import { fastLoadAll, type FastLoadOptions } from './fast-yaml.js';
import {
  chartCacheKey,
  readCachedChart,
  readReusableDocuments,
  writeCachedChart,
  type DocumentReuse,
} from './cache.js';
import { registerHelpers, wrapPartial } from './helpers.js';
import { ReadTracker, type StoredReads } from './reads.js';

/** One document produced by a template, before it is placed in the release. */
export type { RenderedDocument } from '../../core/manifest.js';

/** Most a template may render (the manifests limit); objects are also checked for the API server's limits. */
export const MAX_TEMPLATE_OUTPUT = 32 * 1024 * 1024;

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

/** The folder of partials every chart can use: `charts/_partials/<name>.hbs`. */
export const SHARED_PARTIALS_DIR = '_partials';

/** The `.hbs` files directly in a folder of the project (`prefix` ends with `/`), by name. */
function hbsFiles(project: Project, prefix: string): string[] {
  return [...project.files.keys()]
    .filter(
      (p) => p.startsWith(prefix) && p.endsWith('.hbs') && !p.slice(prefix.length).includes('/'),
    )
    .map((p) => p.slice(prefix.length))
    .sort();
}

/** Compiles a chart's templates once per project (the cache lives in the project object). */
function compileChart(project: Project, chart: ChartInfo, diskCache: boolean): CompiledChart {
  const cached = project.cache.templates.get(chart.name) as CompiledChart | undefined;
  if (cached) return cached;
  const hb = Handlebars.create();
  registerHelpers(hb);
  const codeCache = diskCache ? join(project.root, CACHE_DIR, 'templates') : undefined;
  const partialFiles = new Map<string, string>();
  const addPartial = (name: string, display: string, raw: string) => {
    const earlier = partialFiles.get(name);
    if (earlier !== undefined) {
      throw new TemplateError(
        `partial "${name}" is defined twice: in ${earlier} and here (rename one)`,
        display,
      );
    }
    partialFiles.set(name, display);
    // A partial's final newline would end up inside the line that includes it.
    const fn = compileTemplate(hb, raw.replace(/\r?\n$/, ''), display, codeCache);
    hb.registerPartial(name, wrapPartial(hb, name, display, fn) as never);
  };

  const shared = `charts/${SHARED_PARTIALS_DIR}/`;
  for (const f of hbsFiles(project, shared))
    addPartial(
      f.replace(/^_/, '').slice(0, -'.hbs'.length),
      shared + f,
      project.files.get(shared + f)!,
    );

  const prefix = `charts/${chart.name}/templates/`;
  const templates: CompiledChart['templates'] = [];
  for (const f of hbsFiles(project, prefix)) {
    const display = prefix + f;
    const raw = project.files.get(display)!;
    if (f.startsWith('_')) addPartial(f.slice(1, -'.hbs'.length), display, raw);
    else templates.push({ file: display, fn: compileTemplate(hb, raw, display, codeCache) });
  }
  const result = { templates };
  project.cache.templates.set(chart.name, result);
  return result;
}

const TEMPLATE_OPTIONS = { strict: true, noEscape: true } as const;
/** Compiled templates kept in .manifests-cache/templates/ (the newest; one is added per edit). */
const MAX_STORED_TEMPLATES = 1000;
let templateKeyPrefix: string | undefined;

/** What a template's compiled code depends on besides its source: Handlebars and our options. */
function templateKey(source: string): string {
  templateKeyPrefix ??= `templates 1\0handlebars ${Handlebars.VERSION}\0${JSON.stringify(TEMPLATE_OPTIONS)}\0`;
  return createHash('sha256').update(templateKeyPrefix).update(source).digest('hex');
}

/**
 * Compiles a template (or partial): parsed once, so syntax errors and prototype paths surface with
 * the template's name and line, then compiled eagerly to Handlebars' precompiled form. With
 * `codeCache` (a folder), that form is kept there by a hash of the source, the Handlebars version
 * and our options, and loaded instead of parsing and compiling again: it depends on nothing else,
 * and only code that passed the checks is kept.
 */
function compileTemplate(
  hb: HandlebarsEnv,
  source: string,
  display: string,
  codeCache: string | undefined,
): Compiled {
  const key = codeCache ? templateKey(source) : undefined;
  if (codeCache && key) {
    try {
      const stored = readFileSync(join(codeCache, `${key}.js`), 'utf8');
      if (stored.startsWith(`// ${key}\n`)) {
        const spec = new Function(`return ${stored.slice(key.length + 4)}`)() as Parameters<
          typeof Handlebars.template
        >[0];
        return hb.template(spec) as Compiled;
      }
    } catch {
      // missing or damaged: compiled again below
    }
  }
  let spec: string;
  try {
    const full = compiler();
    const ast = full.parse(source);
    checkPropertyAccess(ast, display);
    spec = full.precompile(ast, TEMPLATE_OPTIONS) as unknown as string;
  } catch (err) {
    throw templateError(err, display);
  }
  if (codeCache && key && writeFileAtomically(join(codeCache, `${key}.js`), `// ${key}\n${spec}`))
    pruneFolder(codeCache, MAX_STORED_TEMPLATES);
  return hb.template(
    new Function(`return ${spec}`)() as Parameters<typeof Handlebars.template>[0],
  ) as Compiled;
}

/** Names that are never values: Handlebars would deny them and render an empty string. */
const NOT_VALUES = new Set([
  '__proto__',
  'constructor',
  'prototype',
  '__defineGetter__',
  '__defineSetter__',
  '__lookupGetter__',
  '__lookupSetter__',
]);

/**
 * Rejects paths such as `values.__proto__` or `x.constructor` at compile time, with their line:
 * Handlebars' runtime denies such prototype access with a console warning and an empty string.
 */
function checkPropertyAccess(ast: hbs.AST.Program, template: string): void {
  const visitor = new (compiler().Visitor)();
  visitor.PathExpression = function (path: hbs.AST.PathExpression) {
    const bad = path.parts.find((p) => NOT_VALUES.has(p));
    if (bad !== undefined) {
      throw new TemplateError(
        `template reads "${path.original}": "${bad}" is not a value (only own keys of the values are)`,
        template,
        path.loc?.start.line,
      );
    }
  };
  visitor.accept(ast);
}

/** The cluster declaration of the loaded environment: `global.clusters.<env>`. */

/** Renders every template of a chart into documents. */
export function renderChart(
  project: Project,
  chart: ChartInfo,
  loaded: LoadedValues,
  reuse?: DocumentReuse,
  /** records what the templates read of the other charts' values (for the render cache) */
  reads?: ReadTracker,
): RenderedDocument[] {
  const compiled = compileChart(project, chart, reuse !== undefined);
  const ctx: TemplateContext = {
    values: loaded.values[chart.name],
    global: loaded.values[GLOBAL_KEY],
    env: loaded.env,
    chart: { name: chart.name, version: chart.version, description: chart.description },
    charts: project.charts.map((c) => ({ name: c.name, version: c.version })),
    all: reads ? reads.all : loaded.values,
    cluster: clusterOf(loaded.values, loaded.env),
  };
  const out: RenderedDocument[] = [];
  for (const t of compiled.templates) {
    let text: string;
    try {
      text = t.fn(ctx, { data: { template: t.file } });
    } catch (err) {
      throw templateError(err, t.file);
    }
    if (text.length > MAX_TEMPLATE_OUTPUT) {
      throw new TemplateError(
        `template output is ${text.length} characters, over the ${MAX_TEMPLATE_OUTPUT} a template may render (the API server refuses objects over 1.5 MiB)`,
        t.file,
      );
    }
    if (reuse) {
      for (const d of reuse.parse(text, t.file, parseRendered))
        out.push({ chart: chart.name, template: t.file, ...d });
    } else {
      for (const object of parseRendered(text, t.file))
        out.push({ chart: chart.name, template: t.file, object });
    }
  }
  return out;
}

/** Parses a template's output into Kubernetes-shaped objects, or fails naming the template. */
export function parseRendered(
  text: string,
  template: string,
  options?: FastLoadOptions,
): KubeObject[] {
  // Most template output is in the subset the fast reader handles; anything else, and every error,
  // goes through js-yaml.
  const fast = fastLoadAll(text, options);
  if (fast && fast.every((doc) => kubeShapeProblem(doc) === undefined))
    return fast.map((doc) => checkDocumentSize(doc, template) as KubeObject);
  if (options?.sources) options.sources.length = 0;
  let docs: unknown[];
  try {
    docs = loadAll(text, null, { maxAliases: 0, filename: template });
  } catch (err) {
    const e = err as { reason?: string; message?: string };
    const line = yamlErrorLine(err);
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

/** How to render every chart. */
export interface RenderAllOptions {
  /** Read the render cache (.manifests-cache/render/); never with real secret values. */
  cache?: boolean;
  /** Charts served from the cache are added here (for reports and tests). */
  cacheHits?: string[];
  /** Counts the documents of re-rendered charts that the cache gave again (for tests and figures). */
  reused?: { documents: number };
  /**
   * Charts rendered because the cache had no entry: the caller stores them with `storeRendered`
   * once the release is built (so entries hold their file texts, and a render that fails later,
   * e.g. on a duplicate resource, stores nothing).
   */
  misses?: CacheMiss[];
}

/** A chart rendered on a cache miss, to be stored. */
export interface CacheMiss {
  chart: ChartInfo;
  key: string;
  docs: RenderedDocument[];
  /** what its templates read of the other charts' values */
  reads: StoredReads;
}

/** Renders every chart (each from the cache when its inputs are unchanged and `cache` is on). */
export function renderAllCharts(
  project: Project,
  loaded: LoadedValues,
  options: RenderAllOptions = {},
): RenderedDocument[] {
  const docs: RenderedDocument[] = [];
  for (const chart of project.charts) {
    if (!options.cache) {
      docs.push(...renderChart(project, chart, loaded));
      continue;
    }
    const key = chartCacheKey(project, chart, loaded);
    const cached = readCachedChart(project, chart, loaded, key);
    if (cached) {
      options.cacheHits?.push(chart.name);
      docs.push(...cached);
      continue;
    }
    // the chart renders again; documents whose template output is unchanged are not read again
    const reuse = readReusableDocuments(project, chart, loaded.env);
    const tracker = new ReadTracker(loaded.values, [chart.name, GLOBAL_KEY]);
    const rendered = renderChart(project, chart, loaded, reuse, tracker);
    if (options.reused && reuse) options.reused.documents += reuse.reused;
    options.misses?.push({ chart, key, docs: rendered, reads: tracker.stored() });
    docs.push(...rendered);
  }
  return docs;
}

/** Stores the charts rendered on cache misses (their documents now carry their file texts). */
export function storeRendered(
  project: Project,
  loaded: LoadedValues,
  misses: CacheMiss[],
  blobIds?: ReadonlyMap<string, string>,
): void {
  for (const m of misses)
    writeCachedChart(project, m.chart, loaded, m.key, m.docs, m.reads, blobIds);
}
