import { join } from 'node:path';
import { buildRelease, type ReleaseContent } from './release/build.js';
import {
  compareRelease,
  readReleaseFolder,
  writeReleaseAtomically,
  type ReleaseDrift,
} from './release/write.js';
import { renderAllCharts } from './render/render.js';
import { openProject, requireEnvironment, type Project } from './project.js';
import { loadValues, type LoadedValues, type LoadOptions } from './values/load.js';

export interface RenderResult {
  project: Project;
  loaded: LoadedValues;
  release: ReleaseContent;
  /** Absolute path of release/<env>/. */
  releaseDir: string;
}

/** Reads the project at `root` and renders every chart for one environment, in memory. */
export function renderEnvironment(root: string, env: string, options: LoadOptions): RenderResult {
  return renderProject(openProject(root), env, options);
}

/** Loads values and renders every chart of an open project for one environment, in memory. */
export function renderProject(project: Project, env: string, options: LoadOptions): RenderResult {
  requireEnvironment(project, env);
  const loaded = loadValues(project, env, options);
  const docs = renderAllCharts(project, loaded);
  const release = buildRelease(docs);
  return { project, loaded, release, releaseDir: join(project.releaseDir, env) };
}

export interface WriteSummary {
  files: number;
  drift: ReleaseDrift;
}

/** Renders and writes release/<env>/ atomically; reports what changed on disk. */
export async function renderAndWrite(
  root: string,
  env: string,
  options: LoadOptions,
): Promise<RenderResult & WriteSummary> {
  const result = renderEnvironment(root, env, options);
  const before = readReleaseFolder(result.releaseDir);
  const drift = compareRelease(before, result.release.files);
  if (drift.added.length + drift.removed.length + drift.changed.length > 0 || before.size === 0) {
    await writeReleaseAtomically(result.releaseDir, result.release.files, before);
  }
  return { ...result, files: result.release.files.size, drift };
}

/** Compares release/<env>/ on disk with a fresh render. */
export function checkRelease(
  root: string,
  env: string,
  options: LoadOptions,
): RenderResult & { drift: ReleaseDrift } {
  const result = renderEnvironment(root, env, options);
  const drift = compareRelease(readReleaseFolder(result.releaseDir), result.release.files);
  return { ...result, drift };
}
