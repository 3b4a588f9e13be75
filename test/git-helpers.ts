import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT, tempDir } from './helpers.js';

export const CLI = join(REPO_ROOT, 'dist/cli/main.js');

/** Runs git in `cwd` with a fixed identity and no user or system configuration. */
export function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, {
    cwd,
    encoding: 'utf8',
    env: {
      PATH: process.env.PATH,
      HOME: cwd,
      GIT_CONFIG_NOSYSTEM: '1',
      GIT_AUTHOR_NAME: 'Dev',
      GIT_AUTHOR_EMAIL: 'dev@example.com',
      GIT_COMMITTER_NAME: 'Dev',
      GIT_COMMITTER_EMAIL: 'dev@example.com',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  }).trim();
}

/** Runs the built CLI. */
export function cli(cwd: string, args: string[], env: NodeJS.ProcessEnv = {}) {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    cwd,
    encoding: 'utf8',
    env: { PATH: process.env.PATH, HOME: cwd, GIT_CONFIG_NOSYSTEM: '1', ...env },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/**
 * A git repository holding a copy of this repository's charts, values and committed prd plan, with
 * one commit on `main`.
 */
export function projectRepo(): string {
  const dir = tempDir();
  for (const part of ['charts', 'values', 'release/prd'])
    cpSync(join(REPO_ROOT, part), join(dir, part), { recursive: true });
  writeFileSync(join(dir, '.gitignore'), 'release/dev/\nrelease/.*\n');
  git(dir, 'init', '-q', '-b', 'main');
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', 'Charts, values and the prd plan');
  return dir;
}

/** Replaces `from` by `to` in a file of the project (fails when `from` is not there). */
export function edit(dir: string, file: string, from: string | RegExp, to: string): void {
  const path = join(dir, file);
  const text = readFileSync(path, 'utf8');
  const next = text.replace(from, to);
  if (next === text) throw new Error(`${file}: nothing matches ${from}`);
  writeFileSync(path, next);
}

/** A bare repository cloned from `source`, and a working clone of it on `branch`. */
export function originAndClone(source: string, branch: string): { origin: string; work: string } {
  const origin = join(tempDir(), 'origin.git');
  git(source, 'clone', '-q', '--bare', source, origin);
  const work = join(tempDir(), 'work');
  git(source, 'clone', '-q', origin, work);
  git(work, 'checkout', '-q', branch);
  return { origin, work };
}
