import type { Manifest } from '../../core/manifest.js';
import type { FieldPath } from '../types.js';
import { parseImageRef } from './images.js';
import { containersOf, podTemplateOf, type PodTemplate } from './workloads.js';

type Obj = Record<string, any>;

/**
 * Fluent Bit as rendered: a DaemonSet running the Fluent Bit image, its classic-format
 * configuration read from a mounted ConfigMap, and the pipeline that configuration describes.
 *
 * The classic format (Fluent Bit docs, "Configuring Fluent Bit: classic mode"): `[SECTION]` headers
 * (SERVICE, INPUT, FILTER, OUTPUT, PARSER...), then one `Key Value` entry per line, indented; keys
 * are case-insensitive and may repeat (`Remove_key a`, `Remove_key b`); `#` starts a comment line;
 * `@SET name=value` defines a variable used as `${name}`; `@INCLUDE file` inserts another file.
 * The image reads `/fluent-bit/etc/fluent-bit.conf` unless `-c`/`--config` says otherwise (the
 * upstream Dockerfile's CMD).
 */

/** Where the upstream image reads its configuration when no `-c` is given. */
export const DEFAULT_CONFIG_PATH = '/fluent-bit/etc/fluent-bit.conf';

/** Image names of Fluent Bit distributions (the upstream image and AWS for Fluent Bit). */
const FLUENT_BIT_IMAGES = new Set(['fluent-bit', 'aws-for-fluent-bit']);

export interface FluentBitSection {
  /** Section name in lowercase: `service`, `input`, `filter`, `output`, ... */
  kind: string;
  /** Entries in order, keys in lowercase. */
  entries: { key: string; value: string }[];
}

export interface FluentBitConfig {
  sections: FluentBitSection[];
}

/** The first value of a key in a section (keys compare case-insensitively). */
export function prop(section: FluentBitSection, key: string): string | undefined {
  return section.entries.find((e) => e.key === key.toLowerCase())?.value;
}

/** Every value of a key in a section. */
export function props(section: FluentBitSection, key: string): string[] {
  return section.entries.filter((e) => e.key === key.toLowerCase()).map((e) => e.value);
}

/** The plugin a section runs (its `Name`), lowercase. */
export function pluginOf(section: FluentBitSection): string {
  return (prop(section, 'name') ?? '').toLowerCase();
}

/**
 * Parses classic-format text. `include` returns the text of an `@INCLUDE`d file (undefined when it
 * is not available, then the line is skipped). Variables from `@SET` are substituted in values.
 */
export function parseFluentBitConfig(
  text: string,
  include: (file: string) => string | undefined = () => undefined,
): FluentBitConfig {
  const sections: FluentBitSection[] = [];
  const vars = new Map<string, string>();
  let current: FluentBitSection | undefined;
  const expand = (v: string) =>
    v.replace(/\$\{([A-Za-z0-9_]+)\}/g, (all, name: string) => vars.get(name) ?? all);
  const read = (t: string, depth: number) => {
    for (const raw of t.split(/\r?\n/)) {
      const line = raw.trim();
      if (line === '' || line.startsWith('#')) continue;
      const set = /^@SET\s+([A-Za-z0-9_]+)\s*=\s*(.*)$/i.exec(line);
      if (set) {
        vars.set(set[1], set[2].trim());
        continue;
      }
      const inc = /^@INCLUDE\s+(\S+)/i.exec(line);
      if (inc) {
        const included = depth < 8 ? include(inc[1]) : undefined;
        if (included !== undefined) read(included, depth + 1);
        continue;
      }
      const header = /^\[([A-Za-z_]+)\]$/.exec(line);
      if (header) {
        current = { kind: header[1].toLowerCase(), entries: [] };
        sections.push(current);
        continue;
      }
      if (!current) continue;
      const m = /^(\S+)\s*(.*)$/.exec(line);
      if (m) current.entries.push({ key: m[1].toLowerCase(), value: expand(m[2].trim()) });
    }
  };
  read(text, 0);
  return { sections };
}

/** Whether a Fluent Bit `Match` pattern (with `*` wildcards) matches a tag. */
export function tagMatches(pattern: string, tag: string): boolean {
  const re = new RegExp(
    `^${pattern
      .split('*')
      .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
  );
  return re.test(tag);
}

/** Whether a filter or output section applies to records with this tag (`Match` or `Match_Regex`). */
export function sectionMatches(section: FluentBitSection, tag: string): boolean {
  const regex = prop(section, 'match_regex');
  if (regex !== undefined) {
    try {
      return new RegExp(regex).test(tag);
    } catch {
      return false;
    }
  }
  const match = prop(section, 'match');
  return match !== undefined && tagMatches(match, tag);
}

/**
 * A tag records of an input carry: its `Tag` with each `*` filled in (the tail input puts the file
 * path there), or the plugin name when no tag is set (Fluent Bit's default).
 */
export function sampleTag(input: FluentBitSection): string {
  const tag = prop(input, 'tag');
  return tag ? tag.replace(/\*/g, 'var.log.containers.sample.log') : pluginOf(input);
}

/** A file a container sees, resolved to the ConfigMap key that provides it. */
export interface MountedFile {
  configMap: Manifest;
  key: string;
  text: string;
}

/** A Fluent Bit DaemonSet and the configuration it reads. */
export interface FluentBitAgent {
  template: PodTemplate;
  container: Obj;
  containerPath: FieldPath;
  configPath: string;
  /** The mounted ConfigMap key holding the configuration, when one provides it. */
  config?: MountedFile;
  /** Reads another file of the container's mounted ConfigMaps (an absolute or config-relative path). */
  readFile(path: string): MountedFile | undefined;
}

/** The `-c`/`--config` argument of a Fluent Bit command line, if any. */
function configArg(args: unknown[]): string | undefined {
  for (let i = 0; i < args.length; i++) {
    const a = String(args[i]);
    if ((a === '-c' || a === '--config') && i + 1 < args.length) return String(args[i + 1]);
    const eq = /^(?:-c|--config)=(.+)$/.exec(a);
    if (eq) return eq[1];
  }
  return undefined;
}

function dirOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i <= 0 ? '/' : path.slice(0, i);
}

/** The Fluent Bit DaemonSets among the manifests, with their configuration resolved. */
export function fluentBitAgents(manifests: Manifest[]): FluentBitAgent[] {
  const configMaps = new Map<string, Manifest>();
  for (const m of manifests) {
    if (m.object.kind !== 'ConfigMap') continue;
    configMaps.set(`${m.object.metadata?.namespace ?? ''}/${m.object.metadata?.name}`, m);
  }
  const out: FluentBitAgent[] = [];
  for (const m of manifests) {
    if (m.object.kind !== 'DaemonSet') continue;
    const t = podTemplateOf(m);
    if (!t) continue;
    const namespace = m.object.metadata?.namespace ?? '';
    for (const { container, path } of containersOf(t)) {
      if (path[path.length - 2] !== 'containers') continue;
      const name = parseImageRef(container?.image)?.name ?? '';
      if (!FLUENT_BIT_IMAGES.has(name)) continue;
      const args = [
        ...(Array.isArray(container.command) ? container.command : []),
        ...(Array.isArray(container.args) ? container.args : []),
      ];
      const configPath = configArg(args) ?? DEFAULT_CONFIG_PATH;
      const volumes: Obj[] = Array.isArray(t.spec.volumes) ? t.spec.volumes : [];
      const mounts: Obj[] = Array.isArray(container.volumeMounts) ? container.volumeMounts : [];
      const readFile = (file: string): MountedFile | undefined => {
        const abs = file.startsWith('/') ? file : `${dirOf(configPath)}/${file}`;
        for (const mount of mounts) {
          const mountPath = String(mount?.mountPath ?? '').replace(/\/+$/, '');
          const volume = volumes.find((v) => v?.name === mount?.name);
          const cmName = volume?.configMap?.name;
          if (!cmName) continue;
          let key: string | undefined;
          if (mount.subPath) {
            if (abs === mountPath) key = String(mount.subPath);
          } else if (abs.startsWith(`${mountPath}/`)) {
            const relative = abs.slice(mountPath.length + 1);
            const items: Obj[] | undefined = volume.configMap.items;
            key = Array.isArray(items)
              ? items.find((it) => it?.path === relative)?.key
              : relative.includes('/')
                ? undefined
                : relative;
          }
          if (key === undefined) continue;
          const cm = configMaps.get(`${namespace}/${cmName}`);
          const text = (cm?.object as Obj | undefined)?.data?.[key];
          if (cm && typeof text === 'string') return { configMap: cm, key, text };
        }
        return undefined;
      };
      out.push({
        template: t,
        container,
        containerPath: path,
        configPath,
        config: readFile(configPath),
        readFile,
      });
    }
  }
  return out;
}
