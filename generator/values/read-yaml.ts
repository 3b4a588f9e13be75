import {
  constructFromEvents,
  CORE_SCHEMA,
  EVENT_ID,
  getScalarValue,
  mergeTag,
  parseEvents,
  type Event,
} from 'js-yaml';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { InputError, yamlInputError } from '../../core/errors.js';
import {
  codeFingerprint,
  jsonSafe,
  pruneFolder,
  writeFileAtomically,
} from '../../core/cache-files.js';
import type { OriginNode } from './origins.js';
import { isObj } from '../../core/object.js';
import { applyOneLineEdit, type PackedOrigin } from './one-line-edit.js';

/** Caps the number of nodes one values file may expand to (alias bombs stop here, fast). */
export const MAX_VALUE_NODES = 1_000_000;
/** Caps the size of one values file. */
export const MAX_VALUES_FILE_BYTES = 16 * 1024 * 1024;
const MAX_DEPTH = 200;

const SCHEMA = CORE_SCHEMA.withTags(mergeTag);

export interface ValuesFile {
  file: string;
  value: Record<string, unknown>;
  origins: OriginNode;
}

/**
 * Reads a values file into a plain tree and a parallel origin tree (file and line of every node).
 * Duplicate keys, syntax errors, non-map documents and alias bombs are InputErrors naming file and line.
 */
export function readValuesFile(
  files: ReadonlyMap<string, string>,
  path: string,
  cacheDir?: string,
): ValuesFile {
  const text = files.get(path);
  if (text === undefined)
    throw new InputError('cannot read values file: no such file', { file: path });
  return cacheDir ? parseValuesTextCached(text, path, cacheDir) : parseValuesText(text, path);
}

/** The origin tree of one file in stored form, or undefined when it holds more than lines. */
export function packOrigins(node: OriginNode, file: string): PackedOrigin | undefined {
  const o = node.origin;
  if (o.kind !== 'file' || o.file !== file || node.overrode || node.deleted) return undefined;
  if (!node.children) return [o.line];
  const children: [string, PackedOrigin][] = [];
  for (const [k, child] of node.children) {
    const packed = packOrigins(child, file);
    if (!packed) return undefined;
    children.push([k, packed]);
  }
  return [o.line, children];
}

/**
 * The origin tree of a stored file. A node's children are unpacked when first read: merging takes
 * a list or map a later layer replaces whole without looking inside it, and only a finding or
 * `explain` looks up a path, so most of a large file's nodes are never needed (unpacking all of the
 * 48,000 nodes of a 350 KB file took about 40 ms of each plan). `children` is an own enumerable
 * property as in a parsed tree: spreading or comparing a node reads it.
 */
function unpackOrigins(packed: PackedOrigin, file: string): OriginNode {
  const node: OriginNode = { origin: { kind: 'file', file, line: packed[0] } };
  const stored = packed[1];
  if (stored) {
    // null until read (or set)
    let children: Map<string, OriginNode> | undefined | null = null;
    Object.defineProperty(node, 'children', {
      enumerable: true,
      configurable: true,
      get: () => {
        if (children === null) {
          children = new Map();
          for (const [k, child] of stored) children.set(k, unpackOrigins(child, file));
        }
        return children;
      },
      set: (v: Map<string, OriginNode> | undefined) => {
        children = v;
      },
    });
  }
  return node;
}

/** Parsed values files kept in .manifests-cache/values/ (the newest; one is added per edit)... */
const MAX_STORED_VALUES = 200;
/** ...as long as they take at most this much room together (the newest is always kept). */
const MAX_STORED_VALUES_BYTES = 64 * 1024 * 1024;

/** The newest parse of a values file, kept to patch a one-line edit of it (one-line-edit.ts). */
interface LastParse {
  key: string;
  text: string;
  anchors: false;
  /** the file's keyed entry, as written beside it */
  entry: { value: Record<string, unknown>; origins: PackedOrigin };
}

/** The values of `text` from the newest parse of the file, when `text` is a one-line edit of it. */
function patchedFromLast(
  file: string,
  key: string,
  text: string,
): { value: Record<string, unknown>; origins: PackedOrigin } | undefined {
  let last: Partial<LastParse>;
  try {
    last = JSON.parse(readFileSync(file, 'utf8')) as Partial<LastParse>;
  } catch {
    return undefined;
  }
  const entry = last?.entry;
  if (
    !isObj(last) ||
    last.key !== key ||
    typeof last.text !== 'string' ||
    last.anchors !== false ||
    !isObj(entry) ||
    !isObj(entry.value) ||
    !Array.isArray(entry.origins)
  )
    return undefined;
  const value = applyOneLineEdit(last.text, entry.value, entry.origins, false, text);
  return value ? { value, origins: entry.origins } : undefined;
}

/**
 * `parseValuesText` through .manifests-cache/values/: the value and origin tree of a file whose
 * text (and name, and the reader's code and js-yaml's version) were parsed before are read back
 * from JSON, several times faster than parsing large YAML lists again. A text that is the newest
 * parsed text of the file with one scalar edited on one line is not parsed either: its values are
 * those of that text with the scalar changed (one-line-edit.ts). A file that fails to parse is
 * never stored, so its error is reported as always.
 */
function parseValuesTextCached(text: string, displayName: string, cacheDir: string): ValuesFile {
  const tool = codeFingerprint('values files 2', ['generator/values', 'core'], ['js-yaml']);
  const key = createHash('sha256')
    .update(tool)
    .update(`\0${displayName}\0`)
    .update(text)
    .digest('hex');
  const dir = join(cacheDir, 'values');
  const file = join(dir, `${key}.json`);
  try {
    const data = JSON.parse(readFileSync(file, 'utf8')) as {
      key?: string;
      value?: unknown;
      origins?: PackedOrigin;
    };
    if (data.key === key && isObj(data.value) && Array.isArray(data.origins))
      return {
        file: displayName,
        value: data.value,
        origins: unpackOrigins(data.origins, displayName),
      };
  } catch {
    // missing or unreadable: parsed below
  }
  const lastKey = createHash('sha256').update(`last\0${tool}\0${displayName}`).digest('hex');
  const lastFile = join(dir, `last-${lastKey}.json`);
  const patched = patchedFromLast(lastFile, lastKey, text);
  let result: ValuesFile;
  let origins: PackedOrigin | undefined;
  let anchors: boolean;
  if (patched) {
    origins = patched.origins;
    anchors = false;
    result = {
      file: displayName,
      value: patched.value,
      origins: unpackOrigins(origins, displayName),
    };
  } else {
    ({ parsed: result, anchors } = parseValues(text, displayName));
    const packed = packOrigins(result.origins, displayName);
    origins = packed && jsonSafe(result.value) ? packed : undefined;
  }
  if (origins) {
    // written before the caller can change the values (merging copies them, but the cache is
    // not the place to rely on that)
    const entry = JSON.stringify({ key, value: result.value, origins });
    const stored = writeFileAtomically(file, entry);
    // the newest parse holds the entry as written (the values are serialised once); a text with
    // anchors or aliases is never patched, so its newest parse is not kept
    if (stored && !anchors)
      writeFileAtomically(
        lastFile,
        `{"key":${JSON.stringify(lastKey)},"text":${JSON.stringify(text)},"anchors":false,"entry":${entry}}`,
      );
    if (stored) pruneFolder(dir, MAX_STORED_VALUES, '', MAX_STORED_VALUES_BYTES);
  }
  return result;
}

/** Maps a character offset to a 1-based line. */
function lineIndex(text: string): (offset: number) => number {
  const starts = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return (offset) => {
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  };
}

/**
 * Parses with js-yaml's event stream: the events give positions for the origin tree, and the same
 * events build the values (about four times faster than a parser that keeps a full syntax tree).
 */
export function parseValuesText(text: string, displayName: string): ValuesFile {
  return parseValues(text, displayName).parsed;
}

/** parseValuesText, and whether the text holds an anchor or an alias. */
function parseValues(text: string, displayName: string): { parsed: ValuesFile; anchors: boolean } {
  if (text.length > MAX_VALUES_FILE_BYTES) {
    throw new InputError(`values file is larger than ${MAX_VALUES_FILE_BYTES} bytes`, {
      file: displayName,
    });
  }
  let events: Event[];
  try {
    events = parseEvents(text, { filename: displayName, maxDepth: MAX_DEPTH });
  } catch (err) {
    throw yamlInputError(err, displayName);
  }
  const lineOf = lineIndex(text);
  const origins = buildOrigins(events, text, displayName, lineOf);
  const anchors = events.some(
    (ev) =>
      ev.type === EVENT_ID.ALIAS ||
      ((ev.type === EVENT_ID.SCALAR ||
        ev.type === EVENT_ID.MAPPING ||
        ev.type === EVENT_ID.SEQUENCE) &&
        ev.anchorStart >= 0),
  );
  let docs: unknown[];
  try {
    docs = constructFromEvents(events, { source: text, filename: displayName, schema: SCHEMA });
  } catch (err) {
    throw yamlInputError(err, displayName);
  }
  if (docs.length > 1) {
    throw new InputError('a values file must hold one YAML document', {
      file: displayName,
      line: 1,
    });
  }
  const value = docs[0];
  if (value === null || value === undefined) {
    return {
      parsed: {
        file: displayName,
        value: {},
        origins: { origin: { kind: 'file', file: displayName, line: 1 } },
      },
      anchors,
    };
  }
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new InputError('a values file must hold a map (key: value) at the top level', {
      file: displayName,
      line: origins.origin.kind === 'file' ? origins.origin.line : 1,
    });
  }
  return {
    parsed: { file: displayName, value: value as Record<string, unknown>, origins },
    anchors,
  };
}

interface Frame {
  kind: 'map' | 'seq';
  node: OriginNode;
  /** Next item index (sequences) or the pending key (mappings; undefined while expecting a key). */
  index: number;
  key?: string;
  keyLine?: number;
  /** Value of the pending key is a merge (`<<`): its origins are not kept. */
  merge?: boolean;
  /** Node count of this collection's subtree, for anchors. */
  size: number;
  anchor?: string;
}

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** Walks the events once: origin of every node, forbidden keys, and the expanded size (alias bombs). */
function buildOrigins(
  events: Event[],
  text: string,
  file: string,
  lineOf: (offset: number) => number,
): OriginNode {
  let root: OriginNode = { origin: { kind: 'file', file, line: 1 } };
  const stack: Frame[] = [];
  const anchorSizes = new Map<string, number>();
  let total = 0;
  const grow = (n: number, offset: number) => {
    total += n;
    for (const f of stack) f.size += n;
    if (total > MAX_VALUE_NODES) {
      throw new InputError(
        `values file expands to more than ${MAX_VALUE_NODES} nodes (alias bomb?)`,
        {
          file,
          line: lineOf(offset),
        },
      );
    }
  };
  /** Places a finished node in its parent; returns false when it was a mapping key. */
  const place = (node: OriginNode, line: number, keyText?: string): boolean => {
    const parent = stack[stack.length - 1];
    if (!parent) {
      root = node;
      return true;
    }
    if (parent.kind === 'seq') {
      parent.node.children!.set(String(parent.index++), node);
      return true;
    }
    if (parent.key === undefined) {
      // This node is a key.
      const k = keyText ?? '';
      if (FORBIDDEN_KEYS.has(k)) throw new InputError(`key "${k}" is not allowed`, { file, line });
      parent.key = k;
      parent.keyLine = line;
      parent.merge = k === '<<';
      return false;
    }
    if (!parent.merge) {
      node.origin = { kind: 'file', file, line: parent.keyLine ?? line };
      parent.node.children!.set(parent.key, node);
    }
    parent.key = undefined;
    return true;
  };
  const anchorName = (ev: { anchorStart: number; anchorEnd: number }) =>
    ev.anchorStart >= 0 ? text.slice(ev.anchorStart, ev.anchorEnd) : undefined;

  for (const ev of events) {
    switch (ev.type) {
      case EVENT_ID.DOCUMENT:
        break;
      case EVENT_ID.MAPPING:
      case EVENT_ID.SEQUENCE: {
        grow(1, ev.start);
        const line = lineOf(ev.start);
        const node: OriginNode = { origin: { kind: 'file', file, line }, children: new Map() };
        stack.push({
          kind: ev.type === EVENT_ID.MAPPING ? 'map' : 'seq',
          node,
          index: 0,
          size: 1,
          anchor: anchorName(ev),
        });
        break;
      }
      case EVENT_ID.SCALAR: {
        grow(1, ev.valueStart);
        const line = lineOf(ev.valueStart);
        const parent = stack[stack.length - 1];
        const isKey = parent?.kind === 'map' && parent.key === undefined;
        const keyText = isKey ? getScalarValue(text, ev) : undefined;
        const a = anchorName(ev);
        if (a) anchorSizes.set(a, 1);
        place({ origin: { kind: 'file', file, line } }, line, keyText);
        break;
      }
      case EVENT_ID.ALIAS: {
        const name = text.slice(ev.anchorStart, ev.anchorEnd);
        const size = anchorSizes.get(name) ?? 1;
        grow(size, ev.anchorStart);
        const line = lineOf(ev.anchorStart);
        place({ origin: { kind: 'file', file, line } }, line, name);
        break;
      }
      case EVENT_ID.POP: {
        const frame = stack.pop();
        if (!frame) break; // end of a document
        if (frame.anchor) anchorSizes.set(frame.anchor, frame.size);
        place(frame.node, frame.node.origin.kind === 'file' ? frame.node.origin.line : 1);
        break;
      }
    }
  }
  return root;
}
