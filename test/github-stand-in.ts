import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A stand-in for the GitHub REST API, because GitHub cannot run here: a loopback HTTP server that
 * speaks the few endpoints pr-plan uses (list pull requests, list issue comments with Link header
 * pagination, create and update a comment), with GitHub's paths, query parameters and JSON shapes,
 * so the real Octokit client from @actions/github talks to it unchanged. It records every request.
 */
export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  authorization?: string;
  body?: any;
}

export interface PullRequest {
  number: number;
  head: string;
  base: string;
  state: 'open' | 'closed';
}

export interface Comment {
  id: number;
  body: string;
  user: { login: string };
}

export class GitHubStandIn {
  readonly requests: RecordedRequest[] = [];
  readonly pulls: PullRequest[] = [];
  readonly comments = new Map<number, Comment[]>();
  private server?: Server;
  private nextId = 1000;
  url = '';

  constructor(
    readonly owner: string,
    readonly repo: string,
  ) {}

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      this.handle(req)
        .then(({ status, body, headers }) => {
          res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
          res.end(JSON.stringify(body));
        })
        .catch((err) => {
          res.writeHead(500, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ message: String(err) }));
        });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }

  /** Comments of an issue, seeded (e.g. other people's comments before ours). */
  addComment(issue: number, body: string, login = 'someone'): Comment {
    const c = { id: this.nextId++, body, user: { login } };
    const list = this.comments.get(issue) ?? [];
    list.push(c);
    this.comments.set(issue, list);
    return c;
  }

  private async readBody(req: IncomingMessage): Promise<any> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    return text ? JSON.parse(text) : undefined;
  }

  private async handle(
    req: IncomingMessage,
  ): Promise<{ status: number; body: unknown; headers?: Record<string, string> }> {
    const url = new URL(req.url ?? '/', this.url);
    const query = Object.fromEntries(url.searchParams);
    const body = await this.readBody(req);
    this.requests.push({
      method: req.method ?? '',
      path: url.pathname,
      query,
      authorization: req.headers.authorization,
      body,
    });
    const prefix = `/repos/${this.owner}/${this.repo}`;
    if (!url.pathname.startsWith(prefix + '/'))
      return { status: 404, body: { message: 'Not Found' } };
    const rest = url.pathname.slice(prefix.length);
    let m: RegExpExecArray | null;
    if (req.method === 'GET' && rest === '/pulls') {
      const found = this.pulls.filter(
        (p) =>
          (!query.head || `${this.owner}:${p.head}` === query.head) &&
          (!query.base || p.base === query.base) &&
          (query.state === 'all' || p.state === (query.state ?? 'open')),
      );
      return {
        status: 200,
        body: found.map((p) => ({
          number: p.number,
          state: p.state,
          html_url: `https://github.example/${this.owner}/${this.repo}/pull/${p.number}`,
          head: { ref: p.head, label: `${this.owner}:${p.head}` },
          base: { ref: p.base },
        })),
      };
    }
    if ((m = /^\/issues\/(\d+)\/comments$/.exec(rest))) {
      const issue = Number(m[1]);
      if (req.method === 'GET') {
        const all = this.comments.get(issue) ?? [];
        const perPage = Number(query.per_page ?? 30);
        const page = Number(query.page ?? 1);
        const last = Math.max(1, Math.ceil(all.length / perPage));
        const link = (p: number) =>
          `<${this.url}${prefix}/issues/${issue}/comments?per_page=${perPage}&page=${p}>`;
        const links: string[] = [];
        if (page < last) links.push(`${link(page + 1)}; rel="next"`, `${link(last)}; rel="last"`);
        if (page > 1) links.push(`${link(1)}; rel="first"`, `${link(page - 1)}; rel="prev"`);
        return {
          status: 200,
          body: all.slice((page - 1) * perPage, page * perPage),
          headers: links.length ? { link: links.join(', ') } : {},
        };
      }
      if (req.method === 'POST') {
        return {
          status: 201,
          body: this.addComment(issue, String(body?.body ?? ''), 'github-actions[bot]'),
        };
      }
    }
    if (req.method === 'PATCH' && (m = /^\/issues\/comments\/(\d+)$/.exec(rest))) {
      const id = Number(m[1]);
      for (const list of this.comments.values()) {
        const c = list.find((x) => x.id === id);
        if (c) {
          c.body = String(body?.body ?? '');
          return { status: 200, body: c };
        }
      }
      return { status: 404, body: { message: 'Not Found' } };
    }
    return { status: 404, body: { message: 'Not Found' } };
  }

  /** Requests other than reads. */
  writes(): RecordedRequest[] {
    return this.requests.filter((r) => r.method !== 'GET');
  }
}
