/**
 * A full garbage collection at a phase boundary. A render leaves most of what it allocated behind
 * as garbage (template output, the text of cache entries, the reader's intermediate values), while
 * what the next phases use (the objects and their plan file texts) stays. V8 collects the old
 * generation only when its heap grows past a limit, so without a collection here validation and
 * diffing grow the heap on top of that garbage: at 30,000 resources a plan's peak RSS is about
 * 450 MB without it and about 400 MB with it, for some 50-80 ms (`npm run bench`, peak RSS column).
 *
 * V8's `gc()` is only exposed with `--expose-gc`; setting that flag at run time and taking the
 * function from a new context is the documented way to reach it without a command-line flag (the
 * approach of the `expose-gc` package). If that fails, this does nothing.
 */
import v8 from 'node:v8';
import vm from 'node:vm';

let collect: (() => void) | null | undefined;
let gcExposed = false;

/**
 * Sets `--expose-gc` once. Besides collectGarbage, V8's code cache needs it: cached data carries a
 * hash of the V8 flags in effect and is refused under others, so the code caches are made with
 * this flag set and a run sets it before using their data (validators/schema/code-cache.ts,
 * core/code-cache-file.ts).
 */
export function exposeGcFlag(): void {
  if (gcExposed) return;
  gcExposed = true;
  try {
    v8.setFlagsFromString('--expose-gc');
  } catch {
    // flags are then as they were; code cache data is refused and compiled from the text
  }
}

/**
 * Below this much used heap a collection at a phase boundary costs more than it saves: at 10,000
 * resources a plan's heap holds about 80 MB there and a full collection takes some 30 ms of a
 * 1.3 s run, while peak RSS stays near 200 MB; at 30,000 it holds about 230 MB.
 */
export const COLLECT_ABOVE_BYTES = 128 * 1024 * 1024;

/** collectGarbage when the heap holds more than COLLECT_ABOVE_BYTES; whether it did. */
export function collectLargeHeap(): boolean {
  if (v8.getHeapStatistics().used_heap_size < COLLECT_ABOVE_BYTES) return false;
  collectGarbage();
  return true;
}

export function collectGarbage(): void {
  if (collect === undefined) {
    exposeGcFlag();
    try {
      const fn: unknown = vm.runInNewContext('gc');
      collect = typeof fn === 'function' ? (fn as () => void) : null;
    } catch {
      collect = null;
    }
  }
  collect?.();
}
