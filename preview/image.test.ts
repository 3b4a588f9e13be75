import { describe, expect, it } from 'vitest';
import { parsePreviewImage, requireAllowedRegistry } from './image.js';

const HEX64 = 'a'.repeat(64);

describe('parsePreviewImage (distribution/reference grammar)', () => {
  it.each([
    [
      '123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/shop/orders:1.9.0',
      'shop/orders',
      '1.9.0',
      undefined,
    ],
    ['localhost:5000/a/b__c/d-e--f:v1_2', 'a/b__c/d-e--f', 'v1_2', undefined],
    [
      `ghcr.io/scalar-labs/scalar-ledger@sha256:${HEX64}`,
      'scalar-labs/scalar-ledger',
      undefined,
      `sha256:${HEX64}`,
    ],
    [
      `docker.io/library/mysql:8.0.36@sha512:${'0'.repeat(128)}`,
      'library/mysql',
      '8.0.36',
      `sha512:${'0'.repeat(128)}`,
    ],
    ['[::1]:5000/x:t', 'x', 't', undefined],
  ])('accepts %s', (raw, repository, tag, digest) => {
    expect(parsePreviewImage(raw)).toMatchObject({ raw, repository, tag, digest });
  });

  it.each([
    ['shop/orders:1', /names no registry host/],
    ['orders:1', /names no registry host/],
    ['registry.example.com/shop/orders', /neither a tag nor a digest/],
    ['registry.example.com/Shop/orders:1', /must be lowercase/],
    ['registry.example.com/shop/orders:-bad', /grammar/],
    ['registry.example.com/shop/orders:' + 'x'.repeat(129), /grammar/],
    ['registry.example.com/shop//orders:1', /grammar/],
    ['registry.example.com/shop/orders.:1', /grammar/],
    ['registry.example.com/shop/orders@sha256:abc', /grammar/],
    [`registry.example.com/shop/orders@sha1:${'a'.repeat(40)}`, /algorithm "sha1"/],
    [`registry.example.com/shop/orders@sha256:${'A'.repeat(64)}`, /64 lowercase/],
    [`registry.example.com/shop/orders@sha256:${'a'.repeat(63)}0a`, /64 lowercase/],
    ['registry.example.com/' + 'a/'.repeat(128) + 'b:1', /longer than 255/],
    ['registry.example.com/shop/orders:1 ', /grammar/],
  ])('refuses %s', (raw, message) => {
    expect(() => parsePreviewImage(raw)).toThrow(message);
  });
});

describe('requireAllowedRegistry', () => {
  const allowed = ['123456789012.dkr.ecr.ap-northeast-1.amazonaws.com', 'ghcr.io/scalar-labs'];
  it('admits a registry host or a host/path prefix, compared by path segment', () => {
    expect(() =>
      requireAllowedRegistry(parsePreviewImage('ghcr.io/scalar-labs/x:1'), allowed),
    ).not.toThrow();
    expect(() =>
      requireAllowedRegistry(parsePreviewImage('ghcr.io/scalar-labsx/x:1'), allowed, {
        file: 'values/shared/global.yaml',
        line: 8,
      }),
    ).toThrow(/not from an allowed registry/);
  });
});
