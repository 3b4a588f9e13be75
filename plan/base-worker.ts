import { parentPort } from 'node:worker_threads';
import { isInputError } from '../core/errors.js';
import { preloadBase, selectBaseObjects } from './base-objects.js';

/**
 * Worker thread of `manifests plan`: reads the committed plan from git and parses it on the second
 * core while the main thread renders; once told the new plan's blob ids, it parses only what is
 * left of the files that differ and sends back their objects. Messages: { root, env, ref }, then
 * { newBlobs }.
 */
const port = parentPort!;
let blobs: (value: [string, string][]) => void;
let arrived = false;
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
      arrived = true;
      blobs(m.newBlobs);
      return;
    }
    const { root, env, ref } = m as { root: string; env: string; ref: string };
    // parse ahead while the main thread renders; once the new plan's ids are known, only the
    // files that differ are parsed
    preloadBase(root, env, ref, () => arrived)
      .then(async ({ base, parse }) => {
        const ids = new Map(await newBlobs);
        const selected = selectBaseObjects(base, env, ids, (path) => parse(path));
        port.postMessage({ ok: selected });
      })
      .catch(report);
  },
);
