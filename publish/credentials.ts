import { existsSync, readFileSync } from 'node:fs';
import { InputError } from '../core/errors.js';
import type { RegistryTarget } from './reference.js';
import type { Credentials } from './registry-client.js';

export const USERNAME_VARIABLE = 'MANIFESTS_REGISTRY_USERNAME';
export const PASSWORD_VARIABLE = 'MANIFESTS_REGISTRY_PASSWORD';

/**
 * Basic credentials for a registry that is not ECR: the two environment variables, else the
 * `auths` entry for the host in a Docker config file (`auth` is base64 of `user:password`, or
 * `username`/`password` fields; docker/cli cli/config/types/authconfig.go). Credential helpers
 * (`credsStore`, `credHelpers`) are not run. Undefined when neither is set: anonymous access.
 */
export function basicCredentials(
  target: RegistryTarget,
  environ: NodeJS.ProcessEnv,
  dockerConfigPath?: string,
): Credentials | undefined {
  const user = environ[USERNAME_VARIABLE];
  const pass = environ[PASSWORD_VARIABLE];
  if (user || pass) {
    if (!user || !pass) {
      throw new InputError(
        `set both ${USERNAME_VARIABLE} and ${PASSWORD_VARIABLE}, or neither (only ${user ? USERNAME_VARIABLE : PASSWORD_VARIABLE} is set)`,
      );
    }
    return {
      username: user,
      password: pass,
      source: `${USERNAME_VARIABLE}/${PASSWORD_VARIABLE}`,
    };
  }
  if (!dockerConfigPath || !existsSync(dockerConfigPath)) return undefined;
  let config: { auths?: Record<string, { auth?: string; username?: string; password?: string }> };
  try {
    config = JSON.parse(readFileSync(dockerConfigPath, 'utf8'));
  } catch (err) {
    throw new InputError(`cannot read the Docker config file: ${(err as Error).message}`, {
      file: dockerConfigPath,
    });
  }
  const auths = config?.auths ?? {};
  const key = Object.keys(auths).find((k) => normaliseAuthKey(k) === target.host);
  if (!key) return undefined;
  const entry = auths[key] ?? {};
  let username = entry.username;
  let password = entry.password;
  if (entry.auth) {
    const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
    const i = decoded.indexOf(':');
    if (i <= 0) {
      throw new InputError(
        `the "auths" entry for ${key} has an "auth" that is not base64 of user:password`,
        {
          file: dockerConfigPath,
        },
      );
    }
    username = decoded.slice(0, i);
    password = decoded.slice(i + 1);
  }
  if (!username || !password) return undefined;
  return { username, password, source: `${dockerConfigPath} (auths.${key})` };
}

/** `https://host:port/v1/` -> `host:port`, as keys of `auths` are written in several forms. */
function normaliseAuthKey(key: string): string {
  return key
    .toLowerCase()
    .replace(/^[a-z]+:\/\//, '')
    .replace(/\/.*$/, '');
}
