import type { Manifest } from '../../core/manifest.js';
import type { FieldPath, RuleContext, RuleFinding, Rule, Severity } from '../types.js';
import {
  describe,
  groupOf,
  isObj,
  listNames,
  namespaceOf,
  suggestion,
} from '../model/references.js';
import { containersOf, type PodTemplate } from '../model/workloads.js';
import type { Obj } from '../../core/object.js';

type RefKind = 'Secret' | 'ConfigMap' | 'PersistentVolumeClaim' | 'ServiceAccount';

/** One name a pod spec refers to. */
interface Reference {
  kind: RefKind;
  name: string;
  /** Field path of the name. */
  path: FieldPath;
  /** What refers to it, for the message (`volume "keys"`, `env MONGODB_HOST of container app`). */
  from: string;
  /** Keys the reference needs, with the field path of each. */
  keys: { key: string; path: FieldPath }[];
}

/** What is known about one referable object. */
interface Target {
  /** Keys it holds; undefined when unknown (declared without keys, filled by a controller). */
  keys?: Set<string>;
  /** How it comes to exist, for key messages. */
  origin: string;
}

/** PVC-related facts of a StatefulSet's volumeClaimTemplates. */
interface ClaimTemplates {
  /** `claim-sts` prefixes: the controller creates `<claim>-<sts>-<ordinal>`. */
  prefixes: string[];
}

function keysOf(...maps: unknown[]): Set<string> {
  const out = new Set<string>();
  for (const m of maps) if (isObj(m)) for (const k of Object.keys(m)) out.add(k);
  return out;
}

/** Secrets, ConfigMaps, PVCs and ServiceAccounts that will exist, by `kind|namespace|name`. */
function collectTargets(manifests: Manifest[], ctx: RuleContext): Map<string, Target> {
  const targets = new Map<string, Target>();
  const add = (kind: RefKind, ns: string, name: unknown, target: Target) => {
    if (typeof name !== 'string' || name === '') return;
    const key = `${kind}|${ns}|${name}`;
    if (!targets.has(key)) targets.set(key, target);
  };
  for (const m of manifests) {
    const obj = m.object as Obj;
    const ns = namespaceOf(m);
    const group = groupOf(m);
    const name = obj.metadata?.name;
    if (group === '' && obj.kind === 'Secret') {
      const filledByController = obj.type === 'kubernetes.io/service-account-token';
      add('Secret', ns, name, {
        keys: filledByController ? undefined : keysOf(obj.data, obj.stringData),
        origin: `the rendered ${describe(m)}`,
      });
    } else if (group === '' && obj.kind === 'ConfigMap') {
      add('ConfigMap', ns, name, {
        keys: keysOf(obj.data, obj.binaryData),
        origin: `the rendered ${describe(m)}`,
      });
    } else if (group === '' && obj.kind === 'PersistentVolumeClaim') {
      add('PersistentVolumeClaim', ns, name, { origin: `the rendered ${describe(m)}` });
    } else if (group === '' && obj.kind === 'ServiceAccount') {
      add('ServiceAccount', ns, name, { origin: `the rendered ${describe(m)}` });
    } else if (obj.kind === 'ExternalSecret' && group.startsWith('external-secrets.io')) {
      // The External Secrets operator writes a Secret named after the target (default: itself).
      const data = Array.isArray(obj.spec?.data) ? obj.spec.data : [];
      const exact = !obj.spec?.dataFrom && !obj.spec?.target?.template;
      add('Secret', ns, obj.spec?.target?.name ?? name, {
        keys: exact ? new Set(data.map((d: Obj) => String(d?.secretKey))) : undefined,
        origin: `${describe(m)}`,
      });
    } else if (obj.kind === 'SealedSecret' && group === 'bitnami.com') {
      add('Secret', ns, name, {
        keys: keysOf(obj.spec?.encryptedData, obj.spec?.template?.data),
        origin: `${describe(m)}`,
      });
    }
  }
  for (const s of ctx.cluster?.outOfBandSecrets ?? []) {
    add('Secret', s.namespace || 'default', s.name, {
      keys: Array.isArray(s.keys) ? new Set(s.keys) : undefined,
      origin: 'the out-of-band declaration (outOfBandSecrets)',
    });
  }
  return targets;
}

function claimTemplatesOf(manifest: Manifest): ClaimTemplates & { names: string[] } {
  const obj = manifest.object as Obj;
  if (obj.kind !== 'StatefulSet' || !Array.isArray(obj.spec?.volumeClaimTemplates)) {
    return { prefixes: [], names: [] };
  }
  const names = obj.spec.volumeClaimTemplates
    .map((c: Obj) => c?.metadata?.name)
    .filter((n: unknown): n is string => typeof n === 'string');
  return { names, prefixes: names.map((n: string) => `${n}-${obj.metadata.name}-`) };
}

/** The references of one pod template. */
function referencesOf(t: PodTemplate): Reference[] {
  const refs: Reference[] = [];
  const spec = t.spec;
  const sp = t.specPath;
  const claimTemplates = claimTemplatesOf(t.manifest).names;

  const itemKeys = (items: unknown, base: FieldPath) =>
    (Array.isArray(items) ? items : [])
      .map((it: Obj, n: number) => ({ key: it?.key, path: [...base, 'items', n, 'key'] }))
      .filter(
        (k: { key: unknown }): k is { key: string; path: FieldPath } => typeof k.key === 'string',
      );

  (Array.isArray(spec.volumes) ? spec.volumes : []).forEach((v: Obj, i: number) => {
    if (!isObj(v)) return;
    const base = [...sp, 'volumes', i];
    const from = `volume "${v.name}"`;
    if (isObj(v.secret) && typeof v.secret.secretName === 'string' && v.secret.optional !== true) {
      refs.push({
        kind: 'Secret',
        name: v.secret.secretName,
        path: [...base, 'secret', 'secretName'],
        from,
        keys: itemKeys(v.secret.items, [...base, 'secret']),
      });
    }
    if (
      isObj(v.configMap) &&
      typeof v.configMap.name === 'string' &&
      v.configMap.optional !== true
    ) {
      refs.push({
        kind: 'ConfigMap',
        name: v.configMap.name,
        path: [...base, 'configMap', 'name'],
        from,
        keys: itemKeys(v.configMap.items, [...base, 'configMap']),
      });
    }
    // A StatefulSet's claim templates replace pod volumes of the same name.
    if (isObj(v.persistentVolumeClaim) && !claimTemplates.includes(v.name)) {
      const claim = v.persistentVolumeClaim.claimName;
      if (typeof claim === 'string') {
        refs.push({
          kind: 'PersistentVolumeClaim',
          name: claim,
          path: [...base, 'persistentVolumeClaim', 'claimName'],
          from,
          keys: [],
        });
      }
    }
    const sources = Array.isArray(v.projected?.sources) ? v.projected.sources : [];
    sources.forEach((s: Obj, j: number) => {
      for (const [field, kind] of [
        ['secret', 'Secret'],
        ['configMap', 'ConfigMap'],
      ] as const) {
        const src = s?.[field];
        if (isObj(src) && typeof src.name === 'string' && src.optional !== true) {
          const srcPath = [...base, 'projected', 'sources', j, field];
          refs.push({
            kind,
            name: src.name,
            path: [...srcPath, 'name'],
            from,
            keys: itemKeys(src.items, srcPath),
          });
        }
      }
    });
  });

  for (const { container, path } of containersOf(t)) {
    const cname = `container ${container?.name ?? '?'}`;
    (Array.isArray(container?.envFrom) ? container.envFrom : []).forEach((e: Obj, k: number) => {
      for (const [field, kind] of [
        ['secretRef', 'Secret'],
        ['configMapRef', 'ConfigMap'],
      ] as const) {
        const ref = e?.[field];
        if (isObj(ref) && typeof ref.name === 'string' && ref.optional !== true) {
          refs.push({
            kind,
            name: ref.name,
            path: [...path, 'envFrom', k, field, 'name'],
            from: `envFrom of ${cname}`,
            keys: [],
          });
        }
      }
    });
    (Array.isArray(container?.env) ? container.env : []).forEach((e: Obj, k: number) => {
      for (const [field, kind] of [
        ['secretKeyRef', 'Secret'],
        ['configMapKeyRef', 'ConfigMap'],
      ] as const) {
        const ref = e?.valueFrom?.[field];
        if (isObj(ref) && typeof ref.name === 'string' && ref.optional !== true) {
          const refPath = [...path, 'env', k, 'valueFrom', field];
          refs.push({
            kind,
            name: ref.name,
            path: [...refPath, 'name'],
            from: `env ${e.name} of ${cname}`,
            keys: typeof ref.key === 'string' ? [{ key: ref.key, path: [...refPath, 'key'] }] : [],
          });
        }
      }
    });
  }

  (Array.isArray(spec.imagePullSecrets) ? spec.imagePullSecrets : []).forEach(
    (s: Obj, i: number) => {
      if (typeof s?.name === 'string') {
        refs.push({
          kind: 'Secret',
          name: s.name,
          path: [...sp, 'imagePullSecrets', i, 'name'],
          from: 'imagePullSecrets',
          keys: [],
        });
      }
    },
  );

  const sa = spec.serviceAccountName ?? spec.serviceAccount;
  if (typeof sa === 'string' && sa !== '' && sa !== 'default') {
    refs.push({
      kind: 'ServiceAccount',
      name: sa,
      path: [
        ...sp,
        spec.serviceAccountName !== undefined ? 'serviceAccountName' : 'serviceAccount',
      ],
      from: 'serviceAccountName',
      keys: [],
    });
  }
  return refs;
}

/** Volume mounts that name no volume of the pod (the API server rejects the pod). */
function undefinedMounts(t: PodTemplate): RuleFinding[] {
  const out: RuleFinding[] = [];
  const volumes = new Set<string>(
    (Array.isArray(t.spec.volumes) ? t.spec.volumes : []).map((v: Obj) => v?.name),
  );
  for (const n of claimTemplatesOf(t.manifest).names) volumes.add(n);
  for (const { container, path } of containersOf(t)) {
    const mounts = Array.isArray(container?.volumeMounts) ? container.volumeMounts : [];
    mounts.forEach((m: Obj, k: number) => {
      if (typeof m?.name !== 'string' || volumes.has(m.name)) return;
      out.push({
        manifest: t.manifest,
        path: [...path, 'volumeMounts', k, 'name'],
        message: `volumeMounts of container ${container.name} names volume "${m.name}", which the pod does not define; ${suggestion(m.name, [...volumes], 'volumes of the pod')}`,
      });
    });
  }
  return out;
}

const HOW_TO_CREATE: Record<RefKind, string> = {
  Secret:
    'render the Secret, or declare it in outOfBandSecrets of the cluster declaration when it is created out of band',
  ConfigMap: 'render the ConfigMap',
  PersistentVolumeClaim:
    "render the PersistentVolumeClaim (a StatefulSet's own volumeClaimTemplates need no volume entry)",
  ServiceAccount: 'render the ServiceAccount, or remove serviceAccountName to use "default"',
};

/** Secrets, ConfigMaps, PVCs and ServiceAccounts that pods refer to exist in the pod's namespace. */
export const configReferencesRule: Rule = {
  id: 'config-references',
  description:
    'Secrets, ConfigMaps, PVCs (and their keys) and ServiceAccounts that pods refer to are rendered in the namespace or declared out of band',
  severity: 'error',
  docs: "Secrets, ConfigMaps (and the keys pods read from them), PVCs and ServiceAccounts that pods use exist: rendered in the pod's namespace or declared out of band in outOfBandSecrets. A missing one leaves pods in CreateContainerConfigError or ContainerCreating. Render the object, declare it in outOfBandSecrets, or fix the reference.",
  // what a pod refers to is looked up among the objects of these kinds (and the claims of the
  // StatefulSets' volumeClaimTemplates)
  scope: 'object',
  reads: {
    kinds: [
      'Secret',
      'ConfigMap',
      'PersistentVolumeClaim',
      'ServiceAccount',
      'ExternalSecret',
      'SealedSecret',
      'StatefulSet',
    ],
    context: (ctx) => [ctx.cluster ?? null, ctx.complete],
  },
  check(manifests, ctx) {
    const out: RuleFinding[] = [];
    const all = ctx.model.manifests;
    const targets = collectTargets(all, ctx);
    const claimPrefixes = new Map<string, string[]>();
    for (const m of all) {
      const { prefixes } = claimTemplatesOf(m);
      if (prefixes.length === 0) continue;
      const ns = namespaceOf(m);
      const known = claimPrefixes.get(ns);
      if (known) known.push(...prefixes);
      else claimPrefixes.set(ns, prefixes);
    }

    for (const t of ctx.model.podTemplatesOf(manifests)) {
      const ns = namespaceOf(t.manifest);
      out.push(...undefinedMounts(t));
      for (const ref of referencesOf(t)) {
        const target = targets.get(`${ref.kind}|${ns}|${ref.name}`);
        if (!target) {
          if (
            ref.kind === 'PersistentVolumeClaim' &&
            (claimPrefixes.get(ns) ?? []).some(
              (p) => ref.name.startsWith(p) && /^\d+$/.test(ref.name.slice(p.length)),
            )
          ) {
            continue; // created by a StatefulSet's volumeClaimTemplates
          }
          let severity: Severity | undefined;
          let note = '';
          if (ref.kind === 'ServiceAccount') severity = 'warning';
          if (!ctx.complete) {
            // files given on the command line: the object may be in a file not given
            severity = 'warning';
            note =
              ' (it is not among the files given; give its file too, or validate the whole plan with --env)';
          } else if (ref.kind === 'Secret' && !ctx.cluster) {
            severity = 'warning';
            note = ' (no cluster declaration is known, so out-of-band Secrets cannot be checked)';
          }
          const known = [...targets.keys()]
            .filter((k) => k.startsWith(`${ref.kind}|${ns}|`))
            .map((k) => k.split('|')[2]);
          out.push({
            manifest: t.manifest,
            path: ref.path,
            severity,
            message: `${ref.from} refers to ${ref.kind} "${ref.name}", which does not exist in namespace "${ns}"${note}; ${HOW_TO_CREATE[ref.kind]} (${suggestion(ref.name, known, `${ref.kind}s there`)})`,
          });
          continue;
        }
        if (!target.keys) continue;
        for (const { key, path } of ref.keys) {
          if (target.keys.has(key)) continue;
          out.push({
            manifest: t.manifest,
            path,
            message: `${ref.from} needs key "${key}" of ${ref.kind} "${ref.name}", but ${target.origin} ${target.keys.size === 0 ? 'has no keys' : `has only ${listNames([...target.keys])}`}; add the key or fix the reference (or set optional: true)`,
          });
        }
      }
    }
    return out;
  },
};
