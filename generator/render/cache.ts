/**
 * The render cache: each chart's rendered documents, stored under `.manifests-cache/render/` of the
 * project (gitignored) and keyed by a hash of everything the chart's output can depend on:
 *
 * - the tool: a hash of its own render code (generator/ and core/) and of the versions of the
 *   libraries that read and render (Handlebars, js-yaml), plus the cache format;
 * - the chart: every file under charts/<chart>/ (templates, partials, chart.yaml, values.yaml,
 *   schema) and the shared partials (charts/_partials/), its name, version and description, and
 *   every chart's name and version (`charts`);
 * - the environment's name and the merged values the templates see: the chart's own values and
 *   `global` (and so the cluster declaration);
 * - the secret declarations and the names of the secret variables that are set (never their values;
 *   placeholders are part of the merged values).
 *
 * What the templates read of the other charts' values (`all`) is recorded while the chart renders
 * and kept with the entry (reads.ts): the entry is served only when each of those reads gives the
 * same in this render's values.
 *
 * Secrets' real values are never written: a render with `secretMode: 'real'` neither reads nor
 * writes the cache, and an entry whose text would hold a set secret's value is not written.
 * Anything unreadable or not matching its key is a miss.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { FastLoadOptions } from './fast-yaml.js';
import {
  codeFingerprint,
  gitBlobId,
  jsonSafe,
  pruneFolder,
  readFileLines,
  writeFileAtomically,
} from '../../core/cache-files.js';
import type { KubeObject, RenderedDocument } from '../../core/manifest.js';
import { isObj } from '../../core/object.js';
import { readsHold, type StoredReads } from './reads.js';
import { CACHE_DIR, type ChartInfo, type Project } from '../project.js';
import { GLOBAL_KEY, type LoadedValues } from '../values/load.js';

/** Bumped when what an entry holds changes. */
const FORMAT = 7;
/** Entries kept per environment and chart (a plan renders the base and the head). */
const KEEP = 4;

/** A hash of the code that renders: this tool's generator/ and core/ files, and its libraries' versions. */
export function toolFingerprint(): string {
  return codeFingerprint(
    `render cache ${FORMAT}`,
    ['generator', 'core'],
    ['handlebars', 'js-yaml'],
  );
}

/**
 * The files a chart's render reads: everything under charts/<chart>/ and under the folders of
 * charts/ that are not charts (names starting with `_`, such as the shared partials in
 * charts/_partials/), in name order.
 */
export function chartInputFiles(project: Project, chart: ChartInfo): string[] {
  return [...project.files.keys()]
    .filter((p) => {
      const m = /^charts\/([^/]+)\//.exec(p);
      return m !== null && (m[1] === chart.name || m[1].startsWith('_'));
    })
    .sort();
}

const valueHashes = new WeakMap<LoadedValues, Map<string, string>>();

/**
 * The SHA-256 of a top-level key's merged values (a chart's, `global`), computed once per load:
 * every chart's key names its own values and `global` by these hashes.
 */
function valueHashOf(loaded: LoadedValues, key: string): string {
  let memo = valueHashes.get(loaded);
  if (!memo) valueHashes.set(loaded, (memo = new Map()));
  let v = memo.get(key);
  if (v === undefined) {
    const json = Object.hasOwn(loaded.values, key)
      ? (JSON.stringify(loaded.values[key]) ?? 'undefined')
      : 'absent';
    v = createHash('sha256').update(json).digest('hex');
    memo.set(key, v);
  }
  return v;
}

/** The cache key of one chart's render: a hash of every input its output can depend on. */
export function chartCacheKey(
  project: Project,
  chart: ChartInfo,
  loaded: LoadedValues,
  tool: string = toolFingerprint(),
): string {
  const h = createHash('sha256');
  const part = (label: string, value: string) => {
    h.update(`${label}\0${value.length}\0`);
    h.update(value);
  };
  part('tool', tool);
  part('env', loaded.env);
  part('chart', JSON.stringify([chart.name, chart.version, chart.description]));
  part('charts', JSON.stringify(project.charts.map((c) => [c.name, c.version])));
  for (const path of chartInputFiles(project, chart))
    part(`file ${path}`, project.files.get(path)!);
  part('values', valueHashOf(loaded, chart.name));
  part('global', valueHashOf(loaded, GLOBAL_KEY));
  // what it reads of the other charts' values is kept with the entry (reads.ts)
  part('secrets', JSON.stringify(loaded.secrets));
  part('set', JSON.stringify(loaded.secretVariables.map((s) => s.variable).sort()));
  return h.digest('hex');
}

/**
 * An entry is JSON Lines: a header line, then one line per document. A document given again by a
 * later render keeps its line, which is written as it is (no serialising again).
 */
interface EntryHeader {
  key: string;
  /** the tool's fingerprint (documents are reused across keys only by the same tool) */
  tool: string;
  /** how many document lines follow (a shorter file is a truncated one) */
  docs: number;
  /** what the templates read of the other charts' values: it must read the same for a hit */
  reads: StoredReads;
}

/** A document line: the document, its release file text and the hash of its template output. */
interface DocLine {
  template: string;
  object: KubeObject;
  text: string;
  source?: string;
  /** the git blob id of `text` (so a plan does not hash the texts of unchanged documents again) */
  blob?: string;
}

const ENTRY_SUFFIX = '.jsonl';

/** The stored line of each object the cache gave again, with the template it was rendered by. */
const storedLines = new WeakMap<object, { template: string; line: string }>();

/** An entry's header and document lines, or undefined when it is unreadable or truncated. */
function readEntry(
  file: string,
): { header: EntryHeader; docs: { doc: DocLine; line: string }[] } | undefined {
  let header: EntryHeader | undefined;
  const docs: { doc: DocLine; line: string }[] = [];
  // read line by line: an entry of 20,000 documents is never one string of 40 MB
  const complete = readFileLines(file, (line) => {
    try {
      if (header === undefined) {
        header = JSON.parse(line) as EntryHeader;
        return (
          isObj(header) &&
          typeof header.key === 'string' &&
          typeof header.tool === 'string' &&
          typeof header.docs === 'number'
        );
      }
      const doc = JSON.parse(line) as DocLine;
      if (
        !isObj(doc) ||
        typeof doc.text !== 'string' ||
        typeof doc.template !== 'string' ||
        !isObj(doc.object) ||
        (doc.source !== undefined && typeof doc.source !== 'string') ||
        (doc.blob !== undefined && typeof doc.blob !== 'string')
      )
        return false;
      docs.push({ doc, line });
      return docs.length <= header.docs;
    } catch {
      return false;
    }
  });
  if (!complete || header === undefined || header.docs !== docs.length) return undefined;
  return { header, docs };
}

function entryPrefix(env: string, chart: string): string {
  return `${env}.${chart}.`;
}

function cacheFolder(project: Project): string {
  return join(project.root, CACHE_DIR, 'render');
}

/**
 * The cached documents of a chart for this key, or undefined; only when what its templates read
 * of the other charts' values then is the same in these values.
 */
export function readCachedChart(
  project: Project,
  chart: ChartInfo,
  loaded: LoadedValues,
  key: string,
): RenderedDocument[] | undefined {
  const entry = readEntry(
    join(cacheFolder(project), `${entryPrefix(loaded.env, chart.name)}${key}${ENTRY_SUFFIX}`),
  );
  if (!entry || entry.header.key !== key || !readsHold(entry.header.reads, loaded.values))
    return undefined;
  return entry.docs.map(({ doc }) => ({
    chart: chart.name,
    template: doc.template,
    object: doc.object,
    text: doc.text,
    blobId: doc.blob,
  }));
}

/** The hash of a document's template output by which the cache finds it again. */
function hashSource(source: string): string {
  return createHash('sha1').update(source).digest('base64url');
}

/**
 * Documents of a chart's previous render, for a render of the chart whose inputs changed: a
 * document's template output that is exactly the same as then (the same lines between `---`
 * separators) gives the same object and release text, so it is not read or written out again.
 * Only entries of the same tool are used; what the reader and emitter make of a text depends on
 * nothing else.
 */
export class DocumentReuse {
  /** Documents given again in this render. */
  reused = 0;
  private readonly used = new Set<object>();

  constructor(
    private readonly known: Map<
      string,
      { object: KubeObject; text: string; blob?: string; template: string; line: string }
    >,
  ) {}

  /**
   * Parses a template's output as `parse` does, reusing the documents known by their source. Each
   * document carries the hash of its source (when the fast reader read the output) and its text
   * when it was reused.
   */
  parse(
    text: string,
    template: string,
    parse: (text: string, template: string, options: FastLoadOptions) => KubeObject[],
  ): { object: KubeObject; source?: string; text?: string; blobId?: string }[] {
    const sources: string[] = [];
    const hashes = new Map<string, string>();
    const texts = new Map<object, string>();
    const blobs = new Map<object, string>();
    const hashOf = (source: string) => {
      let h = hashes.get(source);
      if (h === undefined) hashes.set(source, (h = hashSource(source)));
      return h;
    };
    let reused = 0;
    const reuse = (source: string): unknown => {
      const known = this.known.get(hashOf(source));
      if (!known) return undefined;
      // an object is handed out once; the same output twice gets a copy
      let object = known.object;
      if (this.used.has(known.object)) object = structuredClone(known.object);
      else storedLines.set(object, { template: known.template, line: known.line });
      this.used.add(known.object);
      texts.set(object, known.text);
      if (known.blob !== undefined) blobs.set(object, known.blob);
      reused++;
      return object;
    };
    const objects = parse(text, template, { reuse, sources });
    if (sources.length !== objects.length) return objects.map((object) => ({ object }));
    this.reused += reused;
    return objects.map((object, i) => {
      const t = texts.get(object);
      const source = hashOf(sources[i]);
      if (t === undefined) return { object, source };
      const blobId = blobs.get(object);
      return blobId === undefined
        ? { object, source, text: t }
        : { object, source, text: t, blobId };
    });
  }
}

/**
 * The documents of the newest entry of an environment's chart, to reuse (none when there is no
 * readable entry of this tool).
 */
export function readReusableDocuments(
  project: Project,
  chart: ChartInfo,
  env: string,
): DocumentReuse {
  const known = new Map<
    string,
    { object: KubeObject; text: string; blob?: string; template: string; line: string }
  >();
  const dir = cacheFolder(project);
  const prefix = entryPrefix(env, chart.name);
  try {
    const newest = readdirSync(dir)
      .filter((f) => f.startsWith(prefix) && f.endsWith(ENTRY_SUFFIX))
      .map((f) => ({ f, t: statSync(join(dir, f)).mtimeMs }))
      .sort((a, b) => b.t - a.t)[0];
    const entry = newest ? readEntry(join(dir, newest.f)) : undefined;
    if (entry && entry.header.tool === toolFingerprint())
      for (const { doc, line } of entry.docs)
        if (doc.source !== undefined)
          known.set(doc.source, {
            object: doc.object,
            text: doc.text,
            blob: doc.blob,
            template: doc.template,
            line,
          });
  } catch {
    // no folder: nothing to reuse
  }
  return new DocumentReuse(known);
}

/**
 * Stores a chart's documents (atomically: a temporary file renamed), unless they would not read back
 * the same or would hold a set secret's value; keeps the newest entries of the environment and chart.
 * Failing to write is not an error: the cache is an optimisation.
 */
export function writeCachedChart(
  project: Project,
  chart: ChartInfo,
  loaded: LoadedValues,
  key: string,
  docs: RenderedDocument[],
  reads: StoredReads,
  /** git blob ids of the release files the caller has, by path (the others are computed) */
  blobIds?: ReadonlyMap<string, string>,
): void {
  if (docs.some((d) => d.text === undefined)) return;
  // no line may hold a set secret's value, as written, JSON-escaped or in base64
  const forms = loaded.secretVariables
    .filter((s) => s.value.length > 0)
    .flatMap((s) => [
      s.value,
      JSON.stringify(s.value).slice(1, -1),
      Buffer.from(s.value, 'utf8').toString('base64'),
    ]);
  const refused = new Error('not stored');
  // Lines are made as they are written (an entry of 20,000 documents is about 160 MB of lines);
  // each is checked before it is handed over, so a refused entry has written no line of it.
  function* lines(): Generator<string> {
    // (the reads hold paths and a hash, never a value)
    yield JSON.stringify({
      key,
      tool: toolFingerprint(),
      docs: docs.length,
      reads,
    } satisfies EntryHeader);
    for (const d of docs) {
      // a document the cache gave again is written as it was read (same template, same text)
      const stored = storedLines.get(d.object);
      let line: string;
      if (stored && stored.template === d.template) line = stored.line;
      else {
        if (!jsonSafe(d.object)) throw refused;
        const blob =
          d.blobId ??
          (d.file === undefined ? undefined : blobIds?.get(d.file)) ??
          gitBlobId(d.text!);
        const doc: DocLine =
          d.source === undefined
            ? { template: d.template, object: d.object, text: d.text!, blob }
            : { template: d.template, object: d.object, text: d.text!, source: d.source, blob };
        line = JSON.stringify(doc);
      }
      if (forms.length > 0 && forms.some((f) => line.includes(f))) throw refused;
      yield line;
    }
  }
  const dir = cacheFolder(project);
  const prefix = entryPrefix(loaded.env, chart.name);
  try {
    if (!writeFileAtomically(join(dir, `${prefix}${key}${ENTRY_SUFFIX}`), lines())) return;
    // (entries an older version of the tool wrote under another suffix are pruned the same way)
    pruneFolder(dir, KEEP, prefix);
  } catch {
    // a read-only or full disk only costs the next render its speed
  }
}

/** Removes the project's cache folder. */
export function clearCache(root: string): void {
  const dir = join(root, CACHE_DIR);
  if (existsSync(dir)) rmSync(dir, { recursive: true, force: true });
}
