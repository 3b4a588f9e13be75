/** A field path inside an object: map keys and list indexes (`'*'` stands for any list item). */
export type FieldPath = (string | number)[];

const IDENT = /^[A-Za-z_$][\w$-]*$/;

/**
 * `['spec','containers',0,'name']` -> `spec.containers[0].name`. Keys that hold dots, slashes or
 * spaces (labels, annotations, ConfigMap file names) are quoted: `metadata.labels["app.kubernetes.io/name"]`.
 */
export function formatFieldPath(path: readonly (string | number)[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (seg === '*') out += '[*]';
    else if (IDENT.test(seg)) out += out === '' ? seg : `.${seg}`;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out;
}
