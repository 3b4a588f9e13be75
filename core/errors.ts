/** Where a problem comes from: a file (relative to the project root when possible) and a 1-based line. */
export interface SourceLocation {
  file: string;
  line?: number;
}

/**
 * Bad input or bad usage. The CLI prints `error: <file>:<line>: <message>` and exits 2.
 * Messages never contain secret values.
 */
export class InputError extends Error {
  readonly location?: SourceLocation;
  readonly details: string[];
  constructor(message: string, location?: SourceLocation, details: string[] = []) {
    super(message);
    this.name = 'InputError';
    this.location = location;
    this.details = details;
  }

  /** One line (plus optional detail lines) for the terminal. */
  format(): string {
    const where = this.location
      ? `${this.location.file}${this.location.line ? `:${this.location.line}` : ''}: `
      : '';
    return [`${where}${this.message}`, ...this.details.map((d) => `  ${d}`)].join('\n');
  }
}

export function isInputError(err: unknown): err is InputError {
  return err instanceof InputError;
}
