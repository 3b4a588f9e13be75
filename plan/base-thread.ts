import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { InputError } from '../core/errors.js';
import { loadBaseObjects, type BaseObjects } from './base-objects.js';

/**
 * Starts reading the committed plan: in a worker thread when the compiled worker is there (the
 * built CLI), in this thread otherwise (the sources under test). The returned promise is meant to
 * be awaited after other work, so reading overlaps it.
 */
export function startBaseRead(
  root: string,
  env: string,
  ref: string,
  newBlobs: Map<string, string>,
): Promise<BaseObjects> {
  const workerFile = fileURLToPath(new URL('./base-worker.js', import.meta.url));
  if (!import.meta.url.endsWith('.js') || !existsSync(workerFile)) {
    return loadBaseObjects(root, env, ref, newBlobs);
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
  worker.postMessage({ root, env, ref, newBlobs: [...newBlobs] });
  // Rejections are handled where the promise is awaited; this keeps an early one from being reported.
  result.catch(() => undefined);
  return result;
}
