import { InputError } from '../../core/errors.js';

/** A template failed to compile or render; names the template file and line. */
export class TemplateError extends InputError {
  constructor(message: string, template: string, line?: number) {
    super(message, { file: template, line });
    this.name = 'TemplateError';
  }
}

/** A Handlebars error (or one of ours) as a TemplateError naming the template and its line. */
export function templateError(err: unknown, template: string): InputError {
  if (err instanceof InputError) return err;
  const e = err as { message?: string; lineNumber?: number };
  const msg = String(e.message ?? err);
  const parse = /^Parse error on line (\d+):/.exec(msg);
  if (parse) {
    const lines = msg.split('\n');
    const expecting = lines.find((l) => l.startsWith('Expecting')) ?? '';
    return new TemplateError(
      `template syntax error${expecting ? `: ${expecting}` : ''}`,
      template,
      Number(parse[1]),
    );
  }
  const loc = / - (\d+):(\d+)$/.exec(msg);
  const line = e.lineNumber ?? (loc ? Number(loc[1]) : undefined);
  const clean = msg
    .replace(/ - \d+:\d+$/, '')
    .replace(/ in \[object Object\]$/, '')
    .replace(/ in undefined$/, '');
  const text = /not defined/.test(clean)
    ? `template reads a value that is not defined: ${clean}`
    : `template error: ${clean}`;
  return new TemplateError(text, template, line);
}
