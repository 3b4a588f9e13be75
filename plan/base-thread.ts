import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { InputError } from '../core/errors.js';
import { loadBaseObjects, type BaseObjects } from './base-objects.js';

/** A read of the committed plan started ahead of the render. */
export interface BaseRead {
  /** Gives the new plan's blob ids; resolves to the base objects of the files that differ. */
  select(newBlobs: Map<string, string>): Promise<BaseObjects>;
  /** Stops the read (when the render fails). */
  cancel(): void;
}

/**
 * Starts reading the committed plan: on a worker thread when the compiled worker is there (the
 * built CLI), so git and parsing run on the second core during the render; in this thread, after
 * the render, otherwise (the sources under test).
 */
export function startBaseRead(root: string, env: string, ref: string): BaseRead {
  const workerFile = fileURLToPath(new URL('./base-worker.js', import.meta.url));
  if (!import.meta.url.endsWith('.js') || !existsSync(workerFile)) {
    return { select: (newBlobs) => loadBaseObjects(root, env, ref, newBlobs), cancel: () => {} };
  }
  const worker = new Worker(workerFile);
  const result = new Promise<BaseObjects>((resolve, reject) => {
    worker.once('message', (m: { ok?: BaseObjects; error?: Record<string, any> }) => {
      void worker.terminate();
      if (m.ok) resolve(m.ok);
      else if (m.error?.input)
        reject(new InputError(m.error.message, m.error.location, m.error.details ?? []));
      else reject(new Error(m.error?.message ?? 'reading the base plan failed'));
    });
    worker.once('error', reject);
  });
  // Handled where `select` is awaited; this keeps an early rejection from being reported twice.
  result.catch(() => undefined);
  worker.postMessage({ root, env, ref });
  return {
    select: (newBlobs) => {
      worker.postMessage({ newBlobs: [...newBlobs] });
      return result;
    },
    cancel: () => void worker.terminate(),
  };
}
