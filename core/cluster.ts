/** The values key that holds settings shared by every chart (registry, clusters). */
export const GLOBAL_KEY = 'global';

/** The cluster declaration of an environment (`global.clusters.<env>` of the merged values). */
export function clusterOf(values: Record<string, unknown>, env: string): Record<string, unknown> {
  const clusters = (values[GLOBAL_KEY] as Record<string, unknown> | undefined)?.clusters as
    Record<string, unknown> | undefined;
  const c = clusters?.[env];
  return c && typeof c === 'object' && !Array.isArray(c) ? (c as Record<string, unknown>) : {};
}
