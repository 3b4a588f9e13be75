import type { KubeObject } from '../core/manifest.js';
import type { Finding } from '../validators/types.js';

/** What applying the plan does to one resource. */
export type PlanAction = 'add' | 'change' | 'replace' | 'destroy';

export const ACTIONS: readonly PlanAction[] = ['add', 'change', 'replace', 'destroy'];

/** Risk codes; each risk carries a reason a reviewer can act on. */
export type RiskCode =
  | 'immutable-field'
  | 'data-loss'
  | 'pvc-shrink'
  | 'cascade-delete'
  | 'scale-to-zero'
  | 'image-downgrade'
  | 'sync-order';

export const RISK_CODES: readonly RiskCode[] = [
  'immutable-field',
  'data-loss',
  'pvc-shrink',
  'cascade-delete',
  'scale-to-zero',
  'image-downgrade',
  'sync-order',
];

export interface Risk {
  code: RiskCode;
  reason: string;
}

/**
 * One field that differs. `old` is absent when the field is added, `new` when it is removed. Inside a
 * Secret's `data`/`stringData` neither ever holds a value: only a placeholder (`<<secret:VAR>>`) or
 * nothing, with `note` saying what changed.
 */
export interface FieldChange {
  /** Field path, keyed lists by their keys: `spec.template.spec.containers[name=web].image`. */
  path: string;
  old?: unknown;
  new?: unknown;
  note?: string;
}

/** A resource the plan adds, changes, replaces or destroys. */
export interface ResourceChange {
  /** `Kind/namespace/name` (or `Kind/name`), as findings show it. */
  id: string;
  /** API group, kind, namespace, name joined by `|`: the identity resources are matched by. */
  key: string;
  apiVersion: string;
  kind: string;
  namespace?: string;
  name: string;
  chart: string;
  /** Project-relative file of the new side (the base side for a destroyed resource). */
  file: string;
  action: PlanAction;
  /** Set when an added resource is a destroyed one under a new name (its destroy is folded in). */
  renamedFrom?: string;
  risks: Risk[];
  /** Field changes (empty for add and destroy). */
  changes: FieldChange[];
}

export interface PlanSummary {
  add: number;
  change: number;
  replace: number;
  destroy: number;
  unchanged: number;
}

/** The semantic difference between the committed plan at a base and a fresh render. */
export interface PlanDiff {
  env: string;
  base: { ref: string; commit?: string };
  summary: PlanSummary;
  /** Sorted by chart, then file. Unchanged resources are counted, not listed. */
  resources: ResourceChange[];
  /** Validation findings of the new plan. */
  findings: Finding[];
  /** Objects of the new plan and the destroyed ones, for connection graphs. */
  graph: GraphInput;
}

export interface GraphInput {
  /** Every object of the new plan, by resource key. */
  next: Map<string, PlanObject>;
  /** Objects only the base has (destroyed), by resource key. */
  gone: Map<string, PlanObject>;
}

/** A resource on one side of the plan. */
export interface PlanObject {
  object: KubeObject;
  chart: string;
  /** Project-relative file, e.g. `release/prd/app/apps/deployment-web.yaml`. */
  file: string;
}

/** A field the plan ignores (`planIgnore` in validation.yaml). */
export interface PlanIgnoreRule {
  /** Only objects of this kind (all kinds when absent). */
  kind?: string;
  /** Field path; `[*]` matches any list item or map key, `[name=x]` one keyed item. */
  path: string;
}

/** StorageClasses known to the plan: rendered ones, then those declared for the cluster. */
export interface StorageClassInfo {
  name: string;
  /** Undefined when a declaration does not say. */
  allowVolumeExpansion: boolean | undefined;
  /** Where the fact comes from, for reasons ("rendered in ...", "declared in global.clusters.prd"). */
  source: string;
  /** The class claims without `storageClassName` get. */
  isDefault?: boolean;
}
