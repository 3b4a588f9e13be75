import { InputError } from '../../core/errors.js';
import type { Project } from '../project.js';
import { readValuesFile } from './read-yaml.js';

/** A value path whose value comes only from an environment variable. */
export interface SecretDeclaration {
  path: string[];
  variable: string;
  /** Environments the declaration applies to; all when absent. */
  environments?: string[];
  file: string;
  line: number;
}

/** How secret values enter the rendered output. */
export type SecretMode = 'placeholder' | 'real';

const VARIABLE = /^[A-Z_][A-Z0-9_]*$/;

/** The text the committed plan holds instead of a secret value. It names the variable only. */
export function secretPlaceholder(variable: string): string {
  return `<<secret:${variable}>>`;
}

export const SECRET_PLACEHOLDER_PATTERN = /<<secret:([A-Z_][A-Z0-9_]*)>>/g;

/** Reads values/secrets.yaml: `secrets: [{path: a.b.c, env: VAR, environments: [prd]}]`. */
export function readSecretDeclarations(project: Project): SecretDeclaration[] {
  const display = 'values/secrets.yaml';
  if (!project.files.has(display)) return [];
  const { value, origins } = readValuesFile(project.files, display);
  const list = value.secrets;
  const lineOf = (...segs: string[]) => {
    let node = origins;
    for (const s of segs) node = node.children?.get(s) ?? node;
    return node.origin.kind === 'file' ? node.origin.line : 1;
  };
  if (list === undefined) return [];
  if (!Array.isArray(list)) {
    throw new InputError('"secrets" must be a list of {path, env}', {
      file: display,
      line: lineOf('secrets'),
    });
  }
  const seen = new Map<string, number>();
  return list.map((item, i) => {
    const line = lineOf('secrets', String(i));
    if (!item || typeof item !== 'object' || Array.isArray(item)) {
      throw new InputError('each secret must be a map with "path" and "env"', {
        file: display,
        line,
      });
    }
    const { path: p, env, environments, ...rest } = item as Record<string, unknown>;
    const extra = Object.keys(rest);
    if (extra.length > 0) {
      throw new InputError(
        `unknown key "${extra[0]}" in a secret declaration (keys: path, env, environments)`,
        {
          file: display,
          line,
        },
      );
    }
    if (typeof p !== 'string' || !/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)+$/.test(p)) {
      throw new InputError(
        'secret "path" must be a dotted value path such as app.database.password',
        {
          file: display,
          line,
        },
      );
    }
    if (p.split('.').some((seg) => /^\d+$/.test(seg))) {
      throw new InputError(
        `secret path ${p} indexes a list; secrets must sit under map keys (move the value into a map)`,
        { file: display, line },
      );
    }
    if (typeof env !== 'string' || !VARIABLE.test(env)) {
      throw new InputError(
        'secret "env" must be an environment variable name such as APP_DB_PASSWORD',
        {
          file: display,
          line,
        },
      );
    }
    if (
      environments !== undefined &&
      (!Array.isArray(environments) || environments.some((e) => typeof e !== 'string'))
    ) {
      throw new InputError('secret "environments" must be a list of environment names', {
        file: display,
        line,
      });
    }
    if (seen.has(p + '|' + JSON.stringify(environments ?? null))) {
      throw new InputError(`secret path ${p} is declared twice`, { file: display, line });
    }
    seen.set(p + '|' + JSON.stringify(environments ?? null), line);
    return {
      path: p.split('.'),
      variable: env,
      environments: environments as string[] | undefined,
      file: display,
      line,
    };
  });
}

export function secretsFor(decls: SecretDeclaration[], env: string): SecretDeclaration[] {
  return decls.filter((d) => !d.environments || d.environments.includes(env));
}

/**
 * The value each secret takes. In placeholder mode, a placeholder naming the variable; in real mode,
 * the variable's value, failing with every missing variable listed at once.
 */
export function resolveSecretValues(
  decls: SecretDeclaration[],
  mode: SecretMode,
  environ: NodeJS.ProcessEnv,
): Map<SecretDeclaration, string> {
  const out = new Map<SecretDeclaration, string>();
  if (mode === 'placeholder') {
    for (const d of decls) out.set(d, secretPlaceholder(d.variable));
    return out;
  }
  const missing = [...new Set(decls.filter((d) => !environ[d.variable]).map((d) => d.variable))];
  if (missing.length > 0) {
    throw new InputError(
      `missing secret environment variables: ${missing.join(', ')}`,
      { file: decls[0].file },
      ['set each one (e.g. from repository secrets) before publishing'],
    );
  }
  for (const d of decls) out.set(d, environ[d.variable] as string);
  return out;
}
