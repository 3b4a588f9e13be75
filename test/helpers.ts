import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadAll } from 'js-yaml';
import { afterAll } from 'vitest';
import type { KubeObject, Manifest } from '../core/manifest.js';
import { renderEnvironment } from '../generator/pipeline.js';

/** The repository root (the project whose charts and values the tests render). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Every document of the committed production plan (release/prd/), as parsed objects. */
export function committedPlanDocuments(): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith('.yaml'))
        for (const doc of loadAll(readFileSync(full, 'utf8')))
          if (doc) out.push(doc as Record<string, unknown>);
    }
  };
  walk(join(REPO_ROOT, 'release', 'prd'));
  return out;
}

/** Renders the repository's own charts for an environment, in memory (secrets as placeholders). */
export function renderRepo(env: string, environ: NodeJS.ProcessEnv = {}): Manifest[] {
  return renderEnvironment(REPO_ROOT, env, { environ }).release.manifests;
}

/** Objects of one kind (optionally of one chart). */
export function ofKind(manifests: Manifest[], kind: string, chart?: string): KubeObject[] {
  return manifests
    .filter((m) => m.object.kind === kind && (!chart || m.chart === chart))
    .map((m) => m.object);
}

export function byName(manifests: Manifest[], kind: string, name: string): KubeObject {
  const found = manifests.find((m) => m.object.kind === kind && m.object.metadata.name === name);
  if (!found) throw new Error(`no ${kind} named ${name}`);
  return found.object;
}

const temps: string[] = [];
afterAll(() => {
  for (const t of temps) rmSync(t, { recursive: true, force: true });
});

/** A temporary copy of the repository's charts and values (and committed release), for tests that edit them. */
export function copyRepo(): string {
  const dir = mkdtempSync(join(tmpdir(), 'manifests-test-'));
  temps.push(dir);
  for (const part of ['charts', 'values'])
    cpSync(join(REPO_ROOT, part), join(dir, part), { recursive: true });
  return dir;
}

export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'manifests-test-'));
  temps.push(dir);
  return dir;
}

/**
 * In a temporary copy of the repository, replaces `from` with `to` on the first line of the values
 * file `file` matching `line`, then renders prd with the built CLI. Returns the exit status, stderr
 * and the 1-based line that was edited.
 */
export function renderWithEditedValue(
  file: string,
  line: RegExp,
  from: string,
  to: string,
): { status: number | null; stderr: string; line: number } {
  const dir = copyRepo();
  const path = join(dir, file);
  const lines = readFileSync(path, 'utf8').split('\n');
  const index = lines.findIndex((l) => line.test(l));
  if (index < 0) throw new Error(`no line of ${file} matches ${line}`);
  lines[index] = lines[index].replace(from, to);
  writeFileSync(path, lines.join('\n'));
  const run = spawnSync(
    process.execPath,
    [join(REPO_ROOT, 'dist/cli/main.js'), '--root', dir, 'render', '--env', 'prd'],
    { encoding: 'utf8' },
  );
  return { status: run.status, stderr: run.stderr, line: index + 1 };
}
