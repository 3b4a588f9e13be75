import { InputError } from '../../core/errors.js';

/** A template failed to compile or render; names the template file and line. */
export class TemplateError extends InputError {
  constructor(message: string, template: string, line?: number) {
    super(message, { file: template, line });
    this.name = 'TemplateError';
  }
}
