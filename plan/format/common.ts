import type { FieldChange, PlanAction, PlanDiff, PlanSummary, ResourceChange } from '../types.js';

export const SYMBOL: Record<PlanAction, string> = {
  add: '+',
  change: '~',
  replace: '-/+',
  destroy: '-',
};

/** `3 to add, 2 to change, 1 to replace, 1 to destroy`. */
export function summaryLine(s: PlanSummary): string {
  return `${s.add} to add, ${s.change} to change, ${s.replace} to replace, ${s.destroy} to destroy`;
}

export function baseLabel(diff: PlanDiff): string {
  const c = diff.base.commit ? ` (${diff.base.commit.slice(0, 7)})` : '';
  return `${diff.base.ref}${c}`;
}

/** Resources grouped by chart, charts in name order (resources keep their order). */
export function byChart(resources: ResourceChange[]): [string, ResourceChange[]][] {
  const groups = new Map<string, ResourceChange[]>();
  for (const r of resources) {
    const list = groups.get(r.chart) ?? [];
    list.push(r);
    groups.set(r.chart, list);
  }
  return [...groups.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}

export function renameCount(diff: PlanDiff): number {
  return diff.resources.filter((r) => r.renamedFrom).length;
}

/** A value on one line: scalars as YAML would show them, maps and lists as compact JSON. */
export function inlineValue(v: unknown, max = 160): string {
  let s: string;
  if (v === undefined) s = '(absent)';
  else if (typeof v === 'string') s = JSON.stringify(v);
  else s = JSON.stringify(v) ?? String(v);
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

function isMultiline(v: unknown): v is string {
  return typeof v === 'string' && v.includes('\n');
}

/** Lines of a unified-style diff between two texts (longest common subsequence of lines). */
export function lineDiff(a: string, b: string): string[] {
  const x = a.split('\n');
  const y = b.split('\n');
  if (x.length * y.length > 4_000_000) {
    return [...x.map((l) => `- ${l}`), ...y.map((l) => `+ ${l}`)];
  }
  const n = x.length;
  const m = y.length;
  const lcs: Uint32Array[] = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lcs[i][j] = x[i] === y[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
    }
  }
  const out: string[] = [];
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (x[i] === y[j]) {
      out.push(`  ${x[i]}`);
      i++;
      j++;
    } else if (lcs[i + 1][j] >= lcs[i][j + 1]) out.push(`- ${x[i++]}`);
    else out.push(`+ ${y[j++]}`);
  }
  while (i < n) out.push(`- ${x[i++]}`);
  while (j < m) out.push(`+ ${y[j++]}`);
  return out;
}

/**
 * Lines describing one field change, for text and `diff` blocks: `path: old -> new`, or a line
 * diff for multi-line strings (a ConfigMap's file), or the note of a Secret value.
 */
export function changeLines(c: FieldChange): string[] {
  if (c.note) {
    const values =
      c.old !== undefined || c.new !== undefined
        ? `: ${c.old !== undefined ? String(c.old) : '(absent)'} -> ${c.new !== undefined ? String(c.new) : '(absent)'}`
        : '';
    return [`${c.path}: ${c.note}${values}`];
  }
  if (isMultiline(c.old) || isMultiline(c.new)) {
    const a = typeof c.old === 'string' ? c.old : c.old === undefined ? '' : inlineValue(c.old);
    const b = typeof c.new === 'string' ? c.new : c.new === undefined ? '' : inlineValue(c.new);
    const label = c.old === undefined ? ' (added)' : c.new === undefined ? ' (removed)' : '';
    return [`${c.path}:${label}`, ...lineDiff(a, b).map((l) => `    ${l}`)];
  }
  if (c.old === undefined) return [`${c.path}: added ${inlineValue(c.new)}`];
  if (c.new === undefined) return [`${c.path}: removed (was ${inlineValue(c.old)})`];
  return [`${c.path}: ${inlineValue(c.old)} -> ${inlineValue(c.new)}`];
}
