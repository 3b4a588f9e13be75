import { parentPort } from 'node:worker_threads';
import { isInputError } from '../core/errors.js';
import { loadBaseObjects } from './base-objects.js';

/**
 * Worker thread of `manifests plan`: reads and parses the committed plan from git on the second
 * core while the main thread validates the new plan. Receives { root, env, ref, newBlobs }.
 */
parentPort?.once(
  'message',
  async (m: { root: string; env: string; ref: string; newBlobs: [string, string][] }) => {
    try {
      const base = await loadBaseObjects(m.root, m.env, m.ref, new Map(m.newBlobs));
      parentPort!.postMessage({ ok: base });
    } catch (err) {
      parentPort!.postMessage({
        error: isInputError(err)
          ? { input: true, message: err.message, location: err.location, details: err.details }
          : { input: false, message: (err as Error)?.message ?? String(err) },
      });
    }
  },
);
