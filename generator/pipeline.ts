import { basename, dirname, join } from 'node:path';
import { buildRelease, type ReleaseContent } from './release/build.js';
import { withLock, type LockOptions } from '../core/lock.js';
import { collectLargeHeap } from '../core/memory.js';
import {
  compareReleaseFolder,
  driftCount,
  recoverRelease,
  writeReleaseAtomically,
  type ReleaseDrift,
} from './release/write.js';
import { renderAllCharts, storeRendered, type CacheMiss } from './render/render.js';
import { CACHE_DIR, openProject, requireEnvironment, type Project } from './project.js';
import {
  fileClockBefore,
  loadReleaseIndex,
  releaseIndexFile,
  storeReleaseIndex,
} from './release/index-file.js';
import { gitBlobId } from '../core/cache-files.js';
import { loadValues, type LoadedValues, type LoadOptions } from './values/load.js';

/** Loading and rendering options. */
export interface RenderOptions extends LoadOptions {
  /**
   * Use the caches under .manifests-cache/ (charts whose inputs are unchanged are not rendered
   * again). The render cache is off with `secretMode: 'real'`, whatever this says: real secret
   * values are never cached.
   */
  cache?: boolean;
}

export interface RenderResult {
  project: Project;
  loaded: LoadedValues;
  release: ReleaseContent;
  /** Absolute path of release/<env>/. */
  releaseDir: string;
  /** Charts whose documents came from the render cache. */
  cacheHits: string[];
  /** Documents of re-rendered charts that the cache gave again (their template output was unchanged). */
  reusedDocuments: number;
  /**
   * Stores the charts rendered on cache misses (nothing without `cache`). Callers call it once the
   * render passed the secret guard, so no entry holds a set secret's value; with the git blob ids
   * of the release files they computed, which the entries keep (the others are computed).
   */
  storeCache: (blobIds?: ReadonlyMap<string, string>) => void;
}

/** Reads the project at `root` and renders every chart for one environment, in memory. */
export function renderEnvironment(root: string, env: string, options: RenderOptions): RenderResult {
  return renderProject(openProject(root), env, options);
}

/** Loads values and renders every chart of an open project for one environment, in memory. */
export function renderProject(project: Project, env: string, options: RenderOptions): RenderResult {
  requireEnvironment(project, env);
  const loaded = loadValues(project, env, options);
  const cacheHits: string[] = [];
  const cache = options.cache === true && (options.secretMode ?? 'placeholder') !== 'real';
  const misses: CacheMiss[] = [];
  const reused = { documents: 0 };
  const docs = renderAllCharts(project, loaded, { cache, cacheHits, misses, reused });
  const release = buildRelease(docs);
  // the render's garbage goes now, before validation and diffing build on the heap it left
  collectLargeHeap();
  return {
    project,
    loaded,
    release,
    releaseDir: join(project.releaseDir, env),
    cacheHits,
    reusedDocuments: reused.documents,
    storeCache: (blobIds) => storeRendered(project, loaded, misses.splice(0), blobIds),
  };
}

export interface WriteSummary {
  files: number;
  drift: ReleaseDrift;
  /** plan files read to compare them (the others were known unchanged from the release index) */
  filesRead: number;
}

/** How a write waits for another render of the same environment. */
export type WaitOptions = Pick<LockOptions, 'wait' | 'onWait' | 'timeoutMs'>;

/** The lock of release/<env>/: a folder beside it, `release/.<env>.lock`. */
export function releaseLockPath(releaseDir: string): string {
  return join(dirname(releaseDir), `.${basename(releaseDir)}.lock`);
}

/**
 * Writes a render to release/<env>/ atomically, holding the environment's lock: first cleans up
 * after killed writes, then writes only when the folder differs (content, stray links or modes).
 */
export async function writeRendered(
  result: RenderResult,
  wait: WaitOptions = {},
  index: {
    /**
     * Use and keep the release index (release/index-file.ts) under .manifests-cache/: files whose
     * stat shows them unchanged since recorded are not read. Only for a render that holds no
     * secret value (the index holds hashes of the plan files).
     */
    use?: boolean;
    /** the git blob ids of the render's files, when the caller has them */
    blobIds?: ReadonlyMap<string, string>;
  } = {},
): Promise<WriteSummary> {
  const what = `release/${basename(result.releaseDir)}/`;
  return withLock(releaseLockPath(result.releaseDir), { ...wait, what }, async () => {
    recoverRelease(result.releaseDir);
    const files = result.release.files;
    const indexFile = index.use
      ? releaseIndexFile(join(result.project.root, CACHE_DIR), result.loaded.env)
      : undefined;
    const recorded = indexFile ? loadReleaseIndex(indexFile, result.releaseDir) : undefined;
    const blobs = new Map<string, string>(index.blobIds);
    const blobOf = (path: string): string => {
      let blob = blobs.get(path);
      if (blob === undefined) blobs.set(path, (blob = gitBlobId(files.get(path) ?? '')));
      return blob;
    };
    const startedNs = fileClockBefore();
    // Files with a wrong mode are written again, not linked (a link keeps the mode).
    const { drift, empty, same, read } = compareReleaseFolder(
      result.releaseDir,
      files,
      recorded ? { index: recorded, blobOf } : undefined,
    );
    const write = driftCount(drift) > 0 || empty;
    if (write) await writeReleaseAtomically(result.releaseDir, files, same);
    // the index is kept current: after a write, and when files had to be read
    if (indexFile && (write || read > 0)) {
      for (const path of files.keys()) blobOf(path);
      storeReleaseIndex(indexFile, result.releaseDir, blobs, startedNs);
    }
    return { files: files.size, drift, filesRead: read };
  });
}

/** Renders and writes release/<env>/ atomically; reports what changed on disk. */
export async function renderAndWrite(
  root: string,
  env: string,
  options: RenderOptions,
  wait: WaitOptions = {},
): Promise<RenderResult & WriteSummary> {
  const result = renderEnvironment(root, env, options);
  return { ...result, ...(await writeRendered(result, wait)) };
}

/** Compares release/<env>/ on disk with a fresh render. */
export function checkRelease(
  root: string,
  env: string,
  options: RenderOptions,
): RenderResult & { drift: ReleaseDrift } {
  const result = renderEnvironment(root, env, options);
  const { drift } = compareReleaseFolder(result.releaseDir, result.release.files);
  return { ...result, drift };
}
