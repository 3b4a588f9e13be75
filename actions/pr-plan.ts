import * as core from '@actions/core';
import { simpleGit, type SimpleGit } from 'simple-git';
import { InputError, isInputError } from '../core/errors.js';
import { renderAndWrite } from '../generator/pipeline.js';
import { riskCount } from '../plan/diff.js';
import { formatPlanMarkdown, planMarker } from '../plan/format/markdown.js';
import { summaryLine } from '../plan/format/common.js';
import { diffAgainstBase, preparePlan, type RenderedPlan } from '../plan/plan.js';
import type { PlanDiff } from '../plan/types.js';
import type { Finding } from '../validators/types.js';
import {
  findOpenPullRequest,
  githubClient,
  parseRepository,
  upsertMarkedComment,
} from './github.js';

/** The bot identity plan commits are made with (the account GITHUB_TOKEN acts as). */
export const BOT_NAME = 'github-actions[bot]';
export const BOT_EMAIL = '41898282+github-actions[bot]@users.noreply.github.com';

const SUBJECT_PREFIX = 'Plan release/';

/** The Actions environment pr-plan reads. */
export interface ActionEnvironment {
  token?: string;
  repository: string;
  branch: string;
  apiUrl: string;
  sha?: string;
  /** Branch pull requests go to (default main). */
  baseBranch: string;
}

export function readActionEnvironment(env: NodeJS.ProcessEnv): ActionEnvironment {
  const missing = ['GITHUB_REPOSITORY', 'GITHUB_REF_NAME'].filter((k) => !env[k]);
  if (missing.length > 0) {
    throw new InputError(
      `pr-plan runs in GitHub Actions and needs ${missing.join(' and ')} (set by the runner on a push)`,
    );
  }
  if (!parseRepository(env.GITHUB_REPOSITORY!)) {
    throw new InputError(`GITHUB_REPOSITORY is not owner/name: "${env.GITHUB_REPOSITORY}"`);
  }
  return {
    token: env.GITHUB_TOKEN || undefined,
    repository: env.GITHUB_REPOSITORY!,
    branch: env.GITHUB_REF_NAME!,
    apiUrl: env.GITHUB_API_URL || 'https://api.github.com',
    sha: env.GITHUB_SHA || undefined,
    baseBranch: env.PLAN_BASE_BRANCH || 'main',
  };
}

export interface PrPlanOptions {
  /** The workspace (a clone of the repository, on the pushed branch). */
  root: string;
  env: string;
  action: ActionEnvironment;
  /** Environment for values (secrets are never read into the plan). */
  environ?: NodeJS.ProcessEnv;
  /** How many times to push before giving up. */
  maxAttempts?: number;
  /** Called after the commit and before each push (tests use it to move the branch meanwhile). */
  beforePush?: (attempt: number) => Promise<void> | void;
  log?: (line: string) => void;
}

export interface PrPlanResult {
  /** Whether a plan commit was pushed. */
  pushed: boolean;
  /** The branch tip after the run. */
  head: string;
  /** Push attempts made. */
  attempts: number;
  /** The plan against the base branch (what the comment shows). */
  diff: PlanDiff;
  markdown: string;
  findings: Finding[];
  comment?: { id: number; created: boolean; pullRequest: number };
}

const REJECTED =
  /\[rejected\]|\[remote rejected\]|non-fast-forward|fetch first|failed to update ref|cannot lock ref|stale info/i;

function gitAt(root: string): SimpleGit {
  return simpleGit({ baseDir: root });
}

/** Files with uncommitted changes outside release/<env>/: pr-plan refuses to touch such a tree. */
async function dirtyOutsideRelease(git: SimpleGit, env: string): Promise<string[]> {
  const prefix = (await git.raw(['rev-parse', '--show-prefix'])).trim();
  const own = `${prefix}release/${env}/`;
  const status = await git.raw(['status', '--porcelain=v1', '-z', '--untracked-files=all']);
  const out: string[] = [];
  const entries = status.split('\0');
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i];
    if (e.length < 4) continue;
    const path = e.slice(3);
    if (e[0] === 'R' || e[0] === 'C') i++; // the source path follows
    if (!path.startsWith(own)) out.push(path);
  }
  return out;
}

async function releaseChanged(git: SimpleGit, env: string): Promise<boolean> {
  const status = await git.raw([
    'status',
    '--porcelain=v1',
    '--untracked-files=all',
    '--',
    `release/${env}/`,
  ]);
  return status.trim() !== '';
}

async function commitsAhead(
  git: SimpleGit,
  remoteRef: string,
): Promise<{ sha: string; subject: string; email: string }[]> {
  const log = await git.raw(['log', '--format=%H%x00%s%x00%ae', `${remoteRef}..HEAD`]);
  return log
    .split('\n')
    .filter(Boolean)
    .map((l) => {
      const [sha, subject, email] = l.split('\0');
      return { sha, subject, email };
    });
}

function commitMessage(env: string, diff: PlanDiff, sha: string | undefined): string[] {
  const risks = riskCount(diff);
  return [
    `${SUBJECT_PREFIX}${env}/: ${summaryLine(diff.summary)}`,
    [
      `Rendered by manifests pr-plan${sha ? ` from ${sha.slice(0, 12)}` : ''}.`,
      risks > 0
        ? `${risks} risk(s): ${[...new Set(diff.resources.flatMap((r) => r.risks.map((k) => k.code)))].join(', ')}.`
        : 'No risks.',
    ].join(' '),
  ];
}

/**
 * The release-branch Action: renders the plan into release/<env>/, commits it to the branch when it
 * changed and pushes (on a rejected push: fetch, rebase, re-render, push again; never a force push,
 * never dropping someone else's commit), then keeps one pull request comment with the plan against
 * the base branch current.
 */
export async function runPrPlan(options: PrPlanOptions): Promise<PrPlanResult> {
  const { root, env, action } = options;
  const log = options.log ?? (() => {});
  const git = gitAt(root);
  const maxAttempts = options.maxAttempts ?? 5;
  const remoteBranch = `refs/remotes/origin/${action.branch}`;

  let current = (await git.raw(['rev-parse', '--abbrev-ref', 'HEAD'])).trim();
  if (current === 'HEAD') {
    await git.raw(['checkout', '-B', action.branch]);
    current = action.branch;
  }
  if (current !== action.branch) {
    throw new InputError(
      `the workspace is on branch ${current}, not ${action.branch} (GITHUB_REF_NAME)`,
    );
  }
  const dirty = await dirtyOutsideRelease(git, env);
  if (dirty.length > 0) {
    throw new InputError(
      `the workspace has uncommitted changes outside release/${env}/ (${dirty.slice(0, 5).join(', ')}${dirty.length > 5 ? ', ...' : ''}); pr-plan commits only the plan`,
    );
  }
  await git.raw(['fetch', '--no-tags', 'origin', `+refs/heads/${action.branch}:${remoteBranch}`]);
  let baseRef: string | undefined = `refs/remotes/origin/${action.baseBranch}`;
  try {
    await git.raw(['fetch', '--no-tags', 'origin', `+refs/heads/${action.baseBranch}:${baseRef}`]);
  } catch {
    log(
      `no branch ${action.baseBranch} on origin: the comment compares with the branch as it was before this run`,
    );
    baseRef = undefined;
  }
  // Commits the workspace has that origin does not must all be plan commits of ours, or a reset
  // after a conflict could drop someone's work.
  const foreign = (await commitsAhead(git, remoteBranch)).filter(
    (c) => !(c.email === BOT_EMAIL && c.subject.startsWith(SUBJECT_PREFIX)),
  );
  if (foreign.length > 0) {
    throw new InputError(
      `the workspace has ${foreign.length} commit(s) that ${action.branch} on origin does not (${foreign[0].sha.slice(0, 7)} ${foreign[0].subject}); push them first`,
    );
  }
  const headBefore = (await git.revparse(['HEAD'])).trim();

  let rendered: RenderedPlan | undefined;
  let pushed = false;
  let attempts = 0;
  for (;;) {
    const written = await renderAndWrite(root, env, { environ: options.environ ?? {} });
    rendered = preparePlan(written);
    const ahead = await commitsAhead(git, remoteBranch);
    if (await releaseChanged(git, env)) {
      // The message tells what the commit changes on the branch as origin has it.
      const headDiff = await diffAgainstBase(rendered, remoteBranch);
      const [subject, body] = commitMessage(env, headDiff, action.sha);
      await git.raw(['add', '-A', '--', `release/${env}/`]);
      await git.raw([
        '-c',
        `user.name=${BOT_NAME}`,
        '-c',
        `user.email=${BOT_EMAIL}`,
        'commit',
        ...(ahead.length > 0 ? ['--amend'] : []),
        '--no-verify',
        '-m',
        subject,
        '-m',
        body,
      ]);
      log(`committed: ${subject}`);
    } else if (ahead.length === 0) {
      log(`release/${env}/ matches the branch: nothing to commit`);
      break;
    }
    if (attempts >= maxAttempts) {
      throw new Error(
        `could not push the plan to ${action.branch} after ${attempts} attempts: the branch keeps moving`,
      );
    }
    attempts++;
    await options.beforePush?.(attempts);
    try {
      await git.raw(['push', 'origin', `HEAD:refs/heads/${action.branch}`]);
      pushed = true;
      log(`pushed to ${action.branch}`);
      break;
    } catch (err) {
      const message = (err as Error).message ?? String(err);
      if (!REJECTED.test(message)) throw err;
      log(`push rejected (${action.branch} moved); fetching and rebasing`);
    }
    await git.raw(['fetch', '--no-tags', 'origin', `+refs/heads/${action.branch}:${remoteBranch}`]);
    try {
      await git.raw([
        '-c',
        `user.name=${BOT_NAME}`,
        '-c',
        `user.email=${BOT_EMAIL}`,
        'rebase',
        remoteBranch,
      ]);
    } catch {
      // The plan conflicts with what was pushed meanwhile: drop our plan commit (the only commit
      // ahead, checked above) and render again on the new tip.
      await git.raw(['rebase', '--abort']).catch(() => undefined);
      await git.raw(['reset', '--hard', remoteBranch]);
      log(`the plan conflicted with ${action.branch}: rendering again on its new tip`);
    }
  }

  const diff = await diffAgainstBase(rendered!, baseRef ?? headBefore);
  const head = (await git.revparse(['HEAD'])).trim();
  const footer = `<sub>Plan of \`${action.branch}\` at ${head.slice(0, 7)}${pushed ? ', plan commit pushed' : head === headBefore ? ', no new plan commit' : ''}; rendered by \`manifests pr-plan\`.</sub>`;
  const markdown = formatPlanMarkdown(
    { ...diff, base: { ...diff.base, ref: baseRef ? action.baseBranch : action.branch } },
    { footer },
  );
  const result: PrPlanResult = {
    pushed,
    head,
    attempts,
    diff,
    markdown,
    findings: rendered!.validation.findings,
  };
  if (!action.token) {
    log('no GITHUB_TOKEN: the pull request comment is not updated');
    return result;
  }
  const repo = parseRepository(action.repository)!;
  const octokit = githubClient(action.token, action.apiUrl);
  const pr = await findOpenPullRequest(octokit, repo, action.branch, action.baseBranch);
  if (!pr) {
    log(`no open pull request from ${action.branch} to ${action.baseBranch}: no comment`);
    return result;
  }
  const c = await upsertMarkedComment(octokit, repo, pr.number, planMarker(env), markdown);
  log(`${c.created ? 'created' : 'updated'} the plan comment on pull request #${pr.number}`);
  result.comment = { ...c, pullRequest: pr.number };
  return result;
}

const MAX_ANNOTATIONS = 50;

/** The Action entry: runs pr-plan with the Actions environment and reports through @actions/core. */
export async function prPlanMain(
  processEnv: NodeJS.ProcessEnv,
  root: string,
  env: string,
): Promise<number> {
  try {
    const action = readActionEnvironment(processEnv);
    const result = await runPrPlan({
      root,
      env,
      action,
      environ: processEnv,
      log: (l) => core.info(l),
    });
    if (processEnv.GITHUB_STEP_SUMMARY) await core.summary.addRaw(result.markdown).write();
    const s = result.diff.summary;
    const errors = result.findings.filter((f) => f.severity === 'error').length;
    core.setOutput('add', s.add);
    core.setOutput('change', s.change);
    core.setOutput('replace', s.replace);
    core.setOutput('destroy', s.destroy);
    core.setOutput('risks', riskCount(result.diff));
    core.setOutput('errors', errors);
    core.setOutput('pushed', result.pushed);
    for (const f of result.findings.slice(0, MAX_ANNOTATIONS)) {
      const props = {
        title: `${f.ruleId}: ${f.resource}${f.path ? ` ${f.path}` : ''}`,
        file: f.location?.file,
        startLine: f.location?.line,
      };
      if (f.severity === 'error') core.error(f.message, props);
      else if (f.severity === 'warning') core.warning(f.message, props);
      else core.notice(f.message, props);
    }
    if (errors > 0) {
      core.setFailed(`validation of release/${env}/ found ${errors} error(s)`);
      return 1;
    }
    return 0;
  } catch (err) {
    if (isInputError(err)) {
      process.stderr.write(`error: ${err.format()}\n`);
      return 2;
    }
    core.setFailed((err as Error)?.message ?? String(err));
    return 1;
  }
}
