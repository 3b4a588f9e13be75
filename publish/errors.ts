/**
 * Publishing stopped for a reason that is not bad input: the plan was not reviewed, a version
 * already holds other content, or the registry refused or kept failing. The CLI prints the message
 * and exits 1. Messages never hold a secret value or a credential.
 */
export class PublishError extends Error {
  readonly exitCode = 1;
  constructor(
    message: string,
    readonly details: string[] = [],
  ) {
    super(message);
    this.name = 'PublishError';
  }
}

/** The registry answered with an error (after retries for transient ones). */
export class RegistryError extends PublishError {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'RegistryError';
  }
}

/** The registry refused the credentials (or wanted some and none were given). */
export class RegistryAuthError extends RegistryError {
  constructor(message: string, status?: number) {
    super(message, status);
    this.name = 'RegistryAuthError';
  }
}

/** The registry stayed unreachable or kept failing through every retry. */
export class RegistryUnavailableError extends RegistryError {
  constructor(message: string) {
    super(message);
    this.name = 'RegistryUnavailableError';
  }
}

export function isPublishError(err: unknown): err is PublishError {
  return err instanceof PublishError;
}
