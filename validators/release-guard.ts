import { blobIdsOfFiles } from '../core/cache-files.js';
import { collectLargeHeap } from '../core/memory.js';
import {
  renderEnvironment,
  type RenderOptions,
  writeRendered,
  type RenderResult,
  type WaitOptions,
  type WriteSummary,
} from '../generator/pipeline.js';
import { findSecretValueLeaks, secretLeakRule } from './rules/secret-leak.js';
import { runValidation } from './run.js';
import type { Finding, Rule } from './types.js';
import { contextOfRender, validateRendered, type ValidateResult } from './validate.js';

/** The leak check `render` runs before it writes, whatever `skip` says. */
const SECRET_GUARD: Rule = { ...secretLeakRule, check: findSecretValueLeaks };

export interface GuardedRender {
  result: RenderResult;
  validation: ValidateResult;
  /** Findings that stopped the write: a set secret's value is in the plan. */
  blocked: Finding[];
  /** What was written (absent when blocked). */
  written?: WriteSummary;
}

/** The findings that stop a write (or a cache store): a set secret's value is in the render. */
export function secretGuard(result: RenderResult, env: string): Finding[] {
  const { manifests, ctx } = contextOfRender(result, env);
  return runValidation({ manifests, ctx, rules: [SECRET_GUARD] }).filter(
    (f) => f.severity === 'error',
  );
}

/**
 * `render`: renders in memory, validates the objects held (no re-read), and writes release/<env>/
 * only when no set secret's value appears in the plan: the committed plan never holds a secret, even
 * with `secret-leak` skipped by validation.yaml or --skip.
 */
export async function renderValidateAndWrite(
  root: string,
  env: string,
  options: RenderOptions,
  wait: WaitOptions = {},
): Promise<GuardedRender> {
  const result = renderEnvironment(root, env, options);
  // first: no cache (render or findings) ever keeps anything of a render holding a secret's value
  const blocked = secretGuard(result, env);
  const cache =
    blocked.length === 0 &&
    options.cache === true &&
    (options.secretMode ?? 'placeholder') !== 'real';
  // hashed once: the findings cache keys objects by them, the release index compares files by them
  const blobIds = cache ? blobIdsOfFiles(result.release.files, result.release.blobIds) : undefined;
  const validation = validateRendered(
    result.project,
    result.loaded,
    result.release.manifests,
    result.release.files,
    env,
    { cache, blobIds },
  );
  if (blocked.length > 0) return { result, validation, blocked };
  // validation's garbage goes before the cache and the plan files are written
  collectLargeHeap();
  result.storeCache(blobIds);
  return {
    result,
    validation,
    blocked,
    written: await writeRendered(result, wait, { use: cache, blobIds }),
  };
}
