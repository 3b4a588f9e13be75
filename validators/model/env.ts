import type { Manifest } from '../../core/manifest.js';
import { namespaceOf } from './references.js';
import type { ClusterDeclaration, FieldPath } from '../types.js';
import type { Obj } from '../../core/object.js';

/**
 * The environment a container sees: `env` entries over `envFrom` sources (later sources win), with
 * ConfigMap values read from the rendered ConfigMaps of the same namespace.
 */

export type EnvValue =
  /** A value known from the plan (an `env` value or a rendered ConfigMap key). */
  | { kind: 'value'; value: string; path: FieldPath }
  /** Set from a Secret: present, value not shown. */
  | { kind: 'secret'; path: FieldPath; source: string }
  /** Set, but the value is only known at run time (fieldRef, unrendered ConfigMap...). */
  | { kind: 'unknown'; path: FieldPath; source: string };

export interface ContainerEnv {
  vars: Map<string, EnvValue>;
  /** envFrom sources whose keys are unknown: any variable may come from them. */
  openSources: string[];
}

/** Rendered ConfigMaps and Secrets by `namespace/name` (a missing namespace is `default`). */
export interface ConfigIndex {
  configMaps: Map<string, Obj>;
  secrets: Map<string, Obj>;
}

export function indexConfig(manifests: Manifest[]): ConfigIndex {
  const index: ConfigIndex = { configMaps: new Map(), secrets: new Map() };
  for (const m of manifests) {
    const key = `${namespaceOf(m)}/${m.object.metadata?.name}`;
    if (m.object.kind === 'ConfigMap') index.configMaps.set(key, m.object);
    if (m.object.kind === 'Secret') index.secrets.set(key, m.object);
  }
  return index;
}

function secretKeys(secret: Obj): string[] {
  return [...Object.keys(secret.data ?? {}), ...Object.keys(secret.stringData ?? {})];
}

/** Resolves a container's environment. */
export function containerEnv(
  container: Obj,
  containerPath: FieldPath,
  namespace: string,
  index: ConfigIndex,
  cluster: ClusterDeclaration | undefined,
): ContainerEnv {
  const vars = new Map<string, EnvValue>();
  const openSources: string[] = [];
  const envFrom: Obj[] = Array.isArray(container?.envFrom) ? container.envFrom : [];
  envFrom.forEach((src, i) => {
    if (!src || typeof src !== 'object') return;
    const prefix = typeof src.prefix === 'string' ? src.prefix : '';
    const path: FieldPath = [...containerPath, 'envFrom', i];
    if (src.configMapRef?.name) {
      const name = String(src.configMapRef.name);
      const cm = index.configMaps.get(`${namespace}/${name}`);
      if (!cm) {
        if (!src.configMapRef.optional) openSources.push(`ConfigMap ${name}`);
        return;
      }
      for (const [k, v] of Object.entries(cm.data ?? {})) {
        vars.set(prefix + k, { kind: 'value', value: String(v ?? ''), path });
      }
      for (const k of Object.keys(cm.binaryData ?? {})) {
        vars.set(prefix + k, { kind: 'unknown', path, source: `ConfigMap ${name}` });
      }
    } else if (src.secretRef?.name) {
      const name = String(src.secretRef.name);
      const secret = index.secrets.get(`${namespace}/${name}`);
      let keys: string[] | undefined = secret ? secretKeys(secret) : undefined;
      if (!secret) {
        const declared = (cluster?.outOfBandSecrets ?? []).find(
          (s) => s?.name === name && s?.namespace === namespace,
        );
        keys = Array.isArray(declared?.keys) ? declared.keys : undefined;
      }
      if (!keys) {
        if (!src.secretRef.optional) openSources.push(`Secret ${name}`);
        return;
      }
      for (const k of keys)
        vars.set(prefix + k, { kind: 'secret', path, source: `Secret ${name}` });
    }
  });
  const env: Obj[] = Array.isArray(container?.env) ? container.env : [];
  env.forEach((e, i) => {
    if (!e || typeof e.name !== 'string') return;
    const path: FieldPath = [...containerPath, 'env', i];
    const from = e.valueFrom;
    if (!from) {
      vars.set(e.name, {
        kind: 'value',
        value: e.value === undefined || e.value === null ? '' : String(e.value),
        path: [...path, 'value'],
      });
    } else if (from.secretKeyRef) {
      vars.set(e.name, { kind: 'secret', path, source: `Secret ${from.secretKeyRef.name}` });
    } else if (from.configMapKeyRef) {
      const ref = from.configMapKeyRef;
      const cm = index.configMaps.get(`${namespace}/${ref.name}`);
      const v = cm?.data?.[ref.key];
      if (v !== undefined) vars.set(e.name, { kind: 'value', value: String(v), path });
      else if (!(cm && ref.optional))
        vars.set(e.name, { kind: 'unknown', path, source: `ConfigMap ${ref.name}` });
    } else {
      vars.set(e.name, { kind: 'unknown', path, source: 'a field reference' });
    }
  });
  return { vars, openSources };
}
