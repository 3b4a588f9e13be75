import { isClusterScoped } from '../../core/kinds.js';
import type { Manifest } from '../../core/manifest.js';
import type { FieldPath, Rule, RuleContext, RuleFinding } from '../types.js';
import {
  describe,
  groupOf,
  isObj,
  listNames,
  namespaceOf,
  push,
  suggestion,
} from '../model/references.js';
import type { Obj } from '../../core/object.js';
import { wildcardMatch } from '../../core/wildcard.js';

const ARGO_GROUP = 'argoproj.io';
const IN_CLUSTER_SERVER = 'https://kubernetes.default.svc';
const IN_CLUSTER_NAME = 'in-cluster';
/** Namespaces every cluster has. */
const BUILT_IN_NAMESPACES = new Set(['default', 'kube-system', 'kube-public', 'kube-node-lease']);
/** A pattern of a project list; `!pattern` matches every value the pattern does not. */
function projectMatch(pattern: string, value: string): boolean {
  return pattern.startsWith('!')
    ? !wildcardMatch(pattern.slice(1), value)
    : wildcardMatch(pattern, value);
}

/** Source repositories: one pattern must match and no deny pattern may exclude the value. */
function allowedBy(patterns: string[], value: string): boolean {
  let allowed = false;
  for (const p of patterns) {
    if (projectMatch(p, value)) allowed = true;
    else if (p.startsWith('!')) return false;
  }
  return allowed;
}

function normalizeRepo(url: string): string {
  return url
    .trim()
    .toLowerCase()
    .replace(/^(oci|https?):\/\//, '')
    .replace(/\/+$/, '')
    .replace(/\.git$/, '');
}

interface Source {
  source: Obj;
  path: FieldPath;
}

function sourcesOf(spec: Obj): Source[] {
  const out: Source[] = [];
  if (isObj(spec.source)) out.push({ source: spec.source, path: ['spec', 'source'] });
  if (Array.isArray(spec.sources)) {
    spec.sources.forEach((s: unknown, i: number) => {
      if (isObj(s)) out.push({ source: s, path: ['spec', 'sources', i] });
    });
  }
  return out;
}

interface Destination {
  server?: string;
  name?: string;
  namespace: string;
}

/**
 * Argo CD's destination check: some entry matches the cluster (server or name) and the namespace,
 * and no entry with a deny pattern (`!x`) excludes the destination.
 */
function destinationAllowed(entries: Obj[], dst: Destination): boolean {
  const servers = [dst.server, dst.name === IN_CLUSTER_NAME ? IN_CLUSTER_SERVER : undefined];
  const names = [dst.name, dst.server === IN_CLUSTER_SERVER ? IN_CLUSTER_NAME : undefined];
  const matchesAny = (pattern: unknown, values: (string | undefined)[]) =>
    typeof pattern === 'string' &&
    values.some((v) => v !== undefined && v !== '' && projectMatch(pattern, v));
  const isDeny = (pattern: unknown) => typeof pattern === 'string' && pattern.startsWith('!');
  let allowed = false;
  for (const e of entries) {
    if (!isObj(e)) continue;
    const nameOk = matchesAny(e.name, names);
    const serverOk = matchesAny(e.server, servers);
    const nsOk = projectMatch(typeof e.namespace === 'string' ? e.namespace : '', dst.namespace);
    if ((nameOk || serverOk) && nsOk) allowed = true;
    else if (
      (!nameOk && isDeny(e.name)) ||
      (!serverOk && isDeny(e.server)) ||
      (!nsOk && isDeny(e.namespace))
    ) {
      return false;
    }
  }
  return allowed;
}

function inGroupKindList(list: unknown, group: string, kind: string): boolean {
  return (Array.isArray(list) ? list : []).some(
    (e: Obj) =>
      isObj(e) &&
      wildcardMatch(String(e.group ?? ''), group) &&
      wildcardMatch(String(e.kind ?? ''), kind),
  );
}

/** Argo CD's rule for which resource kinds a project lets an Application sync. */
function kindPermitted(project: Obj, group: string, kind: string, namespaced: boolean): boolean {
  const spec = isObj(project.spec) ? project.spec : {};
  if (namespaced) {
    const white = spec.namespaceResourceWhitelist;
    const whiteOk = white === undefined || white === null || inGroupKindList(white, group, kind);
    return whiteOk && !inGroupKindList(spec.namespaceResourceBlacklist, group, kind);
  }
  return (
    inGroupKindList(spec.clusterResourceWhitelist, group, kind) &&
    !inGroupKindList(spec.clusterResourceBlacklist, group, kind)
  );
}

function chartNameOf(chart: string): string {
  return chart.includes('/') ? chart.slice(chart.lastIndexOf('/') + 1) : chart;
}

/** Repositories the project publishes its charts to: the global registry and repos of its own charts. */
function projectRepos(apps: Manifest[], ctx: RuleContext): Set<string> {
  const repos = new Set<string>();
  const global = ctx.values?.global;
  if (isObj(global) && typeof global.registry === 'string')
    repos.add(normalizeRepo(global.registry));
  const known = new Set((ctx.charts ?? []).map((c) => c.name));
  for (const app of apps) {
    for (const { source } of sourcesOf((app.object as Obj).spec ?? {})) {
      if (typeof source.chart === 'string' && known.has(chartNameOf(source.chart))) {
        if (typeof source.repoURL === 'string') repos.add(normalizeRepo(source.repoURL));
      }
    }
  }
  return repos;
}

function checkChartSources(
  app: Manifest,
  spec: Obj,
  ctx: RuleContext,
  ourRepos: Set<string>,
  out: RuleFinding[],
): void {
  if (!ctx.charts) return;
  for (const { source, path } of sourcesOf(spec)) {
    if (typeof source.chart !== 'string' || source.chart === '') continue;
    const name = chartNameOf(source.chart);
    const chart = ctx.charts.find((c) => c.name === name);
    const repo = typeof source.repoURL === 'string' ? normalizeRepo(source.repoURL) : '';
    if (!chart) {
      // A chart from somebody else's repository is not ours to check.
      if (ourRepos.size > 0 && ![...ourRepos].some((r) => repo === r || repo.startsWith(`${r}/`))) {
        continue;
      }
      out.push({
        manifest: app,
        path: [...path, 'chart'],
        message: `chart "${source.chart}" is not a chart of this project, so it is never published; ${suggestion(
          name,
          ctx.charts.map((c) => c.name),
          'charts',
        )}`,
      });
      continue;
    }
    const revision = source.targetRevision;
    if (revision === undefined || revision === null || String(revision) !== chart.version) {
      out.push({
        manifest: app,
        path: [...path, revision === undefined || revision === null ? 'chart' : 'targetRevision'],
        message: `chart ${name} is published at version ${chart.version}, but targetRevision is ${revision === undefined || revision === null ? 'not set' : `"${String(revision)}"`}; set targetRevision: "${chart.version}" (an exact version, so Argo CD deploys what was reviewed)`,
      });
    }
  }
}

function syncOptionsOf(spec: Obj): string[] {
  const opts = spec.syncPolicy?.syncOptions;
  return Array.isArray(opts) ? opts.map(String) : [];
}

/** Argo CD Applications deploy published charts at their exact version, within their project. */
export const argocdChartRule: Rule = {
  id: 'argocd-chart',
  description:
    "An Argo CD Application's Helm chart is a chart of this project at its exact version, its destination namespace exists, and its AppProject permits its source, destination and resources",
  severity: 'error',
  docs: "Every Argo CD Application deploys a chart of this project at its exact version (chart.yaml), from the registry charts are published to, within an AppProject that permits its source, destination and kinds. Otherwise Argo CD syncs an old or missing chart, or refuses the sync. Bump targetRevision with the chart version and keep the project's lists in line.",
  // what it reads: Applications and AppProjects whole, and every object's identity (its chart's
  // kinds and namespaces, the namespaces there are), the charts' names and versions and the
  // registry
  memo: {
    project: (m, p) =>
      m.object.kind === 'Application' || m.object.kind === 'AppProject'
        ? p.with(m, [m.object])
        : p.identity(m),
    context: (ctx) => [
      ctx.charts?.map((c) => [c.name, c.version]) ?? null,
      (ctx.values?.global as Record<string, unknown> | undefined)?.registry,
    ],
  },
  check(manifests, ctx) {
    const out: RuleFinding[] = [];
    const apps = manifests.filter(
      (m) => m.object.kind === 'Application' && groupOf(m) === ARGO_GROUP,
    );
    if (apps.length === 0) return out;
    const projects = manifests.filter(
      (m) => m.object.kind === 'AppProject' && groupOf(m) === ARGO_GROUP,
    );
    const namespaces = new Set(
      manifests.filter((m) => m.object.kind === 'Namespace').map((m) => m.object.metadata.name),
    );
    const ourRepos = projectRepos(apps, ctx);
    const knownCharts = new Set((ctx.charts ?? []).map((c) => c.name));

    for (const app of apps) {
      const spec = (app.object as Obj).spec;
      if (!isObj(spec)) continue;
      checkChartSources(app, spec, ctx, ourRepos, out);

      const dest: Obj = isObj(spec.destination) ? spec.destination : {};
      const destNs = typeof dest.namespace === 'string' ? dest.namespace : '';
      if (
        destNs !== '' &&
        !BUILT_IN_NAMESPACES.has(destNs) &&
        !namespaces.has(destNs) &&
        !syncOptionsOf(spec).includes('CreateNamespace=true')
      ) {
        out.push({
          manifest: app,
          path: ['spec', 'destination', 'namespace'],
          severity: 'warning',
          message: `destination namespace "${destNs}" is not rendered as a Namespace and the Application does not create it; add "CreateNamespace=true" to spec.syncPolicy.syncOptions or render the Namespace`,
        });
      }

      const projectName =
        typeof spec.project === 'string' && spec.project !== '' ? spec.project : undefined;
      if (!projectName) continue;
      const project =
        projects.find(
          (p) => p.object.metadata.name === projectName && namespaceOf(p) === namespaceOf(app),
        ) ?? projects.find((p) => p.object.metadata.name === projectName);
      if (!project) {
        if (projectName !== 'default') {
          out.push({
            manifest: app,
            path: ['spec', 'project'],
            message: `AppProject "${projectName}" is not rendered; render it or use an existing project (${suggestion(
              projectName,
              projects.map((p) => p.object.metadata.name),
              'AppProjects',
            )})`,
          });
        }
        continue; // Argo CD's built-in "default" project permits everything
      }
      const pspec: Obj = isObj((project.object as Obj).spec) ? (project.object as Obj).spec : {};
      const repos: string[] = (Array.isArray(pspec.sourceRepos) ? pspec.sourceRepos : []).map(
        String,
      );
      for (const { source, path } of sourcesOf(spec)) {
        if (typeof source.repoURL !== 'string') continue;
        const url = normalizeRepo(source.repoURL);
        const patterns = repos.map((r) =>
          r.startsWith('!') ? `!${normalizeRepo(r.slice(1))}` : normalizeRepo(r),
        );
        if (!allowedBy(patterns, url) && !allowedBy(repos, source.repoURL)) {
          out.push({
            manifest: app,
            path: [...path, 'repoURL'],
            message: `${describe(project)} does not allow source repository "${source.repoURL}" (sourceRepos: ${listNames(repos)}); add it to sourceRepos or fix repoURL`,
          });
        }
      }
      const entries: Obj[] = Array.isArray(pspec.destinations) ? pspec.destinations : [];
      const dst: Destination = {
        server: typeof dest.server === 'string' ? dest.server : undefined,
        name: typeof dest.name === 'string' ? dest.name : undefined,
        namespace: destNs,
      };
      const where = dst.server ?? dst.name ?? '(no cluster)';
      if (!destinationAllowed(entries, dst)) {
        out.push({
          manifest: app,
          path: ['spec', 'destination'],
          message: `${describe(project)} does not allow destination ${where} namespace "${destNs}"; add {server: ${where}, namespace: ${destNs || '*'}} to its destinations or fix the destination`,
        });
      }

      // What Argo CD would refuse while syncing the chart's rendered resources.
      for (const { source, path } of sourcesOf(spec)) {
        if (typeof source.chart !== 'string') continue;
        const chart = chartNameOf(source.chart);
        if (!knownCharts.has(chart)) continue;
        const resources = manifests.filter((m) => m.chart === chart);
        const deniedKinds = new Map<string, string[]>();
        const deniedNamespaces = new Map<string, string[]>();
        // answers by group/kind and by namespace: a chart renders thousands of objects of a few
        const permitted = new Map<string, boolean>();
        const namespaceAllowed = new Map<string, boolean>();
        for (const r of resources) {
          const kind = String(r.object.kind);
          const group = groupOf(r);
          const namespaced = !isClusterScoped(kind);
          const groupKind = `${group}\0${kind}`;
          let ok = permitted.get(groupKind);
          if (ok === undefined)
            permitted.set(
              groupKind,
              (ok = kindPermitted(project.object as Obj, group, kind, namespaced)),
            );
          if (!ok) {
            const k = `${group === '' ? 'core' : group}/${kind}`;
            push(deniedKinds, k, describe(r));
          }
          if (namespaced) {
            const ns =
              typeof r.object.metadata.namespace === 'string'
                ? r.object.metadata.namespace
                : destNs;
            let allowed = ns === destNs || namespaceAllowed.get(ns);
            if (allowed === undefined)
              namespaceAllowed.set(
                ns,
                (allowed = destinationAllowed(entries, { ...dst, namespace: ns })),
              );
            if (!allowed) {
              push(deniedNamespaces, ns, describe(r));
            }
          }
        }
        for (const [k, objs] of deniedKinds) {
          const [group, kind] = [k.slice(0, k.lastIndexOf('/')), k.slice(k.lastIndexOf('/') + 1)];
          const list = isClusterScoped(kind)
            ? 'clusterResourceWhitelist'
            : 'namespaceResourceWhitelist';
          out.push({
            manifest: app,
            path: ['spec', 'project'],
            message: `${describe(project)} does not permit ${kind} (group ${group}), which chart ${chart} renders (${objs.slice(0, 3).join(', ')}${objs.length > 3 ? ', …' : ''}); the sync would fail: add {group: "${group === 'core' ? '' : group}", kind: ${kind}} to its ${list} (and keep it off the blacklist)`,
          });
        }
        for (const [ns, objs] of deniedNamespaces) {
          out.push({
            manifest: app,
            path: [...path, 'chart'],
            message: `chart ${chart} renders into namespace "${ns}" (${objs.slice(0, 3).join(', ')}${objs.length > 3 ? ', …' : ''}), which ${describe(project)} does not allow as a destination; the sync would fail: add {server: ${where}, namespace: ${ns}} to its destinations`,
          });
        }
      }
    }
    return out;
  },
};
