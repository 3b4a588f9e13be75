/**
 * Parts of an object that rules comparing objects with each other read, as texts for their
 * `memo.project` (validators/plan-memo.ts). One `Projections` per run works each text out once per
 * object for all such rules.
 */
import type { Manifest } from '../../core/manifest.js';
import { podTemplateOf } from './workloads.js';

function replaceOddValues(_key: string, v: unknown): unknown {
  // NaN and the infinities as marked strings; strings starting with NUL get one more NUL so that
  // they never read as such a number
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) return `\u0000n${String(v)}`;
  } else if (typeof v === 'string' && v.charCodeAt(0) === 0) return `\u0000${v}`;
  return v;
}

/**
 * A text of a list of values: distinct for any two lists that differ (in a type, a key, an order;
 * `undefined` is not null). Changes the list.
 */
export function projectionText(parts: unknown[]): string {
  // which parts are undefined, as a prefix (JSON has no undefined)
  let mask = '';
  for (let i = 0; i < parts.length; i++) {
    if (parts[i] === undefined) {
      parts[i] = 0;
      mask += 'u';
    } else mask += '.';
  }
  const plain = JSON.stringify(parts);
  // JSON writes NaN and the infinities as null: a text holding a null is made again with them
  // told apart (and marked, so that it never equals a plain one); -0 is 0 to every rule
  return plain.includes('null')
    ? `${mask}r${JSON.stringify(parts, replaceOddValues)}`
    : `${mask}j${plain}`;
}

/** A label map's entries of these keys, as pairs (anything else than a map as it is). */
export function labelsOf(labels: unknown, keys: ReadonlySet<string>): unknown {
  if (labels === null || typeof labels !== 'object' || Array.isArray(labels)) return labels;
  const out: [string, unknown][] = [];
  for (const k of Object.keys(labels))
    if (keys.has(k)) out.push([k, (labels as Record<string, unknown>)[k]]);
  return out;
}

/**
 * The texts of one object at a time, for all the memo rules: each is worked out once per object
 * (the rules ask for the same identity and labels), and none is kept once the next object comes.
 */
export class Projections {
  private current: Manifest | undefined;
  private identityText: string | undefined;
  private labelsText: string | undefined;
  private restrictedText: string | undefined;
  private restrictedKeys: ReadonlySet<string> | undefined;

  private of(m: Manifest): void {
    if (this.current === m) return;
    this.current = m;
    this.identityText = this.labelsText = this.restrictedText = this.restrictedKeys = undefined;
  }

  /** The object's API version, kind, namespace, name and generateName. */
  identity(m: Manifest): string {
    this.of(m);
    if (this.identityText === undefined) {
      const o = m.object;
      const meta = o.metadata as Record<string, unknown> | undefined;
      this.identityText = projectionText([
        o.apiVersion,
        o.kind,
        meta?.namespace,
        meta?.name,
        meta?.generateName,
      ]);
    }
    return this.identityText;
  }

  /**
   * Its identity and the labels of its pod template (a workload's), or `false` for an object
   * without a pod template; with `keys`, only the labels of those keys (in their order).
   */
  templateLabels(m: Manifest, keys?: ReadonlySet<string>): string {
    this.of(m);
    if (
      keys
        ? this.restrictedKeys === keys && this.restrictedText !== undefined
        : this.labelsText !== undefined
    )
      return keys ? this.restrictedText! : this.labelsText!;
    const labels = podTemplateOf(m)?.labels ?? false;
    const t = this.identity(m) + projectionText([keys ? labelsOf(labels, keys) : labels]);
    if (keys) {
      this.restrictedKeys = keys;
      this.restrictedText = t;
    } else this.labelsText = t;
    return t;
  }

  /** Its identity and these parts of it. */
  with(m: Manifest, parts: unknown[]): string {
    return this.identity(m) + projectionText(parts);
  }
}
