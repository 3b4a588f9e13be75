/**
 * Handlebars in its two parts. The runtime (what runs precompiled templates, registers helpers
 * and partials: `handlebars/runtime`, about 14 ms to load) is loaded at once; the compiler (parse,
 * precompile, the AST visitor: the whole package, about 30 ms) only when a template is not in the
 * template cache or a chart's reads through `all` are not stored, so a cached render never loads
 * it. Both come from the same installed package, so the compiler's output always suits the
 * runtime (the way Handlebars' own precompile-then-runtime use works).
 */
import { createRequire } from 'node:module';
import type HandlebarsModule from 'handlebars';

export type HandlebarsEnv = typeof HandlebarsModule;

const requireHere = createRequire(import.meta.url);

/** The Handlebars runtime: `create()`, `template()`, `VERSION`. */
export const runtime = requireHere('handlebars/runtime') as HandlebarsEnv;

let full: HandlebarsEnv | undefined;

/** The whole package, with the compiler: `parse`, `precompile`, `Visitor`. */
export function compiler(): HandlebarsEnv {
  return (full ??= requireHere('handlebars') as HandlebarsEnv);
}

/**
 * The options Handlebars gives a partial that a template calls with `{{> name}}`: `partial: true`
 * and the calling template's helpers (merged from the environment's and wrapped), partials,
 * decorators, hooks and prototype access control (runtime.js `invokePartialWrapper`). A template
 * called without `partial: true` merges and wraps every helper again on each call (runtime.js
 * `ret._setup`): for the `include` helper, which runs a partial per call, that was a fifth of a
 * chart's render time. These are taken once per environment from a real call of a template (a
 * spec whose `main` receives the runtime's container), after the chart's helpers are registered,
 * so they are exactly what a `{{> name}}` call in that environment passes.
 */
export interface PartialCallOptions {
  partial: true;
  helpers: unknown;
  partials: unknown;
  decorators: unknown;
  hooks: unknown;
  protoAccessControl: unknown;
}

const partialCalls = new WeakMap<object, PartialCallOptions>();

export function partialCallOptions(hb: HandlebarsEnv): PartialCallOptions {
  const known = partialCalls.get(hb);
  if (known) return known;
  const env = hb as HandlebarsEnv & {
    COMPILER_REVISION: number;
    REVISION_CHANGES: Record<number, string>;
  };
  let container: Record<string, unknown> | undefined;
  const spec = {
    compiler: [env.COMPILER_REVISION, env.REVISION_CHANGES[env.COMPILER_REVISION]],
    main: (c: Record<string, unknown>) => {
      container = c;
      return '';
    },
    usePartial: true,
    useData: true,
  };
  (hb.template(spec as never) as (ctx: unknown, o: unknown) => string)({}, {});
  if (!container) throw new Error('the Handlebars runtime did not run a template');
  const options: PartialCallOptions = {
    partial: true,
    helpers: container.helpers,
    partials: container.partials,
    decorators: container.decorators,
    hooks: container.hooks,
    protoAccessControl: container.protoAccessControl,
  };
  partialCalls.set(hb, options);
  return options;
}
