import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ECRClient } from '@aws-sdk/client-ecr';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../test/helpers.js';
import {
  startLoopbackServer,
  startRegistry,
  type LocalRegistry,
  type LoopbackServer,
} from '../test/support/registry.js';
import { publishCharts } from './publish.js';

/**
 * ECR cannot run here, so a small loopback server stands in for its API: it answers the AWS JSON
 * 1.1 protocol (POST /, `X-Amz-Target: AmazonEC2ContainerRegistry_V20150921.<Operation>`, errors
 * as `{"__type": ..., "message": ...}` with status 400) to the real ECRClient of
 * @aws-sdk/client-ecr, pointed at it with `endpoint` and static credentials. The registry behind
 * the ECR host name is the real docker-registry on loopback, with htpasswd user AWS and the
 * password the token carries; the publisher's fetch is pointed from the ECR host to it (no DNS or
 * TLS for an AWS host here).
 */

const ECR_HOST = '123456789012.dkr.ecr.ap-northeast-1.amazonaws.com';
const ECR_PASSWORD = 'ecr-token-password-5c2e';
/** Every chart of the repository (each is published). */
const CHARTS = readdirSync(join(REPO_ROOT, 'charts'))
  .filter((c) => !c.startsWith('_'))
  .sort();
const SECRETS = {
  APP_DB_PASSWORD: 'v1',
  SCALARDL_DB_PASSWORD: 'v2',
  SCALARDL_AUDITOR_DB_PASSWORD: 'v3',
  ARGOCD_ECR_PASSWORD: 'v4',
  SCALARDL_LEDGER_LICENSE_KEY: 'v5',
  SCALARDL_AUDITOR_LICENSE_KEY: 'v6',
};

interface AwsCall {
  target: string;
  body: Record<string, unknown>;
  authorization: string;
  contentType: string;
}

let registry: LocalRegistry;
let aws: LoopbackServer;
const calls: AwsCall[] = [];
const existing = new Set(['charts/app']);
let denyToken = false;

beforeAll(async () => {
  registry = await startRegistry({
    auth: { username: 'AWS', password: ECR_PASSWORD },
    relativeUrls: true,
  });
  aws = await startLoopbackServer((req, res, raw) => {
    const target = String(req.headers['x-amz-target'] ?? '');
    const body = JSON.parse(raw.toString() || '{}') as Record<string, unknown>;
    calls.push({
      target,
      body,
      authorization: String(req.headers.authorization ?? ''),
      contentType: String(req.headers['content-type'] ?? ''),
    });
    const reply = (status: number, payload: unknown) => {
      res.writeHead(status, {
        'content-type': 'application/x-amz-json-1.1',
        'x-amzn-requestid': 'r1',
      });
      res.end(JSON.stringify(payload));
    };
    const op = target.replace('AmazonEC2ContainerRegistry_V20150921.', '');
    const name = (body.repositoryNames as string[] | undefined)?.[0] ?? body.repositoryName;
    if (op === 'GetAuthorizationToken') {
      if (denyToken) {
        return (
          reply(400, {
            __type: 'AccessDeniedException',
            message: 'not authorized to perform: ecr:GetAuthorizationToken',
          }),
          true
        );
      }
      return (
        reply(200, {
          authorizationData: [
            {
              authorizationToken: Buffer.from(`AWS:${ECR_PASSWORD}`).toString('base64'),
              expiresAt: 1_900_000_000,
              proxyEndpoint: `https://${ECR_HOST}`,
            },
          ],
        }),
        true
      );
    }
    if (op === 'DescribeRepositories') {
      if (existing.has(String(name))) {
        return (
          reply(200, { repositories: [{ repositoryName: name, registryId: body.registryId }] }),
          true
        );
      }
      return (
        reply(400, {
          __type: 'RepositoryNotFoundException',
          message: `The repository with name '${name}' does not exist in the registry with id '123456789012'`,
        }),
        true
      );
    }
    if (op === 'CreateRepository') {
      existing.add(String(name));
      return (
        reply(200, { repository: { repositoryName: name, registryId: body.registryId } }),
        true
      );
    }
    return (reply(400, { __type: 'UnknownOperationException', message: op }), true);
  });
});
afterAll(async () => {
  await aws?.close();
  await registry?.stop();
});

function ecrClient(region: string): ECRClient {
  return new ECRClient({
    region,
    endpoint: `http://${aws.host}`,
    credentials: { accessKeyId: 'AKIDLOOPBACKTEST', secretAccessKey: 'loopback-secret-key' },
    maxAttempts: 1,
  });
}

/** The publisher's fetch, with the ECR host reached at the loopback registry. */
const toLoopback: typeof fetch = (input, init) =>
  fetch(String(input).replace(`https://${ECR_HOST}`, `http://${registry.host}`), init);

describe('publish to ECR', () => {
  it('creates missing repositories (immutable tags, scan on push), logs in with the ECR token and pushes', async () => {
    calls.length = 0;
    const masked: string[] = [];
    const log: string[] = [];
    const report = await publishCharts({
      root: REPO_ROOT,
      env: 'prd',
      registry: `oci://${ECR_HOST}/charts`,
      createRepository: true,
      environ: SECRETS,
      ecrClient,
      fetch: toLoopback,
      onSecret: (v) => masked.push(v),
      log: (l) => log.push(l),
    });
    expect(report.charts.map((c) => [c.name, c.status])).toEqual(CHARTS.map((c) => [c, 'pushed']));
    expect(report.createdRepositories).toEqual(
      CHARTS.filter((c) => c !== 'app').map((c) => `charts/${c}`),
    );
    expect(log).toContain(
      'created ECR repository charts/istio (tag immutability on, scan on push)',
    );
    for (const c of CHARTS) expect(await registry.tags(`charts/${c}`)).toEqual(['1.0.0']);

    const ops = calls.map((c) => c.target.replace('AmazonEC2ContainerRegistry_V20150921.', ''));
    expect(ops).toEqual([
      'DescribeRepositories',
      ...CHARTS.slice(1).flatMap(() => ['DescribeRepositories', 'CreateRepository']),
      'GetAuthorizationToken',
    ]);
    expect(
      calls.filter((c) => c.target.endsWith('.DescribeRepositories')).map((c) => c.body),
    ).toEqual(
      CHARTS.map((c) => ({ registryId: '123456789012', repositoryNames: [`charts/${c}`] })),
    );
    expect(calls.find((c) => c.target.endsWith('.CreateRepository'))!.body).toEqual({
      registryId: '123456789012',
      repositoryName: 'charts/argocd',
      imageTagMutability: 'IMMUTABLE',
      imageScanningConfiguration: { scanOnPush: true },
    });
    expect(calls.at(-1)!.body).toEqual({});
    for (const c of calls) {
      expect(c.contentType).toBe('application/x-amz-json-1.1');
      // Signed by the SDK with SigV4 for the registry's region and the ecr service.
      expect(c.authorization).toMatch(
        /^AWS4-HMAC-SHA256 Credential=AKIDLOOPBACKTEST\/\d{8}\/ap-northeast-1\/ecr\/aws4_request, /,
      );
    }
    expect(masked).toContain(ECR_PASSWORD);
    // The plan's Argo CD Applications pull from the registry's root, not from charts/.
    expect(report.notes).toEqual(
      ['app', 'istio', 'logging', 'mxtransporter', 'scalardl'].map(
        (c) =>
          `note: the Argo CD Application ${c} pulls chart ${c} from ${ECR_HOST}, not from ${ECR_HOST}/charts`,
      ),
    );
  });

  it('says nothing about Argo CD when publishing where the Applications pull from', async () => {
    const report = await publishCharts({
      root: REPO_ROOT,
      env: 'prd',
      registry: `oci://${ECR_HOST}`,
      dryRun: true,
      environ: SECRETS,
      ecrClient,
      fetch: toLoopback,
    });
    expect(report.notes).toEqual([]);
    expect(report.charts.map((c) => c.reference)).toEqual(
      CHARTS.map((c) => `oci://${ECR_HOST}/${c}:1.0.0`),
    );
  });

  it('only says which repositories it would create on a dry run', async () => {
    calls.length = 0;
    const log: string[] = [];
    const report = await publishCharts({
      root: REPO_ROOT,
      env: 'prd',
      registry: `oci://${ECR_HOST}/dry`,
      createRepository: true,
      dryRun: true,
      environ: SECRETS,
      ecrClient,
      fetch: toLoopback,
      log: (l) => log.push(l),
    });
    expect(report.charts.every((c) => c.status === 'would-push')).toBe(true);
    expect(log).toContain(
      'would create ECR repository dry/app (tag immutability on, scan on push)',
    );
    expect(calls.some((c) => c.target.endsWith('.CreateRepository'))).toBe(false);
    expect((await registry.catalog()).filter((r) => r.startsWith('dry/'))).toEqual([]);
  });

  it('reports an AWS refusal of the token with its error name', async () => {
    denyToken = true;
    try {
      await expect(
        publishCharts({
          root: REPO_ROOT,
          env: 'prd',
          registry: `oci://${ECR_HOST}/charts`,
          environ: SECRETS,
          ecrClient,
          fetch: toLoopback,
        }),
      ).rejects.toThrow(
        'ECR GetAuthorizationToken failed: AccessDeniedException: not authorized to perform: ecr:GetAuthorizationToken',
      );
    } finally {
      denyToken = false;
    }
  });
});
