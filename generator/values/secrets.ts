import { InputError } from '../../core/errors.js';
import type { Project } from '../project.js';
import { readValuesFile } from './read-yaml.js';
import { checkAgainstSchema, compileSchema } from './schema.js';
import SECRETS_SCHEMA from './secrets.schema.json' with { type: 'json' };

/** The format of values/secrets.yaml, checked like every values file. */
const SECRETS_SCHEMA_FILE = 'generator/values/secrets.schema.json';

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

/** The text the committed plan holds instead of a secret value. It names the variable only. */
export function secretPlaceholder(variable: string): string {
  return `<<secret:${variable}>>`;
}

export const SECRET_PLACEHOLDER_PATTERN = /<<secret:([A-Z_][A-Z0-9_]*)>>/g;

/** Reads values/secrets.yaml: `secrets: [{path: a.b.c, env: VAR, environments: [prd]}]`. */
export function readSecretDeclarations(project: Project, diskCache = false): SecretDeclaration[] {
  const display = 'values/secrets.yaml';
  if (!project.files.has(display)) return [];
  const { value, origins } = readValuesFile(project.files, display);
  checkAgainstSchema(
    value,
    compileSchema(project, SECRETS_SCHEMA, SECRETS_SCHEMA_FILE, diskCache),
    [],
    origins,
    SECRETS_SCHEMA_FILE,
    [display],
  );
  const list = (value.secrets ?? []) as { path: string; env: string; environments?: string[] }[];
  const lineOf = (i: number) => {
    const node = origins.children?.get('secrets')?.children?.get(String(i));
    return node?.origin.kind === 'file' ? node.origin.line : 1;
  };
  const declarations = list.map((item, i) => {
    const line = lineOf(i);
    if (item.path.split('.').some((seg) => /^\d+$/.test(seg))) {
      throw new InputError(
        `secret path ${item.path} indexes a list; secrets must sit under map keys (move the value into a map)`,
        { file: display, line },
      );
    }
    return {
      path: item.path.split('.'),
      variable: item.env,
      environments: item.environments,
      file: display,
      line,
    };
  });
  // One path, one variable, per environment: a second entry whose environments overlap would
  // silently win, so it is an error whether it names the same variable or another one.
  declarations.forEach((d, i) => {
    const earlier = declarations
      .slice(0, i)
      .find(
        (e) =>
          e.path.join('.') === d.path.join('.') &&
          (!e.environments ||
            !d.environments ||
            e.environments.some((env) => d.environments!.includes(env))),
      );
    if (earlier) {
      throw new InputError(
        `secret path ${d.path.join('.')} is declared twice (also at line ${earlier.line}` +
          (earlier.variable === d.variable
            ? ')'
            : `, with variable ${earlier.variable} instead of ${d.variable})`),
        { file: display, line: d.line },
      );
    }
  });
  return declarations;
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
