/**
 * Running the text of a CommonJS module ourselves: code we generated and stored (ajv's standalone
 * validators) and the schema validator modules of the model packages (validators/schema/
 * module-loader.ts), optionally with V8's code cache.
 *
 * The text is compiled as a `vm.Script` in this context, wrapped as Node wraps a module
 * (`exports, require, module, __filename, __dirname`, with `this` the exports), plus `self`. A
 * script can take the bytecode V8 serialised for the same text (`cachedData`, from
 * `script.createCachedData()`): V8 then skips parsing and compiling what the data holds. V8 refuses
 * data made by another V8 version or with other flags (`rejected`) and compiles from the text as
 * usual, so the result never depends on the data; but it checks the text only by its length and
 * not the data's bytes, so a caller must make sure the data belongs to this very text and is
 * undamaged (validators/schema/code-cache.ts and core/code-cache-file.ts keep hashes of both).
 */
import vm from 'node:vm';
import path from 'node:path';

// `self` is undefined: in ajv's own compile it is the ajv instance; its standalone code only
// passes it on as `this` to keyword functions
const HEAD = '(function (exports, require, module, __filename, __dirname, self) {';
const TAIL = '\n})';

export interface CompiledCommonJs {
  script: vm.Script;
  /** cached data was given */
  cached: boolean;
  /** cached data was given and V8 refused it */
  rejected: boolean;
  /**
   * Runs the module once and returns its `module.exports`. A loader passes the module object it
   * registered before running, so that a cycle of requires finds the exports made so far.
   */
  run(require: (id: string) => unknown, mod?: { exports: unknown }): unknown;
}

type ModuleWrapper = (
  this: unknown,
  exports: unknown,
  require: (id: string) => unknown,
  module: { exports: unknown },
  filename: string,
  dirname: string,
  self: undefined,
) => void;

export function compileCommonJs(
  code: string,
  filename: string,
  cachedData?: Buffer,
): CompiledCommonJs {
  const script = new vm.Script(HEAD + code + TAIL, { filename, cachedData });
  return {
    script,
    cached: cachedData !== undefined,
    rejected: cachedData !== undefined && script.cachedDataRejected === true,
    run(require, mod = { exports: {} }) {
      const wrapper = script.runInThisContext() as ModuleWrapper;
      wrapper.call(
        mod.exports,
        mod.exports,
        require,
        mod,
        filename,
        path.dirname(filename),
        undefined,
      );
      return mod.exports;
    },
  };
}
