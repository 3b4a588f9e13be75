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
