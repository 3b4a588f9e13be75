import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { dump, load } from 'js-yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { InputError } from '../../core/errors.js';
import type { Manifest } from '../../core/manifest.js';
import { renderEnvironment } from '../../generator/pipeline.js';
import { REPO_ROOT, copyRepo, ofKind, renderWithEditedValue } from '../helpers.js';

type Obj = Record<string, any>;

interface AppService {
  name: string;
  port: number;
  public?: boolean;
  pathPrefix?: string;
}

interface Rendered {
  manifests: Manifest[];
  values: Record<string, Obj>;
}

function render(root: string, env: string): Rendered {
  const r = renderEnvironment(root, env, { environ: {} });
  return { manifests: r.release.manifests, values: r.loaded.values as Record<string, Obj> };
}

function istio(r: Rendered, kind: string): Obj[] {
  return ofKind(r.manifests, kind, 'istio') as Obj[];
}

function operator(r: Rendered): Obj {
  const ops = istio(r, 'IstioOperator');
  expect(ops).toHaveLength(1);
  return ops[0];
}

function ingressGateway(r: Rendered): Obj {
  const gws = operator(r).spec.components.ingressGateways as Obj[];
  expect(gws).toHaveLength(1);
  return gws[0];
}

/** The VirtualService route named after a service (each VirtualService carries its own). */
function ownRoute(vs: Obj, service: string): Obj {
  const route = (vs.spec.http as Obj[]).find((h) => h.name === service);
  expect(route, `route ${service} in VirtualService ${vs.metadata.name}`).toBeDefined();
  return route!;
}

function fqdn(service: string, ns: string): string {
  return `${service}.${ns}.svc.cluster.local`;
}

/** Checks a VirtualService per public app service, each routing its prefix to its Service. */
function expectRouting(r: Rendered): void {
  const app = r.values.app;
  const services = app.services as AppService[];
  const publicOnes = services.filter((s) => s.public);
  expect(publicOnes.length).toBeGreaterThan(0);
  const vss = istio(r, 'VirtualService');
  expect(vss.map((v) => v.metadata.name).sort()).toEqual(publicOnes.map((s) => s.name).sort());
  const gateways = istio(r, 'Gateway').map((g) => `${g.metadata.namespace}/${g.metadata.name}`);
  const appServices = ofKind(r.manifests, 'Service', 'app') as Obj[];
  for (const svc of publicOnes) {
    const vs = vss.find((v) => v.metadata.name === svc.name)!;
    expect(vs.metadata.namespace).toBe(app.namespace);
    expect(vs.spec.hosts).toEqual(r.values.istio.gateway.hosts);
    expect(vs.spec.gateways).toHaveLength(1);
    expect(gateways).toContain(vs.spec.gateways[0]);
    const route = ownRoute(vs, svc.name);
    expect(route.match).toEqual([{ uri: { prefix: svc.pathPrefix } }]);
    expect(route.route).toEqual([
      { destination: { host: fqdn(svc.name, app.namespace), port: { number: svc.port } } },
    ]);
    // The destination is a Service the app chart renders, on that port.
    const target = appServices.find((s) => s.metadata.name === svc.name)!;
    expect(target.metadata.namespace).toBe(app.namespace);
    expect((target.spec.ports as Obj[]).map((p) => p.port)).toContain(svc.port);
    // Every route of every VirtualService points at the service its name says, on its port.
    for (const h of vs.spec.http as Obj[]) {
      const s = publicOnes.find((p) => p.name === h.name)!;
      expect(h.route[0].destination).toEqual({
        host: fqdn(s.name, app.namespace),
        port: { number: s.port },
      });
    }
  }
}

/**
 * Istio merges the VirtualServices of one gateway host in creation order: whichever comes first,
 * a catch-all "/" route must never precede a more specific public prefix.
 */
function expectNoShadowing(r: Rendered): void {
  const publicOnes = (r.values.app.services as AppService[]).filter((s) => s.public);
  for (const vs of istio(r, 'VirtualService')) {
    const http = vs.spec.http as Obj[];
    const catchAll = http.findIndex((h) => h.match[0].uri.prefix === '/');
    if (catchAll < 0) continue;
    expect(catchAll, `catch-all is the last route of ${vs.metadata.name}`).toBe(http.length - 1);
    const before = http.slice(0, catchAll).map((h) => h.match[0].uri.prefix);
    for (const s of publicOnes.filter((p) => p.pathPrefix !== '/')) {
      expect(before).toContain(s.pathPrefix);
    }
  }
}

describe('istio chart', () => {
  let prd: Rendered;
  let dev: Rendered;
  beforeAll(() => {
    prd = render(REPO_ROOT, 'prd');
    dev = render(REPO_ROOT, 'dev');
  });

  it('installs Istio with the default profile, access log to stdout and tracing on', () => {
    for (const r of [dev, prd]) {
      const op = operator(r);
      expect(op.apiVersion).toBe('install.istio.io/v1alpha1');
      expect(op.metadata.namespace).toBe('istio-system');
      expect(op.spec.profile).toBe('default');
      expect(op.spec.meshConfig.accessLogFile).toBe('/dev/stdout');
      expect(op.spec.meshConfig.enableTracing).toBe(true);
      expect(op.spec.tag).toMatch(/^\d+\.\d+\.\d+$/);
      // Applied by istioctl; Argo CD must not try to apply it (no IstioOperator CRD since 1.24).
      expect(op.metadata.annotations['argocd.argoproj.io/hook']).toBe('Skip');
      const ns = ofKind(r.manifests, 'Namespace', 'istio').map((n) => n.metadata.name);
      expect(ns).toEqual(['istio-system']);
    }
  });

  it('exposes the ingress gateway through a NodePort in dev and an AWS NLB in prd', () => {
    expect(ingressGateway(dev).k8s.service.type).toBe('NodePort');
    const gw = ingressGateway(prd);
    expect(gw.k8s.service.type).toBe('LoadBalancer');
    expect(gw.k8s.serviceAnnotations['service.beta.kubernetes.io/aws-load-balancer-type']).toBe(
      'nlb',
    );
    // istiod and the gateway stay off the tainted Scalar DL pools in prd.
    expect(gw.k8s.nodeSelector).toEqual({ agentpool: 'generalpool' });
    expect(operator(prd).spec.components.pilot.k8s.nodeSelector).toEqual({
      agentpool: 'generalpool',
    });
  });

  it('binds one Gateway to the default ingress gateway, with the environment hosts', () => {
    for (const [r, hosts] of [
      [dev, ['*']],
      [prd, ['shop.example.com']],
    ] as const) {
      const gws = istio(r, 'Gateway');
      expect(gws).toHaveLength(1);
      expect(gws[0].metadata.namespace).toBe('istio-system');
      expect(gws[0].spec.selector).toEqual({ istio: 'ingressgateway' });
      expect(gws[0].spec.servers[0].hosts).toEqual(hosts);
    }
  });

  it('routes each public app service by its path prefix to its host and port', () => {
    expectRouting(dev);
    expectRouting(prd);
    // payments is not public: no route reaches it from the gateway.
    const hosts = istio(prd, 'VirtualService').flatMap((v) =>
      (v.spec.http as Obj[]).map((h) => h.route[0].destination.host),
    );
    expect(hosts).not.toContain(fqdn('payments', 'apps'));
  });

  it('never lets the catch-all route shadow a more specific prefix', () => {
    const frontend = istio(prd, 'VirtualService').find((v) => v.metadata.name === 'frontend')!;
    expect((frontend.spec.http as Obj[]).map((h) => h.name)).toEqual([
      'orders',
      'catalog',
      'frontend',
    ]);
    expectNoShadowing(prd);
  });

  it('gives every app service an ISTIO_MUTUAL DestinationRule', () => {
    const services = prd.values.app.services as AppService[];
    const drs = istio(prd, 'DestinationRule');
    expect(drs.map((d) => d.metadata.name).sort()).toEqual(services.map((s) => s.name).sort());
    for (const dr of drs) {
      expect(dr.metadata.namespace).toBe('apps');
      expect(dr.spec.host).toBe(fqdn(dr.metadata.name, 'apps'));
      expect(dr.spec.trafficPolicy.tls.mode).toBe('ISTIO_MUTUAL');
    }
  });

  it('requires mutual TLS in the app namespace in prd and permits plain text in dev', () => {
    for (const [r, mode] of [
      [prd, 'STRICT'],
      [dev, 'PERMISSIVE'],
    ] as const) {
      const pas = istio(r, 'PeerAuthentication');
      expect(pas).toHaveLength(1);
      expect(pas[0].metadata.namespace).toBe(r.values.app.namespace);
      expect(pas[0].spec.mtls.mode).toBe(mode);
    }
  });

  it('routes a service added to the app values', () => {
    const dir = copyRepo();
    const file = join(dir, 'values/shared/app.yaml');
    const doc = load(readFileSync(file, 'utf8')) as Obj;
    doc.app.services.push(
      {
        name: 'reviews',
        repository: 'shop/reviews',
        tag: '0.3.0',
        port: 8090,
        public: true,
        pathPrefix: '/api/reviews',
      },
      { name: 'ledger-client', repository: 'shop/ledger-client', tag: '1.0.0', port: 8095 },
    );
    writeFileSync(file, dump(doc));
    const r = render(dir, 'prd');
    const vs = istio(r, 'VirtualService').find((v) => v.metadata.name === 'reviews');
    expect(vs).toBeDefined();
    expect(ownRoute(vs!, 'reviews').route[0].destination).toEqual({
      host: fqdn('reviews', 'apps'),
      port: { number: 8090 },
    });
    const drs = istio(r, 'DestinationRule').map((d) => d.spec.host);
    expect(drs).toContain(fqdn('reviews', 'apps'));
    expect(drs).toContain(fqdn('ledger-client', 'apps'));
    // Internal services get a DestinationRule but no VirtualService.
    expect(istio(r, 'VirtualService').map((v) => v.metadata.name)).not.toContain('ledger-client');
    expectRouting(r);
    expectNoShadowing(r);
  });

  it('fails naming the service when a public service has no path prefix', () => {
    const dir = copyRepo();
    const file = join(dir, 'values/shared/app.yaml');
    const doc = load(readFileSync(file, 'utf8')) as Obj;
    doc.app.services.push({
      name: 'search',
      repository: 'shop/search',
      tag: '1.0.0',
      port: 8091,
      public: true,
    });
    writeFileSync(file, dump(doc));
    let error: unknown;
    try {
      render(dir, 'prd');
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).message).toContain('app.services[name=search].pathPrefix');
    expect((error as InputError).location?.file).toBe('charts/istio/templates/routing.hbs');
  });

  it('exits 2 naming the prd values file and line of a wrongly typed value', () => {
    const r = renderWithEditedValue('values/prd/istio.yaml', /^\s+minReplicas: 2$/, '2', 'two');
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`values/prd/istio.yaml:${r.line}`);
    expect(r.stderr).toContain('minReplicas');
  });
});
