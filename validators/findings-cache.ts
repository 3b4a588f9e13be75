/**
 * The findings cache of object-local rules (`scope: 'object'`): what such a rule found about an
 * object, stored under `.manifests-cache/validate/<env>.json` of the project (gitignored) and keyed
 * by a hash of the object's content. A rule is object-local when its findings about an object depend
 * only on that object and on the settings in the cache's context key; `test/findings-cache.test.ts`
 * checks that each rule so marked finds the same about a plan as about each of its objects alone.
 *
 * The context key covers the tool (a hash of its own validators/ and core/ code and of the versions
 * of the libraries whose schemas and validators it runs, plus the cache format), the selected rules,
 * and the settings those rules read: strict mode, the kinds accepted without a schema and the
 * Kubernetes version. An entry made under another key, or a file that cannot be read, is a miss:
 * the cache can only make a run faster, never change what it reports.
 *
 * Objects are the rendered plan, which holds placeholders, never a secret's value; runs that render
 * with the real values do not use the cache.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { codeFingerprint, gitBlobId, writeFileAtomically } from '../core/cache-files.js';
import type { Manifest } from '../core/manifest.js';
import type { FieldPath, Rule, RuleContext, RuleFinding, Severity } from './types.js';

/** Bumped when what an entry holds changes. */
const FORMAT = 2;

/** A finding as stored: the field path, the message and a severity other than the rule's. */
type StoredFinding = [path: FieldPath, message: string, severity?: Severity];

interface CacheFile {
  format: number;
  key: string;
  /** object hash -> 0 when no cached rule found anything, else rule id -> findings */
  entries: Record<string, 0 | Record<string, StoredFinding[]>>;
}

/** A hash of the code that validates: validators/ and core/, and the schema libraries' versions. */
export function validatorFingerprint(): string {
  return codeFingerprint(
    `findings cache ${FORMAT}`,
    ['validators', 'core'],
    [
      'kubernetes-models',
      '@kubernetes-models/argo-cd',
      '@kubernetes-models/istio',
      'ajv',
      'ajv-formats',
    ],
  );
}

/** The context key: the tool, the cached rules and the settings they read. */
export function contextKey(rules: Rule[], ctx: Omit<RuleContext, 'model'>, tool: string): string {
  return createHash('sha256')
    .update(
      JSON.stringify({
        tool,
        rules: rules.map((r) => r.id),
        strict: ctx.strict,
        allowUnknownKinds: [...ctx.allowUnknownKinds].sort(),
        kubernetesVersion: ctx.kubernetesVersion,
      }),
    )
    .digest('hex');
}

/** The cache file of an environment (`files` for a run without one). */
export function findingsCacheFile(cacheDir: string, env: string | undefined): string {
  return join(cacheDir, 'validate', `${env ?? 'files'}.json`);
}

function isStored(x: unknown): x is StoredFinding[] {
  return (
    Array.isArray(x) &&
    x.every(
      (f) =>
        Array.isArray(f) &&
        Array.isArray(f[0]) &&
        (f[0] as unknown[]).every((p) => typeof p === 'string' || typeof p === 'number') &&
        typeof f[1] === 'string' &&
        (f[2] === undefined || f[2] === 'error' || f[2] === 'warning' || f[2] === 'info'),
    )
  );
}

type Entry = 0 | Record<string, StoredFinding[]>;

/**
 * One run's view of the cache: the entries read from the file, and what this run found about the
 * other objects, to store. An entry holds the findings of every cached rule about one object.
 */
export class FindingsCache {
  /** Git blob ids of the files' texts, so a file of several documents is hashed once. */
  private readonly textHashes: Map<string, string>;
  private readonly hashes = new Map<Manifest, string>();
  private readonly old: Record<string, unknown>;
  /** Findings of this run's misses, by object hash and rule. */
  private readonly fresh = new Map<string, Record<string, StoredFinding[]>>();
  /** Entries this run read and still uses. */
  private readonly kept = new Map<string, Entry>();
  /** Cached rules that ran in this run, and those whose findings could not be attributed. */
  private readonly ran = new Set<string>();
  private readonly unstorable = new Set<string>();
  /** Objects served from the cache, by rule (for tests and figures). */
  readonly hits = new Map<string, number>();

  constructor(
    private readonly file: string,
    private readonly key: string,
    private readonly rules: string[],
    private readonly fileTexts: Map<string, string>,
    /** blob ids the caller already computed, by file (a plan has them for its base read) */
    knownBlobIds?: ReadonlyMap<string, string>,
  ) {
    this.textHashes = new Map(knownBlobIds);
    let old: Record<string, unknown> = {};
    try {
      const data = JSON.parse(readFileSync(file, 'utf8')) as Partial<CacheFile>;
      if (
        data &&
        data.format === FORMAT &&
        data.key === key &&
        data.entries &&
        typeof data.entries === 'object' &&
        !Array.isArray(data.entries)
      )
        old = data.entries;
    } catch {
      // missing, unreadable or not JSON: every object is a miss
    }
    this.old = old;
  }

  /**
   * The object's key: the text of its file and where in the file it is (every caller hands objects
   * together with the texts they were read from or rendered into, as line numbers need too), or its
   * content when there is no text.
   */
  private hashOf(m: Manifest): string {
    let h = this.hashes.get(m);
    if (h !== undefined) return h;
    const text = this.fileTexts.get(m.file);
    const where = `${m.line}\0${m.basePath ? JSON.stringify(m.basePath) : ''}`;
    if (text !== undefined) {
      let th = this.textHashes.get(m.file);
      if (th === undefined) {
        th = gitBlobId(text);
        this.textHashes.set(m.file, th);
      }
      h = m.line === 1 && !m.basePath ? th : `${th}:${where}`;
    } else {
      h = createHash('sha1')
        .update(`object\0${JSON.stringify(m.object)}`)
        .digest('base64url');
    }
    this.hashes.set(m, h);
    return h;
  }

  private entryOf(h: string): Entry | undefined {
    const kept = this.kept.get(h);
    if (kept !== undefined) return kept;
    const e = this.old[h];
    if (e === 0 || (e && typeof e === 'object' && !Array.isArray(e))) {
      if (e !== 0) {
        for (const id of this.rules)
          if (!isStored((e as Record<string, unknown>)[id] ?? [])) return undefined;
      }
      this.kept.set(h, e as Entry);
      return e as Entry;
    }
    return undefined;
  }

  /**
   * Runs an object-local rule: objects with an entry get their stored findings back, the others
   * are checked (with a model of just those objects, when they are not all) and what the rule found
   * about them is kept for storing.
   */
  check(
    rule: Rule,
    manifests: Manifest[],
    ctx: RuleContext,
    model: (m: Manifest[]) => RuleContext['model'],
  ): RuleFinding[] {
    this.ran.add(rule.id);
    const out: RuleFinding[] = [];
    const misses: Manifest[] = [];
    for (const m of manifests) {
      const e = this.entryOf(this.hashOf(m));
      if (e === undefined) {
        misses.push(m);
        continue;
      }
      if (e === 0) continue;
      for (const [path, message, severity] of e[rule.id] ?? [])
        out.push(
          severity ? { manifest: m, path, message, severity } : { manifest: m, path, message },
        );
    }
    this.hits.set(rule.id, manifests.length - misses.length);
    if (misses.length === 0) return out;
    const found =
      misses.length === manifests.length
        ? rule.check(misses, ctx)
        : rule.check(misses, { ...ctx, model: model(misses) });
    const missed = new Set(misses);
    for (const f of found) {
      if (!f.manifest || !missed.has(f.manifest) || f.valuePath !== undefined) {
        this.unstorable.add(rule.id);
        continue;
      }
      const h = this.hashOf(f.manifest);
      let e = this.fresh.get(h);
      if (!e) this.fresh.set(h, (e = {}));
      (e[rule.id] ??= []).push(
        f.severity ? [f.path ?? [], f.message, f.severity] : [f.path ?? [], f.message],
      );
    }
    for (const m of misses) {
      const h = this.hashOf(m);
      if (!this.kept.has(h) && !this.fresh.has(h)) this.fresh.set(h, {});
    }
    out.push(...found);
    return out;
  }

  /**
   * Writes the entries of this run's objects (nothing when a cached rule did not run or found what
   * it could not attribute to an object), replacing the file atomically; a failure to write is not
   * an error of the run.
   */
  store(): void {
    if (this.unstorable.size > 0 || this.rules.some((id) => !this.ran.has(id))) return;
    const entries: Record<string, Entry> = {};
    for (const [h, e] of this.kept) entries[h] = e;
    for (const [h, e] of this.fresh) entries[h] = Object.keys(e).length === 0 ? 0 : e;
    const data: CacheFile = { format: FORMAT, key: this.key, entries };
    writeFileAtomically(this.file, JSON.stringify(data));
  }
}
