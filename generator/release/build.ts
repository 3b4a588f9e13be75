import { InputError } from '../../core/errors.js';
import { apiServerSizeProblem } from '../../core/shape.js';
import { resourceId, resourceKey, type Manifest } from '../../core/manifest.js';
import type { RenderedDocument } from '../../core/manifest.js';
import { releasePathFor } from './paths.js';
import { serializeDocument } from './serialize.js';

/** The release as it will be on disk: release-relative path -> file text, plus the manifests. */
export interface ReleaseContent {
  files: Map<string, string>;
  manifests: Manifest[];
  /** git blob ids of files whose documents came with one (from the render cache), by path */
  blobIds: Map<string, string>;
}

/** Places rendered documents in files, failing on duplicate resources and path collisions. */
export function buildRelease(docs: RenderedDocument[]): ReleaseContent {
  const byKey = new Map<string, RenderedDocument>();
  const byPath = new Map<string, RenderedDocument>();
  const files = new Map<string, string>();
  const blobIds = new Map<string, string>();
  const manifests: Manifest[] = [];
  for (const doc of docs) {
    const key = resourceKey(doc.object);
    const dup = byKey.get(key);
    if (dup) {
      throw new InputError(
        `duplicate resource ${resourceId(doc.object)} (also rendered by ${dup.template})`,
        { file: doc.template },
      );
    }
    byKey.set(key, doc);
    const path = releasePathFor(doc.chart, doc.object);
    const clash = byPath.get(path);
    if (clash) {
      throw new InputError(
        `resource ${resourceId(doc.object)} and ${resourceId(clash.object)} (from ${clash.template}) map to the same release file ${path}; rename one`,
        { file: doc.template },
      );
    }
    byPath.set(path, doc);
  }
  for (const path of [...byPath.keys()].sort()) {
    const doc = byPath.get(path)!;
    const text = (doc.text ??= serializeDocument(doc.object));
    const tooBig = apiServerSizeProblem(doc.object, Buffer.byteLength(text, 'utf8'));
    if (tooBig)
      throw new InputError(`${resourceId(doc.object)}: ${tooBig}`, { file: doc.template });
    files.set(path, text);
    doc.file = path;
    if (doc.blobId !== undefined) blobIds.set(path, doc.blobId);
    manifests.push({
      chart: doc.chart,
      template: doc.template,
      object: doc.object,
      file: path,
      line: 1,
    });
  }
  return { files, manifests, blobIds };
}
