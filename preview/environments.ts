import { InputError } from '../core/errors.js';

/**
 * `release/preview/environments.json`, in eden's format: one entry per preview environment with
 * `env` (the values environment it was cloned from), `name`, and one `<profile>_endpoint` per
 * profile (the host it is reached at). Readers of eden's file read exactly those keys; this file
 * adds one more, `updated_at` (ISO 8601, UTC): when a profile of the environment was last created,
 * redeployed or deleted. Unknown keys of an entry are kept as they are.
 *
 *   {"environments": [{"env": "dev", "name": "feat", "api_endpoint": "api-feat.preview.example.com",
 *                      "frontend_endpoint": "www-feat.preview.example.com", "updated_at": "..."}]}
 */
export interface EnvironmentEntry {
  env: string;
  name: string;
  updated_at?: string;
  [key: string]: unknown;
}

export interface EnvironmentsFile {
  environments: EnvironmentEntry[];
}

export const ENDPOINT_SUFFIX = '_endpoint';
export const UPDATED_KEY = 'updated_at';

export interface Endpoint {
  profile: string;
  host: string;
}

export function endpointKey(profile: string): string {
  return profile + ENDPOINT_SUFFIX;
}

/** The endpoints of an entry, by profile name. */
export function endpointsOf(entry: EnvironmentEntry): Endpoint[] {
  return Object.keys(entry)
    .filter((k) => k.endsWith(ENDPOINT_SUFFIX) && typeof entry[k] === 'string')
    .map((k) => ({ profile: k.slice(0, -ENDPOINT_SUFFIX.length), host: entry[k] as string }))
    .sort((a, b) => (a.profile < b.profile ? -1 : a.profile > b.profile ? 1 : 0));
}

/** Parses the file; `file` names it in errors. An absent file is an empty list. */
export function parseEnvironments(text: string | undefined, file: string): EnvironmentsFile {
  if (text === undefined) return { environments: [] };
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new InputError(`not valid JSON: ${(err as Error).message}`, { file });
  }
  const list = (raw as { environments?: unknown })?.environments;
  if (!raw || typeof raw !== 'object' || !Array.isArray(list)) {
    throw new InputError('expected {"environments": [...]}', { file });
  }
  list.forEach((e, i) => {
    if (!e || typeof e !== 'object' || Array.isArray(e))
      throw new InputError(`environments[${i}] is not an object`, { file });
    const entry = e as Record<string, unknown>;
    if (typeof entry.env !== 'string' || typeof entry.name !== 'string')
      throw new InputError(`environments[${i}] needs string "env" and "name"`, { file });
  });
  return { environments: list as EnvironmentEntry[] };
}

/** Stable text: entries by name; keys env, name, endpoints by profile, other keys, updated_at. */
export function serializeEnvironments(file: EnvironmentsFile): string {
  const entries = [...file.environments]
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map((e) => {
      const out: Record<string, unknown> = { env: e.env, name: e.name };
      for (const { profile, host } of endpointsOf(e)) out[endpointKey(profile)] = host;
      for (const k of Object.keys(e).sort())
        if (!(k in out) && k !== UPDATED_KEY && !k.endsWith(ENDPOINT_SUFFIX)) out[k] = e[k];
      if (e.updated_at !== undefined) out[UPDATED_KEY] = e.updated_at;
      return out;
    });
  return JSON.stringify({ ...file, environments: entries }, null, 2) + '\n';
}

/** Who already uses a host: `name`/`profile`, or undefined. */
export function hostOwner(
  file: EnvironmentsFile,
  host: string,
): (Endpoint & { name: string }) | undefined {
  for (const e of file.environments)
    for (const ep of endpointsOf(e)) if (ep.host === host) return { ...ep, name: e.name };
  return undefined;
}

/**
 * Adds or updates one profile's endpoint. Fails when the environment exists for another values
 * environment, or when another environment or profile already answers on that host (they share
 * one Gateway, so one host can route to one preview only).
 */
export function upsertEndpoint(
  file: EnvironmentsFile,
  change: { env: string; name: string; profile: string; host: string; now: Date },
): EnvironmentsFile {
  const { env, name, profile, host, now } = change;
  const existing = file.environments.find((e) => e.name === name);
  if (existing && existing.env !== env) {
    throw new InputError(
      `preview environment "${name}" was created from environment ${existing.env}; use --env ${existing.env}, or another --name`,
    );
  }
  const owner = hostOwner(file, host);
  if (owner && !(owner.name === name && owner.profile === profile)) {
    throw new InputError(
      `host ${host} is already the endpoint of profile ${owner.profile} of preview environment ${owner.name}; give profile ${profile} its own global.preview.profiles.${profile}.hostPrefix`,
    );
  }
  const entry: EnvironmentEntry = { ...(existing ?? { env, name }) };
  entry[endpointKey(profile)] = host;
  entry.updated_at = now.toISOString();
  return {
    ...file,
    environments: [...file.environments.filter((e) => e !== existing), entry],
  };
}

/** Removes one profile's endpoint; the entry goes when its last endpoint does. */
export function removeEndpoint(
  file: EnvironmentsFile,
  change: { name: string; profile: string; now: Date },
): EnvironmentsFile {
  const existing = file.environments.find((e) => e.name === change.name);
  if (!existing) return file;
  const entry: EnvironmentEntry = { ...existing };
  delete entry[endpointKey(change.profile)];
  entry.updated_at = change.now.toISOString();
  const rest = file.environments.filter((e) => e !== existing);
  return { ...file, environments: endpointsOf(entry).length > 0 ? [...rest, entry] : rest };
}
