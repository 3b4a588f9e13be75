/**
 * The findings cache of object-local rules (`scope: 'object'`): what such a rule found about an
 * object, stored under `.manifests-cache/validate/<env>.json` of the project (gitignored) and keyed
 * by the object: its file's git blob id, where in the file it is and its chart (not the file's path:
 * no cached rule's findings name it, which a test checks, so identical files share entries). A
 * rule is object-local when its findings about an object depend only on that object, on the objects
 * of the kinds it declares in `reads.kinds` and on the settings in the cache's context key;
 * `test/findings-cache.test.ts` checks that each rule so marked finds the same about a plan as about
 * each of its files alone, given the objects it reads.
 *
 * The context key covers the tool (a hash of its own validators/ and core/ code and of the versions
 * of the libraries whose schemas and validators it runs, plus the cache format), the selected rules,
 * and the settings those rules read: strict mode, the kinds accepted without a schema, the
 * Kubernetes version and what each rule's `reads.context` takes (the environment, the cluster
 * declaration, the allowed registries). For a rule with `reads.kinds` the file also keeps a hash of
 * the objects of those kinds: when one of them changed, was added or went, that rule checks every
 * object again while the others still hit. What a cached rule finds about the values (a finding with
 * a value path) may depend only on the context in the key: it is kept with the rule's entries and
 * given back with them, and a rule checking some objects again (`ctx.recheck`) does not report it.
 * An entry made under another key, or a file that cannot be read, is a miss: the cache can only
 * make a run faster, never change what it reports.
 *
 * Objects are the rendered plan, which holds placeholders, never a secret's value; runs that render
 * with the real values do not use the cache, and a rule whose findings depend on the secrets' values
 * (`reads.uncachedWhen`) is not cached while one is set.
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import {
  codeFingerprint,
  gitBlobId,
  readKeyedCacheFile,
  writeFileAtomically,
} from '../core/cache-files.js';
import type { Manifest } from '../core/manifest.js';
import { isObj } from '../core/object.js';
import type { FieldPath, Rule, RuleContext, RuleFinding, Severity } from './types.js';

/** Bumped when what an entry holds changes. */
const FORMAT = 3;

/** A finding as stored: the field path, the message and a severity other than the rule's. */
type StoredFinding = [path: FieldPath, message: string, severity?: Severity];

interface CacheFile {
  format: number;
  key: string;
  /**
   * For each cached rule that reads other objects (`reads.kinds`): a hash of those objects, as
   * they were when its entries were made. A rule whose hash differs finds everything again.
   */
  reads: Record<string, string>;
  /** object hash -> 0 when no cached rule found anything, else rule id -> findings */
  entries: Record<string, 0 | Record<string, StoredFinding[]>>;
  /**
   * rule id -> what it found about the values (a finding with a value path), which depends only on
   * the context in the key: given back whenever the rule's entries are
   */
  values: Record<string, StoredFinding[]>;
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

/**
 * The context key: the tool, the cached rules and the settings they read (the shared ones, and what
 * each rule's `reads.context` takes from the context).
 */
export function contextKey(rules: Rule[], ctx: Omit<RuleContext, 'model'>, tool: string): string {
  return createHash('sha256')
    .update(
      JSON.stringify({
        tool,
        rules: rules.map((r) => [r.id, r.reads?.context?.(ctx) ?? null]),
        strict: ctx.strict,
        allowUnknownKinds: [...ctx.allowUnknownKinds].sort(),
        kubernetesVersion: ctx.kubernetesVersion,
      }),
    )
    .digest('hex');
}

/** True when a rule's findings can be cached per object in this run (validators/types.ts). */
export function cachedInContext(rule: Rule, ctx: RuleContext): boolean {
  return rule.scope === 'object' && !(rule.reads?.uncachedWhen?.(ctx) ?? false);
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

type Entry = 0 | Record<string, unknown>;

/** Gives stored findings back as findings about `m`. */
function served(out: RuleFinding[], m: Manifest, found: StoredFinding[] | undefined): void {
  if (found)
    for (const [path, message, severity] of found)
      out.push(
        severity ? { manifest: m, path, message, severity } : { manifest: m, path, message },
      );
}

/** Where an object is: its line, its place in its document and its chart. */
export function objectPlace(m: Manifest): string {
  return `${m.line}\0${m.basePath ? JSON.stringify(m.basePath) : ''}\0${m.chart ?? ''}`;
}

/** The key of an object read from a file with this git blob id (findings cache, plan memo). */
export function textObjectKey(blobId: string, m: Manifest, place = objectPlace(m)): string {
  return `${blobId}:${place}`;
}

/** What `checkPlan` knows of the run's objects (indexes into them). */
interface Prepared {
  counts: Map<string, number>;
  /** objects whose entry holds findings */
  withFindings: number[];
  /** objects without a usable entry */
  missed: number[];
  /** the objects of each file that holds a missed one */
  byFile: Map<string, number[]>;
}

/** An object's key, and its stored entry (undefined when there is none that can be used). */
interface Slot {
  h: string;
  e: Entry | undefined;
}

/**
 * One run's view of the cache: the entries read from the file, and what this run found, to store.
 * An entry holds the findings of every cached rule about one object.
 */
export class FindingsCache {
  /** Git blob ids of files' texts the caller did not give, so a file of several documents is hashed once. */
  private readonly textHashes = new Map<string, string>();
  private readonly hashes = new Map<Manifest, string>();
  private readonly old: Record<string, unknown>;
  /** Stored entries already looked at: the entry, or undefined when it is not usable. */
  private readonly checked = new Map<string, Entry | undefined>();
  /** The rules whose stored findings still hold: the key matched and their `reads` hash too. */
  private readonly usable = new Set<string>();
  private readonly usableIds: string[] = [];
  /** This run's hash of the objects each rule with `reads.kinds` reads. */
  private readonly reads: Record<string, string> = {};
  /** This run's objects, by hash. */
  private readonly seen = new Set<string>();
  /** Each object's key and entry (slotOf), and the list check reuses for a rule's objects. */
  private readonly slots = new Map<Manifest, Slot>();
  private readonly scratch: Slot[] = [];
  private prepared?: Prepared;
  /** What the rules found about the objects they checked again (those with findings only). */
  private readonly fresh = new Map<string, Record<string, StoredFinding[]>>();
  /** Rules that checked every object they were handed again. */
  private readonly checkedAll = new Set<string>();
  /** The rules that checked an object again, by object hash, for the rules that did not all. */
  private readonly checkedSome = new Map<string, Set<string>>();
  /** Cached rules that ran in this run, and those whose findings could not be attributed. */
  private readonly ran = new Set<string>();
  private readonly unstorable = new Set<string>();
  /** What each rule found about the values: read with its entries, or found in this run. */
  private readonly values = new Map<string, StoredFinding[]>();
  /** Objects served from the cache, by rule (for tests and figures). */
  readonly hits = new Map<string, number>();

  constructor(
    private readonly file: string,
    private readonly key: string,
    private readonly rules: Rule[],
    /** every object of the run: what rules with `reads.kinds` read is hashed from them */
    private readonly manifests: Manifest[],
    private readonly fileTexts: Map<string, string>,
    /** blob ids the caller already computed, by file (a plan has them for its base read) */
    private readonly knownBlobIds?: ReadonlyMap<string, string>,
  ) {
    const data = readKeyedCacheFile(file, FORMAT, key);
    // anything else than the three records is a miss: every object is checked
    const usableFile = data && isObj(data.entries) && isObj(data.reads) && isObj(data.values);
    const old = usableFile ? (data.entries as Record<string, unknown>) : {};
    const oldReads = usableFile ? (data.reads as Record<string, unknown>) : {};
    const oldValues = usableFile ? (data.values as Record<string, unknown>) : {};
    this.old = old;
    for (const rule of rules) {
      const kinds = rule.reads?.kinds;
      if (kinds) this.reads[rule.id] = this.hashOfKinds(kinds);
      const values = oldValues[rule.id];
      if ((!kinds || oldReads[rule.id] === this.reads[rule.id]) && isStored(values)) {
        this.usable.add(rule.id);
        this.values.set(rule.id, values);
      }
    }
    this.usableIds = [...this.usable];
  }

  /**
   * The object's key: the text of its file and where in the file it is (every caller hands objects
   * together with the texts they were read from or rendered into, as line numbers need too), or its
   * content when there is no text; and its chart, which rules may read (`mxtransporter` knows an
   * exporter by it). The plan memo keeps its object hashes by the same keys.
   */
  keyOf(m: Manifest): string {
    let h = this.hashes.get(m);
    if (h !== undefined) return h;
    const text = this.fileTexts.get(m.file);
    const where = objectPlace(m);
    if (text !== undefined) {
      let th = this.knownBlobIds?.get(m.file) ?? this.textHashes.get(m.file);
      if (th === undefined) {
        th = gitBlobId(text);
        this.textHashes.set(m.file, th);
      }
      h = textObjectKey(th, m, where);
    } else {
      h = createHash('sha1')
        .update(`object\0${where}\0${JSON.stringify(m.object)}`)
        .digest('base64url');
    }
    this.hashes.set(m, h);
    return h;
  }

  /** A hash of the run's objects of these kinds (their keys, in plan order). */
  private hashOfKinds(kinds: readonly string[]): string {
    const hash = createHash('sha256').update(JSON.stringify(kinds));
    for (const m of this.manifests) if (kinds.includes(m.object.kind)) hash.update(this.keyOf(m));
    return hash.digest('hex');
  }

  /** An object's stored entry when it is well formed (every usable rule's findings readable). */
  private entryOf(h: string): Entry | undefined {
    if (this.checked.has(h)) return this.checked.get(h);
    const stored = this.old[h];
    let e: Entry | undefined;
    if (stored === 0) e = 0;
    else if (stored && typeof stored === 'object' && !Array.isArray(stored)) {
      const record = stored as Record<string, unknown>;
      if (this.usableIds.every((id) => isStored(record[id] ?? []))) e = record;
    }
    this.checked.set(h, e);
    return e;
  }

  /** An object's key and stored entry, looked up once per run (the object is then seen). */
  private slotOf(m: Manifest): Slot {
    let s = this.slots.get(m);
    if (s === undefined) {
      const h = this.keyOf(m);
      this.seen.add(h);
      s = { h, e: this.entryOf(h) };
      this.slots.set(m, s);
    }
    return s;
  }

  /** Keeps what a rule found about an object it checked again. */
  private keep(h: string, rule: string, finding: StoredFinding): void {
    let e = this.fresh.get(h);
    if (!e) this.fresh.set(h, (e = {}));
    (e[rule] ??= []).push(finding);
  }

  /**
   * Runs an object-local rule: objects with an entry get their stored findings back, the others
   * are checked (with a model of just those objects and of the objects the rule reads, when they
   * are not all) and what the rule found about them is kept for storing.
   */
  check(
    rule: Rule,
    manifests: Manifest[],
    ctx: RuleContext,
    model: (m: Manifest[]) => RuleContext['model'],
  ): RuleFinding[] {
    this.ran.add(rule.id);
    const out: RuleFinding[] = [];
    const usable = this.usable.has(rule.id);
    // Each object's key and entry are looked up once per run (slotOf); this rule's are kept in
    // a scratch list reused by every rule. (No list or set of the objects is made per rule: at
    // 30,000 objects such lists are large objects the collector frees only in a full collection.)
    const slots = this.scratch;
    slots.length = manifests.length;
    let missCount = 0;
    for (let i = 0; i < manifests.length; i++) {
      const s = (slots[i] = this.slotOf(manifests[i]));
      if (!usable || s.e === undefined) missCount++;
    }
    const full = missCount === manifests.length;
    let misses = manifests;
    if (!full) {
      // A file is checked whole: when one of its objects misses, so do the others (a file's text
      // keys all of its objects, so they hit or miss together unless an entry is damaged), and a
      // rule may look at the other documents of a file (secret-leak places a comment by them).
      const missedFiles = new Set<string>();
      if (missCount > 0)
        for (let i = 0; i < manifests.length; i++)
          if (slots[i].e === undefined) missedFiles.add(manifests[i].file);
      misses = [];
      for (let i = 0; i < manifests.length; i++) {
        const m = manifests[i];
        const e = slots[i].e;
        if (e === undefined || (missedFiles.size > 0 && missedFiles.has(m.file))) {
          misses.push(m);
          continue;
        }
        if (e === 0) continue;
        served(out, m, e[rule.id] as StoredFinding[] | undefined);
      }
    }
    slots.length = 0;
    this.hits.set(rule.id, manifests.length - misses.length);
    return this.finish(rule, manifests, misses, full, out, ctx, model);
  }

  /** The run's objects: how many of each kind, those with stored findings, those that miss. */
  private prepare(): Prepared {
    const counts = new Map<string, number>();
    const withFindings: number[] = [];
    const missed: number[] = [];
    for (let i = 0; i < this.manifests.length; i++) {
      const m = this.manifests[i];
      counts.set(m.object.kind, (counts.get(m.object.kind) ?? 0) + 1);
      const e = this.slotOf(m).e;
      if (e === undefined) missed.push(i);
      else if (e !== 0) withFindings.push(i);
    }
    const files = new Set(missed.map((i) => this.manifests[i].file));
    const byFile = new Map<string, number[]>();
    if (files.size > 0)
      for (let i = 0; i < this.manifests.length; i++) {
        const file = this.manifests[i].file;
        if (!files.has(file)) continue;
        const list = byFile.get(file);
        if (list) list.push(i);
        else byFile.set(file, [i]);
      }
    return { counts, withFindings, missed, byFile };
  }

  /**
   * `check` for a rule handed the run's objects of its kinds (`rule.kinds`), as the runner hands
   * them: instead of every object, it looks at the objects with stored findings and those that
   * miss (and at the list, from `handed`, only when the rule checks every object).
   */
  checkPlan(
    rule: Rule,
    handed: () => Manifest[],
    ctx: RuleContext,
    model: (m: Manifest[]) => RuleContext['model'],
  ): RuleFinding[] {
    if (!this.usable.has(rule.id)) return this.check(rule, handed(), ctx, model);
    const p = (this.prepared ??= this.prepare());
    const kinds = rule.kinds ? new Set(rule.kinds) : undefined;
    const ofRule = (i: number) => !kinds || kinds.has(this.manifests[i].object.kind);
    let count = this.manifests.length;
    if (kinds) {
      count = 0;
      for (const k of kinds) count += p.counts.get(k) ?? 0;
    }
    // a file is checked whole when one of the rule's objects in it misses (as in `check`)
    const missedFiles = new Set<string>();
    for (const i of p.missed) if (ofRule(i)) missedFiles.add(this.manifests[i].file);
    const missIndexes: number[] = [];
    for (const file of missedFiles)
      for (const i of p.byFile.get(file)!) if (ofRule(i)) missIndexes.push(i);
    // every object misses (or there is none: the rule still runs, for what it finds about the values)
    if (missIndexes.length === count) return this.check(rule, handed(), ctx, model);
    this.ran.add(rule.id);
    missIndexes.sort((a, b) => a - b);
    const misses = missIndexes.map((i) => this.manifests[i]);
    const out: RuleFinding[] = [];
    for (const i of p.withFindings) {
      const m = this.manifests[i];
      if (!ofRule(i) || missedFiles.has(m.file)) continue;
      served(
        out,
        m,
        (this.slots.get(m)!.e as Record<string, unknown>)[rule.id] as StoredFinding[] | undefined,
      );
    }
    this.hits.set(rule.id, count - misses.length);
    return this.finish(rule, undefined, misses, false, out, ctx, model);
  }

  /**
   * The rest of a rule's run once its hits are served: the misses checked (every object, when
   * `full`: then `manifests` is the list handed over) and what it found about them kept.
   */
  private finish(
    rule: Rule,
    manifests: Manifest[] | undefined,
    misses: Manifest[],
    full: boolean,
    out: RuleFinding[],
    ctx: RuleContext,
    model: (m: Manifest[]) => RuleContext['model'],
  ): RuleFinding[] {
    // what it found about the values comes back with its entries; a check of every object finds
    // it anew
    if (!full)
      for (const [valuePath, message, severity] of this.values.get(rule.id) ?? [])
        out.push(severity ? { valuePath, message, severity } : { valuePath, message });
    else this.values.set(rule.id, []);
    // (a rule given no object at all still runs: it may find something about the values)
    if (!full && misses.length === 0) return out;
    let found: RuleFinding[];
    let missed: Set<Manifest> | undefined;
    let readSet: Set<Manifest> | undefined;
    if (full) {
      // every object: the very list handed over, which the model's parts are known by
      found = rule.check(manifests!, ctx);
      this.checkedAll.add(rule.id);
    } else {
      missed = new Set(misses);
      const kinds = rule.reads?.kinds;
      // what the rule reads of other objects comes with the misses; findings about those objects
      // are theirs to serve (they hit: an object that missed is among the misses)
      const read = kinds
        ? this.manifests.filter((m) => !missed!.has(m) && kinds.includes(m.object.kind))
        : [];
      readSet = new Set(read);
      found = rule.check(misses, {
        ...ctx,
        // in the plan's order, as the whole plan's model has them
        model: model(
          read.length > 0
            ? this.manifests.filter((m) => missed!.has(m) || readSet!.has(m))
            : misses,
        ),
        recheck: true,
      });
      for (const m of misses) {
        const h = this.keyOf(m);
        let rules = this.checkedSome.get(h);
        if (!rules) this.checkedSome.set(h, (rules = new Set()));
        rules.add(rule.id);
      }
    }
    for (const f of found) {
      if (f.manifest && readSet?.has(f.manifest) && f.valuePath === undefined) continue;
      if (full && !f.manifest && f.valuePath !== undefined) {
        this.values
          .get(rule.id)!
          .push(f.severity ? [f.valuePath, f.message, f.severity] : [f.valuePath, f.message]);
        out.push(f);
        continue;
      }
      // (a check of some objects again reports nothing about the values: it came back above)
      missed ??= new Set(manifests!);
      if (!f.manifest || !missed.has(f.manifest) || f.valuePath !== undefined) {
        this.unstorable.add(rule.id);
        out.push(f);
        continue;
      }
      this.keep(
        this.keyOf(f.manifest),
        rule.id,
        f.severity ? [f.path ?? [], f.message, f.severity] : [f.path ?? [], f.message],
      );
      out.push(f);
    }
    return out;
  }

  /**
   * Writes the entries of this run's objects (nothing when a cached rule did not run or found what
   * it could not attribute to an object), replacing the file atomically; a failure to write is not
   * an error of the run.
   */
  store(): void {
    if (this.unstorable.size > 0 || this.rules.some((r) => !this.ran.has(r.id))) return;
    const entries: Record<string, 0 | Record<string, StoredFinding[]>> = {};
    const checkedAll = this.rules.filter((r) => this.checkedAll.has(r.id)).map((r) => r.id);
    for (const h of this.seen) {
      const fresh = this.fresh.get(h);
      const some = this.checkedSome.get(h);
      const stored = this.entryOf(h);
      // an object every rule served is stored as it was read
      if (stored !== undefined && !fresh && !some && checkedAll.length === 0) {
        entries[h] = stored as 0 | Record<string, StoredFinding[]>;
        continue;
      }
      // a rule's findings: found again when it checked the object again, else as stored
      const merged: Record<string, StoredFinding[]> = {};
      if (stored)
        for (const id of this.usableIds) {
          if (this.checkedAll.has(id) || some?.has(id)) continue;
          const fs = stored[id] as StoredFinding[] | undefined;
          if (fs && fs.length > 0) merged[id] = fs;
        }
      if (fresh) for (const [id, fs] of Object.entries(fresh)) merged[id] = fs;
      entries[h] = Object.keys(merged).length === 0 ? 0 : merged;
    }
    const data: CacheFile = {
      format: FORMAT,
      key: this.key,
      reads: this.reads,
      entries,
      values: Object.fromEntries(this.rules.map((r) => [r.id, this.values.get(r.id) ?? []])),
    };
    writeFileAtomically(this.file, JSON.stringify(data));
  }
}
