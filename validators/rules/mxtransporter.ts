import type { FieldPath, Rule, RuleFinding } from '../types.js';
import { isMxTransporter } from '../model/components.js';
import { containerEnv, type ContainerEnv } from '../model/env.js';
import { namespaceOf } from '../model/references.js';
import { containersOf, type PodTemplate } from '../model/workloads.js';
import type { Obj } from '../../core/object.js';

const REQUIRED = [
  'MONGODB_HOST',
  'MONGODB_DATABASE',
  'MONGODB_COLLECTION',
  'EXPORT_DESTINATION',
  'TIME_ZONE',
  'RESUME_TOKEN_VOLUME_DIR',
];

/** The variables each export destination reads. */
const DESTINATIONS: Record<string, string[]> = {
  bigquery: ['PROJECT_NAME_TO_EXPORT_CHANGE_STREAMS', 'BIGQUERY_DATASET', 'BIGQUERY_TABLE'],
  pubsub: ['PROJECT_NAME_TO_EXPORT_CHANGE_STREAMS', 'PUBSUB_TOPIC_NAME'],
  kinesisStream: ['KINESIS_STREAM_NAME', 'KINESIS_STREAM_REGION'],
  file: [],
};

/** Where the resume token can live, and what each place needs besides the type. */
const TOKEN_STORES: Record<string, string[]> = {
  file: [],
  s3: ['RESUME_TOKEN_VOLUME_BUCKET_NAME', 'RESUME_TOKEN_BUCKET_REGION'],
  gcs: ['RESUME_TOKEN_VOLUME_BUCKET_NAME'],
};

/** The containers that run the exporter: by image, else the one named like it, else the first. */
function exporterContainers(t: PodTemplate): { container: Obj; path: FieldPath }[] {
  const main = containersOf(t).filter((c) => c.path[c.path.length - 2] === 'containers');
  const byImage = main.filter((c) => /mxtransporter/i.test(String(c.container?.image ?? '')));
  if (byImage.length > 0) return byImage;
  const byName = main.filter((c) => /mxtransporter/i.test(String(c.container?.name ?? '')));
  if (byName.length > 0) return byName;
  return main.slice(0, 1);
}

function normalizeDir(p: string): string {
  return p.length > 1 ? p.replace(/\/+$/, '') : p;
}

function within(dir: string, mountPath: string): boolean {
  const d = normalizeDir(dir);
  const m = normalizeDir(mountPath);
  return d === m || m === '/' || d.startsWith(`${m}/`);
}

class ExporterCheck {
  readonly out: RuleFinding[] = [];
  private readonly reported = new Set<string>();
  constructor(
    private readonly t: PodTemplate,
    private readonly container: Obj,
    private readonly path: FieldPath,
    private readonly env: ContainerEnv,
  ) {}

  private report(path: FieldPath, message: string): void {
    this.out.push({
      manifest: this.t.manifest,
      path,
      message: `container ${this.container.name ?? '(unnamed)'}: ${message}`,
    });
  }

  private envPath(): FieldPath {
    return Array.isArray(this.container.env) ? [...this.path, 'env'] : this.path;
  }

  /** The value of a variable when the plan shows it; null when set but hidden; undefined when unset. */
  private value(name: string): string | null | undefined {
    const v = this.env.vars.get(name);
    if (!v) return undefined;
    return v.kind === 'value' ? v.value : null;
  }

  /** Reports variables that are unset (unless an opaque envFrom source may set them) or empty. */
  requireVars(names: string[], why: string): void {
    for (const name of names) {
      if (this.reported.has(name)) continue;
      this.reported.add(name);
      const v = this.env.vars.get(name);
      if (!v) {
        if (this.env.openSources.length > 0) continue;
        this.report(
          this.envPath(),
          `${name} is not set (${why}); add it to env (from a Secret or a value)`,
        );
      } else if (v.kind === 'value' && v.value.trim() === '') {
        this.report(v.path, `${name} is empty (${why}); give it a value`);
      }
    }
  }

  destinations(): void {
    const raw = this.value('EXPORT_DESTINATION');
    if (typeof raw !== 'string' || raw.trim() === '') return;
    const path = this.env.vars.get('EXPORT_DESTINATION')!.path;
    const list = raw.split(',').map((s) => s.trim());
    const known = Object.keys(DESTINATIONS);
    for (const d of list) {
      if (d === '') {
        this.report(
          path,
          `EXPORT_DESTINATION "${raw}" has an empty entry; list destinations separated by single commas`,
        );
      } else if (!known.includes(d)) {
        const near = known.find((k) => k.toLowerCase() === d.toLowerCase());
        this.report(
          path,
          `EXPORT_DESTINATION names unknown destination "${d}"${near ? ` (did you mean ${near}?)` : ''}; known: ${known.join(', ')}`,
        );
      } else {
        this.requireVars(DESTINATIONS[d], `destination ${d} needs it`);
      }
    }
  }

  resumeToken(): void {
    const type = this.value('RESUME_TOKEN_VOLUME_TYPE');
    if (type === null) return; // hidden: cannot tell where the token goes
    const store = type === undefined || type.trim() === '' ? 'file' : type.trim();
    if (!(store in TOKEN_STORES)) {
      this.report(
        this.env.vars.get('RESUME_TOKEN_VOLUME_TYPE')!.path,
        `RESUME_TOKEN_VOLUME_TYPE "${type}" is not one of ${Object.keys(TOKEN_STORES).join(', ')}`,
      );
      return;
    }
    this.requireVars(TOKEN_STORES[store], `the resume token is stored in ${store}`);
    if (store === 'file') this.tokenOnPersistentVolume();
  }

  /** RESUME_TOKEN_VOLUME_DIR lies on a mount of a PersistentVolumeClaim (a volumeClaimTemplate). */
  private tokenOnPersistentVolume(): void {
    const dir = this.value('RESUME_TOKEN_VOLUME_DIR');
    if (typeof dir !== 'string' || dir.trim() === '') return;
    const dirPath = this.env.vars.get('RESUME_TOKEN_VOLUME_DIR')!.path;
    const fix = 'mount a volumeClaimTemplate of the StatefulSet at that path';
    if (!dir.startsWith('/')) {
      this.report(dirPath, `RESUME_TOKEN_VOLUME_DIR "${dir}" is not an absolute path; ${fix}`);
      return;
    }
    const mounts: Obj[] = Array.isArray(this.container.volumeMounts)
      ? this.container.volumeMounts
      : [];
    let best: { mount: Obj; index: number } | undefined;
    mounts.forEach((mount, index) => {
      if (typeof mount?.mountPath !== 'string' || !within(dir, mount.mountPath)) return;
      if (!best || normalizeDir(mount.mountPath).length > normalizeDir(best.mount.mountPath).length)
        best = { mount, index };
    });
    if (!best) {
      this.report(
        dirPath,
        `RESUME_TOKEN_VOLUME_DIR ${dir} is on no volume mount, so the resume token is lost when the container restarts; ${fix}`,
      );
      return;
    }
    const mountPath: FieldPath = [...this.path, 'volumeMounts', best.index];
    const name = best.mount.name;
    const obj = this.t.manifest.object as Obj;
    const claims: Obj[] =
      obj.kind === 'StatefulSet' && Array.isArray(obj.spec?.volumeClaimTemplates)
        ? obj.spec.volumeClaimTemplates
        : [];
    if (claims.some((c) => c?.metadata?.name === name)) return;
    const volumes: Obj[] = Array.isArray(this.t.spec.volumes) ? this.t.spec.volumes : [];
    const volume = volumes.find((v) => v?.name === name);
    if (!volume) {
      this.report(
        mountPath,
        `the resume token mount uses volume ${name}, which is neither a volume nor a volumeClaimTemplate; ${fix}`,
      );
      return;
    }
    if (volume.persistentVolumeClaim) return;
    const type = Object.keys(volume).find((k) => k !== 'name') ?? 'unknown';
    const why =
      type === 'ephemeral'
        ? 'a claim deleted with the pod'
        : type === 'emptyDir'
          ? 'deleted with the pod'
          : 'not persistent storage of the pod';
    this.report(
      mountPath,
      `RESUME_TOKEN_VOLUME_DIR ${dir} is on volume ${name} of type ${type} (${why}), so a restarted exporter cannot resume; ${fix}`,
    );
  }
}

/**
 * MxTransporter exporters (pods whose image names mxtransporter, or of the mxtransporter chart):
 * required variables present, EXPORT_DESTINATION lists only known destinations and each one's
 * variables are set, and the resume token (RESUME_TOKEN_VOLUME_TYPE file or unset) lives on a
 * PersistentVolumeClaim mounted at RESUME_TOKEN_VOLUME_DIR. Variables may come from env values,
 * Secrets (present, value unseen) or ConfigMaps (values read from the rendered ConfigMap). A variable
 * counts as possibly set when an envFrom source's keys are unknown. Exporters should be StatefulSets.
 */
export const mxTransporterRule: Rule = {
  id: 'mxtransporter',
  description:
    'MxTransporter exporters have their required and per-destination variables, and keep the resume token on a PVC of a StatefulSet',
  severity: 'error',
  docs: "MxTransporter exporters: the required variables (MONGODB_HOST, MONGODB_DATABASE, MONGODB_COLLECTION, EXPORT_DESTINATION, TIME_ZONE, RESUME_TOKEN_VOLUME_DIR) are set, EXPORT_DESTINATION names only bigquery, pubsub, kinesisStream or file with each destination's variables, and a file resume token lives on a StatefulSet PVC mounted at RESUME_TOKEN_VOLUME_DIR. Without the PVC a restarted exporter loses its resume token and skips the changes in between. Fix the collection's values.",
  scope: 'object',
  // variables come from the ConfigMaps and Secrets of the plan, or Secrets the cluster declares
  reads: { kinds: ['ConfigMap', 'Secret'], context: (ctx) => ctx.cluster ?? null },
  check(manifests, ctx) {
    const index = ctx.model.config;
    const out: RuleFinding[] = [];
    for (const t of ctx.model.podTemplates) {
      if (!isMxTransporter(t)) continue;
      const kind = t.manifest.object.kind;
      if (kind !== 'StatefulSet') {
        out.push({
          manifest: t.manifest,
          path: ['kind'],
          severity: 'warning',
          message: `MxTransporter runs as a ${kind}; make it a StatefulSet so each exporter keeps its resume token on its own PersistentVolumeClaim (volumeClaimTemplates)`,
        });
      }
      for (const { container, path } of exporterContainers(t)) {
        const env = containerEnv(container, path, namespaceOf(t.manifest), index, ctx.cluster);
        const check = new ExporterCheck(t, container, path, env);
        check.requireVars(REQUIRED, 'MxTransporter requires it');
        check.destinations();
        check.resumeToken();
        out.push(...check.out);
      }
    }
    return out;
  },
};
