import { InputError } from '../core/errors.js';

/**
 * Turns rendered text into a Helm template whose output is that text, byte for byte.
 *
 * Helm renders templates with Go's text/template. The text goes in as raw string literals
 * (`{{`...`}}`): a raw string may span lines and hold `{{`, `}}` and quotes, but it cannot hold a
 * backquote, and text/template unquotes it with strconv.Unquote, which drops carriage returns from
 * raw strings (Go's strconv/quote.go). So the text is split at backquotes and carriage returns, and
 * those are written as interpreted strings (`{{"`"}}`, `{{"\r"}}`).
 *
 * One thing Helm does to rendered output cannot be escaped, so such text is refused: helm/helm
 * pkg/engine/engine.go replaces every "<no value>" in the output with "" (its work-around for
 * missing keys).
 *
 * `helm lint` fails a chart whose template source holds `.Release.Time` (pkg/lint/rules/template.go,
 * validateNoReleaseTime); that string is split across two raw strings so lint stays green.
 */
export function escapeForHelm(text: string, file: string): string {
  if (text.includes('<no value>')) {
    throw new InputError(
      'holds the text "<no value>", which Helm deletes from rendered output; a published chart could not reproduce this file',
      { file },
    );
  }
  let out = '';
  for (const part of text.split(/([`\r])/)) {
    if (part === '`') out += '{{"`"}}';
    else if (part === '\r') out += '{{"\\r"}}';
    else if (part) out += '{{`' + part.replaceAll('.Release.Time', '.Release.`}}{{`Time') + '`}}';
  }
  return out;
}
