import { loadAll } from 'js-yaml';
import { fastLoadAll } from '../generator/render/fast-yaml.js';
import { InputError } from '../core/errors.js';
import type { KubeObject } from '../core/manifest.js';
import { checkDocumentSize, kubeShapeProblem } from '../core/shape.js';

/**
 * The objects of one committed plan file (one document in the release's own style; several
 * documents and `kind: List` are read too). `source` names the file in errors, e.g.
 * `HEAD:release/prd/app/apps/deployment-web.yaml`.
 */
export function parsePlanFile(text: string, source: string): KubeObject[] {
  let docs: unknown[];
  try {
    // The release emitter's output is in the subset the fast reader handles; anything else (a
    // hand-edited or foreign file) goes to js-yaml.
    docs = fastLoadAll(text) ?? loadAll(text, null, { filename: source, maxAliases: 100 } as never);
  } catch (err) {
    const e = err as { reason?: string; mark?: { line: number } };
    throw new InputError(`YAML error: ${e.reason ?? 'invalid YAML'}`, {
      file: source,
      line: e.mark ? e.mark.line + 1 : undefined,
    });
  }
  const out: KubeObject[] = [];
  for (const doc of docs) {
    if (doc === null || doc === undefined) continue;
    const d = doc as Record<string, unknown>;
    const items = d && d.kind === 'List' && Array.isArray(d.items) ? d.items : [doc];
    for (const item of items) {
      const problem = kubeShapeProblem(item);
      if (problem) throw new InputError(`document ${problem}`, { file: source });
      out.push(checkDocumentSize(item, source) as KubeObject);
    }
  }
  return out;
}
