import { readFileSync } from 'node:fs';
import {
  Alias,
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  parseDocument,
  type Document,
  type Node,
} from 'yaml';
import { InputError } from '../errors.js';
import type { OriginNode } from './origins.js';

/** Caps the number of nodes one values file may expand to (alias bombs stop here, fast). */
export const MAX_VALUE_NODES = 1_000_000;
/** Caps the size of one values file. */
export const MAX_VALUES_FILE_BYTES = 16 * 1024 * 1024;

export interface ValuesFile {
  file: string;
  value: Record<string, unknown>;
  origins: OriginNode;
}

/**
 * Reads a values file into a plain tree and a parallel origin tree (file and line of every node).
 * Duplicate keys, syntax errors, non-map documents and alias bombs are InputErrors naming file and line.
 */
export function readValuesFile(path: string, displayName: string): ValuesFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new InputError(`cannot read values file: ${(err as NodeJS.ErrnoException).code ?? err}`, {
      file: displayName,
    });
  }
  return parseValuesText(text, displayName);
}

export function parseValuesText(text: string, displayName: string): ValuesFile {
  if (text.length > MAX_VALUES_FILE_BYTES) {
    throw new InputError(`values file is larger than ${MAX_VALUES_FILE_BYTES} bytes`, {
      file: displayName,
    });
  }
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, {
    lineCounter,
    uniqueKeys: true,
    merge: true,
    prettyErrors: false,
  });
  const lineOf = (offset: number | undefined) =>
    offset === undefined ? 1 : lineCounter.linePos(offset).line;
  if (doc.errors.length > 0) {
    const e = doc.errors[0];
    const first = e.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
    throw new InputError(`YAML error: ${first}`, { file: displayName, line: lineOf(e.pos[0]) });
  }
  const root = doc.contents;
  if (root === null || (isScalar(root) && (root.value === null || root.value === undefined))) {
    return {
      file: displayName,
      value: {},
      origins: { origin: { kind: 'file', file: displayName, line: 1 } },
    };
  }
  if (!isMap(root)) {
    throw new InputError('a values file must hold a map (key: value) at the top level', {
      file: displayName,
      line: lineOf(root.range?.[0]),
    });
  }
  const state = { count: 0 };
  const [value, origins] = convertNode(root, doc, displayName, lineOf, state, 0);
  return { file: displayName, value: value as Record<string, unknown>, origins };
}

function convertNode(
  node: Node | null | undefined,
  doc: Document,
  file: string,
  lineOf: (offset: number | undefined) => number,
  state: { count: number },
  depth: number,
): [unknown, OriginNode] {
  if (++state.count > MAX_VALUE_NODES || depth > 200) {
    throw new InputError(
      `values file expands to more than ${MAX_VALUE_NODES} nodes or nests too deeply (alias bomb?)`,
      { file, line: lineOf(node?.range?.[0]) },
    );
  }
  const origin: OriginNode = { origin: { kind: 'file', file, line: lineOf(node?.range?.[0]) } };
  if (node === null || node === undefined) return [null, origin];
  if (isAlias(node)) {
    const target = (node as Alias).resolve(doc);
    if (!target)
      throw new InputError(`unknown alias ${node.source}`, { file, line: lineOf(node.range?.[0]) });
    const [v, o] = convertNode(target as Node, doc, file, lineOf, state, depth + 1);
    // The alias line is where the value is used; keep the target's children for detail.
    return [v, { origin: origin.origin, children: o.children }];
  }
  if (isScalar(node)) return [node.value ?? null, origin];
  if (isSeq(node)) {
    const out: unknown[] = [];
    origin.children = new Map();
    node.items.forEach((item, i) => {
      const [v, o] = convertNode(item as Node, doc, file, lineOf, state, depth + 1);
      out.push(v);
      origin.children!.set(String(i), o);
    });
    return [out, origin];
  }
  if (isMap(node)) {
    const out: Record<string, unknown> = {};
    origin.children = new Map();
    const merged: [Record<string, unknown>, OriginNode][] = [];
    for (const pair of node.items) {
      if (!isPair(pair)) continue;
      const keyNode = pair.key as Node | null;
      const key = isScalar(keyNode) ? keyNode.value : keyNode;
      if (isScalar(keyNode) && keyNode.source === '<<') {
        const [v, o] = convertNode(pair.value as Node, doc, file, lineOf, state, depth + 1);
        const sources = Array.isArray(v)
          ? v.map((x, i) => [x, o.children?.get(String(i))])
          : [[v, o]];
        for (const [sv, so] of sources) {
          if (sv && typeof sv === 'object' && !Array.isArray(sv))
            merged.push([sv as Record<string, unknown>, so as OriginNode]);
        }
        continue;
      }
      if (key !== null && typeof key === 'object') {
        throw new InputError('values keys must be plain scalars', {
          file,
          line: lineOf(keyNode?.range?.[0]),
        });
      }
      const k = String(key);
      if (k === '__proto__' || k === 'constructor' || k === 'prototype') {
        throw new InputError(`key "${k}" is not allowed`, {
          file,
          line: lineOf(keyNode?.range?.[0]),
        });
      }
      const [v, o] = convertNode(pair.value as Node, doc, file, lineOf, state, depth + 1);
      // A key's origin line is the key's own line (a nested map starts on the next line).
      o.origin = { kind: 'file', file, line: lineOf(keyNode?.range?.[0]) };
      out[k] = v;
      origin.children.set(k, o);
    }
    for (const [src, so] of merged) {
      for (const [k, v] of Object.entries(src)) {
        if (k in out) continue;
        out[k] = v;
        const child = so?.children?.get(k);
        if (child) origin.children.set(k, child);
      }
    }
    return [out, origin];
  }
  throw new InputError('unsupported YAML node', { file, line: lineOf((node as Node).range?.[0]) });
}
