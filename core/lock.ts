import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname } from 'node:path';
import { createRequire } from 'node:module';
import type lockfileModule from 'proper-lockfile';
import { InputError } from './errors.js';

/** Who holds a lock, as written into the lock folder. */
export interface LockOwner {
  pid: number;
  host: string;
  since: string;
  what: string;
}

export interface LockOptions {
  /** What the lock protects, for messages (e.g. `release/prd/`). */
  what: string;
  /** Wait for the holder (default) or fail at once. */
  wait?: boolean;
  /** Called once when the lock is held by someone else and we start waiting. */
  onWait?: (owner: LockOwner | undefined) => void;
  /** Give up after this long (default 10 minutes). */
  timeoutMs?: number;
  /** Poll interval while waiting (default 100 ms). */
  pollMs?: number;
}

/**
 * A lock is a folder `<path>` made with mkdir (atomic on every file system, NFS included) by
 * proper-lockfile, which keeps its mtime fresh while the holder lives and treats it as stale 10 s
 * after the holder stopped refreshing it (a killed process), so a stale lock is broken safely by
 * exactly one waiter. The holder's pid, host and start time are written beside it for messages.
 */
const STALE_MS = 10_000;

/**
 * Who holds the lock is written beside the lock folder, not inside it: proper-lockfile breaks a
 * stale lock with rmdir, which a file inside would stop.
 */
function ownerFile(lockPath: string): string {
  return `${lockPath}.owner`;
}

function readOwner(lockPath: string): LockOwner | undefined {
  try {
    return JSON.parse(readFileSync(ownerFile(lockPath), 'utf8')) as LockOwner;
  } catch {
    return undefined;
  }
}

export function describeOwner(owner: LockOwner | undefined): string {
  return owner ? `pid ${owner.pid} on ${owner.host}, since ${owner.since}` : 'another process';
}

/** Runs `fn` holding the lock at `lockPath`; waits for (or, with `wait: false`, refuses) a holder. */
export async function withLock<T>(
  lockPath: string,
  options: LockOptions,
  fn: () => Promise<T> | T,
): Promise<T> {
  mkdirSync(dirname(lockPath), { recursive: true });
  const deadline = Date.now() + (options.timeoutMs ?? 600_000);
  let told = false;
  let release: (() => Promise<void>) | undefined;
  for (;;) {
    try {
      const lockfile = createRequire(import.meta.url)('proper-lockfile') as typeof lockfileModule;
      release = await lockfile.lock(lockPath, {
        lockfilePath: lockPath,
        realpath: false,
        stale: STALE_MS,
        retries: 0,
      });
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ELOCKED') throw err;
      const owner = readOwner(lockPath);
      if (options.wait === false) {
        throw new InputError(
          `${options.what} is locked by ${describeOwner(owner)}; try again when it finishes (or leave out --no-wait to wait)`,
        );
      }
      if (Date.now() > deadline) {
        throw new InputError(
          `gave up waiting for ${options.what}, locked by ${describeOwner(owner)}`,
        );
      }
      if (!told) {
        options.onWait?.(owner);
        told = true;
      }
      await new Promise((r) => setTimeout(r, options.pollMs ?? 100));
    }
  }
  try {
    const owner: LockOwner = {
      pid: process.pid,
      host: hostname(),
      since: new Date().toISOString(),
      what: options.what,
    };
    writeFileSync(ownerFile(lockPath), JSON.stringify(owner));
    return await fn();
  } finally {
    rmSync(ownerFile(lockPath), { force: true });
    await release().catch(() => undefined);
  }
}

/** Whether a process with this pid is alive on this machine. */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
