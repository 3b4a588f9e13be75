/**
 * The memo of rules that compare objects with each other (a rule with `memo`, validators/types.ts):
 * what such a rule found about a plan, stored under `.manifests-cache/validate/<env>.memo.json`
 * (gitignored) with the key it was found under, and served again while the key holds.
 *
 * Every such rule's `memo.project` gives, for each object, a text of everything of it the rule's
 * findings can depend on (its identity, its selector, its pod template's labels…), or nothing for
 * an object it never reads. A rule's key is a hash of the tool (the findings cache's fingerprint
 * of validators/ and core/ and the schema libraries), the rule, what it reads of the context
 * (`memo.context`), and, for every object in plan order, its file, line, place in its document and
 * chart and a hash of the texts all the memo rules of the run give for it. So after an image tag
 * changed, the rules that match Services to pods, controllers to each other or autoscalers to
 * workloads find their keys unchanged and are not run. `test/plan-memo.test.ts` checks for each such
 * rule that a change outside its texts never changes what it finds.
 *
 * Pod labels: the texts hold a pod's labels of the keys the run's selectors match on only
 * (`memo.labelKeys`), so that a `version` label following the image tag does not change the key.
 * Whether a rule finds anything depends on those alone, but a finding may print every label: a rule
 * that found something is served only while the key made with all labels holds too.
 *
 * The hash of each object's texts is kept by the object's own key (the findings cache's: its file's
 * git blob id, its line, place and chart) for the next run, so an object whose file
 * did not change is not read again: a run works out the texts of the changed objects only. The
 * hashes are valid for the run's set of selector label keys and rules, which the file holds too.
 *
 * A finding is stored by the object's place in the plan, its field path, its message and a severity
 * other than the rule's; a finding about the values by its value path. A rule whose finding names
 * an object that is not in the plan is not stored. A file that cannot be read, or an entry that does
 * not fit the objects, is a miss: the memo can only make a run faster, never change what it reports.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { writeFileAtomically } from '../core/cache-files.js';
import type { Manifest } from '../core/manifest.js';
import { isObj } from '../core/object.js';
import { objectPlace } from './findings-cache.js';
import { Projections } from './model/projection.js';
import type { FieldPath, Rule, RuleContext, RuleFinding, Severity } from './types.js';

/** Bumped when what an entry holds or how a key is made changes. */
const FORMAT = 1;
/** The length of an object's hash (base64url of SHA-256, cut: 132 bits). */
const HASH_LENGTH = 22;

/** [place of the object in the plan, or -1 for the values; path; message; severity] */
type StoredFinding = [place: number, path: FieldPath, message: string, severity?: Severity];

interface MemoEntry {
  /** the run's key (pod labels of the selectors' keys only) */
  key: string;
  /** with findings: the key made with every pod label (findings may print them) */
  full?: string;
  findings: StoredFinding[];
}

interface MemoFile {
  format: number;
  tool: string;
  rules: Record<string, MemoEntry>;
  /** what the object hashes were made for: the rules and the selector label keys */
  hashesFor: string;
  /** object key -> hash of the memo rules' texts of the object */
  hashes: Record<string, string>;
}

/** The memo file of a findings cache file (`validate/<env>.json` → `validate/<env>.memo.json`). */
export function planMemoFile(findingsCacheFile: string): string {
  return findingsCacheFile.replace(/\.json$/, '') + '.memo.json';
}

function isStoredFinding(x: unknown): x is StoredFinding {
  return (
    Array.isArray(x) &&
    Number.isInteger(x[0]) &&
    x[0] >= -1 &&
    Array.isArray(x[1]) &&
    (x[1] as unknown[]).every((p) => typeof p === 'string' || typeof p === 'number') &&
    typeof x[2] === 'string' &&
    (x[3] === undefined || x[3] === 'error' || x[3] === 'warning' || x[3] === 'info')
  );
}

/** `JSON.stringify({...head, hashes})`, in pieces, from the pairs of object key and hash. */
function* jsonWithHashes(
  head: Omit<MemoFile, 'hashes'>,
  hashes: Iterable<[string, string]>,
): Generator<string> {
  let out = `${JSON.stringify(head).slice(0, -1)},"hashes":{`;
  let first = true;
  for (const [k, h] of hashes) {
    out += `${first ? '' : ','}${JSON.stringify(k)}:${JSON.stringify(h)}`;
    first = false;
    if (out.length > 65_536) {
      yield out;
      out = '';
    }
  }
  yield `${out}}}`;
}

/** One run's view of the memo: the entries read, and the ones this run made, to store. */
export class PlanMemo {
  private readonly old: Partial<MemoFile>;
  private readonly fresh: Record<string, MemoEntry> = {};
  /** Rules checked or served in this run. */
  private readonly ran = new Set<string>();
  private changed = false;
  private keys?: {
    body: string;
    hashesFor: string;
    /** each object's hash, by its place in the plan (kept by object key when stored) */
    hashes: string[];
    /** objects with an object key (their file has a blob id) */
    keyed: number;
    /** objects whose hash was worked out, not read */
    worked: number;
  };
  private fullBody?: string;
  /** Rules served from the memo in this run (tests, figures). */
  readonly served = new Set<string>();

  constructor(
    private readonly file: string,
    private readonly tool: string,
    /** the rules with `memo` that run */
    private readonly rules: Rule[],
    /** every object of the run, in plan order */
    private readonly manifests: Manifest[],
    /**
     * each object's key, the findings cache's (`FindingsCache.keyOf`, `textObjectKey`): an
     * object's hash is kept by it (objects without one are worked out each run)
     */
    private readonly objectKeyOf: ((m: Manifest) => string | undefined) | undefined,
  ) {
    let old: Partial<MemoFile> = {};
    try {
      const data: unknown = JSON.parse(readFileSync(file, 'utf8'));
      if (
        isObj(data) &&
        data.format === FORMAT &&
        data.tool === tool &&
        isObj(data.rules) &&
        isObj(data.hashes) &&
        typeof data.hashesFor === 'string'
      )
        old = data as unknown as MemoFile;
    } catch {
      // no memo yet, or one that cannot be read: every rule runs
    }
    this.old = old;
  }

  /**
   * A hash of the run's objects as the memo rules see them: with `all`, every pod label in the
   * texts (and no object hash from the file), else those of the selector label keys.
   */
  private bodyOf(all: boolean): string {
    const projections = new Projections();
    let labelKeys: Set<string> | undefined;
    if (!all) {
      labelKeys = new Set<string>();
      const ofs = this.rules.flatMap((r) => (r.memo!.labelKeys ? [r.memo!.labelKeys] : []));
      for (const m of this.manifests)
        for (const of of ofs) for (const k of of(m) ?? []) labelKeys.add(String(k));
    }
    const hashesFor = JSON.stringify([
      this.rules.map((r) => r.id),
      labelKeys ? [...labelKeys].sort() : null,
    ]);
    const stored = !all && this.old.hashesFor === hashesFor ? this.old.hashes! : {};
    const hashes: string[] = [];
    let keyed = 0;
    let worked = 0;
    // one string per object: its file and place, each with its length first, and its hash (of
    // HASH_LENGTH characters); hashed some 64 KB at a time
    const body = createHash('sha256').update(JSON.stringify([FORMAT, hashesFor]));
    let chunk = '';
    for (const m of this.manifests) {
      const where = objectPlace(m);
      const objectKey = this.objectKeyOf?.(m);
      let h = objectKey === undefined ? undefined : stored[objectKey];
      if (typeof h !== 'string' || h.length !== HASH_LENGTH) {
        worked++;
        const texts = createHash('sha256');
        for (const rule of this.rules) {
          const text = rule.memo!.project(m, projections, labelKeys);
          texts.update(text === undefined ? '-' : `+${text.length}:${text}`);
        }
        h = texts.digest('base64url').slice(0, HASH_LENGTH);
      }
      hashes.push(h);
      if (objectKey !== undefined) keyed++;
      chunk += `\n${m.file.length}:${m.file}${where.length}:${where}${h}`;
      if (chunk.length > 65_536) {
        body.update(chunk);
        chunk = '';
      }
    }
    const digest = body.update(chunk).digest('hex');
    if (!all) this.keys = { body: digest, hashesFor, hashes, keyed, worked };
    return digest;
  }

  /** A rule's key: what it reads of the context, and the objects (`body`). */
  private keyOf(rule: Rule, ctx: RuleContext, body: string): string {
    return createHash('sha256')
      .update(JSON.stringify([rule.id, rule.memo!.context?.(ctx) ?? null, body]))
      .digest('hex');
  }

  /** The rule's key with every pod label. */
  private full(rule: Rule, ctx: RuleContext): string {
    return this.keyOf(rule, ctx, (this.fullBody ??= this.bodyOf(true)));
  }

  /** The stored findings of the rule's entry when it was made under this run's keys. */
  private storedFindings(rule: Rule, ctx: RuleContext, key: string): RuleFinding[] | undefined {
    const entry: unknown = this.old.rules?.[rule.id];
    if (!isObj(entry) || entry.key !== key || !Array.isArray(entry.findings)) return undefined;
    const out: RuleFinding[] = [];
    for (const f of entry.findings as unknown[]) {
      if (!isStoredFinding(f) || f[0] >= this.manifests.length) return undefined;
      const [place, path, message, severity] = f;
      const finding: RuleFinding =
        place === -1
          ? { valuePath: path, message }
          : { manifest: this.manifests[place], path, message };
      if (severity) finding.severity = severity;
      out.push(finding);
    }
    if (out.length > 0 && entry.full !== this.full(rule, ctx)) return undefined;
    this.fresh[rule.id] = entry as unknown as MemoEntry;
    return out;
  }

  private places?: Map<Manifest, number>;

  /** Each object's place in the plan. */
  private placesOf(): Map<Manifest, number> {
    if (!this.places) {
      this.places = new Map();
      this.manifests.forEach((m, i) => this.places!.set(m, i));
    }
    return this.places;
  }

  /** Runs a rule with `memo`, or serves what it found under the same key. */
  check(rule: Rule, manifests: Manifest[], ctx: RuleContext): RuleFinding[] {
    this.ran.add(rule.id);
    if (!this.keys) this.bodyOf(false);
    const key = this.keyOf(rule, ctx, this.keys!.body);
    const served = this.storedFindings(rule, ctx, key);
    if (served) {
      this.served.add(rule.id);
      return served;
    }
    const found = rule.check(manifests, ctx);
    this.changed = true;
    const places = found.length > 0 ? this.placesOf() : undefined;
    const stored: StoredFinding[] = [];
    for (const f of found) {
      let place: number | undefined;
      let path: FieldPath = [];
      if (f.manifest && f.valuePath === undefined) {
        place = places!.get(f.manifest);
        path = f.path ?? [];
      } else if (!f.manifest && f.valuePath !== undefined) {
        place = -1;
        path = f.valuePath;
      }
      // about an object not in the plan, or about both or neither of an object and the values:
      // nothing of this run is kept for the rule
      if (place === undefined) return found;
      stored.push(f.severity ? [place, path, f.message, f.severity] : [place, path, f.message]);
    }
    this.fresh[rule.id] =
      stored.length > 0
        ? { key, full: this.full(rule, ctx), findings: stored }
        : { key, findings: stored };
    return found;
  }

  /**
   * Writes this run's entries (those of rules that did not run are kept as read) and object
   * hashes, replacing the file atomically; nothing when every rule was served and no object hash
   * is new. A failure to write is not an error.
   */
  store(): void {
    if (!this.keys) return;
    const { hashesFor, hashes, keyed, worked } = this.keys;
    // every hash read from the file, and the file holds no other
    const same =
      !this.changed &&
      worked === 0 &&
      this.old.hashesFor === hashesFor &&
      keyed === Object.keys(this.old.hashes ?? {}).length;
    if (same) return;
    const rules: Record<string, MemoEntry> = {};
    for (const [id, entry] of Object.entries(this.old.rules ?? {}))
      if (!this.ran.has(id)) rules[id] = entry;
    Object.assign(rules, this.fresh);
    // the same JSON as the whole record's, written some 64 KB at a time (at 30,000 objects the
    // hashes are a few MB)
    const head: Omit<MemoFile, 'hashes'> = { format: FORMAT, tool: this.tool, rules, hashesFor };
    writeFileAtomically(this.file, jsonWithHashes(head, this.keyedHashes(hashes)));
  }

  /** The object keys and hashes of the objects with a key (a key twice holds the same hash). */
  private *keyedHashes(hashes: string[]): Generator<[string, string]> {
    for (let i = 0; i < this.manifests.length; i++) {
      const key = this.objectKeyOf?.(this.manifests[i]);
      if (key !== undefined) yield [key, hashes[i]];
    }
  }
}
