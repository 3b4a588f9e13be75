import { parseImageRef } from './images.js';
import type { PodTemplate } from './workloads.js';
import type { Obj } from '../../core/object.js';

/**
 * Recognises the parts of known systems in any plan, whichever chart (or none) rendered them. The
 * image name is the strongest signal; labels, names and namespaces back it up.
 */

export type ScalarDlPart =
  'ledger' | 'envoy' | 'auditor' | 'auditor-envoy' | 'schema-loader' | 'auditor-schema-loader';

const NAME_LABELS = [
  'app.kubernetes.io/name',
  'app.kubernetes.io/component',
  'app.kubernetes.io/instance',
  'app.kubernetes.io/part-of',
  'app',
  'component',
  'k8s-app',
];

/** Lowercase letters and digits only, so `scalardl-auditor` and `scalardlauditorpool` compare. */
export function squash(s: unknown): string {
  return String(s ?? '')
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '');
}

/** Identity words of a pod template: name-like labels, the object's name and namespace, the chart. */
export function identityWords(t: PodTemplate): string[] {
  const obj = t.manifest.object as Obj;
  const words: string[] = [];
  for (const labels of [t.labels, obj.metadata?.labels ?? {}]) {
    for (const k of NAME_LABELS) if (typeof labels?.[k] === 'string') words.push(labels[k]);
  }
  words.push(obj.metadata?.name ?? '', obj.metadata?.namespace ?? '', t.manifest.chart ?? '');
  return words.map((w) => String(w).toLowerCase()).filter((w) => w !== '');
}

function containers(t: PodTemplate, field: string): Obj[] {
  const list = t.spec?.[field];
  return Array.isArray(list) ? list.filter((c) => c && typeof c === 'object') : [];
}

function mentionsAuditor(t: PodTemplate): boolean {
  if (identityWords(t).some((w) => w.includes('auditor'))) return true;
  for (const c of [...containers(t, 'initContainers'), ...containers(t, 'containers')]) {
    const words = [
      ...(Array.isArray(c.args) ? c.args : []),
      ...(Array.isArray(c.command) ? c.command : []),
    ];
    for (const e of Array.isArray(c.env) ? c.env : [])
      if (e?.value !== undefined) words.push(String(e.value));
    if (words.some((w) => /auditor/i.test(String(w)))) return true;
  }
  return false;
}

function partFromImages(t: PodTemplate): ScalarDlPart | undefined {
  for (const field of ['containers', 'initContainers']) {
    for (const c of containers(t, field)) {
      // every name below holds "scalar", and a reference holds its name as written
      if (typeof c.image !== 'string' || !c.image.includes('scalar')) continue;
      const name = parseImageRef(c.image)?.name ?? '';
      if (name === 'scalar-ledger' || name === 'scalardl-ledger') return 'ledger';
      if (name === 'scalar-auditor' || name === 'scalardl-auditor') return 'auditor';
      if (name === 'scalar-envoy' || name === 'scalardl-envoy') return 'envoy';
      if (name.includes('scalardl-schema-loader') || name === 'scalar-schema-loader')
        return 'schema-loader';
    }
  }
  return undefined;
}

/**
 * Whether a lowercase word names Scalar DL once squashed (`squash(w).includes('scalardl')`), tested
 * without making the squashed copy: the letters in order, anything but letters and digits between.
 */
const NAMES_SCALARDL =
  /s[^a-z0-9]*c[^a-z0-9]*a[^a-z0-9]*l[^a-z0-9]*a[^a-z0-9]*r[^a-z0-9]*d[^a-z0-9]*l/;
export function namesScalarDl(lowercaseWord: string): boolean {
  return NAMES_SCALARDL.test(lowercaseWord);
}

/** Whether a pod template belongs to Scalar DL by its chart, labels, name or namespace. */
export function looksScalarDl(t: PodTemplate): boolean {
  return identityWords(t).some(namesScalarDl);
}

function partFromLabels(t: PodTemplate): ScalarDlPart | undefined {
  if (!looksScalarDl(t)) return undefined;
  const words = [
    ...NAME_LABELS.map((k) => t.labels?.[k]),
    (t.manifest.object as Obj).metadata?.name,
  ]
    .filter((w): w is string => typeof w === 'string')
    .map((w) => w.toLowerCase());
  if (words.some((w) => w.includes('schema'))) return 'schema-loader';
  if (words.some((w) => w.includes('envoy'))) return 'envoy';
  if (words.some((w) => w.includes('ledger'))) return 'ledger';
  if (words.some((w) => w.includes('auditor'))) return 'auditor';
  return undefined;
}

/**
 * Answers per pod template: several rules ask about the same templates (the model's), and a
 * template does not change during a validation run.
 */
const partCache = new WeakMap<PodTemplate, ScalarDlPart | null>();
const mxTransporterCache = new WeakMap<PodTemplate, boolean>();

/** Which Scalar DL part a pod template runs, if any. */
export function scalarDlPartOf(t: PodTemplate): ScalarDlPart | undefined {
  let part = partCache.get(t);
  if (part === undefined) partCache.set(t, (part = computeScalarDlPart(t) ?? null));
  return part ?? undefined;
}

function computeScalarDlPart(t: PodTemplate): ScalarDlPart | undefined {
  const base = partFromImages(t) ?? partFromLabels(t);
  if (base === 'envoy' && mentionsAuditor(t)) return 'auditor-envoy';
  if (base === 'schema-loader' && mentionsAuditor(t)) return 'auditor-schema-loader';
  return base;
}

/** Auditor-side parts (the Auditor, its Envoy and its schema loading). */
export function isAuditorSide(part: ScalarDlPart): boolean {
  return part.startsWith('auditor');
}

/** Whether a pod template runs MxTransporter (by image, or by chart and labels). */
export function isMxTransporter(t: PodTemplate): boolean {
  let is = mxTransporterCache.get(t);
  if (is === undefined) mxTransporterCache.set(t, (is = computeIsMxTransporter(t)));
  return is;
}

function computeIsMxTransporter(t: PodTemplate): boolean {
  for (const field of ['containers', 'initContainers']) {
    for (const c of containers(t, field))
      if (/mxtransporter/i.test(String(c.image ?? ''))) return true;
  }
  if (t.manifest.chart === 'mxtransporter') return true;
  const labels = [t.labels, (t.manifest.object as Obj).metadata?.labels ?? {}];
  return labels.some((l) => NAME_LABELS.some((k) => squash(l?.[k]).includes('mxtransporter')));
}
