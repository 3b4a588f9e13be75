import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { loadAll } from 'js-yaml';
import { createRequire } from 'node:module';
import { InputError, yamlInputError } from '../core/errors.js';
import type { KubeObject, Manifest } from '../core/manifest.js';
import { checkDocumentSize, kubeShapeProblem } from '../core/shape.js';
import { fastLoadAll } from '../generator/render/fast-yaml.js';
import type { Finding } from './types.js';

/** The yaml library, loaded when a file needs its syntax tree (not on the fast path). */
const yaml = (): typeof import('yaml') =>
  createRequire(import.meta.url)('yaml') as typeof import('yaml');

export interface ReadResult {
  manifests: Manifest[];
  fileTexts: Map<string, string>;
  /** Problems found while reading (documents that are not objects, duplicate keys). */
  findings: Finding[];
  /** Paths that are not regular files (FIFOs, sockets, devices, links inside folders): not read. */
  skipped: string[];
}

export interface ReadOptions {
  strict: boolean;
  /** Base folder that file names are shown relative to. */
  base?: string;
  /** Chart of a file, when the files come from a release folder. */
  chartOf?: (file: string) => string;
  /** Text of standard input, for the path `-`. */
  stdin?: () => string;
}

const MANIFEST_FILE = /\.(ya?ml|json)$/i;
const MAX_FILE_BYTES = 32 * 1024 * 1024;

/**
 * Lists manifest files of the given paths (folders recursively, in the order of the files' paths
 * inside the folder, the order render gives a plan's files). Only regular files are read (a FIFO
 * would block forever, a link may point anywhere): others go to `skipped`.
 */
export function expandPaths(paths: string[], skipped: string[] = []): string[] {
  const out: string[] = [];
  for (const p of paths) {
    if (p === '-') {
      out.push(p);
      continue;
    }
    if (!existsSync(p)) throw new InputError('no such file or folder', { file: p });
    if (statSync(p).isDirectory()) {
      const files: { full: string; order: string }[] = [];
      const walk = (d: string) => {
        for (const entry of readdirSync(d, { withFileTypes: true })) {
          if (entry.name.startsWith('.')) continue;
          const full = join(d, entry.name);
          if (entry.isDirectory()) walk(full);
          else if (entry.isFile() && MANIFEST_FILE.test(entry.name))
            files.push({ full, order: relative(p, full).split(sep).join('/') });
          else if (!entry.isFile() && MANIFEST_FILE.test(entry.name)) skipped.push(full);
        }
      };
      walk(p);
      // in the order of their '/'-separated paths, the order render gives a plan's files
      files.sort((a, b) => (a.order < b.order ? -1 : a.order > b.order ? 1 : 0));
      for (const f of files) out.push(f.full);
    } else if (statSync(p).isFile()) out.push(p);
    else skipped.push(p);
  }
  return out;
}

/** Reads manifest files: YAML or JSON, several documents per file, `kind: List` expanded. */
export function readManifests(paths: string[], options: ReadOptions): ReadResult {
  const result: ReadResult = { manifests: [], fileTexts: new Map(), findings: [], skipped: [] };
  for (const path of expandPaths(paths, result.skipped)) {
    const display =
      path === '-'
        ? '(stdin)'
        : options.base
          ? relative(options.base, path).split(sep).join('/')
          : path;
    let text: string;
    try {
      text = path === '-' ? (options.stdin?.() ?? '') : readFileSync(path, 'utf8');
    } catch (err) {
      throw new InputError(`cannot read file: ${(err as NodeJS.ErrnoException).code ?? err}`, {
        file: display,
      });
    }
    if (path === '-' && text.trim() === '')
      throw new InputError('no input: standard input is empty', { file: display });
    if (text.length > MAX_FILE_BYTES)
      throw new InputError(`file is larger than ${MAX_FILE_BYTES} bytes`, { file: display });
    result.fileTexts.set(display, text);
    readText(text, display, options, result);
  }
  return result;
}

function readText(text: string, file: string, options: ReadOptions, result: ReadResult): void {
  const chart = options.chartOf?.(file) ?? '';
  const docs = parseDocuments(text, file, options, result);
  for (const { value, line } of docs) {
    if (value === null || value === undefined) continue;
    const v = value as Record<string, unknown>;
    if (
      v &&
      typeof v === 'object' &&
      !Array.isArray(v) &&
      v.kind === 'List' &&
      Array.isArray(v.items)
    ) {
      v.items.forEach((item, i) => addObject(item, file, line, chart, result, ['items', i]));
      continue;
    }
    addObject(value, file, line, chart, result, undefined);
  }
}

function addObject(
  value: unknown,
  file: string,
  line: number,
  chart: string,
  result: ReadResult,
  basePath: (string | number)[] | undefined,
): void {
  const problem = kubeShapeProblem(value, { generateName: true });
  if (problem) {
    result.findings.push({
      ruleId: 'schema',
      severity: 'error',
      resource: '(document)',
      path: basePath ? basePath.join('.') : '',
      message: `document ${problem}: every document needs apiVersion, kind and metadata.name (or metadata.generateName)`,
      location: { file, line },
    });
    return;
  }
  const object = checkDocumentSize(value, file) as KubeObject;
  result.manifests.push({ chart, object, file, line, basePath });
}

interface ParsedDoc {
  value: unknown;
  line: number;
}

function parseDocuments(
  text: string,
  file: string,
  options: ReadOptions,
  result: ReadResult,
): ParsedDoc[] {
  // Release files hold one document: the fast parser reads them. Streams of several documents go
  // through the position-keeping parser so each document knows its line.
  const multi = /^---/m.test(text.replace(/^---[^\n]*\n/, ''));
  if (!multi) {
    try {
      // Plan files (the release emitter's output) are in the subset the fast reader handles.
      const docs = fastLoadAll(text) ?? loadAll(text, null, { filename: file, maxAliases: 100 });
      const firstContent = text
        .split('\n')
        .findIndex((l) => l.trim() !== '' && !l.startsWith('#') && !l.startsWith('---'));
      return docs.map((value) => ({ value, line: firstContent < 0 ? 1 : firstContent + 1 }));
    } catch (err) {
      if (!/duplicate/i.test((err as { reason?: string }).reason ?? ''))
        throw yamlInputError(err, file);
    }
  }
  const lineCounter = new (yaml().LineCounter)();
  const docs = yaml().parseAllDocuments(text, { lineCounter, uniqueKeys: true });
  const list = Array.isArray(docs) ? docs : [];
  const out: ParsedDoc[] = [];
  for (const doc of list) {
    const fatal = doc.errors.filter((e) => e.code !== 'DUPLICATE_KEY');
    if (fatal.length > 0) {
      const e = fatal[0];
      throw new InputError(
        `YAML error: ${e.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '')}`,
        { file, line: lineCounter.linePos(e.pos[0]).line },
      );
    }
    for (const dup of doc.errors.filter((e) => e.code === 'DUPLICATE_KEY')) {
      if (!options.strict) continue;
      result.findings.push({
        ruleId: 'schema',
        severity: 'error',
        resource: '(document)',
        path: '',
        message:
          'a key is repeated in one mapping (Kubernetes keeps only one of them); remove the duplicate',
        location: { file, line: lineCounter.linePos(dup.pos[0]).line },
      });
    }
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: 100 });
    } catch (err) {
      throw new InputError(`cannot read document: ${(err as Error).message}`, { file });
    }
    const start = doc.contents?.range?.[0] ?? doc.range[0];
    out.push({ value, line: lineCounter.linePos(start).line });
  }
  return out;
}
