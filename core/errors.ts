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

/** The 1-based line a YAML parser error points at (js-yaml's `mark`, or `yaml`'s `linePos`). */
export function yamlErrorLine(err: unknown): number | undefined {
  const e = err as { mark?: { line: number }; linePos?: { line: number }[] };
  if (e?.mark) return e.mark.line + 1;
  if (e?.linePos?.[0]) return e.linePos[0].line;
  return undefined;
}

/** A YAML parser error as bad input at `file` and the line the parser points at. */
export function yamlInputError(err: unknown, file: string): InputError {
  const e = err as { reason?: string; message?: string };
  return new InputError(`YAML error: ${e?.reason ?? e?.message ?? String(err)}`, {
    file,
    line: yamlErrorLine(err),
  });
}

/**
 * A bug, not bad input: the CLI reports it as an internal error with a hint to run `--debug`, and
 * exits 3 so scripts can tell it from bad input (2).
 */
export class InternalError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InternalError';
  }
}
