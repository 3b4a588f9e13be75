import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll } from 'vitest';
import type { KubeObject, Manifest } from '../generator/manifest.js';
import { renderEnvironment } from '../generator/pipeline.js';

/** The repository root (the project whose charts and values the tests render). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

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
