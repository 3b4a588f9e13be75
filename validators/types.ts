import type { Projections } from './model/projection.js';
import type { KubeObject, Manifest } from '../core/manifest.js';
import type { ChartInfo } from '../generator/project.js';
import type { SourceLocation } from '../core/errors.js';
import type { ValidationModel } from './model/index.js';
import type { SetSecret } from '../generator/values/load.js';

export type Severity = 'error' | 'warning' | 'info';

/** A field path inside an object: map keys and list indexes. */
export type FieldPath = (string | number)[];

/** What a rule reports; the runner adds the rule id, severity and location. */
export interface RuleFinding {
  message: string;
  /** The manifest the finding is about (omit for values-level findings). */
  manifest?: Manifest;
  /** Field path inside the manifest's object. */
  path?: FieldPath;
  /** For values-level findings: the value path (e.g. ['global','clusters','prd','vpcs',0,'cidr']). */
  valuePath?: FieldPath;
  /** Overrides the rule's default severity. */
  severity?: Severity;
}

/** A finding as reports show it. */
export interface Finding {
  ruleId: string;
  severity: Severity;
  /** `Kind/namespace/name`, or `values` for values-level findings. */
  resource: string;
  /** Field path, e.g. `spec.template.spec.tolerations[0].key` (or a value path). */
  path: string;
  message: string;
  /** Rendered file and line, or values file and line. */
  location?: SourceLocation;
}

export interface Taint {
  key: string;
  value?: string;
  effect: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';
}

export interface NodeGroup {
  name: string;
  instanceType: string;
  minSize: number;
  desiredSize: number;
  maxSize: number;
  volumeSize?: number;
  privateNetworking?: boolean;
  labels?: Record<string, string>;
  taints?: Taint[];
  tags?: Record<string, string>;
  iamPolicies?: string[];
}

export interface Subnet {
  name: string;
  cidr: string;
  availabilityZone: string;
  type: 'private' | 'public';
}

export interface Vpc {
  name: string;
  role: 'ledger' | 'auditor' | 'client' | 'other';
  cidr: string;
  cidrs?: string[];
  subnets?: Subnet[];
}

export interface OutOfBandSecret {
  name: string;
  namespace: string;
  keys?: string[];
  description?: string;
}

/** A StorageClass the cluster has without the plan rendering it (created by the provider). */
export interface DeclaredStorageClass {
  name: string;
  provisioner: string;
  /** The cluster's default class, used by PVCs that name none. */
  default?: boolean;
  /** Whether claims of this class may grow (read by `manifests plan`; unknown when absent). */
  allowVolumeExpansion?: boolean;
  description?: string;
}

/** The cluster declaration of one environment (`global.clusters.<env>`). */
export interface ClusterDeclaration {
  provider: 'eks' | 'minikube';
  name: string;
  kubernetesVersion: string;
  region?: string;
  accountId?: string;
  kmsKeyArn?: string;
  vpc?: string;
  nodeGroups: NodeGroup[];
  vpcs?: Vpc[];
  outOfBandSecrets?: OutOfBandSecret[];
  storageClasses?: DeclaredStorageClass[];
}

/** Everything a rule may read besides the manifests. */
export interface RuleContext {
  /** Indexes over all manifests of the run (pod templates, objects, config), built once. */
  model: ValidationModel;
  /** Environment being validated, when known (`--env`). */
  env?: string;
  /** That environment's cluster declaration, when known. */
  cluster?: ClusterDeclaration;
  /** Value path of the cluster declaration (for values-level findings): ['global','clusters',env]. */
  clusterPath: FieldPath;
  /** Merged values of every chart plus `global`, when known. */
  values?: Record<string, unknown>;
  /** Charts of the project, when known (name, version). */
  charts?: Pick<ChartInfo, 'name' | 'version'>[];
  /** Real secret values from the environment (never printed). */
  secrets: SetSecret[];
  /** Raw text of each manifest file, by file (for leak scans). */
  fileTexts: Map<string, string>;
  /** Strict schema checks (unknown fields, duplicate keys). */
  strict: boolean;
  /** Kinds with no schema that are accepted anyway. */
  allowUnknownKinds: string[];
  /** Registries images may come from (`global.allowedRegistries`), when known. */
  allowedRegistries?: string[];
  /**
   * The Kubernetes minor objects are checked for ("1.31"): `--kubernetes-version`, else the
   * cluster declaration's `kubernetesVersion`, else the newest supported one.
   */
  kubernetesVersion: string;
  /**
   * True when the manifests are a whole plan (`--env`, render): an object another one refers to
   * must be among them. False for files given on the command line (the kubeconform use): the
   * object may live in files not given, so rules looking for other objects report a warning.
   */
  complete: boolean;
  /**
   * True when a cached run checks only some objects again (validators/findings-cache.ts): the
   * others' findings come from the cache, and `model` holds just the objects handed to the rule and
   * those it reads (`reads.kinds`). An object-local rule then looks at nothing else.
   */
  recheck?: boolean;
}

/** A policy rule: one file each under validators/rules/, listed in validators/rules/index.ts. */
export interface Rule {
  /** The rule's id: its file name under validators/rules/ without `.ts`. */
  id: string;
  /** One line: what the rule checks. */
  description: string;
  severity: Severity;
  /**
   * A short paragraph: what it catches, why it matters in production, how to fix it. Shown in
   * SARIF (`fullDescription`, `help`) and the README's rule table.
   */
  docs: string;
  /** Kinds the rule looks at (all when absent); the runner hands it only those manifests. */
  kinds?: string[];
  /** Runs only when this is available (values-level or cluster rules). */
  needs?: 'cluster' | 'values';
  /**
   * `object`: what the rule finds about an object depends only on that object (its content, its
   * place in its file and its chart; not the file's path), on the context's `strict`, `allowUnknownKinds` and `kubernetesVersion`,
   * and on what `reads` declares (no other objects, values, cluster or secrets otherwise), and it
   * reports only about the objects it is handed, or about the values from `reads.context` alone
   * (not when `recheck` is set), so its findings can be cached per object
   * (validators/findings-cache.ts). Such a rule reads objects through `ctx.model` or the manifests
   * it is given; a cached run hands it the objects to check again and a model of those and of the
   * objects of `reads.kinds`.
   */
  scope?: 'object';
  /** With `scope: 'object'`: what else its findings about an object depend on. */
  reads?: {
    /** The context it reads besides the shared settings, as JSON (part of the cache's key). */
    context?: (ctx: Omit<RuleContext, 'model'>) => unknown;
    /** The kinds of the other objects it reads (a change to one of them checks every object again). */
    kinds?: readonly string[];
    /**
     * When it is not cached in a run: its findings then depend on something the cache must not
     * hold (a set secret's value) or cannot place (a finding about no object). `ctx.model` holds
     * every object of the run.
     */
    uncachedWhen?: (ctx: RuleContext) => boolean;
  };
  /**
   * For a rule that compares objects with each other (not `scope: 'object'`): what its findings
   * depend on, so that a run where all of that is as before gets the stored findings back without
   * running it (validators/plan-memo.ts).
   */
  memo?: {
    /**
     * A text of everything of the object its findings can depend on (from the run's
     * `Projections`, validators/model/projection.ts), or undefined for an object the rule never
     * reads, through the manifests it is handed or `ctx.model`. It is given every object of the run.
     *
     * With `labelKeys`, it is also given the label keys the run's selectors match on: whether
     * the rule finds anything may then depend on the pods' labels of those keys only, and the text
     * holds just those (so a `version` label that follows an image tag is left out). What it finds
     * may print every label: such findings are served only while the texts of all labels
     * (`labelKeys` undefined) are unchanged too.
     */
    project: (
      m: Manifest,
      p: Projections,
      labelKeys: ReadonlySet<string> | undefined,
    ) => string | undefined;
    /**
     * The label keys the object's selectors match on (a selector's `matchLabels` and
     * `matchExpressions` keys, a subset's labels), whose full text `project` gives.
     */
    labelKeys?: (m: Manifest) => Iterable<string> | undefined;
    /** What it reads of the context, as JSON (`complete`, the cluster…); nothing when absent. */
    context?: (ctx: RuleContext) => unknown;
  };
  check(manifests: Manifest[], ctx: RuleContext): RuleFinding[];
}

export type { KubeObject, Manifest };

/** A rule context before the runner adds the model. */
export type ContextInput = Omit<RuleContext, 'model'>;
