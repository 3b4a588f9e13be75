import { load as loadYaml } from 'js-yaml';
import { InputError, type SourceLocation } from '../core/errors.js';
import { resourceId, type KubeObject } from '../core/manifest.js';
import { openProject, requireEnvironment } from '../generator/project.js';
import { buildRelease } from '../generator/release/build.js';
import { releasePathFor } from '../generator/release/paths.js';
import { serializeDocument } from '../generator/release/serialize.js';
import { renderChart } from '../generator/render/render.js';
import {
  GLOBAL_KEY,
  loadValues,
  type LoadedValues,
  type LoadOptions,
} from '../generator/values/load.js';
import { findOrigin } from '../generator/values/origins.js';
import { clonePreview, PROFILE_LABEL, WAVE_ANNOTATION } from './clone.js';
import {
  endpointsOf,
  parseEnvironments,
  removeEndpoint,
  serializeEnvironments,
  upsertEndpoint,
  type Endpoint,
} from './environments.js';
import { parsePreviewImage, requireAllowedRegistry } from './image.js';
import { requireLabel } from './names.js';
import { gatewaySettings, previewSettings } from './settings.js';
import {
  commitPreview,
  ENVIRONMENTS_FILE,
  fsIO,
  previewRoot,
  readEnvironmentsText,
  readPreviewFolder,
  withPreviewLock,
  type PreviewIO,
} from './store.js';

/** What a preview command needs besides its arguments (the clock and the file operations). */
export interface PreviewDeps {
  /** The environment variables secrets come from (the CLI passes its own; default none). */
  environ?: LoadOptions['environ'];
  now?: () => Date;
  io?: PreviewIO;
}

/** One object of a preview as the commands report it. */
export interface PreviewObject {
  /** `Kind/namespace/name`. */
  resource: string;
  /** Project-relative file. */
  file: string;
}

export interface CreateOptions {
  name: string;
  image: string;
  service?: string;
  profile?: string;
  /** Values environment the service is cloned from (default dev). */
  env?: string;
}

export interface CreateResult {
  env: string;
  name: string;
  profile: string;
  service: string;
  host: string;
  /** True when the profile existed and was redeployed. */
  redeployed: boolean;
  /** The profile's objects in creation order. */
  created: PreviewObject[];
}

const ENV_FILE_DISPLAY = `release/preview/${ENVIRONMENTS_FILE}`;

/** The values file and line that set a value path (the closest one that exists). */
function valueLocation(loaded: LoadedValues, path: string[]): SourceLocation | undefined {
  const origin = findOrigin(loaded.origins, path)?.node.origin;
  return origin?.kind === 'file' ? { file: origin.file, line: origin.line } : undefined;
}

/** Objects of a preview folder that belong to one profile, newest first (reverse creation). */
function profileFiles(files: Map<string, string>, folder: string, profile: string) {
  const out: { rel: string; wave: number; resource: string }[] = [];
  for (const [rel, text] of files) {
    let obj: KubeObject | undefined;
    try {
      obj = loadYaml(text) as KubeObject;
    } catch (err) {
      throw new InputError(`cannot read preview file: ${(err as Error).message}`, {
        file: `${folder}/${rel}`,
      });
    }
    const labels = (obj?.metadata?.labels ?? {}) as Record<string, string>;
    if (labels[PROFILE_LABEL] !== profile) continue;
    const annotations = (obj.metadata.annotations ?? {}) as Record<string, string>;
    out.push({ rel, wave: Number(annotations[WAVE_ANNOTATION] ?? 0), resource: resourceId(obj) });
  }
  return out.sort((a, b) => b.wave - a.wave || (a.rel < b.rel ? 1 : a.rel > b.rel ? -1 : 0));
}

/**
 * `manifests preview create`: clones one service of the environment's app chart into
 * `release/preview/<name>/` (Deployment, Service, ConfigMaps, a VirtualService on the shared
 * Gateway) and records its endpoint in environments.json; an existing profile is redeployed with
 * the new image. Every check runs before anything is written; the write is atomic.
 */
export async function createPreview(
  root: string,
  options: CreateOptions,
  deps: PreviewDeps = {},
): Promise<CreateResult> {
  const env = options.env ?? 'dev';
  requireLabel(options.name, '--name');
  if (options.profile !== undefined) requireLabel(options.profile, '--profile');
  if (options.service !== undefined) requireLabel(options.service, '--service');
  const image = parsePreviewImage(options.image);

  const project = openProject(root);
  requireEnvironment(project, env);
  const loaded = loadValues(project, env, { environ: deps.environ ?? {} });
  const settings = previewSettings(loaded);
  const gateway = gatewaySettings(loaded);
  const profileSettings = options.profile ? settings.profiles[options.profile] : undefined;
  const service = options.service ?? profileSettings?.service;
  if (!service) {
    throw new InputError(
      options.profile
        ? `profile ${options.profile} names no service (global.preview.profiles.${options.profile}.service); give --service`
        : 'give --service (the service to preview)',
    );
  }
  if (profileSettings?.service && profileSettings.service !== service) {
    throw new InputError(
      `profile ${options.profile} previews service ${profileSettings.service}, not ${service}`,
      valueLocation(loaded, [GLOBAL_KEY, 'preview', 'profiles', options.profile!, 'service']),
    );
  }
  const profile = options.profile ?? service;
  const allowed = (loaded.values[GLOBAL_KEY] as { allowedRegistries?: string[] })
    ?.allowedRegistries;
  requireAllowedRegistry(
    image,
    Array.isArray(allowed) ? allowed : [],
    valueLocation(loaded, [GLOBAL_KEY, 'allowedRegistries']),
  );

  const chart = project.charts.find((c) => c.name === settings.chart);
  if (!chart) {
    throw new InputError(
      `global.preview.chart names "${settings.chart}", which is not a chart of this repository`,
    );
  }
  const output = buildRelease(renderChart(project, chart, loaded)).manifests;
  const cloned = clonePreview(
    output,
    { name: options.name, profile, service, image },
    settings,
    gateway,
    (path) => valueLocation(loaded, path),
  );
  const write: [string, string][] = cloned.resources.map((r) => [
    releasePathFor(r.chart, r.object),
    serializeDocument(r.object),
  ]);
  const folder = `release/preview/${options.name}`;
  const created = cloned.resources.map((r, i) => ({
    resource: resourceId(r.object),
    file: `${folder}/${write[i][0]}`,
  }));

  const store = previewRoot(project.releaseDir);
  const now = deps.now ?? (() => new Date());
  return withPreviewLock(store, () => {
    const environments = parseEnvironments(readEnvironmentsText(store), ENV_FILE_DISPLAY);
    const files = readPreviewFolder(store, options.name);
    const mine = profileFiles(files, folder, profile);
    const mineSet = new Set(mine.map((f) => f.rel));
    for (const [rel] of write) {
      if (files.has(rel) && !mineSet.has(rel)) {
        throw new InputError(
          `${folder}/${rel} belongs to another profile of preview environment ${options.name}; preview service ${service} under another --name`,
        );
      }
    }
    const next = upsertEndpoint(environments, {
      env,
      name: options.name,
      profile,
      host: cloned.host,
      now: now(),
    });
    commitPreview(
      {
        root: store,
        name: options.name,
        remove: mine.map((f) => f.rel),
        write,
        environments: serializeEnvironments(next),
      },
      deps.io ?? fsIO,
    );
    return {
      env,
      name: options.name,
      profile,
      service,
      host: cloned.host,
      redeployed: mine.length > 0,
      created,
    };
  });
}

export interface DeleteResult {
  name: string;
  /** The objects removed, in the order they were removed (reverse creation, per profile). */
  deleted: (PreviewObject & { profile: string })[];
  /** Profiles whose endpoints were removed. */
  profiles: string[];
  /** True when the environment's last endpoint went, and with it the entry and the folder. */
  environmentRemoved: boolean;
}

/**
 * `manifests preview delete`: removes one profile of a preview environment (or every profile,
 * without --profile), its objects in reverse creation order; the environment's entry goes with its
 * last endpoint and the folder when it holds no more files.
 */
export async function deletePreview(
  root: string,
  options: { name: string; profile?: string },
  deps: PreviewDeps = {},
): Promise<DeleteResult> {
  requireLabel(options.name, '--name');
  if (options.profile !== undefined) requireLabel(options.profile, '--profile');
  const project = openProject(root);
  const store = previewRoot(project.releaseDir);
  const now = deps.now ?? (() => new Date());
  const folder = `release/preview/${options.name}`;
  return withPreviewLock(store, () => {
    const environments = parseEnvironments(readEnvironmentsText(store), ENV_FILE_DISPLAY);
    const entry = environments.environments.find((e) => e.name === options.name);
    if (!entry) {
      const names = environments.environments.map((e) => e.name).sort();
      throw new InputError(
        `no preview environment named "${options.name}" (environments: ${names.join(', ') || 'none'})`,
        { file: ENV_FILE_DISPLAY },
      );
    }
    const profiles = endpointsOf(entry).map((e) => e.profile);
    if (options.profile !== undefined && !profiles.includes(options.profile)) {
      throw new InputError(
        `preview environment "${options.name}" has no profile ${options.profile} (profiles: ${profiles.join(', ')})`,
        { file: ENV_FILE_DISPLAY },
      );
    }
    const chosen = options.profile !== undefined ? [options.profile] : profiles;
    const files = readPreviewFolder(store, options.name);
    const deleted: DeleteResult['deleted'] = [];
    let next = environments;
    for (const profile of chosen) {
      for (const f of profileFiles(files, folder, profile))
        deleted.push({ profile, resource: f.resource, file: `${folder}/${f.rel}` });
      next = removeEndpoint(next, { name: options.name, profile, now: now() });
    }
    commitPreview(
      {
        root: store,
        name: options.name,
        remove: deleted.map((d) => d.file.slice(folder.length + 1)),
        write: [],
        environments: serializeEnvironments(next),
      },
      deps.io ?? fsIO,
    );
    return {
      name: options.name,
      deleted,
      profiles: chosen,
      environmentRemoved: !next.environments.some((e) => e.name === options.name),
    };
  });
}

export interface ListedEnvironment {
  env: string;
  name: string;
  endpoints: Endpoint[];
  updatedAt?: string;
}

/** `manifests preview ls`: the environments of environments.json with endpoints and update time. */
export function listPreviews(root: string): ListedEnvironment[] {
  const project = openProject(root);
  const store = previewRoot(project.releaseDir);
  const file = parseEnvironments(readEnvironmentsText(store), ENV_FILE_DISPLAY);
  return [...file.environments]
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map((e) => ({
      env: e.env,
      name: e.name,
      endpoints: endpointsOf(e),
      updatedAt: typeof e.updated_at === 'string' ? e.updated_at : undefined,
    }));
}

/** `ls` as text (eden's shape: one line per environment) or JSON. */
export function formatPreviewList(list: ListedEnvironment[], format: 'text' | 'json'): string {
  if (format === 'json') return JSON.stringify({ environments: list }, null, 2) + '\n';
  if (list.length === 0) return 'no preview environments\n';
  return (
    list
      .map(
        (e) =>
          `${e.name} (${e.env}) ${e.endpoints.map((p) => `${p.profile}=${p.host}`).join(' ')} (last updated: ${e.updatedAt ?? 'unknown'})`,
      )
      .join('\n') + '\n'
  );
}

/** What `create` prints: the endpoint, then the objects in creation order. */
export function formatCreateResult(r: CreateResult): string {
  const verb = r.redeployed ? 'redeployed' : 'created';
  const lines = [
    `${verb} preview ${r.name}, profile ${r.profile} (service ${r.service} from ${r.env}): ${r.host}`,
    ...r.created.map((o) => `  ${o.resource}  ${o.file}`),
  ];
  return lines.join('\n') + '\n';
}

/** What `delete` prints: the objects in the order they were removed. */
export function formatDeleteResult(r: DeleteResult): string {
  const lines = [
    `deleted profile${r.profiles.length === 1 ? '' : 's'} ${r.profiles.join(', ')} of preview ${r.name}`,
    ...r.deleted.map((o) => `  ${o.resource}  ${o.file}`),
  ];
  if (r.environmentRemoved) lines.push(`preview ${r.name} has no endpoints left: removed`);
  return lines.join('\n') + '\n';
}
