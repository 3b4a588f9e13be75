#!/usr/bin/env node
import { Command, CommanderError, Option } from 'commander';
import { isInputError } from '../errors.js';

/** Exit statuses: 0 success, 1 findings or drift, 2 bad usage or bad input. */
export const EXIT = { ok: 0, findings: 1, input: 2 } as const;

interface GlobalOptions {
  root: string;
  debug?: boolean;
}

function globals(cmd: Command): GlobalOptions {
  return cmd.optsWithGlobals() as GlobalOptions;
}

export function buildProgram(out: (s: string) => void = (s) => process.stdout.write(s)): Command {
  const program = new Command('manifests')
    .description('Render, validate, diff and publish the GitOps execution plan (release/<env>/)')
    .option('--root <dir>', 'project root holding charts/ and values/', process.cwd())
    .option('--debug', 'show stack traces on errors')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();

  program
    .command('render')
    .description('merge values, render every chart and write release/<env>/ atomically')
    .requiredOption('--env <env>', 'environment (a layer under values/, e.g. dev or prd)')
    .action(async (opts: { env: string }, cmd: Command) => {
      const { renderAndWrite } = await import('../pipeline.js');
      const g = globals(cmd);
      const r = renderAndWrite(g.root, opts.env);
      const { added, removed, changed } = r.drift;
      out(
        `rendered ${r.files} resources from ${r.project.charts.length} charts into release/${opts.env}/` +
          ` (${added.length} added, ${changed.length} changed, ${removed.length} removed)\n`,
      );
    });

  program
    .command('check')
    .description('fail (exit 1) when release/<env>/ differs from a fresh render')
    .requiredOption('--env <env>', 'environment')
    .action(async (opts: { env: string }, cmd: Command) => {
      const { checkRelease } = await import('../pipeline.js');
      const r = checkRelease(globals(cmd).root, opts.env);
      const { added, removed, changed } = r.drift;
      const total = added.length + removed.length + changed.length;
      if (total === 0) {
        out(`release/${opts.env}/ matches a fresh render (${r.release.files.size} files)\n`);
        return;
      }
      const lines = [
        `release/${opts.env}/ differs from a fresh render (${total} files); run: manifests render --env ${opts.env}`,
        ...changed.map((p) => `  changed   release/${opts.env}/${p}`),
        ...added.map((p) => `  missing   release/${opts.env}/${p}`),
        ...removed.map((p) => `  unexpected release/${opts.env}/${p}`),
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
      out(explainValue(globals(cmd).root, opts.env, path));
    });

  program.addOption(new Option('--no-color', 'disable colours').hideHelp());
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
      if (
        err.code === 'commander.helpDisplayed' ||
        err.code === 'commander.version' ||
        err.code === 'commander.help'
      )
        return EXIT.ok;
      return EXIT.input;
    }
    if (isInputError(err)) {
      process.stderr.write(`error: ${err.format()}\n`);
      if (debug && err.stack) process.stderr.write(err.stack + '\n');
      return EXIT.input;
    }
    process.stderr.write(`error: ${(err as Error)?.message ?? String(err)}\n`);
    if (debug && (err as Error)?.stack) process.stderr.write((err as Error).stack + '\n');
    return EXIT.input;
  }
}

const invokedDirectly = process.argv[1] && /[\\/](main\.js|manifests)$/.test(process.argv[1]);
if (invokedDirectly) {
  main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
