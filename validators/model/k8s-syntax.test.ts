import { describe, expect, it } from 'vitest';
import {
  annotationsOverLimit,
  base64DecodedLength,
  checkConfigMapKey,
  checkContainerResourceName,
  checkCronSchedule,
  checkDns1035Label,
  checkDns1123Label,
  checkDns1123Subdomain,
  checkEnvVarName,
  checkGoDuration,
  checkLabelValue,
  checkPathSegmentName,
  checkPortName,
  checkQualifiedName,
  checkRelaxedEnvVarName,
  checkTimeZone,
  compareQuantities,
  isCidr,
  isIpAddress,
  isWholeQuantity,
  nameIsDns1035Label,
  nameIsDnsSubdomain,
  nameRuleOf,
  parseQuantity,
  quantitySign,
  type Quantity,
} from './k8s-syntax.js';

// Cases follow the upstream tests of the same functions (kubernetes/apimachinery
// pkg/util/validation/validation_test.go, pkg/api/resource/quantity_test.go, robfig/cron
// parser_test.go) where they exist.

const valid = (check: (v: string) => string | undefined, values: string[]) =>
  values.forEach((v) => expect(check(v), JSON.stringify(v)).toBeUndefined());
const invalid = (check: (v: string) => string | undefined, values: string[]) =>
  values.forEach((v) => expect(check(v), JSON.stringify(v)).toBeTypeOf('string'));

describe('DNS names', () => {
  it('checks DNS-1123 labels like IsDNS1123Label', () => {
    valid(checkDns1123Label, [
      'a',
      'ab',
      'abc',
      'a1',
      'a-1',
      'a--1--2--b',
      '0',
      '01',
      '1-a',
      'a'.repeat(63),
    ]);
    invalid(checkDns1123Label, [
      '',
      'A',
      'aBc',
      'A-1',
      '-',
      'a-',
      '-a',
      '_',
      'a_b',
      'a.b',
      'a b',
      'a'.repeat(64),
    ]);
    expect(checkDns1123Label('a.b')).toBe('must not contain dots');
    expect(checkDns1123Label('a'.repeat(64))).toContain('no more than 63 characters');
  });

  it('checks DNS-1123 subdomains like IsDNS1123Subdomain (no per-label length limit, 253 in all)', () => {
    valid(checkDns1123Subdomain, [
      'a',
      'a.b',
      'a-1.b-2',
      '0.a',
      'app.kubernetes.io',
      'a'.repeat(100),
      `${'a'.repeat(63)}.${'b'.repeat(63)}`,
    ]);
    invalid(checkDns1123Subdomain, [
      '',
      '.',
      'a.',
      '.a',
      'a..b',
      'A.b',
      'a_b',
      '-a.b',
      'a.b-',
      'a'.repeat(254),
    ]);
  });

  it('checks DNS-1035 labels like IsDNS1035Label (a letter first)', () => {
    valid(checkDns1035Label, ['a', 'web', 'a-1', 'a'.repeat(63)]);
    invalid(checkDns1035Label, ['1a', '0', '-a', 'a-', 'Web', 'a.b', 'a'.repeat(64)]);
  });

  it('validates generateName prefixes as upstream maskTrailingDash does', () => {
    expect(nameIsDnsSubdomain('web-', true)).toBeUndefined();
    expect(nameIsDnsSubdomain('web-', false)).toBeTypeOf('string');
    expect(nameIsDns1035Label('1web-', true)).toBeTypeOf('string');
    // maskTrailingDash replaces the last two characters: "a-" becomes "a", valid.
    expect(nameIsDnsSubdomain('a-', true)).toBeUndefined();
  });

  it('picks the name rule of each kind', () => {
    expect(nameRuleOf('Service', '').rule).toBe('ValidateServiceName');
    expect(nameRuleOf('Namespace', '').rule).toBe('ValidateNamespaceName');
    expect(nameRuleOf('StatefulSet', 'apps').rule).toBe('ValidateStatefulSetName');
    expect(
      nameRuleOf('ClusterRole', 'rbac.authorization.k8s.io').check('system:aggregate', false),
    ).toBeUndefined();
    expect(nameRuleOf('Deployment', 'apps').check('web.v2', false)).toBeUndefined();
    expect(nameRuleOf('StatefulSet', 'apps').check('web.v2', false)).toBe('must not contain dots');
  });

  it('checks path segment names like IsValidPathSegmentName', () => {
    valid(checkPathSegmentName, ['system:controller', 'a b', 'x']);
    invalid(checkPathSegmentName, ['.', '..', 'a/b', '50%']);
  });
});

describe('labels and annotations', () => {
  it('checks qualified names like IsQualifiedName', () => {
    valid(checkQualifiedName, [
      'simple',
      'now-with-dashes',
      '1-starts-with-num',
      '1234',
      'simple/simple',
      'now-with-dashes/simple',
      'now-with-dashes/now-with-dashes',
      'now.with.dots/simple',
      'now-with.dashes-and.dots/simple',
      '1-num.2-num/3-num',
      '1234/5678',
      '1.2.3.4/5678',
      'Uppercase_Is_OK_123',
      'example.com/Uppercase_Is_OK_123',
      'requests.storage-foo',
      'a'.repeat(63),
      `${'a'.repeat(253)}/${'b'.repeat(63)}`,
    ]);
    invalid(checkQualifiedName, [
      '',
      'nospecialchars%^=@',
      'cantendwithadash-',
      '-cantstartwithadash-',
      'only/one/slash',
      'Example.com/abc',
      'example_com/abc',
      'example.com/',
      '/simple',
      'a'.repeat(64),
      `${'a'.repeat(254)}/abc`,
    ]);
  });

  it('checks label values like IsValidLabelValue', () => {
    valid(checkLabelValue, [
      '',
      'simple',
      'now-with-dashes',
      '1-starts-with-num',
      'end-with-num-1',
      '1234',
      'a'.repeat(63),
      'Uppercase_Is_OK_123',
      'v1.2.3',
    ]);
    invalid(checkLabelValue, [
      'nospecialchars%^=@',
      'Tama-nui-te-rā.is.Māori.sun',
      '\\backslashes\\are\\bad',
      '-starts-with-dash',
      'ends-with-dash-',
      '.starts.with.dot',
      'ends.with.dot.',
      'a b',
      'a'.repeat(64),
    ]);
  });

  it('sums annotation bytes against the 256 KiB limit', () => {
    expect(annotationsOverLimit({ a: 'x'.repeat(256 * 1024 - 1) })).toBeUndefined();
    expect(annotationsOverLimit({ a: 'x'.repeat(256 * 1024) })).toBe(256 * 1024 + 1);
    // Bytes, not characters: 'ā' is two bytes in UTF-8.
    expect(annotationsOverLimit({ k: 'ā'.repeat(131072) })).toBe(262145);
  });
});

describe('ports, keys, environment variable names', () => {
  it('checks port names like IsValidPortName', () => {
    valid(checkPortName, [
      'telnet',
      're-mail-ck',
      'pop3',
      'a',
      'a-1',
      '1-a',
      'a-1-b-2-c',
      '1-a-2-b-3',
      'http-metrics',
      'fifteen-chars-x',
    ]);
    invalid(checkPortName, [
      '',
      'longerthan15characters',
      'ab--c',
      '-ab',
      'ab-',
      '1234',
      'HTTP',
      'http_port',
      'a.b',
      'sixteen-chars-xx',
    ]);
  });

  it('checks ConfigMap and Secret keys like IsConfigMapKey', () => {
    valid(checkConfigMapKey, [
      'a',
      'ab',
      'a-b',
      'a_b',
      'a.b',
      'a.b.c',
      '.a',
      '.a.b',
      'A',
      'ledger.properties',
      'tls.crt',
      '.dockerconfigjson',
    ]);
    invalid(checkConfigMapKey, ['', '.', '..', '..a', 'a b', 'a/b', 'a:b', 'a'.repeat(254)]);
  });

  it('checks environment variable names (IsEnvVarName before 1.32, IsRelaxedEnvVarName after)', () => {
    valid(checkEnvVarName, ['A', 'ABC', 'AbC_123', 'abc', 'a.b', 'a-b', '-a', '_a', '.a']);
    invalid(checkEnvVarName, ['1ABC', 'a b', 'a:b', 'a=b', '.', '..', '..a', '']);
    valid(checkRelaxedEnvVarName, ['1ABC', 'a b', 'a:b', 'Logging:LogLevel:Default', '.a']);
    invalid(checkRelaxedEnvVarName, ['', 'a=b', 'ā', 'a\tb']);
  });

  it('checks container resource names like validateContainerResourceName', () => {
    valid(checkContainerResourceName, [
      'cpu',
      'memory',
      'ephemeral-storage',
      'hugepages-2Mi',
      'nvidia.com/gpu',
      'example.com/foo',
    ]);
    invalid(checkContainerResourceName, [
      'storage',
      'gpu',
      'requests.cpu',
      'nvidia.com/gpu/x',
      'CPU',
    ]);
  });
});

describe('quantities (resource.ParseQuantity)', () => {
  const q = (s: string) => {
    const r = parseQuantity(s);
    if (typeof r === 'string') throw new Error(r);
    return r;
  };
  it('accepts what ParseQuantity accepts (quirks included: "Gi" alone is 0)', () => {
    for (const s of [
      '0',
      '1',
      '100m',
      '1.5',
      '.5',
      '1.',
      '512Mi',
      '1Gi',
      '1Ei',
      '1E',
      '1e3',
      '1E-3',
      '+1',
      '-1',
      '1n',
      '1u',
      '12k',
      ' 1Gi ',
      '0.0001',
      'Gi',
    ])
      expect(typeof parseQuantity(s), s).toBe('object');
  });
  it('rejects what ParseQuantity rejects', () => {
    for (const s of [
      '',
      '1K',
      '1h',
      '1da',
      '1mi',
      '1MB',
      '100mb',
      'abc',
      '1 Gi',
      '1.5e1.5',
      '1e',
      '1Gi5',
      '--1',
      '0x10',
    ])
      expect(typeof parseQuantity(s), s).toBe('string');
  });
  it('compares values across suffixes like Quantity.Cmp', () => {
    const cmp = (a: string, b: string) => compareQuantities(q(a), q(b));
    expect(cmp('1Gi', '1G')).toBe(1);
    expect(cmp('1000m', '1')).toBe(0);
    expect(cmp('0.5', '500m')).toBe(0);
    expect(cmp('1Ki', '1024')).toBe(0);
    expect(cmp('128Mi', '256Mi')).toBe(-1);
    expect(cmp('1e3', '1k')).toBe(0);
    expect(cmp('-1', '0')).toBe(-1);
    // Exact where doubles are not: these differ in the 18th digit.
    expect(cmp('1000000000000000001', '1000000000000000000')).toBe(1);
  });
  it('knows signs and whole numbers', () => {
    expect(quantitySign(q('-1'))).toBe(-1);
    expect(quantitySign(q('0.000'))).toBe(0);
    expect(isWholeQuantity(q('2'))).toBe(true);
    expect(isWholeQuantity(q('1500m'))).toBe(false);
    expect(isWholeQuantity(q('2000m'))).toBe(true);
    expect(isWholeQuantity(q('1Ki') as Quantity)).toBe(true);
  });
});

describe('cron schedules (robfig/cron v3 ParseStandard)', () => {
  it('accepts five-field schedules and descriptors', () => {
    valid(checkCronSchedule, [
      '* * * * *',
      '*/15 * * * *',
      '0 3 * * *',
      '0 0 1,15 * *',
      '5/10 * * * *',
      '0 0 1 jan *',
      '0 0 * * mon-fri',
      '0 0 * * SUN',
      '? * * * *',
      '0-59/5 0-23 1-31 1-12 0-6',
      '@hourly',
      '@daily',
      '@midnight',
      '@weekly',
      '@monthly',
      '@yearly',
      '@annually',
      '@every 1h30m',
      '@every 90s',
      '0\t3 * * *',
      '1,,2 * * * *',
    ]);
  });
  it('rejects what the parser rejects, saying why', () => {
    expect(checkCronSchedule('61 * * * *')).toContain('end of range (61) above maximum (59)');
    expect(checkCronSchedule('* * * *')).toContain('expected exactly 5 fields, found 4');
    expect(checkCronSchedule('0 * * * * *')).toContain('expected exactly 5 fields, found 6');
    expect(checkCronSchedule('0 24 * * *')).toContain('above maximum (23)');
    expect(checkCronSchedule('0 0 0 * *')).toContain('below minimum (1)');
    expect(checkCronSchedule('0 0 * 13 *')).toContain('above maximum (12)');
    expect(checkCronSchedule('0 0 * * 7')).toContain('above maximum (6)');
    expect(checkCronSchedule('*/0 * * * *')).toContain('step of range should be a positive number');
    expect(checkCronSchedule('5-1 * * * *')).toContain('beyond end of range');
    expect(checkCronSchedule('1-2-3 * * * *')).toContain('too many hyphens');
    expect(checkCronSchedule('*/2/3 * * * *')).toContain('too many slashes');
    expect(checkCronSchedule('x * * * *')).toContain('failed to parse int from x');
    expect(checkCronSchedule('@weekdays')).toContain('unrecognized descriptor');
    expect(checkCronSchedule('@every 1x')).toContain('failed to parse duration');
    expect(checkCronSchedule('')).toBe('empty spec string');
  });
  it('parses Go durations like time.ParseDuration', () => {
    valid(checkGoDuration, [
      '0',
      '1h',
      '1h30m',
      '1.5h',
      '90s',
      '300ms',
      '1us',
      '1µs',
      '-5m',
      '+2h',
    ]);
    invalid(checkGoDuration, ['', '1', 'h', '1x', '1h 30m', '.h', '-']);
  });
});

describe('time zones (validateTimeZone, time.LoadLocation)', () => {
  it('accepts IANA names and their aliases', () => {
    valid(checkTimeZone, [
      'UTC',
      'Asia/Tokyo',
      'Europe/Paris',
      'America/New_York',
      'America/Argentina/Buenos_Aires',
      'Etc/GMT+5',
      'US/Eastern',
    ]);
  });
  it('rejects unknown, local, miscased and malformed names', () => {
    invalid(checkTimeZone, [
      '',
      'Local',
      'local',
      'Europe/Pariss',
      'asia/tokyo',
      'Asia/TOKYO',
      '../etc/passwd',
      'Asia/ThisNameIsTooLong',
      'Asia//Tokyo',
      '-Asia/Tokyo',
    ]);
  });
});

describe('encodings and addresses', () => {
  it("decodes base64 like Go's StdEncoding", () => {
    expect(base64DecodedLength('')).toBe(0);
    expect(base64DecodedLength('YWJj')).toBe(3);
    expect(base64DecodedLength('YWI=')).toBe(2);
    expect(base64DecodedLength('YQ==')).toBe(1);
    expect(base64DecodedLength('YWJj\nZGVm\r\n')).toBe(6);
    for (const bad of ['YQ', 'YWI', 'not base64!', 'YQ=', 'Y===', '<<secret:X>>', 'YW_j'])
      expect(base64DecodedLength(bad), bad).toBeUndefined();
  });
  it('parses IP addresses and CIDRs like IsValidIP and IsValidCIDR', () => {
    for (const ip of [
      '10.0.0.1',
      '0.0.0.0',
      '255.255.255.255',
      '010.0.0.1',
      '::1',
      '::',
      'fe80::1',
      '2001:db8::8a2e:370:7334',
      '::ffff:10.0.0.1',
      '1:2:3:4:5:6:7:8',
    ])
      expect(isIpAddress(ip), ip).toBe(true);
    for (const ip of [
      '',
      '10.0.0',
      '256.0.0.1',
      '10.0.0.1.2',
      'a.b.c.d',
      '1:2:3:4:5:6:7:8:9',
      '1::2::3',
      'db.example.com',
      '10.0.0.1/24',
    ])
      expect(isIpAddress(ip), ip).toBe(false);
    expect(isCidr('10.0.0.0/8')).toBe(true);
    expect(isCidr('2001:db8::/32')).toBe(true);
    expect(isCidr('10.0.0.0/33')).toBe(false);
    expect(isCidr('10.0.0.0')).toBe(false);
  });
});
