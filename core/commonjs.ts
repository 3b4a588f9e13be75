/**
 * Runs the text of a CommonJS module (code we generated and stored: ajv's standalone validators)
 * with the given `require`, and returns what it exports (its default export when it has one).
 * `self` is undefined: in ajv's own compile it is the ajv instance, and standalone code only passes
 * it on as `this` to keyword functions.
 */
export function runCommonJs(code: string, require: (id: string) => unknown): unknown {
  const mod = { exports: {} as Record<string, unknown> };
  new Function('require', 'module', 'exports', 'self', code)(require, mod, mod.exports, undefined);
  return mod.exports.default ?? mod.exports;
}
