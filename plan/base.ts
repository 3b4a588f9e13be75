import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import type { SimpleGit } from 'simple-git';
import { InputError } from '../core/errors.js';

/** A file of the committed plan at a git ref. */
export interface BaseFile {
  /** Release-relative path (`app/apps/deployment-web.yaml`). */
  path: string;
  /** Git object id of the blob. */
  blob: string;
  /** The text, when it was read (files identical to the new plan are not). */
  text?: string;
}

export interface BasePlan {
  ref: string;
  /** The commit the ref names. */
  commit: string;
  files: Map<string, BaseFile>;
}

const requireHere = createRequire(import.meta.url);

/** simple-git, loaded on first use (the plan's main thread never needs it: git runs on the worker). */
function gitAt(root: string): SimpleGit {
  const { simpleGit } = requireHere('simple-git') as typeof import('simple-git');
  return simpleGit({ baseDir: root, maxConcurrentProcesses: 2 });
}

/** The commit `ref` names in the repository holding `root`; an unknown ref is bad input. */
export async function resolveCommit(root: string, ref: string): Promise<string> {
  if (ref === '' || ref.startsWith('-') || /[\s\0]/.test(ref)) {
    throw new InputError(`not a git ref: "${ref}"`);
  }
  const git = gitAt(root);
  try {
    await git.revparse(['--git-dir']);
  } catch {
    throw new InputError(
      `${root} is not inside a git repository, so there is no committed plan to compare with`,
    );
  }
  let commit = '';
  try {
    // simple-git resolves a failing command that prints nothing, so the output is checked too.
    commit = (
      await git.raw(['rev-parse', '--verify', '--end-of-options', `${ref}^{commit}`])
    ).trim();
  } catch {
    commit = '';
  }
  if (!/^[0-9a-f]{40}([0-9a-f]{24})?$/.test(commit)) {
    throw new InputError(
      `unknown git ref "${ref}": no commit by that name in this repository (fetch it first?)`,
    );
  }
  return commit;
}

/**
 * Reads the committed `release/<env>/` at `ref`: lists its blobs with `git ls-tree`, then reads with
 * one `git cat-file --batch` only the files `needText` asks for (the others are known by their id).
 */
export async function readBasePlan(
  root: string,
  env: string,
  ref: string,
  needText: (path: string, blob: string) => boolean = () => true,
): Promise<BasePlan> {
  const commit = await resolveCommit(root, ref);
  const git = gitAt(root);
  const prefix = (await git.raw(['rev-parse', '--show-prefix'])).trim();
  const dir = `${prefix}release/${env}/`;
  const listing = await git.raw([
    'ls-tree',
    '-r',
    '-z',
    '--full-name',
    commit,
    '--',
    `release/${env}/`,
  ]);
  const files = new Map<string, BaseFile>();
  for (const entry of listing.split('\0')) {
    if (entry === '') continue;
    const tab = entry.indexOf('\t');
    const [, type, blob] = entry.slice(0, tab).split(' ');
    const full = entry.slice(tab + 1);
    if (type !== 'blob' || !full.startsWith(dir)) continue;
    const path = full.slice(dir.length);
    files.set(path, { path, blob });
  }
  await readBaseTexts(
    root,
    [...files.values()].filter((f) => needText(f.path, f.blob)),
  );
  return { ref, commit, files };
}

/** Reads the texts of listed files (one `git cat-file --batch`). */
export async function readBaseTexts(root: string, wanted: BaseFile[]): Promise<void> {
  if (wanted.length === 0) return;
  const texts = await catFileBatch(
    root,
    wanted.map((f) => f.blob),
  );
  for (const f of wanted) f.text = texts.get(f.blob);
}

/** Reads blobs with one `git cat-file --batch` process. */
function catFileBatch(root: string, ids: string[]): Promise<Map<string, string>> {
  return new Promise((resolve, reject) => {
    const child = spawn('git', ['cat-file', '--batch'], {
      cwd: root,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const chunks: Buffer[] = [];
    const errors: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => chunks.push(c));
    child.stderr.on('data', (c: Buffer) => errors.push(c));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) {
        reject(
          new Error(`git cat-file --batch failed: ${Buffer.concat(errors).toString().trim()}`),
        );
        return;
      }
      const out = Buffer.concat(chunks);
      const texts = new Map<string, string>();
      let at = 0;
      while (at < out.length) {
        const nl = out.indexOf(0x0a, at);
        if (nl < 0) break;
        const header = out.toString('utf8', at, nl).split(' ');
        at = nl + 1;
        if (header[1] === 'missing' || header.length < 3) continue;
        const size = Number(header[2]);
        texts.set(header[0], out.toString('utf8', at, at + size));
        at += size + 1;
      }
      resolve(texts);
    });
    child.stdin.end([...new Set(ids)].join('\n') + '\n');
  });
}
