import {
  CreateRepositoryCommand,
  DescribeRepositoriesCommand,
  ECRClient,
  GetAuthorizationTokenCommand,
} from '@aws-sdk/client-ecr';
import { PublishError } from './errors.js';
import type { Credentials } from './registry-client.js';

/**
 * Amazon ECR through the AWS SDK for JavaScript v3: a registry password from GetAuthorizationToken
 * (the token is base64 of `AWS:<password>` and lasts 12 hours, per the ECR API reference's
 * AuthorizationData), and the repositories a push needs (a push to a missing repository fails).
 * AWS credentials come from the SDK's default chain (in the workflow, the role that
 * aws-actions/configure-aws-credentials assumed).
 */

export function defaultEcrClient(region: string): ECRClient {
  return new ECRClient({ region });
}

function awsFailure(what: string, err: unknown): PublishError {
  const e = err as { name?: string; message?: string };
  return new PublishError(`${what}: ${e.name ?? 'Error'}: ${e.message ?? String(err)}`);
}

export async function ecrCredentials(
  client: ECRClient,
  signal?: AbortSignal,
): Promise<Credentials> {
  let out;
  try {
    out = await client.send(new GetAuthorizationTokenCommand({}), { abortSignal: signal });
  } catch (err) {
    throw awsFailure('ECR GetAuthorizationToken failed', err);
  }
  const token = out.authorizationData?.[0]?.authorizationToken;
  if (!token) throw new PublishError('ECR GetAuthorizationToken returned no token');
  const decoded = Buffer.from(token, 'base64').toString('utf8');
  const sep = decoded.indexOf(':');
  if (sep <= 0) throw new PublishError('ECR GetAuthorizationToken returned a malformed token');
  return {
    username: decoded.slice(0, sep),
    password: decoded.slice(sep + 1),
    source: 'ECR GetAuthorizationToken',
  };
}

export interface EcrRepositoryResult {
  /** Repositories that were missing (and created unless dryRun). */
  created: string[];
}

/**
 * Makes sure each repository exists: DescribeRepositories one by one (it fails as a whole when any
 * named repository is missing), CreateRepository for the missing ones with tag immutability on (a
 * re-push of a version is refused by ECR too) and scan on push.
 */
export async function ensureEcrRepositories(
  client: ECRClient,
  registryId: string,
  repositories: string[],
  options: { dryRun?: boolean; signal?: AbortSignal } = {},
): Promise<EcrRepositoryResult> {
  const created: string[] = [];
  for (const name of repositories) {
    try {
      await client.send(new DescribeRepositoriesCommand({ registryId, repositoryNames: [name] }), {
        abortSignal: options.signal,
      });
      continue;
    } catch (err) {
      if ((err as { name?: string }).name !== 'RepositoryNotFoundException') {
        throw awsFailure(`ECR DescribeRepositories for ${name} failed`, err);
      }
    }
    if (!options.dryRun) {
      try {
        await client.send(
          new CreateRepositoryCommand({
            registryId,
            repositoryName: name,
            imageTagMutability: 'IMMUTABLE',
            imageScanningConfiguration: { scanOnPush: true },
          }),
          { abortSignal: options.signal },
        );
      } catch (err) {
        if ((err as { name?: string }).name !== 'RepositoryAlreadyExistsException') {
          throw awsFailure(`ECR CreateRepository for ${name} failed`, err);
        }
      }
    }
    created.push(name);
  }
  return { created };
}
