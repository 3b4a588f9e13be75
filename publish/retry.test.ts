import { describe, expect, it } from 'vitest';
import { RegistryUnavailableError } from './errors.js';
import { TransientError, retryAfterMs, withRetry, type RetryPolicy } from './retry.js';

function policy(delays: number[], attempts = 5): RetryPolicy {
  return {
    attempts,
    baseDelayMs: 500,
    maxDelayMs: 3000,
    sleep: async (ms) => void delays.push(ms),
  };
}

const refused = () =>
  Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } });

describe('withRetry', () => {
  it('backs off exponentially up to the cap, then gives up naming the attempts', async () => {
    const delays: number[] = [];
    let calls = 0;
    const err = await withRetry(
      'reaching x',
      async () => {
        calls++;
        throw refused();
      },
      policy(delays),
    ).catch((e) => e);
    expect(err).toBeInstanceOf(RegistryUnavailableError);
    expect(err.message).toBe('reaching x: connection refused (gave up after 5 attempts)');
    expect(calls).toBe(5);
    expect(delays).toEqual([500, 1000, 2000, 3000]);
  });

  it('returns the first success and honours Retry-After within the cap', async () => {
    const delays: number[] = [];
    let calls = 0;
    const v = await withRetry(
      'x',
      async () => {
        if (++calls < 3) throw new TransientError('HTTP 429', calls === 1 ? 1200 : 60_000);
        return 'ok';
      },
      policy(delays),
    );
    expect(v).toBe('ok');
    expect(delays).toEqual([1200, 3000]);
  });

  it('does not retry other failures', async () => {
    const delays: number[] = [];
    let calls = 0;
    await expect(
      withRetry(
        'x',
        async () => {
          calls++;
          throw new Error('HTTP 400 MANIFEST_INVALID');
        },
        policy(delays),
      ),
    ).rejects.toThrow('HTTP 400 MANIFEST_INVALID');
    expect(calls).toBe(1);
    expect(delays).toEqual([]);
  });

  it('stops when aborted', async () => {
    const ac = new AbortController();
    let calls = 0;
    const p = withRetry(
      'x',
      async () => {
        calls++;
        ac.abort(new Error('interrupted'));
        throw refused();
      },
      policy([]),
      ac.signal,
    );
    await expect(p).rejects.toThrow('interrupted');
    expect(calls).toBe(1);
  });

  it('reads Retry-After as seconds or a date', () => {
    expect(retryAfterMs('7')).toBe(7000);
    expect(retryAfterMs('Thu, 01 Jan 1970 00:00:10 GMT', 4000)).toBe(6000);
    expect(retryAfterMs(null)).toBeUndefined();
    expect(retryAfterMs('soon')).toBeUndefined();
  });
});
