import { createRequire } from 'node:module';
import type { LineCounter, Node } from 'yaml';

/** The yaml library, loaded when a finding first needs a line (most runs report none). */
const yaml = (): typeof import('yaml') =>
  createRequire(import.meta.url)('yaml') as typeof import('yaml');
import type { FieldPath } from './types.js';

interface ParsedFile {
  lineCounter: LineCounter;
  /** Documents by their 1-based start line. */
  docs: { startLine: number; contents: Node | null }[];
}

/**
 * Finds the line of a field inside a manifest file, parsing the file with a position-keeping parser
 * only when a finding needs it (the hot path parses with a faster parser that keeps no positions).
 */
export class FieldLocator {
  private readonly cache = new Map<string, ParsedFile | null>();
  constructor(private readonly texts: Map<string, string>) {}

  /** Line of `path` in the document starting at `docLine` of `file`; the deepest existing prefix wins. */
  lineOf(file: string, docLine: number, path: FieldPath): number {
    const parsed = this.parse(file);
    if (!parsed) return docLine;
    const doc =
      parsed.docs.find((d) => d.startLine === docLine) ??
      parsed.docs.filter((d) => d.startLine <= docLine).pop() ??
      parsed.docs[0];
    if (!doc?.contents) return docLine;
    let node: Node | null | undefined = doc.contents;
    let line = this.lineAt(parsed, node) ?? docLine;
    for (const seg of path) {
      let next: Node | null | undefined;
      let keyLine: number | undefined;
      if (yaml().isMap(node)) {
        const pair = node.items.find(
          (p) => String((p.key as { value?: unknown })?.value ?? p.key) === String(seg),
        );
        if (pair) {
          next = pair.value as Node | null;
          keyLine = this.lineAt(parsed, pair.key as Node);
        }
      } else if (yaml().isSeq(node) && typeof seg === 'number') {
        next = node.items[seg] as Node | undefined;
        keyLine = next ? this.lineAt(parsed, next) : undefined;
      }
      if (next === undefined && keyLine === undefined) break;
      line = keyLine ?? line;
      node = next;
      if (!node) break;
    }
    return line;
  }

  private lineAt(parsed: ParsedFile, node: Node | null | undefined): number | undefined {
    const offset = node?.range?.[0];
    return offset === undefined ? undefined : parsed.lineCounter.linePos(offset).line;
  }

  private parse(file: string): ParsedFile | null {
    if (this.cache.has(file)) return this.cache.get(file)!;
    const text = this.texts.get(file);
    let parsed: ParsedFile | null = null;
    if (text !== undefined) {
      const lineCounter = new (yaml().LineCounter)();
      const docs = yaml().parseAllDocuments(text, { lineCounter, uniqueKeys: false });
      const list = Array.isArray(docs) ? docs : [];
      parsed = {
        lineCounter,
        docs: list.map((d) => ({
          startLine: lineCounter.linePos(d.contents?.range?.[0] ?? d.range[0]).line,
          contents: d.contents,
        })),
      };
    }
    this.cache.set(file, parsed);
    return parsed;
  }
}

export { formatFieldPath } from '../core/paths.js';
