/** A parsed YAML/JSON map whose shape is not known yet. */
export type Obj = Record<string, any>;

/** A plain object (not null, not a list). */
export function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
