/** Where a merged value came from: a line of a values file, or an environment variable. */
export type Origin =
  { kind: 'file'; file: string; line: number } | { kind: 'env'; variable: string; secret: boolean };

/** A tree parallel to a values tree: every node knows the origin that last set it. */
export interface OriginNode {
  origin: Origin;
  /** Children by map key or list index (as a string). */
  children?: Map<string, OriginNode>;
  /** Origins this value overrode, oldest first. */
  overrode?: Origin[];
  /** The key was deleted by a `null` at `origin` (and no later layer set it again). */
  deleted?: boolean;
}

export function describeOrigin(origin: Origin): string {
  return origin.kind === 'file'
    ? `${origin.file}:${origin.line}`
    : `environment variable ${origin.variable}${origin.secret ? ' (secret)' : ''}`;
}

/** Walks `path` as far as the origin tree goes; returns the deepest node reached and how deep. */
export function findOrigin(
  tree: OriginNode | undefined,
  path: readonly (string | number)[],
): { node: OriginNode; depth: number } | undefined {
  if (!tree) return undefined;
  let node = tree;
  let depth = 0;
  for (const seg of path) {
    const next = node.children?.get(String(seg));
    if (!next) break;
    node = next;
    depth++;
  }
  return { node, depth };
}

/** Splits `a.b[0].c` or `a.b.0.c` into segments. */
export function parseValuePath(text: string): string[] {
  const segs: string[] = [];
  for (const part of text.split('.')) {
    const m = /^([^[\]]*)((?:\[\d+\])*)$/.exec(part);
    if (!m) {
      segs.push(part);
      continue;
    }
    if (m[1]) segs.push(m[1]);
    for (const idx of m[2].matchAll(/\[(\d+)\]/g)) segs.push(idx[1]);
  }
  return segs.filter((s) => s.length > 0);
}

export function formatValuePath(path: readonly (string | number)[]): string {
  return path.map((s) => String(s)).join('.');
}
