import { InputError } from '../core/errors.js';
import { resourceId, type Manifest } from '../core/manifest.js';
import { findOrigin, type OriginNode } from '../generator/values/origins.js';
import { FieldLocator, formatFieldPath } from './locate.js';
import { RULES } from './rules/index.js';
import { ValidationModel } from './model/index.js';
import {
  cachedInContext,
  contextKey,
  FindingsCache,
  textObjectKey,
  validatorFingerprint,
} from './findings-cache.js';
import { blobIdsOfFiles } from '../core/cache-files.js';
import { PlanMemo, planMemoFile } from './plan-memo.js';
import {
  readRunMemo,
  runMemoFile,
  runMemoKey,
  writeRunMemo,
  type RunMemoInput,
} from './run-memo.js';
import type { ContextInput, Finding, Rule, RuleContext, Severity } from './types.js';

export interface ValidationInput {
  manifests: Manifest[];
  ctx: ContextInput;
  /** Rule ids to run (all when absent). */
  only?: string[];
  /** Rule ids not to run. */
  skip?: string[];
  /** Origins of the merged values, for values-level findings. */
  valueOrigins?: OriginNode;
  /** Findings made while reading the files. */
  readFindings?: Finding[];
  rules?: Rule[];
  /**
   * The findings cache file of object-local rules (validators/findings-cache.ts); no cache when
   * absent. Only for plans rendered with placeholders.
   */
  cacheFile?: string;
  /** Git blob ids of `ctx.fileTexts` already computed (the findings cache keys objects by them). */
  blobIds?: ReadonlyMap<string, string>;
  /**
   * The values files read (project-relative path and text, in layer order) and the secret
   * declarations: where values-level findings point. With `cacheFile`, part of the run memo's key
   * (validators/run-memo.ts).
   */
  valueSources?: RunMemoInput['valueSources'];
}

const SEVERITY_ORDER: Record<Severity, number> = { error: 0, warning: 1, info: 2 };

/** Checks rule ids given on the command line. */
export function selectRules(rules: Rule[], only?: string[], skip?: string[]): Rule[] {
  const known = new Set(rules.map((r) => r.id));
  for (const id of [...(only ?? []), ...(skip ?? [])]) {
    if (!known.has(id)) {
      throw new InputError(`unknown rule "${id}" (rules: ${[...known].join(', ')})`);
    }
  }
  if (only && only.length === 0) throw new InputError('--only names no rule');
  const selected = rules.filter(
    (r) => (!only || only.includes(r.id)) && !(skip ?? []).includes(r.id),
  );
  if (selected.length === 0)
    throw new InputError('this selection runs no rule (check --only and --skip)');
  return selected;
}

/** Runs the selected rules and returns findings in a stable order (file, line, rule). */
export function runValidation(input: ValidationInput): Finding[] {
  const rules = selectRules(input.rules ?? RULES, input.only, input.skip);
  // a run with the same inputs as the one the memo keeps gets its findings back
  const blobIds =
    input.cacheFile && input.ctx.secrets.length === 0
      ? blobIdsOfFiles(input.ctx.fileTexts, input.blobIds)
      : input.blobIds;
  const memoFile = input.cacheFile ? runMemoFile(input.cacheFile) : undefined;
  const memoKey =
    memoFile && blobIds
      ? runMemoKey({
          manifests: input.manifests,
          ctx: input.ctx,
          rules,
          readFindings: input.readFindings,
          valueSources: input.valueSources,
          blobIds,
        })
      : undefined;
  const memo = memoFile && memoKey ? readRunMemo(memoFile, memoKey) : undefined;
  if (memo) return memo;
  const locator = new FieldLocator(input.ctx.fileTexts);
  const ctx: RuleContext = { ...input.ctx, model: new ValidationModel(input.manifests) };
  const runs = (r: Rule) =>
    !(r.needs === 'cluster' && !ctx.cluster) && !(r.needs === 'values' && !ctx.values);
  const cachedRules = input.cacheFile
    ? rules.filter((r) => runs(r) && cachedInContext(r, ctx))
    : [];
  const cached = new Set(cachedRules);
  const cache =
    input.cacheFile && cachedRules.length > 0
      ? new FindingsCache(
          input.cacheFile,
          contextKey(cachedRules, input.ctx, validatorFingerprint()),
          cachedRules,
          input.manifests,
          input.ctx.fileTexts,
          blobIds,
        )
      : undefined;
  // rules comparing objects with each other are served while what they read is unchanged
  const memoRules = input.cacheFile ? rules.filter((r) => r.memo && runs(r)) : [];
  const planMemo =
    input.cacheFile && memoRules.length > 0
      ? new PlanMemo(
          planMemoFile(input.cacheFile),
          validatorFingerprint(),
          memoRules,
          input.manifests,
          // the findings cache's object keys, or the same made from the blob ids
          cache
            ? (m) => cache.keyOf(m)
            : blobIds
              ? (m) => {
                  const id = blobIds.get(m.file);
                  return id === undefined ? undefined : textObjectKey(id, m);
                }
              : undefined,
        )
      : undefined;
  const findings: Finding[] = [];
  if (input.readFindings && rules.some((r) => r.id === 'schema'))
    findings.push(...input.readFindings);
  for (const rule of rules) {
    if (!runs(rule)) continue;
    const kinds = rule.kinds;
    const handed = () =>
      kinds ? input.manifests.filter((m) => kinds.includes(m.object.kind)) : input.manifests;
    const found =
      cache && cached.has(rule)
        ? cache.checkPlan(rule, handed, ctx, (subset) => new ValidationModel(subset))
        : planMemo && rule.memo
          ? planMemo.check(rule, handed(), ctx)
          : rule.check(handed(), ctx);
    for (const f of found) {
      const severity = f.severity ?? rule.severity;
      if (f.manifest) {
        const path = [...(f.manifest.basePath ?? []), ...(f.path ?? [])];
        findings.push({
          ruleId: rule.id,
          severity,
          resource: resourceId(f.manifest.object),
          path: formatFieldPath(f.path ?? []),
          message: f.message,
          location: {
            file: f.manifest.file,
            line: locator.lineOf(f.manifest.file, f.manifest.line, path),
          },
        });
      } else {
        const vp = f.valuePath ?? [];
        const found = findOrigin(input.valueOrigins, vp.map(String));
        const origin = found?.node.origin;
        findings.push({
          ruleId: rule.id,
          severity,
          resource: 'values',
          path: formatFieldPath(vp),
          message: f.message,
          location: origin?.kind === 'file' ? { file: origin.file, line: origin.line } : undefined,
        });
      }
    }
  }
  cache?.store();
  planMemo?.store();
  findings.sort(compareFindings);
  if (memoFile && memoKey) writeRunMemo(memoFile, memoKey, findings);
  return findings;
}

export function compareFindings(a: Finding, b: Finding): number {
  const fa = a.location?.file ?? '';
  const fb = b.location?.file ?? '';
  if (fa !== fb) return fa < fb ? -1 : 1;
  const la = a.location?.line ?? 0;
  const lb = b.location?.line ?? 0;
  if (la !== lb) return la - lb;
  if (a.ruleId !== b.ruleId) return a.ruleId < b.ruleId ? -1 : 1;
  return (
    SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] ||
    (a.message < b.message ? -1 : a.message > b.message ? 1 : 0)
  );
}

export function hasErrors(findings: Finding[]): boolean {
  return findings.some((f) => f.severity === 'error');
}
