import { RegistryUnavailableError } from './errors.js';

/** How transient registry failures are retried: bounded exponential backoff. */
export interface RetryPolicy {
  /** Attempts in all, the first included. */
  attempts: number;
  /** Delay before the first retry; doubles each time up to `maxDelayMs`. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** Waits `ms` (injectable so tests need not wait); rejects when `signal` aborts. */
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
}

export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export const DEFAULT_RETRY: RetryPolicy = {
  attempts: 5,
  baseDelayMs: 500,
  maxDelayMs: 8_000,
  sleep: abortableSleep,
};

/** A failure worth another try: the registry was unreachable, overloaded or failing (429, 5xx). */
export class TransientError extends Error {
  constructor(
    message: string,
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'TransientError';
  }
}

/** Connection-level failures of Node's fetch (undici) that a retry can cure. */
const TRANSIENT_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_CLOSED',
]);

/** The error code under a fetch failure (`TypeError: fetch failed` with `cause.code`), if any. */
export function networkErrorCode(err: unknown): string | undefined {
  let e = err as { code?: unknown; cause?: unknown } | undefined;
  for (let i = 0; e && i < 4; i++) {
    if (typeof e.code === 'string') return e.code;
    e = e.cause as typeof e;
  }
  return undefined;
}

export function isTransientNetworkError(err: unknown): boolean {
  const code = networkErrorCode(err);
  return !!code && TRANSIENT_CODES.has(code);
}

export function isTransientStatus(status: number): boolean {
  return status === 429 || (status >= 500 && status <= 599);
}

/** `Retry-After` in seconds (or an HTTP date) as milliseconds, if present and sane. */
export function retryAfterMs(header: string | null, now = Date.now()): number | undefined {
  if (!header) return undefined;
  if (/^\d+$/.test(header.trim())) return Number(header.trim()) * 1000;
  const t = Date.parse(header);
  return Number.isNaN(t) ? undefined : Math.max(0, t - now);
}

/**
 * Runs `op`, retrying on TransientError and transient network errors up to `policy.attempts` times
 * in all. The last failure is rethrown with the number of attempts in its message.
 */
export async function withRetry<T>(
  what: string,
  op: () => Promise<T>,
  policy: RetryPolicy,
  signal?: AbortSignal,
  onRetry?: (attempt: number, delayMs: number, reason: string) => void,
): Promise<T> {
  let delay = policy.baseDelayMs;
  for (let attempt = 1; ; attempt++) {
    try {
      return await op();
    } catch (err) {
      if (signal?.aborted) throw signal.reason;
      const transient = err instanceof TransientError || isTransientNetworkError(err);
      const reason = describeFailure(err);
      if (!transient) throw err;
      if (attempt >= policy.attempts) {
        throw new RegistryUnavailableError(
          `${what}: ${reason} (gave up after ${attempt} attempts)`,
        );
      }
      const hinted = err instanceof TransientError ? err.retryAfterMs : undefined;
      const wait = Math.min(policy.maxDelayMs, hinted ?? delay);
      onRetry?.(attempt, wait, reason);
      await policy.sleep(wait, signal);
      delay = Math.min(policy.maxDelayMs, delay * 2);
    }
  }
}

export function describeFailure(err: unknown): string {
  const code = networkErrorCode(err);
  if (code === 'ECONNREFUSED') return 'connection refused';
  if (code) return `network error ${code}`;
  return (err as Error)?.message ?? String(err);
}
