import { load } from 'js-yaml';
import type { KubeObject } from '../core/manifest.js';
import { releasePathFor } from '../generator/release/paths.js';
import { diffPlans, type DiffOptions } from '../plan/diff.js';
import type { PlanDiff, PlanObject, ResourceChange } from '../plan/types.js';

/** A plan object from YAML text (the file is derived as a render would place it). */
export function planObject(yaml: string, chart = 'app'): PlanObject {
  const object = load(yaml) as KubeObject;
  return { object, chart, file: `release/prd/${releasePathFor(chart, object)}` };
}

/** Diffs two lists of YAML documents. */
export function diffYaml(
  base: (string | PlanObject)[],
  next: (string | PlanObject)[],
  options: Partial<DiffOptions> = {},
): PlanDiff {
  const toObj = (x: string | PlanObject) => (typeof x === 'string' ? planObject(x) : x);
  return diffPlans(
    { base: base.map(toObj), next: next.map(toObj) },
    { env: 'prd', base: { ref: 'HEAD' }, ...options },
  );
}

/** The only changed resource of a plan (fails when there is not exactly one). */
export function only(diff: PlanDiff): ResourceChange {
  if (diff.resources.length !== 1) {
    throw new Error(
      `expected one changed resource, got ${diff.resources.map((r) => `${r.action} ${r.id}`).join(', ') || 'none'}`,
    );
  }
  return diff.resources[0];
}

export function clone<T>(x: T): T {
  return structuredClone(x);
}

/** A Deployment with one container `web`. */
export function deployment(
  extra: { containers?: string; spec?: string; name?: string } = {},
): string {
  return `
apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${extra.name ?? 'web'}
  namespace: apps
spec:
  replicas: 2
  selector:
    matchLabels: { app: web }
${extra.spec ?? ''}
  template:
    metadata:
      labels: { app: web }
    spec:
      containers:
${
  extra.containers ??
  `        - name: web
          image: registry.example/web:1.2.0`
}
`;
}
