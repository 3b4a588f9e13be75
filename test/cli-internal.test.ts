import { afterEach, describe, expect, it, vi } from 'vitest';

// A bug inside a stage is simulated by making the pipeline throw a TypeError; the CLI must call it
// an internal error (exit 3), not bad input (exit 2).
vi.mock('../generator/pipeline.js', () => ({
  checkRelease: () => {
    throw new TypeError("Cannot read properties of undefined (reading 'kind')");
  },
}));
vi.mock('../validators/release-guard.js', () => ({
  renderValidateAndWrite: () => {
    const err = new Error(
      "EACCES: permission denied, open 'release/prd/x.yaml'",
    ) as NodeJS.ErrnoException;
    Object.assign(err, { code: 'EACCES', syscall: 'open', path: 'release/prd/x.yaml' });
    throw err;
  },
}));

describe('internal errors', () => {
  afterEach(() => {
    vi.restoreAllMocks();
    process.exitCode = undefined;
  });

  it('reports a bug as an internal error with exit 3 and a hint to run --debug', async () => {
    const { main } = await import('../cli/main.js');
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const code = await main(['check', '--env', 'prd']);
    expect(code).toBe(3);
    const text = stderr.mock.calls.map((c) => String(c[0])).join('');
    expect(text).toMatch(/^internal error: Cannot read properties of undefined/);
    expect(text).toContain('--debug');
    expect(text).not.toContain('    at ');
  });

  it('prints the stack with --debug', async () => {
    const { main } = await import('../cli/main.js');
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    expect(await main(['--debug', 'check', '--env', 'prd'])).toBe(3);
    expect(stderr.mock.calls.map((c) => String(c[0])).join('')).toContain('    at ');
  });

  it('reports a file-system refusal as bad input (exit 2) naming the path', async () => {
    const { main } = await import('../cli/main.js');
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    expect(await main(['render', '--env', 'prd'])).toBe(2);
    expect(stderr.mock.calls.map((c) => String(c[0])).join('')).toBe(
      'error: release/prd/x.yaml: EACCES (open)\n',
    );
  });
});
