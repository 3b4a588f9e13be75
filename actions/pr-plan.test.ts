import { spawn } from 'node:child_process';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CLI, cli, edit, git, originAndClone, projectRepo } from '../test/git-helpers.js';
import { GitHubStandIn } from '../test/github-stand-in.js';
import { tempDir } from '../test/helpers.js';
import { BOT_EMAIL, BOT_NAME, runPrPlan, type ActionEnvironment } from './pr-plan.js';

const BRANCH = 'release/1.0';
const MARKER = '<!-- manifests-plan:prd -->';

interface Scenario {
  origin: string;
  work: string;
  gh: GitHubStandIn;
  action: ActionEnvironment;
}

/**
 * A bare repository as origin holding main (charts, values and their plan) and a release branch
 * where a developer changed a value without rendering; a clone of the branch as the workspace; an
 * open pull request from the branch to main with 150 earlier comments on the stand-in API.
 */
async function scenario(valueChange = true, more?: (src: string) => void): Promise<Scenario> {
  const src = projectRepo();
  git(src, 'checkout', '-q', '-b', BRANCH);
  if (more) {
    more(src);
    git(src, 'commit', '-q', '-am', 'More changes');
  }
  if (valueChange) {
    edit(
      src,
      'values/prd/app.yaml',
      '    - name: orders\n      replicas: 3',
      '    - name: orders\n      replicas: 4',
    );
    git(src, 'commit', '-q', '-am', 'Scale orders to 4');
  }
  const { origin, work } = originAndClone(src, BRANCH);
  const gh = await new GitHubStandIn('shop', 'manifests').start();
  gh.pulls.push({ number: 7, head: BRANCH, base: 'main', state: 'open' });
  gh.pulls.push({ number: 3, head: 'release/0.9', base: 'main', state: 'open' });
  for (let i = 0; i < 150; i++) gh.addComment(7, `Looks good (${i})`);
  const action: ActionEnvironment = {
    token: 'test-token',
    repository: 'shop/manifests',
    branch: BRANCH,
    apiUrl: gh.url,
    sha: git(work, 'rev-parse', 'HEAD'),
    baseBranch: 'main',
  };
  return { origin, work, gh, action };
}

/** Subjects and author names on the branch in origin, newest first. */
function history(origin: string, n = 4): string[] {
  return git(origin, 'log', '--format=%an: %s', `-${n}`, BRANCH).split('\n');
}

/** `manifests check` on a fresh clone of the branch tip: the committed plan matches the values. */
function planMatchesTip(origin: string): boolean {
  const dir = join(tempDir(), 'check');
  git(tempDir(), 'clone', '-q', '--branch', BRANCH, origin, dir);
  return cli(dir, ['check', '--env', 'prd']).status === 0;
}

/** Another developer's clone of the branch: change something and push. */
function pushFromElsewhere(origin: string, change: (dir: string) => void, message: string): string {
  const dir = join(tempDir(), 'other');
  git(tempDir(), 'clone', '-q', '--branch', BRANCH, origin, dir);
  change(dir);
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', message);
  git(dir, 'push', '-q', 'origin', `HEAD:${BRANCH}`);
  return git(dir, 'rev-parse', 'HEAD');
}

let gh: GitHubStandIn | undefined;
afterEach(async () => {
  await gh?.stop();
  gh = undefined;
});

describe('pr-plan against a local bare repository and the stand-in GitHub API', () => {
  let s: Scenario;
  beforeEach(async () => {
    s = await scenario();
    gh = s.gh;
  });

  it('commits the changed plan once, then a re-run changes nothing and updates the same comment', async () => {
    const before = git(s.origin, 'rev-parse', BRANCH);
    const first = await runPrPlan({ root: s.work, env: 'prd', action: s.action });
    expect(first.pushed).toBe(true);
    expect(git(s.origin, 'rev-parse', `${BRANCH}~1`)).toBe(before);
    expect(history(s.origin, 2)).toEqual([
      `${BOT_NAME}: Plan release/prd/: 0 to add, 1 to change, 0 to replace, 0 to destroy`,
      'Dev: Scale orders to 4',
    ]);
    expect(git(s.origin, 'log', '-1', '--format=%ae', BRANCH)).toBe(BOT_EMAIL);
    expect(planMatchesTip(s.origin)).toBe(true);

    // The comment: found no marker on either page of 150 comments, so created one.
    const listed = s.gh.requests.filter(
      (r) => r.path === '/repos/shop/manifests/issues/7/comments' && r.method === 'GET',
    );
    expect(listed.map((r) => r.query.page ?? '1')).toEqual(['1', '2']);
    expect(s.gh.writes().map((r) => `${r.method} ${r.path}`)).toEqual([
      'POST /repos/shop/manifests/issues/7/comments',
    ]);
    const pulls = s.gh.requests.find((r) => r.path === '/repos/shop/manifests/pulls')!;
    expect(pulls.query).toMatchObject({ head: `shop:${BRANCH}`, state: 'open', base: 'main' });
    expect(s.gh.requests.every((r) => r.authorization === 'token test-token')).toBe(true);
    const ours = s.gh.comments.get(7)!.filter((c) => c.body.includes(MARKER));
    expect(ours).toHaveLength(1);
    expect(
      ours[0].body.startsWith(
        `${MARKER}\n### Plan for \`prd\`: 0 to add, 1 to change, 0 to replace, 0 to destroy`,
      ),
    ).toBe(true);
    expect(ours[0].body).toContain('Compared with the committed plan at `main');
    expect(first.comment).toEqual({ id: ours[0].id, created: true, pullRequest: 7 });

    // Again, with nothing new: no commit, the comment (now on page 2) updated in place.
    const tip = git(s.origin, 'rev-parse', BRANCH);
    s.gh.requests.length = 0;
    const again = await runPrPlan({ root: s.work, env: 'prd', action: s.action });
    expect(again.pushed).toBe(false);
    expect(again.attempts).toBe(0);
    expect(git(s.origin, 'rev-parse', BRANCH)).toBe(tip);
    expect(s.gh.writes().map((r) => `${r.method} ${r.path}`)).toEqual([
      `PATCH /repos/shop/manifests/issues/comments/${ours[0].id}`,
    ]);
    const relisted = s.gh.requests.filter(
      (r) => r.path === '/repos/shop/manifests/issues/7/comments' && r.method === 'GET',
    );
    expect(relisted.map((r) => r.query.page ?? '1')).toEqual(['1', '2']);
    expect(s.gh.comments.get(7)!.filter((c) => c.body.includes(MARKER))).toHaveLength(1);
    expect(again.comment).toEqual({ id: ours[0].id, created: false, pullRequest: 7 });
  });

  it('rebases when the branch moved between render and push: both commits survive, the plan matches the tip', async () => {
    let other = '';
    const result = await runPrPlan({
      root: s.work,
      env: 'prd',
      action: s.action,
      beforePush: (attempt) => {
        if (attempt === 1) {
          other = pushFromElsewhere(
            s.origin,
            (dir) =>
              edit(
                dir,
                'values/prd/app.yaml',
                '    - name: payments\n      replicas: 3',
                '    - name: payments\n      replicas: 5',
              ),
            'Scale payments to 5',
          );
        }
      },
    });
    expect(result.attempts).toBe(2);
    expect(result.pushed).toBe(true);
    expect(history(s.origin, 3)).toEqual([
      `${BOT_NAME}: Plan release/prd/: 0 to add, 2 to change, 0 to replace, 0 to destroy`,
      'Dev: Scale payments to 5',
      'Dev: Scale orders to 4',
    ]);
    expect(git(s.origin, 'rev-parse', `${BRANCH}~1`)).toBe(other);
    expect(planMatchesTip(s.origin)).toBe(true);
  });

  it('renders again on the new tip when the plan conflicts with what was pushed meanwhile', async () => {
    const result = await runPrPlan({
      root: s.work,
      env: 'prd',
      action: s.action,
      beforePush: (attempt) => {
        if (attempt !== 1) return;
        // Someone renders a different plan for orders (conflicting with ours), then changes another value.
        pushFromElsewhere(
          s.origin,
          (dir) => {
            edit(
              dir,
              'values/prd/app.yaml',
              '    - name: orders\n      replicas: 4',
              '    - name: orders\n      replicas: 6',
            );
            expect(cli(dir, ['render', '--env', 'prd', '--no-validate']).status).toBe(0);
          },
          'Scale orders to 6 and render',
        );
        pushFromElsewhere(
          s.origin,
          (dir) =>
            edit(
              dir,
              'values/prd/app.yaml',
              '    - name: payments\n      replicas: 3',
              '    - name: payments\n      replicas: 2',
            ),
          'Scale payments to 2',
        );
      },
    });
    expect(result.attempts).toBe(2);
    expect(history(s.origin, 4)).toEqual([
      `${BOT_NAME}: Plan release/prd/: 0 to add, 1 to change, 0 to replace, 0 to destroy`,
      'Dev: Scale payments to 2',
      'Dev: Scale orders to 6 and render',
      'Dev: Scale orders to 4',
    ]);
    expect(planMatchesTip(s.origin)).toBe(true);
  });

  it('refuses a workspace with uncommitted changes outside the plan, touching nothing', async () => {
    writeFileSync(join(s.work, 'notes.txt'), 'mine\n');
    const before = git(s.origin, 'rev-parse', BRANCH);
    await expect(runPrPlan({ root: s.work, env: 'prd', action: s.action })).rejects.toThrow(
      /uncommitted changes outside release\/prd\/ \(notes\.txt\)/,
    );
    expect(git(s.origin, 'rev-parse', BRANCH)).toBe(before);
    expect(readFileSync(join(s.work, 'notes.txt'), 'utf8')).toBe('mine\n');
    expect(s.gh.requests).toEqual([]);
  });
});

describe('manifests pr-plan (the CLI entry, real @actions/core)', () => {
  it('commits nothing when the plan did not change, and still comments', async () => {
    const s = await scenario(false);
    gh = s.gh;
    const before = git(s.origin, 'rev-parse', BRANCH);
    const r = await runCli(s, {});
    expect(r.status).toBe(0);
    expect(git(s.origin, 'rev-parse', BRANCH)).toBe(before);
    expect(r.outputs).toMatchObject({
      add: '0',
      change: '0',
      replace: '0',
      destroy: '0',
      risks: '0',
      errors: '0',
      pushed: 'false',
    });
    expect(s.gh.writes().map((w) => w.method)).toEqual(['POST']);
    expect(
      r.summary.startsWith(
        `${MARKER}\n### Plan for \`prd\`: 0 to add, 0 to change, 0 to replace, 0 to destroy`,
      ),
    ).toBe(true);
  });

  it('fails the job when validation finds an error, after committing and commenting', async () => {
    const s = await scenario(false, (src) =>
      edit(src, 'values/shared/app.yaml', "tag: '1.9.0'", "tag: 'latest'"),
    );
    gh = s.gh;
    const r = await runCli(s, {});
    expect(r.status).toBe(1);
    expect(r.log).toMatch(
      /^::error title=image-tag%3A Deployment\/apps\/orders .*,file=release\/prd\/app\/apps\/deployment-orders\.yaml,line=\d+::container orders: image .*:latest uses the tag latest/m,
    );
    expect(r.log).toMatch(/^::error::validation of release\/prd\/ found \d+ error\(s\)$/m);
    expect(r.outputs.errors).not.toBe('0');
    expect(history(s.origin, 1)[0]).toMatch(
      /^github-actions\[bot\]: Plan release\/prd\/: 0 to add, 1 to change/,
    );
    expect(s.gh.writes().map((w) => w.method)).toEqual(['POST']);
    expect(s.gh.comments.get(7)!.at(-1)!.body).toContain('#### Validation of the new plan: ');
  });

  it('survives a push that loses the race inside git (a pre-push hook pushes first)', async () => {
    const s = await scenario();
    gh = s.gh;
    // The hook runs after git push read origin's refs and before it updates them: another
    // developer's push lands in between, so origin rejects ours (the ref moved under it).
    const other = join(tempDir(), 'other');
    git(tempDir(), 'clone', '-q', '--branch', BRANCH, s.origin, other);
    edit(
      other,
      'values/prd/app.yaml',
      '    - name: payments\n      replicas: 3',
      '    - name: payments\n      replicas: 5',
    );
    git(other, 'commit', '-q', '-am', 'Scale payments to 5');
    const once = join(tempDir(), 'hook-ran');
    const hook = join(s.work, '.git/hooks/pre-push');
    writeFileSync(
      hook,
      [
        '#!/bin/sh',
        'unset $(git rev-parse --local-env-vars)',
        `if [ ! -e '${once}' ]; then touch '${once}'; git -C '${other}' push -q origin HEAD:${BRANCH}; fi`,
        'exit 0',
        '',
      ].join('\n'),
    );
    chmodSync(hook, 0o755);
    const r = await runCli(s, {});
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(existsSync(once)).toBe(true);
    expect(history(s.origin, 3)).toEqual([
      `${BOT_NAME}: Plan release/prd/: 0 to add, 2 to change, 0 to replace, 0 to destroy`,
      'Dev: Scale payments to 5',
      'Dev: Scale orders to 4',
    ]);
    expect(planMatchesTip(s.origin)).toBe(true);
    expect(r.outputs).toMatchObject({ change: '2', pushed: 'true', errors: '0' });
    expect(r.log).toMatch(/push rejected \(release\/1\.0 moved\); fetching and rebasing/);
  });
});

/** Runs `manifests pr-plan` as the workflow does (asynchronously: the stand-in lives in this process). */
async function runCli(s: Scenario, extra: NodeJS.ProcessEnv) {
  const dir = tempDir();
  const outputFile = join(dir, 'output');
  const summaryFile = join(dir, 'summary');
  writeFileSync(outputFile, '');
  writeFileSync(summaryFile, '');
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: s.work,
    GIT_CONFIG_NOSYSTEM: '1',
    GITHUB_TOKEN: 'test-token',
    GITHUB_REPOSITORY: 'shop/manifests',
    GITHUB_REF_NAME: BRANCH,
    GITHUB_API_URL: s.gh.url,
    GITHUB_SHA: s.action.sha,
    GITHUB_OUTPUT: outputFile,
    GITHUB_STEP_SUMMARY: summaryFile,
    ...extra,
  };
  const child = spawn(process.execPath, [CLI, 'pr-plan'], { cwd: s.work, env });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c) => (stdout += c));
  child.stderr.on('data', (c) => (stderr += c));
  const status = await new Promise<number | null>((resolve) => child.on('close', resolve));
  // @actions/core writes outputs as `name<<delimiter`, the value, then the delimiter.
  const outputs: Record<string, string> = {};
  const lines = readFileSync(outputFile, 'utf8').split('\n');
  for (let i = 0; i < lines.length; i++) {
    const m = /^([a-z]+)<<(.+)$/.exec(lines[i]);
    if (m) outputs[m[1]] = lines[++i];
  }
  return { status, log: stdout, stderr, outputs, summary: readFileSync(summaryFile, 'utf8') };
}
