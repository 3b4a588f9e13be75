/**
 * Loads the compiled schema validators of the model packages (`_schemas/*.js` of kubernetes-models,
 * @kubernetes-models/apimachinery and @kubernetes-models/argo-cd) as CommonJS modules of our own,
 * with V8's code cache of the build (code-cache.ts).
 *
 * Why not `require`: each definition is a module of its own, and a kind's validator requires its
 * definitions' modules: 162 for apps/v1 Deployment. Node resolves every one of those requires
 * (lookups of paths and package.json files) and compiles every file from its text; that was 43 ms
 * of each validating run for the Deployment alone, and about 70 ms for the seven Kubernetes kinds
 * of a plan. Here a relative `./X.js` is the file it names (what Node's resolution gives for an
 * existing file), another package's module is resolved once by Node's own resolution, and the
 * bytecode comes from the cache. What is not a schema module (`@kubernetes-models/validate`, ajv's
 * runtime) is left to `require`.
 *
 * The modules are pure: they define validate functions and run nothing else, so loading them
 * outside Node's module cache changes nothing but the time.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { compileCommonJs, type CompiledCommonJs } from '../../core/commonjs.js';
import type { K8sValidate } from './custom-schemas.js';

export interface LoaderHooks {
  /** the loaded modules by file (default: the process's); the build uses a fresh one */
  registry?: Map<string, { exports: unknown }>;
  /** cached data for module `key`, made from exactly `text` */
  cachedData?(key: string, text: string): Buffer | undefined;
  /** each module compiled (the build collects them for the code cache) */
  compiled?(key: string, text: string, module: CompiledCommonJs, exports: unknown): void;
}

interface PackageInfo {
  name: string;
  require: NodeJS.Require;
  /** id -> the file Node resolves it to, or null for what is not a file (e.g. node: modules) */
  resolved: Map<string, string | null>;
}

const processModules = new Map<string, { exports: unknown }>();
const packages = new Map<string, PackageInfo>();
const requireHere = createRequire(import.meta.url);
const packageDirs = new Map<string, string>();

/** The root folder of an installed model package, as this module resolves it. */
export function modelPackageDir(pkg: string): string {
  let dir = packageDirs.get(pkg);
  if (dir === undefined) {
    // the model packages do not export all their `_schemas/*` validators: resolve the package root
    dir = path.dirname(requireHere.resolve(`${pkg}/package.json`));
    packageDirs.set(pkg, dir);
  }
  return dir;
}

/** The compiled kubernetes-models / apimachinery validator of a canonical definition name. */
export function definitionValidator(name: string, hooks: LoaderHooks = {}): K8sValidate {
  const pkg = name.startsWith('IoK8sApimachinery')
    ? '@kubernetes-models/apimachinery'
    : 'kubernetes-models';
  const mod = loadSchemaModule(
    path.join(modelPackageDir(pkg), '_schemas', `${name}.js`),
    hooks,
  ) as {
    validate?: K8sValidate;
  };
  if (typeof mod.validate !== 'function') throw new Error(`no validator for ${name}`);
  return mod.validate;
}

function packageOf(root: string): PackageInfo {
  let info = packages.get(root);
  if (!info) {
    const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as {
      name?: string;
    };
    info = {
      name: manifest.name ?? path.basename(root),
      require: createRequire(path.join(root, 'package.json')),
      resolved: new Map(),
    };
    packages.set(root, info);
  }
  return info;
}

/** A compiled validator module: `<package root>/_schemas/<name>.js`. */
export function isSchemaModule(file: string): boolean {
  return file.endsWith('.js') && path.basename(path.dirname(file)) === '_schemas';
}

function resolveFrom(pkg: PackageInfo, id: string): string | null {
  let file = pkg.resolved.get(id);
  if (file === undefined) {
    try {
      file = pkg.require.resolve(id);
      if (!path.isAbsolute(file)) file = null;
    } catch {
      file = null;
    }
    pkg.resolved.set(id, file);
  }
  return file;
}

/**
 * The exports of the schema module `file` (an absolute path to `<root>/_schemas/<name>.js`), loaded
 * once per process.
 */
export function loadSchemaModule(file: string, hooks: LoaderHooks = {}): unknown {
  const modules = hooks.registry ?? processModules;
  const known = modules.get(file);
  if (known) return known.exports;
  const root = path.dirname(path.dirname(file));
  const pkg = packageOf(root);
  const text = fs.readFileSync(file, 'utf8');
  const key = `${pkg.name}/${path.relative(root, file).split(path.sep).join('/')}`;
  const compiled = compileCommonJs(text, file, hooks.cachedData?.(key, text));
  const dir = path.dirname(file);
  const mod = { exports: {} as unknown };
  modules.set(file, mod);
  try {
    compiled.run((id) => {
      const target =
        id.startsWith('./') && id.endsWith('.js') ? path.join(dir, id) : resolveFrom(pkg, id);
      if (target && isSchemaModule(target)) return loadSchemaModule(target, hooks);
      return pkg.require(id);
    }, mod);
  } catch (err) {
    modules.delete(file);
    throw err;
  }
  hooks.compiled?.(key, text, compiled, mod.exports);
  return mod.exports;
}
