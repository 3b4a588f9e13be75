import { getOctokit } from '@actions/github';

type Octokit = ReturnType<typeof getOctokit>;

export interface Repository {
  owner: string;
  repo: string;
}

export function parseRepository(slug: string): Repository | undefined {
  const m = /^([A-Za-z0-9_.-]+)\/([A-Za-z0-9_.-]+)$/.exec(slug);
  return m ? { owner: m[1], repo: m[2] } : undefined;
}

/** An Octokit client from @actions/github for the API at `baseUrl` (GITHUB_API_URL). */
export function githubClient(token: string, baseUrl: string): Octokit {
  return getOctokit(token, { baseUrl });
}

/** The open pull request from `branch` (in the same repository) to `base`, if any. */
export async function findOpenPullRequest(
  octokit: Octokit,
  repo: Repository,
  branch: string,
  base: string,
): Promise<{ number: number; url?: string } | undefined> {
  const res = await octokit.rest.pulls.list({
    ...repo,
    head: `${repo.owner}:${branch}`,
    base,
    state: 'open',
    per_page: 10,
  });
  const pr = res.data[0];
  return pr ? { number: pr.number, url: pr.html_url } : undefined;
}

/**
 * Creates the comment holding `marker`, or updates the first one that already does (looked for
 * page by page among the pull request's comments), so there is never more than one.
 */
export async function upsertMarkedComment(
  octokit: Octokit,
  repo: Repository,
  issueNumber: number,
  marker: string,
  body: string,
): Promise<{ id: number; created: boolean }> {
  const pages = octokit.paginate.iterator(octokit.rest.issues.listComments, {
    ...repo,
    issue_number: issueNumber,
    per_page: 100,
  });
  for await (const page of pages) {
    const found = page.data.find((c) => typeof c.body === 'string' && c.body.includes(marker));
    if (found) {
      await octokit.rest.issues.updateComment({ ...repo, comment_id: found.id, body });
      return { id: found.id, created: false };
    }
  }
  const res = await octokit.rest.issues.createComment({ ...repo, issue_number: issueNumber, body });
  return { id: res.data.id, created: true };
}
