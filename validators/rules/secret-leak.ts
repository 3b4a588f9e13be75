import type { Manifest } from '../../core/manifest.js';
import type { FieldPath, Rule, RuleContext, RuleFinding, Severity } from '../types.js';
import { groupOf, isObj } from '../model/references.js';
import type { Obj } from '../../core/object.js';

/**
 * Secret values shorter than this are not searched for: a 1-3 character value ("1", "yes", "dev")
 * occurs by chance in almost every plan, so every render would fail for no reason.
 */
export const MIN_SECRET_LENGTH = 4;

/** One form a secret value can take in a manifest. */
interface Needle {
  text: string;
  encoding: string;
}

/**
 * The forms of a secret value to look for: plain, base64 at each of the three byte alignments it
 * can have inside a longer encoded value (characters that also depend on neighbouring bytes are
 * dropped), URL-safe base64, URL-encoded and JSON-escaped.
 */
export function encodingsOf(secret: string): Needle[] {
  const out: Needle[] = [{ text: secret, encoding: 'plain' }];
  const bytes = Buffer.from(secret, 'utf8');
  for (const pad of [0, 1, 2]) {
    const encoded = Buffer.concat([Buffer.alloc(pad), bytes])
      .toString('base64')
      .replace(/=+$/, '');
    // Characters before `start` carry bits of the padding; from `end` on, bits of what follows.
    const start = Math.ceil((8 * pad) / 6);
    const end = Math.floor((8 * (pad + bytes.length)) / 6);
    const core = encoded.slice(start, end);
    if (core.length < 4) continue;
    out.push({ text: core, encoding: 'base64' });
    const urlSafe = core.replace(/\+/g, '-').replace(/\//g, '_');
    if (urlSafe !== core) out.push({ text: urlSafe, encoding: 'base64url' });
  }
  const url = encodeURIComponent(secret);
  if (url !== secret) {
    out.push({ text: url, encoding: 'URL-encoded' });
    const lower = url.replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase());
    if (lower !== url) out.push({ text: lower, encoding: 'URL-encoded' });
    const form = url.replace(/%20/g, '+');
    if (form !== url) out.push({ text: form, encoding: 'URL-encoded' });
  }
  const json = JSON.stringify(secret).slice(1, -1);
  if (json !== secret) out.push({ text: json, encoding: 'JSON-escaped' });
  const seen = new Set<string>();
  return out.filter((n) => !seen.has(n.text) && seen.add(n.text));
}

/** Literals that look like credentials, whatever the secret declarations say. */
const CREDENTIAL_PATTERNS: { what: string; re: RegExp }[] = [
  { what: 'an AWS access key id', re: /\b(?:AKIA|ASIA)[A-Z0-9]{16}\b/ },
  { what: 'a private key', re: /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----/ },
  { what: 'a GitHub token', re: /\b(?:gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,})/ },
  { what: 'a Slack token', re: /\bxox[baprs]-[A-Za-z0-9-]{10,}/ },
];

const PASSWORD_KEY = /pass(?:word|wd|phrase)?|pwd/i;
const NOT_A_PASSWORD_KEY = /(?:file|path|policy|length|key(?:ref)?)$|^(?:old)?pwd$/i;
/** Values that refer to a password instead of holding one. */
const INDIRECT = /^(?:<<secret:[A-Z_][A-Z0-9_]*>>|\$\{[^}]+\}|\$\([^)]+\)|\{\{[^}]+\}\})$/;
const PLACEHOLDER = /<<secret:[A-Z_][A-Z0-9_]*>>/;
/** `key = value` or `key: value` lines of configuration files held in a Secret or ConfigMap. */
const PASSWORD_LINE =
  /^[ \t]*["']?([\w.-]*(?:password|passwd|pwd)[\w.-]*)["']?[ \t]*[=:][ \t]*(.*?)[ \t]*$/gim;

function isPasswordLiteral(value: string): boolean {
  const v = value.trim().replace(/^(["'])(.*)\1$/, '$2');
  // Flags such as `requirePassword: true` are settings, not passwords.
  const setting = /^(?:null|~|true|false|yes|no|on|off)$/i.test(v);
  return v !== '' && !setting && !INDIRECT.test(v) && !PLACEHOLDER.test(v);
}

function decodeBase64(value: string): Buffer | undefined {
  const compact = value.replace(/\s+/g, '');
  if (compact === '' || !/^[A-Za-z0-9+/]*={0,2}$/.test(compact) || compact.length % 4 === 1)
    return undefined;
  return Buffer.from(compact, 'base64');
}

/** Where a secret value sits in the merged values (its value path), to name it without showing it. */
function valuePathOf(values: unknown, secret: string, path: string[] = []): string | undefined {
  if (typeof values === 'string') return values === secret ? path.join('.') : undefined;
  if (Array.isArray(values)) {
    for (let i = 0; i < values.length; i++) {
      const p = valuePathOf(values[i], secret, [...path, String(i)]);
      if (p) return p;
    }
  } else if (isObj(values)) {
    for (const [k, v] of Object.entries(values)) {
      const p = valuePathOf(v, secret, [...path, k]);
      if (p) return p;
    }
  }
  return undefined;
}

interface Hit {
  secret: number;
  encoding: string;
}

class LeakScanner {
  private readonly needles: { secret: number; needle: Needle }[] = [];
  private readonly names: string[];

  constructor(private readonly ctx: RuleContext) {
    const secrets = ctx.secretValues.filter((s) => s.length >= MIN_SECRET_LENGTH);
    secrets.forEach((s, i) => {
      for (const needle of encodingsOf(s)) this.needles.push({ secret: i, needle });
    });
    this.names = secrets.map((s) => {
      const at = valuePathOf(ctx.values, s);
      return at ? `the secret value of ${at}` : 'the value of a secret environment variable';
    });
  }

  get active(): boolean {
    return this.needles.length > 0;
  }

  /** The first secret found in `text` (plain forms before encoded ones). */
  find(text: string): Hit | undefined {
    for (const { secret, needle } of this.needles) {
      if (text.includes(needle.text)) return { secret, encoding: needle.encoding };
    }
    return undefined;
  }

  /** Secrets found in `text`, each once, with the offset of the first occurrence. */
  findAll(text: string): (Hit & { offset: number })[] {
    const out = new Map<number, Hit & { offset: number }>();
    for (const { secret, needle } of this.needles) {
      if (out.has(secret)) continue;
      const offset = text.indexOf(needle.text);
      if (offset >= 0) out.set(secret, { secret, encoding: needle.encoding, offset });
    }
    return [...out.values()];
  }

  nameOf(secret: number): string {
    return this.names[secret];
  }
}

function literalSeverity(ctx: RuleContext): Severity {
  return ctx.env === 'prd' || ctx.cluster?.provider === 'eks' ? 'error' : 'warning';
}

const FIX_SECRET =
  'keep secret values out of the plan: the value must come from values/secrets.yaml so the plan holds its <<secret:VAR>> placeholder (and only inside a Secret)';
const FIX_CREDENTIAL =
  'remove it from the plan (declare the value in values/secrets.yaml so the plan holds a placeholder, or create the Secret out of band) and rotate the credential';

/** Strings of an object with their field paths; map keys are visited at the key's own path. */
function walkStrings(
  value: unknown,
  path: FieldPath,
  visit: (s: string, path: FieldPath, isKey: boolean) => void,
): void {
  if (typeof value === 'string') visit(value, path, false);
  else if (Array.isArray(value)) value.forEach((v, i) => walkStrings(v, [...path, i], visit));
  else if (isObj(value)) {
    for (const [k, v] of Object.entries(value)) {
      visit(k, [...path, k], true);
      walkStrings(v, [...path, k], visit);
    }
  }
}

function isCoreKind(m: Manifest, kind: string): boolean {
  return m.object.kind === kind && groupOf(m) === '';
}

/** Findings of one manifest's field values; returns the secrets and patterns it found. */
function scanManifest(
  manifest: Manifest,
  scanner: LeakScanner,
  ctx: RuleContext,
  out: RuleFinding[],
): { secrets: Set<number>; patterns: Set<string> } {
  const found = { secrets: new Set<number>(), patterns: new Set<string>() };
  const reported = new Set<string>();
  const obj = manifest.object as Obj;
  const encodedFields = isCoreKind(manifest, 'Secret')
    ? ['data']
    : isCoreKind(manifest, 'ConfigMap')
      ? ['binaryData']
      : [];

  const report = (path: FieldPath, text: string, where: string) => {
    const hit = scanner.active ? scanner.find(text) : undefined;
    if (hit) {
      found.secrets.add(hit.secret);
      reported.add(JSON.stringify(path));
      out.push({
        manifest,
        path,
        message: `${scanner.nameOf(hit.secret)} appears in this field${where} (encoding: ${hit.encoding}); ${FIX_SECRET}`,
      });
      return;
    }
    for (const p of CREDENTIAL_PATTERNS) {
      if (!p.re.test(text)) continue;
      found.patterns.add(p.what);
      reported.add(JSON.stringify(path));
      out.push({
        manifest,
        path,
        message: `this field${where} holds what looks like ${p.what}; ${FIX_CREDENTIAL}`,
      });
      return;
    }
  };

  walkStrings(obj, [], (s, path, isKey) => {
    const encoded = !isKey && path.length === 2 && encodedFields.includes(String(path[0]));
    if (!encoded) {
      report(path, s, '');
      return;
    }
    const before = out.length;
    report(path, s, '');
    if (out.length !== before) return;
    const bytes = decodeBase64(s);
    if (bytes) report(path, bytes.toString('utf8'), ' (after base64 decoding)');
  });

  checkPasswordLiterals(manifest, ctx, reported, out);
  return found;
}

interface Entry {
  path: FieldPath;
  key: string;
  text: string;
}

/**
 * Passwords written as literals into a Secret, a ConfigMap or a container's environment (fields
 * already reported as a leaked secret value or credential are skipped).
 */
function checkPasswordLiterals(
  manifest: Manifest,
  ctx: RuleContext,
  reported: Set<string>,
  out: RuleFinding[],
): void {
  const obj = manifest.object as Obj;
  const severity = literalSeverity(ctx);
  const env = ctx.env ? ` (environment ${ctx.env})` : '';
  const fix =
    severity === 'error'
      ? 'declare the value in values/secrets.yaml so the plan holds a <<secret:VAR>> placeholder'
      : 'fine for a throwaway development value, but in production declare it in values/secrets.yaml';
  const entries: Entry[] = [];
  const isSecret = isCoreKind(manifest, 'Secret');
  const where = isCoreKind(manifest, 'ConfigMap')
    ? ' in a ConfigMap, readable by anyone who can read the namespace'
    : '';
  if (isSecret || isCoreKind(manifest, 'ConfigMap')) {
    for (const field of isSecret ? ['stringData', 'data'] : ['data']) {
      if (!isObj(obj[field])) continue;
      for (const [key, raw] of Object.entries(obj[field])) {
        if (typeof raw !== 'string') continue;
        let text = raw;
        if (field === 'data' && isSecret) {
          const bytes = decodeBase64(raw);
          if (!bytes) continue;
          text = bytes.toString('utf8');
        }
        entries.push({ path: [field, key], key, text });
      }
    }
  }
  entries.push(...envPasswordEntries(manifest));

  for (const e of entries) {
    if (reported.has(JSON.stringify(e.path))) continue;
    if (PASSWORD_KEY.test(e.key) && !NOT_A_PASSWORD_KEY.test(e.key) && !e.text.includes('\n')) {
      if (isPasswordLiteral(e.text)) {
        out.push({
          manifest,
          path: e.path,
          severity,
          message: `"${e.key}" holds a literal password${where}${env}; ${fix}`,
        });
      }
      continue;
    }
    for (const line of e.text.matchAll(PASSWORD_LINE)) {
      if (NOT_A_PASSWORD_KEY.test(line[1]) || !isPasswordLiteral(line[2])) continue;
      out.push({
        manifest,
        path: e.path,
        severity,
        message: `"${line[1]}" holds a literal password${where}${env}; ${fix}`,
      });
      break;
    }
  }
}

/** Container environment variables whose name says password, set to a literal value. */
function envPasswordEntries(manifest: Manifest): Entry[] {
  const out: Entry[] = [];
  const visit = (value: unknown, path: FieldPath) => {
    if (Array.isArray(value)) value.forEach((v, i) => visit(v, [...path, i]));
    else if (isObj(value)) {
      for (const [k, v] of Object.entries(value)) {
        if (k === 'env' && Array.isArray(v)) {
          v.forEach((e: Obj, i: number) => {
            if (isObj(e) && typeof e.name === 'string' && typeof e.value === 'string') {
              out.push({ path: [...path, 'env', i, 'value'], key: e.name, text: e.value });
            }
          });
        } else visit(v, [...path, k]);
      }
    }
  };
  if (isCoreKind(manifest, 'Secret') || isCoreKind(manifest, 'ConfigMap')) return out;
  visit((manifest.object as Obj).spec, ['spec']);
  return out;
}

/** Line (1-based) of a character offset. */
function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/** Secret values never appear in the plan, in any encoding, and no credential-looking literal does. */
export const secretLeakRule: Rule = {
  id: 'secret-leak',
  description:
    'No secret value of 4+ characters (plain, base64, URL-encoded, JSON-escaped, inside longer strings) and no credential-looking literal appears in the rendered manifests',
  severity: 'error',
  docs: 'No value of a set secret variable appears anywhere in the plan: plain, base64 at any alignment, URL-safe base64, URL-encoded, JSON-escaped, or inside a longer string; and no credential-looking literal (AWS keys, private keys, tokens); literal passwords are errors in prd. The committed plan is public to every reader of the repository. Move the value to values/secrets.yaml so the plan holds a placeholder.',
  check(manifests, ctx) {
    const out: RuleFinding[] = [];
    const scanner = new LeakScanner(ctx);
    const foundInFile = new Map<string, { secrets: Set<number>; patterns: Set<string> }>();
    const manifestsOfFile = new Map<string, Manifest[]>();
    for (const m of manifests) {
      const found = scanManifest(m, scanner, ctx, out);
      const prev = foundInFile.get(m.file) ?? {
        secrets: new Set<number>(),
        patterns: new Set<string>(),
      };
      for (const s of found.secrets) prev.secrets.add(s);
      for (const p of found.patterns) prev.patterns.add(p);
      foundInFile.set(m.file, prev);
      const inFile = manifestsOfFile.get(m.file);
      if (inFile) inFile.push(m);
      else manifestsOfFile.set(m.file, [m]);
    }

    // The raw text also holds comments and formatting the parsed objects lost.
    for (const [file, text] of ctx.fileTexts) {
      const known = foundInFile.get(file) ?? {
        secrets: new Set<number>(),
        patterns: new Set<string>(),
      };
      const hits: { offset: number; message: string }[] = [];
      if (scanner.active) {
        for (const hit of scanner.findAll(text)) {
          if (known.secrets.has(hit.secret)) continue;
          hits.push({
            offset: hit.offset,
            message: `${scanner.nameOf(hit.secret)} appears in file ${file} at line ${lineAt(text, hit.offset)}, outside any field value (e.g. in a comment) (encoding: ${hit.encoding}); ${FIX_SECRET}`,
          });
        }
      }
      for (const p of CREDENTIAL_PATTERNS) {
        if (known.patterns.has(p.what)) continue;
        const m = p.re.exec(text);
        if (!m) continue;
        hits.push({
          offset: m.index,
          message: `file ${file} holds what looks like ${p.what} at line ${lineAt(text, m.index)}, outside any field value; ${FIX_CREDENTIAL}`,
        });
      }
      for (const hit of hits) {
        const line = lineAt(text, hit.offset);
        const candidates = (manifestsOfFile.get(file) ?? []).filter((m) => m.line <= line);
        const manifest =
          candidates.sort((a, b) => b.line - a.line)[0] ?? manifestsOfFile.get(file)?.[0];
        out.push(
          manifest ? { manifest, path: [], message: hit.message } : { message: hit.message },
        );
      }
    }
    return out;
  },
};
