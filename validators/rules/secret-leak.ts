import type { Manifest } from '../../core/manifest.js';
import type { SetSecret } from '../../generator/values/load.js';
import { FieldLocator } from '../locate.js';
import type { FieldPath, Rule, RuleContext, RuleFinding, Severity } from '../types.js';
import { groupOf, isObj } from '../model/references.js';
import type { Obj } from '../../core/object.js';

/**
 * Secret values shorter than this are not searched for: a 1-3 character value ("1", "yes", "dev")
 * occurs by chance in almost every plan. Such a value is reported as too short to be a secret.
 */
export const MIN_SECRET_LENGTH = 4;

/**
 * A secret found in more places than this is an ordinary word of the plan (a namespace, a name), not
 * a value someone copied: it is reported once as too weak, without listing where.
 */
const ORDINARY_VALUE_PLACES = 10;

/** How many places a leak finding lists before it says "and N more". */
const PLACES_SHOWN = 5;

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
  // Go's encoding/json (Helm's toJson, kubectl) writes <, > and & as \u003c, \u003e, \u0026; other
  // encoders write / as \/ or every non-ASCII character as \uXXXX.
  const goJson = json.replace(/[<>&]/g, (c) => `\\u00${c.charCodeAt(0).toString(16)}`);
  const slashJson = json.replace(/\//g, '\\/');
  const asciiJson = json.replace(
    /[\u007f-\uffff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
  const allJson = goJson
    .replace(/\//g, '\\/')
    .replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  for (const text of [goJson, slashJson, asciiJson, allJson])
    if (text !== secret && text !== json) out.push({ text, encoding: 'JSON-escaped' });
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

/** All credential patterns in one expression: most strings match none, so one test rules them out. */
const ANY_CREDENTIAL = new RegExp(CREDENTIAL_PATTERNS.map((p) => `(?:${p.re.source})`).join('|'));

/**
 * The shortest text any credential pattern matches (a Slack token: `xoxb-` and 10 more characters;
 * an AWS key id takes 20, a GitHub token 24, a private key header 27). Shorter strings, most keys
 * and values of a plan, cannot hold one, so they skip the expression.
 */
export const MIN_CREDENTIAL_LENGTH = 15;

/** Whether `text` holds what looks like a credential (any of CREDENTIAL_PATTERNS). */
export function mayBeCredential(text: string): boolean {
  return text.length >= MIN_CREDENTIAL_LENGTH && ANY_CREDENTIAL.test(text);
}

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

interface Hit {
  secret: number;
  encoding: string;
}

/** One place a secret's value was found: a field of a manifest, or a line of a file. */
interface Place {
  file: string;
  line: number;
  manifest?: Manifest;
  path?: FieldPath;
  encoding: string;
}

/** The set secret variables long enough to search for, with every form of their values. */
class LeakScanner {
  private readonly needles: { secret: number; needle: Needle }[] = [];
  readonly secrets: SetSecret[];

  constructor(ctx: RuleContext) {
    this.secrets = ctx.secrets.filter((s) => s.value.length >= MIN_SECRET_LENGTH);
    this.secrets.forEach((s, i) => {
      for (const needle of encodingsOf(s.value)) this.needles.push({ secret: i, needle });
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

  /** Every occurrence of every secret in `text`, with its offset. */
  findEvery(text: string): (Hit & { offset: number })[] {
    const out: (Hit & { offset: number })[] = [];
    for (const { secret, needle } of this.needles) {
      for (let at = text.indexOf(needle.text); at >= 0; at = text.indexOf(needle.text, at + 1))
        out.push({ secret, encoding: needle.encoding, offset: at });
    }
    return out;
  }
}

function literalSeverity(ctx: RuleContext): Severity {
  return ctx.env === 'prd' || ctx.cluster?.provider === 'eks' ? 'error' : 'warning';
}

const FIX_SECRET =
  'keep secret values out of the plan: the value must come from values/secrets.yaml so the plan holds its <<secret:VAR>> placeholder (and only inside a Secret)';
const FIX_CREDENTIAL =
  'remove it from the plan (declare the value in values/secrets.yaml so the plan holds a placeholder, or create the Secret out of band) and rotate the credential';

/**
 * Strings of an object with their field paths; map keys are visited at the key's own path. The path
 * given to `visit` is one array changed as the walk goes on: copy it to keep it.
 */
function walkStrings(
  value: unknown,
  path: FieldPath,
  visit: (s: string, path: FieldPath, isKey: boolean) => void,
): void {
  if (typeof value === 'string') visit(value, path, false);
  else if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      path.push(i);
      walkStrings(value[i], path, visit);
      path.pop();
    }
  } else if (isObj(value)) {
    for (const k of Object.keys(value)) {
      path.push(k);
      visit(k, path, true);
      walkStrings(value[k], path, visit);
      path.pop();
    }
  }
}

/**
 * Whether any string or map key of `value` looks like a credential: what walkStrings would report
 * with no secret values to look for, without keeping paths (most objects hold none).
 */
function holdsCredential(value: unknown): boolean {
  if (typeof value === 'string') return mayBeCredential(value);
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) if (holdsCredential(value[i])) return true;
  } else if (isObj(value)) {
    for (const k of Object.keys(value)) {
      if (mayBeCredential(k) || holdsCredential(value[k])) return true;
    }
  }
  return false;
}

/** Whether a base64 value of `fields` (e.g. a Secret's `data`) decodes to a credential. */
function decodedHoldsCredential(obj: Obj, fields: string[]): boolean {
  for (const field of fields) {
    const holder: unknown = obj[field];
    const values = Array.isArray(holder) ? holder : isObj(holder) ? Object.values(holder) : [];
    for (const v of values) {
      if (typeof v !== 'string') continue;
      const bytes = decodeBase64(v);
      if (bytes && mayBeCredential(bytes.toString('utf8'))) return true;
    }
  }
  return false;
}

/** Whether a file of the run holds no object (only comments, or nothing). */
function holdsFileWithoutObjects(ctx: RuleContext): boolean {
  // A plan lists the objects in the order of their files: walking both together shows that every
  // file has one without building a set of thousands of paths. Any other order is checked by set.
  const manifests = ctx.model.manifests;
  let i = 0;
  let inOrder = true;
  for (const file of ctx.fileTexts.keys()) {
    if (i >= manifests.length || manifests[i].file !== file) {
      inOrder = false;
      break;
    }
    while (i < manifests.length && manifests[i].file === file) i++;
  }
  if (inOrder && i === manifests.length) return false;
  const withObjects = new Set(manifests.map((m) => m.file));
  for (const file of ctx.fileTexts.keys()) if (!withObjects.has(file)) return true;
  return false;
}

function isCoreKind(m: Manifest, kind: string): boolean {
  return m.object.kind === kind && groupOf(m) === '';
}

/** Findings of one manifest's field values; returns the secrets and patterns it found. */
function scanManifest(
  manifest: Manifest,
  scanner: LeakScanner,
  locator: FieldLocator,
  ctx: RuleContext,
  out: RuleFinding[],
  places: { secret: number; place: Place }[],
  reported = new Set<string>(),
): { patterns: Set<string>; reported: Set<string> } {
  const found = { patterns: new Set<string>(), reported };
  const obj = manifest.object as Obj;
  const encodedFields = isCoreKind(manifest, 'Secret')
    ? ['data']
    : isCoreKind(manifest, 'ConfigMap')
      ? ['binaryData']
      : [];

  const report = (at: FieldPath, text: string, where: string) => {
    const hit = scanner.active ? scanner.find(text) : undefined;
    if (hit) {
      const path = [...at];
      reported.add(JSON.stringify(path));
      places.push({
        secret: hit.secret,
        place: {
          file: manifest.file,
          line: locator.lineOf(manifest.file, manifest.line, [
            ...(manifest.basePath ?? []),
            ...path,
          ]),
          manifest,
          path,
          encoding: hit.encoding + where,
        },
      });
      return;
    }
    if (!mayBeCredential(text)) return;
    for (const p of CREDENTIAL_PATTERNS) {
      if (!p.re.test(text)) continue;
      const path = [...at];
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

  // Without secret values to look for, only credential-looking text is reported: most objects
  // hold none, which one pass without paths tells.
  const suspect =
    scanner.active || holdsCredential(obj) || decodedHoldsCredential(obj, encodedFields);
  if (suspect)
    walkStrings(obj, [], (s, path, isKey) => {
      const encoded = !isKey && path.length === 2 && encodedFields.includes(String(path[0]));
      if (!encoded) {
        report(path, s, '');
        return;
      }
      const before = out.length + places.length;
      report(path, s, '');
      if (out.length + places.length !== before) return;
      const bytes = decodeBase64(s);
      if (bytes) report(path, bytes.toString('utf8'), ', after base64 decoding');
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
    if (reported.size > 0 && reported.has(JSON.stringify(e.path))) continue;
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
    // a password line names password, passwd or pwd, which PASSWORD_KEY finds first
    if (!PASSWORD_KEY.test(e.text)) continue;
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
  // `path` is one array changed as the walk goes on; entries get a copy
  const path: FieldPath = ['spec'];
  const visit = (value: unknown) => {
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) {
        path.push(i);
        visit(value[i]);
        path.pop();
      }
    } else if (isObj(value)) {
      for (const k of Object.keys(value)) {
        const v: unknown = value[k];
        if (k === 'env' && Array.isArray(v)) {
          for (let i = 0; i < v.length; i++) {
            const e: unknown = v[i];
            if (isObj(e) && typeof e.name === 'string' && typeof e.value === 'string') {
              out.push({ path: [...path, 'env', i, 'value'], key: e.name, text: e.value });
            }
          }
        } else {
          path.push(k);
          visit(v);
          path.pop();
        }
      }
    }
  };
  if (isCoreKind(manifest, 'Secret') || isCoreKind(manifest, 'ConfigMap')) return out;
  visit((manifest.object as Obj).spec);
  return out;
}

/** Line (1-based) of a character offset. */
function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/**
 * The leak findings of set secret variables: one per variable, naming the variable and the places
 * (file:line) where its value appears, never the value nor which other value path holds it. A value
 * that is also an ordinary value of the plan gets one finding saying it is too weak to be a secret.
 * A set value too short to search for is reported as such. `render` runs this before it writes,
 * whatever rules are skipped.
 */
export function findSecretValueLeaks(manifests: Manifest[], ctx: RuleContext): RuleFinding[] {
  return scanSecretValues(manifests, ctx).findings;
}

/** The leak findings, and the fields they cover in each manifest (JSON of the field path). */
function scanSecretValues(
  manifests: Manifest[],
  ctx: RuleContext,
): { findings: RuleFinding[]; covered: Map<Manifest, Set<string>> } {
  const covered = new Map<Manifest, Set<string>>();
  const out: RuleFinding[] = [];
  for (const s of ctx.secrets) {
    if (s.value.length >= MIN_SECRET_LENGTH) continue;
    out.push({
      valuePath: s.paths[0]?.split('.'),
      severity: literalSeverity(ctx),
      message: `secret variable ${s.variable} is set to a value of fewer than ${MIN_SECRET_LENGTH} characters: too short to be checked for leaks, and too weak to be a secret; set a longer value`,
    });
  }
  const scanner = new LeakScanner(ctx);
  if (!scanner.active) return { findings: out, covered };
  const locator = new FieldLocator(ctx.fileTexts);
  const hits: { secret: number; place: Place }[] = [];
  const noSecrets = { ...ctx, secrets: [] };
  for (const m of manifests) {
    const before = hits.length;
    const { reported } = scanManifest(m, scanner, locator, noSecrets, [], hits);
    if (hits.length > before) covered.set(m, reported);
  }
  // The raw text also holds comments and formatting the parsed objects lost.
  const manifestsOfFile = new Map<string, Manifest[]>();
  for (const m of manifests) {
    const list = manifestsOfFile.get(m.file);
    if (list) list.push(m);
    else manifestsOfFile.set(m.file, [m]);
  }
  for (const [file, text] of ctx.fileTexts) {
    for (const hit of scanner.findEvery(text)) {
      const line = lineAt(text, hit.offset);
      if (
        hits.some((h) => h.secret === hit.secret && h.place.file === file && h.place.line === line)
      )
        continue;
      const candidates = (manifestsOfFile.get(file) ?? []).filter((m) => m.line <= line);
      const manifest =
        candidates.sort((a, b) => b.line - a.line)[0] ?? manifestsOfFile.get(file)?.[0];
      hits.push({
        secret: hit.secret,
        place: { file, line, manifest, path: [], encoding: hit.encoding },
      });
    }
  }
  scanner.secrets.forEach((secret, i) => {
    const seen = new Set<string>();
    const places = hits
      .filter((h) => h.secret === i && !seen.has(`${h.place.file}:${h.place.line}`))
      .map((h) => (seen.add(`${h.place.file}:${h.place.line}`), h.place))
      .sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line));
    if (places.length === 0) return;
    const first = places.find((p) => p.manifest) ?? places[0];
    const at = first.manifest ? { manifest: first.manifest, path: first.path ?? [] } : {};
    const files = new Set(places.map((p) => p.file)).size;
    if (places.length > ORDINARY_VALUE_PLACES) {
      out.push({
        ...at,
        message: `the value of secret variable ${secret.variable} is also an ordinary value of the plan (it appears in ${places.length} places in ${files} files): too weak to be a secret; set ${secret.variable} to a value that appears nowhere else`,
      });
      return;
    }
    const shown = places
      .slice(0, PLACES_SHOWN)
      .map((p) => `${p.file}:${p.line} (${p.encoding})`)
      .join(', ');
    const more = places.length > PLACES_SHOWN ? ` and ${places.length - PLACES_SHOWN} more` : '';
    out.push({
      ...at,
      message: `the value of secret variable ${secret.variable} appears in the plan at ${shown}${more}; ${FIX_SECRET}`,
    });
  });
  return { findings: out, covered };
}

/** Secret values never appear in the plan, in any encoding, and no credential-looking literal does. */
export const secretLeakRule: Rule = {
  id: 'secret-leak',
  description:
    'No value of a set secret variable (plain, base64, URL-encoded, JSON-escaped, inside longer strings) and no credential-looking literal appears in the rendered manifests',
  severity: 'error',
  docs: 'No value of a set secret variable appears anywhere in the plan: plain, base64 at any alignment, URL-safe base64, URL-encoded, JSON-escaped (also Go-style \\u003c and \\/), or inside a longer string; one finding per variable names it and the files and lines, never the value; a value too short to check (under 4 characters) or equal to an ordinary value of the plan is reported as too weak. No credential-looking literal (AWS keys, private keys, tokens) either; literal passwords are errors in prd. The committed plan is public to every reader of the repository. Move the value to values/secrets.yaml so the plan holds a placeholder. render refuses to write a plan with a leaked secret even when this rule is skipped.',
  // Without secret values to look for, what it finds about an object depends on the object and
  // the other documents of its file (a comment is placed by them); the environment names the
  // severity and the message. A file holding no object puts a finding on no object: not cached.
  scope: 'object',
  reads: {
    context: (ctx) => [ctx.env ?? null, ctx.cluster?.provider ?? null],
    uncachedWhen: (ctx) => ctx.secrets.length > 0 || holdsFileWithoutObjects(ctx),
  },
  check(manifests, ctx) {
    const { findings: out, covered } = scanSecretValues(manifests, ctx);
    const scanner = new LeakScanner({ ...ctx, secrets: [] });
    const locator = new FieldLocator(ctx.fileTexts);
    const secretHits: { secret: number; place: Place }[] = [];
    const foundInFile = new Map<string, Set<string>>();
    const manifestsOfFile = new Map<string, Manifest[]>();
    for (const m of manifests) {
      const found = scanManifest(m, scanner, locator, ctx, out, secretHits, covered.get(m));
      if (found.patterns.size > 0) {
        const prev = foundInFile.get(m.file) ?? new Set<string>();
        for (const p of found.patterns) prev.add(p);
        foundInFile.set(m.file, prev);
      }
      const inFile = manifestsOfFile.get(m.file);
      if (inFile) inFile.push(m);
      else manifestsOfFile.set(m.file, [m]);
    }
    // Credential-looking text outside any field value (comments): in the files of the objects
    // checked again, or in every file
    const files = ctx.recheck ? [...manifestsOfFile.keys()] : [...ctx.fileTexts.keys()];
    for (const file of files) {
      const text = ctx.fileTexts.get(file);
      if (text === undefined || !ANY_CREDENTIAL.test(text)) continue;
      const known = foundInFile.get(file) ?? new Set<string>();
      for (const p of CREDENTIAL_PATTERNS) {
        if (known.has(p.what)) continue;
        const m = p.re.exec(text);
        if (!m) continue;
        const line = lineAt(text, m.index);
        const what = `holds what looks like ${p.what} at line ${line}, outside any field value; ${FIX_CREDENTIAL}`;
        const candidates = (manifestsOfFile.get(file) ?? []).filter((x) => x.line <= line);
        const manifest =
          candidates.sort((a, b) => b.line - a.line)[0] ?? manifestsOfFile.get(file)?.[0];
        // a finding on an object is located in its file; one on no object names the file
        out.push(
          manifest
            ? { manifest, path: [], message: `this file ${what}` }
            : { message: `file ${file} ${what}` },
        );
      }
    }
    return out;
  },
};
