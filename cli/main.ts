#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { Command, CommanderError, Option } from 'commander';
import { InputError, isInputError } from '../core/errors.js';
import { packageInfo, rulesDocumentationUri } from './package-info.js';

/** Exit statuses: 0 success, 1 findings or drift, 2 bad usage or bad input, 3 internal error (a bug). */
export const EXIT = { ok: 0, findings: 1, input: 2, internal: 3 } as const;

interface GlobalOptions {
  root: string;
  debug?: boolean;
}

interface ValidateCliOptions {
  env?: string;
  only?: string[];
  skip?: string[];
  strict: boolean;
  allowUnknownKinds?: string[];
  kubernetesVersion?: string;
  cache?: boolean;
  format: 'text' | 'json' | 'junit' | 'sarif' | 'github';
}

/** Report formats (kept here so `--help` loads no validator code). */
const FORMAT_NAMES = ['text', 'json', 'junit', 'sarif', 'github'] as const;

/**
 * Whether a command uses .manifests-cache/: not with --no-cache, and not in CI (the `CI` variable
 * that CI services set): a CI job starts from a fresh checkout, so a cache there could only come
 * from the repository itself, and a committed cache must never decide what a plan or a validation
 * says.
 */
function useCache(opts: { cache?: boolean }): boolean {
  const ci = process.env.CI;
  return opts.cache !== false && (ci === undefined || ci === '' || ci === 'false' || ci === '0');
}

function list(value: string, previous: string[] = []): string[] {
  return [
    ...previous,
    ...value
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  ];
}

function useColour(cmd: Command): boolean {
  const g = cmd.optsWithGlobals() as { color?: boolean };
  return g.color !== false && !process.env.NO_COLOR && !!process.stdout.isTTY;
}

function globals(cmd: Command): GlobalOptions {
  return cmd.optsWithGlobals() as GlobalOptions;
}

export function buildProgram(out: (s: string) => void = (s) => process.stdout.write(s)): Command {
  const program = new Command('manifests')
    .description('Render, validate, diff and publish the GitOps execution plan (release/<env>/)')
    .option('--root <dir>', 'project root holding charts/ and values/', process.cwd())
    .option('--debug', 'show stack traces on errors')
    .option('--no-color', 'no colours in reports')
    .version(packageInfo().version, '-V, --version', 'print the version')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();

  program
    .command('render')
    .description(
      'merge values, render every chart, validate in memory and write release/<env>/ atomically (never a plan holding a secret value)',
    )
    .requiredOption('--env <env>', 'environment (a layer under values/, e.g. dev or prd)')
    .option('--no-validate', 'do not report findings (the secret-leak guard still runs)')
    .option('--no-wait', 'fail at once when another render of the environment is running')
    .option(
      '--no-cache',
      'render every chart and check every object again (ignore .manifests-cache/)',
    )
    .action(
      async (
        opts: { env: string; validate?: boolean; wait?: boolean; cache?: boolean },
        cmd: Command,
      ) => {
        const { renderValidateAndWrite } = await import('../validators/release-guard.js');
        const { formatFindings } = await import('../validators/report/index.js');
        const { hasErrors } = await import('../validators/run.js');
        const { describeOwner } = await import('../core/lock.js');
        const g = globals(cmd);
        const r = await renderValidateAndWrite(
          g.root,
          opts.env,
          { environ: process.env, cache: useCache(opts) },
          {
            wait: opts.wait !== false,
            onWait: (owner) =>
              process.stderr.write(
                `waiting for another render of release/${opts.env}/ (${describeOwner(owner)})...\n`,
              ),
          },
        );
        const v = r.validation;
        if (!r.written) {
          // The guard's findings, also when validation.yaml skips secret-leak.
          const shown = [...v.findings.filter((f) => f.ruleId !== 'secret-leak'), ...r.blocked];
          out(
            formatFindings('text', shown, v.rules, { colour: useColour(cmd), skipped: v.skipped }),
          );
          out(
            `release/${opts.env}/ was not written: the value of a secret variable would be committed (see above)\n`,
          );
          process.exitCode = EXIT.findings;
          return;
        }
        const { added, removed, changed, irregular, wrongMode } = r.written.drift;
        const repaired = irregular.length + wrongMode.length;
        out(
          `rendered ${r.written.files} resources from ${r.result.project.charts.length} charts into release/${opts.env}/` +
            ` (${added.length} added, ${changed.length} changed, ${removed.length} removed` +
            `${repaired ? `, ${irregular.length} links or special files removed, ${wrongMode.length} modes reset to 0644` : ''})\n`,
        );
        if (opts.validate === false) return;
        out(
          formatFindings('text', v.findings, v.rules, {
            colour: useColour(cmd),
            resources: v.resources,
            skipped: v.skipped,
            kubernetesVersion: v.kubernetesVersion,
          }),
        );
        if (hasErrors(v.findings)) process.exitCode = EXIT.findings;
      },
    );

  program
    .command('validate')
    .description(
      'schema and policy checks of release/<env>/ and the values, or of any manifest files or folders',
    )
    .option(
      '--env <env>',
      'environment: validates release/<env>/ and its values, and gives the cluster to rules',
    )
    .argument('[paths...]', 'manifest files or folders (YAML or JSON; - for standard input)')
    .option(
      '--only <ids>',
      'run only these rules (comma-separated; "schema" for a pure schema check)',
      list,
    )
    .option('--skip <ids>', 'skip these rules (comma-separated)', list)
    .option('--no-strict', 'accept unknown fields and repeated keys')
    .option('--no-cache', 'check every object again (ignore .manifests-cache/)')
    .option(
      '--allow-unknown-kinds <kinds>',
      'kinds without a schema to accept (comma-separated)',
      list,
    )
    .option(
      '--kubernetes-version <major.minor>',
      "Kubernetes version to check for (default: the cluster declaration's with --env, else the newest supported)",
    )
    .addOption(
      new Option('--format <format>', 'report format').choices([...FORMAT_NAMES]).default('text'),
    )
    .action(async (paths: string[], opts: ValidateCliOptions, cmd: Command) => {
      const { validateCommand } = await import('../validators/validate.js');
      const { formatFindings } = await import('../validators/report/index.js');
      const { hasErrors } = await import('../validators/run.js');
      const g = globals(cmd);
      if (opts.only && opts.only.length === 0) throw new InputError('--only names no rule');
      const { previewValidationBase } = await import('../preview/validation-base.js');
      const base = previewValidationBase(g.root, paths, opts.env, process.env);
      const result = validateCommand({
        root: g.root,
        env: base?.env ?? opts.env,
        paths: base?.paths ?? paths,
        baseManifests: base?.manifests,
        only: opts.only,
        skip: opts.skip,
        strict: opts.strict,
        allowUnknownKinds: opts.allowUnknownKinds,
        kubernetesVersion: opts.kubernetesVersion,
        stdin: () => readFileSync(0, 'utf8'),
        environ: process.env,
        cache: useCache(opts),
      });
      out(
        formatFindings(opts.format, result.findings, result.rules, {
          colour: useColour(cmd),
          resources: result.resources,
          version: packageInfo().version,
          informationUri: rulesDocumentationUri(process.env),
          skipped: result.skipped,
          checked: result.checked,
          kubernetesVersion: result.kubernetesVersion,
        }),
      );
      for (const p of result.unread ?? [])
        process.stderr.write(`note: skipped ${p}: not a regular file\n`);
      if (hasErrors(result.findings)) process.exitCode = EXIT.findings;
    });

  program
    .command('check')
    .description('fail (exit 1) when release/<env>/ differs from a fresh render')
    .requiredOption('--env <env>', 'environment')
    .action(async (opts: { env: string }, cmd: Command) => {
      const { checkRelease } = await import('../generator/pipeline.js');
      const r = checkRelease(globals(cmd).root, opts.env, { environ: process.env });
      const { added, removed, changed, irregular, wrongMode } = r.drift;
      const total =
        added.length + removed.length + changed.length + irregular.length + wrongMode.length;
      if (total === 0) {
        out(`release/${opts.env}/ matches a fresh render (${r.release.files.size} files)\n`);
        return;
      }
      const lines = [
        `release/${opts.env}/ differs from a fresh render (${total} files); run: manifests render --env ${opts.env}`,
        ...changed.map((p) => `  changed   release/${opts.env}/${p}`),
        ...added.map((p) => `  missing   release/${opts.env}/${p}`),
        ...removed.map((p) => `  unexpected release/${opts.env}/${p}`),
        ...irregular.map((p) => `  not a regular file (a link?) release/${opts.env}/${p}`),
        ...wrongMode.map((p) => `  mode is not 0644 release/${opts.env}/${p}`),
      ];
      out(lines.join('\n') + '\n');
      process.exitCode = EXIT.findings;
    });

  program
    .command('explain')
    .description(
      'show which layer set a value: file and line, or environment variable (never a secret value)',
    )
    .requiredOption('--env <env>', 'environment')
    .argument('<value.path>', 'dotted value path, e.g. app.services.0.port or app.services[0].port')
    .action(async (path: string, opts: { env: string }, cmd: Command) => {
      const { explainValue } = await import('./explain.js');
      out(explainValue(globals(cmd).root, opts.env, path, process.env));
    });

  program
    .command('plan')
    .description(
      'render and validate, then diff against the committed release/<env>/ at a git ref, with risks',
    )
    .requiredOption('--env <env>', 'environment')
    .option('--base <git-ref>', 'git ref holding the committed plan to compare with', 'HEAD')
    .addOption(
      new Option('--format <format>', 'output format')
        .choices(['text', 'markdown', 'json'])
        .default('text'),
    )
    .option(
      '--no-cache',
      'render every chart and check every object again (ignore .manifests-cache/)',
    )
    .action(
      async (
        opts: { env: string; base: string; format: string; cache?: boolean },
        cmd: Command,
      ) => {
        const { planEnvironment, planExitCode } = await import('../plan/plan.js');
        const { formatPlan } = await import('../plan/format/index.js');
        const run = await planEnvironment({
          root: globals(cmd).root,
          env: opts.env,
          base: opts.base,
          environ: process.env,
          cache: useCache(opts),
        });
        out(formatPlan(opts.format as 'text', run.diff, { colour: useColour(cmd) }));
        process.exitCode = planExitCode(run);
      },
    );

  program
    .command('pr-plan')
    .description(
      'the release-branch Action: render, commit the plan to the branch, keep one PR comment current',
    )
    .option('--env <env>', 'environment', 'prd')
    .action(async (opts: { env: string }, cmd: Command) => {
      const { prPlanMain } = await import('../actions/pr-plan.js');
      process.exitCode = await prPlanMain(process.env, globals(cmd).root, opts.env);
    });

  // publish: package each chart with the real secrets and push it to an OCI registry.
  program
    .command('publish')
    .description(
      'package every chart of the reviewed plan with the real secrets and push it to an OCI registry (versions immutable)',
    )
    .requiredOption('--env <env>', 'environment (e.g. prd)')
    .requiredOption(
      '--registry <oci://HOST/PATH>',
      'registry and path, e.g. oci://<account>.dkr.ecr.<region>.amazonaws.com/charts',
    )
    .option(
      '--plain-http',
      'plain HTTP, only to a registry on this machine (127.0.0.0/8, ::1, localhost)',
    )
    .option(
      '--dry-run',
      'package and look up the registry, upload nothing; prints charts, versions and digests',
    )
    .option(
      '--create-repository',
      'ECR: create missing repositories (tag immutability on, scan on push)',
    )
    .action(
      async (
        opts: {
          env: string;
          registry: string;
          plainHttp?: boolean;
          dryRun?: boolean;
          createRepository?: boolean;
        },
        cmd: Command,
      ) => {
        const { publishCharts, formatPublishReport } = await import('../publish/publish.js');
        const { isPublishError } = await import('../publish/errors.js');
        const { join } = await import('node:path');
        const { homedir } = await import('node:os');
        // In a GitHub Actions job, every secret value and registry password is masked in the log.
        const onSecret =
          process.env.GITHUB_ACTIONS === 'true'
            ? (await import('@actions/core')).setSecret
            : undefined;
        const epoch = process.env.SOURCE_DATE_EPOCH;
        if (epoch !== undefined && !/^\d+$/.test(epoch)) {
          throw new InputError(
            `SOURCE_DATE_EPOCH must be whole seconds since 1970, got "${epoch}"`,
          );
        }
        // Nothing holding a secret is written to disk (charts are built in memory); a signal
        // aborts the uploads in flight so no further tag is pushed.
        const controller = new AbortController();
        const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM'];
        const onSignal = (sig: NodeJS.Signals) =>
          controller.abort(new Error(`interrupted by ${sig}`));
        for (const s of signals) process.once(s, onSignal);
        try {
          const report = await publishCharts({
            root: globals(cmd).root,
            env: opts.env,
            registry: opts.registry,
            plainHttp: opts.plainHttp,
            dryRun: opts.dryRun,
            createRepository: opts.createRepository,
            environ: process.env,
            dockerConfigPath: join(
              process.env.DOCKER_CONFIG ?? join(homedir(), '.docker'),
              'config.json',
            ),
            epochSeconds: epoch === undefined ? undefined : Number(epoch),
            signal: controller.signal,
            onSecret,
            log: (line) => process.stderr.write(line + '\n'),
          });
          out(formatPublishReport(report));
        } catch (err) {
          if (controller.signal.aborted) {
            process.stderr.write(
              `error: ${(controller.signal.reason as Error).message}; every chart whose tag was pushed is complete, the others were not tagged\n`,
            );
            process.exitCode = 130;
            return;
          }
          if (!isPublishError(err)) throw err;
          process.stderr.write(
            [`error: ${err.message}`, ...err.details.map((d) => `  ${d}`)].join('\n') + '\n',
          );
          process.exitCode = err.exitCode;
        } finally {
          for (const s of signals) process.off(s, onSignal);
        }
      },
    );

  // Preview environments (preview/): clones of one app service behind the shared Istio Gateway.
  const preview = program
    .command('preview')
    .description('preview environments under release/preview/: create, delete, ls');
  preview
    .command('create')
    .description('clone a service with a new image into release/preview/<name>/ (or redeploy it)')
    .requiredOption('--name <name>', 'preview environment name (a DNS label)')
    .requiredOption('--image <uri>', 'image to run: registry/repository:tag or @sha256:<digest>')
    .option('--service <service>', "the app chart's service to clone (default: the profile's)")
    .option('--profile <profile>', 'endpoint profile (default: the service name)')
    .option('--env <env>', 'values environment to clone from', 'dev')
    .action(
      async (
        opts: { name: string; image: string; service?: string; profile?: string; env: string },
        cmd: Command,
      ) => {
        const { createPreview, formatCreateResult } = await import('../preview/preview.js');
        out(
          formatCreateResult(
            await createPreview(globals(cmd).root, opts, { environ: process.env }),
          ),
        );
      },
    );
  preview
    .command('delete')
    .description('remove a profile (default: every profile) of a preview, newest objects first')
    .requiredOption('--name <name>', 'preview environment name')
    .option('--profile <profile>', 'the profile to remove')
    .action(async (opts: { name: string; profile?: string }, cmd: Command) => {
      const { deletePreview, formatDeleteResult } = await import('../preview/preview.js');
      out(formatDeleteResult(await deletePreview(globals(cmd).root, opts)));
    });
  preview
    .command('ls')
    .description('list preview environments, their endpoints and when they were last updated')
    .addOption(
      new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'),
    )
    .action(async (opts: { format: 'text' | 'json' }, cmd: Command) => {
      const { listPreviews, formatPreviewList } = await import('../preview/preview.js');
      out(formatPreviewList(listPreviews(globals(cmd).root), opts.format));
    });

  return program;
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  const debug = argv.includes('--debug');
  try {
    await program.parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT.ok;
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version exit 0; a missing command prints the help and is bad usage.
      return err.exitCode === 0 ? EXIT.ok : EXIT.input;
    }
    if (isInputError(err)) {
      process.stderr.write(`error: ${err.format()}\n`);
      if (debug && err.stack) process.stderr.write(err.stack + '\n');
      return EXIT.input;
    }
    const sys = err as NodeJS.ErrnoException;
    if (typeof sys?.code === 'string' && typeof sys.syscall === 'string') {
      // The file system refused (a missing, unreadable or unwritable path): bad input, not a bug.
      process.stderr.write(
        `error: ${sys.path ? `${sys.path}: ` : ''}${sys.code} (${sys.syscall})\n`,
      );
      if (debug && sys.stack) process.stderr.write(sys.stack + '\n');
      return EXIT.input;
    }
    process.stderr.write(
      `internal error: ${(err as Error)?.message ?? String(err)}` +
        (debug ? '\n' : ' (a bug in manifests; run again with --debug for the stack trace)\n'),
    );
    if (debug && (err as Error)?.stack) process.stderr.write((err as Error).stack + '\n');
    return EXIT.internal;
  }
}

const invokedDirectly = process.argv[1] && /[\\/](main\.js|manifests)$/.test(process.argv[1]);
if (invokedDirectly) {
  main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
