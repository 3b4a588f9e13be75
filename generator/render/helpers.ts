import { createHash } from 'node:crypto';
import type { HelperOptions } from 'handlebars';
import { dump } from 'js-yaml';
import { emitYaml } from '../../core/emit.js';
import { TemplateError, templateError } from './errors.js';
import { partialCallOptions } from './handlebars.js';
import { unwrapTracked } from './reads.js';

type Hb = typeof import('handlebars');

/** How many partials may be open inside one another (a partial that includes itself stops here). */
export const MAX_INCLUDE_DEPTH = 32;

/** The data key holding the names of the partials being rendered, outermost first. */
export const CHAIN = 'includeChain';

/** The partials open at this point of a render, outermost first. */
export function includeChain(data: Record<string, unknown> | undefined): string[] {
  const chain = data?.[CHAIN];
  return Array.isArray(chain) ? (chain as string[]) : [];
}

type PartialFn = (
  ctx: unknown,
  opts?: { data?: Record<string, unknown>; partial?: boolean },
) => string;

/**
 * Wraps a compiled partial so that errors inside it name its own file and line, and so that
 * partials nested more than MAX_INCLUDE_DEPTH deep (`{{> self}}` or `include` of itself) stop with
 * a TemplateError instead of overflowing the stack. `include` checks the same limit first, naming
 * the line it is on.
 * The partial runs in Handlebars' partial mode either way: with the options of the `{{> name}}`
 * call that ran it, or, when `include` ran it, with those a `{{> name}}` call in the same
 * environment passes (handlebars.ts `partialCallOptions`).
 */
export function wrapPartial(hb: Hb, name: string, file: string, fn: PartialFn): PartialFn {
  return (ctx, opts) => {
    const chain = includeChain(opts?.data);
    if (chain.length >= MAX_INCLUDE_DEPTH) {
      throw new TemplateError(
        `partial "${name}" nests more than ${MAX_INCLUDE_DEPTH} partials deep (does a partial include itself?): ${[...chain.slice(-4), name].join(' -> ')}`,
        (opts?.data?.template as string | undefined) ?? file,
      );
    }
    const data = { ...(opts?.data ?? {}), template: file, [CHAIN]: [...chain, name] };
    try {
      return fn(ctx, opts?.partial ? { ...opts, data } : { ...partialCallOptions(hb), data });
    } catch (err) {
      // Handlebars' own errors (a value not defined, an unknown helper) carry the line in this
      // partial: name its file. Ours already name theirs.
      throw templateError(err, file);
    }
  };
}

/** Registers the chart helpers on one Handlebars environment. */
export function registerHelpers(hb: Hb): void {
  const opts = (args: unknown[]) =>
    args[args.length - 1] as HelperOptions & { loc?: { start: { line: number } } };
  const params = (args: unknown[]) => args.slice(0, -1);

  hb.registerHelper('toYaml', (value: unknown) => {
    if (value === undefined || value === null) return '';
    if (typeof value !== 'object') return dump(value, { lineWidth: -1 }).trimEnd();
    if (Array.isArray(value) ? value.length === 0 : Object.keys(value).length === 0)
      return Array.isArray(value) ? '[]' : '{}';
    return emitYaml(value).trimEnd();
  });
  hb.registerHelper('toJson', (value: unknown) => JSON.stringify(value ?? null));
  hb.registerHelper('indent', (n: number, text: unknown) =>
    indentText(Number(n), String(text ?? '')),
  );
  hb.registerHelper(
    'nindent',
    (n: number, text: unknown) => '\n' + indentText(Number(n), String(text ?? '')),
  );
  hb.registerHelper('quote', (value: unknown) =>
    JSON.stringify(value === undefined || value === null ? '' : String(value)),
  );
  hb.registerHelper('default', (fallback: unknown, value: unknown) =>
    value === undefined || value === null || value === '' ? fallback : value,
  );
  hb.registerHelper('required', function (this: unknown, ...args: unknown[]) {
    const [message, value] = params(args);
    if (value === undefined || value === null || value === '') {
      const o = opts(args);
      throw new TemplateError(
        `required value missing: ${String(message)}`,
        (o.data?.template as string) ?? '(template)',
        o.loc?.start.line,
      );
    }
    return value;
  });
  hb.registerHelper('fail', (...args: unknown[]) => {
    const o = opts(args);
    throw new TemplateError(
      String(params(args)[0]),
      (o.data?.template as string) ?? '(template)',
      o.loc?.start.line,
    );
  });
  hb.registerHelper('b64enc', (value: unknown) =>
    Buffer.from(String(value ?? ''), 'utf8').toString('base64'),
  );
  hb.registerHelper('sha256', (value: unknown) =>
    createHash('sha256')
      .update(typeof value === 'string' ? value : JSON.stringify(value ?? null))
      .digest('hex'),
  );
  hb.registerHelper('include', function (this: unknown, ...args: unknown[]) {
    const o = opts(args);
    const [name, ctx] = params(args);
    const caller = (o.data?.template as string) ?? '(template)';
    const partial = hb.partials[String(name)];
    if (!partial) {
      throw new TemplateError(`unknown partial "${String(name)}"`, caller, o.loc?.start.line);
    }
    const chain = includeChain(o.data);
    if (chain.length >= MAX_INCLUDE_DEPTH) {
      throw new TemplateError(
        `include "${String(name)}" nests more than ${MAX_INCLUDE_DEPTH} partials deep (does a partial include itself?): ${[...chain.slice(-4), String(name)].join(' -> ')}`,
        caller,
        o.loc?.start.line,
      );
    }
    // every partial is registered compiled (render.ts compileChart, through wrapPartial)
    return (partial as PartialFn)(ctx === undefined ? this : ctx, { data: o.data });
  });
  /** A map from the hash arguments, keys in name order: `(dict name="web" port=80)`. */
  hb.registerHelper('dict', (...args: unknown[]) => {
    const hash = (opts(args).hash ?? {}) as Record<string, unknown>;
    return Object.fromEntries(
      Object.keys(hash)
        .sort()
        .map((k) => [k, hash[k]]),
    );
  });
  /** A new map with the keys of every argument; a later argument wins (`(merge defaults overrides)`). */
  hb.registerHelper('merge', (...args: unknown[]) => {
    const out: Record<string, unknown> = {};
    for (const m of params(args)) {
      if (m === undefined || m === null) continue;
      if (typeof m !== 'object' || Array.isArray(m)) {
        const o = opts(args);
        throw new TemplateError(
          `merge takes maps, got ${Array.isArray(m) ? 'a list' : typeof m}`,
          (o.data?.template as string) ?? '(template)',
          o.loc?.start.line,
        );
      }
      Object.assign(out, m);
    }
    return out;
  });
  // Comparisons and logic.
  // (values another chart's templates read may come as a proxy that records the reads: reads.ts;
  // maps and lists compare by what they stand for)
  hb.registerHelper('eq', (a: unknown, b: unknown) => unwrapTracked(a) === unwrapTracked(b));
  hb.registerHelper('ne', (a: unknown, b: unknown) => unwrapTracked(a) !== unwrapTracked(b));
  hb.registerHelper('lt', (a: number, b: number) => a < b);
  hb.registerHelper('le', (a: number, b: number) => a <= b);
  hb.registerHelper('gt', (a: number, b: number) => a > b);
  hb.registerHelper('ge', (a: number, b: number) => a >= b);
  hb.registerHelper('and', (...args: unknown[]) => params(args).every(Boolean));
  hb.registerHelper('or', (...args: unknown[]) => params(args).some(Boolean));
  hb.registerHelper('not', (a: unknown) => !a);
  hb.registerHelper('includes', (list: unknown, item: unknown) => {
    if (!Array.isArray(list)) return false;
    // Array.prototype.includes' SameValueZero, on what the items stand for
    const want = unwrapTracked(item);
    for (let i = 0; i < list.length; i++) {
      const x = unwrapTracked(list[i] as unknown);
      if (x === want || (x !== x && want !== want)) return true;
    }
    return false;
  });
  // Small string and number helpers.
  hb.registerHelper(
    'startsWith',
    (s: unknown, prefix: unknown) =>
      typeof s === 'string' && typeof prefix === 'string' && s.startsWith(prefix),
  );
  hb.registerHelper(
    'endsWith',
    (s: unknown, suffix: unknown) =>
      typeof s === 'string' && typeof suffix === 'string' && s.endsWith(suffix),
  );
  hb.registerHelper('lower', (s: unknown) => String(s ?? '').toLowerCase());
  hb.registerHelper('upper', (s: unknown) => String(s ?? '').toUpperCase());
  hb.registerHelper('join', (list: unknown, sep: unknown) =>
    Array.isArray(list) ? list.join(typeof sep === 'string' ? sep : ',') : '',
  );
  hb.registerHelper('concat', (...args: unknown[]) =>
    params(args)
      .map((x) => String(x ?? ''))
      .join(''),
  );
  hb.registerHelper('add', (a: number, b: number) => Number(a) + Number(b));
  hb.registerHelper('len', (v: unknown) =>
    Array.isArray(v)
      ? v.length
      : v && typeof v === 'object'
        ? Object.keys(v).length
        : String(v ?? '').length,
  );
  // Strict access. Handlebars' strict mode covers plain `{{a.b}}` only: `lookup`, `#each` and
  // helper arguments read a missing value as empty. These make a template that reads a value that
  // is not there fail with its file and line; `get` and `optional` say that a value may be absent.
  const fail = (o: ReturnType<typeof opts>, message: string): never => {
    throw new TemplateError(
      message,
      (o.data?.template as string) ?? '(template)',
      o.loc?.start.line,
    );
  };
  hb.registerHelper('lookup', (...args: unknown[]) => {
    const o = opts(args);
    const [obj, key] = params(args);
    if (obj === null || typeof obj !== 'object')
      fail(o, `lookup of "${String(key)}" in a value that is not a map or list`);
    if (!ownKey(obj as object, key))
      fail(
        o,
        `template reads a value that is not defined: lookup of "${String(key)}" (use get for an optional value)`,
      );
    return (obj as Record<string, unknown>)[String(key)];
  });
  /** `(get map "key")`: the value, or nothing when the map or the key is absent (optional values). */
  hb.registerHelper('get', (obj: unknown, key: unknown) =>
    (obj !== null && typeof obj === 'object' && ownKey(obj, key)) ||
    (typeof obj === 'string' && /^\d+$/.test(String(key)))
      ? (obj as Record<string, unknown>)[String(key)]
      : undefined,
  );
  /** `{{#each (optional list)}}`: iterate a list that may be absent. */
  hb.registerHelper('optional', (value: unknown) =>
    value === undefined || value === null ? [] : value,
  );
  const builtinEach = hb.helpers.each as (this: unknown, ...args: unknown[]) => unknown;
  hb.registerHelper('each', function (this: unknown, ...args: unknown[]) {
    const o = opts(args);
    if (args.length < 2 || params(args)[0] === undefined)
      fail(
        o,
        'template iterates a value that is not defined (use {{#each (optional x)}} for an optional list)',
      );
    return builtinEach.apply(this, args);
  });
  /** A Kubernetes DNS-1123 label from any text (lowercase, dashes, at most 63 characters). */
  hb.registerHelper('dnsLabel', (s: unknown) =>
    String(s ?? '')
      .toLowerCase()
      .replace(/[^a-z0-9-]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 63)
      .replace(/-+$/, ''),
  );
}

/** Own keys and list indexes only: `constructor`, `__proto__` or `length` are not values. */
function ownKey(obj: object, key: unknown): boolean {
  if (Array.isArray(obj)) return /^\d+$/.test(String(key)) && Number(key) < obj.length;
  return Object.hasOwn(obj, String(key));
}

function indentText(n: number, text: string): string {
  const pad = ' '.repeat(Math.max(0, n));
  return text
    .split('\n')
    .map((line) => (line.length > 0 ? pad + line : line))
    .join('\n');
}
