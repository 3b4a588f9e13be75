import { parentPort } from 'node:worker_threads';
import { isInputError } from '../core/errors.js';
import { preloadBase, selectBaseObjects } from './base-objects.js';

/**
 * Worker thread of `manifests plan`: reads the committed plan from git and parses it on the second
 * core while the main thread renders, then, once told the new plan's blob ids, sends back the
 * objects of the files that differ. Messages: { root, env, ref }, then { newBlobs }.
 */
const port = parentPort!;
let blobs: (value: [string, string][]) => void;
const newBlobs = new Promise<[string, string][]>((resolve) => (blobs = resolve));

function report(err: unknown): void {
  port.postMessage({
    error: isInputError(err)
      ? { input: true, message: err.message, location: err.location, details: err.details }
      : { input: false, message: (err as Error)?.message ?? String(err) },
  });
}

port.on(
  'message',
  (m: { root?: string; env: string; ref: string; newBlobs?: [string, string][] }) => {
    if (m.newBlobs) {
      blobs(m.newBlobs);
      return;
    }
    const { root, env, ref } = m as { root: string; env: string; ref: string };
    preloadBase(root, env, ref)
      .then(async ({ base, parsed }) => {
        const ids = new Map(await newBlobs);
        const selected = selectBaseObjects(base, env, ids, (path) => parsed.get(path)!);
        port.postMessage({ ok: selected });
      })
      .catch(report);
  },
);
