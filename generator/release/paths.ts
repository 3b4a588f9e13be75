import { createHash } from 'node:crypto';
import { isClusterScoped } from '../../core/kinds.js';
import { isEksctlDocument, type KubeObject } from '../../core/manifest.js';

/** A segment cleanSegment leaves as it is: no dot or dash first, last or next to another. */
const ALREADY_CLEAN = /^[a-z0-9_](?:[a-z0-9_]|[.-](?=[a-z0-9_]))*$/;

/**
 * One path segment from any text: lowercase letters, digits, dot, dash and underscore only, no
 * leading dot or dash, at most 100 characters (longer names keep a hash suffix so they stay unique).
 */
export function cleanSegment(text: string): string {
  // most names are clean already: what segmentByReplacements would give back unchanged
  return text.length <= 100 && ALREADY_CLEAN.test(text) ? text : segmentByReplacements(text);
}

/** cleanSegment without its shortcut (exported for the test that compares the two). */
export function segmentByReplacements(text: string): string {
  let s = text
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^[.-]+/, '')
    .replace(/[.-]+$/, '');
  if (s === '') s = '_';
  if (s.length > 100)
    s = `${s.slice(0, 87)}-${createHash('sha256').update(text).digest('hex').slice(0, 12)}`;
  return s;
}

/** `<chart>/<namespace | _cluster | _default | _eksctl>/<kind>-<name>.yaml`, cleaned. */
export function releasePathFor(chart: string, obj: KubeObject): string {
  const scope = isEksctlDocument(obj)
    ? '_eksctl'
    : obj.metadata.namespace
      ? cleanSegment(obj.metadata.namespace)
      : isClusterScoped(obj.kind)
        ? '_cluster'
        : '_default';
  return `${cleanSegment(chart)}/${scope}/${cleanSegment(obj.kind)}-${cleanSegment(obj.metadata.name)}.yaml`;
}
