/**
 * The values of a file after an edit of one scalar on one line (an image tag bumped, a replica
 * count changed), worked out from the values of its text before the edit instead of parsing the
 * whole file again: a large values file takes 80-150 ms to parse in a fresh process, this about a
 * millisecond (`npm run bench`, the plan row).
 *
 * It answers only when the result is certainly what a full parse gives, and undefined otherwise
 * (the caller then parses):
 * - the two texts have the same lines but one, and on both versions of that line a plain key (or a
 *   list dash) is followed by one scalar with no comment, anchor, alias, tag, flow or block
 *   indicator, quote inside quotes, or trailing space, and only the scalar differs;
 * - the scalar cannot continue on the next line (the next line that is not blank is indented no
 *   deeper than the key, and is not a comment);
 * - the old text has no anchor or alias (an alias copies the node it names, which the stored values
 *   hold as separate copies);
 * - exactly one leaf of the origin tree is on that line, its path leads to the old scalar's value
 *   in the old values (under a key of that name, or in a list for a dash), and the old scalar read
 *   on its own gives that very value.
 * The new scalar is read with the same schema as a full parse. Lines are unchanged, so the origin
 * tree is the old one. `test/values-one-line-edit.test.ts` compares it with a full parse on
 * generated files and edits, and on the cases above that must not be patched.
 */
import { CORE_SCHEMA, load, mergeTag } from 'js-yaml';

/** An origin tree as stored: a node's line, then its children (absent for a leaf). */
export type PackedOrigin = [line: number, children?: [key: string, node: PackedOrigin][]];

const SCHEMA = CORE_SCHEMA.withTags(mergeTag);

/**
 * A scalar that reads the same in block and flow context and ends on its line: quoted with no
 * quote (or escape) inside, or plain starting with no indicator and holding no space, comment,
 * flow, anchor, alias, tag or block indicator.
 */
const SCALAR = String.raw`(?:'[^'\n]*'|"[^"\\\n]*"|[A-Za-z0-9_./+][A-Za-z0-9_./@+=-]*)`;
/** `indent [- ]key: scalar` or `indent - scalar`. */
const KEY_LINE = new RegExp(`^( *)(- )?([A-Za-z_][A-Za-z0-9_./-]*): (${SCALAR})$`);
const ITEM_LINE = new RegExp(`^( *)- (${SCALAR})$`);

interface EditedLine {
  /** 0-based line index */
  index: number;
  before: string;
  after: string;
  /** where the line ends in `before` (what follows is the same in both texts) */
  end: number;
}

/** The one line the two texts differ on, when they differ on exactly one and have the same lines. */
function editedLine(before: string, after: string): EditedLine | undefined {
  if (before === after) return undefined;
  const shorter = Math.min(before.length, after.length);
  let prefix = 0;
  while (prefix < shorter && before.charCodeAt(prefix) === after.charCodeAt(prefix)) prefix++;
  // the common suffix, not overlapping the common prefix
  let suffix = 0;
  while (
    suffix < shorter - prefix &&
    before.charCodeAt(before.length - 1 - suffix) === after.charCodeAt(after.length - 1 - suffix)
  )
    suffix++;
  const lineStart = prefix === 0 ? 0 : before.lastIndexOf('\n', prefix - 1) + 1;
  // each text's line holding the end of what differs; what differs must not hold a newline
  const lineEnd = (text: string) => {
    const nl = text.indexOf('\n', Math.max(prefix, text.length - suffix));
    return nl < 0 ? text.length : nl;
  };
  const beforeEnd = lineEnd(before);
  const afterEnd = lineEnd(after);
  const was = before.slice(lineStart, beforeEnd);
  const now = after.slice(lineStart, afterEnd);
  if (was.includes('\n') || now.includes('\n')) return undefined;
  let index = 0;
  for (let i = before.indexOf('\n'); i >= 0 && i < lineStart; i = before.indexOf('\n', i + 1))
    index++;
  return { index, before: was, after: now, end: beforeEnd };
}

interface ParsedLine {
  /** everything before the scalar */
  head: string;
  scalar: string;
  /** the key, or undefined for a list item */
  key?: string;
  /** the column a continuation of the scalar would have to be indented past */
  column: number;
}

function parseLine(line: string): ParsedLine | undefined {
  const k = KEY_LINE.exec(line);
  if (k) {
    const [, indent, dash, key, scalar] = k;
    return {
      head: line.slice(0, line.length - scalar.length),
      scalar,
      key,
      column: indent.length + (dash ? 2 : 0),
    };
  }
  const i = ITEM_LINE.exec(line);
  if (i) {
    const [, indent, scalar] = i;
    return { head: line.slice(0, line.length - scalar.length), scalar, column: indent.length };
  }
  return undefined;
}

/** What a scalar reads as in a values file (the schema of a full parse). */
function readScalar(scalar: string): { value: unknown } | undefined {
  try {
    const doc = load(`v: ${scalar}`, { schema: SCHEMA }) as Record<string, unknown> | null;
    if (doc === null || typeof doc !== 'object' || !Object.hasOwn(doc, 'v')) return undefined;
    return { value: doc.v };
  } catch {
    return undefined;
  }
}

/** True when the line after the one ending at `end` cannot continue a scalar that starts on it. */
function endsOnItsLine(text: string, end: number, column: number): boolean {
  let pos = end + 1;
  while (pos <= text.length) {
    const nl = text.indexOf('\n', pos);
    const line = text.slice(pos, nl < 0 ? text.length : nl);
    if (line.trim() !== '') {
      const indent = line.length - line.trimStart().length;
      return indent <= column && !line.trimStart().startsWith('#');
    }
    if (nl < 0) break;
    pos = nl + 1;
  }
  return true; // the last line, or only blank lines after it
}

/**
 * The paths of the leaves of an origin tree on a line (1-based). A node's text comes before its
 * next sibling's, so its leaves are on lines from its own to its next sibling's: only the children
 * whose span holds the line are walked.
 */
function leavesOnLine(node: PackedOrigin, line: number, path: string[], out: string[][]): void {
  const children = node[1];
  if (!children) {
    if (node[0] === line) out.push([...path]);
    return;
  }
  for (let i = 0; i < children.length; i++) {
    const [key, child] = children[i];
    if (child[0] > line) break;
    const next = i + 1 < children.length ? children[i + 1][1][0] : Infinity;
    if (next < line) continue;
    path.push(key);
    leavesOnLine(child, line, path, out);
    path.pop();
  }
}

/**
 * The values of `after`, from those of `before` (`value`, with its origin tree `origins` and
 * whether its text holds anchors or aliases), when `after` is `before` with one scalar edited on
 * one line; undefined otherwise. `value` is changed in place (the caller hands a copy it owns).
 */
export function applyOneLineEdit(
  before: string,
  value: Record<string, unknown>,
  origins: PackedOrigin,
  anchors: boolean,
  after: string,
): Record<string, unknown> | undefined {
  if (anchors) return undefined;
  if (after.includes('\r') || before.includes('\r')) return undefined;
  const edit = editedLine(before, after);
  if (!edit) return undefined;
  const old = parseLine(edit.before);
  const now = parseLine(edit.after);
  if (!old || !now || old.head !== now.head || old.scalar === now.scalar) return undefined;
  // (the heads are the same, and so is the text after the line: one check covers both texts)
  if (!endsOnItsLine(before, edit.end, old.column)) return undefined;
  const leaves: string[][] = [];
  leavesOnLine(origins, edit.index + 1, [], leaves);
  if (leaves.length !== 1 || leaves[0].length === 0) return undefined;
  const path = leaves[0];
  const last = path[path.length - 1];
  let parent: unknown = value;
  for (const seg of path.slice(0, -1)) {
    if (parent === null || typeof parent !== 'object' || !Object.hasOwn(parent, seg))
      return undefined;
    parent = (parent as Record<string, unknown>)[seg];
  }
  if (parent === null || typeof parent !== 'object') return undefined;
  if (old.key !== undefined) {
    if (Array.isArray(parent) || last !== old.key) return undefined;
  } else if (!Array.isArray(parent) || !/^(0|[1-9][0-9]*)$/.test(last)) return undefined;
  const holder = parent as Record<string, unknown>;
  if (!Object.hasOwn(holder, last)) return undefined;
  const was = readScalar(old.scalar);
  const becomes = readScalar(now.scalar);
  if (!was || !becomes || !Object.is(was.value, holder[last])) return undefined;
  // a scalar only (a stored values tree holds nothing JSON cannot: no NaN, infinity or -0)
  const v = becomes.value;
  if (v !== null && typeof v === 'object') return undefined;
  if (typeof v === 'number' && (!Number.isFinite(v) || Object.is(v, -0))) return undefined;
  holder[last] = becomes.value;
  return value;
}
