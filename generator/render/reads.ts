/**
 * What a chart's templates read of the other charts' values (`all`), recorded while it renders, so
 * the render cache can give its documents again after a change they never read (an image tag of
 * the app chart does not change Istio's routes, which read the services' names, ports and path
 * prefixes).
 *
 * `all` is handed to the templates behind a proxy that records every observation made through it,
 * by path: a property read (and what it gave: a scalar, a map, a list), an own-key or `in` test, a
 * listing of keys. The chart's own values and `global` are handed as they are: the cache key holds
 * them whole. A proxy forwards everything to the value itself, so templates and helpers see exactly
 * what they would see without it (`test/cache.test.ts` renders with and without and compares).
 *
 * The cache entry keeps the observed paths and a hash of what each gave. The entry is served only
 * when every path gives the same again in the values of this render (readsHold). A value a template
 * never observed cannot have changed its output: a template reaches the other charts' values only
 * through `all`, and reaches a value inside them only through the maps and lists above it, each
 * read through a proxy. Proxies are made per path, not per object, so a map reached by two paths
 * (a YAML alias) records each path it was read by.
 */
import { createHash } from 'node:crypto';

/** What was observed at a path (bits). */
const GET = 1;
const OWN = 2;
const IN = 4;
const KEYS = 8;

/** The observed paths as stored: [parent index, key, what was observed], the root (`all`) first. */
export interface StoredReads {
  nodes: [parent: number, key: string, flags: number][];
  /** a hash of what every observation gave, in node order */
  digest: string;
}

/** Proxies made by a tracker, to their values (the comparison helpers compare the values). */
const targets = new WeakMap<object, object>();

/** The value a proxy of a tracker stands for (anything else as it is). */
export function unwrapTracked<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    const target = targets.get(value);
    if (target) return target as T;
  }
  return value;
}

/** What an observation of a property read gave, as hashed. */
function describe(value: unknown): string {
  if (value === undefined) return 'u';
  if (value === null) return 'n';
  switch (typeof value) {
    case 'boolean':
      return value ? 't' : 'f';
    case 'number':
      return Object.is(value, -0) ? 'd-0' : `d${value}`;
    case 'string':
      // (length first: what is hashed reads back one way only, whatever the strings hold)
      return `s${value.length}:${value}`;
    case 'function':
      return 'F';
    case 'object':
      return Array.isArray(value) ? '[' : '{';
    default:
      return `x${typeof value}`;
  }
}

function keysOf(value: unknown): string {
  return value !== null && typeof value === 'object'
    ? Reflect.ownKeys(value)
        .filter((k): k is string => typeof k === 'string')
        .map((k) => `${k.length}:${k}`)
        .join('')
    : '-';
}

interface Observed {
  parent: number;
  key: string;
  flags: number;
}

/** A map or a list (what a path can go on into). */
function isObject(x: unknown): x is Record<string, unknown> {
  return x !== null && typeof x === 'object';
}

/** A hash of what each node's observations give on `values` (node 0 is `values` itself). */
function digestOf(nodes: readonly Observed[], values: unknown): string {
  const h = createHash('sha1');
  const at: unknown[] = new Array(nodes.length);
  for (let i = 0; i < nodes.length; i++) {
    const { parent, key, flags } = nodes[i];
    const p = i === 0 ? undefined : at[parent];
    const v = i === 0 ? values : isObject(p) ? p[key] : undefined;
    at[i] = v;
    let line = `${i}`;
    if (flags & GET) line += `\0g${describe(v)}`;
    if (flags & OWN) line += `\0o${isObject(p) && Object.hasOwn(p, key) ? 1 : 0}`;
    if (flags & IN) line += `\0i${isObject(p) && key in p ? 1 : 0}`;
    if (flags & KEYS) line += `\0k${keysOf(v)}`;
    h.update(`${line}\n`);
  }
  return h.digest('base64url');
}

/** Records what one render observes of `all` (the values of every chart, by chart). */
export class ReadTracker {
  private readonly nodes: (Observed & { proxy?: object })[] = [{ parent: -1, key: '', flags: 0 }];
  private readonly ids = new Map<string, number>();
  /** what the templates are given as `all` */
  readonly all: Record<string, unknown>;

  constructor(
    private readonly values: Record<string, unknown>,
    /** top-level keys handed as they are (the chart's own values and `global`: in the key) */
    private readonly untracked: readonly string[],
  ) {
    this.all = this.proxyOf(0, values) as Record<string, unknown>;
  }

  /** The index of the node of `key` under node `parent`, observed as `flag`. */
  private observe(parent: number, key: string, flag: number): number {
    const id = `${parent}\0${key}`;
    let i = this.ids.get(id);
    if (i === undefined) {
      i = this.nodes.length;
      this.nodes.push({ parent, key, flags: 0 });
      this.ids.set(id, i);
    }
    this.nodes[i].flags |= flag;
    return i;
  }

  private proxyOf(index: number, target: object): object {
    const node = this.nodes[index];
    if (node.proxy) return node.proxy;
    const proxy = new Proxy(target, {
      get: (t, key) => {
        const value: unknown = Reflect.get(t, key);
        if (typeof key === 'symbol') return value;
        const i = this.observe(index, key, GET);
        if (value === null || typeof value !== 'object' || !Object.hasOwn(t, key)) return value;
        if (index === 0 && this.untracked.includes(key)) return value;
        return this.proxyOf(i, value);
      },
      has: (t, key) => {
        if (typeof key !== 'symbol') this.observe(index, key, IN);
        return Reflect.has(t, key);
      },
      getOwnPropertyDescriptor: (t, key) => {
        if (typeof key !== 'symbol') this.observe(index, key, OWN);
        return Reflect.getOwnPropertyDescriptor(t, key);
      },
      ownKeys: (t) => {
        this.nodes[index].flags |= KEYS;
        return Reflect.ownKeys(t);
      },
    });
    node.proxy = proxy;
    targets.set(proxy, target);
    return proxy;
  }

  /** The observations made so far, to store with the chart's documents. */
  stored(): StoredReads {
    return {
      nodes: this.nodes.map((n) => [n.parent, n.key, n.flags]),
      digest: digestOf(this.nodes, this.values),
    };
  }
}

/** Whether `values` give every observation stored the same as when it was made. */
export function readsHold(stored: unknown, values: Record<string, unknown>): boolean {
  if (!isObject(stored)) return false;
  const { nodes, digest } = stored as Partial<StoredReads>;
  if (!Array.isArray(nodes) || nodes.length === 0 || typeof digest !== 'string') return false;
  const list: Observed[] = [];
  for (const n of nodes) {
    if (!Array.isArray(n) || n.length !== 3) return false;
    const [parent, key, flags] = n as unknown[];
    const root = list.length === 0;
    if (
      typeof parent !== 'number' ||
      (root ? parent !== -1 : !Number.isInteger(parent) || parent < 0 || parent >= list.length) ||
      typeof key !== 'string' ||
      typeof flags !== 'number'
    )
      return false;
    list.push({ parent, key, flags });
  }
  return digestOf(list, values) === digest;
}
