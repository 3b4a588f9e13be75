import { parentPort } from 'node:worker_threads';
import { isInputError } from '../core/errors.js';
import { loadBaseObjectsWhenKnown } from './base-objects.js';

/**
 * Worker thread of `manifests plan`: lists the committed plan in git while the main thread renders;
 * once told the new plan's blob ids, it reads and parses the files that differ and sends back their
 * objects. Messages: { root, env, ref }, then { newBlobs }.
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
    // Lists the committed plan while the main thread renders, then reads and parses only the
    // files that differ from the new plan. Reading ahead everything would compete with the render
    // for the second core and is wasted when few files changed; when many did, they are parsed
    // here while the main thread validates.
    loadBaseObjectsWhenKnown(
      root,
      env,
      ref,
      newBlobs.then((ids) => new Map(ids)),
    )
      .then((selected) => port.postMessage({ ok: selected }))
      .catch(report);
  },
);
