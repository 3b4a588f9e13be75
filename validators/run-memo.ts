/**
 * The findings of a whole validation run, kept under `.manifests-cache/validate/<env>.run.json` of
 * the project (gitignored, next to the findings cache of object-local rules) and served when a run
 * has exactly the same inputs: `validate --env` right after the `render` that validated the same
 * plan, or a `render` in which nothing changed. Unlike the per-object findings cache, it covers the
 * rules that look across objects and at the values, so its key covers everything a rule may read:
 *
 * - the tool: a hash of its validators/, core/ and generator/ code (generator/ turns values into the
 *   origins values-level findings point at) and of the schema libraries' versions, and this format;
 * - the selected rules, in order;
 * - every field of the rule context except the model (which is built from the manifests): the
 *   environment, the merged values (as JSON), the cluster declaration's value path, the charts,
 *   strict mode, the kinds accepted without a schema, the allowed registries, the Kubernetes version
 *   and whether the manifests are a whole plan;
 * - where values-level findings point: the texts of the values files read, in layer order, and the
 *   secret declarations (file, line, path and variable of each);
 * - the manifests: file, line, position inside the file and chart of each, in order, and every file
 *   text (by its git blob id, in order), which holds the object it was read from or rendered into
 *   (the per-object cache keys objects the same way). Not the template that rendered a manifest:
 *   `validate` reads plan files and does not know it, and it must find what `render` found about
 *   the same plan, so no rule reads it (test/run-memo.test.ts checks that no rule does, that the
 *   two agree and that the memo serves `validate` after `render`);
 * - the findings made while reading the files.
 *
 * A run with a set secret variable (`ctx.secrets` not empty) neither reads nor writes it: the
 * secret-leak rule looks for those values, and no form of a secret value may be kept. Anything else
 * that is not an entry under the same key (another key, a damaged or foreign file) is a miss, so the
 * memo can make a run faster and never change what it reports.
 */
import { createHash } from 'node:crypto';
import {
  codeFingerprint,
  gitBlobId,
  readKeyedCacheFile,
  writeFileAtomically,
} from '../core/cache-files.js';
import { validatorFingerprint } from './findings-cache.js';
import type { SecretDeclaration } from '../generator/values/secrets.js';
import type { ContextInput, Finding, Rule, Severity } from './types.js';
import type { Manifest } from '../core/manifest.js';

/** Bumped when what the file holds changes. */
const FORMAT = 1;

interface MemoFile {
  format: number;
  key: string;
  findings: Finding[];
}

/** The run memo next to an environment's findings cache file. */
export function runMemoFile(findingsCacheFile: string): string {
  return findingsCacheFile.replace(/\.json$/, '') + '.run.json';
}

let fingerprint: string | undefined;

/** The findings cache's fingerprint (validators/, core/, the schema libraries) and generator/. */
function toolFingerprint(): string {
  return (fingerprint ??= `${validatorFingerprint()} ${codeFingerprint(
    `run memo ${FORMAT}`,
    ['generator'],
    ['js-yaml'],
  )}`);
}

export interface RunMemoInput {
  manifests: Manifest[];
  ctx: ContextInput;
  rules: Rule[];
  readFindings?: Finding[];
  /** What values-level findings point at: the values files read (texts) and the declarations. */
  valueSources?: {
    files: [path: string, text: string | undefined][];
    secrets: SecretDeclaration[];
  };
  /** Git blob ids of `ctx.fileTexts` by file, all of them. */
  blobIds: ReadonlyMap<string, string>;
}

/** The key of a run's inputs; undefined when the run must not be memoised (a set secret). */
export function runMemoKey(input: RunMemoInput): string | undefined {
  const { ctx } = input;
  if (ctx.secrets.length > 0) return undefined;
  // values-level findings point into the values files: without them the key would not cover that
  if (ctx.values !== undefined && input.valueSources === undefined) return undefined;
  const h = createHash('sha256');
  const part = (label: string, value: unknown) =>
    h.update(`${label}\0${JSON.stringify(value) ?? 'undefined'}\0`);
  part('tool', toolFingerprint());
  part(
    'rules',
    input.rules.map((r) => r.id),
  );
  part('context', {
    env: ctx.env,
    clusterPath: ctx.clusterPath,
    charts: ctx.charts,
    strict: ctx.strict,
    allowUnknownKinds: ctx.allowUnknownKinds,
    allowedRegistries: ctx.allowedRegistries,
    kubernetesVersion: ctx.kubernetesVersion,
    complete: ctx.complete,
  });
  part('cluster', ctx.cluster);
  part('values', ctx.values);
  const sources = input.valueSources;
  part('secret declarations', sources?.secrets ?? null);
  for (const [path, text] of sources?.files ?? []) {
    h.update(`values file\0${path}\0${text === undefined ? '-' : gitBlobId(text)}\0`);
  }
  for (const file of ctx.fileTexts.keys()) {
    const id = input.blobIds.get(file);
    if (id === undefined) return undefined;
    h.update(`file\0${file}\0${id}\0`);
  }
  for (const m of input.manifests) {
    h.update(
      `manifest\0${m.file}\0${m.line}\0${m.basePath ? JSON.stringify(m.basePath) : ''}\0${m.chart}\0`,
    );
  }
  part('read findings', input.readFindings ?? []);
  return h.digest('hex');
}

const SEVERITIES: readonly Severity[] = ['error', 'warning', 'info'];

function isFinding(x: unknown): x is Finding {
  if (!x || typeof x !== 'object') return false;
  const f = x as Record<string, unknown>;
  const loc = f.location as Record<string, unknown> | undefined;
  return (
    typeof f.ruleId === 'string' &&
    SEVERITIES.includes(f.severity as Severity) &&
    typeof f.resource === 'string' &&
    typeof f.path === 'string' &&
    typeof f.message === 'string' &&
    (loc === undefined ||
      (typeof loc === 'object' &&
        loc !== null &&
        typeof loc.file === 'string' &&
        (loc.line === undefined || typeof loc.line === 'number')))
  );
}

/** The findings stored under `key`, or undefined (missing, damaged, foreign or another key). */
export function readRunMemo(file: string, key: string): Finding[] | undefined {
  const findings = readKeyedCacheFile(file, FORMAT, key)?.findings;
  return Array.isArray(findings) && findings.every(isFinding) ? (findings as Finding[]) : undefined;
}

/** Keeps a run's findings (sorted as the run returns them); a failure to write is not an error. */
export function writeRunMemo(file: string, key: string, findings: Finding[]): void {
  const data: MemoFile = { format: FORMAT, key, findings };
  writeFileAtomically(file, JSON.stringify(data));
}
