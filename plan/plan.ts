import { resolve } from 'node:path';
import { InputError } from '../core/errors.js';
import { renderEnvironment, type RenderOptions, type RenderResult } from '../generator/pipeline.js';
import { clusterOf } from '../core/cluster.js';
import { secretGuard } from '../validators/release-guard.js';
import { hasErrors } from '../validators/run.js';
import type { ClusterDeclaration } from '../validators/types.js';
import {
  readValidationConfig,
  validateRendered,
  type ValidateResult,
  type ValidationConfig,
} from '../validators/validate.js';
import { loadBaseObjects, type BaseObjects } from './base-objects.js';
import { blobIdsOfFiles } from '../core/cache-files.js';
import { startBaseRead } from './base-thread.js';
import { diffPlans } from './diff.js';
import type { CompiledIgnore } from './ignore.js';
import { parsePattern } from './paths.js';
import { RISK_CODES, type PlanDiff, type PlanObject, type StorageClassInfo } from './types.js';

export interface PlanOptions extends RenderOptions {
  root: string;
  env: string;
  /** Git ref of the committed plan to compare with (default HEAD). */
  base?: string;
}

export interface PlanRun {
  diff: PlanDiff;
  validation: ValidateResult;
  render: RenderResult;
  config: ValidationConfig;
}

/** The `planIgnore` rules of validation.yaml, their paths parsed (bad ones name their line). */
export function compileIgnoreRules(config: ValidationConfig): CompiledIgnore[] {
  return config.planIgnore.map((e) => {
    const pattern = parsePattern(e.path);
    if (typeof pattern === 'string') {
      throw new InputError(`bad planIgnore path "${e.path}": ${pattern}`, {
        file: 'validation.yaml',
        line: e.line,
      });
    }
    return { kind: e.kind, pattern };
  });
}

function checkFailOn(config: ValidationConfig): void {
  config.planFailOn.forEach((code, i) => {
    if (!(RISK_CODES as readonly string[]).includes(code)) {
      throw new InputError(
        `unknown risk code "${code}" in planFailOn (codes: ${RISK_CODES.join(', ')})`,
        {
          file: 'validation.yaml',
          line: config.planFailOnLines?.[i],
        },
      );
    }
  });
}

function declaredStorageClasses(
  cluster: Partial<ClusterDeclaration>,
  env: string,
): StorageClassInfo[] {
  const list = Array.isArray(cluster.storageClasses) ? cluster.storageClasses : [];
  return list.map((s) => ({
    name: s.name,
    allowVolumeExpansion:
      typeof s.allowVolumeExpansion === 'boolean' ? s.allowVolumeExpansion : undefined,
    source: `declared in global.clusters.${env}.storageClasses`,
    isDefault: s.default === true,
  }));
}

/** A render of the working tree with its validation and the plan settings of validation.yaml. */
export interface RenderedPlan {
  render: RenderResult;
  validation: ValidateResult;
  config: ValidationConfig;
  ignore: CompiledIgnore[];
}

/** Validates a render as `render` does and reads the plan settings. */
export function preparePlan(
  render: RenderResult,
  options: Pick<RenderOptions, 'cache' | 'secretMode'> & {
    /** the new plan's git blob ids, when computed already (for the base read) */
    blobIds?: Map<string, string>;
  } = {},
): RenderedPlan {
  const config = readValidationConfig(render.project);
  const ignore = compileIgnoreRules(config);
  checkFailOn(config);
  const validation = validateRendered(
    render.project,
    render.loaded,
    render.release.manifests,
    render.release.files,
    render.loaded.env,
    {
      cache: options.cache === true && (options.secretMode ?? 'placeholder') !== 'real',
      blobIds: options.blobIds,
    },
  );
  return { render, validation, config, ignore };
}

function diffWithBase(rendered: RenderedPlan, base: BaseObjects): PlanDiff {
  const { render, validation, ignore } = rendered;
  const env = render.loaded.env;
  const prefix = `release/${env}/`;
  const next: PlanObject[] = render.release.manifests.map((m) => ({
    object: m.object,
    chart: m.chart,
    file: prefix + m.file,
  }));
  return diffPlans(
    { base: base.objects, next, sameFiles: new Set(base.sameFiles) },
    {
      env,
      base: { ref: base.ref, commit: base.commit },
      ignore,
      declaredStorageClasses: declaredStorageClasses(
        clusterOf(render.loaded.values, render.loaded.env),
        env,
      ),
      findings: validation.findings,
    },
  );
}

/**
 * Diffs a render against the committed `release/<env>/` at `ref`, read from git. Files whose bytes
 * equal the committed ones are recognised by their git object id and never read or parsed.
 */
export async function diffAgainstBase(rendered: RenderedPlan, ref: string): Promise<PlanDiff> {
  const { render } = rendered;
  const base = await loadBaseObjects(
    render.project.root,
    render.loaded.env,
    ref,
    blobIdsOfFiles(render.release.files, render.release.blobIds),
  );
  return diffWithBase(rendered, base);
}

/**
 * `manifests plan`: renders and validates the working tree's charts and values in memory while the
 * committed `release/<env>/` at the base ref is read from git and parsed (on another thread when
 * built), and diffs the two.
 */
export async function planEnvironment(options: PlanOptions): Promise<PlanRun> {
  const read = startBaseRead(resolve(options.root), options.env, options.base ?? 'HEAD');
  let rendered: RenderedPlan;
  let base: Promise<BaseObjects>;
  try {
    const render = renderEnvironment(options.root, options.env, options);
    // (the render cache gives those of unchanged documents)
    const blobIds = blobIdsOfFiles(render.release.files, render.release.blobIds);
    base = read.select(blobIds);
    // the caches keep nothing of a render that holds a set secret's value
    const cache = options.cache === true && secretGuard(render, options.env).length === 0;
    rendered = preparePlan(render, { ...options, cache, blobIds });
    if (cache) render.storeCache(blobIds);
  } catch (err) {
    read.cancel();
    throw err;
  }
  const diff = diffWithBase(rendered, await base);
  return {
    diff,
    validation: rendered.validation,
    render: rendered.render,
    config: rendered.config,
  };
}

/**
 * What `manifests plan` exits with: 1 when validation found an error or a change carries a risk
 * listed in `planFailOn`, else 0 (bad input is 2, raised as an InputError before this).
 */
export function planExitCode(run: Pick<PlanRun, 'diff' | 'config'>): 0 | 1 {
  if (hasErrors(run.diff.findings)) return 1;
  const failOn = new Set(run.config.planFailOn);
  if (run.diff.resources.some((r) => r.risks.some((k) => failOn.has(k.code)))) return 1;
  return 0;
}
