/**
 * Wildcard patterns as IAM (actions, resources) and Argo CD (project globs) match them: `*` any run
 * of characters, `?` exactly one, everything else itself; the whole value must match.
 */
import { boundedMemo } from './memo.js';

/** Compiled patterns, by flag and pattern: a plan tests a few patterns against many values. */
const compiled = boundedMemo(
  (key: string) =>
    new RegExp(
      `^${key
        .slice(1)
        .split('')
        .map((ch) =>
          ch === '*' ? '.*' : ch === '?' ? '.' : ch.replace(/[.+^${}()|[\]\\]/g, '\\$&'),
        )
        .join('')}$`,
      key[0] === 'i' ? 'i' : '',
    ),
  4096,
);

export function wildcardMatch(pattern: string, value: string, caseInsensitive = false): boolean {
  return compiled(`${caseInsensitive ? 'i' : 's'}${pattern}`).test(value);
}
